//! Batches over the real server (issue 3, KMIP 1.4 §6.7-6.9, §6.15): the ID
//! Placeholder from item to item, Unique Batch Item IDs echoed, the Batch
//! Order Option, the Batch Error Continuation Option (Stop, Continue, and
//! Undo refused), the batch item limit, and a malformed item among good ones.

use coffer::kmip::message::{ResponseBatchItem, ResponseMessage};
use coffer::kmip::payloads::{DiscoverVersionsRequest, RequestPayload, ResponsePayload};
use coffer::kmip::table::{BatchErrorContinuationOption as Bec, Operation, ResultReason, ResultStatus};
use coffer::kmip::ProtocolVersion;
use coffer::ttlv::{Tag, Ttlv, Value};

use crate::harness::Server;
use crate::kmip_client::{
    activate, client_config, create_aes256, get, key_bytes, message, ClientError, KmipClient, Mode,
};

/// Runs `test` with a client connected to `server`, on a small runtime.
fn with_client<T>(server: &Server, test: impl AsyncFnOnce(&mut KmipClient) -> T) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut client = KmipClient::connect(server.kmip, client_config(server)).await.unwrap();
        test(&mut client).await
    })
}

fn ids(response: &ResponseMessage) -> Vec<Option<&[u8]>> {
    response.batch_items.iter().map(|i| i.unique_batch_item_id.as_deref()).collect()
}

fn statuses(response: &ResponseMessage) -> Vec<ResultStatus> {
    response.batch_items.iter().map(|i| i.result_status).collect()
}

fn created_id(item: &ResponseBatchItem) -> String {
    match &item.payload {
        Some(ResponsePayload::Create(c)) => c.unique_identifier.clone(),
        other => panic!("not a Create response: {other:?}"),
    }
}

fn discover_versions() -> RequestPayload {
    RequestPayload::DiscoverVersions(DiscoverVersionsRequest { protocol_versions: Vec::new() })
}

#[test]
fn create_activate_get_in_one_message_through_the_id_placeholder() {
    let server = Server::start();
    with_client(&server, async |client| {
        for v in [ProtocolVersion::V1_4, ProtocolVersion::V2_1] {
            let mut request = message(
                v,
                None,
                vec![
                    (Some(b"create"), create_aes256()),
                    (Some(b"activate"), activate(None)),
                    (Some(b"get"), get(None)),
                ],
            );
            request.header.batch_order_option = Some(true);
            let response = client.send(&request).await.unwrap();
            assert_eq!(response.header.protocol_version, v);
            assert_eq!(response.header.batch_count, 3);
            assert_eq!(statuses(&response), [ResultStatus::Success; 3], "{v}: {response:?}");
            assert_eq!(ids(&response), [Some(&b"create"[..]), Some(b"activate"), Some(b"get")], "{v}");
            let operations: Vec<_> = response.batch_items.iter().map(|i| i.operation).collect();
            assert_eq!(operations, [Some(Operation::Create), Some(Operation::Activate), Some(Operation::Get)]);

            let [create, activated, got] = &response.batch_items[..] else { unreachable!() };
            let id = created_id(create);
            let Some(ResponsePayload::Activate(a)) = &activated.payload else { panic!("{activated:?}") };
            assert_eq!(a.unique_identifier, id, "{v}: Activate acted on another object");
            let Some(ResponsePayload::Get(g)) = &got.payload else { panic!("{got:?}") };
            assert_eq!(g.unique_identifier, id, "{v}: Get returned another object");
            let key = key_bytes(got.payload.as_ref().unwrap()).expect("Raw key bytes");
            assert_eq!(key.len(), 32);

            // The Activate took effect: the key encrypts at once.
            let encrypted = client.encrypt(&id, Mode::Gcm, b"placeholder").await.unwrap();
            assert_eq!(client.decrypt(&id, Mode::Gcm, &encrypted).await.unwrap().as_slice(), b"placeholder");
        }
    });
}

