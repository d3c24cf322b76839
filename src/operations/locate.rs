//! Locate (KMIP 1.4 §4.9, 2.1 §6.1.33): the identifiers of the client's
//! key store's objects that have every attribute the request gives.
//!
//! Matching: each attribute given must be on the object (any instance of a
//! multi-valued one); a Cryptographic Usage Mask matches when all its bits
//! are set; a date attribute given twice is an inclusive range (BL-M-4);
//! an Application Specific Information without Application Data matches
//! its namespace. Destroyed objects are not on-line storage: they are found
//! only with the 2.x Destroyed Storage bit or a State filter that names a
//! destroyed state (SKFF-M-5 expects a destroyed key not to be found).
//!
//! Order: newest first, so that a client taking the first of several
//! objects gets the latest. Located Items (1.3+, sent when the client pages)
//! is the count before Offset Items and Maximum Items. The ID Placeholder is the first
//! identifier returned (TL-M-3 follows Locate with a Get that names none).
//!
//! Only the records' attributes are decoded; their key material is not
//! parsed (the store's `list` still unseals it: a metadata-only listing or
//! an index would make Locate cheaper on large key stores).

use bytes::Bytes;

use crate::error::Error;
use crate::kmip::attributes::{ApplicationSpecificInformation, Attribute, Attributes};
use crate::kmip::codec::{DateTime, FromTtlv};
use crate::kmip::payloads::{LocateRequest, LocateResponse};
use crate::kmip::table::{ObjectGroupMember, State, StorageStatusMask};
use crate::kmip::version::ProtocolVersion;
use crate::lifecycle;
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;
use crate::store::StoredObject;
use crate::ttlv::{self, Limits, Ttlv, Value};

/// Runs Locate.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: LocateRequest) -> Result<LocateResponse, Error> {
    let offset = non_negative(req.offset_items, "Offset Items")?.unwrap_or(0);
    let maximum = non_negative(req.maximum_items, "Maximum Items")?;
    let filter = Filter::new(&req.attributes, req.storage_status_mask, req.object_group_member)?;

    let keystore = &ctx.client.keystore;
    let mut candidates: Vec<std::sync::Arc<StoredObject>> = match filter.first_name() {
        // The name index narrows the search to a few records.
        Some(name) => {
            let mut found = Vec::new();
            for id in ctx.store.ids_by_name(keystore, name).await? {
                if let Some(stored) = ctx.store.get(&id).await? {
                    found.push(stored);
                }
            }
            found
        }
        None => ctx.store.list(keystore).await?,
    };
    candidates.reverse();

    let now = ctx.now_kmip();
    let mut matched: Vec<String> = Vec::new();
    for stored in candidates.iter().filter(|s| s.keystore == *keystore) {
        let mut object = attributes_only(stored)?;
        lifecycle::refresh(&mut object, now);
        if filter.matches(&object, stored.material.is_some()) {
            matched.push(object.id);
        }
    }
    let located = i32::try_from(matched.len()).unwrap_or(i32::MAX);
    let ids: Vec<String> = matched.into_iter().skip(offset).take(maximum.unwrap_or(usize::MAX)).collect();
    ctx.id_placeholder = ids.first().cloned();
    // Located Items (1.3+) is optional; it is sent to a client that pages
    // (Maximum Items or Offset Items), the one that needs the total. The
    // OASIS cases, which do not page, expect it absent.
    let paging = req.maximum_items.is_some() || req.offset_items.is_some();
    Ok(LocateResponse {
        located_items: (ctx.version >= ProtocolVersion::V1_3 && paging).then_some(located),
        unique_identifiers: ids,
    })
}

fn non_negative(value: Option<i32>, field: &str) -> Result<Option<usize>, Error> {
    value
        .map(|v| usize::try_from(v).map_err(|_| Error::InvalidField(format!("{field} must not be negative, got {v}"))))
        .transpose()
}

