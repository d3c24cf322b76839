//! Engine-level tests of ReKey and of the background rotator on a
//! controlled clock over a real redb store.

use std::sync::Arc;

use bytes::Bytes;
use time::OffsetDateTime;

use super::*;
use crate::clock::TestClock;
use crate::kmip::attributes::IndexedAttribute;
use crate::kmip::objects::{KeyBlock, KeyMaterial, KeyValue};
use crate::kmip::payloads::{
    AddAttributeRequest, CreateRequest, DecryptRequest, EncryptRequest, GetRequest, LocateRequest, ReKeyRequest,
    RegisterRequest, RequestPayload as Rq, ResponsePayload as Rs,
};
use crate::kmip::secret::Secret;
use crate::kmip::table::{CryptographicUsageMask as Mask, ResultReason as R};
use crate::kmip::version::ProtocolVersion as V;
use crate::operations::new_object::test_support::*;
use crate::operations::{Engine, EngineLimits};
use crate::scheduler::Rotator;
use crate::store::{MasterKey, Store, StoreOptions};

const DAY: i64 = 24 * 3600;

fn aes(more: Vec<Attribute>) -> Rq {
    let mut a = vec![
        Attribute::CryptographicAlgorithm(Alg::AES),
        Attribute::CryptographicLength(256),
        Attribute::CryptographicUsageMask(Mask::Encrypt | Mask::Decrypt),
    ];
    a.extend(more);
    Rq::Create(CreateRequest {
        object_type: ObjectType::SymmetricKey,
        attributes: attrs(a),
        protection_storage_masks: None,
    })
}

fn rekey(id: &str, offset: Option<u32>, more: Vec<Attribute>) -> Rq {
    Rq::ReKey(ReKeyRequest {
        unique_identifier: Some(id.into()),
        offset: offset.map(Interval),
        attributes: (!more.is_empty()).then(|| attrs(more)),
        legacy_template: None,
        protection_storage_masks: None,
    })
}

fn id_of(payload: Rs) -> String {
    match payload {
        Rs::Create(r) => r.unique_identifier,
        Rs::ReKey(r) => r.unique_identifier,
        Rs::Register(r) => r.unique_identifier,
        Rs::Get(r) => r.unique_identifier,
        other => panic!("unexpected {other:?}"),
    }
}

async fn made(engine: &Engine, v: V, request: Rq) -> String {
    id_of(ok(one(engine, v, request).await))
}

async fn stored(engine: &Engine, id: &str) -> ManagedObject {
    let record = engine.store().get(id).await.ok().flatten().expect("stored");
    ManagedObject::from_stored(&record).expect("record")
}

fn key_bytes_of(object: &ManagedObject) -> Vec<u8> {
    match object.object.as_ref().and_then(Object::key_block).and_then(|b| b.key_value.as_ref()) {
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => b.expose().to_vec(),
        other => panic!("no key bytes: {other:?}"),
    }
}

fn links(object: &ManagedObject, t: LinkType) -> Vec<String> {
    object
        .attributes
        .iter()
        .filter_map(|a| match a {
            Attribute::Link(l) if l.link_type == t => Some(l.linked_object_identifier.clone()),
            _ => None,
        })
        .collect()
}

async fn locate_name(engine: &Engine, v: V, n: &str) -> Vec<String> {
    let req = LocateRequest {
        maximum_items: None,
        offset_items: None,
        storage_status_mask: None,
        object_group_member: None,
        attributes: attrs(vec![name(n)]),
    };
    match ok(one(engine, v, Rq::Locate(req)).await) {
        Rs::Locate(r) => r.unique_identifiers,
        other => panic!("{other:?}"),
    }
}

/// Encrypts with AES-CBC (the server makes the IV); the ciphertext and IV.
async fn encrypt(engine: &Engine, id: &str, data: &[u8]) -> (Bytes, Bytes) {
    let req = EncryptRequest::new(Some(id.into()), Some(cbc()), Secret::from_slice(data));
    match ok(one(engine, V::V1_4, Rq::Encrypt(req)).await) {
        Rs::Encrypt(r) => (r.data.expect("data"), r.iv_counter_nonce.expect("iv")),
        other => panic!("{other:?}"),
    }
}

