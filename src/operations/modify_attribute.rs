//! Modify Attribute (KMIP 1.4 §4.15, 2.1 §6.1.36): a new value for an
//! existing attribute instance.

use crate::error::Error;
use crate::kmip::attributes::{Attribute, IndexedAttribute};
use crate::kmip::payloads::{ModifyAttributeRequest, ModifyAttributeResponse};
use crate::kmip::table::Operation;
use crate::operations::attribute_rules::{self as rules, display_name, same_attribute};
use crate::operations::context::RequestContext;

/// 1.x names the instance by Attribute Name and Index (0 when absent); 2.x
/// by Current Attribute, or, when omitted, the attribute's only instance.
/// A 1.x client modifying an absent single-valued attribute sets it (see
/// below); a 2.x client has Set Attribute for that.
/// Refuses what the client may not change (Attribute Read Only, BL-M-7 and
/// BL-M-10), a date the state locks (SKLC-M-3: Wrong Key Lifecycle State,
/// Permission Denied in 1.x), a missing instance (Attribute Not Found,
/// Item Not Found in 1.x) and a Name already used.
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: ModifyAttributeRequest,
) -> Result<ModifyAttributeResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    let now = ctx.now_kmip();
    let v = ctx.version;
    let IndexedAttribute { attribute: new, index } = req.attribute;
    let current = req.current_attribute.map(|c| c.0);
    if let Some(current) = &current {
        if !same_attribute(current, &new) {
            return Err(Error::InvalidField(format!(
                "Current Attribute is {} but New Attribute is {}",
                display_name(current),
                display_name(&new)
            )));
        }
    }
    let n = usize::try_from(index.unwrap_or(0))
        .map_err(|_| Error::InvalidField(format!("Attribute Index {} is negative", index.unwrap_or(0))))?;
    let not_found = |what: String| Error::AttributeNotFound(format!("object {id:?} has no {what}"));
    let taken = rules::ids_named(ctx, &new).await?;
    let position = rules::update(ctx, &id, |object| {
        rules::check_change(object, &new, Operation::ModifyAttribute, now)?;
        let position = match &current {
            Some(current) => object
                .attributes
                .iter()
                .position(|a| a == current)
                .ok_or_else(|| not_found(format!("{} with the Current Attribute's value", display_name(&new))))?,
            None => {
                let count = object.attributes.iter().filter(|a| same_attribute(a, &new)).count();
                if v.is_2x() && count > 1 {
                    return Err(Error::MissingData(format!(
                        "object {id:?} has {count} {} attributes: Current Attribute must say which to modify",
                        display_name(&new)
                    )));
                }
                match rules::nth_instance(object, &new, n) {
                    Some(position) => position,
                    // Synology DSM (KMIP 1.2) registers Secret Data without an
                    // Activation Date, then activates it by modifying the
                    // Activation Date (KMIP 1.4 §3.22 names that way): a 1.x
                    // client's Modify of an absent single-valued attribute sets it.
                    None if n == 0 && !v.is_2x() && !rules::rule(&new).multi_valued => {
                        object.attributes.push(new.clone());
                        object.attributes.len() - 1
                    }
                    None if n == 0 => return Err(not_found(display_name(&new))),
                    None => return Err(not_found(format!("{} with Attribute Index {n}", display_name(&new)))),
                }
            }
        };
        // A Name changed to one in use (keeping its own value is no change).
        if let (Attribute::Name(name), false) = (&new, taken.is_empty()) {
            if object.attributes.get(position) != Some(&new) {
                return Err(Error::NonUniqueName(name.value.clone()));
            }
        }
        if let Some(slot) = object.attributes.get_mut(position) {
            *slot = new.clone();
        }
        Ok(crate::operations::get_attributes::v1_index(&object.attributes, position, false))
    })
    .await?;
    let attribute =
        if v.is_2x() || !new.defined_in(v) { None } else { Some(IndexedAttribute { attribute: new, index: position }) };
    Ok(ModifyAttributeResponse { unique_identifier: id, attribute })
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::{Attribute, IndexedAttribute, WrappedAttribute};
    use crate::kmip::codec::DateTime;
    use crate::kmip::payloads::{ModifyAttributeRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{ResultReason, State};
    use crate::kmip::version::ProtocolVersion;
    use crate::operations::attribute_rules::harness::{last_change, name, now, Harness, LONG_AGO, V14, V21};
    use crate::ttlv::{Tag, Ttlv, Value};

    fn modify(id: &str, attribute: Attribute, index: Option<i32>) -> RequestPayload {
        RequestPayload::ModifyAttribute(ModifyAttributeRequest {
            unique_identifier: Some(id.into()),
            current_attribute: None,
            attribute: IndexedAttribute { attribute, index },
        })
    }

    fn modify_current(id: &str, current: Attribute, new: Attribute) -> RequestPayload {
        RequestPayload::ModifyAttribute(ModifyAttributeRequest {
            unique_identifier: Some(id.into()),
            current_attribute: Some(WrappedAttribute(current)),
            attribute: IndexedAttribute { attribute: new, index: None },
        })
    }

    #[tokio::test]
    async fn activation_date_of_an_active_key_is_refused_as_in_sklc_m_3() {
        let h = Harness::new();
        let past = DateTime(now().0 - 10);
        let id = h.seed(State::Active, "k", vec![Attribute::ActivationDate(past)]).await;
        let date = || modify(&id, Attribute::ActivationDate(now()), None);
        assert_eq!(h.reason(V21, date()).await, ResultReason::WrongKeyLifecycleState);
        assert_eq!(h.reason(V14, date()).await, ResultReason::PermissionDenied);
        let (_, message) = h.run(V21, date()).await.expect_err("refused");
        assert!(message.contains("Activation Date") && message.contains("Pre-Active"), "{message}");
        assert_eq!(last_change(&h.stored(&id).await), Some(LONG_AGO));
    }

    #[tokio::test]
    async fn activation_date_of_a_pre_active_key_moves_and_the_state_follows() {
        let h = Harness::new();
        let future = DateTime(now().0 + 3600);
        let id = h.seed(State::PreActive, "k", vec![Attribute::ActivationDate(future)]).await;
        let soon = DateTime(now().0 - 1);
        assert!(h.run(V14, modify(&id, Attribute::ActivationDate(soon), None)).await.is_ok());
        let stored = h.stored(&id).await;
        assert!(stored.attributes.contains(&Attribute::ActivationDate(soon)));
        assert!(last_change(&stored).is_some_and(|d| d.0 > LONG_AGO.0));
        // The next load sees it Active.
        assert_eq!(
            h.reason(V21, modify(&id, Attribute::ActivationDate(now()), None)).await,
            ResultReason::WrongKeyLifecycleState
        );
    }

    #[tokio::test]
    async fn server_and_creation_only_attributes_are_read_only_as_in_bl_m_7_and_bl_m_10() {
        let h = Harness::new();
        let id = h
            .seed(State::Active, "k", vec![Attribute::Other(Ttlv::new(Tag::CertificateLength, Value::Integer(1043)))])
            .await;
        for attribute in [
            Attribute::State(State::Compromised),
            Attribute::Other(Ttlv::new(Tag::CertificateLength, Value::Integer(123))),
            Attribute::CryptographicLength(128),
        ] {
            assert_eq!(h.reason(V21, modify(&id, attribute.clone(), None)).await, ResultReason::AttributeReadOnly);
            assert_eq!(h.reason(V14, modify(&id, attribute, None)).await, ResultReason::PermissionDenied);
        }
    }

    #[tokio::test]
    async fn a_missing_attribute_or_instance_is_not_found() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![]).await;
        let description = || modify(&id, Attribute::Description("d".into()), None);
        assert_eq!(h.reason(V21, description()).await, ResultReason::AttributeNotFound);
        assert_eq!(h.reason(V14, modify(&id, name("n"), Some(3))).await, ResultReason::ItemNotFound);
        assert_eq!(
            h.reason(V14, modify(&id, Attribute::ObjectGroup("g".into()), None)).await,
            ResultReason::ItemNotFound
        );
        let wrong_current = modify_current(&id, name("not mine"), name("new"));
        assert_eq!(h.reason(V21, wrong_current).await, ResultReason::AttributeNotFound);
    }

    /// Synology DSM 7.2 (KMIP 1.2): Register Secret Data without an
    /// Activation Date, then Modify Attribute Activation Date to activate it.
    #[tokio::test]
    async fn a_1x_client_activates_by_modifying_an_absent_activation_date_as_synology_does() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "synology", vec![]).await;
        let at = DateTime(now().0 - 1);
        match h.run(ProtocolVersion::V1_2, modify(&id, Attribute::ActivationDate(at), None)).await {
            Ok(ResponsePayload::ModifyAttribute(r)) => {
                assert_eq!(
                    r.attribute,
                    Some(IndexedAttribute { attribute: Attribute::ActivationDate(at), index: None })
                )
            }
            other => panic!("unexpected {other:?}"),
        }
        let stored = h.stored(&id).await;
        assert!(stored.attributes.contains(&Attribute::ActivationDate(at)));
        // Loaded again, it is Active; a second Modify is refused as in SKLC-M-3.
        assert_eq!(
            h.reason(ProtocolVersion::V1_2, modify(&id, Attribute::ActivationDate(now()), None)).await,
            ResultReason::PermissionDenied
        );
        // A 2.x client is told the attribute is absent (it has Set Attribute).
        let other = h.seed(State::PreActive, "other", vec![]).await;
        let absent = modify(&other, Attribute::ActivationDate(now()), None);
        assert_eq!(h.reason(V21, absent).await, ResultReason::AttributeNotFound);
    }

    #[tokio::test]
    async fn a_1x_client_modifies_by_index_as_synology_does() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "first", vec![name("second")]).await;
        match h.run(ProtocolVersion::V1_2, modify(&id, name("renamed"), Some(1))).await {
            Ok(ResponsePayload::ModifyAttribute(r)) => {
                assert_eq!(r.attribute, Some(IndexedAttribute { attribute: name("renamed"), index: Some(1) }))
            }
            other => panic!("unexpected {other:?}"),
        }
        // No index: the first instance.
        assert!(h.run(ProtocolVersion::V1_2, modify(&id, name("first again"), None)).await.is_ok());
        assert_eq!(h.stored(&id).await.names().collect::<Vec<_>>(), vec!["first again", "renamed"]);
        // Renaming to a name in use is refused.
        assert_eq!(h.reason(V14, modify(&id, name("renamed"), None)).await, ResultReason::InvalidField);
    }

    /// TL-M-3-14: a tape library's custom attributes listed, read and
    /// modified (a Date-Time and an Integer value) by a 1.4 client.
    #[tokio::test]
    async fn a_tape_librarys_custom_attributes_as_in_tl_m_3() {
        let h = Harness::new();
        let custom = |n: &str, value: Value| Attribute::Custom {
            vendor: None,
            name: n.into(),
            value: Ttlv::new(Tag::AttributeValue, value),
        };
        let id = h
            .seed(
                State::PreActive,
                "AAAAAAA1A1AA12345678901234567",
                vec![
                    custom("x-ID", Value::TextString("TL-M-2-14".into())),
                    custom("x-Barcode", Value::TextString("XXA012A1".into())),
                    custom("x-VendorAttribute2", Value::Integer(0)),
                    custom("x-VendorAttribute3", Value::DateTime(0)),
                ],
            )
            .await;
        let stamp = now().0;
        let items = h
            .batch(
                V14,
                vec![
                    RequestPayload::GetAttributeList(crate::kmip::payloads::GetAttributeListRequest {
                        unique_identifier: Some(id.clone()),
                    }),
                    modify(&id, custom("x-VendorAttribute3", Value::DateTime(stamp)), None),
                    modify(&id, custom("x-VendorAttribute2", Value::Integer(1)), None),
                    RequestPayload::Destroy(crate::kmip::payloads::DestroyRequest {
                        unique_identifier: Some(id.clone()),
                    }),
                ],
            )
            .await;
        assert!(items.iter().all(|i| i.result_reason.is_none()), "{items:?}");
        match items.first().and_then(|i| i.payload.as_ref()) {
            Some(ResponsePayload::GetAttributeList(r)) => {
                for n in ["x-ID", "x-Barcode", "x-VendorAttribute2", "x-VendorAttribute3", "Name"] {
                    let named = crate::kmip::attributes::AttributeReference::Name(n.into());
                    assert!(r.attribute_references.contains(&named), "{n}");
                }
            }
            other => panic!("unexpected {other:?}"),
        }
        match items.get(2).and_then(|i| i.payload.as_ref()) {
            Some(ResponsePayload::ModifyAttribute(r)) => assert_eq!(
                r.attribute,
                Some(IndexedAttribute { attribute: custom("x-VendorAttribute2", Value::Integer(1)), index: None })
            ),
            other => panic!("unexpected {other:?}"),
        }
        let stored = h.stored(&id).await;
        assert!(stored.attributes.iter().any(|a| matches!(a,
            Attribute::Custom { name, value, .. } if name == "x-VendorAttribute3" && value.value == Value::DateTime(stamp))));
        assert!(stored.object.is_none());
    }

    #[tokio::test]
    async fn a_2x_client_names_the_instance_by_its_current_value() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "first", vec![name("second")]).await;
        // Two Names and no Current Attribute: which one is not guessed.
        assert_eq!(h.reason(V21, modify(&id, name("x"), None)).await, ResultReason::MissingData);
        match h.run(V21, modify_current(&id, name("second"), name("2nd"))).await {
            Ok(ResponsePayload::ModifyAttribute(r)) => assert_eq!(r.attribute, None),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(h.stored(&id).await.names().collect::<Vec<_>>(), vec!["first", "2nd"]);
        // Single-valued without Current Attribute.
        let id = h.seed(State::PreActive, "k", vec![Attribute::ContactInformation("a".into())]).await;
        assert!(h.run(V21, modify(&id, Attribute::ContactInformation("b".into()), None)).await.is_ok());
        assert!(h.stored(&id).await.attributes.contains(&Attribute::ContactInformation("b".into())));
    }
}
