//! JSON answers that carry key material (an issued credential's private key
//! and PKCS#12): every copy the server makes is wiped when dropped.
//!
//! axum's `Json` serializes into a buffer that starts at 128 bytes and
//! grows, leaving each outgrown copy behind unwiped. [`SecretJson`] counts
//! the body's length first, then serializes once into a zeroizing buffer of
//! exactly that capacity (a write that would grow it fails instead), and
//! hands that very buffer to hyper as [`Bytes::from_owner`]: the last
//! reference wipes it. Out of our reach: hyper's and rustls's own write
//! buffers, which receive the bytes on their way to the socket.

use std::fmt;
use std::io;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use crate::error::ApiError;

/// A string field that holds key material: wiped on drop, redacted by
/// `Debug`, serialized as a plain JSON string.
#[derive(PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Takes `text` (moved, not copied).
    pub fn new(text: String) -> SecretString {
        SecretString(Zeroizing::new(text))
    }

    /// The text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretString([REDACTED; {} bytes])", self.0.len())
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SecretString, D::Error> {
        String::deserialize(deserializer).map(SecretString::new)
    }
}

/// A JSON body already serialized into a buffer that is wiped when the
/// last reference to it (ours, or hyper's once answered) goes.
pub struct SecretJson {
    body: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for SecretJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretJson([REDACTED; {} bytes])", self.body.len())
    }
}

impl SecretJson {
    /// Serializes `value` into a buffer of exactly its length.
    pub fn new<T: Serialize>(value: &T) -> Result<SecretJson, ApiError> {
        let mut count = Counter(0);
        serde_json::to_writer(&mut count, value).map_err(internal)?;
        let mut body = Zeroizing::new(Vec::with_capacity(count.0));
        serde_json::to_writer(FixedCapacity(&mut body), value).map_err(internal)?;
        Ok(SecretJson { body })
    }

    /// The body, as hyper sends it: the same buffer, not a copy.
    pub fn into_bytes(self) -> Bytes {
        Bytes::from_owner(self.body)
    }
}

impl IntoResponse for SecretJson {
    fn into_response(self) -> Response {
        let mut response = self.into_bytes().into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

/// A serialization failure, named by its category only: the message
/// never quotes the value.
fn internal(e: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let category = match e.classify() {
        Category::Io => "write",
        Category::Syntax => "syntax",
        Category::Data => "data",
        Category::Eof => "end of input",
    };
    ApiError::Internal(format!("serializing a JSON answer with key material failed ({category} error)"))
}

/// Counts the bytes written, keeping none.
struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 = self.0.checked_add(buf.len()).ok_or_else(|| io::Error::other("body length overflow"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Appends to a vector within its capacity: a write that would make it
/// reallocate (and leave the old buffer unwiped) fails instead.
struct FixedCapacity<'a>(&'a mut Vec<u8>);

impl io::Write for FixedCapacity<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > self.0.capacity().saturating_sub(self.0.len()) {
            return Err(io::Error::other("the body is longer than counted"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use zeroize::{Zeroize, ZeroizeOnDrop};

    use super::*;

    #[derive(Serialize)]
    struct Bundle {
        name: String,
        key_pem: SecretString,
    }

    fn bundle() -> Bundle {
        // Quotes, a backslash, newlines and non-ASCII: escapes make the body longer than the text.
        let key = "-----BEGIN PRIVATE KEY-----\nMIGH\"\\é\n-----END PRIVATE KEY-----\n".repeat(40);
        Bundle { name: "app-1".into(), key_pem: SecretString::new(key) }
    }

    fn wiped_on_drop<T: ZeroizeOnDrop>(_: &T) {}

    #[test]
    fn the_body_is_the_json_of_the_value_in_a_buffer_of_exactly_its_length() {
        let value = bundle();
        let expected = serde_json::to_vec(&value).unwrap();
        let json = SecretJson::new(&value).unwrap();
        wiped_on_drop(&json.body);
        assert_eq!(*json.body, expected);
        assert_eq!(json.body.capacity(), json.body.len(), "never grown, so never reallocated");
        let at = json.body.as_ptr();
        let bytes = json.into_bytes();
        assert_eq!(bytes.as_ptr(), at, "hyper gets the zeroizing buffer itself, not a copy");
        assert_eq!(bytes.as_ref(), expected.as_slice());
    }

    #[test]
    fn a_write_past_the_counted_length_fails_instead_of_reallocating() {
        let mut v = Vec::with_capacity(4);
        let mut w = FixedCapacity(&mut v);
        assert!(io::Write::write_all(&mut w, b"abcd").is_ok());
        assert!(io::Write::write_all(&mut w, b"e").is_err());
        assert_eq!(v, b"abcd");
        assert_eq!(v.capacity(), 4);
    }

    /// Stands for the body's buffer: records what its bytes were when wiped.
    struct Probe {
        bytes: Vec<u8>,
        seen: Arc<Mutex<Option<Vec<u8>>>>,
    }

    impl Zeroize for Probe {
        fn zeroize(&mut self) {
            self.bytes.zeroize();
            *self.seen.lock().unwrap() = Some(self.bytes.clone());
        }
    }

    impl AsRef<[u8]> for Probe {
        fn as_ref(&self) -> &[u8] {
            &self.bytes
        }
    }

    #[test]
    fn the_last_reference_to_the_sent_bytes_wipes_the_buffer() {
        let seen = Arc::new(Mutex::new(None));
        let probe = Probe { bytes: b"{\"key\":\"secret\"}".to_vec(), seen: Arc::clone(&seen) };
        // What into_bytes does, with the probe for the vector.
        let bytes = Bytes::from_owner(Zeroizing::new(probe));
        let sent = bytes.clone();
        let part = bytes.slice(8..14);
        drop(bytes);
        assert_eq!(part.as_ref(), b"secret");
        drop(part);
        assert_eq!(*seen.lock().unwrap(), None, "still referenced");
        drop(sent);
        // Zeroizing<Vec<u8>> runs the same zeroize: every byte of the capacity overwritten, then truncated.
        assert_eq!(*seen.lock().unwrap(), Some(Vec::new()), "wiped by the last drop");
    }

    #[test]
    fn debug_shows_no_secret() {
        let value = bundle();
        let len = value.key_pem.expose().len();
        assert_eq!(format!("{:?}", value.key_pem), format!("SecretString([REDACTED; {len} bytes])"));
        let json = SecretJson::new(&value).unwrap();
        assert!(!format!("{json:?}").contains("PRIVATE"));
    }

    #[tokio::test]
    async fn the_response_is_application_json_with_the_same_bytes() {
        let value = bundle();
        let response = SecretJson::new(&value).unwrap().into_response();
        assert_eq!(response.headers().get(header::CONTENT_TYPE).unwrap(), "application/json");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert_eq!(body, serde_json::to_vec(&value).unwrap());
    }
}
