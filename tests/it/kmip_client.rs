//! A small async KMIP client for the server tests: tokio-rustls with the
//! harness's client credential, typed request messages out, typed response
//! messages back, and builders for the payloads the tests send.
//!
//! ```ignore
//! let config = client_config(&server);
//! let mut c = KmipClient::connect(server.kmip, config).await?;
//! let id = c.create_aes256().await?;
//! let key = c.get_key(&id).await?;
//! ```
//!
//! Every read and write is bounded by [`IO_TIMEOUT`], so a server that
//! stalls fails the test instead of hanging it. A response that stops in
//! the middle is told apart from a connection closed between messages:
//! the shutdown and crash tests need that difference.

// Helpers for the server test modules; no one module uses them all.
#![allow(dead_code)]

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use coffer::kmip::attributes::{Attributes, CryptographicParameters};
use coffer::kmip::codec::{FromTtlv, ToTtlv};
use coffer::kmip::message::{RequestBatchItem, RequestHeader, RequestMessage, ResponseBatchItem, ResponseMessage};
use coffer::kmip::objects::{KeyMaterial, KeyValue, Object};
use coffer::kmip::payloads::{
    ActivateRequest, DecryptRequest, EncryptRequest, GetRequest, LocateRequest, RequestPayload, ResponsePayload,
};
use coffer::kmip::secret::Secret;
use coffer::kmip::table::{
    BatchErrorContinuationOption, BlockCipherMode, CryptographicAlgorithm, PaddingMethod, ResultReason, ResultStatus,
};
use coffer::kmip::ProtocolVersion;
use coffer::ttlv::{self, Tag};
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;
use zeroize::Zeroizing;

use crate::harness::Server;

/// The longest any one read, write or connect may take.
pub const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// The client configuration for `server`: its CA, the first credential, TLS 1.2 and 1.3.
pub fn client_config(server: &Server) -> Arc<ClientConfig> {
    server.tls_config(rustls::ALL_VERSIONS, Some((&server.client_cert(), &server.client_key())))
}

/// Why a request got no usable answer.
#[derive(Debug)]
pub enum ClientError {
    /// Connecting, the handshake, or a read or write failed (a reset, a refusal).
    Io(io::Error),
    /// The server closed the connection cleanly between messages: no byte of a response had arrived.
    Closed,
    /// The connection ended inside a response: some of its bytes arrived, not all. Never acceptable.
    Truncated {
        /// How many bytes of the response arrived.
        got: usize,
        /// How many its header announced (8 if the header itself was cut).
        expected: usize,
    },
    /// No answer within [`IO_TIMEOUT`].
    Timeout,
    /// The response is not a well-formed Response Message.
    Malformed(String),
    /// The batch item was answered with a failure.
    Failed {
        /// Result Status.
        status: ResultStatus,
        /// Result Reason.
        reason: Option<ResultReason>,
        /// Result Message.
        message: Option<String>,
    },
}

impl ClientError {
    /// Whether the connection went away (or never came up) without a
    /// broken response: what a client sees of a server that was killed.
    pub fn is_connection_loss(&self) -> bool {
        matches!(self, ClientError::Io(_) | ClientError::Closed)
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Io(e) => write!(f, "i/o: {e}"),
            ClientError::Closed => f.write_str("connection closed between messages"),
            ClientError::Truncated { got, expected } => {
                write!(f, "connection closed inside a response: {got} of {expected} bytes")
            }
            ClientError::Timeout => write!(f, "no answer within {IO_TIMEOUT:?}"),
            ClientError::Malformed(m) => write!(f, "malformed response: {m}"),
            ClientError::Failed { status, reason, message } => {
                write!(f, "{status:?} {reason:?}: {}", message.as_deref().unwrap_or(""))
            }
        }
    }
}

impl From<io::Error> for ClientError {
    fn from(e: io::Error) -> ClientError {
        ClientError::Io(e)
    }
}

