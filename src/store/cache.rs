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
use std::hash::BuildHasher;
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

#[derive(Default)]
struct Shard {
    map: HashMap<String, Slot>,
    /// Clock order; may hold ids no longer in `map` (skipped when reached).
    order: VecDeque<String>,
    /// Bumped by every writer change in this shard.
    epoch: u64,
}

pub(crate) struct Cache {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
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

    fn shard(&self, id: &str) -> Option<MutexGuard<'_, Shard>> {
        let i = usize::try_from(self.hasher.hash_one(id) % SHARDS as u64).unwrap_or(0);
        // A poisoned shard only means a panic elsewhere mid-update of plain data: keep using it.
        self.shards.get(i).map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<StoredObject>> {
        let mut shard = self.shard(id)?;
        let slot = shard.map.get_mut(id)?;
        slot.referenced = true;
        Some(Arc::clone(&slot.object))
    }

    /// Like [`Cache::get`], with the decoded form attached to the entry, if any.
    pub(crate) fn get_with_decoded(&self, id: &str) -> Option<(Arc<StoredObject>, Option<Decoded>)> {
        let mut shard = self.shard(id)?;
        let slot = shard.map.get_mut(id)?;
        slot.referenced = true;
        Some((Arc::clone(&slot.object), slot.decoded.clone()))
    }

    /// Attaches `decoded` to the entry of `object`, if the cache still holds
    /// that very object (not an older or newer revision of it).
    pub(crate) fn attach(&self, object: &Arc<StoredObject>, decoded: Decoded) {
        if let Some(mut shard) = self.shard(&object.id) {
            if let Some(slot) = shard.map.get_mut(&object.id) {
                if Arc::ptr_eq(&slot.object, object) {
                    slot.decoded = Some(decoded);
                }
            }
        }
    }

    /// The shard epoch to pass to [`Cache::fill`] after a disk read.
    pub(crate) fn epoch(&self, id: &str) -> u64 {
        self.shard(id).map_or(0, |s| s.epoch)
    }

    /// Inserts what a reader read from disk, unless a commit touched the shard since `epoch`.
    pub(crate) fn fill(&self, object: Arc<StoredObject>, epoch: u64) {
        if let Some(mut shard) = self.shard(&object.id) {
            if shard.epoch == epoch {
                self.insert(&mut shard, object);
            }
        }
    }

    /// The writer's update after a commit.
    pub(crate) fn put(&self, object: Arc<StoredObject>) {
        if let Some(mut shard) = self.shard(&object.id) {
            shard.epoch = shard.epoch.wrapping_add(1);
            self.insert(&mut shard, object);
        }
    }

    /// The writer's update after a delete.
    pub(crate) fn remove(&self, id: &str) {
        if let Some(mut shard) = self.shard(id) {
            shard.epoch = shard.epoch.wrapping_add(1);
            shard.map.remove(id);
        }
    }

    fn insert(&self, shard: &mut Shard, object: Arc<StoredObject>) {
        if self.per_shard == 0 {
            return;
        }
        if let Some(slot) = shard.map.get_mut(&object.id) {
            slot.object = object;
            slot.decoded = None;
            return;
        }
        shard.order.push_back(object.id.clone());
        shard.map.insert(object.id.clone(), Slot { object, referenced: false, decoded: None });
        while shard.map.len() > self.per_shard {
            let Some(id) = shard.order.pop_front() else { break };
            match shard.map.get_mut(&id) {
                None => {}
                Some(slot) if slot.referenced => {
                    slot.referenced = false;
                    shard.order.push_back(id);
                }
                Some(_) => {
                    shard.map.remove(&id);
                }
            }
        }
        // Deleted ids linger in `order`; drop them before they outnumber the live ones.
        if shard.order.len() > 2 * self.per_shard + 16 {
            let Shard { map, order, .. } = shard;
            order.retain(|id| map.contains_key(id));
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
    fn zero_capacity_caches_nothing() {
        let c = Cache::new(0);
        c.put(obj("a", 1));
        assert!(c.get("a").is_none());
    }
}
