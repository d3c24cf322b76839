//! Set Attribute (KMIP 2.1 §6.1.50): a single-valued attribute's value,
//! whether it has one yet or not.

use crate::error::Error;
use crate::kmip::payloads::{SetAttributeRequest, SetAttributeResponse};
use crate::kmip::table::Operation;
use crate::operations::attribute_rules::{self as rules, display_name};
use crate::operations::context::RequestContext;

/// KMIP 2.x only (a 1.x client is told the operation is not supported).
/// Refuses what the client may not change (Attribute Read Only), a date
/// the state locks (Wrong Key Lifecycle State) and a multi-valued
/// attribute (Multi Valued Attribute: Add or Modify an instance instead).
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: SetAttributeRequest,
) -> Result<SetAttributeResponse, Error> {
    if !ctx.version.is_2x() {
        return Err(Error::OperationNotSupported(Operation::SetAttribute));
    }
    let id = ctx.resolve_id(req.unique_identifier)?;
    let now = ctx.now_kmip();
    let attribute = req.new_attribute.0;
    if rules::rule(&attribute).multi_valued {
        return Err(Error::AttributeMultiValued(display_name(&attribute)));
    }
    rules::update(ctx, &id, |object| {
        rules::check_change(object, &attribute, Operation::SetAttribute, now)?;
        object.set(attribute.clone());
        Ok(())
    })
    .await?;
    Ok(SetAttributeResponse { unique_identifier: id })
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::{Attribute, WrappedAttribute};
    use crate::kmip::payloads::{RequestPayload, SetAttributeRequest};
    use crate::kmip::table::{ResultReason, State};
    use crate::operations::attribute_rules::harness::{last_change, name, now, Harness, LONG_AGO, V14, V21};

    fn set(id: &str, attribute: Attribute) -> RequestPayload {
        RequestPayload::SetAttribute(SetAttributeRequest {
            unique_identifier: Some(id.into()),
            new_attribute: WrappedAttribute(attribute),
        })
    }

    #[tokio::test]
    async fn sets_a_single_valued_attribute_whether_present_or_not() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![]).await;
        assert!(h.run(V21, set(&id, Attribute::Comment("one".into()))).await.is_ok());
        assert!(h.run(V21, set(&id, Attribute::Comment("two".into()))).await.is_ok());
        let stored = h.stored(&id).await;
        let comments: Vec<_> = stored.attributes.iter().filter(|a| matches!(a, Attribute::Comment(_))).collect();
        assert_eq!(comments, vec![&Attribute::Comment("two".into())]);
        assert!(last_change(&stored).is_some_and(|d| d.0 > LONG_AGO.0));
    }

    #[tokio::test]
    async fn refuses_lists_read_only_and_locked_attributes_and_1x_clients() {
        let h = Harness::new();
        let id = h.seed(State::Active, "k", vec![]).await;
        assert_eq!(h.reason(V21, set(&id, name("n"))).await, ResultReason::MultiValuedAttribute);
        assert_eq!(
            h.reason(V21, set(&id, Attribute::State(State::Deactivated))).await,
            ResultReason::AttributeReadOnly
        );
        assert_eq!(
            h.reason(V21, set(&id, Attribute::ActivationDate(now()))).await,
            ResultReason::WrongKeyLifecycleState
        );
        assert_eq!(h.reason(V14, set(&id, Attribute::Comment("c".into()))).await, ResultReason::OperationNotSupported);
    }
}