/// A record's attributes (and state as of now) without its key material.
pub(crate) fn attributes_only(stored: &StoredObject) -> Result<ManagedObject, Error> {
    let corrupt = |why: String| Error::Internal(format!("record {}: {why}", stored.id));
    let meta = ttlv::decode(&Bytes::copy_from_slice(&stored.metadata), &Limits::UNBOUNDED)
        .map_err(|e| corrupt(e.to_string()))?;
    // Records are written in 2.1 (managed.rs), whatever the client's version.
    let attributes = Attributes::from_ttlv(&meta, ProtocolVersion::V2_1).map_err(|e| corrupt(e.to_string()))?;
    Ok(ManagedObject {
        id: stored.id.clone(),
        keystore: stored.keystore.clone(),
        revision: Some(stored.revision),
        attributes: attributes.iter().cloned().collect(),
        object: None,
    })
}

/// The request's criteria.
struct Filter {
    /// Attributes that must be matched one by one.
    each: Vec<Attribute>,
    /// Date ranges: (the attribute's tag, from, to), both inclusive.
    ranges: Vec<(crate::ttlv::Tag, i64, i64)>,
    /// Destroyed objects are searched too.
    destroyed: bool,
    /// On-line (not destroyed) objects are searched.
    online: bool,
    /// Only objects marked Fresh.
    fresh: bool,
}

impl Filter {
    fn new(
        attributes: &Attributes,
        mask: Option<StorageStatusMask>,
        group: Option<ObjectGroupMember>,
    ) -> Result<Filter, Error> {
        let mut each = Vec::new();
        let mut ranges = Vec::new();
        let list: Vec<&Attribute> = attributes.iter().collect();
        for (i, attribute) in list.iter().enumerate() {
            if date_of(attribute).is_none() {
                each.push((*attribute).clone());
                continue;
            }
            let same: Vec<i64> =
                list.iter().filter(|a| a.tag() == attribute.tag()).filter_map(|a| date_of(a)).map(|d| d.0).collect();
            match same.as_slice() {
                [_] => each.push((*attribute).clone()),
                [a, b] => {
                    // Record the range once, at its first instance.
                    if list.iter().position(|a| a.tag() == attribute.tag()) == Some(i) {
                        ranges.push((attribute.tag(), (*a).min(*b), (*a).max(*b)));
                    }
                }
                _ => {
                    return Err(Error::InvalidField(format!(
                        "{} is given {} times; a date is given once, or twice for a range",
                        attribute.name(),
                        same.len()
                    )))
                }
            }
        }
        let mask = mask.unwrap_or(StorageStatusMask::OnlineStorage);
        let names_destroyed =
            each.iter().any(|a| matches!(a, Attribute::State(State::Destroyed | State::DestroyedCompromised)));
        Ok(Filter {
            each,
            ranges,
            destroyed: mask.contains(StorageStatusMask::DestroyedStorage) || names_destroyed,
            online: mask.contains(StorageStatusMask::OnlineStorage),
            fresh: group == Some(ObjectGroupMember::GroupMemberFresh),
        })
    }

    /// The first Name value the filter gives, for the name index.
    fn first_name(&self) -> Option<&str> {
        self.each.iter().find_map(|a| match a {
            Attribute::Name(n) => Some(n.value.as_str()),
            _ => None,
        })
    }

    /// True when `object` (its state as of now) meets every criterion.
    fn matches(&self, object: &ManagedObject, live: bool) -> bool {
        if (live && !self.online) || (!live && !self.destroyed) {
            return false;
        }
        if self.fresh && !object.attributes.iter().any(|a| matches!(a, Attribute::Fresh(true))) {
            return false;
        }
        let in_ranges = self.ranges.iter().all(|(tag, from, to)| {
            object.attributes.iter().filter(|a| a.tag() == *tag).filter_map(date_of).any(|d| *from <= d.0 && d.0 <= *to)
        });
        in_ranges && self.each.iter().all(|wanted| has(object, wanted))
    }
}

