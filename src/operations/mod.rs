//! The KMIP operations: one file per operation, all with the same signature
//! `async fn handle(&mut RequestContext, <Op>Request) -> Result<<Op>Response, Error>`,
//! and the [`Engine`] that turns one request message into one response
//! message: decode, run the batch, encode.
//!
//! Both front ends (the KMIP port and, later, `POST /kmip`) hand the engine
//! the message bytes; everything after that is shared.

mod activate;
mod add_attribute;
pub mod attribute_rules;
mod batch;
pub mod context;
mod create;
#[cfg(test)]
mod crypto_cases;
mod crypto_params;
mod decrypt;
mod delete_attribute;
mod destroy;
mod discover_versions;
mod encrypt;
mod get;
mod get_attribute_list;
mod get_attributes;
mod locate;
mod mac;
mod mac_verify;
pub mod managed;
mod modify_attribute;
mod new_object;
#[cfg(test)]
mod oasis_replay;
mod query;
mod register;
mod revoke;
mod rng_retrieve;
mod set_attribute;

use bytes::Bytes;
use time::OffsetDateTime;

use crate::auth::ClientIdentity;
use crate::error::Error;
use crate::kmip::codec::{DateTime, FromTtlv, ToTtlv};
use crate::kmip::message::{RequestHeader, ResponseBatchItem, ResponseHeader, ResponseMessage};
use crate::kmip::payloads::{RequestPayload, ResponsePayload};
use crate::kmip::table::{ObjectType, Operation};
use crate::kmip::version::ProtocolVersion;
use crate::store::Store;
use crate::ttlv::{self, Tag, Ttlv, HEADER_LEN};
use context::RequestContext;

/// The operations this server implements; Query reports them.
pub const SUPPORTED_OPERATIONS: &[Operation] = &[
    Operation::DiscoverVersions,
    Operation::Query,
    Operation::Create,
    Operation::Register,
    Operation::Get,
    Operation::Locate,
    Operation::GetAttributes,
    Operation::GetAttributeList,
    Operation::AddAttribute,
    Operation::ModifyAttribute,
    Operation::DeleteAttribute,
    Operation::SetAttribute,
    Operation::Activate,
    Operation::Revoke,
    Operation::Destroy,
    Operation::Encrypt,
    Operation::Decrypt,
    Operation::MAC,
    Operation::MACVerify,
    Operation::RNGRetrieve,
];

/// The object types this server stores; Query reports them.
pub const SUPPORTED_OBJECT_TYPES: &[ObjectType] =
    &[ObjectType::SymmetricKey, ObjectType::SecretData, ObjectType::OpaqueObject];

/// What a peer's message may make the engine do.
#[derive(Clone, Copy, Debug)]
pub struct EngineLimits {
    /// Limits of the TTLV decoder (message size, depth, items, field length).
    pub decode: ttlv::Limits,
    /// The most batch items one message may carry.
    pub max_batch_items: usize,
}

impl Default for EngineLimits {
    fn default() -> EngineLimits {
        EngineLimits { decode: ttlv::Limits::DEFAULT, max_batch_items: 256 }
    }
}

/// What the front end does after a message.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    /// Send these bytes, then read the next message.
    Send(Vec<u8>),
    /// Send these bytes, then close: the stream cannot be trusted any more.
    SendAndClose(Vec<u8>),
    /// Close without answering.
    Close,
}

/// Runs KMIP request messages against the store.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    limits: EngineLimits,
}

impl Engine {
    /// An engine over `store`.
    pub fn new(store: Store, limits: EngineLimits) -> Engine {
        Engine { store, limits }
    }

