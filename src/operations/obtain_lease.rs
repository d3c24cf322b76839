//! Obtain Lease (KMIP 1.4 §4.18, 2.1 §6.1.34): how long a client may use
//! its cached copy of a cryptographic object, and when it last changed.

use crate::error::Error;
use crate::kmip::attributes::Attribute;
use crate::kmip::codec::Interval;
use crate::kmip::payloads::{ObtainLeaseRequest, ObtainLeaseResponse};
use crate::kmip::table::{ObjectType, Operation, State};
use crate::operations::context::RequestContext;

/// The server's default lease when the object sets no Lease Time: zero, which
/// KMIP defines as "no lease interval is effective" (the client may use the
/// object without a lease time limit).
const DEFAULT_LEASE: Interval = Interval(0);

/// Answers the object's Lease Time (or the default) and its Last Change Date.
/// Only Managed Cryptographic Objects (keys, certificates, split keys, secret
/// data) hold a lease; a destroyed object has nothing left to cache.
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: ObtainLeaseRequest,
) -> Result<ObtainLeaseResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    let object = ctx.load_live(&id).await?;
    if matches!(object.state(), State::Destroyed | State::DestroyedCompromised) {
        return Err(Error::ObjectDestroyed { id });
    }
    let object_type = object.object_type().unwrap_or(ObjectType::Unknown(0));
    if !matches!(
        object_type,
        ObjectType::SymmetricKey
            | ObjectType::PublicKey
            | ObjectType::PrivateKey
            | ObjectType::SplitKey
            | ObjectType::Certificate
            | ObjectType::SecretData
    ) {
        return Err(Error::WrongObjectType { id: Some(id), object_type, operation: Operation::ObtainLease });
    }
    let lease_time = object
        .find(|a| match a {
            Attribute::LeaseTime(t) => Some(*t),
            _ => None,
        })
        .unwrap_or(DEFAULT_LEASE);
    let last_change_date = object.find(|a| match a {
        Attribute::LastChangeDate(d) => Some(*d),
        _ => None,
    });
    Ok(ObtainLeaseResponse { unique_identifier: id, lease_time: Some(lease_time), last_change_date })
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::Attribute;
    use crate::kmip::codec::Interval;
    use crate::kmip::payloads::{ObtainLeaseRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{ResultReason, State};
    use crate::operations::attribute_rules::harness::{Harness, LONG_AGO, V14, V21};

    fn lease(id: &str) -> RequestPayload {
        RequestPayload::ObtainLease(ObtainLeaseRequest { unique_identifier: Some(id.into()) })
    }

    #[tokio::test]
    async fn the_default_lease_is_unlimited_and_the_last_change_date_is_the_objects() {
        let h = Harness::new();
        let id = h.seed(State::Active, "k", vec![]).await;
        for v in [V14, V21] {
            match h.run(v, lease(&id)).await {
                Ok(ResponsePayload::ObtainLease(r)) => {
                    assert_eq!(r.unique_identifier, id);
                    assert_eq!(r.lease_time, Some(Interval(0)), "no lease interval is effective");
                    assert_eq!(r.last_change_date, Some(LONG_AGO));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn an_objects_own_lease_time_is_answered() {
        let h = Harness::new();
        let id = h.seed(State::Active, "k", vec![Attribute::LeaseTime(Interval(3600))]).await;
        for v in [V14, V21] {
            match h.run(v, lease(&id)).await {
                Ok(ResponsePayload::ObtainLease(r)) => assert_eq!(r.lease_time, Some(Interval(3600))),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn refusals_by_version() {
        let h = Harness::new();
        assert_eq!(h.reason(V21, lease("missing")).await, ResultReason::ObjectNotFound);
        assert_eq!(h.reason(V14, lease("missing")).await, ResultReason::ItemNotFound);
        let other = h.seed_in("other", State::Active, "theirs", vec![]).await;
        assert_eq!(h.reason(V21, lease(&other)).await, ResultReason::ObjectNotFound, "another key store's object");
        let destroyed = h.seed(State::Destroyed, "gone", vec![]).await;
        assert_eq!(h.reason(V21, lease(&destroyed)).await, ResultReason::ObjectDestroyed);
        assert_eq!(h.reason(V14, lease(&destroyed)).await, ResultReason::ItemNotFound);
    }
}
