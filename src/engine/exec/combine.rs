//! The partials of each output chunk of a reduction, merged in run order.
//!
//! Each run (see `runs`) hands in one partial per output chunk it fed. They arrive in
//! whatever order the workers finish; a partial is merged as soon as every run before
//! it (among the runs feeding that chunk) has been merged, and waits otherwise. The
//! merge order is thus the run order, fixed by the plan: results are bit-identical
//! however the runs were scheduled.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use super::budget::Budget;
use crate::engine::exec::accumulate::Partial;
use crate::{Error, Result};

/// An output chunk of one root: (root, output chunk index).
pub(super) type ChunkKey = (usize, Vec<usize>);

/// A partial and the bytes it holds in the budget.
pub(super) struct Held {
    pub(super) partial: Box<dyn Partial>,
    pub(super) bytes: usize,
}

/// The runs feeding an output chunk.
pub(super) struct ChunkRuns {
    /// Those this process runs, ascending.
    pub(super) here: Vec<usize>,
    /// Whether other ranks run some too (then the chunk is merged across ranks after
    /// the pass).
    pub(super) elsewhere: bool,
}

/// An output chunk's partial merged over this process's runs.
pub(super) struct Merged {
    pub(super) held: Held,
    /// Whether other ranks hold partials of the chunk too.
    pub(super) elsewhere: bool,
}

/// The merge state of one output chunk.
struct OutChunk {
    /// The runs of this process feeding the chunk, ascending.
    units: Vec<usize>,
    elsewhere: bool,
    /// How many of `units` are merged into `merged`.
    n_merged: usize,
    merged: Option<Held>,
    /// Partials handed in ahead of their turn, by run.
    waiting: BTreeMap<usize, Held>,
}

/// The output chunks being merged during one pass.
#[derive(Default)]
pub(super) struct Combiner {
    chunks: Mutex<HashMap<ChunkKey, Arc<Mutex<OutChunk>>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A worker that panicked while holding a lock left whole values behind: states
    // are replaced or extended, never half-written.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Combiner {
    /// Hands in the partial that run `unit` fed for output chunk `key`. `runs_of`
    /// gives the runs that feed the chunk (asked once per chunk). Returns the chunk's
    /// partial once every run of this process is merged.
    pub(super) fn submit(
        &self,
        key: ChunkKey,
        unit: usize,
        part: Held,
        runs_of: impl FnOnce() -> ChunkRuns,
        budget: &Budget,
    ) -> Result<Option<Merged>> {
        let state = self.state(&key, runs_of);
        let mut st = lock(&state);
        if st.units[st.n_merged..].binary_search(&unit).is_err() || st.waiting.contains_key(&unit) {
            return Err(Error::internal(
                "executor",
                format!("run {unit} handed in twice or out of its chunk {key:?}"),
            ));
        }
        st.waiting.insert(unit, part);
        while let Some(&next) = st.units.get(st.n_merged) {
            let Some(part) = st.waiting.remove(&next) else {
                break;
            };
            st.merged = Some(match st.merged.take() {
                None => part,
                Some(mut acc) => {
                    acc.partial.merge(part.partial);
                    budget.unhold(part.bytes);
                    acc
                }
            });
            st.n_merged += 1;
        }
        if st.n_merged < st.units.len() {
            return Ok(None);
        }
        let elsewhere = st.elsewhere;
        let held = st.merged.take();
        drop(st);
        lock(&self.chunks).remove(&key);
        Ok(held.map(|held| Merged { held, elsewhere }))
    }

    fn state(&self, key: &ChunkKey, runs_of: impl FnOnce() -> ChunkRuns) -> Arc<Mutex<OutChunk>> {
        if let Some(s) = lock(&self.chunks).get(key) {
            return s.clone();
        }
        // Listing the runs may visit every block of the chunk: not under the lock.
        let runs = runs_of();
        lock(&self.chunks)
            .entry(key.clone())
            .or_insert_with(|| {
                Arc::new(Mutex::new(OutChunk {
                    units: runs.here,
                    elsewhere: runs.elsewhere,
                    n_merged: 0,
                    merged: None,
                    waiting: BTreeMap::new(),
                }))
            })
            .clone()
    }
}
