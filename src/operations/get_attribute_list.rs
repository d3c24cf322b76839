//! Get Attribute List (KMIP 1.4 §4.13, 2.1 §6.1.26): which attributes the
//! object has.

use crate::error::Error;
use crate::kmip::attributes::{Attribute, AttributeReference};
use crate::kmip::payloads::{GetAttributeListRequest, GetAttributeListResponse};
use crate::operations::attribute_rules::{custom_v1_name, display_name};
use crate::operations::context::RequestContext;

/// Answers each attribute the object has once (however many instances),
/// by 1.x Attribute Name or 2.x Attribute Reference, leaving out those the
/// client's version does not define.
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: GetAttributeListRequest,
) -> Result<GetAttributeListResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    let object = ctx.load(&id).await?;
    let v = ctx.version;
    let mut references: Vec<AttributeReference> = Vec::new();
    for a in object.attributes.iter().filter(|a| a.defined_in(v)) {
        let reference = if v.is_2x() {
            match a {
                Attribute::Custom { vendor, name, .. } => AttributeReference::Vendor {
                    vendor: vendor.clone().unwrap_or_else(|| "x".to_owned()),
                    name: name.clone(),
                },
                other => AttributeReference::Tag(other.tag()),
            }
        } else {
            match a {
                Attribute::Custom { name, .. } => AttributeReference::Name(custom_v1_name(name)),
                other => AttributeReference::Name(display_name(other)),
            }
        };
        if !references.contains(&reference) {
            references.push(reference);
        }
    }
    Ok(GetAttributeListResponse { unique_identifier: id, attribute_references: references })
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::{Attribute, AttributeReference};
    use crate::kmip::payloads::{GetAttributeListRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{ResultReason, State};
    use crate::kmip::version::ProtocolVersion;
    use crate::operations::attribute_rules::harness::{name, Harness, V14, V21};
    use crate::ttlv::{Tag, Ttlv, Value};

    async fn list(h: &Harness, v: ProtocolVersion, id: &str) -> Vec<AttributeReference> {
        let payload = RequestPayload::GetAttributeList(GetAttributeListRequest { unique_identifier: Some(id.into()) });
        match h.run(v, payload).await {
            Ok(ResponsePayload::GetAttributeList(r)) => {
                assert_eq!(r.unique_identifier, id);
                r.attribute_references
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn seeded_extras() -> Vec<Attribute> {
        vec![
            name("second name"),
            Attribute::RotateAutomatic(true),
            Attribute::Custom {
                vendor: None,
                name: "x-purpose".into(),
                value: Ttlv::new(Tag::AttributeValue, Value::TextString("backup".into())),
            },
        ]
    }

    #[tokio::test]
    async fn a_1x_client_gets_names_once_each_without_2x_attributes() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", seeded_extras()).await;
        let got = list(&h, V14, &id).await;
        let names: Vec<String> = got
            .iter()
            .map(|r| match r {
                AttributeReference::Name(n) => n.clone(),
                other => panic!("not a 1.x name: {other:?}"),
            })
            .collect();
        assert_eq!(names.iter().filter(|n| *n == "Name").count(), 1);
        for expected in ["Unique Identifier", "Object Type", "State", "Last Change Date", "x-purpose"] {
            assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
        }
        assert!(!names.iter().any(|n| n == "Rotate Automatic"), "{names:?}");
    }

    #[tokio::test]
    async fn a_2x_client_gets_references() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", seeded_extras()).await;
        let got = list(&h, V21, &id).await;
        assert!(got.contains(&AttributeReference::Tag(Tag::RotateAutomatic)));
        assert!(got.contains(&AttributeReference::Tag(Tag::State)));
        assert_eq!(got.iter().filter(|r| **r == AttributeReference::Tag(Tag::Name)).count(), 1);
        assert!(got.iter().any(
            |r| matches!(r, AttributeReference::Vendor { vendor, name } if vendor == "x" && name.ends_with("purpose"))
        ));
    }

    #[tokio::test]
    async fn an_unknown_object_is_not_found() {
        let h = Harness::new();
        let payload =
            || RequestPayload::GetAttributeList(GetAttributeListRequest { unique_identifier: Some("nope".into()) });
        assert_eq!(h.reason(V14, payload()).await, ResultReason::ItemNotFound);
        assert_eq!(h.reason(V21, payload()).await, ResultReason::ObjectNotFound);
    }
}
