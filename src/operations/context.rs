//! What every handler is given: who is asking, in which protocol version,
//! the store, the clock, and the batch's ID Placeholder.

use std::sync::{Arc, Mutex, OnceLock};

use crate::auth::ClientIdentity;
use crate::clock::Timestamp;
use crate::crypto::symmetric::AesKey;
use crate::error::Error;
use crate::kmip::attributes::Attribute;
use crate::kmip::codec::DateTime;
use crate::kmip::table::{CryptographicAlgorithm, CryptographicUsageMask, ObjectType};
use crate::kmip::version::ProtocolVersion;
use crate::lifecycle;
use crate::operations::managed::ManagedObject;
use crate::stats::{ObjectUsage, UsageKind};
use crate::store::{Change, Decoded, Store, StoredObject};

/// The context of one batch item (and, for the placeholder, of its batch).
pub struct RequestContext<'a> {
    /// The store.
    pub store: &'a Store,
    /// The authenticated client.
    pub client: &'a ClientIdentity,
    /// The request's protocol version: it governs what is written back.
    pub version: ProtocolVersion,
    /// When the request is handled (one time for the whole batch).
    pub now: Timestamp,
    /// The ID Placeholder: the Unique Identifier the last batch item that
    /// produced one returned, used by items that name none.
    pub id_placeholder: Option<String>,
    /// What the batch has written, kept only when it may have to be undone
    /// (Batch Error Continuation Option Undo).
    pub undo: UndoLog,
}

/// The objects a batch wrote, each with its record before the batch's
/// first write (None: the batch created it) and its revision after the
/// last: enough to put everything back in one commit.
#[derive(Default)]
pub struct UndoLog(Mutex<Option<Vec<Written>>>);

/// One object an Undo batch wrote.
pub(crate) struct Written {
    pub(crate) id: String,
    pub(crate) before: Option<Arc<StoredObject>>,
    pub(crate) after: u64,
}

impl UndoLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Vec<Written>>> {
        // A poisoned log still holds what was recorded before the panic.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts recording writes.
    pub(crate) fn start(&self) {
        *self.lock() = Some(Vec::new());
    }

    fn recording(&self) -> bool {
        self.lock().is_some()
    }

    /// Stops recording; what was written.
    pub(crate) fn take(&self) -> Vec<Written> {
        self.lock().take().unwrap_or_default()
    }

    fn record(&self, id: &str, before: Option<Arc<StoredObject>>, after: u64) {
        if let Some(log) = self.lock().as_mut() {
            match log.iter_mut().find(|w| w.id == id) {
                // The first before-image is the one to restore.
                Some(w) => w.after = after,
                None => log.push(Written { id: id.to_owned(), before, after }),
            }
        }
    }
}

/// What the store's cache keeps beside one stored revision of an object:
/// the managed object decoded from it and, once an Encrypt or Decrypt has
/// used it, AES contexts keyed with its key bytes. A new revision (rotation,
/// revoke, destroy, an attribute change) gets a new entry; this one, and
/// with it the contexts and their key schedules, is freed when the cache
/// drops it and the last request holding it ends.
pub(crate) struct CachedObject {
    object: Arc<ManagedObject>,
    /// Its State and the dates that move it or bound its use, read once:
    /// each load and each check of a use applies them.
    dates: lifecycle::StateDates,
    /// Its Object Type and Cryptographic Usage Mask, read once (a refresh changes neither).
    object_type: Option<ObjectType>,
    usage_mask: Option<CryptographicUsageMask>,
    /// Whether it carries Usage Limits (which a refresh does not change): an
    /// Encrypt of a key without them skips looking for them.
    limited: bool,
    /// The Cryptographic Algorithm of its key block, once an Encrypt or
    /// Decrypt found it a symmetric key with raw bytes (a refusal is not kept).
    algorithm: OnceLock<Option<CryptographicAlgorithm>>,
    aes: OnceLock<AesKey>,
    /// The object's usage counters, looked up in the store's map (a lock
    /// and a keyed hash of the id) once per revision rather than per request.
    usage: OnceLock<Arc<ObjectUsage>>,
    /// What Get reads of the attributes, once a Get has read it.
    release: OnceLock<crate::operations::get::Release>,
}

