//! The batch: items run in order, the Batch Error Continuation Option,
//! Unique Batch Item IDs echoed, and the ID Placeholder carried from item to
//! item (KMIP 1.4 §6.7-6.9, §6.15).

use bytes::Bytes;

use crate::error::Error;
use crate::kmip::message::{RawBatchItem, RequestHeader, ResponseBatchItem};
use crate::kmip::payloads::ResponsePayload;
use crate::kmip::table::{BatchErrorContinuationOption, Operation, ResultStatus};
use crate::kmip::version::ProtocolVersion;
use crate::operations::context::RequestContext;
use crate::operations::dispatch;
use crate::store::Change;
use crate::ttlv::ItemRef;

/// Runs every batch item of a message and returns their responses.
///
/// Items run in order whatever the Batch Order Option says (in order is
/// always a correct answer to it). On a failure, Continue runs the rest;
/// Stop (the default) answers the rest as not run; Undo answers them so
/// too and puts back everything the earlier items wrote, in one durable
/// commit, answering those items Operation Undone (KMIP 1.4 §6.8, as in
/// the OASIS BL-M-2 case).
pub(crate) async fn run<'a>(
    ctx: &mut RequestContext<'_>,
    header: &RequestHeader,
    items: impl Iterator<Item = ItemRef<'a>>,
    count: usize,
) -> Vec<ResponseBatchItem> {
    let v = ctx.version;
    let option = header.batch_error_continuation_option.unwrap_or(BatchErrorContinuationOption::Stop);
    let undo = option == BatchErrorContinuationOption::Undo;
    if undo {
        ctx.undo.start();
    }
    let mut responses = Vec::with_capacity(count);
    let mut failed = false;
    // Decoded one at a time, as it runs, and the payload only by dispatch, into its operation's type.
    // A success is pushed where it is matched: the response payload is large, and each move a copy.
    for raw in items {
        let skip = failed && option != BatchErrorContinuationOption::Continue;
        let (operation, id, error) = match RawBatchItem::decode(raw, v) {
            Ok(item) if skip => (Some(item.operation), item.unique_batch_item_id, Error::NotRunAfterFailure),
            Ok(item) => match dispatch(ctx, &item).await {
                Ok(payload) => {
                    responses.push(success(Some(item.operation), item.unique_batch_item_id, payload));
                    continue;
                }
                Err(error) => (Some(item.operation), item.unique_batch_item_id, error),
            },
            Err(e) if skip => (e.operation, e.unique_batch_item_id, Error::NotRunAfterFailure),
            Err(e) => (e.operation, e.unique_batch_item_id, Error::Model(e.error)),
        };
        let mut item = failure(v, operation, id, &error);
        if undo && !failed {
            undo_earlier(ctx, &mut responses, &mut item).await;
        }
        failed = true;
        responses.push(item);
    }
    if undo {
        ctx.undo.take();
    }
    responses
}

/// Puts back what the batch wrote before its first failure, in one commit;
/// the items that had succeeded are then answered Operation Undone. When
/// the objects changed meanwhile (another client wrote them), nothing is
/// put back, the earlier items stand, and the failed item says so.
async fn undo_earlier(ctx: &RequestContext<'_>, done: &mut [ResponseBatchItem], failed: &mut ResponseBatchItem) {
    let changes: Vec<Change> = ctx
        .undo
        .take()
        .into_iter()
        .map(|w| match w.before {
            Some(before) => Change::Put { object: (*before).clone(), expected_revision: Some(w.after) },
            None => Change::Delete { id: w.id, expected_revision: w.after },
        })
        .collect();
    match ctx.store.commit(changes).await {
        Ok(_) => {
            for item in done.iter_mut().filter(|i| i.result_status == ResultStatus::Success) {
                item.result_status = ResultStatus::OperationUndone;
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "undoing a batch failed; its earlier items stand");
            let note = "; the batch's earlier items could not be undone and stand";
            failed.result_message = Some(format!("{}{note}", failed.result_message.take().unwrap_or_default()));
        }
    }
}

fn success(operation: Option<Operation>, id: Option<Bytes>, payload: ResponsePayload) -> ResponseBatchItem {
    ResponseBatchItem {
        operation,
        unique_batch_item_id: id,
        result_status: ResultStatus::Success,
        result_reason: None,
        result_message: None,
        asynchronous_correlation_value: None,
        payload: Some(payload),
        message_extension: None,
    }
}

