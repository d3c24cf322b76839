//! Request and response messages: header, batch items, result fields
//! (KMIP 1.4 §7, KMIP 2.1 §8).
//!
//! Decoding is in two steps so the server can answer in the client's
//! version: [`RequestMessage::read_header`] reads the header (and so the
//! Protocol Version) first, then each batch item is decoded on its own with
//! [`RequestBatchItem::decode`]; a malformed item is an error for that item
//! only. An operation coffer does not model still decodes, as
//! [`RequestPayload::Other`]. The server reads an item as a [`RawBatchItem`]
//! (its payload left raw) and decodes the payload straight into the
//! operation's request type, so the large [`RequestPayload`] is not built
//! on its hot path.

use bytes::Bytes;

use crate::kmip::codec::{
    kmip_struct, tree_decoded, DateTime, Fields, FromTtlv, ModelError, ModelErrorKind, Out, ToTtlv,
};
use crate::kmip::payloads::{RequestPayload, ResponsePayload};
use crate::kmip::table::{BatchErrorContinuationOption, CredentialType, Operation, ResultReason, ResultStatus};
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{EncodeError, Item, ItemRef, Tag, Ttlv, ValueRef};

impl FromTtlv for ProtocolVersion {
    /// Every request's version is read here (twice: the server checks it
    /// before it reads the header), so the usual shape is read in one pass
    /// ([`plain_version`]); any other goes through the field cursor.
    #[inline]
    fn read<'a, I: Item<'a>>(item: I, v: ProtocolVersion) -> Result<Self, ModelError> {
        match plain_version(item) {
            Some(version) => Ok(version),
            None => read_version(item, v),
        }
    }
}

/// A Protocol Version read by the field cursor, with its errors.
#[inline(never)]
fn read_version<'a, I: Item<'a>>(item: I, v: ProtocolVersion) -> Result<ProtocolVersion, ModelError> {
    let mut f = Fields::new(item, v)?;
    let major = f.req(Tag::ProtocolVersionMajor)?;
    let minor = f.req(Tag::ProtocolVersionMinor)?;
    f.finish()?;
    Ok(ProtocolVersion::new(major, minor))
}

/// The Protocol Version every client sends: exactly a Major and a Minor
/// Integer. Any other shape is None; [`read_version`] gives this shape the
/// same value (the test `a_plain_version_reads_like_the_field_cursor`
/// checks it).
#[inline]
fn plain_version<'a, I: Item<'a>>(item: I) -> Option<ProtocolVersion> {
    let mut parts = item.children()?;
    let major = parts.next().filter(|i| i.tag() == Tag::ProtocolVersionMajor)?.integer()?;
    let minor = parts.next().filter(|i| i.tag() == Tag::ProtocolVersionMinor)?.integer()?;
    parts.next().is_none().then_some(ProtocolVersion::new(major, minor))
}

impl ToTtlv for ProtocolVersion {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| {
            out.req(Tag::ProtocolVersionMajor, &self.major);
            out.req(Tag::ProtocolVersionMinor, &self.minor);
        });
    }
}

kmip_struct! {
    /// Nonce (KMIP 1.4 §2.1.14): a server-issued value for attestation.
    pub struct Nonce {
        /// Nonce ID.
        req nonce_id: Bytes = Tag::NonceID,
        /// Nonce Value.
        req nonce_value: Bytes = Tag::NonceValue,
    }
}

kmip_struct! {
    /// Username and Password credential value (KMIP 1.4 §2.1.2).
    pub struct UsernameAndPassword {
        /// Username.
        req username: String = Tag::Username,
        /// Password.
        opt password: String = Tag::Password,
    }
}

kmip_struct! {
    /// Device credential value (KMIP 1.4 §2.1.2).
    pub struct DeviceCredential {
        /// Device Serial Number.
        opt device_serial_number: String = Tag::DeviceSerialNumber,
        /// Password.
        opt password: String = Tag::Password,
        /// Device Identifier.
        opt device_identifier: String = Tag::DeviceIdentifier,
        /// Network Identifier (checked against the peer's MAC address).
        opt network_identifier: String = Tag::NetworkIdentifier,
        /// Machine Identifier.
        opt machine_identifier: String = Tag::MachineIdentifier,
        /// Media Identifier.
        opt media_identifier: String = Tag::MediaIdentifier,
    }
}

kmip_struct! {
    /// Attestation credential value (KMIP 1.4 §2.1.2).
    pub struct AttestationCredential {
        /// Nonce.
        req nonce: Nonce = Tag::Nonce,
        /// Attestation Type.
        req attestation_type: Ttlv = Tag::AttestationType,
        /// Attestation Measurement.
        opt attestation_measurement: Bytes = Tag::AttestationMeasurement,
        /// Attestation Assertion.
        opt attestation_assertion: Bytes = Tag::AttestationAssertion,
    }
}

kmip_struct! {
    /// One Time Password credential value (KMIP 2.0 §2.1.2).
    pub struct OneTimePasswordCredential {
        /// Username.
        req username: String = Tag::Username,
        /// Password.
        opt password: String = Tag::Password,
        /// One Time Password.
        req one_time_password: String = Tag::OneTimePassword,
    }
}

