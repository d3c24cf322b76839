//! Add Attribute (KMIP 1.4 §4.14, 2.1 §6.1.2): a new attribute, or a new
//! instance of a multi-valued one.

use crate::error::Error;
use crate::kmip::attributes::{Attribute, IndexedAttribute};
use crate::kmip::payloads::{AddAttributeRequest, AddAttributeResponse};
use crate::operations::attribute_rules::{self as rules, same_attribute};
use crate::operations::context::RequestContext;

/// Refuses a server-set attribute (Attribute Read Only), a second value of
/// a single-valued one (Attribute Single Valued, BL-M-5-21), a Name already
/// used (Non Unique Name Attribute, BL-M-8-21) and a date the state no
/// longer lets the client set; 1.x clients get the 1.x reasons.
/// A 1.x client is told the new instance's Attribute Index.
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: AddAttributeRequest,
) -> Result<AddAttributeResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    let now = ctx.now_kmip();
    // A 1.x request's Attribute Index is ignored: the server assigns it.
    let attribute = req.attribute.attribute;
    let taken = rules::ids_named(ctx, &attribute).await?;
    let index = rules::update(ctx, &id, |object| {
        rules::check_add(object, &attribute, now)?;
        if let (Attribute::Name(name), false) = (&attribute, taken.is_empty()) {
            return Err(Error::NonUniqueName(name.value.clone()));
        }
        let index = object.attributes.iter().filter(|a| same_attribute(a, &attribute)).count();
        object.attributes.push(attribute.clone());
        Ok(index)
    })
    .await?;
    // 2.x answers the identifier only; no client hears of an attribute its
    // version does not define, even one it sent.
    let attribute = if ctx.version.is_2x() || !attribute.defined_in(ctx.version) {
        None
    } else {
        // Index 0 is left out, as the OASIS 1.x answers do (SKFF-M-9..12, AX-M-1).
        let index = match i32::try_from(index) {
            Ok(i) if i > 0 && rules::rule(&attribute).multi_valued => Some(i),
            _ => None,
        };
        Some(IndexedAttribute { attribute, index })
    };
    Ok(AddAttributeResponse { unique_identifier: id, attribute })
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::{Attribute, IndexedAttribute};
    use crate::kmip::codec::FromTtlv;
    use crate::kmip::payloads::{AddAttributeRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{Operation, ResultReason, State};
    use crate::kmip::version::ProtocolVersion;
    use crate::operations::attribute_rules::harness::{last_change, name, now, Harness, LONG_AGO, V14, V21};
    use crate::operations::attribute_rules::same_attribute;
    use crate::ttlv::{Tag, Ttlv, Value};

    fn add(id: &str, attribute: Attribute) -> RequestPayload {
        RequestPayload::AddAttribute(AddAttributeRequest {
            unique_identifier: Some(id.into()),
            attribute: IndexedAttribute { attribute, index: None },
        })
    }

    #[tokio::test]
    async fn a_second_name_is_added_and_a_1x_client_told_its_index() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "first", vec![]).await;
        match h.run(V14, add(&id, name("second"))).await {
            Ok(ResponsePayload::AddAttribute(r)) => {
                assert_eq!(r.unique_identifier, id);
                assert_eq!(r.attribute, Some(IndexedAttribute { attribute: name("second"), index: Some(1) }));
            }
            other => panic!("unexpected {other:?}"),
        }
        let stored = h.stored(&id).await;
        assert_eq!(stored.names().collect::<Vec<_>>(), vec!["first", "second"]);
        assert!(last_change(&stored).is_some_and(|d| d.0 >= now().0 - 5), "Last Change Date moved");
        // 2.x: the response holds the identifier only.
        match h.run(V21, add(&id, name("third"))).await {
            Ok(ResponsePayload::AddAttribute(r)) => assert_eq!(r.attribute, None),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_second_value_of_a_single_valued_attribute_is_refused_as_in_bl_m_5() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![]).await;
        assert!(h.run(V21, add(&id, Attribute::Description("This is opaque".into()))).await.is_ok());
        let duplicate = || add(&id, Attribute::Description("This is opaque duplicate".into()));
        assert_eq!(h.reason(V21, duplicate()).await, ResultReason::AttributeSingleValued);
        assert_eq!(h.reason(V14, duplicate()).await, ResultReason::InvalidField);
        let stored = h.stored(&id).await;
        let descriptions: Vec<_> =
            stored.attributes.iter().filter(|a| matches!(a, Attribute::Description(_))).collect();
        assert_eq!(descriptions, vec![&Attribute::Description("This is opaque".into())]);
    }

    #[tokio::test]
    async fn server_set_attributes_are_read_only() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![]).await;
        for attribute in [Attribute::State(State::Active), Attribute::DestroyDate(now()), Attribute::InitialDate(now())]
        {
            assert_eq!(h.reason(V21, add(&id, attribute.clone())).await, ResultReason::AttributeReadOnly);
            assert_eq!(h.reason(V14, add(&id, attribute)).await, ResultReason::PermissionDenied);
        }
        assert_eq!(last_change(&h.stored(&id).await), Some(LONG_AGO), "nothing changed");
    }

    #[tokio::test]
    async fn a_name_already_used_is_refused_as_in_bl_m_8() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "BL-M-8-21", vec![]).await;
        let _other = h.seed(State::PreActive, "taken", vec![]).await;
        // Its own name, and another object's.
        for taken in ["BL-M-8-21", "taken"] {
            assert_eq!(h.reason(V21, add(&id, name(taken))).await, ResultReason::NonUniqueNameAttribute);
            assert_eq!(h.reason(V14, add(&id, name(taken))).await, ResultReason::InvalidField);
        }
        // A name used in another key store is free here.
        let _foreign = h.seed_in("other-store", State::PreActive, "theirs", vec![]).await;
        assert!(h.run(V21, add(&id, name("theirs"))).await.is_ok());
    }

    #[tokio::test]
    async fn activation_date_may_be_added_only_while_pre_active() {
        let h = Harness::new();
        let active = h.seed(State::Active, "a", vec![]).await;
        let date = || Attribute::ActivationDate(now());
        assert_eq!(h.reason(V21, add(&active, date())).await, ResultReason::WrongKeyLifecycleState);
        assert_eq!(h.reason(V14, add(&active, date())).await, ResultReason::PermissionDenied);
        let pre = h.seed(State::PreActive, "p", vec![]).await;
        assert!(h.run(V14, add(&pre, date())).await.is_ok());
    }

    #[tokio::test]
    async fn custom_x_attributes_are_added_as_vmware_does_and_unknown_names_refused() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![]).await;
        let custom = |n: &str, v: &str| Attribute::Custom {
            vendor: None,
            name: n.into(),
            value: Ttlv::new(Tag::AttributeValue, Value::TextString(v.into())),
        };
        for (i, value) in ["one", "two"].into_iter().enumerate() {
            match h.run(ProtocolVersion::V1_1, add(&id, custom("x-vmware-tag", value))).await {
                Ok(ResponsePayload::AddAttribute(r)) => {
                    assert_eq!(r.attribute.and_then(|a| a.index), i32::try_from(i).ok().filter(|i| *i > 0))
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let stored = h.stored(&id).await;
        assert_eq!(stored.attributes.iter().filter(|a| same_attribute(a, &custom("x-vmware-tag", ""))).count(), 2);
        // The model writes any custom name with its x- prefix: a client that
        // does not is built by hand.
        let bogus = Ttlv::structure(
            Tag::RequestPayload,
            vec![
                Ttlv::new(Tag::UniqueIdentifier, Value::TextString(id.clone())),
                Ttlv::structure(
                    Tag::Attribute,
                    vec![
                        Ttlv::new(Tag::AttributeName, Value::TextString("Bogus Name".into())),
                        Ttlv::new(Tag::AttributeValue, Value::TextString("v".into())),
                    ],
                ),
            ],
        );
        let bogus = RequestPayload::Other { operation: Operation::AddAttribute, raw: bogus };
        assert_eq!(h.reason(ProtocolVersion::V1_1, bogus).await, ResultReason::InvalidField);
        assert_eq!(h.reason(V14, add(&id, custom("y-server-only", "v"))).await, ResultReason::PermissionDenied);
    }

    #[test]
    fn a_2x_new_attribute_is_read_as_the_attribute_it_wraps() {
        // BL-M-5-21: NewAttribute { Description "This is opaque" }.
        let payload = Ttlv::structure(
            Tag::RequestPayload,
            vec![
                Ttlv::new(Tag::UniqueIdentifier, Value::TextString("1".into())),
                Ttlv::structure(
                    Tag::NewAttribute,
                    vec![Ttlv::new(Tag::Description, Value::TextString("This is opaque".into()))],
                ),
            ],
        );
        let request = AddAttributeRequest::from_ttlv(&payload, V21).expect("decodes");
        assert_eq!(request.attribute.attribute, Attribute::Description("This is opaque".into()));
        assert_eq!(crate::kmip::codec::ToTtlv::to_ttlv(&request, Tag::RequestPayload, V21).unwrap(), payload);
    }

    #[tokio::test]
    async fn a_client_is_not_answered_an_attribute_its_version_lacks() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![]).await;
        // Description is KMIP 1.4's; a 1.2 client that sends it anyway is not told it back.
        match h.run(ProtocolVersion::V1_2, add(&id, Attribute::Description("d".into()))).await {
            Ok(ResponsePayload::AddAttribute(r)) => assert_eq!(r.attribute, None),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Clients adding to one object at once: each Add lands, none is lost
    /// to another's write.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_adds_all_land() {
        let h = std::sync::Arc::new(Harness::new());
        let id = h.seed(State::PreActive, "k", vec![]).await;
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let (h, id) = (std::sync::Arc::clone(&h), id.clone());
                tokio::spawn(async move { h.run(V21, add(&id, Attribute::ObjectGroup(format!("g{i}")))).await })
            })
            .collect();
        for t in tasks {
            let result = t.await.expect("task");
            assert!(result.is_ok(), "{result:?}");
        }
        let stored = h.stored(&id).await;
        assert_eq!(stored.attributes.iter().filter(|a| matches!(a, Attribute::ObjectGroup(_))).count(), 8);
    }

    #[tokio::test]
    async fn the_id_placeholder_is_needed_when_no_identifier_is_given() {
        let h = Harness::new();
        let payload = RequestPayload::AddAttribute(AddAttributeRequest {
            unique_identifier: None,
            attribute: IndexedAttribute { attribute: name("n"), index: None },
        });
        assert_eq!(h.reason(V21, payload).await, ResultReason::MissingData);
    }
}