async fn decrypt(engine: &Engine, id: &str, (data, iv): &(Bytes, Bytes)) -> Vec<u8> {
    let req = DecryptRequest {
        iv_counter_nonce: Some(iv.clone()),
        ..DecryptRequest::new(Some(id.into()), Some(cbc()), data.clone())
    };
    match ok(one(engine, V::V2_1, Rq::Decrypt(req)).await) {
        Rs::Decrypt(r) => r.data.map(|d| d.expose().to_vec()).unwrap_or_default(),
        other => panic!("{other:?}"),
    }
}

fn cbc() -> crate::kmip::attributes::CryptographicParameters {
    crate::kmip::attributes::CryptographicParameters {
        block_cipher_mode: Some(crate::kmip::table::BlockCipherMode::CBC),
        padding_method: Some(crate::kmip::table::PaddingMethod::PKCS5),
        ..crate::operations::crypto_params::none()
    }
}

fn active_since(t: i64) -> Attribute {
    Attribute::ActivationDate(DateTime(t))
}

#[tokio::test]
async fn rekey_links_versions_under_one_name_and_old_versions_keep_decrypting() {
    for v in [V::V1_4, V::V2_1] {
        let engine = engine();
        let old = made(&engine, v, aes(vec![name("disk"), active_since(1_000)])).await;
        let sealed = encrypt(&engine, &old, b"written before the rotation").await;
        let new = made(&engine, v, rekey(&old, None, vec![])).await;
        assert_ne!(old, new);

        let (o, n) = (stored(&engine, &old).await, stored(&engine, &new).await);
        assert_eq!(links(&o, LinkType::ReplacementObjectLink), vec![new.clone()]);
        assert_eq!(links(&n, LinkType::ReplacedObjectLink), vec![old.clone()]);
        assert!(links(&n, LinkType::ReplacementObjectLink).is_empty());
        assert_eq!(o.names().collect::<Vec<_>>(), vec!["disk"], "the old version keeps its Name");
        assert_eq!(n.names().collect::<Vec<_>>(), vec!["disk"], "the new version takes it over");
        assert_ne!(key_bytes_of(&o), key_bytes_of(&n), "fresh key material");
        assert_eq!((generation(&o), generation(&n)), (0, 1));
        assert!(n.attributes.contains(&Attribute::RotateLatest(true)));
        assert!(o.attributes.contains(&Attribute::RotateLatest(false)));
        assert_eq!(n.usage_mask(), o.usage_mask());
        assert_eq!(n.state(), State::Active, "the copied Activation Date has come");
        assert!(is_generated(&n));

        // Locate by Name: the newest version first.
        assert_eq!(locate_name(&engine, v, "disk").await, vec![new.clone(), old.clone()]);
        // The old version still decrypts; the new one encrypts and decrypts its own.
        assert_eq!(decrypt(&engine, &old, &sealed).await, b"written before the rotation");
        let fresh = encrypt(&engine, &new, b"after").await;
        assert_eq!(decrypt(&engine, &new, &fresh).await, b"after");

        // An unrelated object may not take the chain's Name (BL-M-8) ...
        let reason = if v.is_2x() { R::NonUniqueNameAttribute } else { R::InvalidField };
        failed(&one(&engine, v, aes(vec![name("disk")])).await, reason, "\"disk\"");
        // ... and a replaced version is not rotated a second time.
        failed(&one(&engine, v, rekey(&old, None, vec![])).await, R::PermissionDenied, &new);

        // The newest is rotated again; a Name given with ReKey is added
        // (as TC-REKEY-1-14 shows); the ID Placeholder is the new version.
        let get = GetRequest::new(None);
        let items = run(&engine, v, vec![rekey(&new, None, vec![name("disk-2")]), Rq::Get(get)]).await;
        let ids: Vec<String> = items.into_iter().map(|i| id_of(ok(i))).collect();
        let third = ids.first().cloned().unwrap_or_default();
        assert_eq!(ids.get(1), Some(&third));
        let t = stored(&engine, &third).await;
        assert_eq!(t.names().collect::<Vec<_>>(), vec!["disk", "disk-2"]);
        assert_eq!(generation(&t), 2);
        assert_eq!(locate_name(&engine, v, "disk").await, vec![third, new, old]);
    }
}