/// One TLS connection to a KMIP server.
pub struct KmipClient {
    tls: TlsStream<TcpStream>,
    /// The protocol version of the messages [`KmipClient::call`] builds.
    pub version: ProtocolVersion,
}

impl KmipClient {
    /// Connects to `addr` and completes the TLS handshake; requests are KMIP 1.4.
    pub async fn connect(addr: SocketAddr, config: Arc<ClientConfig>) -> Result<KmipClient, ClientError> {
        let name = ServerName::try_from("localhost").map_err(|e| ClientError::Malformed(e.to_string()))?;
        let connect = async {
            let tcp = TcpStream::connect(addr).await?;
            tcp.set_nodelay(true)?;
            TlsConnector::from(config).connect(name, tcp).await
        };
        let tls = tokio::time::timeout(IO_TIMEOUT, connect).await.map_err(|_| ClientError::Timeout)??;
        Ok(KmipClient { tls, version: ProtocolVersion::V1_4 })
    }

    /// Sends `request` (a whole encoded message) and reads one whole response message.
    pub async fn round_trip(&mut self, request: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.write(request).await?;
        self.read().await
    }

    /// Sends `request` (a whole encoded message) without waiting for the answer.
    pub async fn write(&mut self, request: &[u8]) -> Result<(), ClientError> {
        let write = async {
            self.tls.write_all(request).await?;
            self.tls.flush().await
        };
        Ok(tokio::time::timeout(IO_TIMEOUT, write).await.map_err(|_| ClientError::Timeout)??)
    }

    /// Reads one whole response message.
    pub async fn read(&mut self) -> Result<Vec<u8>, ClientError> {
        tokio::time::timeout(IO_TIMEOUT, self.read_message()).await.map_err(|_| ClientError::Timeout)?
    }

    /// Reads one response message: the 8-byte header, then the length it announces.
    async fn read_message(&mut self) -> Result<Vec<u8>, ClientError> {
        let mut message = vec![0u8; 8];
        self.fill(&mut message, 0).await?;
        let [_, _, _, _, l0, l1, l2, l3] = message[..] else { unreachable!("8 bytes") };
        let length = u32::from_be_bytes([l0, l1, l2, l3]) as usize;
        message.resize(8 + length, 0);
        self.fill(&mut message, 8).await?;
        Ok(message)
    }

    /// Fills `buf[from..]`; an end of stream is `Closed` only at the very
    /// start of a message, `Truncated` anywhere else.
    async fn fill(&mut self, buf: &mut [u8], from: usize) -> Result<(), ClientError> {
        let mut at = from;
        while at < buf.len() {
            let n = match self.tls.read(&mut buf[at..]).await {
                Ok(n) => n,
                // A peer gone without close_notify: rustls reports it as an unexpected end.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
                Err(e) if at == 0 => return Err(ClientError::Io(e)),
                Err(_) => 0,
            };
            if n == 0 {
                return Err(if at == 0 {
                    ClientError::Closed
                } else {
                    ClientError::Truncated { got: at, expected: if at < 8 { 8 } else { buf.len() } }
                });
            }
            at += n;
        }
        Ok(())
    }

    /// Sends `message` and decodes the response.
    pub async fn send(&mut self, message: &RequestMessage) -> Result<ResponseMessage, ClientError> {
        let bytes = self.round_trip(&encode(message)).await?;
        decode_response(&bytes)
    }

    /// Sends one batch item; its payload if the server answered Success.
    pub async fn call(&mut self, payload: RequestPayload) -> Result<ResponsePayload, ClientError> {
        let response = self.send(&message(self.version, None, vec![(None, payload)])).await?;
        let [item] = <[ResponseBatchItem; 1]>::try_from(response.batch_items)
            .map_err(|items| ClientError::Malformed(format!("{} batch items for one request", items.len())))?;
        success(item)
    }

    /// Creates an AES-256 key usable to Encrypt and Decrypt; its identifier.
    pub async fn create_aes256(&mut self) -> Result<String, ClientError> {
        match self.call(create_aes256()).await? {
            ResponsePayload::Create(created) => Ok(created.unique_identifier),
            other => Err(unexpected(&other)),
        }
    }

