//! A Name is unique in its key store even when clients race for it: 16
//! clients send Create with one Name at the same moment, over real mTLS to
//! the real server; exactly one gets the key, the others the answer of a
//! non-unique name for their protocol version, and Locate finds one object.

use std::sync::Arc;

use coffer::kmip::attributes::{Attribute, Attributes, Name};
use coffer::kmip::payloads::{LocateRequest, RequestPayload, ResponsePayload};
use coffer::kmip::table::{NameType, ResultReason, ResultStatus};
use coffer::kmip::ProtocolVersion;
use tokio::sync::Barrier;

use crate::harness::Server;
use crate::kmip_client::{self, client_config, join_all, ClientError, KmipClient};

/// Clients racing for one Name.
const CLIENTS: usize = 16;

fn name(value: &str) -> Attribute {
    Attribute::Name(Name { value: value.to_owned(), name_type: NameType::UninterpretedTextString })
}

/// Create of an AES-256 key named `value`.
fn create_named(value: &str) -> RequestPayload {
    let RequestPayload::Create(mut create) = kmip_client::create_aes256() else { unreachable!("a Create") };
    create.attributes = Attributes::new(create.attributes.items.into_iter().map(|a| a.attribute).chain([name(value)]));
    RequestPayload::Create(create)
}

/// Locate by Name only.
fn locate_named(value: &str) -> RequestPayload {
    RequestPayload::Locate(LocateRequest {
        maximum_items: None,
        offset_items: None,
        storage_status_mask: None,
        object_group_member: None,
        attributes: Attributes::new([name(value)]),
    })
}

#[test]
fn of_16_clients_creating_one_name_at_once_exactly_one_gets_it() {
    let server = Server::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let config = client_config(&server);
    let addr = server.kmip;
    // KMIP 2.x has a reason for it; 1.x answers Invalid Field.
    for (version, reason) in [
        (ProtocolVersion::V1_4, ResultReason::InvalidField),
        (ProtocolVersion::V2_1, ResultReason::NonUniqueNameAttribute),
    ] {
        let value = format!("raced for in {}.{}", version.major, version.minor);
        let all_connected = Arc::new(Barrier::new(CLIENTS));
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (config, all_connected, request) = (config.clone(), all_connected.clone(), create_named(&value));
                runtime.spawn(async move {
                    let client = KmipClient::connect(addr, config).await;
                    // Every task reaches the barrier, so a failed connection fails the test instead of hanging it.
                    all_connected.wait().await;
                    let mut client = client?;
                    client.version = version;
                    client.call(request).await
                })
            })
            .collect();
        let outcomes = runtime.block_on(join_all(tasks));

        let mut created = Vec::new();
        for outcome in outcomes {
            match outcome {
                Ok(ResponsePayload::Create(c)) => created.push(c.unique_identifier),
                Err(ClientError::Failed { status, reason: Some(r), message: Some(m) }) => {
                    assert_eq!((status, r), (ResultStatus::OperationFailed, reason), "{version:?}: {m}");
                    assert!(m.contains("is already used"), "{version:?}: {m}");
                }
                other => panic!("{version:?}: unexpected answer {other:?}"),
            }
        }
        assert_eq!(created.len(), 1, "{version:?}: {} clients created a key named {value:?}", created.len());

        let found = runtime.block_on(async {
            let mut client = KmipClient::connect(addr, config.clone()).await.unwrap();
            client.version = version;
            client.call(locate_named(&value)).await.unwrap()
        });
        let ResponsePayload::Locate(found) = found else { panic!("{version:?}: {found:?}") };
        assert_eq!(found.unique_identifiers, created, "{version:?}: Locate by the name");
    }
}
