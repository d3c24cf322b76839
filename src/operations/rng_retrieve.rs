//! RNG Retrieve (KMIP 1.4 §4.35, 2.1 §6.1.48): random bytes from OpenSSL's
//! public DRBG.

use crate::crypto::rng::{random_bytes, MAX_RANDOM_LEN};
use crate::error::Error;
use crate::kmip::payloads::{RNGRetrieveRequest, RNGRetrieveResponse};
use crate::kmip::secret::Secret;
use crate::operations::context::RequestContext;

/// Returns Data Length random bytes: 1 byte to 1 MiB.
pub(crate) async fn handle(
    _ctx: &mut RequestContext<'_>,
    req: RNGRetrieveRequest,
) -> Result<RNGRetrieveResponse, Error> {
    let len = usize::try_from(req.data_length).ok().filter(|n| (1..=MAX_RANDOM_LEN).contains(n)).ok_or_else(|| {
        Error::InvalidField(format!(
            "Data Length {} is out of range: this server returns 1 to {MAX_RANDOM_LEN} bytes",
            req.data_length
        ))
    })?;
    let mut bytes = random_bytes(len)?;
    Ok(RNGRetrieveResponse { data: Secret::new(std::mem::take(&mut *bytes)) })
}