/// The value of a Date-Time attribute.
fn date_of(attribute: &Attribute) -> Option<DateTime> {
    match attribute {
        Attribute::InitialDate(d)
        | Attribute::ActivationDate(d)
        | Attribute::ProcessStartDate(d)
        | Attribute::ProtectStopDate(d)
        | Attribute::DeactivationDate(d)
        | Attribute::DestroyDate(d)
        | Attribute::CompromiseOccurrenceDate(d)
        | Attribute::CompromiseDate(d)
        | Attribute::ArchiveDate(d)
        | Attribute::LastChangeDate(d)
        | Attribute::OriginalCreationDate(d)
        | Attribute::RotateDate(d) => Some(*d),
        _ => None,
    }
}

/// True when the object has the attribute the filter asks for.
fn has(object: &ManagedObject, wanted: &Attribute) -> bool {
    match wanted {
        Attribute::UniqueIdentifier(id) => object.id == *id,
        Attribute::ObjectType(t) => object.object_type() == Some(*t),
        Attribute::State(s) => object.state() == *s,
        Attribute::CryptographicUsageMask(m) => object.usage_mask().is_some_and(|have| have.contains(*m)),
        Attribute::ApplicationSpecificInformation(ApplicationSpecificInformation { namespace, data: None }) => object
            .attributes
            .iter()
            .any(|a| matches!(a, Attribute::ApplicationSpecificInformation(i) if i.namespace == *namespace)),
        Attribute::Custom { vendor, name, value } => object.attributes.iter().any(|a| match a {
            Attribute::Custom { vendor: v, name: n, value: x } => {
                n == name && vendor_of(v) == vendor_of(vendor) && same_value(x, value)
            }
            _ => false,
        }),
        other => object.attributes.iter().any(|a| a == other),
    }
}

/// A 1.x custom attribute (`x-...`, no vendor) is written to 2.x clients
/// with Vendor Identification `x` (attributes.rs): both spellings match.
fn vendor_of(vendor: &Option<String>) -> &str {
    vendor.as_deref().unwrap_or("x")
}