    /// Activates `id`.
    pub async fn activate(&mut self, id: &str) -> Result<(), ClientError> {
        match self.call(activate(Some(id))).await? {
            ResponsePayload::Activate(_) => Ok(()),
            other => Err(unexpected(&other)),
        }
    }

    /// The key bytes of the symmetric key `id` (Raw).
    pub async fn get_key(&mut self, id: &str) -> Result<Zeroizing<Vec<u8>>, ClientError> {
        let payload = self.call(get(Some(id))).await?;
        key_bytes(&payload).ok_or_else(|| unexpected(&payload))
    }

    /// Every identifier in the client's key store (Locate with no filter).
    pub async fn locate_all(&mut self) -> Result<Vec<String>, ClientError> {
        match self.call(locate_all()).await? {
            ResponsePayload::Locate(found) => Ok(found.unique_identifiers),
            other => Err(unexpected(&other)),
        }
    }

    /// Encrypts `plaintext` with `id` in `mode`, the IV (nonce) left to the server.
    pub async fn encrypt(&mut self, id: &str, mode: Mode, plaintext: &[u8]) -> Result<Encrypted, ClientError> {
        let request = EncryptRequest {
            unique_identifier: Some(id.to_owned()),
            cryptographic_parameters: Some(mode.parameters()),
            data: Some(Secret::from_slice(plaintext)),
            iv_counter_nonce: None,
            correlation_value: None,
            init_indicator: None,
            final_indicator: None,
            authenticated_encryption_additional_data: mode.aad(),
        };
        match self.call(RequestPayload::Encrypt(request)).await? {
            ResponsePayload::Encrypt(e) => Ok(Encrypted {
                data: e.data.ok_or_else(|| ClientError::Malformed("Encrypt answered without Data".into()))?,
                iv: e.iv_counter_nonce,
                tag: e.authenticated_encryption_tag,
            }),
            other => Err(unexpected(&other)),
        }
    }

    /// Decrypts what [`KmipClient::encrypt`] returned.
    pub async fn decrypt(
        &mut self,
        id: &str,
        mode: Mode,
        encrypted: &Encrypted,
    ) -> Result<Zeroizing<Vec<u8>>, ClientError> {
        let request = DecryptRequest {
            unique_identifier: Some(id.to_owned()),
            cryptographic_parameters: Some(mode.parameters()),
            data: Some(encrypted.data.clone()),
            iv_counter_nonce: encrypted.iv.clone(),
            correlation_value: None,
            init_indicator: None,
            final_indicator: None,
            authenticated_encryption_additional_data: mode.aad(),
            authenticated_encryption_tag: encrypted.tag.clone(),
        };
        match self.call(RequestPayload::Decrypt(request)).await? {
            ResponsePayload::Decrypt(d) => Ok(Zeroizing::new(
                d.data.ok_or_else(|| ClientError::Malformed("Decrypt answered without Data".into()))?.expose().to_vec(),
            )),
            other => Err(unexpected(&other)),
        }
    }
}

/// The AES modes the round-trip tests use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// CBC with PKCS#5 padding.
    CbcPkcs5,
    /// GCM with a 16-byte tag and additional data.
    Gcm,
}

impl Mode {
    fn parameters(self) -> CryptographicParameters {
        let (mode, padding, tag_length) = match self {
            Mode::CbcPkcs5 => (BlockCipherMode::CBC, Some(PaddingMethod::PKCS5), None),
            Mode::Gcm => (BlockCipherMode::GCM, None, Some(16)),
        };
        CryptographicParameters {
            block_cipher_mode: Some(mode),
            padding_method: padding,
            cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
            tag_length,
            ..CryptographicParameters::none()
        }
    }

    fn aad(self) -> Option<Bytes> {
        match self {
            Mode::CbcPkcs5 => None,
            Mode::Gcm => Some(Bytes::from_static(b"coffer resilience test")),
        }
    }
}

