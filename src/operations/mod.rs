//! The KMIP operations: one file per operation, all with the same signature
//! `async fn handle(&mut RequestContext, <Op>Request) -> Result<<Op>Response, Error>`,
//! and the [`Engine`] that turns one request message into one response
//! message: decode, run the batch, encode.
//!
//! Both front ends (the KMIP port and, later, `POST /kmip`) hand the engine
//! the message bytes; everything after that is shared.

mod activate;
mod add_attribute;
#[cfg(test)]
mod asym_cases;
mod asym_params;
pub mod attribute_rules;
mod batch;
mod check;
pub mod context;
mod create;
mod create_key_pair;
#[cfg(test)]
mod crypto_cases;
mod crypto_params;
mod decrypt;
mod delete_attribute;
mod derive_key;
mod destroy;
mod discover_versions;
mod encrypt;
mod export;
mod get;
mod get_attribute_list;
mod get_attributes;
mod get_usage_allocation;
mod hash;
mod import;
#[cfg(test)]
mod isolation_tests;
mod key_forms;
mod key_wrap;
mod locate;
mod mac;
mod mac_verify;
pub mod managed;
mod modify_attribute;
mod new_object;
mod obtain_lease;
mod query;
mod register;
mod rekey;
mod rekey_key_pair;
mod revoke;
mod rng_retrieve;
mod rng_seed;
pub(crate) mod rotation;
mod rsa_crypt;
mod set_attribute;
mod sign;
mod signature_verify;
#[cfg(test)]
mod wrap_cases;

use std::sync::Arc;

use bytes::Bytes;

use crate::auth::ClientIdentity;
use crate::clock::{Clock, Timestamp};
use crate::error::Error;
use zeroize::Zeroize;

use crate::kmip::codec::{DateTime, FromTtlv};
use crate::kmip::message::{
    RawBatchItem, RequestHeader, ResponseBatchItem, ResponseHeader, ResponseMessage, ViewBatchItem,
};
use crate::kmip::payloads::{DecryptRequest, EncryptRequest, GetRequest, RequestPayload, ResponsePayload};
use crate::kmip::table::{ObjectType, Operation};
use crate::kmip::version::ProtocolVersion;
use crate::store::Store;
use crate::ttlv::{self, Item, ItemRef, Tag, Ttlv, HEADER_LEN};
use context::RequestContext;

/// The operations this server implements; Query reports them.
pub const SUPPORTED_OPERATIONS: &[Operation] = &[
    Operation::DiscoverVersions,
    Operation::Query,
    Operation::Create,
    Operation::Register,
    Operation::DeriveKey,
    Operation::Import,
    Operation::Export,
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
    Operation::RNGSeed,
    Operation::ReKey,
    Operation::ReKeyKeyPair,
    Operation::CreateKeyPair,
    Operation::Sign,
    Operation::SignatureVerify,
    Operation::Hash,
    Operation::ObtainLease,
    Operation::Check,
    Operation::GetUsageAllocation,
];

/// The object types this server stores; Query reports them.
pub const SUPPORTED_OBJECT_TYPES: &[ObjectType] = &[
    ObjectType::SymmetricKey,
    ObjectType::SecretData,
    ObjectType::OpaqueObject,
    ObjectType::PublicKey,
    ObjectType::PrivateKey,
    ObjectType::Certificate,
    ObjectType::SplitKey,
    ObjectType::Template,
];

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
    /// Where "now" comes from: settable in tests of time-driven behaviour.
    clock: Arc<dyn Clock>,
}

impl Engine {
    /// An engine over `store`.
    pub fn new(store: Store, limits: EngineLimits) -> Engine {
        Engine::with_clock(store, limits, crate::clock::system())
    }

    /// An engine over `store` whose requests are handled at `clock`'s time.
    pub fn with_clock(store: Store, limits: EngineLimits, clock: Arc<dyn Clock>) -> Engine {
        Engine { store, limits, clock }
    }