/// Custom values compare by value: their tag is Attribute Value in 1.x and
/// whatever the client chose in 2.x.
fn same_value(a: &Ttlv, b: &Ttlv) -> bool {
    match (&a.value, &b.value) {
        (Value::Structure(x), Value::Structure(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.tag == q.tag && same_value(p, q))
        }
        (x, y) => x == y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmip::attributes::Name;
    use crate::kmip::payloads::{CreateRequest, GetRequest, RequestPayload as Rq, ResponsePayload as Rs};
    use crate::kmip::table::{
        CryptographicAlgorithm as Alg, CryptographicUsageMask as Mask, NameType, ObjectType, ResultReason as R,
    };
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::new_object::test_support::*;
    use crate::operations::Engine;
    use crate::ttlv::Tag;

    fn locate(attributes: Vec<Attribute>) -> LocateRequest {
        LocateRequest {
            maximum_items: None,
            offset_items: None,
            storage_status_mask: None,
            object_group_member: None,
            attributes: attrs(attributes),
        }
    }

    async fn found(engine: &Engine, v: V, req: LocateRequest) -> (Option<i32>, Vec<String>) {
        match ok(one(engine, v, Rq::Locate(req)).await) {
            Rs::Locate(r) => (r.located_items, r.unique_identifiers),
            other => panic!("{other:?}"),
        }
    }

    async fn create(engine: &Engine, bits: i32, mask: Mask, more: Vec<Attribute>) -> String {
        let mut attributes = vec![
            Attribute::CryptographicAlgorithm(Alg::AES),
            Attribute::CryptographicLength(bits),
            Attribute::CryptographicUsageMask(mask),
        ];
        attributes.extend(more);
        let request = Rq::Create(CreateRequest {
            object_type: ObjectType::SymmetricKey,
            attributes: attrs(attributes),
            protection_storage_masks: None,
        });
        match ok(one(engine, V::V1_4, request).await) {
            Rs::Create(r) => r.unique_identifier,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn filters_on_each_attribute_in_every_version_shape() {
        let engine = engine();
        let a = create(&engine, 128, Mask::Encrypt | Mask::Decrypt, vec![name("a"), custom("x-tier", "gold")]).await;
        let b = create(&engine, 256, Mask::Encrypt, vec![name("b"), Attribute::ObjectGroup("g".into())]).await;
        let s =
            register(&engine, V::V2_1, aes_object(&[1; 16], Some(128)), vec![Attribute::ActivationDate(DateTime(10))])
                .await;
        for v in SHAPES {
            let cases: Vec<(Vec<Attribute>, Vec<&String>)> = vec![
                (vec![], vec![&s, &b, &a]),
                (vec![name("a")], vec![&a]),
                (vec![Attribute::Name(Name { value: "a".into(), name_type: NameType::URI })], vec![]),
                (vec![name("nobody")], vec![]),
                (vec![Attribute::ObjectType(ObjectType::SymmetricKey)], vec![&s, &b, &a]),
                (vec![Attribute::ObjectType(ObjectType::SecretData)], vec![]),
                (vec![Attribute::CryptographicAlgorithm(Alg::AES), Attribute::CryptographicLength(128)], vec![&s, &a]),
                (vec![Attribute::CryptographicLength(256)], vec![&b]),
                (vec![Attribute::State(State::Active)], vec![&s]),
                (vec![Attribute::State(State::PreActive)], vec![&b, &a]),
                (vec![Attribute::ObjectGroup("g".into())], vec![&b]),
                (vec![Attribute::CryptographicUsageMask(Mask::Encrypt)], vec![&b, &a]),
                (vec![Attribute::CryptographicUsageMask(Mask::Decrypt)], vec![&a]),
                (vec![custom("x-tier", "gold")], vec![&a]),
                (vec![custom("x-tier", "silver")], vec![]),
                (vec![Attribute::UniqueIdentifier(b.clone())], vec![&b]),
                (vec![Attribute::ContactInformation("nobody has one".into())], vec![]),
                (vec![Attribute::ActivationDate(DateTime(0)), Attribute::ActivationDate(DateTime(20))], vec![&s]),
                (vec![Attribute::ActivationDate(DateTime(11)), Attribute::ActivationDate(DateTime(20))], vec![]),
            ];
            for (filter, expected) in cases {
                let (located, ids) = found(&engine, v, locate(filter.clone())).await;
                assert_eq!(ids.iter().collect::<Vec<_>>(), expected, "{v:?} {filter:?}");
                assert_eq!(located, None, "no Located Items unless the client pages");
                let mut paged = locate(filter.clone());
                paged.maximum_items = Some(100);
                let count = i32::try_from(expected.len()).unwrap_or(0);
                let (located, _) = found(&engine, v, paged).await;
                assert_eq!(located, (v >= V::V1_3).then_some(count), "Located Items in {v:?}");
            }
        }
    }

    #[tokio::test]
    async fn offset_and_maximum_items_page_newest_first_and_located_items_counts_all() {
        let engine = engine();
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(create(&engine, 128, Mask::Encrypt, vec![]).await);
        }
        ids.reverse();
        let mut req = locate(vec![]);
        req.offset_items = Some(1);
        req.maximum_items = Some(2);
        let (located, page) = found(&engine, V::V1_4, req.clone()).await;
        assert_eq!(located, Some(5));
        assert_eq!(page, ids.get(1..3).map(<[String]>::to_vec).unwrap_or_default());
        req.offset_items = Some(9);
        assert_eq!(found(&engine, V::V2_1, req.clone()).await, (Some(5), vec![]));
        req.offset_items = Some(-1);
        failed(&one(&engine, V::V2_1, Rq::Locate(req)).await, R::InvalidField, "Offset Items");
        let mut req = locate(vec![]);
        req.maximum_items = Some(-3);
        failed(&one(&engine, V::V1_3, Rq::Locate(req)).await, R::InvalidField, "Maximum Items");
        let mut three_dates = locate(vec![Attribute::InitialDate(DateTime(1)); 3]);
        three_dates.maximum_items = None;
        failed(&one(&engine, V::V1_4, Rq::Locate(three_dates)).await, R::InvalidField, "Initial Date");
    }

    #[tokio::test]
    async fn a_name_finds_exactly_one_and_sets_the_id_placeholder_for_get() {
        // pg_tde and Ceph: Locate by Name, then Get; TL-M-3: Get without an identifier.
        let engine = engine();
        let id = register(&engine, V::V2_1, aes_object(&[5; 32], Some(256)), vec![name("tde-key")]).await;
        register(&engine, V::V2_1, aes_object(&[6; 32], Some(256)), vec![name("other")]).await;
        let get = Rq::Get(GetRequest { unique_identifier: None, ..get("") });
        let items = run(&engine, V::V1_0, vec![Rq::Locate(locate(vec![name("tde-key")])), get]).await;
        let mut items = items.into_iter();
        match items.next().map(ok) {
            Some(Rs::Locate(r)) => {
                assert_eq!(r.unique_identifiers, vec![id.clone()]);
                assert_eq!(r.located_items, None, "1.0 has no Located Items");
            }
            other => panic!("{other:?}"),
        }
        match items.next().map(ok) {
            Some(Rs::Get(r)) => assert_eq!(r.object, aes_object(&[5; 32], Some(256))),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn another_key_stores_objects_and_destroyed_ones_are_not_found() {
        let engine = engine();
        let id = create(&engine, 128, Mask::Encrypt, vec![name("shared")]).await;
        let other = client_of("other");
        let items = run_as(&engine, &other, V::V2_1, vec![Rq::Locate(locate(vec![name("shared")]))]).await;
        match items.into_iter().next().map(ok) {
            Some(Rs::Locate(r)) => assert!(r.unique_identifiers.is_empty()),
            other => panic!("{other:?}"),
        }
        let stored = engine.store().get(&id).await.ok().flatten().expect("stored");
        let mut object = ManagedObject::from_stored(&stored).expect("record");
        object.object = None;
        object.set(Attribute::State(State::Destroyed));
        engine.store().commit(vec![object.change().expect("change")]).await.expect("commit");
        // SKFF-M-5: a destroyed key is not found by its identifier.
        assert_eq!(found(&engine, V::V1_4, locate(vec![Attribute::UniqueIdentifier(id.clone())])).await.1.len(), 0);
        // Found when asked for: 2.x Destroyed Storage, or its state.
        let mut req = locate(vec![name("shared")]);
        req.storage_status_mask = Some(StorageStatusMask::DestroyedStorage);
        assert_eq!(found(&engine, V::V2_1, req).await.1, vec![id.clone()]);
        let (_, ids) = found(&engine, V::V1_4, locate(vec![Attribute::State(State::Destroyed)])).await;
        assert_eq!(ids, vec![id]);
        // Nothing is archived (Archive is not implemented): archival storage holds nothing.
        let live = create(&engine, 128, Mask::Encrypt, vec![]).await;
        let mut archived = locate(vec![]);
        archived.storage_status_mask = Some(StorageStatusMask::ArchivalStorage);
        assert_eq!(found(&engine, V::V1_4, archived).await.1, Vec::<String>::new());
        assert_eq!(found(&engine, V::V1_4, locate(vec![])).await.1, vec![live]);
    }

    #[tokio::test]
    async fn a_1x_custom_attribute_is_found_by_a_2x_vendor_attribute() {
        let engine = engine();
        let id = create(&engine, 128, Mask::Encrypt, vec![custom("x-vm", "vm-42")]).await;
        let vendor = Attribute::Custom {
            vendor: Some("x".into()),
            name: "x-vm".into(),
            value: Ttlv::new(Tag::AttributeValue, Value::TextString("vm-42".into())),
        };
        assert_eq!(found(&engine, V::V2_1, locate(vec![vendor])).await.1, vec![id]);
    }
}
