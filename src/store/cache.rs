//! Bounded in-memory cache of unsealed objects.
//!
//! Sharded `Mutex<HashMap>` with CLOCK (second chance) eviction: a hit sets a
//! bit, eviction skips an entry once per set bit. Entries are
//! `Arc<StoredObject>`; the material is zeroized when the last `Arc` drops,
//! which for an evicted entry is at eviction unless a request still holds it.
//!
//! The writer puts or removes every object it commits (after the commit).
//! A reader that missed, read the disk and wants to fill the cache passes the
//! shard's epoch it saw *before* its read transaction: if a commit touched
//! the shard since, the fill is dropped, so a stale snapshot never overwrites
//! what the writer put.
//!
//! Beside each entry a user of the store may keep a decoded form of it
//! ([`Decoded`], opaque here): it lives exactly as long as that entry's
//! object, so a new revision (a new `Arc`) never meets the old decoded form.

use std::any::Any;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

use super::StoredObject;

const SHARDS: usize = 32;

/// A decoded form of a cached object, attached by the store's user (the
/// operations layer keeps its parsed managed object here, so a hit skips
/// the decoding). Dropped with the entry, or when the entry's object is replaced.
pub type Decoded = Arc<dyn Any + Send + Sync>;

struct Slot {
    object: Arc<StoredObject>,
    referenced: bool,
    decoded: Option<Decoded>,
}

/// The shard maps' hasher: their keys are already hashes, used as they are.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here (write_u64); fold anything else in all the same.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[derive(Default)]
struct Shard {
    /// Entries by the keyed hash of their id ([`Cache::hash`]): an id is
    /// hashed once per lookup, for its shard and its map slot both. Two ids
    /// whose 64-bit hashes collide anyway share a slot: it holds one of
    /// them, lookups check the id, and the other is not cached.
    map: HashMap<u64, Slot, BuildHasherDefault<Prehashed>>,
    /// Clock order, by id hash; may hold hashes no longer in `map` (skipped when reached).
    order: VecDeque<u64>,
    /// Bumped by every writer change in this shard.
    epoch: u64,
}

pub(crate) struct Cache {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
    /// SipHash with a per-process random key: ids can be chosen by a client
    /// (Import), and a keyed hash keeps them from being made to collide.
    hasher: RandomState,
}

impl Cache {
    /// A cache of about `capacity` objects (0 disables it).
    pub(crate) fn new(capacity: usize) -> Cache {
        Cache {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            per_shard: capacity.div_ceil(SHARDS),
            hasher: RandomState::new(),
        }
    }

    fn hash(&self, id: &str) -> u64 {
        // The id's bytes alone: `Hash for str` would add a terminator byte,
        // which only keeps a key of several strings unambiguous; this key is one.
        let mut h = self.hasher.build_hasher();
        h.write(id.as_bytes());
        h.finish()
    }

    /// The shard of the id hashed `h`, locked.
    fn shard(&self, h: u64) -> Option<MutexGuard<'_, Shard>> {
        // Bits 32 and up pick the shard: the map inside uses the low bits
        // (bucket) and the top seven (tag), which then still vary within it.
        let i = usize::try_from((h >> 32) % SHARDS as u64).unwrap_or(0);
        // A poisoned shard only means a panic elsewhere mid-update of plain data: keep using it.
        self.shards.get(i).map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<StoredObject>> {
        self.get_with_decoded(id).map(|(object, _)| object)
    }

    /// Like [`Cache::get`], with the decoded form attached to the entry, if any.
    pub(crate) fn get_with_decoded(&self, id: &str) -> Option<(Arc<StoredObject>, Option<Decoded>)> {
        let h = self.hash(id);
        let mut shard = self.shard(h)?;
        let slot = shard.map.get_mut(&h).filter(|s| s.object.id == id)?;
        slot.referenced = true;
        Some((Arc::clone(&slot.object), slot.decoded.clone()))
    }

    /// Attaches `decoded` to the entry of `object`, if the cache still holds
    /// that very object (not an older or newer revision of it).
    pub(crate) fn attach(&self, object: &Arc<StoredObject>, decoded: Decoded) {
        let h = self.hash(&object.id);
        if let Some(mut shard) = self.shard(h) {
            if let Some(slot) = shard.map.get_mut(&h) {
                if Arc::ptr_eq(&slot.object, object) {
                    slot.decoded = Some(decoded);
                }
            }
        }
    }

    /// The shard epoch to pass to [`Cache::fill`] after a disk read.
    pub(crate) fn epoch(&self, id: &str) -> u64 {
        self.shard(self.hash(id)).map_or(0, |s| s.epoch)
    }

    /// Inserts what a reader read from disk, unless a commit touched the shard since `epoch`.
    pub(crate) fn fill(&self, object: Arc<StoredObject>, epoch: u64) {
        let h = self.hash(&object.id);
        if let Some(mut shard) = self.shard(h) {
            if shard.epoch == epoch {
                self.insert(&mut shard, h, object);
            }
        }
    }

