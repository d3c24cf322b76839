//! Activate (KMIP 1.4 §4.19, 2.1 §6.1.1): Pre-Active to Active.

use crate::error::Error;
use crate::kmip::payloads::{ActivateRequest, ActivateResponse};
use crate::lifecycle;
use crate::operations::attribute_rules::update;
use crate::operations::context::RequestContext;

/// Activates a Pre-Active object now (its Activation Date becomes now);
/// any other state is Wrong Key Lifecycle State (Permission Denied in 1.x).
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: ActivateRequest) -> Result<ActivateResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    let now = ctx.now_kmip();
    update(ctx, &id, |object| lifecycle::activate(object, now)).await?;
    Ok(ActivateResponse { unique_identifier: id })
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::Attribute;
    use crate::kmip::payloads::{ActivateRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{ResultReason, State};
    use crate::operations::attribute_rules::harness::{
        assert_state, find, last_change, now, Harness, LONG_AGO, V14, V21,
    };

    fn activate(id: &str) -> RequestPayload {
        RequestPayload::Activate(ActivateRequest { unique_identifier: Some(id.into()) })
    }

    #[tokio::test]
    async fn a_pre_active_key_becomes_active_now() {
        for v in [V14, V21] {
            let h = Harness::new();
            let id = h.seed(State::PreActive, "k", vec![]).await;
            let before = now();
            match h.run(v, activate(&id)).await {
                Ok(ResponsePayload::Activate(r)) => assert_eq!(r.unique_identifier, id),
                other => panic!("unexpected {other:?}"),
            }
            let stored = h.stored(&id).await;
            assert_state(&stored, State::Active);
            let date = find(&stored, |a| match a {
                Attribute::ActivationDate(d) => Some(*d),
                _ => None,
            });
            assert!(date.is_some_and(|d| d.0 >= before.0), "{date:?}");
            assert!(last_change(&stored).is_some_and(|d| d.0 > LONG_AGO.0));
        }
    }

    #[tokio::test]
    async fn any_other_state_is_refused_by_version() {
        let h = Harness::new();
        for state in [State::Active, State::Deactivated, State::Compromised, State::Destroyed] {
            let id = h.seed(state, &format!("{state:?}"), vec![]).await;
            assert_eq!(h.reason(V21, activate(&id)).await, ResultReason::WrongKeyLifecycleState);
            assert_eq!(h.reason(V14, activate(&id)).await, ResultReason::PermissionDenied);
            assert_eq!(last_change(&h.stored(&id).await), Some(LONG_AGO));
        }
        assert_eq!(h.reason(V14, activate("nope")).await, ResultReason::ItemNotFound);
        assert_eq!(h.reason(V21, activate("nope")).await, ResultReason::ObjectNotFound);
    }
}