impl CachedObject {
    /// The object as stored (its State not refreshed: see [`RequestContext::load_cached`]).
    pub(crate) fn object(&self) -> &ManagedObject {
        &self.object
    }

    /// Its State and dates ([`lifecycle::StateDates::of`] the stored object).
    pub(crate) fn dates(&self) -> &lifecycle::StateDates {
        &self.dates
    }

    /// [`ManagedObject::object_type`] of the object.
    pub(crate) fn object_type(&self) -> Option<ObjectType> {
        self.object_type
    }

    /// [`ManagedObject::usage_mask`] of the object.
    pub(crate) fn usage_mask(&self) -> Option<CryptographicUsageMask> {
        self.usage_mask
    }

    /// What Get reads of the object's attributes: `read` on first use, then kept.
    pub(crate) fn release(
        &self,
        read: impl FnOnce(&ManagedObject) -> crate::operations::get::Release,
    ) -> &crate::operations::get::Release {
        self.release.get_or_init(|| read(&self.object))
    }

    /// Whether the object carries Usage Limits, whose count each use must take from.
    pub(crate) fn limited(&self) -> bool {
        self.limited
    }

    /// The Cryptographic Algorithm of this revision's key block: `read` from
    /// the decoded object until it succeeds once, then kept.
    pub(crate) fn algorithm(
        &self,
        read: impl FnOnce(&ManagedObject) -> Result<Option<CryptographicAlgorithm>, Error>,
    ) -> Result<Option<CryptographicAlgorithm>, Error> {
        if let Some(algorithm) = self.algorithm.get() {
            return Ok(*algorithm);
        }
        let algorithm = read(&self.object)?;
        Ok(*self.algorithm.get_or_init(|| algorithm))
    }

    /// The AES contexts of this revision's key: built by `build` from the
    /// decoded object on first use, then shared by every request.
    pub(crate) fn aes_key(
        &self,
        build: impl FnOnce(&ManagedObject) -> Result<AesKey, Error>,
    ) -> Result<&AesKey, Error> {
        if let Some(key) = self.aes.get() {
            return Ok(key);
        }
        let key = build(&self.object)?;
        // Two first users may both build one; the first set is kept, the other freed.
        Ok(self.aes.get_or_init(|| key))
    }
}