kmip_struct! {
    /// Hashed Password credential value (KMIP 2.0 §2.1.2).
    pub struct HashedPasswordCredential {
        /// Username.
        req username: String = Tag::Username,
        /// Timestamp.
        req timestamp: DateTime = Tag::TimeStamp,
        /// Hashing Algorithm.
        opt hashing_algorithm: Ttlv = Tag::HashingAlgorithm,
        /// Hashed Password.
        req hashed_password: Bytes = Tag::HashedPassword,
    }
}

kmip_struct! {
    /// Ticket credential value (KMIP 2.0 §2.1.2).
    pub struct TicketCredential {
        /// Ticket Type.
        req ticket_type: Ttlv = Tag::TicketType,
        /// Ticket Value.
        req ticket_value: Bytes = Tag::TicketValue,
    }
}

/// A Credential (KMIP 1.4 §2.1.2): its value's shape follows its type.
#[derive(Clone, Debug, PartialEq)]
pub enum Credential {
    /// Username and Password.
    UsernameAndPassword(UsernameAndPassword),
    /// Device.
    Device(DeviceCredential),
    /// Attestation.
    Attestation(AttestationCredential),
    /// One Time Password (2.0).
    OneTimePassword(OneTimePasswordCredential),
    /// Hashed Password (2.0).
    HashedPassword(HashedPasswordCredential),
    /// Ticket (2.0).
    Ticket(TicketCredential),
    /// A credential type coffer does not model, kept raw.
    Other {
        /// Credential Type.
        credential_type: CredentialType,
        /// Credential Value as received.
        value: Ttlv,
    },
}

impl FromTtlv for Credential {
    fn read<'a, I: Item<'a>>(item: I, v: ProtocolVersion) -> Result<Self, ModelError> {
        let mut f = Fields::new(item, v)?;
        let credential_type: CredentialType = f.req(Tag::CredentialType)?;
        let raw = f.raw_req(Tag::CredentialValue)?;
        f.finish()?;
        let inner = |e: ModelError| e.within(Tag::CredentialValue).within(Tag::Credential);
        Ok(match credential_type {
            CredentialType::UsernameAndPassword => {
                Credential::UsernameAndPassword(FromTtlv::read(raw, v).map_err(inner)?)
            }
            CredentialType::Device => Credential::Device(FromTtlv::read(raw, v).map_err(inner)?),
            CredentialType::Attestation => Credential::Attestation(FromTtlv::read(raw, v).map_err(inner)?),
            CredentialType::OneTimePassword => Credential::OneTimePassword(FromTtlv::read(raw, v).map_err(inner)?),
            CredentialType::HashedPassword => Credential::HashedPassword(FromTtlv::read(raw, v).map_err(inner)?),
            CredentialType::Ticket => Credential::Ticket(FromTtlv::read(raw, v).map_err(inner)?),
            other => Credential::Other { credential_type: other, value: raw.tree().into_owned() },
        })
    }
}

impl ToTtlv for Credential {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        let (ty, value): (CredentialType, &dyn ToTtlv) = match self {
            Credential::UsernameAndPassword(c) => (CredentialType::UsernameAndPassword, c),
            Credential::Device(c) => (CredentialType::Device, c),
            Credential::Attestation(c) => (CredentialType::Attestation, c),
            Credential::OneTimePassword(c) => (CredentialType::OneTimePassword, c),
            Credential::HashedPassword(c) => (CredentialType::HashedPassword, c),
            Credential::Ticket(c) => (CredentialType::Ticket, c),
            Credential::Other { credential_type, value } => (*credential_type, value),
        };
        out.structure(tag, |out| {
            out.req(Tag::CredentialType, &ty);
            out.req(Tag::CredentialValue, value);
        });
    }
}

kmip_struct! {
    /// Authentication (KMIP 1.4 §6.6): one credential in 1.x, one or more in 2.x.
    pub struct Authentication {
        /// Credential(s).
        rep credentials: Credential = Tag::Credential,
    }
}

kmip_struct! {
    /// Request Header (KMIP 1.4 §7.2, 2.1 §8.2).
    pub struct RequestHeader {
        /// Protocol Version.
        req protocol_version: ProtocolVersion = Tag::ProtocolVersion,
        /// Maximum Response Size.
        opt maximum_response_size: i32 = Tag::MaximumResponseSize,
        /// Client Correlation Value (1.4).
        opt client_correlation_value: String = Tag::ClientCorrelationValue,
        /// Server Correlation Value (1.4).
        opt server_correlation_value: String = Tag::ServerCorrelationValue,
        /// Asynchronous Indicator.
        opt asynchronous_indicator: bool = Tag::AsynchronousIndicator,
        /// Attestation Capable Indicator (1.2).
        opt attestation_capable_indicator: bool = Tag::AttestationCapableIndicator,
        /// Attestation Type (1.2).
        rep attestation_types: Ttlv = Tag::AttestationType,
        /// Authentication.
        opt authentication: Authentication = Tag::Authentication,
        /// Batch Error Continuation Option.
        opt batch_error_continuation_option: BatchErrorContinuationOption = Tag::BatchErrorContinuationOption,
        /// Batch Order Option.
        opt batch_order_option: bool = Tag::BatchOrderOption,
        /// Time Stamp.
        opt time_stamp: DateTime = Tag::TimeStamp,
        /// Batch Count.
        req batch_count: i32 = Tag::BatchCount,
    }
}

