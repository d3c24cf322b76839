//! The batch: items run in order, the Batch Error Continuation Option,
//! Unique Batch Item IDs echoed, and the ID Placeholder carried from item to
//! item (KMIP 1.4 §6.7-6.9, §6.15).

use bytes::Bytes;

use crate::error::Error;
use crate::kmip::message::{RequestBatchItem, RequestHeader, ResponseBatchItem};
use crate::kmip::payloads::ResponsePayload;
use crate::kmip::table::{BatchErrorContinuationOption, Operation, ResultStatus};
use crate::kmip::version::ProtocolVersion;
use crate::operations::context::RequestContext;
use crate::operations::dispatch;
use crate::ttlv::Ttlv;

/// Runs every batch item of a message and returns their responses.
///
/// Items run in order whatever the Batch Order Option says (in order is
/// always a correct answer to it). On a failure, Continue runs the rest;
/// Stop (the default) answers the rest as not run. Undo would need every
/// earlier item rolled back: a batch of several items asking for it is
/// refused whole, before anything runs, rather than half done.
pub(crate) async fn run(
    ctx: &mut RequestContext<'_>,
    header: &RequestHeader,
    items: &[&Ttlv],
) -> Vec<ResponseBatchItem> {
    let v = ctx.version;
    let option = header.batch_error_continuation_option.unwrap_or(BatchErrorContinuationOption::Stop);
    let decoded: Vec<_> = items.iter().map(|raw| RequestBatchItem::decode(raw, v)).collect();
    if option == BatchErrorContinuationOption::Undo && decoded.len() > 1 {
        let error = Error::FeatureNotSupported(
            "Batch Error Continuation Option Undo is not supported; use Stop or Continue".into(),
        );
        return decoded
            .into_iter()
            .map(|item| match item {
                Ok(item) => failure(v, Some(item.operation), item.unique_batch_item_id, &error),
                Err(e) => failure(v, e.operation, e.unique_batch_item_id, &error),
            })
            .collect();
    }
    let mut responses = Vec::with_capacity(decoded.len());
    let mut failed = false;
    for item in decoded {
        let (operation, id, result) = match item {
            Ok(item) if failed && option != BatchErrorContinuationOption::Continue => {
                (Some(item.operation), item.unique_batch_item_id, Err(Error::NotRunAfterFailure))
            }
            Ok(item) => (Some(item.operation), item.unique_batch_item_id, dispatch(ctx, item.payload).await),
            Err(e) if failed && option != BatchErrorContinuationOption::Continue => {
                (e.operation, e.unique_batch_item_id, Err(Error::NotRunAfterFailure))
            }
            Err(e) => (e.operation, e.unique_batch_item_id, Err(Error::Model(e.error))),
        };
        responses.push(match result {
            Ok(payload) => success(operation, id, payload),
            Err(error) => {
                failed = true;
                failure(v, operation, id, &error)
            }
        });
    }
    responses
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