/// What Encrypt returned: ciphertext, the server's IV, the GCM tag.
#[derive(Clone, Debug)]
pub struct Encrypted {
    /// Ciphertext.
    pub data: Bytes,
    /// IV / nonce the server chose.
    pub iv: Option<Bytes>,
    /// GCM's authentication tag.
    pub tag: Option<Bytes>,
}

/// A request message of version `v` with these items, each with its
/// Unique Batch Item ID if given; `option` is the Batch Error Continuation Option.
pub fn message(
    v: ProtocolVersion,
    option: Option<BatchErrorContinuationOption>,
    items: Vec<(Option<&[u8]>, RequestPayload)>,
) -> RequestMessage {
    let header = RequestHeader {
        batch_error_continuation_option: option,
        ..RequestHeader::new(v, i32::try_from(items.len()).unwrap())
    };
    let batch_items = items
        .into_iter()
        .map(|(id, payload)| RequestBatchItem {
            unique_batch_item_id: id.map(Bytes::copy_from_slice),
            ..RequestBatchItem::new(payload)
        })
        .collect();
    RequestMessage { header, batch_items }
}

/// `message` encoded as TTLV.
pub fn encode(message: &RequestMessage) -> Vec<u8> {
    message.encode_ttlv(Tag::RequestMessage, message.header.protocol_version).unwrap()
}

/// Decodes a whole response message with our model.
pub fn decode_response(bytes: &[u8]) -> Result<ResponseMessage, ClientError> {
    let tree = ttlv::decode(&Bytes::copy_from_slice(bytes), &ttlv::Limits::UNBOUNDED)
        .map_err(|e| ClientError::Malformed(e.to_string()))?;
    ResponseMessage::from_ttlv(&tree, ProtocolVersion::V1_0).map_err(|e| ClientError::Malformed(e.to_string()))
}

/// The payload of a successful item, or its failure.
pub fn success(item: ResponseBatchItem) -> Result<ResponsePayload, ClientError> {
    match (item.result_status, item.payload) {
        (ResultStatus::Success, Some(payload)) => Ok(payload),
        (status, _) => Err(ClientError::Failed { status, reason: item.result_reason, message: item.result_message }),
    }
}

fn unexpected(payload: &ResponsePayload) -> ClientError {
    ClientError::Malformed(format!("unexpected payload {:?}", payload.operation()))
}

/// The Raw key bytes in a Get response's symmetric key.
pub fn key_bytes(payload: &ResponsePayload) -> Option<Zeroizing<Vec<u8>>> {
    let ResponsePayload::Get(got) = payload else { return None };
    let Object::SymmetricKey(key) = &got.object else { return None };
    match &key.key_block.key_value {
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(bytes), .. }) => {
            Some(Zeroizing::new(bytes.expose().to_vec()))
        }
        _ => None,
    }
}

/// Create: an AES-256 key usable to Encrypt and Decrypt (the load tool's request).
pub fn create_aes256() -> RequestPayload {
    coffer::loadtool::requests::create()
}

/// Activate `id`, or the ID Placeholder when `None` (the load tool's
/// builders always name the object).
pub fn activate(id: Option<&str>) -> RequestPayload {
    RequestPayload::Activate(ActivateRequest { unique_identifier: id.map(str::to_owned) })
}

/// Get `id` in the default format, or the ID Placeholder's object when `None`.
pub fn get(id: Option<&str>) -> RequestPayload {
    RequestPayload::Get(GetRequest::new(id.map(str::to_owned)))
}

/// Locate with no filter: every object of the client's key store.
pub fn locate_all() -> RequestPayload {
    RequestPayload::Locate(LocateRequest {
        maximum_items: None,
        offset_items: None,
        storage_status_mask: None,
        object_group_member: None,
        attributes: Attributes::default(),
    })
}

/// Awaits every task, in order; a task that panicked fails the test.
pub async fn join_all<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}