#[test]
fn without_batch_order_every_item_is_answered_with_its_own_id() {
    let server = Server::start();
    with_client(&server, async |client| {
        let mut request = message(
            ProtocolVersion::V1_4,
            None,
            vec![
                (Some(b"\x01"), create_aes256()),
                (Some(b"\x02"), discover_versions()),
                (Some(b"\x03"), create_aes256()),
            ],
        );
        request.header.batch_order_option = Some(false);
        let response = client.send(&request).await.unwrap();
        assert_eq!(statuses(&response), [ResultStatus::Success; 3]);
        // Any order may come back; each answer carries its request's id and operation.
        let mut answered: Vec<_> = response
            .batch_items
            .iter()
            .map(|i| {
                (
                    i.unique_batch_item_id.as_deref().unwrap().to_vec(),
                    i.operation,
                    i.payload.as_ref().map(|p| p.operation()),
                )
            })
            .collect();
        answered.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            answered,
            [
                (vec![1], Some(Operation::Create), Some(Operation::Create)),
                (vec![2], Some(Operation::DiscoverVersions), Some(Operation::DiscoverVersions)),
                (vec![3], Some(Operation::Create), Some(Operation::Create)),
            ]
        );
    });
}

/// Create, a Get of an identifier that does not exist, Create: the failing
/// item in the middle, under `option`. Returns the response and how many
/// objects the batch made.
async fn failing_item_in_the_middle(client: &mut KmipClient, option: Option<Bec>) -> (ResponseMessage, usize) {
    let before = client.locate_all().await.unwrap().len();
    let request = message(
        ProtocolVersion::V1_4,
        option,
        vec![(Some(b"1"), create_aes256()), (Some(b"2"), get(Some("no-such-key"))), (Some(b"3"), create_aes256())],
    );
    let response = client.send(&request).await.unwrap();
    let after = client.locate_all().await.unwrap().len();
    (response, after - before)
}

#[test]
fn stop_runs_nothing_after_a_failed_item_and_continue_runs_the_rest() {
    let server = Server::start();
    with_client(&server, async |client| {
        // Stop, named or by default (KMIP 1.4 §6.9): the items before the
        // failure stay done, none after it runs.
        for option in [Some(Bec::Stop), None] {
            let (response, made) = failing_item_in_the_middle(client, option).await;
            let items = &response.batch_items;
            assert_eq!(items[0].result_status, ResultStatus::Success, "{option:?}: {response:?}");
            assert_eq!(items[0].unique_batch_item_id.as_deref(), Some(&b"1"[..]));
            assert_eq!(items[1].result_status, ResultStatus::OperationFailed);
            assert_eq!(items[1].result_reason, Some(ResultReason::ItemNotFound), "{:?}", items[1]);
            assert_eq!(items[1].unique_batch_item_id.as_deref(), Some(&b"2"[..]));
            // The spec leaves open whether an item not run is answered at
            // all; if it is, it must not claim success, and it keeps its id.
            assert!(items.len() == 2 || items.len() == 3, "{response:?}");
            if let Some(third) = items.get(2) {
                assert_ne!(third.result_status, ResultStatus::Success, "{option:?}: {third:?}");
                assert!(third.payload.is_none(), "{third:?}");
                assert_eq!(third.unique_batch_item_id.as_deref(), Some(&b"3"[..]));
            }
            assert_eq!(response.header.batch_count as usize, items.len());
            assert_eq!(made, 1, "{option:?}: the Create after the failure ran");
        }

        // Continue: the failure is answered alone, the rest runs.
        let (response, made) = failing_item_in_the_middle(client, Some(Bec::Continue)).await;
        assert_eq!(
            statuses(&response),
            [ResultStatus::Success, ResultStatus::OperationFailed, ResultStatus::Success],
            "{response:?}"
        );
        assert_eq!(response.batch_items[1].result_reason, Some(ResultReason::ItemNotFound));
        assert_eq!(ids(&response), [Some(&b"1"[..]), Some(b"2"), Some(b"3")]);
        assert_ne!(created_id(&response.batch_items[0]), created_id(&response.batch_items[2]));
        assert_eq!(made, 2);
    });
}