kmip_struct! {
    /// Response Header (KMIP 1.4 §7.2, 2.1 §8.2).
    pub struct ResponseHeader {
        /// Protocol Version.
        req protocol_version: ProtocolVersion = Tag::ProtocolVersion,
        /// Time Stamp.
        req time_stamp: DateTime = Tag::TimeStamp,
        /// Nonce (1.2).
        opt nonce: Nonce = Tag::Nonce,
        /// Server Hashed Password (2.0).
        opt server_hashed_password: Bytes = Tag::ServerHashedPassword,
        /// Attestation Type (1.2).
        rep attestation_types: Ttlv = Tag::AttestationType,
        /// Client Correlation Value (1.4).
        opt client_correlation_value: String = Tag::ClientCorrelationValue,
        /// Server Correlation Value (1.4).
        opt server_correlation_value: String = Tag::ServerCorrelationValue,
        /// Batch Count.
        req batch_count: i32 = Tag::BatchCount,
    }
}

kmip_struct! {
    /// Message Extension (KMIP 1.4 §6.16): kept as received.
    pub struct MessageExtension {
        /// Vendor Identification.
        req vendor_identification: String = Tag::VendorIdentification,
        /// Criticality Indicator.
        req criticality_indicator: bool = Tag::CriticalityIndicator,
        /// Vendor Extension.
        req vendor_extension: Ttlv = Tag::VendorExtension,
    }
}

/// A request batch item (KMIP 1.4 §7.2).
#[derive(Clone, Debug, PartialEq)]
pub struct RequestBatchItem {
    /// Operation.
    pub operation: Operation,
    /// Ephemeral (2.0).
    pub ephemeral: Option<bool>,
    /// Unique Batch Item ID.
    pub unique_batch_item_id: Option<Bytes>,
    /// Request Payload, typed by the operation.
    pub payload: RequestPayload,
    /// Message Extension.
    pub message_extension: Option<MessageExtension>,
}

/// A batch item that could not be decoded, with what the server needs to
/// answer it: its operation and ID where they could be read.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchItemError {
    /// Operation, if it could be read.
    pub operation: Option<Operation>,
    /// Unique Batch Item ID, if it could be read.
    pub unique_batch_item_id: Option<Bytes>,
    /// What was wrong.
    pub error: ModelError,
}

impl RequestBatchItem {
    /// An item of `payload`'s operation with no optional field set.
    pub fn new(payload: RequestPayload) -> RequestBatchItem {
        RequestBatchItem {
            operation: payload.operation(),
            ephemeral: None,
            unique_batch_item_id: None,
            payload,
            message_extension: None,
        }
    }

    /// Decodes one batch item; on error keeps the Operation and Unique Batch
    /// Item ID so the answer can echo them.
    pub fn decode<'a, I: Item<'a>>(item: I, v: ProtocolVersion) -> Result<RequestBatchItem, BatchItemError> {
        let raw = RawBatchItem::decode(item, v)?;
        let payload = raw.decode_payload().map_err(|error| BatchItemError {
            operation: Some(raw.operation),
            unique_batch_item_id: raw.unique_batch_item_id.clone(),
            error,
        })?;
        let RawBatchItem { operation, ephemeral, unique_batch_item_id, message_extension, .. } = raw;
        Ok(RequestBatchItem { operation, ephemeral, unique_batch_item_id, payload, message_extension })
    }
}

impl FromTtlv for RequestBatchItem {
    fn read<'a, I: Item<'a>>(item: I, v: ProtocolVersion) -> Result<Self, ModelError> {
        RequestBatchItem::decode(item, v).map_err(|e| e.error)
    }
}

/// A request batch item with every field decoded but its payload, which is
/// left as received: the server decodes the payload straight into the
/// operation's request type (see `operations::dispatch`), so the large
/// [`RequestPayload`] enum is neither built nor moved on the hot path.
/// `I` is the item type read: a [`ItemRef`] of the message's view on the
/// server, a tree's `&Ttlv` elsewhere.
#[derive(Clone, Debug, PartialEq)]
pub struct RawBatchItem<I> {
    /// Operation.
    pub operation: Operation,
    /// Ephemeral (2.0).
    pub ephemeral: Option<bool>,
    /// Unique Batch Item ID.
    pub unique_batch_item_id: Option<Bytes>,
    /// The Request Payload structure, not yet decoded.
    pub payload: I,
    /// Message Extension.
    pub message_extension: Option<MessageExtension>,
    /// The protocol version the payload is to be read in.
    pub version: ProtocolVersion,
}

/// A batch item of a request read from the message's bytes.
pub type ViewBatchItem<'a> = RawBatchItem<ItemRef<'a>>;