#[tokio::test]
async fn an_offset_sets_the_new_dates_from_the_old_ones() {
    let engine = engine();
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let at1 = now - 10 * DAY;
    let old =
        made(&engine, V::V1_4, aes(vec![active_since(at1), Attribute::DeactivationDate(DateTime(at1 + 400 * DAY))]))
            .await;
    let new = made(&engine, V::V1_4, rekey(&old, Some(3600), vec![])).await;
    let n = stored(&engine, &new).await;
    let at2 = n.find(|a| match a {
        Attribute::ActivationDate(d) => Some(d.0),
        _ => None,
    });
    let dt2 = n.find(|a| match a {
        Attribute::DeactivationDate(d) => Some(d.0),
        _ => None,
    });
    let at2 = at2.expect("activation date");
    assert!((now + 3600..now + 3700).contains(&at2), "{at2} is now + Offset");
    assert_eq!(dt2, Some(at2 + 400 * DAY), "the Deactivation Date keeps its distance");
    assert_eq!(n.state(), State::PreActive, "active only from now + Offset");
}

#[tokio::test]
async fn a_rotation_interval_below_30_days_is_refused_in_both_spellings() {
    let engine = engine();
    let short = Attribute::RotateInterval(Interval(29 * 24 * 3600));
    failed(&one(&engine, V::V2_1, aes(vec![short.clone()])).await, R::InvalidField, "minimum is 30 days");
    let x_short = Attribute::Custom {
        vendor: None,
        name: X_INTERVAL.into(),
        value: Ttlv::new(Tag::AttributeValue, Value::TextString("86400".into())),
    };
    failed(&one(&engine, V::V1_4, aes(vec![x_short.clone()])).await, R::InvalidField, "minimum is 30 days");
    // Set later, on an existing key, the same.
    let id = made(&engine, V::V1_4, aes(vec![])).await;
    let add = |a: Attribute| {
        Rq::AddAttribute(AddAttributeRequest {
            unique_identifier: Some(id.clone()),
            attribute: IndexedAttribute { attribute: a, index: None },
        })
    };
    failed(&one(&engine, V::V1_4, add(x_short)).await, R::InvalidField, "30 days (2592000 seconds)");
    failed(&one(&engine, V::V2_1, add(short)).await, R::InvalidField, "30 days (2592000 seconds)");
    // 0 (disabled) and 30 days are accepted.
    made(&engine, V::V2_1, aes(vec![Attribute::RotateInterval(Interval(0))])).await;
    made(&engine, V::V2_1, aes(vec![Attribute::RotateInterval(Interval(MIN_INTERVAL_SECS))])).await;
}

struct TempStore(std::path::PathBuf);

impl TempStore {
    fn new(name: &str) -> TempStore {
        let n = OffsetDateTime::now_utc().unix_timestamp_nanos();
        TempStore(std::env::temp_dir().join(format!("coffer-rotation-{name}-{}-{n}.redb", std::process::id())))
    }

    fn open(&self) -> Store {
        let key = MasterKey::from_bytes(&[0x24; 32]).expect("master key");
        Store::open(&self.0, key, StoreOptions::default()).expect("store")
    }
}

impl Drop for TempStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        // The store's write-ahead log, beside it.
        let _ = std::fs::remove_file(self.0.with_extension("wal"));
    }
}

fn on_clock(store: Store, clock: &TestClock) -> (Engine, Rotator) {
    let clock: Arc<dyn crate::clock::Clock> = Arc::new(clock.clone());
    (Engine::with_clock(store.clone(), EngineLimits::default(), Arc::clone(&clock)), Rotator::new(store, clock))
}

async fn rotated(rotator: &Rotator) -> Vec<(String, String)> {
    rotator.run_once().await.expect("pass").into_iter().map(|r| (r.old, r.new)).collect()
}