#[test]
fn undo_rolls_back_the_items_before_a_failure() {
    let server = Server::start();
    with_client(&server, async |client| {
        let before = client.locate_all().await.unwrap().len();
        let missing = RequestPayload::Get(coffer::kmip::payloads::GetRequest::new(Some("no-such-object".into())));
        let request = message(
            ProtocolVersion::V1_4,
            Some(Bec::Undo),
            vec![(Some(b"a"), create_aes256()), (Some(b"b"), missing), (Some(b"c"), create_aes256())],
        );
        let response = client.send(&request).await.unwrap();
        let got = statuses(&response);
        // The Create before the failure is undone (BL-M-2-21), the Get fails,
        // the Create after it never runs.
        assert_eq!(got.first(), Some(&ResultStatus::OperationUndone), "{response:?}");
        assert_eq!(got.get(1), Some(&ResultStatus::OperationFailed), "{response:?}");
        assert!(got.get(2).is_none_or(|s| *s != ResultStatus::Success), "{response:?}");
        assert_eq!(response.batch_items.get(1).and_then(|i| i.result_reason), Some(ResultReason::ItemNotFound));
        assert_eq!(ids(&response).first(), Some(&Some(&b"a"[..])));
        assert_eq!(client.locate_all().await.unwrap().len(), before, "an undone Create left its key behind");

        // Nothing fails: an Undo batch keeps every effect.
        let both = message(
            ProtocolVersion::V1_4,
            Some(Bec::Undo),
            vec![(Some(b"d"), create_aes256()), (Some(b"e"), create_aes256())],
        );
        let response = client.send(&both).await.unwrap();
        assert_eq!(statuses(&response), [ResultStatus::Success; 2], "{response:?}");
        assert_eq!(client.locate_all().await.unwrap().len(), before + 2);
    });
}

#[test]
fn more_items_than_max_batch_items_are_refused_whole_and_the_connection_serves_on() {
    let server = Server::start_with(&[("COFFER_LIMITS_MAX_BATCH_ITEMS", "4")], None);
    with_client(&server, async |client| {
        let creates = |n: usize| message(ProtocolVersion::V1_4, Some(Bec::Continue), vec![(None, create_aes256()); n]);
        let response = client.send(&creates(5)).await.unwrap();
        assert_eq!(response.header.protocol_version, ProtocolVersion::V1_4);
        let [item] = &response.batch_items[..] else { panic!("one answer for the message: {response:?}") };
        assert_eq!(item.result_status, ResultStatus::OperationFailed);
        assert!(item.result_reason.is_some(), "{item:?}");
        assert!(item.result_message.as_deref().unwrap_or("").contains("at most 4"), "{item:?}");
        assert!(client.locate_all().await.unwrap().is_empty(), "an item of a refused batch ran");

        // At the limit, on the same connection: every item runs.
        let response = client.send(&creates(4)).await.unwrap();
        assert_eq!(statuses(&response), [ResultStatus::Success; 4], "{response:?}");
        assert_eq!(client.locate_all().await.unwrap().len(), 4);
    });
}

#[test]
fn a_malformed_item_among_good_ones_is_answered_alone() {
    let server = Server::start();
    with_client(&server, async |client| {
        // A Get whose Unique Identifier is an Integer, not a Text String.
        let malformed = RequestPayload::Other {
            operation: Operation::Get,
            raw: Ttlv::structure(Tag::RequestPayload, vec![Ttlv::new(Tag::UniqueIdentifier, Value::Integer(7))]),
        };
        let request = message(
            ProtocolVersion::V1_4,
            Some(Bec::Continue),
            vec![(Some(b"good-1"), create_aes256()), (Some(b"bad"), malformed), (Some(b"good-2"), discover_versions())],
        );
        let response = client.send(&request).await.unwrap();
        assert_eq!(
            statuses(&response),
            [ResultStatus::Success, ResultStatus::OperationFailed, ResultStatus::Success],
            "{response:?}"
        );
        let bad = &response.batch_items[1];
        assert_eq!(bad.unique_batch_item_id.as_deref(), Some(&b"bad"[..]));
        assert_eq!(bad.operation, Some(Operation::Get));
        assert!(
            matches!(
                bad.result_reason,
                Some(ResultReason::InvalidMessage | ResultReason::InvalidField | ResultReason::MissingData)
            ),
            "{bad:?}"
        );
        assert!(bad.result_message.as_deref().unwrap_or("").contains("Unique"), "the message names the field: {bad:?}");
        let good = created_id(&response.batch_items[0]);
        assert_eq!(client.get_key(&good).await.unwrap().len(), 32);

        // The connection serves on.
        match client.call(discover_versions()).await {
            Ok(ResponsePayload::DiscoverVersions(_)) => {}
            other => panic!("{:?}", other.map_err(|e: ClientError| e.to_string())),
        }
    });
}