impl<'a, I: Item<'a>> RawBatchItem<I> {
    /// Decodes one batch item but its payload; on error keeps the Operation
    /// and Unique Batch Item ID so the answer can echo them.
    pub fn decode(item: I, v: ProtocolVersion) -> Result<RawBatchItem<I>, BatchItemError> {
        RawBatchItem::fields(item, v).map_err(|error| {
            let child = |tag: Tag| item.find_child(tag).map(Item::value);
            let operation = match child(Tag::Operation) {
                Some(ValueRef::Enumeration(x)) => Some(Operation::from_value(x)),
                _ => None,
            };
            let unique_batch_item_id = match child(Tag::UniqueBatchItemID) {
                Some(ValueRef::ByteString(b)) => Some(b),
                _ => None,
            };
            BatchItemError { operation, unique_batch_item_id, error }
        })
    }

    fn fields(item: I, v: ProtocolVersion) -> Result<RawBatchItem<I>, ModelError> {
        let mut f = Fields::new(item, v)?;
        let operation: Operation = f.req(Tag::Operation)?;
        let ephemeral = f.opt(Tag::Ephemeral)?;
        let unique_batch_item_id = f.opt(Tag::UniqueBatchItemID)?;
        let payload = f.raw_req(Tag::RequestPayload)?;
        let message_extension = f.opt(Tag::MessageExtension)?;
        f.finish()?;
        Ok(RawBatchItem { operation, ephemeral, unique_batch_item_id, payload, message_extension, version: v })
    }

    /// The payload decoded as `T`, the request type of this item's operation;
    /// an error carries its tag path from the batch item down.
    pub fn decode_as<T: FromTtlv>(&self) -> Result<T, ModelError> {
        T::read(self.payload, self.version).map_err(|e| e.within(Tag::BatchItem))
    }

    /// The payload decoded into the [`RequestPayload`] of this item's operation.
    pub fn decode_payload(&self) -> Result<RequestPayload, ModelError> {
        RequestPayload::decode(self.operation, self.payload, self.version).map_err(|e| e.within(Tag::BatchItem))
    }
}

impl ToTtlv for RequestBatchItem {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| {
            out.req(Tag::Operation, &self.operation);
            out.opt(Tag::Ephemeral, &self.ephemeral);
            out.opt(Tag::UniqueBatchItemID, &self.unique_batch_item_id);
            out.req(Tag::RequestPayload, &self.payload);
            out.opt(Tag::MessageExtension, &self.message_extension);
        });
    }
}

/// A response batch item (KMIP 1.4 §7.2).
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseBatchItem {
    /// Operation (absent when the request's could not be read).
    pub operation: Option<Operation>,
    /// Unique Batch Item ID, echoed.
    pub unique_batch_item_id: Option<Bytes>,
    /// Result Status.
    pub result_status: ResultStatus,
    /// Result Reason (required on failure).
    pub result_reason: Option<ResultReason>,
    /// Result Message.
    pub result_message: Option<String>,
    /// Asynchronous Correlation Value (on Operation Pending).
    pub asynchronous_correlation_value: Option<Bytes>,
    /// Response Payload, typed by the operation.
    pub payload: Option<ResponsePayload>,
    /// Message Extension.
    pub message_extension: Option<MessageExtension>,
}

impl ResponseBatchItem {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        let mut f = Fields::new(item, v)?;
        let operation: Option<Operation> = f.opt(Tag::Operation)?;
        let unique_batch_item_id = f.opt(Tag::UniqueBatchItemID)?;
        let result_status = f.req(Tag::ResultStatus)?;
        let result_reason = f.opt(Tag::ResultReason)?;
        let result_message = f.opt(Tag::ResultMessage)?;
        let asynchronous_correlation_value = f.opt(Tag::AsynchronousCorrelationValue)?;
        let payload = match f.raw_opt(Tag::ResponsePayload) {
            Some(raw) => Some(match operation {
                Some(op) => ResponsePayload::decode(op, raw, v).map_err(|e| e.within(Tag::BatchItem))?,
                None => ResponsePayload::Other { operation: Operation::Unknown(0), raw: raw.clone() },
            }),
            None => None,
        };
        let message_extension = f.opt(Tag::MessageExtension)?;
        f.finish()?;
        Ok(ResponseBatchItem {
            operation,
            unique_batch_item_id,
            result_status,
            result_reason,
            result_message,
            asynchronous_correlation_value,
            payload,
            message_extension,
        })
    }
}

tree_decoded!(ResponseBatchItem);

impl ToTtlv for ResponseBatchItem {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| {
            out.opt(Tag::Operation, &self.operation);
            out.opt(Tag::UniqueBatchItemID, &self.unique_batch_item_id);
            out.req(Tag::ResultStatus, &self.result_status);
            out.opt(Tag::ResultReason, &self.result_reason);
            out.opt(Tag::ResultMessage, &self.result_message);
            out.opt(Tag::AsynchronousCorrelationValue, &self.asynchronous_correlation_value);
            out.opt(Tag::ResponsePayload, &self.payload);
            out.opt(Tag::MessageExtension, &self.message_extension);
        });
    }
}