    /// The engine's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The store the engine uses.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Handles one request message, `frame` being all of it, its 8-byte
    /// TTLV header included.
    pub async fn process(&self, client: &ClientIdentity, frame: Bytes) -> Reply {
        // Read once, without a calendar conversion: the request needs seconds and nanoseconds.
        let now = self.clock.timestamp();
        // Checked whole, but read in place: no tree is built.
        let view = match ttlv::decode_view(&frame, &self.limits.decode) {
            Ok(view) => view,
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
        // A version we do not speak may shape its header differently (3.0
        // drops Batch Count): refuse it by its version alone.
        let message = view.root();
        let asked = message
            .find_child(Tag::RequestHeader)
            .and_then(|h| h.find_child(Tag::ProtocolVersion))
            .and_then(|pv| ProtocolVersion::read(pv, ProtocolVersion::V1_0).ok());
        if let Some(v) = asked.filter(|v| !v.is_supported()) {
            let header = RequestHeader::new(nearest_supported(v), 1);
            return Reply::Send(self.message_error(&header, now, &Error::UnsupportedVersion(v)));
        }
        // `asked` came from the header read_header takes (the first item, when
        // it is one): a message whose first item is another still fails there.
        let (header, items) = match crate::kmip::message::RequestMessage::read_header_at(message, asked) {
            Ok(parts) => parts,
            Err(e) => {
                let error = Error::Model(e);
                return match salvage_header(&frame, &self.limits.decode) {
                    Some(header) => Reply::Send(self.message_error(&header, now, &error)),
                    None => Reply::SendAndClose(self.message_error(&fallback_header(), now, &error)),
                };
            }
        };
        let count = items.clone().count();
        if count > self.limits.max_batch_items {
            let error = Error::InvalidField(format!(
                "the message has {} batch items; this server accepts at most {}",
                count, self.limits.max_batch_items
            ));
            return Reply::Send(self.message_error(&header, now, &error));
        }
        if usize::try_from(header.batch_count).ok() != Some(count) {
            let error = Error::InvalidField(format!(
                "Batch Count says {} but the message has {} batch items",
                header.batch_count, count
            ));
            return Reply::Send(self.message_error(&header, now, &error));
        }
        // Admission (revoked credential, key store out of service, allowlist)
        // before any item runs: atomics only on the admitted path.
        if let Err(refusal) = crate::auth::admit(client, &header, now.unix_seconds()).await {
            return self.refuse(client, &header, items, now, &refusal);
        }
        let mut ctx = RequestContext {
            store: &self.store,
            client,
            version: header.protocol_version,
            now,
            id_placeholder: None,
            undo: Default::default(),
        };
        let batch_items = batch::run(&mut ctx, &header, items, count).await;
        Reply::Send(self.respond(&header, now, batch_items))
    }

    /// Every batch item answered with the refusal's error; the connection
    /// closed after it when the refusal says so (a revoked credential).
    fn refuse<'a>(
        &self,
        client: &ClientIdentity,
        header: &RequestHeader,
        items: impl Iterator<Item = ItemRef<'a>>,
        now: Timestamp,
        refusal: &crate::auth::Refusal,
    ) -> Reply {
        let error = refusal.error();
        tracing::warn!(
            peer = %client.peer, credential = %client.credential, keystore = %client.keystore, %error,
            "KMIP request refused"
        );
        let v = header.protocol_version;
        let answers = items
            .map(|raw| {
                let (operation, id) = match RawBatchItem::decode(raw, v) {
                    Ok(item) => (Some(item.operation), item.unique_batch_item_id),
                    Err(e) => (e.operation, e.unique_batch_item_id),
                };
                batch::failure(v, operation, id, &error)
            })
            .collect();
        let bytes = self.respond(header, now, answers);
        if refusal.closes_connection() {
            Reply::SendAndClose(bytes)
        } else {
            Reply::Send(bytes)
        }
    }