#[tokio::test]
async fn a_30_day_key_rotates_once_after_30_days_and_again_after_60_across_a_restart() {
    let file = TempStore::new("schedule");
    let t0 = OffsetDateTime::from_unix_timestamp(1_767_225_600).expect("2026-01-01");
    let clock = TestClock::at(t0);
    let (engine, rotator) = on_clock(file.open(), &clock);
    let policy = Attribute::RotateInterval(Interval(MIN_INTERVAL_SECS));
    let v0 = made(&engine, V::V2_1, aes(vec![name("db"), active_since(t0.unix_timestamp()), policy])).await;
    // The 1.x spelling schedules the same.
    let x = Attribute::Custom {
        vendor: None,
        name: X_INTERVAL.into(),
        value: Ttlv::new(Tag::AttributeValue, Value::TextString(MIN_INTERVAL_SECS.to_string())),
    };
    let legacy = made(&engine, V::V1_4, aes(vec![name("legacy"), active_since(t0.unix_timestamp()), x])).await;
    // Imported (registered) material is never rotated automatically.
    let register = Rq::Register(RegisterRequest {
        object_type: ObjectType::SymmetricKey,
        attributes: attrs(vec![
            Attribute::CryptographicUsageMask(Mask::Encrypt | Mask::Decrypt),
            Attribute::RotateInterval(Interval(MIN_INTERVAL_SECS)),
            name("imported"),
        ]),
        object: aes_object(&[7u8; 32], Some(256)),
        protection_storage_masks: None,
    });
    let imported = made(&engine, V::V2_1, register).await;
    let sealed = encrypt(&engine, &v0, b"day zero").await;

    clock.advance(time::Duration::days(29));
    assert!(rotated(&rotator).await.is_empty(), "not due before 30 days");

    clock.advance(time::Duration::days(1) + time::Duration::hours(1));
    let first = rotated(&rotator).await;
    assert_eq!(first.len(), 2, "{first:?}");
    let v1 = first.iter().find(|(old, _)| *old == v0).map(|(_, new)| new.clone()).expect("v0 rotated");
    assert!(first.iter().any(|(old, _)| *old == legacy));
    assert!(rotated(&rotator).await.is_empty(), "once, not again in the same period");
    let n1 = stored(&engine, &v1).await;
    let next = t0.unix_timestamp() + 31 * DAY + 3600 + 29 * DAY;
    assert!(n1.attributes.contains(&Attribute::RotateDate(DateTime(next))), "next date shown: {:?}", n1.attributes);
    assert_eq!(decrypt(&engine, &v0, &sealed).await, b"day zero");

    // A restart: the store closed and reopened, a new engine and rotator.
    engine.store().close().await.expect("close");
    drop((engine, rotator));
    let (engine, rotator) = on_clock(file.open(), &clock);
    assert!(rotated(&rotator).await.is_empty(), "a restart changes nothing");
    assert_eq!(locate_name(&engine, V::V2_1, "db").await, vec![v1.clone(), v0.clone()]);

    clock.set(t0 + time::Duration::days(61) + time::Duration::hours(2));
    let second = rotated(&rotator).await;
    let v2 = second.iter().find(|(old, _)| *old == v1).map(|(_, new)| new.clone()).expect("v1 rotated");
    assert_eq!(second.len(), 2, "the newest of each chain only: {second:?}");
    assert_eq!(generation(&stored(&engine, &v2).await), 2);
    assert_eq!(locate_name(&engine, V::V2_1, "db").await, vec![v2, v1, v0.clone()]);
    assert_eq!(decrypt(&engine, &v0, &sealed).await, b"day zero", "older versions keep decrypting");
    assert_eq!(locate_name(&engine, V::V2_1, "imported").await, vec![imported]);
    engine.store().close().await.expect("close");
}

#[tokio::test]
async fn a_key_that_missed_several_periods_is_rotated_once() {
    let file = TempStore::new("catch-up");
    let t0 = OffsetDateTime::from_unix_timestamp(1_767_225_600).expect("2026-01-01");
    let clock = TestClock::at(t0);
    let (engine, rotator) = on_clock(file.open(), &clock);
    let policy = Attribute::RotateInterval(Interval(MIN_INTERVAL_SECS));
    let v0 = made(&engine, V::V2_1, aes(vec![name("late"), policy, Attribute::RotateAutomatic(true)])).await;
    let off =
        vec![name("manual"), Attribute::RotateInterval(Interval(MIN_INTERVAL_SECS)), Attribute::RotateAutomatic(false)];
    made(&engine, V::V2_1, aes(off)).await;

    clock.advance(time::Duration::days(100));
    let done = rotated(&rotator).await;
    assert_eq!(done.len(), 1, "one key, once: {done:?}");
    assert_eq!(done.first().map(|(old, _)| old.clone()), Some(v0));
    assert!(rotated(&rotator).await.is_empty(), "the new version is due 30 days from now");
    clock.advance(time::Duration::days(30));
    assert_eq!(rotated(&rotator).await.len(), 1);
    engine.store().close().await.expect("close");
}