    /// The store the engine uses.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Handles one request message, `frame` being all of it, its 8-byte
    /// TTLV header included.
    pub async fn process(&self, client: &ClientIdentity, frame: Bytes) -> Reply {
        let now = OffsetDateTime::now_utc();
        let message = match ttlv::decode(&frame, &self.limits.decode) {
            Ok(message) => message,
            Err(e) => {
                // The header alone may still be readable: then the client
                // hears what was wrong, in its own version, and the stream,
                // framed by the outer length, stays usable.
                let error = Error::Decode(format!("malformed TTLV: {e}"));
                return match salvage_header(&frame, &self.limits.decode) {
                    Some(header) => Reply::Send(self.message_error(&header, now, &error)),
                    None => Reply::SendAndClose(self.message_error(&fallback_header(), now, &error)),
                };
            }
        };
        let (header, items) = match crate::kmip::message::RequestMessage::read_header(&message) {
            Ok(parts) => parts,
            Err(e) => {
                let error = Error::Model(e);
                return match salvage_header(&frame, &self.limits.decode) {
                    Some(header) => Reply::Send(self.message_error(&header, now, &error)),
                    None => Reply::SendAndClose(self.message_error(&fallback_header(), now, &error)),
                };
            }
        };
        if !header.protocol_version.is_supported() {
            return Reply::Send(self.message_error(&header, now, &Error::UnsupportedVersion(header.protocol_version)));
        }
        if items.len() > self.limits.max_batch_items {
            let error = Error::InvalidField(format!(
                "the message has {} batch items; this server accepts at most {}",
                items.len(),
                self.limits.max_batch_items
            ));
            return Reply::Send(self.message_error(&header, now, &error));
        }
        if usize::try_from(header.batch_count).ok() != Some(items.len()) {
            let error = Error::InvalidField(format!(
                "Batch Count says {} but the message has {} batch items",
                header.batch_count,
                items.len()
            ));
            return Reply::Send(self.message_error(&header, now, &error));
        }
        let mut ctx =
            RequestContext { store: &self.store, client, version: header.protocol_version, now, id_placeholder: None };
        let batch_items = batch::run(&mut ctx, &header, &items).await;
        Reply::Send(self.respond(&header, now, batch_items))
    }

    /// Encodes the response; when it exceeds the client's Maximum Response
    /// Size, every item is answered Response Too Large instead.
    fn respond(&self, request: &RequestHeader, now: OffsetDateTime, items: Vec<ResponseBatchItem>) -> Vec<u8> {
        let encoded = encode_response(request, now, &items);
        let max = request.maximum_response_size.and_then(|m| usize::try_from(m).ok());
        match max {
            Some(max) if encoded.len() > max => {
                let error = Error::ResponseTooLarge { size: encoded.len(), max };
                let items = items
                    .into_iter()
                    .map(|i| batch::failure(request.protocol_version, i.operation, i.unique_batch_item_id, &error))
                    .collect::<Vec<_>>();
                encode_response(request, now, &items)
            }
            _ => encoded,
        }
    }

    /// A response with one failed batch item: for errors about the whole message.
    fn message_error(&self, header: &RequestHeader, now: OffsetDateTime, error: &Error) -> Vec<u8> {
        let mut header = header.clone();
        if !header.protocol_version.is_supported() {
            header.protocol_version = nearest_supported(header.protocol_version);
        }
        let item = batch::failure(header.protocol_version, None, None, error);
        encode_response(&header, now, &[item])
    }
}

/// Runs one decoded payload: the dispatch every operation goes through.
pub(crate) async fn dispatch(ctx: &mut RequestContext<'_>, payload: RequestPayload) -> Result<ResponsePayload, Error> {
    use RequestPayload as Rq;
    use ResponsePayload as Rs;
    match payload {
        Rq::DiscoverVersions(r) => discover_versions::handle(ctx, r).await.map(Rs::DiscoverVersions),
        Rq::Query(r) => query::handle(ctx, r).await.map(Rs::Query),
        Rq::Create(r) => create::handle(ctx, r).await.map(Rs::Create),
        Rq::Register(r) => register::handle(ctx, r).await.map(Rs::Register),
        Rq::Get(r) => get::handle(ctx, r).await.map(Rs::Get),
        Rq::Locate(r) => locate::handle(ctx, r).await.map(Rs::Locate),
        Rq::GetAttributes(r) => get_attributes::handle(ctx, r).await.map(Rs::GetAttributes),
        Rq::GetAttributeList(r) => get_attribute_list::handle(ctx, r).await.map(Rs::GetAttributeList),
        Rq::AddAttribute(r) => add_attribute::handle(ctx, r).await.map(Rs::AddAttribute),
        Rq::ModifyAttribute(r) => modify_attribute::handle(ctx, r).await.map(Rs::ModifyAttribute),
        Rq::DeleteAttribute(r) => delete_attribute::handle(ctx, r).await.map(Rs::DeleteAttribute),
        Rq::SetAttribute(r) => set_attribute::handle(ctx, r).await.map(Rs::SetAttribute),
        Rq::Activate(r) => activate::handle(ctx, r).await.map(Rs::Activate),
        Rq::Revoke(r) => revoke::handle(ctx, r).await.map(Rs::Revoke),
        Rq::Destroy(r) => destroy::handle(ctx, r).await.map(Rs::Destroy),
        Rq::Encrypt(r) => encrypt::handle(ctx, r).await.map(Rs::Encrypt),
        Rq::Decrypt(r) => decrypt::handle(ctx, r).await.map(Rs::Decrypt),
        Rq::MAC(r) => mac::handle(ctx, r).await.map(Rs::MAC),
        Rq::MACVerify(r) => mac_verify::handle(ctx, r).await.map(Rs::MACVerify),
        Rq::RNGRetrieve(r) => rng_retrieve::handle(ctx, r).await.map(Rs::RNGRetrieve),
        other => Err(Error::OperationNotSupported(other.operation())),
    }
}

