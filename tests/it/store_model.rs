//! The store against a model: random commits of puts and deletes (with right,
//! stale and missing revisions, names taken and freed) applied to the store
//! and to a `BTreeMap`; after every commit the answers and every read must agree.
//!
//! Runs on the in-memory backend (the same store code, no fsync) so that a
//! few thousand commits take well under a second.

use std::collections::BTreeMap;

use coffer::store::{Change, MasterKey, Store, StoreError, StoreOptions, StoredObject};
use proptest::prelude::*;
use zeroize::Zeroizing;

const IDS: u8 = 6;
const KEYSTORES: [&str; 2] = ["k0", "k1"];
const NAMES: [&str; 3] = ["n0", "n1", "n2"];

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// The revision the object has (insert if absent).
    Current,
    /// A revision it does not have.
    Stale,
    /// Insert, whether or not it exists.
    Insert,
}

#[derive(Clone, Debug)]
enum Op {
    Put { id: u8, keystore: usize, names: Vec<usize>, material: Option<u8>, expect: Expect },
    Delete { id: u8, expect: Expect },
}

fn op() -> impl Strategy<Value = Op> {
    let expect = prop_oneof![4 => Just(Expect::Current), 1 => Just(Expect::Stale), 1 => Just(Expect::Insert)];
    prop_oneof![
        3 => (0..IDS, 0..KEYSTORES.len(), prop::collection::vec(0..NAMES.len(), 0..3), any::<Option<u8>>(), expect.clone())
            .prop_map(|(id, keystore, names, material, expect)| Op::Put { id, keystore, names, material, expect }),
        1 => (0..IDS, expect).prop_map(|(id, expect)| Op::Delete { id, expect }),
    ]
}

#[derive(Clone, Debug, PartialEq)]
struct ModelObject {
    revision: u64,
    seq: u64,
    keystore: String,
    names: Vec<String>,
    metadata: Vec<u8>,
    material: Option<Vec<u8>>,
}

#[derive(Clone, Default)]
struct Model {
    objects: BTreeMap<String, ModelObject>,
    next_seq: u64,
}

impl Model {
    fn expected(&self, id: &str, expect: Expect) -> Option<u64> {
        let current = self.objects.get(id).map(|o| o.revision);
        match expect {
            Expect::Current => current,
            Expect::Stale => Some(current.map_or(1, |r| r + 1)),
            Expect::Insert => None,
        }
    }

    /// Applies all changes or none, with the store's rules.
    fn commit(&mut self, changes: &[(String, Option<ModelObject>, Option<u64>)]) -> Result<Vec<u64>, StoreError> {
        let mut next = self.clone();
        let mut revisions = Vec::new();
        for (id, put, expected) in changes {
            let current = next.objects.get(id).cloned();
            match (put, expected, &current) {
                (Some(_), None, Some(_)) => return Err(StoreError::AlreadyExists { id: id.clone() }),
                (Some(o), None, None) => {
                    let mut o = o.clone();
                    (o.revision, o.seq) = (1, next.next_seq);
                    next.next_seq += 1;
                    revisions.push(1);
                    next.objects.insert(id.clone(), o);
                }
                (Some(o), Some(r), Some(c)) if c.revision == *r => {
                    let mut o = o.clone();
                    (o.revision, o.seq) = (r + 1, c.seq);
                    revisions.push(r + 1);
                    next.objects.insert(id.clone(), o);
                }
                (None, Some(r), Some(c)) if c.revision == *r => {
                    revisions.push(*r);
                    next.objects.remove(id);
                }
                _ => return Err(StoreError::Conflict { id: id.clone() }),
            }
        }
        self.check_names(&next, changes)?;
        *self = next;
        Ok(revisions)
    }

    /// The store's Name rule, on the commit's final state `next`: an object
    /// put may not take a name (one it did not have, or had while destroyed) that another object of
    /// its key store holds with material, unless another object put by the
    /// commit held it with material before (a rotation hands it on); two
    /// objects taking one name in a commit are refused.
    fn check_names(
        &self,
        next: &Model,
        changes: &[(String, Option<ModelObject>, Option<u64>)],
    ) -> Result<(), StoreError> {
        let has = |o: &ModelObject, ks: &str, name: &str| o.keystore == ks && o.names.iter().any(|n| n == name);
        let holds = |o: &ModelObject, ks: &str, name: &str| o.material.is_some() && has(o, ks, name);
        let mut checked: Vec<&String> = Vec::new();
        for (id, put, _) in changes {
            if put.is_none() || checked.contains(&id) {
                continue;
            }
            checked.push(id);
            let Some(o) = next.objects.get(id) else { continue };
            let ks = o.keystore.as_str();
            // Given its material back, a destroyed object takes its names anew.
            let revived = o.material.is_some() && self.objects.get(id).is_some_and(|b| b.material.is_none());
            for name in &o.names {
                if self.objects.get(id).is_some_and(|b| has(b, ks, name)) && !revived {
                    continue;
                }
                let taken = || StoreError::NameTaken { name: name.clone() };
                let mut handed_on = false;
                for (other, _, _) in changes.iter().filter(|(other, _, _)| other != id) {
                    let (before, after) = (self.objects.get(other), next.objects.get(other));
                    if before.is_some_and(|b| has(b, ks, name)) {
                        handed_on |= after.is_some() && before.is_some_and(|b| holds(b, ks, name));
                    } else if after.is_some_and(|a| holds(a, ks, name)) {
                        return Err(taken());
                    }
                }
                if !handed_on && next.objects.iter().any(|(other, a)| other != id && holds(a, ks, name)) {
                    return Err(taken());
                }
            }
        }
        Ok(())
    }