fn rotate_date(object: &ManagedObject) -> Option<i64> {
    object.find(|a| match a {
        Attribute::RotateDate(d) => Some(d.0),
        _ => None,
    })
}

#[tokio::test]
async fn the_next_rotation_date_is_shown_and_follows_a_change_of_the_interval() {
    let file = TempStore::new("shown");
    let t0 = OffsetDateTime::from_unix_timestamp(1_767_225_600).expect("2026-01-01");
    let clock = TestClock::at(t0);
    let (engine, rotator) = on_clock(file.open(), &clock);
    let id = made(&engine, V::V2_1, aes(vec![Attribute::RotateInterval(Interval(MIN_INTERVAL_SECS))])).await;
    let t = t0.unix_timestamp();
    let key = stored(&engine, &id).await;
    assert_eq!(rotate_date(&key), Some(t + 30 * DAY), "shown from creation");
    let shown = key.attributes.iter().find_map(|a| custom_value(a, Y_DATE)).map(|v| v.value.clone());
    assert_eq!(shown, Some(Value::DateTime(t + 30 * DAY)), "and to 1.x clients as {Y_DATE}");

    let set = Rq::SetAttribute(crate::kmip::payloads::SetAttributeRequest {
        unique_identifier: Some(id.clone()),
        new_attribute: crate::kmip::attributes::WrappedAttribute(Attribute::RotateInterval(Interval(
            2 * MIN_INTERVAL_SECS,
        ))),
    });
    ok(one(&engine, V::V2_1, set).await);
    clock.advance(time::Duration::days(31));
    assert!(rotated(&rotator).await.is_empty(), "now due after 60 days");
    assert_eq!(rotate_date(&stored(&engine, &id).await), Some(t + 60 * DAY), "the shown date follows");
    clock.advance(time::Duration::days(30));
    let done = rotated(&rotator).await;
    assert_eq!(done.len(), 1);
    assert_eq!(rotate_date(&stored(&engine, &id).await), None, "a replaced version is not scheduled");
    engine.store().close().await.expect("close");
}

/// Seeds an Active key pair of `spec` named `name` / `name.pub`, stored in
/// the formats Create Key Pair uses (RSA: PKCS#1; others: PKCS#8 and
/// X.509); the private key's and the public key's identifiers.
async fn seed_pair(engine: &Engine, spec: crate::crypto::asymmetric::KeyPairSpec, name_: &str) -> (String, String) {
    use crate::crypto::asymmetric::{self, KeyPairSpec};
    use crate::kmip::objects::{PrivateKey, PublicKey};
    let pair = asymmetric::generate(spec).expect("pair");
    let private = asymmetric::PrivateKey::from_der(&pair.private_pkcs8_der).expect("private");
    let (alg, bits, pf, pder, uf, uder) = match spec {
        KeyPairSpec::Rsa(bits) => (
            Alg::RSA,
            bits as i32,
            KeyFormatType::PKCS_1,
            crate::crypto::formats::to_pkcs1_private_der(&private).expect("pkcs1").to_vec(),
            KeyFormatType::PKCS_1,
            crate::crypto::formats::to_pkcs1_public_der(&private.public_key().expect("public")).expect("pkcs1"),
        ),
        _ => (
            Alg::ECDSA,
            256,
            KeyFormatType::PKCS_8,
            pair.private_pkcs8_der.to_vec(),
            KeyFormatType::X_509,
            pair.public_spki_der.clone(),
        ),
    };
    let block = |format, der: &[u8]| KeyBlock {
        key_format_type: format,
        key_compression_type: None,
        key_value: Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Secret::from_slice(der)),
            attributes: Default::default(),
        }),
        cryptographic_algorithm: Some(alg),
        cryptographic_length: Some(bits),
        key_wrapping_data: None,
    };
    let (pid, uid) = (uuid::Uuid::new_v4().to_string(), uuid::Uuid::new_v4().to_string());
    let attributes = |id: &str, t: ObjectType, n: String, mask: Mask, link: LinkType, other: &str| {
        vec![
            Attribute::UniqueIdentifier(id.into()),
            Attribute::ObjectType(t),
            Attribute::CryptographicAlgorithm(alg),
            Attribute::CryptographicLength(bits),
            Attribute::State(State::Active),
            Attribute::ActivationDate(DateTime(1_000)),
            name(&n),
            Attribute::CryptographicUsageMask(mask),
            Attribute::Link(Link { link_type: link, linked_object_identifier: other.into() }),
            Attribute::RandomNumberGenerator(crate::operations::create::rng_parameters()),
        ]
    };
    let p = ManagedObject::new(
        pid.clone(),
        "default".into(),
        Object::PrivateKey(PrivateKey { key_block: block(pf, &pder) }),
        attributes(&pid, ObjectType::PrivateKey, name_.into(), Mask::Sign, LinkType::PublicKeyLink, &uid),
    );
    let u = ManagedObject::new(
        uid.clone(),
        "default".into(),
        Object::PublicKey(PublicKey { key_block: block(uf, &uder) }),
        attributes(&uid, ObjectType::PublicKey, format!("{name_}.pub"), Mask::Verify, LinkType::PrivateKeyLink, &pid),
    );
    engine.store().commit(vec![p.change().expect("p"), u.change().expect("u")]).await.expect("seeded");
    (pid, uid)
}

