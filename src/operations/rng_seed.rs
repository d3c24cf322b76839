//! RNG Seed (KMIP 1.4 §4.36, 2.1 §6.1.49): the client offers seed data;
//! the server answers how much of it it used, and MAY use none.

use crate::error::Error;
use crate::kmip::payloads::{RNGSeedRequest, RNGSeedResponse};
use crate::operations::context::RequestContext;

/// Accepts the request and uses none of the seed: random bytes come from
/// OpenSSL's own DRBG, which a client cannot feed (the `openssl` crate has
/// no RAND_add, and this crate has no unsafe code to call it). Data Length
/// 0 tells the client exactly that, as the OASIS case CS-RNG-O-3 shows a
/// server may; the seed is zeroized when the request is dropped.
pub(crate) async fn handle(_ctx: &mut RequestContext<'_>, req: RNGSeedRequest) -> Result<RNGSeedResponse, Error> {
    drop(req);
    Ok(RNGSeedResponse { data_length: Some(0) })
}

#[cfg(test)]
mod tests {
    use crate::kmip::payloads::{RNGSeedRequest, RequestPayload, ResponsePayload};
    use crate::kmip::secret::Secret;
    use crate::kmip::version::ProtocolVersion;
    use crate::operations::new_object::test_support::{engine, ok, one};

    #[tokio::test]
    async fn seed_data_is_accepted_and_reported_unused() {
        let engine = engine();
        for v in [ProtocolVersion::V1_2, ProtocolVersion::V1_4, ProtocolVersion::V2_1] {
            let request = RequestPayload::RNGSeed(RNGSeedRequest { data: Secret::from_slice(&[0x33; 32]) });
            match ok(one(&engine, v, request).await) {
                ResponsePayload::RNGSeed(r) => assert_eq!(r.data_length, Some(0), "{v:?}"),
                other => panic!("{v:?}: {other:?}"),
            }
        }
    }
}