    fn in_order<'a>(&'a self, keep: impl Fn(&ModelObject) -> bool + 'a) -> Vec<String> {
        let mut v: Vec<(&String, &ModelObject)> = self.objects.iter().filter(|(_, o)| keep(o)).collect();
        v.sort_by_key(|(_, o)| o.seq);
        v.into_iter().map(|(id, _)| id.clone()).collect()
    }
}

async fn check_reads(store: &Store, model: &Model) {
    for i in 0..IDS {
        let id = format!("o{i}");
        let got = store.get(&id).await.unwrap();
        match (got, model.objects.get(&id)) {
            (None, None) => {}
            (Some(g), Some(m)) => {
                assert_eq!(
                    (g.revision, &g.keystore, &g.names, &g.metadata),
                    (m.revision, &m.keystore, &m.names, &m.metadata)
                );
                assert_eq!(g.material.as_deref(), m.material.as_ref(), "{id}");
            }
            (g, m) => panic!("{id}: store {g:?}, model {m:?}"),
        }
    }
    for ks in KEYSTORES {
        let listed: Vec<String> = store.list(ks).await.unwrap().iter().map(|o| o.id.clone()).collect();
        assert_eq!(listed, model.in_order(|o| o.keystore == ks), "list {ks}");
        for name in NAMES {
            let ids = store.ids_by_name(ks, name).await.unwrap();
            let expected = model.in_order(|o| o.keystore == ks && o.names.iter().any(|n| n == name));
            assert_eq!(ids, expected, "ids_by_name {ks} {name}");
        }
    }
}

fn run(commits: Vec<Vec<Op>>, cache_capacity: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let options = StoreOptions { cache_capacity, ..StoreOptions::default() };
        let store = Store::in_memory(MasterKey::from_bytes(&[3; 32]).unwrap(), options).unwrap();
        let mut model = Model::default();
        for ops in commits {
            let mut changes = Vec::new();
            let mut model_changes = Vec::new();
            // Expected revisions come from the state before this commit.
            for op in ops {
                match op {
                    Op::Put { id, keystore, names, material, expect } => {
                        let id = format!("o{id}");
                        let o = ModelObject {
                            revision: 0,
                            seq: 0,
                            keystore: KEYSTORES[keystore].to_string(),
                            names: names.iter().map(|n| NAMES[*n].to_string()).collect(),
                            metadata: format!("{id}/{material:?}").into_bytes(),
                            material: material.map(|m| vec![m; 32]),
                        };
                        let expected = model.expected(&id, expect);
                        changes.push(Change::Put {
                            object: StoredObject {
                                id: id.clone(),
                                keystore: o.keystore.clone(),
                                revision: 0,
                                names: o.names.clone(),
                                metadata: o.metadata.clone(),
                                material: o.material.clone().map(Zeroizing::new),
                            },
                            expected_revision: expected,
                        });
                        model_changes.push((id, Some(o), expected));
                    }
                    Op::Delete { id, expect } => {
                        let id = format!("o{id}");
                        let expected = model.expected(&id, expect).unwrap_or(1);
                        changes.push(Change::Delete { id: id.clone(), expected_revision: expected });
                        model_changes.push((id, None, Some(expected)));
                    }
                }
            }
            let want = model.commit(&model_changes);
            let got = store.commit(changes).await;
            assert_eq!(got, want);
            check_reads(&store, &model).await;
        }
        store.close().await.unwrap();
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn the_store_agrees_with_a_model(commits in prop::collection::vec(prop::collection::vec(op(), 1..4), 1..40)) {
        run(commits, 10_000);
    }

    #[test]
    fn the_store_agrees_with_a_model_without_a_cache(
        commits in prop::collection::vec(prop::collection::vec(op(), 1..4), 1..40)
    ) {
        run(commits, 0);
    }
}
