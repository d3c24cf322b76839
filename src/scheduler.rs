//! The background rotator: wakes up every so often, finds the keys whose
//! next rotation is due (see `operations::rotation` for the
//! policy and schedule) and rotates each once.
//!
//! It keeps no state of its own: what is due follows from the stored
//! attributes (the version's Initial Date and its interval), so a restart
//! changes nothing, and a key that missed several periods (the server was
//! down) is rotated once, its new version due one interval later. Time
//! comes from a [`Clock`], so tests drive it on a controlled clock.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::ClientIdentity;
use crate::clock::Clock;
use crate::error::Error;
use crate::kmip::version::ProtocolVersion;
use crate::operations::context::RequestContext;
use crate::operations::rotation;
use crate::store::Store;

/// One rotation the rotator made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotated {
    /// The key store.
    pub keystore: String,
    /// The version that was due.
    pub old: String,
    /// Its replacement.
    pub new: String,
}

/// Rotates due keys of every key store of a store.
#[derive(Clone)]
pub struct Rotator {
    store: Store,
    clock: Arc<dyn Clock>,
}

impl Rotator {
    /// A rotator over `store`, on `clock`'s time.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Rotator {
        Rotator { store, clock }
    }

    /// One pass over every key store: rotates every key due by now, once
    /// (`operations::rotation::rotate_due`).
    pub async fn run_once(&self) -> Result<Vec<Rotated>, Error> {
        let now = self.clock.timestamp();
        let mut done = Vec::new();
        for keystore in self.store.keystores().await? {
            let client = ClientIdentity {
                peer: ([0, 0, 0, 0], 0).into(),
                credential: "coffer-rotator".into(),
                keystore: keystore.clone(),
                handle: None,
            };
            let ctx = RequestContext {
                store: &self.store,
                client: &client,
                version: ProtocolVersion::V2_1,
                now,
                id_placeholder: None,
                undo: Default::default(),
            };
            for (old, new) in rotation::rotate_due(&ctx).await? {
                done.push(Rotated { keystore: keystore.clone(), old, new });
            }
        }
        Ok(done)
    }

    /// Runs a pass every `every` until the task is aborted (the server
    /// aborts it at shutdown; a rotation is one store transaction, so an
    /// abort never leaves half of one).
    pub fn spawn(self, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = self.run_once().await {
                    tracing::warn!(error = %e, "rotation pass failed");
                }
            }
        })
    }
}
