//! Delete Attribute (KMIP 1.4 §4.16, 2.1 §6.1.15).

use crate::error::Error;
use crate::kmip::attributes::{AttributeReference, IndexedAttribute};
use crate::kmip::payloads::{DeleteAttributeRequest, DeleteAttributeResponse};
use crate::operations::attribute_rules::{self as rules, display_name, names};
use crate::operations::context::RequestContext;
use crate::operations::get_attributes::v1_index;

/// 1.x deletes the instance named by Attribute Name and Index (0 when
/// absent) and answers it; 2.x deletes the Current Attribute instance, or
/// every instance of the referenced attribute. Refuses an attribute the
/// client may not delete (Attribute Read Only, Permission Denied in 1.x)
/// and one the object does not have (Attribute Not Found, Item Not Found
/// in 1.x).
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: DeleteAttributeRequest,
) -> Result<DeleteAttributeResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    let v = ctx.version;
    let current = req.current_attribute.map(|c| c.0);
    let reference = req.attribute_reference;
    match (&current, &reference) {
        (Some(current), _) => rules::check_delete(current)?,
        (None, Some(reference)) => rules::check_delete_reference(reference)?,
        (None, None) => {
            return Err(Error::MissingData(
                "Delete Attribute names no attribute: give Attribute Name (1.x), Current Attribute or Attribute \
                 Reference (2.x)"
                    .into(),
            ))
        }
    }
    let not_found = |what: String| Error::AttributeNotFound(format!("object {id:?} has no {what}"));
    let answer = rules::update(ctx, &id, |object| {
        let positions: Vec<usize> = match (&current, &reference) {
            (Some(current), _) => {
                vec![object.attributes.iter().position(|a| a == current).ok_or_else(|| {
                    not_found(format!("{} with the Current Attribute's value", display_name(current)))
                })?]
            }
            (None, Some(reference)) => {
                let all: Vec<usize> =
                    object.attributes.iter().enumerate().filter(|(_, a)| names(reference, a)).map(|(i, _)| i).collect();
                let wanted = if v.is_2x() {
                    all
                } else {
                    let n = req.attribute_index.unwrap_or(0);
                    match usize::try_from(n).ok().and_then(|n| all.get(n).copied()) {
                        Some(i) => vec![i],
                        None if n == 0 => Vec::new(),
                        None => {
                            return Err(not_found(format!("{} with Attribute Index {n}", reference_name(reference))))
                        }
                    }
                };
                if wanted.is_empty() {
                    return Err(not_found(reference_name(reference)));
                }
                wanted
            }
            (None, None) => Vec::new(),
        };
        // The answer (1.x) is the first instance deleted, with its index
        // as it was before the deletion.
        let answer = positions.first().and_then(|&p| {
            object
                .attributes
                .get(p)
                .map(|a| IndexedAttribute { attribute: a.clone(), index: v1_index(&object.attributes, p, false) })
        });
        let mut i = 0;
        object.attributes.retain(|_| {
            let keep = !positions.contains(&i);
            i += 1;
            keep
        });
        Ok(answer)
    })
    .await?;
    let attribute = if v.is_2x() { None } else { answer.filter(|a| a.attribute.defined_in(v)) };
    Ok(DeleteAttributeResponse { unique_identifier: id, attribute })
}

