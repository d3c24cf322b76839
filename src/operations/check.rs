//! Check (KMIP 1.4 §4.10, 2.1 §6.1.6): would the object allow this use,
//! without using it.

use crate::error::Error;
use crate::kmip::attributes::Attribute;
use crate::kmip::codec::Interval;
use crate::kmip::payloads::{CheckRequest, CheckResponse};
use crate::kmip::table::State;
use crate::operations::context::RequestContext;
use crate::operations::crypto_params::usage_left;

/// Checks each given parameter against the object: the Cryptographic Usage
/// Mask must hold every asked bit (BL-M-2/BL-M-3: Incompatible Cryptographic
/// Usage Mask in 2.x, Permission Denied in 1.x), the Usage Limits must cover
/// the asked count (as a use would: Permission Denied, CS-BC-M-7), and the
/// asked Lease Time must fit the object's (0 or none: no lease limit).
/// Nothing is consumed or changed.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: CheckRequest) -> Result<CheckResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    let object = ctx.load_live(&id).await?;
    if matches!(object.state(), State::Destroyed | State::DestroyedCompromised) {
        return Err(Error::ObjectDestroyed { id });
    }
    if let Some(asked) = req.cryptographic_usage_mask {
        let mask = object.usage_mask().unwrap_or_default();
        if !mask.contains(asked) {
            return Err(Error::UsageNotAllowed { id, usage: "the checked usage" });
        }
    }
    if let Some(asked) = req.usage_limits_count {
        if let Some(left) = usage_left(&object) {
            if asked > left {
                return Err(Error::PermissionDenied(format!(
                    "Check failed: object {id:?} has {left} of its Usage Limits left, {asked} asked"
                )));
            }
        }
    }
    if let Some(Interval(asked)) = req.lease_time {
        let lease = object.find(|a| match a {
            Attribute::LeaseTime(Interval(t)) => Some(*t),
            _ => None,
        });
        if let Some(lease) = lease.filter(|t| *t > 0) {
            if asked > lease {
                return Err(Error::PermissionDenied(format!(
                    "Check failed: object {id:?} leases for at most {lease} seconds, {asked} asked"
                )));
            }
        }
    }
    // A passed check answers the identifier alone (BL-M-3).
    Ok(CheckResponse {
        unique_identifier: id,
        usage_limits_count: None,
        cryptographic_usage_mask: None,
        lease_time: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::{Attribute, UsageLimits};
    use crate::kmip::codec::Interval;
    use crate::kmip::payloads::{CheckRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{CryptographicUsageMask as M, ResultReason as R, State};
    use crate::operations::attribute_rules::harness::{Harness, V14, V21};

    fn check(id: &str, count: Option<i64>, mask: Option<M>, lease: Option<u32>) -> RequestPayload {
        RequestPayload::Check(CheckRequest {
            unique_identifier: Some(id.into()),
            usage_limits_count: count,
            cryptographic_usage_mask: mask,
            lease_time: lease.map(Interval),
        })
    }

    async fn passes(h: &Harness, v: crate::kmip::version::ProtocolVersion, request: RequestPayload, id: &str) {
        match h.run(v, request).await {
            Ok(ResponsePayload::Check(r)) => {
                assert_eq!(r.unique_identifier, id);
                assert_eq!((r.usage_limits_count, r.cryptographic_usage_mask, r.lease_time), (None, None, None));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn usage_mask_check_as_bl_m_2_and_bl_m_3() {
        let h = Harness::new();
        // The harness seeds Encrypt | Decrypt.
        let id = h.seed(State::Active, "k", vec![]).await;
        for v in [V14, V21] {
            passes(&h, v, check(&id, None, Some(M::Decrypt), None), &id).await;
            passes(&h, v, check(&id, None, Some(M::Encrypt | M::Decrypt), None), &id).await;
        }
        let sign = check(&id, None, Some(M::Sign), None);
        assert_eq!(h.reason(V21, sign.clone()).await, R::IncompatibleCryptographicUsageMask);
        assert_eq!(h.reason(V14, sign).await, R::PermissionDenied);
    }

    #[tokio::test]
    async fn usage_limits_count_is_checked_and_not_consumed() {
        let h = Harness::new();
        let limits = UsageLimits { total: Some(100), count: Some(10), unit: None };
        let id = h.seed(State::Active, "k", vec![Attribute::UsageLimits(limits.clone())]).await;
        for v in [V14, V21] {
            passes(&h, v, check(&id, Some(10), None, None), &id).await;
            assert_eq!(h.reason(v, check(&id, Some(11), None, None)).await, R::PermissionDenied);
        }
        let left = h.stored(&id).await.find(|a| match a {
            Attribute::UsageLimits(l) => Some(l.clone()),
            _ => None,
        });
        assert_eq!(left, Some(limits), "a check takes nothing");
        // A key without Usage Limits has no count to run out of.
        let free = h.seed(State::Active, "free", vec![]).await;
        passes(&h, V21, check(&free, Some(1 << 40), None, None), &free).await;
    }

    #[tokio::test]
    async fn lease_time_fits_the_objects_lease() {
        let h = Harness::new();
        let unlimited = h.seed(State::Active, "u", vec![]).await;
        passes(&h, V21, check(&unlimited, None, None, Some(u32::MAX)), &unlimited).await;
        let leased = h.seed(State::Active, "l", vec![Attribute::LeaseTime(Interval(3600))]).await;
        for v in [V14, V21] {
            passes(&h, v, check(&leased, None, None, Some(3600)), &leased).await;
            assert_eq!(h.reason(v, check(&leased, None, None, Some(3601))).await, R::PermissionDenied);
        }
    }

    #[tokio::test]
    async fn unknown_and_destroyed_objects_are_refused_by_version() {
        let h = Harness::new();
        assert_eq!(h.reason(V21, check("missing", None, Some(M::Encrypt), None)).await, R::ObjectNotFound);
        assert_eq!(h.reason(V14, check("missing", None, Some(M::Encrypt), None)).await, R::ItemNotFound);
        let gone = h.seed(State::Destroyed, "gone", vec![]).await;
        assert_eq!(h.reason(V21, check(&gone, None, Some(M::Encrypt), None)).await, R::ObjectDestroyed);
    }
}