/// A Request Message (KMIP 1.4 §7.1): header and batch items.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestMessage {
    /// Request Header.
    pub header: RequestHeader,
    /// Batch items, in order.
    pub batch_items: Vec<RequestBatchItem>,
}

impl RequestHeader {
    /// A header with only the required fields: the version and the batch count.
    pub fn new(protocol_version: ProtocolVersion, batch_count: i32) -> RequestHeader {
        RequestHeader {
            protocol_version,
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
            batch_count,
        }
    }
}

impl RequestHeader {
    /// The header most clients send, read in one pass: exactly a Protocol
    /// Version (Major, Minor) and a Batch Count, all well typed. Any other
    /// shape is None, and is read by the general reader ([`FromTtlv`]),
    /// which gives this shape the same value (the test
    /// `a_plain_header_reads_like_the_general_reader` checks it on damaged
    /// headers); every request pays for this read, most for nothing else.
    fn read_plain<'a, I: Item<'a>>(header: I) -> Option<RequestHeader> {
        let mut fields = header.children()?;
        let version = fields.next().filter(|i| i.tag() == Tag::ProtocolVersion)?;
        let count = fields.next().filter(|i| i.tag() == Tag::BatchCount)?.integer()?;
        if fields.next().is_some() {
            return None;
        }
        Some(RequestHeader::new(plain_version(version)?, count))
    }
}

impl RequestMessage {
    /// A message of version `v` with one batch item per payload, in order,
    /// and no optional header fields: what a client builds most often.
    pub fn new(v: ProtocolVersion, payloads: Vec<RequestPayload>) -> RequestMessage {
        let batch_items: Vec<RequestBatchItem> = payloads.into_iter().map(RequestBatchItem::new).collect();
        let count = i32::try_from(batch_items.len()).unwrap_or(i32::MAX);
        RequestMessage { header: RequestHeader::new(v, count), batch_items }
    }
}

impl RequestMessage {
    /// Step one of decoding: the header, and the batch items still raw. An
    /// error here means the message cannot be answered in the client's version.
    pub fn read_header(msg: &Ttlv) -> Result<(RequestHeader, &[Ttlv]), ModelError> {
        let (header, items) = RequestMessage::read_header_at(msg, None)?;
        let all = msg.children();
        // The batch items are the children after the header.
        let n = items.count();
        Ok((header, all.get(all.len().saturating_sub(n)..).unwrap_or_default()))
    }

    /// [`RequestMessage::read_header`] for a caller that has already read the
    /// header's Protocol Version (`peeked`, taken from this very header), so
    /// it is not read twice; None reads it here. The batch items come back
    /// still raw, in order.
    pub fn read_header_at<'a, I: Item<'a>>(
        msg: I,
        peeked: Option<ProtocolVersion>,
    ) -> Result<(RequestHeader, std::iter::Take<I::Children>), ModelError> {
        if msg.tag() != Tag::RequestMessage {
            return Err(ModelError::new(msg.tag(), ModelErrorKind::Unexpected(msg.tag())));
        }
        // The header alone first: its version governs how the rest is read.
        let header_item = match msg.children().and_then(|mut c| c.next()) {
            Some(h) if h.tag() == Tag::RequestHeader => h,
            _ => return Err(ModelError::new(msg.tag(), ModelErrorKind::Missing(Tag::RequestHeader))),
        };
        let peek = match (peeked, header_item.find_child(Tag::ProtocolVersion)) {
            (Some(v), _) => v,
            (None, Some(pv)) => ProtocolVersion::read(pv, ProtocolVersion::V1_0)
                .map_err(|e| e.within(Tag::RequestHeader).within(Tag::RequestMessage))?,
            (None, None) => {
                return Err(ModelError::new(Tag::RequestHeader, ModelErrorKind::Missing(Tag::ProtocolVersion))
                    .within(Tag::RequestMessage))
            }
        };
        let mut f = Fields::new(msg, peek)?;
        let header = match RequestHeader::read_plain(header_item) {
            // The header is the first field: the one just read.
            Some(header) => {
                f.raw_opt(Tag::RequestHeader);
                header
            }
            None => f.req(Tag::RequestHeader)?,
        };
        let items = f.raw_iter(Tag::BatchItem);
        f.finish()?;
        Ok((header, items))
    }

    /// Both steps: every batch item decoded on its own.
    pub fn decode_items(
        msg: &Ttlv,
    ) -> Result<(RequestHeader, Vec<Result<RequestBatchItem, BatchItemError>>), ModelError> {
        let (header, items) = RequestMessage::read_header(msg)?;
        let v = header.protocol_version;
        let items = items.iter().map(|i| RequestBatchItem::decode(i, v)).collect();
        Ok((header, items))
    }
}

impl RequestMessage {
    /// Strict decode: the first malformed item fails the whole message. The
    /// version argument is ignored: the header's own version is used.
    fn from_tree(item: &Ttlv, _v: ProtocolVersion) -> Result<Self, ModelError> {
        let (header, items) = RequestMessage::decode_items(item)?;
        let batch_items =
            items.into_iter().map(|r| r.map_err(|e| e.error.within(Tag::RequestMessage))).collect::<Result<_, _>>()?;
        Ok(RequestMessage { header, batch_items })
    }
}

