//! Destroy (KMIP 1.4 §4.21, 2.1 §6.1.17): the key material goes, the
//! attributes stay.

use crate::error::Error;
use crate::kmip::payloads::{DestroyRequest, DestroyResponse};
use crate::lifecycle;
use crate::operations::attribute_rules::update;
use crate::operations::context::RequestContext;

/// Removes the object's material (Get then answers Object Destroyed, Item
/// Not Found in 1.x) and keeps its attributes, so Get Attributes still
/// answers (BL-M-8-21, BL-M-9-21). An Active object must be revoked first
/// (SKLC-M-2: Wrong Key Lifecycle State, Permission Denied in 1.x).
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: DestroyRequest) -> Result<DestroyResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    let now = ctx.now_kmip();
    update(ctx, &id, |object| lifecycle::destroy(object, now)).await?;
    Ok(DestroyResponse { unique_identifier: id })
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::{Attribute, AttributeReference, RevocationReason};
    use crate::kmip::codec::DateTime;
    use crate::kmip::payloads::{
        ActivateRequest, DestroyRequest, GetAttributesRequest, RequestPayload, ResponsePayload, RevokeRequest,
    };
    use crate::kmip::table::{ResultReason, ResultStatus, RevocationReasonCode, State};
    use crate::kmip::version::ProtocolVersion;
    use crate::operations::attribute_rules::harness::{assert_state, last_change, Harness, LONG_AGO, V14, V21};
    use crate::ttlv::Tag;

    fn destroy(id: &str) -> RequestPayload {
        RequestPayload::Destroy(DestroyRequest { unique_identifier: Some(id.into()) })
    }

    fn state_of(id: &str, v: ProtocolVersion) -> RequestPayload {
        let reference =
            if v.is_2x() { AttributeReference::Tag(Tag::State) } else { AttributeReference::Name("State".into()) };
        RequestPayload::GetAttributes(GetAttributesRequest {
            unique_identifier: Some(id.into()),
            attribute_references: vec![reference],
        })
    }

    /// SKLC-M-2 at 1.4 and 2.1: Activate, Destroy refused while Active,
    /// Revoke (compromise), Destroy; the attributes outlive the material.
    #[tokio::test]
    async fn the_sklc_m_2_lifecycle_by_version() {
        for (v, refused) in [(V14, ResultReason::PermissionDenied), (V21, ResultReason::WrongKeyLifecycleState)] {
            let h = Harness::new();
            let id = h.seed(State::PreActive, "SKLC-M-2", vec![]).await;
            let revoke = RequestPayload::Revoke(RevokeRequest {
                unique_identifier: Some(id.clone()),
                revocation_reason: RevocationReason { code: RevocationReasonCode::KeyCompromise, message: None },
                compromise_occurrence_date: Some(DateTime(6)),
            });
            let items = h
                .batch(
                    v,
                    vec![
                        RequestPayload::Activate(ActivateRequest { unique_identifier: Some(id.clone()) }),
                        destroy(&id),
                        revoke,
                        state_of(&id, v),
                        destroy(&id),
                        state_of(&id, v),
                    ],
                )
                .await;
            let statuses: Vec<_> = items.iter().map(|i| (i.result_status, i.result_reason)).collect();
            assert_eq!(
                statuses,
                vec![
                    (ResultStatus::Success, None),
                    (ResultStatus::OperationFailed, Some(refused)),
                    (ResultStatus::Success, None),
                    (ResultStatus::Success, None),
                    (ResultStatus::Success, None),
                    (ResultStatus::Success, None),
                ],
                "{v:?}"
            );
            let states: Vec<_> = items
                .iter()
                .filter_map(|i| match &i.payload {
                    Some(ResponsePayload::GetAttributes(r)) => r.attributes.iter().next().cloned(),
                    _ => None,
                })
                .collect();
            assert_eq!(
                states,
                vec![Attribute::State(State::Compromised), Attribute::State(State::DestroyedCompromised)]
            );
            let stored = h.stored(&id).await;
            assert!(stored.object.is_none(), "key material removed");
            assert!(stored.attributes.iter().any(|a| matches!(a, Attribute::DestroyDate(_))));
            assert!(last_change(&stored).is_some_and(|d| d.0 > LONG_AGO.0));
        }
    }

    #[tokio::test]
    async fn a_pre_active_key_is_destroyed_and_a_second_destroy_says_so_by_version() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![]).await;
        match h.run(V21, destroy(&id)).await {
            Ok(ResponsePayload::Destroy(r)) => assert_eq!(r.unique_identifier, id),
            other => panic!("unexpected {other:?}"),
        }
        assert_state(&h.stored(&id).await, State::Destroyed);
        assert_eq!(h.reason(V21, destroy(&id)).await, ResultReason::ObjectDestroyed);
        assert_eq!(h.reason(V14, destroy(&id)).await, ResultReason::ItemNotFound);
        // Get Attributes still answers (BL-M-9-21).
        match h.run(V21, state_of(&id, V21)).await {
            Ok(ResponsePayload::GetAttributes(r)) => {
                assert_eq!(r.attributes.iter().next(), Some(&Attribute::State(State::Destroyed)))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_unknown_key_is_not_found() {
        let h = Harness::new();
        assert_eq!(h.reason(V14, destroy("nope")).await, ResultReason::ItemNotFound);
        assert_eq!(h.reason(V21, destroy("nope")).await, ResultReason::ObjectNotFound);
    }
}