impl RequestContext<'_> {
    /// The request time as a KMIP Date-Time.
    pub fn now_kmip(&self) -> DateTime {
        DateTime(self.now.unix_seconds())
    }

    /// The identifier a request names, or the ID Placeholder when it names none.
    pub fn resolve_id(&self, id: Option<String>) -> Result<String, Error> {
        id.or_else(|| self.id_placeholder.clone()).ok_or_else(|| {
            Error::MissingData("Unique Identifier is missing and no earlier batch item set the ID Placeholder".into())
        })
    }

    /// Loads an object of the client's key store, its state as of now
    /// ([`lifecycle::refresh`]). An object of another key store answers
    /// exactly as one that does not exist.
    pub async fn load(&self, id: &str) -> Result<ManagedObject, Error> {
        Ok(Arc::unwrap_or_clone(self.load_shared(id).await?))
    }

    /// Loads an object that must still have its key material.
    pub async fn load_live(&self, id: &str) -> Result<ManagedObject, Error> {
        Ok(Arc::unwrap_or_clone(self.load_live_shared(id).await?))
    }

    /// [`RequestContext::load`] without a copy: the object decoded once per
    /// stored revision and kept beside it in the store's cache, shared by
    /// every request that reads it (Encrypt, Decrypt, Get, MAC: the hot path
    /// decodes nothing). Copied only when its state is due to change with
    /// time, and then not kept, so the cached form is always the stored one.
    pub async fn load_shared(&self, id: &str) -> Result<Arc<ManagedObject>, Error> {
        Ok(self.load_cached(id).await?.0)
    }

    /// [`RequestContext::load_shared`], and the cache entry it came from
    /// (for what is kept beside the object, such as its keyed AES contexts).
    pub(crate) async fn load_cached(&self, id: &str) -> Result<(Arc<ManagedObject>, Arc<CachedObject>), Error> {
        // From the cache without awaiting anything when it holds the object (the hot path).
        let found = match self.store.cached_with_decoded(id) {
            Some(hit) => Some(hit),
            None => self.store.get_with_decoded(id).await?,
        };
        self.cache_entry(id, found)
    }

    /// The object `id` as [`RequestContext::load_cached`] gives it, from
    /// what the store found: its cache entry (made and attached if it had
    /// none) and the object refreshed to now. Not async: the loaders await
    /// the store only on a cache miss, and add no layer of their own.
    fn cache_entry(
        &self,
        id: &str,
        found: Option<(Arc<StoredObject>, Option<Decoded>)>,
    ) -> Result<(Arc<ManagedObject>, Arc<CachedObject>), Error> {
        let (stored, decoded) = match found {
            Some((stored, decoded)) if stored.keystore == self.client.keystore => (stored, decoded),
            _ => return Err(Error::ObjectNotFound { id: id.to_owned() }),
        };
        let cached = match decoded.and_then(|d| d.downcast::<CachedObject>().ok()) {
            Some(cached) => cached,
            None => {
                let object = Arc::new(ManagedObject::from_stored(&stored)?);
                let dates = lifecycle::StateDates::of(&object);
                let limited = object.attributes.iter().any(|a| matches!(a, Attribute::UsageLimits(_)));
                let cached = Arc::new(CachedObject {
                    dates,
                    object_type: object.object_type(),
                    usage_mask: object.usage_mask(),
                    object,
                    limited,
                    algorithm: OnceLock::new(),
                    aes: OnceLock::new(),
                    usage: OnceLock::new(),
                    release: OnceLock::new(),
                });
                self.store.attach_decoded(&stored, cached.clone());
                cached
            }
        };
        let object = match cached.dates.refreshed(self.now_kmip()) {
            None => Arc::clone(&cached.object),
            Some(state) => {
                let mut copy = ManagedObject::clone(&cached.object);
                copy.set(Attribute::State(state));
                Arc::new(copy)
            }
        };
        Ok((object, cached))
    }

    /// [`RequestContext::load_shared`] of an object that must still have its key material.
    pub async fn load_live_shared(&self, id: &str) -> Result<Arc<ManagedObject>, Error> {
        Ok(self.load_live_cached(id).await?.0)
    }

    /// [`RequestContext::load_cached`] of an object that must still have its key material.
    pub(crate) async fn load_live_cached(&self, id: &str) -> Result<(Arc<ManagedObject>, Arc<CachedObject>), Error> {
        let found = match self.store.cached_with_decoded(id) {
            Some(hit) => Some(hit),
            None => self.store.get_with_decoded(id).await?,
        };
        let (object, cached) = self.cache_entry(id, found)?;
        if object.object.is_none() {
            return Err(Error::ObjectDestroyed { id: id.to_owned() });
        }
        Ok((object, cached))
    }

    /// Writes objects durably, in one transaction; answered only once durable.
    pub async fn save(&self, objects: &[&ManagedObject]) -> Result<(), Error> {
        let changes = objects.iter().map(|o| o.change()).collect::<Result<Vec<Change>, Error>>()?;
        if !self.undo.recording() {
            self.store.commit(changes).await?;
            return Ok(());
        }
        let mut before = Vec::with_capacity(objects.len());
        for o in objects {
            before.push(match o.revision {
                Some(_) => self.store.get(&o.id).await?,
                None => None,
            });
        }
        let revisions = self.store.commit(changes).await?;
        for ((o, before), after) in objects.iter().zip(before).zip(revisions) {
            self.undo.record(&o.id, before, after);
        }
        Ok(())
    }

    /// The usage counters of an object.
    pub fn usage(&self, id: &str) -> Arc<ObjectUsage> {
        self.store.usage(id)
    }

    /// Counts one use of `kind` of the object `id`, at the request's time
    /// (the engine's clock, read once per request).
    pub fn record_use(&self, id: &str, kind: UsageKind) {
        self.store.usage(id).record_at_unix_nanos(kind, self.now.unix_nanos());
    }

    /// [`RequestContext::record_use`] of the object `cached` holds, through
    /// the counters kept beside it: the hot path hashes no id for its count.
    pub(crate) fn record_use_cached(&self, cached: &CachedObject, kind: UsageKind) {
        cached
            .usage
            .get_or_init(|| self.store.usage(&cached.object.id))
            .record_at_unix_nanos(kind, self.now.unix_nanos());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::symmetric::{aes_encrypt, AesParams, Mode, Padding};
    use crate::kmip::attributes::{CryptographicParameters, RevocationReason};
    use crate::kmip::payloads::{
        DecryptRequest, DestroyRequest, EncryptRequest, RequestPayload, ResponsePayload, RevokeRequest,
    };
    use crate::kmip::secret::Secret;
    use crate::kmip::table::{BlockCipherMode, PaddingMethod, ResultStatus, RevocationReasonCode};
    use crate::kmip::table::{CryptographicUsageMask as M, State};
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::crypto_cases::{aes_key, key_attributes, Bench};
    use crate::operations::crypto_params::none;
    use bytes::Bytes;

    fn client(keystore: &str) -> ClientIdentity {
        ClientIdentity {
            peer: ([127, 0, 0, 1], 5696).into(),
            credential: "test".into(),
            keystore: keystore.into(),
            handle: None,
        }
    }

    fn context<'a>(store: &'a Store, client: &'a ClientIdentity) -> RequestContext<'a> {
        RequestContext {
            store,
            client,
            version: V::V2_1,
            now: crate::clock::Clock::timestamp(&crate::clock::SystemClock),
            id_placeholder: None,
            undo: Default::default(),
        }
    }

    #[tokio::test]
    async fn a_shared_load_decodes_once_per_revision_and_sees_every_change() -> Result<(), Error> {
        let bench = Bench::new();
        bench.put("k", aes_key(&[1u8; 32]), key_attributes(State::Active, M::Encrypt)).await;
        let me = client("default");
        let ctx = context(&bench.store, &me);
        let first = ctx.load_shared("k").await?;
        let again = ctx.load_shared("k").await?;
        assert!(Arc::ptr_eq(&first, &again), "the second load reuses the decoded object");

        let mut changed = ctx.load("k").await?;
        changed.set(Attribute::State(State::Deactivated));
        ctx.save(&[&changed]).await?;
        let after = ctx.load_shared("k").await?;
        assert!(!Arc::ptr_eq(&first, &after));
        assert_eq!((after.state(), after.revision), (State::Deactivated, Some(2)));
        assert_eq!(first.state(), State::Active, "a request holding the old revision keeps it unchanged");

        let other = client("other");
        let err = context(&bench.store, &other).load_shared("k").await.err();
        assert!(matches!(err, Some(Error::ObjectNotFound { .. })), "{err:?}");
        Ok(())
    }

    #[tokio::test]
    async fn a_state_due_by_date_is_seen_on_every_load_but_not_kept_in_the_cache() -> Result<(), Error> {
        let bench = Bench::new();
        let mut attributes = key_attributes(State::PreActive, M::Encrypt);
        attributes.push(Attribute::ActivationDate(DateTime(1)));
        bench.put("k", aes_key(&[1u8; 32]), attributes).await;
        let me = client("default");
        let ctx = context(&bench.store, &me);
        let first = ctx.load_shared("k").await?;
        let second = ctx.load_shared("k").await?;
        assert_eq!((first.state(), second.state()), (State::Active, State::Active));
        assert!(!Arc::ptr_eq(&first, &second), "each is a refreshed copy");
        let stored = bench.store.get_with_decoded("k").await?.and_then(|(_, d)| d);
        let cached = stored.and_then(|d| d.downcast::<CachedObject>().ok()).map(|c| c.object.state());
        assert_eq!(cached, Some(State::PreActive), "the cache holds the object as stored");
        Ok(())
    }

    #[tokio::test]
    async fn uses_counted_beside_a_revision_land_in_the_stores_counters_across_revisions() -> Result<(), Error> {
        let bench = Bench::new();
        bench.put("k", aes_key(&[1u8; 32]), key_attributes(State::Active, M::Encrypt)).await;
        encrypt(&bench).await;
        encrypt(&bench).await;
        let first = cached(&bench.store, "k").await.expect("the Encrypt attached a decoded form");
        assert!(first.usage.get().is_some_and(|u| Arc::ptr_eq(u, &bench.store.usage("k"))));
        // A new revision gets a new cache entry, which finds the same counters.
        let me = client("default");
        let ctx = context(&bench.store, &me);
        let mut changed = ctx.load("k").await?;
        changed.set(Attribute::ActivationDate(DateTime(1)));
        ctx.save(&[&changed]).await?;
        encrypt(&bench).await;
        let second = cached(&bench.store, "k").await.expect("a decoded form of the new revision");
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(bench.store.usage("k").count(UsageKind::Encrypt), 3);
        assert!(bench.store.usage("k").last_used().is_some());
        Ok(())
    }

    #[tokio::test]
    async fn a_use_decided_from_the_cache_entry_follows_the_clock_and_every_new_revision() -> Result<(), Error> {
        use crate::clock::TestClock;
        use crate::kmip::codec::{FromTtlv, ToTtlv};
        use crate::kmip::message::{RequestMessage, ResponseMessage};
        use crate::kmip::table::ResultReason;
        use crate::operations::{Engine, EngineLimits, Reply};
        use crate::ttlv::{self, Tag};

        // Pre-Active until T+10, Protect Stop Date T+20, Process Start Date T+5.
        const T: i64 = 1_700_000_000;
        let bench = Bench::new();
        let mut attributes = key_attributes(State::PreActive, M::Encrypt | M::Decrypt);
        attributes.push(Attribute::ActivationDate(DateTime(T + 10)));
        attributes.push(Attribute::ProtectStopDate(DateTime(T + 20)));
        attributes.push(Attribute::ProcessStartDate(DateTime(T + 5)));
        bench.put("k", aes_key(&[1u8; 32]), attributes).await;
        let clock = TestClock::at(time::OffsetDateTime::from_unix_timestamp(T).unwrap());
        let engine = Engine::with_clock(bench.store.clone(), EngineLimits::default(), Arc::new(clock.clone()));
        let me = client("default");
        let run = |payload: RequestPayload| {
            let (engine, me) = (&engine, &me);
            async move {
                let frame = RequestMessage::new(V::V2_1, vec![payload]).encode_ttlv(Tag::RequestMessage, V::V2_1)?;
                let Reply::Send(bytes) = engine.process(me, Bytes::from(frame)).await else { panic!("no response") };
                let tree = ttlv::decode(&Bytes::from(bytes), &ttlv::Limits::UNBOUNDED)?;
                let item = ResponseMessage::from_ttlv(&tree, V::V2_1)?.batch_items.into_iter().next().unwrap();
                Ok::<_, Box<dyn std::error::Error>>(item.result_reason)
            }
        };
        let encrypt = || {
            let request = EncryptRequest {
                iv_counter_nonce: Some(Bytes::from_static(&IV)),
                ..EncryptRequest::new(Some("k".into()), None, Secret::from_slice(PLAIN))
            };
            RequestPayload::Encrypt(request)
        };
        let ciphertext = Bytes::from(aes_encrypt(&[1u8; 32], &cbc(&IV), PLAIN).unwrap().ciphertext);
        let decrypt = || {
            let request = DecryptRequest {
                iv_counter_nonce: Some(Bytes::from_static(&IV)),
                ..DecryptRequest::new(Some("k".into()), None, ciphertext.clone())
            };
            RequestPayload::Decrypt(request)
        };
        let wrong_state = Some(ResultReason::WrongKeyLifecycleState);
        // One cache entry answers all of these: its decision is made at each request's time.
        assert_eq!(run(encrypt()).await.unwrap(), wrong_state, "Pre-Active at T");
        let entry = cached(&bench.store, "k").await.expect("a decoded form");
        assert_eq!(run(decrypt()).await.unwrap(), wrong_state, "Pre-Active at T");
        clock.advance(time::Duration::seconds(10));
        assert_eq!(run(encrypt()).await.unwrap(), None, "active by its Activation Date at T+10");
        assert_eq!(run(decrypt()).await.unwrap(), None, "after its Process Start Date");
        clock.advance(time::Duration::seconds(10));
        assert_eq!(run(encrypt()).await.unwrap(), wrong_state, "its Protect Stop Date has come at T+20");
        assert_eq!(run(decrypt()).await.unwrap(), None, "processing goes on");
        assert!(Arc::ptr_eq(&entry, &cached(&bench.store, "k").await.unwrap()), "no new revision so far");

        // New revisions: the Protect Stop Date moved later, then the mask, then the State.
        let ctx = context(&bench.store, &me);
        let mut changed = ctx.load("k").await?;
        changed.set(Attribute::ProtectStopDate(DateTime(T + 100)));
        ctx.save(&[&changed]).await?;
        assert_eq!(run(encrypt()).await.unwrap(), None, "the new Protect Stop Date counts");
        let mut changed = ctx.load("k").await?;
        changed.set(Attribute::CryptographicUsageMask(M::Decrypt));
        ctx.save(&[&changed]).await?;
        assert_eq!(run(encrypt()).await.unwrap(), Some(ResultReason::IncompatibleCryptographicUsageMask));
        let mut changed = ctx.load("k").await?;
        changed.set(Attribute::CryptographicUsageMask(M::Encrypt | M::Decrypt));
        changed.set(Attribute::State(State::Deactivated));
        ctx.save(&[&changed]).await?;
        assert_eq!(run(encrypt()).await.unwrap(), wrong_state, "Deactivated");
        assert_eq!(run(decrypt()).await.unwrap(), None, "a Deactivated key still decrypts");
        assert_eq!(bench.store.usage("k").count(UsageKind::Decrypt), 3);
        Ok(())
    }

    #[tokio::test]
    async fn a_keys_algorithm_is_kept_beside_its_revision_once_read_and_a_refusal_is_not() -> Result<(), Error> {
        let bench = Bench::new();
        bench.put("k", aes_key(&[1u8; 32]), key_attributes(State::Active, M::Encrypt)).await;
        let me = client("default");
        let (_, entry) = context(&bench.store, &me).load_cached("k").await?;
        let reads = std::cell::Cell::new(0);
        let refuse = |_: &ManagedObject| {
            reads.set(reads.get() + 1);
            Err(Error::InvalidField("no".into()))
        };
        assert!(entry.algorithm(refuse).is_err());
        assert!(entry.algorithm(refuse).is_err(), "a refusal is made again");
        let read = |_: &ManagedObject| {
            reads.set(reads.get() + 1);
            Ok(Some(crate::kmip::table::CryptographicAlgorithm::AES))
        };
        assert_eq!(entry.algorithm(read)?, Some(crate::kmip::table::CryptographicAlgorithm::AES));
        assert_eq!(entry.algorithm(refuse)?, Some(crate::kmip::table::CryptographicAlgorithm::AES), "kept");
        assert_eq!(reads.get(), 3);
        Ok(())
    }

    /// The decoded form the cache holds beside `id`, if any.
    async fn cached(store: &Store, id: &str) -> Option<Arc<CachedObject>> {
        let (_, decoded) = store.get_with_decoded(id).await.ok()??;
        decoded?.downcast::<CachedObject>().ok()
    }

    fn cbc(iv: &[u8; 16]) -> AesParams<'_> {
        AesParams { iv: Some(iv), ..AesParams::new(Mode::Cbc, Padding::Pkcs7) }
    }

    /// An Encrypt of `PLAIN` with AES-CBC and `IV` through the engine; the ciphertext.
    async fn encrypt(bench: &Bench) -> Vec<u8> {
        let params = CryptographicParameters {
            block_cipher_mode: Some(BlockCipherMode::CBC),
            padding_method: Some(PaddingMethod::PKCS5),
            ..none()
        };
        let request = EncryptRequest {
            iv_counter_nonce: Some(Bytes::from_static(&IV)),
            ..EncryptRequest::new(Some("k".into()), Some(params), Secret::from_slice(PLAIN))
        };
        let item = bench.run(V::V1_2, RequestPayload::Encrypt(request)).await;
        let Some(ResponsePayload::Encrypt(out)) = item.payload else { panic!("{item:?}") };
        out.data.unwrap().to_vec()
    }

    const IV: [u8; 16] = [7; 16];
    const PLAIN: &[u8] = b"the same plaintext each time";

    #[tokio::test]
    async fn keyed_aes_contexts_live_with_their_revision_and_destroy_frees_them() -> Result<(), Error> {
        let bench = Bench::new();
        bench.put("k", aes_key(&[1u8; 32]), key_attributes(State::Active, M::Encrypt | M::Decrypt)).await;
        let old = aes_encrypt(&[1u8; 32], &cbc(&IV), PLAIN).unwrap().ciphertext;
        assert_eq!(encrypt(&bench).await, old);
        let first = cached(&bench.store, "k").await.expect("the Encrypt attached a decoded form");
        assert!(first.aes.get().is_some(), "with keyed contexts");
        assert_eq!(encrypt(&bench).await, old);
        assert!(Arc::ptr_eq(&first, &cached(&bench.store, "k").await.unwrap()), "reused by the next Encrypt");
        let weak = Arc::downgrade(&first);
        drop(first);
        let first = weak;

        // New key bytes under the same identifier: a new revision, so new contexts.
        let me = client("default");
        let ctx = context(&bench.store, &me);
        let mut replaced = ctx.load("k").await?;
        replaced.object = Some(aes_key(&[2u8; 32]));
        ctx.save(&[&replaced]).await?;
        assert!(first.upgrade().is_none(), "the old revision's contexts are freed");
        let new = aes_encrypt(&[2u8; 32], &cbc(&IV), PLAIN).unwrap().ciphertext;
        assert_ne!(new, old);
        assert_eq!(encrypt(&bench).await, new);

        // A compromised key still decrypts (with contexts of its own), until Destroy.
        let revoke = RevokeRequest {
            unique_identifier: Some("k".into()),
            revocation_reason: RevocationReason { code: RevocationReasonCode::KeyCompromise, message: None },
            compromise_occurrence_date: Some(DateTime(6)),
        };
        assert_eq!(bench.run(V::V2_1, RequestPayload::Revoke(revoke)).await.result_status, ResultStatus::Success);
        let decrypt = DecryptRequest {
            iv_counter_nonce: Some(Bytes::from_static(&IV)),
            ..DecryptRequest::new(Some("k".into()), None, Bytes::from(new))
        };
        let item = bench.run(V::V2_1, RequestPayload::Decrypt(decrypt)).await;
        let Some(ResponsePayload::Decrypt(out)) = item.payload else { panic!("{item:?}") };
        assert_eq!(out.data.as_ref().map(Secret::expose), Some(PLAIN));
        let compromised = cached(&bench.store, "k").await.expect("the Decrypt attached a decoded form");
        assert!(compromised.aes.get().is_some());
        let weak = Arc::downgrade(&compromised);
        drop(compromised);
        let compromised = weak;
        let destroy = DestroyRequest { unique_identifier: Some("k".into()) };
        assert_eq!(bench.run(V::V2_1, RequestPayload::Destroy(destroy)).await.result_status, ResultStatus::Success);
        assert!(compromised.upgrade().is_none(), "Destroy freed the contexts");
        assert!(cached(&bench.store, "k").await.is_none_or(|c| c.aes.get().is_none()));
        Ok(())
    }
}
