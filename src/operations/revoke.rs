//! Revoke (KMIP 1.4 §4.20, 2.1 §6.1.47): Deactivated, or Compromised by
//! reason.

use crate::error::Error;
use crate::kmip::payloads::{RevokeRequest, RevokeResponse};
use crate::lifecycle;
use crate::operations::attribute_rules::update;
use crate::operations::context::RequestContext;

/// A compromise reason makes the object Compromised (Compromise Date now,
/// Compromise Occurrence Date as given); any other reason makes a
/// Pre-Active or Active object Deactivated. The Revocation Reason is kept.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: RevokeRequest) -> Result<RevokeResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    let now = ctx.now_kmip();
    let (reason, occurred) = (req.revocation_reason, req.compromise_occurrence_date);
    update(ctx, &id, |object| lifecycle::revoke(object, reason.clone(), occurred, now)).await?;
    Ok(RevokeResponse { unique_identifier: id })
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::{Attribute, RevocationReason};
    use crate::kmip::codec::DateTime;
    use crate::kmip::payloads::{RequestPayload, RevokeRequest};
    use crate::kmip::table::{ResultReason, RevocationReasonCode, State};
    use crate::operations::attribute_rules::harness::{assert_state, find, last_change, Harness, LONG_AGO, V14, V21};

    fn revoke(id: &str, code: RevocationReasonCode, occurred: Option<DateTime>) -> RequestPayload {
        RequestPayload::Revoke(RevokeRequest {
            unique_identifier: Some(id.into()),
            revocation_reason: RevocationReason { code, message: Some("Security Breach...".into()) },
            compromise_occurrence_date: occurred,
        })
    }

    #[tokio::test]
    async fn a_compromise_makes_the_key_compromised_with_its_dates_as_in_bl_m_11() {
        let h = Harness::new();
        let id = h.seed(State::Active, "k", vec![]).await;
        let occurred = DateTime(949_413_600);
        assert!(h.run(V21, revoke(&id, RevocationReasonCode::KeyCompromise, Some(occurred))).await.is_ok());
        let stored = h.stored(&id).await;
        assert_state(&stored, State::Compromised);
        assert!(stored.attributes.contains(&Attribute::CompromiseOccurrenceDate(occurred)));
        assert!(
            find(&stored, |a| match a {
                Attribute::RevocationReason(r) => Some(r.code),
                _ => None,
            }) == Some(RevocationReasonCode::KeyCompromise)
        );
        assert!(stored.attributes.iter().any(|a| matches!(a, Attribute::CompromiseDate(_))));
        assert!(last_change(&stored).is_some_and(|d| d.0 > LONG_AGO.0));
    }

    #[tokio::test]
    async fn another_reason_deactivates_an_active_key() {
        let h = Harness::new();
        let id = h.seed(State::Active, "k", vec![]).await;
        assert!(h.run(V14, revoke(&id, RevocationReasonCode::CessationOfOperation, None)).await.is_ok());
        let stored = h.stored(&id).await;
        assert_state(&stored, State::Deactivated);
        assert!(stored.attributes.iter().any(|a| matches!(a, Attribute::DeactivationDate(_))));
        // Deactivated cannot be deactivated again, by version.
        let again = || revoke(&id, RevocationReasonCode::Superseded, None);
        assert_eq!(h.reason(V14, again()).await, ResultReason::PermissionDenied);
        assert_eq!(h.reason(V21, again()).await, ResultReason::WrongKeyLifecycleState);
        // ... but may still be found compromised.
        assert!(h.run(V21, revoke(&id, RevocationReasonCode::KeyCompromise, None)).await.is_ok());
        assert_state(&h.stored(&id).await, State::Compromised);
    }

    #[tokio::test]
    async fn a_destroyed_key_can_only_be_found_compromised() {
        let h = Harness::new();
        let id = h.seed(State::Destroyed, "k", vec![]).await;
        let payload = || revoke(&id, RevocationReasonCode::Superseded, None);
        assert_eq!(h.reason(V14, payload()).await, ResultReason::PermissionDenied);
        assert_eq!(h.reason(V21, payload()).await, ResultReason::WrongKeyLifecycleState);
        assert!(h.run(V14, revoke(&id, RevocationReasonCode::KeyCompromise, None)).await.is_ok());
        assert_state(&h.stored(&id).await, State::DestroyedCompromised);
        let again = || revoke(&id, RevocationReasonCode::KeyCompromise, None);
        assert_eq!(h.reason(V21, again()).await, ResultReason::WrongKeyLifecycleState);
    }
}
