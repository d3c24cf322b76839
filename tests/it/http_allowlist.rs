//! `/api/v1/keystores/{ks}/allowlist` and `/auth` against the real server.

use hyper::Method;
use serde_json::json;

use crate::harness::Server;
use crate::http_support::{admin, assert_problem, call, ok};

#[test]
fn allowlist_entries_are_added_listed_and_removed() {
    let server = Server::start();
    let client = admin(&server);
    let add = |body| call(&client, Method::POST, "/api/v1/keystores/default/allowlist", Some(body));
    let ip = add(json!({"ip": "192.0.2.7", "description": "the app server"}));
    assert_eq!(ip.status, 201, "{}", String::from_utf8_lossy(&ip.body));
    let ip = ip.json().unwrap();
    assert_eq!((ip["kind"].as_str(), ip["value"].as_str()), (Some("ip"), Some("192.0.2.7")));
    assert_eq!(ip["description"], "the app server");
    let cidr = add(json!({"cidr": "10.1.2.3/8"})).json().unwrap();
    assert_eq!((cidr["kind"].as_str(), cidr["value"].as_str()), (Some("cidr"), Some("10.0.0.0/8")));
    let v6 = add(json!({"cidr": "2001:db8::/32"})).json().unwrap();
    assert_eq!(v6["value"], "2001:db8::/32");
    let mac = add(json!({"mac": "00-11-22-AA-BB-CC"})).json().unwrap();
    assert_eq!((mac["kind"].as_str(), mac["value"].as_str()), (Some("mac"), Some("00:11:22:aa:bb:cc")));

    let list = ok(&client, Method::GET, "/api/v1/keystores/default/allowlist", None);
    assert_eq!(list["items"].as_array().unwrap().len(), 4);
    let page = ok(&client, Method::GET, "/api/v1/keystores/default/allowlist?limit=3", None);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert!(page["next_cursor"].as_str().is_some());

    let id = ip["id"].as_str().unwrap();
    let removed = call(&client, Method::DELETE, &format!("/api/v1/keystores/default/allowlist/{id}"), None);
    assert_eq!(removed.status, 204);
    let again = call(&client, Method::DELETE, &format!("/api/v1/keystores/default/allowlist/{id}"), None);
    assert_problem(&again, 404, "allow-entry-not-found");
    assert_eq!(ok(&client, Method::GET, "/api/v1/keystores/default", None)["counts"]["allowlist"], 3);
}

#[test]
fn a_bad_address_range_or_mac_is_a_400_problem() {
    let server = Server::start();
    let client = admin(&server);
    let add = |body| call(&client, Method::POST, "/api/v1/keystores/default/allowlist", Some(body));
    for (body, code) in [
        (json!({"cidr": "10.0.0.0/33"}), "invalid-field"),
        (json!({"cidr": "10.0.0/8"}), "invalid-field"),
        (json!({"ip": "300.1.1.1"}), "invalid-field"),
        (json!({"mac": "00:11:22:33:44"}), "invalid-field"),
        (json!({"ip": "10.0.0.1", "mac": "00:11:22:33:44:55"}), "invalid-body"),
        (json!({"description": "nothing to match"}), "invalid-body"),
        (json!({"ip": "10.0.0.1", "port": 5696}), "invalid-body"),
    ] {
        assert_problem(&add(body), 400, code);
    }
    assert_problem(
        &call(&client, Method::POST, "/api/v1/keystores/nope/allowlist", Some(json!({"ip": "10.0.0.1"}))),
        404,
        "keystore-not-found",
    );
    assert_eq!(ok(&client, Method::GET, "/api/v1/keystores/default/allowlist", None)["items"], json!([]));
}

#[test]
fn the_auth_policy_is_shown_and_set() {
    let server = Server::start();
    let client = admin(&server);
    let path = "/api/v1/keystores/default/auth";
    assert_eq!(ok(&client, Method::GET, path, None), json!({"methods": ["certificate"], "combine": "and"}));
    let set = ok(&client, Method::PUT, path, Some(json!({"methods": ["certificate", "ip", "mac"], "combine": "or"})));
    assert_eq!(set, json!({"methods": ["certificate", "ip", "mac"], "combine": "or"}));
    assert_eq!(ok(&client, Method::GET, "/api/v1/keystores/default", None)["auth"], set);
    assert_problem(
        &call(&client, Method::PUT, path, Some(json!({"methods": [], "combine": "and"}))),
        400,
        "invalid-field",
    );
    assert_problem(
        &call(&client, Method::PUT, path, Some(json!({"methods": ["iris"], "combine": "and"}))),
        400,
        "invalid-body",
    );
    assert_problem(
        &call(&client, Method::PUT, path, Some(json!({"methods": ["ip"], "combine": "xor"}))),
        400,
        "invalid-body",
    );
}