#[tokio::test]
async fn rekey_key_pair_makes_a_linked_new_pair_under_the_same_names() {
    use crate::crypto::asymmetric::{Curve, KeyPairSpec};
    for (spec, format) in
        [(KeyPairSpec::Ec(Curve::P256), KeyFormatType::PKCS_8), (KeyPairSpec::Rsa(2048), KeyFormatType::PKCS_1)]
    {
        for v in [V::V1_4, V::V2_1] {
            let engine = engine();
            let (old_private, old_public) = seed_pair(&engine, spec, "signer").await;
            let (private, public) = match ok(one(&engine, v, rekey_key_pair(Some(&old_private))).await) {
                Rs::ReKeyKeyPair(r) => (r.private_key_unique_identifier, r.public_key_unique_identifier),
                other => panic!("{other:?}"),
            };
            let (op, ou, np, nu) = (
                stored(&engine, &old_private).await,
                stored(&engine, &old_public).await,
                stored(&engine, &private).await,
                stored(&engine, &public).await,
            );
            assert_eq!(links(&np, LinkType::ReplacedObjectLink), vec![old_private.clone()]);
            assert_eq!(links(&nu, LinkType::ReplacedObjectLink), vec![old_public.clone()]);
            assert_eq!(links(&op, LinkType::ReplacementObjectLink), vec![private.clone()]);
            assert_eq!(links(&ou, LinkType::ReplacementObjectLink), vec![public.clone()]);
            assert_eq!(links(&np, LinkType::PublicKeyLink), vec![public.clone()], "the new pair links itself");
            assert_eq!(links(&nu, LinkType::PrivateKeyLink), vec![private.clone()]);
            assert_eq!(links(&op, LinkType::PublicKeyLink), vec![old_public.clone()], "the old pair keeps its link");
            assert_eq!(np.names().collect::<Vec<_>>(), vec!["signer"]);
            assert_eq!(nu.names().collect::<Vec<_>>(), vec!["signer.pub"]);
            assert_eq!((generation(&np), generation(&nu)), (1, 1));
            assert_eq!(np.usage_mask(), Some(Mask::Sign));
            assert_eq!(np.object.as_ref().and_then(Object::key_block).map(|b| b.key_format_type), Some(format));
            // Fresh material, and the new public key is the new private key's.
            assert_ne!(key_bytes_of(&op), key_bytes_of(&np));
            let new_private = crate::crypto::asymmetric::PrivateKey::from_der(&key_bytes_of(&np)).expect("private");
            let derived = new_private.public_key().expect("public").to_spki_der().expect("spki");
            let stored_public = key_bytes_of(&nu);
            let spki = match format {
                KeyFormatType::PKCS_1 => crate::crypto::formats::from_pkcs1_public_der(&stored_public)
                    .expect("pkcs1")
                    .to_spki_der()
                    .expect("spki"),
                _ => stored_public,
            };
            assert_eq!(derived, spki, "the pair matches");
            assert_eq!(locate_name(&engine, v, "signer").await, vec![private.clone(), old_private.clone()]);
            // A replaced pair is not rotated again; a public key is not a private key.
            failed(&one(&engine, v, rekey_key_pair(Some(&old_private))).await, R::PermissionDenied, &private);
            let wrong = if v.is_2x() { R::IllegalObjectType } else { R::PermissionDenied };
            failed(&one(&engine, v, rekey_key_pair(Some(&public))).await, wrong, "is a PublicKey");
        }
    }
}

