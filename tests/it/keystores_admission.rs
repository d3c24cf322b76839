//! Per-request admission at the engine: a connection's identity is taken
//! once, at the handshake; a revocation or suspension made afterwards is
//! seen on its next request (through the registry's handle, no store read).

use bytes::Bytes;
use coffer::auth::ClientIdentity;
use coffer::keystores::{IssueRequest, Registry, RegistryOptions};
use coffer::kmip::codec::{FromTtlv, ToTtlv};
use coffer::kmip::message::{RequestBatchItem, RequestHeader, RequestMessage, ResponseMessage};
use coffer::kmip::payloads::discover_versions::DiscoverVersionsRequest;
use coffer::kmip::payloads::query::QueryRequest;
use coffer::kmip::payloads::RequestPayload;
use coffer::kmip::table::{Operation, QueryFunction, ResultReason, ResultStatus};
use coffer::kmip::version::ProtocolVersion;
use coffer::operations::{Engine, EngineLimits, Reply};
use coffer::pki::{Ca, Validity};
use coffer::store::{MasterKey, Store, StoreOptions};
use coffer::ttlv::{self, Tag};
use openssl::x509::X509;
use zeroize::Zeroizing;

/// Two items (Discover Versions, Query) with Unique Batch Item IDs.
fn two_items() -> Bytes {
    let v = ProtocolVersion::V1_4;
    let item = |id: &'static [u8], payload: RequestPayload| RequestBatchItem {
        operation: payload.operation(),
        ephemeral: None,
        unique_batch_item_id: Some(Bytes::from_static(id)),
        payload,
        message_extension: None,
    };
    let message = RequestMessage {
        header: RequestHeader::new(v, 2),
        batch_items: vec![
            item(b"1", RequestPayload::DiscoverVersions(DiscoverVersionsRequest { protocol_versions: Vec::new() })),
            item(b"2", RequestPayload::Query(QueryRequest { query_functions: vec![QueryFunction::QueryOperations] })),
        ],
    };
    Bytes::from(message.encode_ttlv(Tag::RequestMessage, v).unwrap())
}

fn decode(bytes: &[u8]) -> ResponseMessage {
    let tree = ttlv::decode(&Bytes::copy_from_slice(bytes), &ttlv::Limits::UNBOUNDED).unwrap();
    ResponseMessage::from_ttlv(&tree, ProtocolVersion::V1_0).unwrap()
}

/// One item's status, reason, message and unique batch item id.
type Outcome = (ResultStatus, Option<ResultReason>, Option<String>, Option<Vec<u8>>);

/// Every item's outcome.
fn outcome(message: &ResponseMessage) -> Vec<Outcome> {
    message
        .batch_items
        .iter()
        .map(|i| {
            (
                i.result_status,
                i.result_reason,
                i.result_message.clone(),
                i.unique_batch_item_id.as_ref().map(|b| b.to_vec()),
            )
        })
        .collect()
}

async fn setup() -> (Registry, Engine, ClientIdentity, String, String) {
    let ca = Ca::generate("coffer test CA", 30).unwrap();
    let store = Store::in_memory(MasterKey::generate().unwrap(), StoreOptions::default()).unwrap();
    let options = RegistryOptions {
        regions: vec!["local".into()],
        server_ca_pem: ca.cert_pem().unwrap(),
        default_ca: Some((ca.cert_pem().unwrap(), ca.key_pem().unwrap())),
        default_client_pem: Some(ca.issue_client("default", "default", Validity::days_from_now(1)).unwrap().cert_pem),
        kmip_addr: ([127, 0, 0, 1], 5696).into(),
    };
    let registry = Registry::open(store.clone(), options).await.unwrap();
    let ks = registry.create_keystore("payments", "", "").await.unwrap();
    let request = IssueRequest {
        name: "app".into(),
        description: String::new(),
        validity_days: 1,
        password: Zeroizing::new(String::new()),
    };
    let bundle = registry.issue_credential(&ks.id, request).await.unwrap();
    let der = X509::from_pem(&bundle.cert_pem).unwrap().to_der().unwrap();
    // What the listener does once per connection.
    let client = coffer::auth::certificate::identify(&registry, ([127, 0, 0, 1], 40000).into(), &der).unwrap();
    assert_eq!(client.keystore, ks.id);
    let engine = Engine::new(store, EngineLimits::default());
    (registry, engine, client, ks.id, bundle.credential.id)
}

#[tokio::test]
async fn a_revocation_is_seen_on_the_open_connections_next_request_and_closes_it() {
    let (registry, engine, client, ks, credential) = setup().await;
    let Reply::Send(ok) = engine.process(&client, two_items()).await else { panic!("not Send") };
    assert!(outcome(&decode(&ok)).iter().all(|o| o.0 == ResultStatus::Success));

    registry.revoke_credential(&ks, &credential).await.unwrap();
    let Reply::SendAndClose(refused) = engine.process(&client, two_items()).await else { panic!("not closed") };
    let message = "credential app is revoked".to_owned();
    assert_eq!(
        outcome(&decode(&refused)),
        vec![
            (
                ResultStatus::OperationFailed,
                Some(ResultReason::AuthenticationNotSuccessful),
                Some(message.clone()),
                Some(b"1".to_vec())
            ),
            (
                ResultStatus::OperationFailed,
                Some(ResultReason::AuthenticationNotSuccessful),
                Some(message),
                Some(b"2".to_vec())
            ),
        ]
    );
    let answer = decode(&refused);
    assert_eq!(answer.batch_items[0].operation, Some(Operation::DiscoverVersions));
    assert_eq!(answer.batch_items[1].operation, Some(Operation::Query));
}

#[tokio::test]
async fn a_suspension_refuses_the_open_connection_until_resumed_and_keeps_it() {
    let (registry, engine, client, ks, _) = setup().await;
    registry.suspend_keystore(&ks).await.unwrap();
    let Reply::Send(refused) = engine.process(&client, two_items()).await else { panic!("connection kept") };
    for (status, reason, message, _) in outcome(&decode(&refused)) {
        assert_eq!((status, reason), (ResultStatus::OperationFailed, Some(ResultReason::PermissionDenied)));
        assert_eq!(message.as_deref(), Some("key store payments is suspended"));
    }
    // Renamed meanwhile: the message names it as it is now.
    registry.rename_keystore(&ks, "billing").await.unwrap();
    let Reply::Send(refused) = engine.process(&client, two_items()).await else { panic!("connection kept") };
    assert_eq!(outcome(&decode(&refused))[0].2.as_deref(), Some("key store billing is suspended"));
    registry.resume_keystore(&ks).await.unwrap();
    let Reply::Send(ok) = engine.process(&client, two_items()).await else { panic!("not Send") };
    assert!(outcome(&decode(&ok)).iter().all(|o| o.0 == ResultStatus::Success));
    // Terminated: refused, and the store's objects and credentials are gone.
    registry.terminate_keystore(&ks, "billing").await.unwrap();
    let Reply::Send(refused) = engine.process(&client, two_items()).await else { panic!("connection kept") };
    assert_eq!(outcome(&decode(&refused))[0].2.as_deref(), Some("key store billing is terminated"));
}