    /// Encodes the response; when it exceeds the client's Maximum Response
    /// Size, every item is answered Response Too Large instead.
    fn respond(&self, request: &RequestHeader, now: Timestamp, items: Vec<ResponseBatchItem>) -> Vec<u8> {
        let mut encoded = encode_response(request, now, &items);
        let max = request.maximum_response_size.and_then(|m| usize::try_from(m).ok());
        match max {
            Some(max) if encoded.len() > max => {
                let error = Error::ResponseTooLarge { size: encoded.len(), max };
                // It may hold key material (a Get) and is not sent: wipe it.
                encoded.zeroize();
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
    fn message_error(&self, header: &RequestHeader, now: Timestamp, error: &Error) -> Vec<u8> {
        let mut header = header.clone();
        if !header.protocol_version.is_supported() {
            header.protocol_version = nearest_supported(header.protocol_version);
        }
        let item = batch::failure(header.protocol_version, None, None, error);
        encode_response(&header, now, &[item])
    }
}

/// Runs one batch item: the dispatch every operation goes through.
///
/// Encrypt, Decrypt and Get (the hot path) are decoded straight into their
/// request type and run inline; every other operation goes through the
/// [`RequestPayload`] enum and a boxed future, so the state machine each
/// request initialises and moves is only as large as those three need.
pub(crate) async fn dispatch(ctx: &mut RequestContext<'_>, item: &ViewBatchItem<'_>) -> Result<ResponsePayload, Error> {
    use ResponsePayload as Rs;
    match item.operation {
        Operation::Encrypt => {
            let req = item.decode_as::<EncryptRequest>()?;
            check_defined(ctx, Operation::Encrypt)?;
            encrypt::handle(ctx, req).await.map(|r| Rs::Encrypt(Box::new(r)))
        }
        Operation::Decrypt => {
            let req = item.decode_as::<DecryptRequest>()?;
            check_defined(ctx, Operation::Decrypt)?;
            decrypt::handle(ctx, req).await.map(|r| Rs::Decrypt(Box::new(r)))
        }
        Operation::Get => {
            let req = item.decode_as::<GetRequest>()?;
            check_defined(ctx, Operation::Get)?;
            get::handle(ctx, req).await.map(|r| Rs::Get(Box::new(r)))
        }
        _ => {
            let payload = item.decode_payload()?;
            Box::pin(dispatch_payload(ctx, payload)).await
        }
    }
}

/// An operation the client's protocol version does not define is not one it may ask for
/// (e.g. Sign at 1.0/1.1, Set Attribute at 1.x): refused before any handler runs.
/// Discover Versions (1.1) is the negotiation itself, which a client sends in whatever
/// version it starts from, 1.0 included.
fn check_defined(ctx: &RequestContext<'_>, operation: Operation) -> Result<(), Error> {
    let defined = operation.since().is_some_and(|since| since <= ctx.version);
    if !defined && operation != Operation::DiscoverVersions {
        return Err(Error::OperationNotSupported(operation));
    }
    Ok(())
}

/// Runs one decoded payload (every operation but the hot three, which
/// [`dispatch`] runs without building a [`RequestPayload`]).
async fn dispatch_payload(ctx: &mut RequestContext<'_>, payload: RequestPayload) -> Result<ResponsePayload, Error> {
    use RequestPayload as Rq;
    use ResponsePayload as Rs;
    check_defined(ctx, payload.operation())?;
    // Every handler's future is boxed but the hot three's (for the batch
    // tests and any caller that holds a decoded payload).
    match payload {
        Rq::DiscoverVersions(r) => {
            Box::pin(discover_versions::handle(ctx, r)).await.map(|r| Rs::DiscoverVersions(Box::new(r)))
        }
        Rq::Query(r) => Box::pin(query::handle(ctx, r)).await.map(|r| Rs::Query(Box::new(r))),
        Rq::Create(r) => Box::pin(create::handle(ctx, r)).await.map(|r| Rs::Create(Box::new(r))),
        Rq::Register(r) => Box::pin(register::handle(ctx, r)).await.map(|r| Rs::Register(Box::new(r))),
        Rq::DeriveKey(r) => Box::pin(derive_key::handle(ctx, r)).await.map(|r| Rs::DeriveKey(Box::new(r))),
        Rq::Import(r) => Box::pin(import::handle(ctx, r)).await.map(|r| Rs::Import(Box::new(r))),
        Rq::Export(r) => Box::pin(export::handle(ctx, r)).await.map(|r| Rs::Export(Box::new(r))),
        Rq::Get(r) => get::handle(ctx, r).await.map(|r| Rs::Get(Box::new(r))),
        Rq::Locate(r) => Box::pin(locate::handle(ctx, r)).await.map(|r| Rs::Locate(Box::new(r))),
        Rq::GetAttributes(r) => Box::pin(get_attributes::handle(ctx, r)).await.map(|r| Rs::GetAttributes(Box::new(r))),
        Rq::GetAttributeList(r) => {
            Box::pin(get_attribute_list::handle(ctx, r)).await.map(|r| Rs::GetAttributeList(Box::new(r)))
        }
        Rq::AddAttribute(r) => Box::pin(add_attribute::handle(ctx, r)).await.map(|r| Rs::AddAttribute(Box::new(r))),
        Rq::ModifyAttribute(r) => {
            Box::pin(modify_attribute::handle(ctx, r)).await.map(|r| Rs::ModifyAttribute(Box::new(r)))
        }
        Rq::DeleteAttribute(r) => {
            Box::pin(delete_attribute::handle(ctx, r)).await.map(|r| Rs::DeleteAttribute(Box::new(r)))
        }
        Rq::SetAttribute(r) => Box::pin(set_attribute::handle(ctx, r)).await.map(|r| Rs::SetAttribute(Box::new(r))),
        Rq::Activate(r) => Box::pin(activate::handle(ctx, r)).await.map(|r| Rs::Activate(Box::new(r))),
        Rq::Revoke(r) => Box::pin(revoke::handle(ctx, r)).await.map(|r| Rs::Revoke(Box::new(r))),
        Rq::Destroy(r) => Box::pin(destroy::handle(ctx, r)).await.map(|r| Rs::Destroy(Box::new(r))),
        Rq::Encrypt(r) => encrypt::handle(ctx, r).await.map(|r| Rs::Encrypt(Box::new(r))),
        Rq::Decrypt(r) => decrypt::handle(ctx, r).await.map(|r| Rs::Decrypt(Box::new(r))),
        Rq::MAC(r) => Box::pin(mac::handle(ctx, r)).await.map(|r| Rs::MAC(Box::new(r))),
        Rq::MACVerify(r) => Box::pin(mac_verify::handle(ctx, r)).await.map(|r| Rs::MACVerify(Box::new(r))),
        Rq::RNGRetrieve(r) => Box::pin(rng_retrieve::handle(ctx, r)).await.map(|r| Rs::RNGRetrieve(Box::new(r))),
        Rq::RNGSeed(r) => Box::pin(rng_seed::handle(ctx, r)).await.map(|r| Rs::RNGSeed(Box::new(r))),
        Rq::ReKey(r) => Box::pin(rekey::handle(ctx, r)).await.map(|r| Rs::ReKey(Box::new(r))),
        Rq::ReKeyKeyPair(r) => Box::pin(rekey_key_pair::handle(ctx, r)).await.map(|r| Rs::ReKeyKeyPair(Box::new(r))),
        Rq::CreateKeyPair(r) => Box::pin(create_key_pair::handle(ctx, r)).await.map(|r| Rs::CreateKeyPair(Box::new(r))),
        Rq::Sign(r) => Box::pin(sign::handle(ctx, r)).await.map(|r| Rs::Sign(Box::new(r))),
        Rq::SignatureVerify(r) => {
            Box::pin(signature_verify::handle(ctx, r)).await.map(|r| Rs::SignatureVerify(Box::new(r)))
        }
        Rq::Hash(r) => Box::pin(hash::handle(ctx, r)).await.map(|r| Rs::Hash(Box::new(r))),
        Rq::GetUsageAllocation(r) => {
            Box::pin(get_usage_allocation::handle(ctx, r)).await.map(|r| Rs::GetUsageAllocation(Box::new(r)))
        }
        Rq::Check(r) => Box::pin(check::handle(ctx, r)).await.map(|r| Rs::Check(Box::new(r))),
        Rq::ObtainLease(r) => Box::pin(obtain_lease::handle(ctx, r)).await.map(|r| Rs::ObtainLease(Box::new(r))),
        other => Err(Error::OperationNotSupported(other.operation())),
    }
}

fn encode_response(request: &RequestHeader, now: Timestamp, items: &[ResponseBatchItem]) -> Vec<u8> {
    let v = request.protocol_version;
    let batch_count = i32::try_from(items.len()).unwrap_or(i32::MAX);
    // Written straight from the borrowed items into one buffer. The guess
    // fits a small answer (an Encrypt's is ~300 bytes) in one allocation;
    // a larger one grows, and the writer wipes what it grows out of.
    let mut bytes = Vec::with_capacity(RESPONSE_GUESS.saturating_mul(items.len().saturating_add(1)));
    let written = ResponseMessage::encode_parts(&response_header(request, now, batch_count), items, &mut bytes);
    match written {
        Ok(()) => bytes,
        Err(e) => {
            // Only an item over 4 GiB fails to encode; answer that instead.
            tracing::error!(error = %e, "response could not be encoded");
            let item = batch::failure(v, None, None, &Error::Internal(e.to_string()));
            // The writer left `bytes` empty (and wiped what it had written).
            bytes.clear();
            let header = response_header(request, now, 1);
            ResponseMessage::encode_parts(&header, &[item], &mut bytes).map(|()| bytes).unwrap_or_default()
        }
    }
}

/// The Response Header answering `request`: its version, the time, and
/// the Client Correlation Value echoed.
fn response_header(request: &RequestHeader, now: Timestamp, batch_count: i32) -> ResponseHeader {
    ResponseHeader {
        protocol_version: request.protocol_version,
        time_stamp: DateTime(now.unix_seconds()),
        nonce: None,
        server_hashed_password: None,
        attestation_types: Vec::new(),
        client_correlation_value: request.client_correlation_value.clone(),
        server_correlation_value: None,
        batch_count,
    }
}

/// Bytes reserved for a response per batch item, and once more for the header.
const RESPONSE_GUESS: usize = 256;

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
    RequestHeader::new(ProtocolVersion::V1_0, 1)
}

/// The supported version closest to one the server does not speak.
fn nearest_supported(v: ProtocolVersion) -> ProtocolVersion {
    ProtocolVersion::SUPPORTED.iter().copied().filter(|s| *s <= v).max().unwrap_or(ProtocolVersion::V1_0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmip::codec::ToTtlv;
    use crate::kmip::message::{RequestBatchItem, RequestMessage};
    use crate::kmip::payloads::{DiscoverVersionsRequest, QueryRequest};
    use crate::kmip::table::{QueryFunction, ResultReason, ResultStatus};
    use crate::operations::new_object::test_support::client_of;

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
                unique_batch_item_id: Some(Bytes::from_static(b"id")),
                ..RequestBatchItem::new(payload)
            })
            .collect();
        let message = RequestMessage { header, batch_items };
        message.encode_ttlv(Tag::RequestMessage, v).unwrap_or_default()
    }