fn reference_name(reference: &AttributeReference) -> String {
    match reference {
        AttributeReference::Name(n) => n.clone(),
        AttributeReference::Vendor { vendor, name } => format!("{vendor}:{name}"),
        AttributeReference::Tag(t) => rules::tag_name(*t),
    }
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::{Attribute, AttributeReference, IndexedAttribute, WrappedAttribute};
    use crate::kmip::payloads::{DeleteAttributeRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{ResultReason, State};
    use crate::kmip::version::ProtocolVersion;
    use crate::operations::attribute_rules::harness::{last_change, name, Harness, LONG_AGO, V14, V21};
    use crate::ttlv::Tag;

    fn delete(id: &str, reference: AttributeReference, index: Option<i32>) -> RequestPayload {
        RequestPayload::DeleteAttribute(DeleteAttributeRequest {
            unique_identifier: Some(id.into()),
            current_attribute: None,
            attribute_reference: Some(reference),
            attribute_index: index,
        })
    }

    #[tokio::test]
    async fn a_1x_client_deletes_one_instance_by_name_and_index_and_is_told_which() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "first", vec![name("second"), name("third")]).await;
        match h.run(V14, delete(&id, AttributeReference::Name("Name".into()), Some(1))).await {
            Ok(ResponsePayload::DeleteAttribute(r)) => {
                assert_eq!(r.attribute, Some(IndexedAttribute { attribute: name("second"), index: Some(1) }))
            }
            other => panic!("unexpected {other:?}"),
        }
        let stored = h.stored(&id).await;
        assert_eq!(stored.names().collect::<Vec<_>>(), vec!["first", "third"]);
        assert!(last_change(&stored).is_some_and(|d| d.0 > LONG_AGO.0));
        assert_eq!(
            h.reason(V14, delete(&id, AttributeReference::Name("Name".into()), Some(5))).await,
            ResultReason::ItemNotFound
        );
    }

    #[tokio::test]
    async fn a_2x_client_deletes_by_current_value_or_every_instance_by_reference() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "first", vec![name("second"), Attribute::Description("d".into())]).await;
        let current = RequestPayload::DeleteAttribute(DeleteAttributeRequest {
            unique_identifier: Some(id.clone()),
            current_attribute: Some(WrappedAttribute(name("second"))),
            attribute_reference: None,
            attribute_index: None,
        });
        assert!(h.run(V21, current).await.is_ok());
        assert_eq!(h.stored(&id).await.names().collect::<Vec<_>>(), vec!["first"]);
        assert!(h.run(V21, delete(&id, AttributeReference::Tag(Tag::Description), None)).await.is_ok());
        assert!(!h.stored(&id).await.attributes.iter().any(|a| matches!(a, Attribute::Description(_))));
        let again = || delete(&id, AttributeReference::Tag(Tag::Description), None);
        assert_eq!(h.reason(V21, again()).await, ResultReason::AttributeNotFound);
    }

    /// PyKMIP 0.11's 2.0 request: an Attribute Reference structure with an
    /// empty Vendor Identification and the spec name.
    #[tokio::test]
    async fn pykmip_deletes_by_a_reference_structure() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![Attribute::ContactInformation("ops@example.com".into())]).await;
        let reference = AttributeReference::Vendor { vendor: String::new(), name: "Contact Information".into() };
        assert!(h.run(ProtocolVersion::V2_0, delete(&id, reference, None)).await.is_ok());
        assert!(!h.stored(&id).await.attributes.iter().any(|a| matches!(a, Attribute::ContactInformation(_))));
        // And by 1.x name with an explicit index 0, as its 1.x request does.
        let id = h.seed(State::PreActive, "k2", vec![Attribute::ContactInformation("c".into())]).await;
        let by_name = delete(&id, AttributeReference::Name("Contact Information".into()), Some(0));
        match h.run(ProtocolVersion::V1_2, by_name).await {
            Ok(ResponsePayload::DeleteAttribute(r)) => {
                assert_eq!(r.attribute.map(|a| a.attribute), Some(Attribute::ContactInformation("c".into())))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn attributes_a_client_may_not_delete_are_read_only() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![]).await;
        for (v1, v2) in [
            ("State", Tag::State),
            ("Cryptographic Algorithm", Tag::CryptographicAlgorithm),
            ("Unique Identifier", Tag::UniqueIdentifier),
        ] {
            assert_eq!(
                h.reason(V14, delete(&id, AttributeReference::Name(v1.into()), None)).await,
                ResultReason::PermissionDenied
            );
            assert_eq!(
                h.reason(V21, delete(&id, AttributeReference::Tag(v2), None)).await,
                ResultReason::AttributeReadOnly
            );
        }
        assert_eq!(last_change(&h.stored(&id).await), Some(LONG_AGO));
    }
}