fn encode_response(request: &RequestHeader, now: OffsetDateTime, items: &[ResponseBatchItem]) -> Vec<u8> {
    let v = request.protocol_version;
    let header = ResponseHeader {
        protocol_version: v,
        time_stamp: DateTime(now.unix_timestamp()),
        nonce: None,
        server_hashed_password: None,
        attestation_types: Vec::new(),
        client_correlation_value: request.client_correlation_value.clone(),
        server_correlation_value: None,
        batch_count: i32::try_from(items.len()).unwrap_or(i32::MAX),
    };
    let message = ResponseMessage { header, batch_items: items.to_vec() };
    let tree = message.to_ttlv(Tag::ResponseMessage, v);
    match ttlv::encode_to_vec(&tree) {
        Ok(bytes) => bytes,
        Err(e) => {
            // Only an item over 4 GiB fails to encode; answer that instead.
            tracing::error!(error = %e, "response could not be encoded");
            let item = batch::failure(v, None, None, &Error::Internal(e.to_string()));
            let message = ResponseMessage { header: message.header, batch_items: vec![item] };
            ttlv::encode_to_vec(&message.to_ttlv(Tag::ResponseMessage, v)).unwrap_or_default()
        }
    }
}

/// The Request Header of a message whose later bytes are malformed: the
/// first item inside the outer structure, decoded on its own.
fn salvage_header(frame: &Bytes, limits: &ttlv::Limits) -> Option<RequestHeader> {
    let head: [u8; HEADER_LEN] = frame.get(HEADER_LEN..2 * HEADER_LEN)?.try_into().ok()?;
    let header = ttlv::decode_header(&head, limits).ok()?;
    if header.tag != Tag::RequestHeader {
        return None;
    }
    // A structure's length is a multiple of eight: no padding follows it.
    let end = (2 * HEADER_LEN).checked_add(usize::try_from(header.length).ok()?)?;
    if end > frame.len() {
        return None;
    }
    let tree: Ttlv = ttlv::decode(&frame.slice(HEADER_LEN..end), limits).ok()?;
    let version =
        tree.child(Tag::ProtocolVersion).and_then(|pv| ProtocolVersion::from_ttlv(pv, ProtocolVersion::V1_0).ok())?;
    RequestHeader::from_ttlv(&tree, nearest_supported(version)).ok()
}

/// The header used to answer a message whose own header cannot be read.
fn fallback_header() -> RequestHeader {
    RequestHeader {
        protocol_version: ProtocolVersion::V1_0,
        maximum_response_size: None,
        client_correlation_value: None,
        server_correlation_value: None,
        asynchronous_indicator: None,
        attestation_capable_indicator: None,
        attestation_types: Vec::new(),
        authentication: None,
        batch_error_continuation_option: None,
        batch_order_option: None,
        time_stamp: None,
        batch_count: 1,
    }
}