tree_decoded!(RequestMessage);

impl RequestMessage {
    /// Writes a Request Message from its header and batch items, in the
    /// header's version, without owning them (the load tool writes its
    /// message this way).
    pub fn write_parts(header: &RequestHeader, batch_items: &[RequestBatchItem], tag: Tag, out: &mut Out<'_>) {
        write_message(header.protocol_version, (Tag::RequestHeader, header), batch_items, tag, out);
    }

    /// The encoding of a Request Message from its header and batch items,
    /// appended to `buf`; on error `buf` holds what it held before.
    pub fn encode_parts(
        header: &RequestHeader,
        batch_items: &[RequestBatchItem],
        buf: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let mut out = Out::new(header.protocol_version, buf);
        RequestMessage::write_parts(header, batch_items, Tag::RequestMessage, &mut out);
        out.finish()
    }
}

/// Written in the header's own version, whatever the writer's.
impl ToTtlv for RequestMessage {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        RequestMessage::write_parts(&self.header, &self.batch_items, tag, out);
    }
}

/// Writes a message (request or response) as the structure `tag`: its
/// header under `header.0`, then its batch items, in `version` (the
/// header's own) whatever the writer's.
fn write_message<H: ToTtlv, B: ToTtlv>(
    version: ProtocolVersion,
    header: (Tag, &H),
    batch_items: &[B],
    tag: Tag,
    out: &mut Out<'_>,
) {
    out.in_version(version, |out| {
        out.structure(tag, |out| {
            out.req(header.0, header.1);
            out.rep(Tag::BatchItem, batch_items);
        });
    });
}

/// A Response Message (KMIP 1.4 §7.1): header and batch items.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseMessage {
    /// Response Header.
    pub header: ResponseHeader,
    /// Batch items, in order.
    pub batch_items: Vec<ResponseBatchItem>,
}

impl ResponseMessage {
    /// Reads the tree of one item; the header's own version governs the batch items.
    fn from_tree(item: &Ttlv, _v: ProtocolVersion) -> Result<Self, ModelError> {
        let peek = item
            .child(Tag::ResponseHeader)
            .and_then(|h| h.child(Tag::ProtocolVersion))
            .and_then(|pv| ProtocolVersion::from_ttlv(pv, ProtocolVersion::V1_0).ok())
            .unwrap_or(ProtocolVersion::V1_0);
        let mut f = Fields::new(item, peek)?;
        let header = f.req(Tag::ResponseHeader)?;
        let batch_items = f.rep(Tag::BatchItem)?;
        f.finish()?;
        Ok(ResponseMessage { header, batch_items })
    }
}

tree_decoded!(ResponseMessage);

impl ResponseMessage {
    /// Writes a Response Message from its header and batch items, in the
    /// header's version, without owning them (the server writes its
    /// message this way).
    pub fn write_parts(header: &ResponseHeader, batch_items: &[ResponseBatchItem], tag: Tag, out: &mut Out<'_>) {
        write_message(header.protocol_version, (Tag::ResponseHeader, header), batch_items, tag, out);
    }

    /// The encoding of a Response Message from its header and batch items,
    /// appended to `buf`; on error `buf` holds what it held before.
    pub fn encode_parts(
        header: &ResponseHeader,
        batch_items: &[ResponseBatchItem],
        buf: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let mut out = Out::new(header.protocol_version, buf);
        ResponseMessage::write_parts(header, batch_items, Tag::ResponseMessage, &mut out);
        out.finish()
    }
}

/// Written in the header's own version, whatever the writer's.
impl ToTtlv for ResponseMessage {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        ResponseMessage::write_parts(&self.header, &self.batch_items, tag, out);
    }
}

