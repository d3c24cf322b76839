//! Get Usage Allocation (KMIP 1.4 §4.17, 2.1 §6.1.28): a client reserves
//! part of a key's Usage Limits to apply protection with it by itself.

use crate::error::Error;
use crate::kmip::payloads::{GetUsageAllocationRequest, GetUsageAllocationResponse};
use crate::kmip::table::{ObjectType, Operation, State};
use crate::operations::context::RequestContext;
use crate::operations::crypto_params::{reserve_usage, usage_left};

/// Takes the asked Usage Limits Count off the object's Usage Limits, durably,
/// with the reservation the cryptographic operations use. Only keys that can
/// apply protection (symmetric keys, private keys) and that carry Usage
/// Limits can be allocated from; an Active object only; an allocation larger
/// than what is left is Permission Denied (as a use would be, CS-BC-M-7).
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: GetUsageAllocationRequest,
) -> Result<GetUsageAllocationResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    let asked = req
        .usage_limits_count
        .ok_or_else(|| Error::MissingData("Get Usage Allocation needs a Usage Limits Count".into()))?;
    if asked <= 0 {
        return Err(Error::InvalidField(format!("Usage Limits Count must be positive, not {asked}")));
    }
    let object = ctx.load_live(&id).await?;
    let object_type = object.object_type().unwrap_or(ObjectType::Unknown(0));
    if !matches!(object_type, ObjectType::SymmetricKey | ObjectType::PrivateKey) {
        return Err(Error::WrongObjectType { id: Some(id), object_type, operation: Operation::GetUsageAllocation });
    }
    let state = object.state();
    if state != State::Active {
        return Err(Error::WrongState { id, state, operation: Operation::GetUsageAllocation });
    }
    if usage_left(&object).is_none() {
        return Err(Error::PermissionDenied(format!("object {id:?} has no Usage Limits to allocate from")));
    }
    reserve_usage(ctx, &object, Operation::GetUsageAllocation, |_| asked).await?;
    Ok(GetUsageAllocationResponse { unique_identifier: id })
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::{Attribute, UsageLimits};
    use crate::kmip::payloads::{GetUsageAllocationRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{ResultReason as R, State};
    use crate::operations::attribute_rules::harness::{Harness, V14, V21};
    use crate::operations::managed::ManagedObject;

    fn allocate(id: &str, count: Option<i64>) -> RequestPayload {
        RequestPayload::GetUsageAllocation(GetUsageAllocationRequest {
            unique_identifier: Some(id.into()),
            usage_limits_count: count,
        })
    }

    fn limited(count: i64) -> Vec<Attribute> {
        vec![Attribute::UsageLimits(UsageLimits { total: Some(100), count: Some(count), unit: None })]
    }

    fn left(object: &ManagedObject) -> Option<i64> {
        object.find(|a| match a {
            Attribute::UsageLimits(l) => l.count,
            _ => None,
        })
    }

    #[tokio::test]
    async fn an_allocation_is_taken_off_the_usage_limits_until_they_run_out() {
        for v in [V14, V21] {
            let h = Harness::new();
            let id = h.seed(State::Active, "k", limited(10)).await;
            match h.run(v, allocate(&id, Some(4))).await {
                Ok(ResponsePayload::GetUsageAllocation(r)) => assert_eq!(r.unique_identifier, id),
                other => panic!("unexpected {other:?}"),
            }
            assert_eq!(left(&h.stored(&id).await), Some(6));
            assert!(h.run(v, allocate(&id, Some(6))).await.is_ok());
            assert_eq!(left(&h.stored(&id).await), Some(0));
            assert_eq!(h.reason(v, allocate(&id, Some(1))).await, R::PermissionDenied);
            assert_eq!(left(&h.stored(&id).await), Some(0), "a refusal takes nothing");
        }
    }

    #[tokio::test]
    async fn refusals_by_version() {
        let h = Harness::new();
        let free = h.seed(State::Active, "free", vec![]).await;
        assert_eq!(h.reason(V21, allocate(&free, Some(1))).await, R::PermissionDenied, "no Usage Limits");
        let id = h.seed(State::Active, "k", limited(10)).await;
        assert_eq!(h.reason(V21, allocate(&id, None)).await, R::MissingData);
        assert_eq!(h.reason(V21, allocate(&id, Some(0))).await, R::InvalidField);
        let pre = h.seed(State::PreActive, "pre", limited(10)).await;
        assert_eq!(h.reason(V21, allocate(&pre, Some(1))).await, R::WrongKeyLifecycleState);
        assert_eq!(h.reason(V14, allocate(&pre, Some(1))).await, R::PermissionDenied);
        assert_eq!(h.reason(V21, allocate("missing", Some(1))).await, R::ObjectNotFound);
        assert_eq!(h.reason(V14, allocate("missing", Some(1))).await, R::ItemNotFound);
    }
}
