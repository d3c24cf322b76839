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

#[cfg(test)]
mod tests {
    use crate::kmip::payloads::{RNGRetrieveRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::ResultReason as R;
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::crypto_cases::Bench;

    fn rng(n: i32) -> RequestPayload {
        RequestPayload::RNGRetrieve(RNGRetrieveRequest { data_length: n })
    }

    #[tokio::test]
    async fn returns_the_length_asked_and_different_bytes_each_time() {
        let bench = Bench::new();
        let mut seen = Vec::new();
        for _ in 0..2 {
            let item = bench.run(V::V1_4, rng(32)).await;
            let Some(ResponsePayload::RNGRetrieve(out)) = item.payload else { panic!("{item:?}") };
            assert_eq!(out.data.len(), 32);
            seen.push(out.data.expose().to_vec());
        }
        assert_ne!(seen.first(), seen.get(1));
    }

    #[tokio::test]
    async fn refuses_lengths_out_of_range() {
        let bench = Bench::new();
        for n in [0, -1, i32::MIN, (1 << 20) + 1, i32::MAX] {
            for v in [V::V1_2, V::V2_1] {
                let (reason, message) = bench.refused(v, rng(n)).await;
                assert_eq!(reason, R::InvalidField, "{n}");
                assert!(message.contains("Data Length"), "{message}");
            }
        }
        let item = bench.run(V::V2_1, rng(1 << 20)).await;
        assert!(matches!(item.payload, Some(ResponsePayload::RNGRetrieve(ref out)) if out.data.len() == 1 << 20));
    }
}