#[cfg(test)]
// Test inputs are built here, with offsets this module computed itself.
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::ttlv::{decode_view, encode_to_vec, Limits, Value};

    fn s(tag: Tag, children: Vec<Ttlv>) -> Ttlv {
        Ttlv::structure(tag, children)
    }

    fn e(tag: Tag, x: u32) -> Ttlv {
        Ttlv::new(tag, Value::Enumeration(x))
    }

    fn text(tag: Tag, x: &str) -> Ttlv {
        Ttlv::new(tag, Value::TextString(x.into()))
    }

    fn bytes(tag: Tag, x: &'static [u8]) -> Ttlv {
        Ttlv::new(tag, Value::ByteString(Bytes::from_static(x)))
    }

    fn item(op: Operation, payload: Vec<Ttlv>) -> Ttlv {
        s(
            Tag::BatchItem,
            vec![
                e(Tag::Operation, op.value()),
                bytes(Tag::UniqueBatchItemID, b"\x01"),
                s(Tag::RequestPayload, payload),
            ],
        )
    }

    /// A 1.4 message with Encrypt, Decrypt, Get, Create (an inline list) and
    /// Register (a hand-written payload) items.
    fn message() -> Vec<u8> {
        let params = s(
            Tag::CryptographicParameters,
            vec![
                e(Tag::BlockCipherMode, 9),
                e(Tag::CryptographicAlgorithm, 3),
                Ttlv::new(Tag::TagLength, Value::Integer(16)),
            ],
        );
        let attribute = |name: &str, value: Ttlv| {
            s(
                Tag::Attribute,
                vec![text(Tag::AttributeName, name), Ttlv { tag: Tag::AttributeValue, value: value.value }],
            )
        };
        let template = s(
            Tag::TemplateAttribute,
            vec![
                attribute("Cryptographic Algorithm", e(Tag::AttributeValue, 3)),
                attribute("Cryptographic Length", Ttlv::new(Tag::AttributeValue, Value::Integer(128))),
            ],
        );
        let msg = s(
            Tag::RequestMessage,
            vec![
                s(
                    Tag::RequestHeader,
                    vec![
                        s(
                            Tag::ProtocolVersion,
                            vec![
                                Ttlv::new(Tag::ProtocolVersionMajor, Value::Integer(1)),
                                Ttlv::new(Tag::ProtocolVersionMinor, Value::Integer(4)),
                            ],
                        ),
                        Ttlv::new(Tag::BatchCount, Value::Integer(5)),
                    ],
                ),
                item(
                    Operation::Encrypt,
                    vec![
                        text(Tag::UniqueIdentifier, "k1"),
                        params.clone(),
                        bytes(Tag::Data, b"plain text"),
                        bytes(Tag::IVCounterNonce, b"0123456789ab"),
                    ],
                ),
                item(Operation::Decrypt, vec![text(Tag::UniqueIdentifier, "k1"), params, bytes(Tag::Data, b"x")]),
                item(Operation::Get, vec![text(Tag::UniqueIdentifier, "k2"), e(Tag::KeyFormatType, 1)]),
                item(Operation::Create, vec![e(Tag::ObjectType, 2), template.clone()]),
                item(Operation::Register, vec![e(Tag::ObjectType, 7), template]),
            ],
        );
        encode_to_vec(&msg).unwrap()
    }

    type Decoded = Result<(RequestHeader, Vec<Result<RequestBatchItem, BatchItemError>>), ModelError>;

    /// What the server reads from a message: header, then each item.
    fn read<'a, I: Item<'a>>(msg: I) -> Decoded {
        let (header, items) = RequestMessage::read_header_at(msg, None)?;
        let v = header.protocol_version;
        Ok((header, items.map(|i| RequestBatchItem::decode(i, v)).collect()))
    }

    /// Offsets of every item header in a valid encoding.
    fn headers(b: &[u8], mut pos: usize, end: usize, out: &mut Vec<usize>) {
        while pos + 8 <= end {
            out.push(pos);
            let len = u32::from_be_bytes(b[pos + 4..pos + 8].try_into().unwrap()) as usize;
            if b[pos + 3] == 1 {
                headers(b, pos + 8, pos + 8 + len, out);
            }
            pos += 8 + len.div_ceil(8) * 8;
        }
    }

    /// The plain-header read (one pass, for the shape most clients send)
    /// gives what the general reader gives, whenever it gives anything: on
    /// every header of up to three fields from a pool of right and damaged
    /// ones (fields missing, repeated, swapped, retyped; extra fields), read
    /// from a tree and from a view.
    #[test]
    fn a_plain_header_reads_like_the_general_reader() {
        let int = |tag: Tag, x: i32| Ttlv::new(tag, Value::Integer(x));
        let pv = |children: Vec<Ttlv>| s(Tag::ProtocolVersion, children);
        let (major, minor) = (Tag::ProtocolVersionMajor, Tag::ProtocolVersionMinor);
        let pool = vec![
            pv(vec![int(major, 1), int(minor, 2)]),
            pv(vec![int(major, 2), int(minor, 0)]),
            pv(vec![int(minor, 2), int(major, 1)]),
            pv(vec![int(major, 1)]),
            pv(vec![]),
            pv(vec![int(major, 1), int(minor, 2), int(minor, 3)]),
            pv(vec![e(major, 1), int(minor, 2)]),
            pv(vec![int(major, 1), text(minor, "2")]),
            int(Tag::ProtocolVersion, 1),
            int(Tag::BatchCount, 1),
            int(Tag::BatchCount, -7),
            e(Tag::BatchCount, 1),
            s(Tag::BatchCount, vec![]),
            int(Tag::MaximumResponseSize, 4096),
            Ttlv::new(Tag::AsynchronousIndicator, Value::Boolean(false)),
            int(Tag::ProtocolVersionMajor, 1),
        ];
        let mut headers = vec![vec![]];
        for _ in 0..3 {
            let longer: Vec<Vec<Ttlv>> = headers
                .iter()
                .filter(|h| h.len() == headers.last().map_or(0, Vec::len))
                .flat_map(|h| {
                    pool.iter().map(move |f| {
                        let mut h = h.clone();
                        h.push(f.clone());
                        h
                    })
                })
                .collect();
            headers.extend(longer);
        }
        let (mut plain, mut refused) = (0, 0);
        for fields in headers {
            let header = s(Tag::RequestHeader, fields);
            let bytes = Bytes::from(encode_to_vec(&header).unwrap());
            let view = decode_view(&bytes, &Limits::DEFAULT).unwrap();
            let fast = RequestHeader::read_plain(&header);
            assert_eq!(fast, RequestHeader::read_plain(view.root()), "{header:?}");
            let general = RequestHeader::from_ttlv(&header, ProtocolVersion::V1_2);
            match fast {
                Some(h) => {
                    assert_eq!(Ok(h), general, "{header:?}");
                    plain += 1;
                }
                None => refused += usize::from(general.is_err()),
            }
        }
        // Two versions times two counts are plain; nearly all the rest are errors.
        assert!(plain == 4 && refused > 4_000, "{plain} {refused}");
    }

    /// The one-pass read of a Protocol Version gives what the field cursor
    /// gives whenever it gives anything, and the read gives what the cursor
    /// gives always: on every version structure of up to three fields from a
    /// pool of right and damaged ones, and on items that are not structures.
    #[test]
    fn a_plain_version_reads_like_the_field_cursor() {
        let int = |tag: Tag, x: i32| Ttlv::new(tag, Value::Integer(x));
        let (major, minor) = (Tag::ProtocolVersionMajor, Tag::ProtocolVersionMinor);
        let pool = [
            int(major, 1),
            int(minor, 4),
            int(major, -3),
            e(major, 1),
            text(minor, "2"),
            s(minor, vec![]),
            int(Tag::BatchCount, 1),
        ];
        let mut versions = vec![vec![]];
        for _ in 0..3 {
            let longer: Vec<Vec<Ttlv>> = versions
                .iter()
                .filter(|h| h.len() == versions.last().map_or(0, Vec::len))
                .flat_map(|h| {
                    pool.iter().map(move |f| {
                        let mut h = h.clone();
                        h.push(f.clone());
                        h
                    })
                })
                .collect();
            versions.extend(longer);
        }
        let mut items: Vec<Ttlv> = versions.into_iter().map(|f| s(Tag::ProtocolVersion, f)).collect();
        items.push(int(Tag::ProtocolVersion, 1));
        let (mut plain, mut refused) = (0, 0);
        for item in &items {
            let bytes = Bytes::from(encode_to_vec(item).unwrap());
            let view = decode_view(&bytes, &Limits::DEFAULT).unwrap();
            let cursor = read_version(item, ProtocolVersion::V1_0);
            assert_eq!(read_version(view.root(), ProtocolVersion::V1_0), cursor, "{item:?}");
            assert_eq!(plain_version(view.root()), plain_version(item), "{item:?}");
            assert_eq!(ProtocolVersion::read(view.root(), ProtocolVersion::V1_0), cursor, "{item:?}");
            assert_eq!(ProtocolVersion::read(item, ProtocolVersion::V1_0), cursor, "{item:?}");
            if let Some(version) = plain_version(item) {
                assert_eq!(Ok(version), cursor, "{item:?}");
                plain += 1;
            }
            refused += usize::from(cursor.is_err());
        }
        // Major then Minor, each of two integers, is plain; most of the rest fail.
        assert!(plain == 2 && refused > 300, "{plain} {refused}");
    }

    /// Reading through the message's view and through its tree gives the
    /// same values, and the same errors with the same paths and kinds, for
    /// damaged messages that are still valid TTLV (tags moved, types
    /// swapped, values changed).
    #[test]
    fn a_view_reads_like_its_tree() {
        let good = message();
        let mut offsets = Vec::new();
        headers(&good, 0, good.len(), &mut offsets);
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut rnd = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut compared, mut errors, mut item_errors) = (0, 0, 0);
        for round in 0..20_000 {
            let mut b = good.clone();
            if round > 0 {
                for _ in 0..=rnd(2) {
                    let at = offsets[rnd(offsets.len())];
                    match rnd(3) {
                        0 => {
                            let from = offsets[rnd(offsets.len())];
                            let tag: [u8; 3] = b[from..from + 3].try_into().unwrap();
                            b[at..at + 3].copy_from_slice(&tag);
                        }
                        1 => b[at + 3] = [2, 5, 10, 3, 9, 11, 7, 8][rnd(8)],
                        _ => {
                            let i = (at + 8 + rnd(8)).min(b.len() - 1);
                            b[i] = rnd(256) as u8;
                        }
                    }
                }
            }
            let input = Bytes::from(b);
            let (Ok(view), Ok(tree)) =
                (decode_view(&input, &Limits::DEFAULT), crate::ttlv::decode(&input, &Limits::DEFAULT))
            else {
                continue;
            };
            let (by_view, by_tree) = (read(view.root()), read(&tree));
            assert_eq!(by_view, by_tree, "input {}", hex::encode(&input));
            compared += 1;
            match &by_tree {
                Err(_) => errors += 1,
                Ok((_, items)) => item_errors += items.iter().filter(|i| i.is_err()).count(),
            }
        }
        // The damage must reach the error paths, message-wide and per item.
        assert!(compared > 5_000 && errors > 500 && item_errors > 2_000, "{compared} {errors} {item_errors}");
    }
}