/// A failed batch item, with the reason and message [`Error::kmip_result`]
/// gives for version `v`. Internal faults are logged here, with an id the
/// client is told, and nothing else.
pub(crate) fn failure(
    v: ProtocolVersion,
    operation: Option<Operation>,
    id: Option<Bytes>,
    error: &Error,
) -> ResponseBatchItem {
    let (reason, mut message) = error.kmip_result(v);
    if error.is_internal() {
        let log_id = uuid::Uuid::new_v4();
        tracing::error!(%log_id, ?operation, %error, "internal error answering a KMIP request");
        message = format!("{message} (log id {log_id})");
    }
    ResponseBatchItem {
        operation,
        unique_batch_item_id: id,
        result_status: ResultStatus::OperationFailed,
        result_reason: Some(reason),
        result_message: Some(message),
        asynchronous_correlation_value: None,
        payload: None,
        message_extension: None,
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use crate::kmip::attributes::{Attribute, AttributeReference};
    use crate::kmip::codec::{FromTtlv, ToTtlv};
    use crate::kmip::message::{RequestMessage, ResponseBatchItem, ResponseMessage};
    use crate::kmip::payloads::{
        ActivateRequest, CreateRequest, GetAttributesRequest, RequestPayload as Rq, ResponsePayload as Rs,
    };
    use crate::kmip::table::{
        BatchErrorContinuationOption, CryptographicAlgorithm, CryptographicUsageMask, ObjectType, ResultReason,
        ResultStatus, State,
    };
    use crate::kmip::version::ProtocolVersion;
    use crate::operations::new_object::test_support::{attrs, client_of, engine, ok, one};
    use crate::operations::{Engine, Reply};
    use crate::ttlv::{self, Tag};

    const V: ProtocolVersion = ProtocolVersion::V2_1;

    /// Runs one message of `payloads` with the Batch Error Continuation Option `option`.
    async fn batch(engine: &Engine, option: BatchErrorContinuationOption, payloads: Vec<Rq>) -> Vec<ResponseBatchItem> {
        let mut message = RequestMessage::new(V, payloads);
        message.header.batch_error_continuation_option = Some(option);
        let frame = message.encode_ttlv(Tag::RequestMessage, V).expect("encode");
        let Reply::Send(bytes) = engine.process(&client_of("default"), Bytes::from(frame)).await else {
            panic!("no answer")
        };
        let tree = ttlv::decode(&Bytes::from(bytes), &ttlv::Limits::UNBOUNDED).expect("decode");
        ResponseMessage::from_ttlv(&tree, V).expect("response").batch_items
    }

    fn create() -> Rq {
        Rq::Create(CreateRequest {
            object_type: ObjectType::SymmetricKey,
            attributes: attrs(vec![
                Attribute::CryptographicAlgorithm(CryptographicAlgorithm::AES),
                Attribute::CryptographicLength(256),
                Attribute::CryptographicUsageMask(CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt),
            ]),
            protection_storage_masks: None,
        })
    }

    fn activate(id: Option<&str>) -> Rq {
        Rq::Activate(ActivateRequest { unique_identifier: id.map(str::to_owned) })
    }

    /// The State of `id`, or the reason it could not be read.
    async fn state(engine: &Engine, id: &str) -> Result<State, Option<ResultReason>> {
        let request = Rq::GetAttributes(GetAttributesRequest {
            unique_identifier: Some(id.to_owned()),
            attribute_references: vec![AttributeReference::Tag(Tag::State)],
        });
        let item = one(engine, V, request).await;
        match item.payload {
            Some(Rs::GetAttributes(r)) => r
                .attributes
                .iter()
                .find_map(|a| match a {
                    Attribute::State(s) => Some(*s),
                    _ => None,
                })
                .ok_or(None),
            _ => Err(item.result_reason),
        }
    }

    fn created_id(item: &ResponseBatchItem) -> String {
        match &item.payload {
            Some(Rs::Create(r)) => r.unique_identifier.clone(),
            other => panic!("no Create payload: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_failed_undo_batch_deletes_what_it_created_and_answers_the_earlier_items_undone() {
        let engine = engine();
        let items = batch(
            &engine,
            BatchErrorContinuationOption::Undo,
            vec![create(), activate(None), activate(Some("no-such-key")), activate(None)],
        )
        .await;
        let statuses: Vec<ResultStatus> = items.iter().map(|i| i.result_status).collect();
        assert_eq!(
            statuses,
            vec![
                ResultStatus::OperationUndone,
                ResultStatus::OperationUndone,
                ResultStatus::OperationFailed,
                ResultStatus::OperationFailed
            ]
        );
        assert_eq!(items.get(2).and_then(|i| i.result_reason), Some(ResultReason::ObjectNotFound));
        // An undone item still says what it had done.
        let id = created_id(items.first().expect("first item"));
        assert_eq!(state(&engine, &id).await, Err(Some(ResultReason::ObjectNotFound)), "the key is gone");
    }

    #[tokio::test]
    async fn a_failed_undo_batch_puts_an_existing_key_back_as_it_was() {
        let engine = engine();
        let id = match ok(one(&engine, V, create()).await) {
            Rs::Create(r) => r.unique_identifier,
            other => panic!("{other:?}"),
        };
        let items =
            batch(&engine, BatchErrorContinuationOption::Undo, vec![activate(Some(&id)), activate(Some("missing"))])
                .await;
        assert_eq!(items.first().map(|i| i.result_status), Some(ResultStatus::OperationUndone));
        assert_eq!(state(&engine, &id).await, Ok(State::PreActive));
        // The restored key is a normal key: it can be activated after.
        ok(one(&engine, V, activate(Some(&id))).await);
        assert_eq!(state(&engine, &id).await, Ok(State::Active));
    }

    #[tokio::test]
    async fn an_undo_batch_that_succeeds_keeps_its_effects_and_stop_keeps_them_on_failure() {
        let engine = engine();
        let items = batch(&engine, BatchErrorContinuationOption::Undo, vec![create(), activate(None)]).await;
        assert!(items.iter().all(|i| i.result_status == ResultStatus::Success), "{items:?}");
        let id = created_id(items.first().expect("first item"));
        assert_eq!(state(&engine, &id).await, Ok(State::Active));

        let items =
            batch(&engine, BatchErrorContinuationOption::Stop, vec![create(), activate(None), activate(Some("x"))])
                .await;
        assert_eq!(items.first().map(|i| i.result_status), Some(ResultStatus::Success));
        let id = created_id(items.first().expect("first item"));
        assert_eq!(state(&engine, &id).await, Ok(State::Active), "Stop undoes nothing");
    }
}