    async fn answer(frame: Vec<u8>) -> (Reply, Option<ResponseMessage>) {
        let engine = Engine::new(Store::default(), EngineLimits::default());
        let reply = engine.process(&client_of("default"), Bytes::from(frame)).await;
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
    async fn a_malformed_hot_path_payload_fails_alone_with_its_tag_path() {
        // Encrypt, Decrypt and Get are decoded straight into their request
        // type: a bad field still fails that item alone, naming where.
        let bad_id = Ttlv::new(Tag::UniqueIdentifier, crate::ttlv::Value::Integer(7));
        let frame = request_with(
            ProtocolVersion::V1_2,
            Some(crate::kmip::table::BatchErrorContinuationOption::Continue),
            vec![
                RequestPayload::Other {
                    operation: Operation::Encrypt,
                    raw: Ttlv::structure(Tag::RequestPayload, vec![bad_id.clone()]),
                },
                RequestPayload::Other {
                    operation: Operation::Get,
                    raw: Ttlv::structure(Tag::RequestPayload, vec![bad_id]),
                },
                RequestPayload::Query(QueryRequest { query_functions: vec![QueryFunction::QueryOperations] }),
            ],
        );
        let (reply, response) = answer(frame).await;
        assert!(matches!(reply, Reply::Send(_)), "connection kept: {reply:?}");
        let items = response.expect("response").batch_items;
        assert_eq!(items.len(), 3);
        for item in items.iter().take(2) {
            assert_eq!(item.result_status, ResultStatus::OperationFailed, "{item:?}");
            assert_eq!(item.unique_batch_item_id.as_deref(), Some(&b"id"[..]));
            let message = item.result_message.as_deref().unwrap_or("");
            assert!(message.contains("UniqueIdentifier") || message.contains("Unique Identifier"), "{message}");
        }
        assert_eq!(items.get(2).map(|i| i.result_status), Some(ResultStatus::Success));
    }

    #[tokio::test]
    async fn a_hot_path_operation_the_version_does_not_define_is_not_supported() {
        // Encrypt is a 1.2 operation: a well-formed one at 1.1 is refused as such.
        let encrypt = crate::kmip::payloads::EncryptRequest::new(
            Some("k".into()),
            None,
            crate::kmip::secret::Secret::from_slice(b"data"),
        );
        let (_, response) = answer(request(ProtocolVersion::V1_1, vec![RequestPayload::Encrypt(encrypt)])).await;
        let items = response.expect("response").batch_items;
        assert_eq!(items.first().and_then(|i| i.result_reason), Some(ResultReason::OperationNotSupported));
    }

    #[test]
    fn a_response_is_written_byte_for_byte_as_the_response_messages_own_writer_writes_it() {
        // With and without a Client Correlation Value, over every version, batch
        // size and time: the server's response is the message writer's bytes.
        let ok = || ResponseBatchItem {
            operation: Some(Operation::DiscoverVersions),
            unique_batch_item_id: Some(Bytes::from_static(b"\x01")),
            result_status: ResultStatus::Success,
            result_reason: None,
            result_message: None,
            asynchronous_correlation_value: None,
            payload: Some(ResponsePayload::DiscoverVersions(Box::new(
                crate::kmip::payloads::DiscoverVersionsResponse { protocol_versions: vec![ProtocolVersion::V1_2] },
            ))),
            message_extension: None,
        };
        let failed = batch::failure(ProtocolVersion::V1_4, None, None, &Error::ObjectNotFound { id: "k".into() });
        let batches: [Vec<ResponseBatchItem>; 3] = [vec![], vec![ok()], vec![ok(), failed, ok()]];
        let times = [i64::MIN, -1, 0, 1_700_000_000, i64::MAX];
        let mut cases = 0;
        for v in ProtocolVersion::SUPPORTED.iter().copied().chain([ProtocolVersion::new(0x1234, -7)]) {
            for correlation in [None, Some("c-1".to_owned())] {
                for items in &batches {
                    for secs in times {
                        let mut request = RequestHeader::new(v, 1);
                        request.client_correlation_value = correlation.clone();
                        let now = Timestamp::from_unix_seconds(secs);
                        let count = i32::try_from(items.len()).unwrap();
                        let mut expected = Vec::new();
                        ResponseMessage::encode_parts(&response_header(&request, now, count), items, &mut expected)
                            .unwrap();
                        assert_eq!(encode_response(&request, now, items), expected, "{v:?} {correlation:?} {secs}");
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, (ProtocolVersion::SUPPORTED.len() + 1) * 2 * 3 * 5);
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
