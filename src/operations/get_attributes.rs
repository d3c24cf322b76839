//! Get Attributes (KMIP 1.4 §4.12, 2.1 §6.1.25): the object's attributes,
//! all of them or those named, as of now.

use crate::error::Error;
use crate::kmip::attributes::{Attribute, Attributes, IndexedAttribute};
use crate::kmip::payloads::{GetAttributesRequest, GetAttributesResponse};
use crate::operations::attribute_rules::{names, same_attribute};
use crate::operations::context::RequestContext;

/// Answers every attribute when none is named, else those named, in the
/// order asked. A name the object does not have (or that is unknown) is
/// simply not answered (BL-M-11-21 asks a key without a Name for its
/// Name). Attributes the client's version does not define are dropped by
/// the model when the response is written.
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: GetAttributesRequest,
) -> Result<GetAttributesResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    // `load` refreshes the state: the State answered is the one as of now.
    let object = ctx.load(&id).await?;
    let v = ctx.version;
    let mut picked: Vec<usize> = Vec::new();
    if req.attribute_references.is_empty() {
        picked.extend(0..object.attributes.len());
    } else {
        for reference in &req.attribute_references {
            for (i, a) in object.attributes.iter().enumerate() {
                if names(reference, a) && !picked.contains(&i) {
                    picked.push(i);
                }
            }
        }
    }
    let items = picked
        .into_iter()
        .filter_map(|i| object.attributes.get(i).map(|a| (i, a)))
        .filter(|(_, a)| a.defined_in(v))
        .map(|(i, a)| IndexedAttribute { attribute: a.clone(), index: v1_index(&object.attributes, i, v.is_2x()) })
        .collect();
    Ok(GetAttributesResponse { unique_identifier: id, attributes: Attributes { template_names: Vec::new(), items } })
}

/// The 1.x Attribute Index of the instance at `position`: its rank among
/// the instances of the same attribute, written only when not 0 (0 is what
/// an absent index means).
pub(crate) fn v1_index(attributes: &[Attribute], position: usize, is_2x: bool) -> Option<i32> {
    if is_2x {
        return None;
    }
    let this = attributes.get(position)?;
    let rank = attributes.get(..position)?.iter().filter(|a| same_attribute(a, this)).count();
    match rank {
        0 => None,
        n => i32::try_from(n).ok(),
    }
}

#[cfg(test)]
mod tests {
    use crate::kmip::attributes::{Attribute, AttributeReference};
    use crate::kmip::codec::DateTime;
    use crate::kmip::payloads::{GetAttributesRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{ResultReason, State};
    use crate::kmip::version::ProtocolVersion;
    use crate::operations::attribute_rules::harness::{name, now, Harness, V14, V21};
    use crate::operations::new_object::test_support::custom;
    use crate::ttlv::Tag;

    fn get(id: &str, refs: Vec<AttributeReference>) -> RequestPayload {
        RequestPayload::GetAttributes(GetAttributesRequest {
            unique_identifier: Some(id.into()),
            attribute_references: refs,
        })
    }

    async fn attributes(h: &Harness, v: ProtocolVersion, payload: RequestPayload) -> Vec<Attribute> {
        match h.run(v, payload).await {
            Ok(ResponsePayload::GetAttributes(r)) => r.attributes.iter().cloned().collect(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn named_attributes_come_back_in_the_order_asked_and_absent_ones_are_left_out() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![]).await;
        // 1.4 by Attribute Name, as SKLC-M-2-14 asks (Activation Date is absent).
        let refs = ["State", "Cryptographic Length", "Activation Date", "Object Type", "No Such Attribute"]
            .map(|n| AttributeReference::Name(n.into()))
            .to_vec();
        let got = attributes(&h, V14, get(&id, refs)).await;
        assert!(
            matches!(
                got.as_slice(),
                [Attribute::State(State::PreActive), Attribute::CryptographicLength(256), Attribute::ObjectType(_)]
            ),
            "{got:?}"
        );
        // 2.1 by Attribute Reference (tags).
        let refs = vec![AttributeReference::Tag(Tag::Name), AttributeReference::Tag(Tag::State)];
        let got = attributes(&h, V21, get(&id, refs)).await;
        assert_eq!(got, vec![name("k"), Attribute::State(State::PreActive)]);
    }

    #[tokio::test]
    async fn all_attributes_when_none_named_but_never_one_the_clients_version_lacks() {
        let h = Harness::new();
        let id = h
            .seed(State::PreActive, "k", vec![Attribute::RotateAutomatic(true), Attribute::Description("d".into())])
            .await;
        let all = attributes(&h, V21, get(&id, vec![])).await;
        assert!(all.contains(&Attribute::RotateAutomatic(true)));
        assert!(all.contains(&Attribute::UniqueIdentifier(id.clone())));
        let v14 = attributes(&h, V14, get(&id, vec![])).await;
        assert!(!v14.iter().any(|a| matches!(a, Attribute::RotateAutomatic(_))), "2.1-only attribute sent to 1.4");
        assert!(v14.contains(&Attribute::Description("d".into())));
        // Description is KMIP 1.4's: a 1.2 client does not hear of it, even asked by name.
        let v12 =
            attributes(&h, ProtocolVersion::V1_2, get(&id, vec![AttributeReference::Name("Description".into())])).await;
        assert!(v12.is_empty(), "{v12:?}");
        assert_eq!(all.len(), v14.len() + 1);
    }

    #[tokio::test]
    async fn the_state_answered_is_the_state_as_of_now() {
        let h = Harness::new();
        let past = DateTime(now().0 - 60);
        let id = h.seed(State::PreActive, "k", vec![Attribute::ActivationDate(past)]).await;
        let got = attributes(&h, V21, get(&id, vec![AttributeReference::Tag(Tag::State)])).await;
        assert_eq!(got, vec![Attribute::State(State::Active)]);
    }

    #[tokio::test]
    async fn custom_attributes_by_x_name_in_1x_and_by_vendor_reference_in_2x() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "k", vec![custom("x-vmware-key", "a"), custom("x-vmware-key", "b")]).await;
        let got =
            attributes(&h, ProtocolVersion::V1_1, get(&id, vec![AttributeReference::Name("x-vmware-key".into())]))
                .await;
        assert_eq!(got, vec![custom("x-vmware-key", "a"), custom("x-vmware-key", "b")]);
        let vendor = AttributeReference::Vendor { vendor: "x".into(), name: "vmware-key".into() };
        assert_eq!(attributes(&h, V21, get(&id, vec![vendor])).await.len(), 2);
    }

    #[tokio::test]
    async fn the_second_instance_carries_its_attribute_index_in_1x() {
        let h = Harness::new();
        let id = h.seed(State::PreActive, "first", vec![name("second")]).await;
        match h.run(V14, get(&id, vec![AttributeReference::Name("Name".into())])).await {
            Ok(ResponsePayload::GetAttributes(r)) => {
                let indices: Vec<_> = r.attributes.items.iter().map(|i| i.index).collect();
                assert_eq!(indices, vec![None, Some(1)]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_unknown_or_foreign_object_is_not_found_by_version() {
        let h = Harness::new();
        let foreign = h.seed_in("other-store", State::PreActive, "theirs", vec![]).await;
        for id in ["nope", foreign.as_str()] {
            assert_eq!(h.reason(V14, get(id, vec![])).await, ResultReason::ItemNotFound);
            assert_eq!(h.reason(V21, get(id, vec![])).await, ResultReason::ObjectNotFound);
        }
    }
}
