//! Hash (KMIP 1.4 §4.37, 2.1 §6.1.27): SHA-1, SHA-224/256/384/512 and
//! SHA3-256/384/512 of the request's Data, named by the Cryptographic
//! Parameters' Hashing Algorithm. No key is involved.

use bytes::Bytes;

use crate::error::Error;
use crate::kmip::payloads::{HashRequest, HashResponse};
use crate::operations::context::RequestContext;
use crate::operations::{asym_params, crypto_params};

/// Hashes the request's Data.
pub(crate) async fn handle(_ctx: &mut RequestContext<'_>, req: HashRequest) -> Result<HashResponse, Error> {
    crypto_params::refuse_streaming(req.correlation_value.is_some(), req.init_indicator, req.final_indicator)?;
    let algorithm = req
        .cryptographic_parameters
        .hashing_algorithm
        .ok_or_else(|| Error::MissingData("Hash needs the Hashing Algorithm in the Cryptographic Parameters".into()))?;
    let digest = asym_params::digest(algorithm)?;
    let data = req.data.ok_or_else(|| Error::MissingData("Hash needs Data".into()))?;
    let out = crate::crypto::hash::hash(digest, &data).map_err(Error::Crypto)?;
    Ok(HashResponse { data: Some(Bytes::from(out)), correlation_value: None })
}