/// The supported version closest to one the server does not speak.
fn nearest_supported(v: ProtocolVersion) -> ProtocolVersion {
    ProtocolVersion::SUPPORTED.iter().copied().filter(|s| *s <= v).max().unwrap_or(ProtocolVersion::V1_0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmip::message::{RequestBatchItem, RequestMessage};
    use crate::kmip::payloads::{DiscoverVersionsRequest, QueryRequest};
    use crate::kmip::table::{QueryFunction, ResultReason, ResultStatus};

    fn client() -> ClientIdentity {
        ClientIdentity { peer: ([127, 0, 0, 1], 5696).into(), credential: "test".into(), keystore: "default".into() }
    }

    fn request(v: ProtocolVersion, payloads: Vec<RequestPayload>) -> Vec<u8> {
        request_with(v, None, payloads)
    }

    fn request_with(
        v: ProtocolVersion,
        option: Option<crate::kmip::table::BatchErrorContinuationOption>,
        payloads: Vec<RequestPayload>,
    ) -> Vec<u8> {
        let mut header = fallback_header();
        header.batch_error_continuation_option = option;
        header.protocol_version = v;
        header.batch_count = i32::try_from(payloads.len()).unwrap_or(0);
        let batch_items = payloads
            .into_iter()
            .map(|payload| RequestBatchItem {
                operation: payload.operation(),
                ephemeral: None,
                unique_batch_item_id: Some(Bytes::from_static(b"id")),
                payload,
                message_extension: None,
            })
            .collect();
        let message = RequestMessage { header, batch_items };
        ttlv::encode_to_vec(&message.to_ttlv(Tag::RequestMessage, v)).unwrap_or_default()
    }

    async fn answer(frame: Vec<u8>) -> (Reply, Option<ResponseMessage>) {
        let engine = Engine::new(Store::default(), EngineLimits::default());
        let reply = engine.process(&client(), Bytes::from(frame)).await;
        let bytes = match &reply {
            Reply::Send(b) | Reply::SendAndClose(b) => Some(Bytes::from(b.clone())),
            Reply::Close => None,
        };
        let response = bytes
            .and_then(|b| ttlv::decode(&b, &ttlv::Limits::UNBOUNDED).ok())
            .and_then(|t| ResponseMessage::from_ttlv(&t, ProtocolVersion::V1_0).ok());
        (reply, response)
    }

    #[tokio::test]
    async fn discover_versions_answers_the_common_versions_in_the_clients_order() {
        let asked = vec![ProtocolVersion::new(3, 0), ProtocolVersion::V1_2, ProtocolVersion::V2_1];
        let payload = RequestPayload::DiscoverVersions(DiscoverVersionsRequest { protocol_versions: asked });
        let (reply, response) = answer(request(ProtocolVersion::V1_2, vec![payload])).await;
        assert!(matches!(reply, Reply::Send(_)));
        let response = response.expect("a response message");
        assert_eq!(response.header.protocol_version, ProtocolVersion::V1_2);
        let item = response.batch_items.first().expect("one item");
        assert_eq!(item.result_status, ResultStatus::Success);
        assert_eq!(item.unique_batch_item_id.as_deref(), Some(&b"id"[..]));
        match &item.payload {
            Some(ResponsePayload::DiscoverVersions(p)) => {
                assert_eq!(p.protocol_versions, vec![ProtocolVersion::V1_2, ProtocolVersion::V2_1])
            }
            other => panic!("unexpected payload {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_unimplemented_operation_fails_alone_and_the_batch_continues() {
        let frame = request_with(
            ProtocolVersion::V1_4,
            Some(crate::kmip::table::BatchErrorContinuationOption::Continue),
            vec![
                RequestPayload::Other { operation: Operation::Ping, raw: Ttlv::structure(Tag::RequestPayload, vec![]) },
                RequestPayload::Query(QueryRequest { query_functions: vec![QueryFunction::QueryOperations] }),
            ],
        );
        let (_, response) = answer(frame).await;
        let items = response.expect("response").batch_items;
        assert_eq!(items.len(), 2);
        assert_eq!(items.first().and_then(|i| i.result_reason), Some(ResultReason::OperationNotSupported));
        assert_eq!(items.get(1).map(|i| i.result_status), Some(ResultStatus::Success));
    }

    #[tokio::test]
    async fn a_malformed_payload_is_answered_in_the_clients_version_and_the_connection_kept() {
        let mut frame = request(
            ProtocolVersion::V2_0,
            vec![RequestPayload::Query(QueryRequest { query_functions: vec![QueryFunction::QueryOperations] })],
        );
        // Break the padding of the last item (the Query Function enumeration).
        let last = frame.len() - 1;
        if let Some(b) = frame.get_mut(last) {
            *b = 0xFF;
        }
        let (reply, response) = answer(frame).await;
        assert!(matches!(reply, Reply::Send(_)), "connection kept: {reply:?}");
        let response = response.expect("response");
        assert_eq!(response.header.protocol_version, ProtocolVersion::V2_0);
        let item = response.batch_items.first().expect("one item");
        assert_eq!(item.result_reason, Some(ResultReason::InvalidMessage));
        assert!(item.result_message.as_deref().unwrap_or("").contains("padding"), "{:?}", item.result_message);
    }

    #[tokio::test]
    async fn garbage_is_answered_in_1_0_and_the_connection_closed() {
        let (reply, response) = answer(vec![0x42, 0x00, 0x78, 0x01, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]).await;
        assert!(matches!(reply, Reply::SendAndClose(_)));
        let response = response.expect("response");
        assert_eq!(response.header.protocol_version, ProtocolVersion::V1_0);
        assert_eq!(response.batch_items.first().and_then(|i| i.result_reason), Some(ResultReason::InvalidMessage));
    }
}