    /// The writer's update after a commit.
    pub(crate) fn put(&self, object: Arc<StoredObject>) {
        let h = self.hash(&object.id);
        if let Some(mut shard) = self.shard(h) {
            shard.epoch = shard.epoch.wrapping_add(1);
            self.insert(&mut shard, h, object);
        }
    }

    /// The writer's update after a delete.
    pub(crate) fn remove(&self, id: &str) {
        let h = self.hash(id);
        if let Some(mut shard) = self.shard(h) {
            shard.epoch = shard.epoch.wrapping_add(1);
            if shard.map.get(&h).is_some_and(|s| s.object.id == id) {
                shard.map.remove(&h);
            }
        }
    }

    /// Inserts `object`, whose id hashes to `h`, evicting as needed.
    fn insert(&self, shard: &mut Shard, h: u64, object: Arc<StoredObject>) {
        if self.per_shard == 0 {
            return;
        }
        if let Some(slot) = shard.map.get_mut(&h) {
            // Another id with the same hash keeps the slot; this one is not cached.
            if slot.object.id == object.id {
                slot.object = object;
                slot.decoded = None;
            }
            return;
        }
        shard.order.push_back(h);
        shard.map.insert(h, Slot { object, referenced: false, decoded: None });
        while shard.map.len() > self.per_shard {
            let Some(h) = shard.order.pop_front() else { break };
            match shard.map.get_mut(&h) {
                None => {}
                Some(slot) if slot.referenced => {
                    slot.referenced = false;
                    shard.order.push_back(h);
                }
                Some(_) => {
                    shard.map.remove(&h);
                }
            }
        }
        // Deleted ids linger in `order`; drop them before they outnumber the live ones.
        if shard.order.len() > 2 * self.per_shard + 16 {
            let Shard { map, order, .. } = shard;
            order.retain(|h| map.contains_key(h));
        }
    }

    /// Objects held (for tests and metrics).
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner).map.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(id: &str, revision: u64) -> Arc<StoredObject> {
        Arc::new(StoredObject {
            id: id.to_string(),
            keystore: "ks".to_string(),
            revision,
            names: vec![],
            metadata: vec![],
            material: None,
        })
    }

    #[test]
    fn bounded_and_hits_survive_eviction() {
        let c = Cache::new(SHARDS * 4);
        for i in 0..1000 {
            c.put(obj(&format!("id-{i}"), 1));
        }
        assert!(c.len() <= SHARDS * 4, "{}", c.len());
        c.put(obj("hot", 1));
        for i in 0..1000 {
            assert!(c.get("hot").is_some(), "hot entry evicted after {i} inserts");
            c.put(obj(&format!("more-{i}"), 1));
        }
    }

    #[test]
    fn stale_fill_is_dropped() {
        let c = Cache::new(100);
        let e = c.epoch("a");
        c.put(obj("a", 2));
        c.remove("a");
        c.fill(obj("a", 1), e);
        assert!(c.get("a").is_none());
        let e = c.epoch("a");
        c.fill(obj("a", 2), e);
        assert_eq!(c.get("a").unwrap().revision, 2);
    }

    #[test]
    fn a_decoded_form_lives_with_its_revision_only() {
        let c = Cache::new(100);
        let one = obj("a", 1);
        c.put(Arc::clone(&one));
        c.attach(&one, Arc::new(1u64));
        let (got, decoded) = c.get_with_decoded("a").unwrap();
        assert!(Arc::ptr_eq(&got, &one));
        assert_eq!(decoded.and_then(|d| d.downcast::<u64>().ok()).as_deref(), Some(&1));
        // A new revision drops it, and a late attach to the old one is ignored.
        c.put(obj("a", 2));
        assert!(c.get_with_decoded("a").unwrap().1.is_none());
        c.attach(&one, Arc::new(1u64));
        let (got, decoded) = c.get_with_decoded("a").unwrap();
        assert_eq!((got.revision, decoded.is_none()), (2, true));
        // Removal drops it with the entry.
        c.remove("a");
        assert!(c.get_with_decoded("a").is_none());
    }

    #[test]
    fn ids_whose_hashes_collide_never_answer_for_each_other() {
        let c = Cache::new(100);
        c.put(obj("a", 1));
        // Forge a collision: "b" put in the slot of "a"'s hash is not cached...
        let h = c.hash("a");
        if let Some(mut shard) = c.shard(h) {
            c.insert(&mut shard, h, obj("b", 1));
        }
        assert_eq!(c.get("a").map(|o| o.id.clone()).as_deref(), Some("a"));
        // ...and a slot that held another id is a miss, not that id's object.
        if let Some(mut shard) = c.shard(h) {
            shard.map.insert(h, Slot { object: obj("b", 1), referenced: false, decoded: None });
        }
        assert!(c.get("a").is_none());
        c.remove("a");
        assert!(c.shard(h).is_some_and(|s| s.map.contains_key(&h)), "removing a does not remove b");
    }

    #[test]
    fn zero_capacity_caches_nothing() {
        let c = Cache::new(0);
        c.put(obj("a", 1));
        assert!(c.get("a").is_none());
    }
}