#[tokio::test]
async fn create_key_pair_then_rekey_key_pair_and_both_versions_sign_and_verify() {
    use crate::kmip::payloads::{CreateKeyPairRequest, SignRequest, SignatureVerifyRequest};
    for (alg, bits) in [(Alg::ECDSA, 256), (Alg::RSA, 2048)] {
        for v in [V::V1_4, V::V2_1] {
            let engine = engine();
            let ckp = Rq::CreateKeyPair(CreateKeyPairRequest {
                common_attributes: Some(attrs(vec![
                    Attribute::CryptographicAlgorithm(alg),
                    Attribute::CryptographicLength(bits),
                    active_since(1_000),
                ])),
                private_key_attributes: Some(attrs(vec![name("sig"), Attribute::CryptographicUsageMask(Mask::Sign)])),
                public_key_attributes: Some(attrs(vec![
                    name("sig.pub"),
                    Attribute::CryptographicUsageMask(Mask::Verify),
                ])),
                common_protection_storage_masks: None,
                private_protection_storage_masks: None,
                public_protection_storage_masks: None,
            });
            let (p0, u0) = match ok(one(&engine, v, ckp).await) {
                Rs::CreateKeyPair(r) => (r.private_key_unique_identifier, r.public_key_unique_identifier),
                other => panic!("{other:?}"),
            };
            let (p1, u1) = match ok(one(&engine, v, rekey_key_pair(Some(&p0))).await) {
                Rs::ReKeyKeyPair(r) => (r.private_key_unique_identifier, r.public_key_unique_identifier),
                other => panic!("{other:?}"),
            };
            let params = crate::kmip::attributes::CryptographicParameters {
                cryptographic_algorithm: Some(alg),
                hashing_algorithm: Some(crate::kmip::table::HashingAlgorithm::SHA_256),
                padding_method: (alg == Alg::RSA).then_some(crate::kmip::table::PaddingMethod::PKCS1V1_5),
                ..crate::operations::crypto_params::none()
            };
            for (p, u) in [(&p0, &u0), (&p1, &u1)] {
                let sign = Rq::Sign(SignRequest {
                    unique_identifier: Some(p.clone()),
                    cryptographic_parameters: Some(params.clone()),
                    data: Some(Bytes::from_static(b"hello")),
                    digested_data: None,
                    correlation_value: None,
                    init_indicator: None,
                    final_indicator: None,
                });
                let sig = match ok(one(&engine, v, sign).await) {
                    Rs::Sign(r) => r.signature_data.expect("sig"),
                    other => panic!("{other:?}"),
                };
                let verify = Rq::SignatureVerify(SignatureVerifyRequest {
                    unique_identifier: Some(u.clone()),
                    cryptographic_parameters: Some(params.clone()),
                    data: Some(Bytes::from_static(b"hello")),
                    digested_data: None,
                    signature_data: Some(sig),
                    correlation_value: None,
                    init_indicator: None,
                    final_indicator: None,
                });
                let r = ok(one(&engine, v, verify).await);
                assert!(
                    matches!(r, Rs::SignatureVerify(ref s) if s.validity_indicator == crate::kmip::table::ValidityIndicator::Valid),
                    "{r:?}"
                );
            }
            assert_eq!(locate_name(&engine, v, "sig").await, vec![p1.clone(), p0.clone()]);
        }
    }
}
