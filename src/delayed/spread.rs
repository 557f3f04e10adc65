//! [`compute_spread`]: independent tasks shared out over MPI ranks, their results
//! gathered on every rank.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Delayed, compute_many};
use crate::distributed::{all_gather_bytes, rank, size};
use crate::{Compute, Error, Result};

/// Runs `tasks` as [`compute_many`] does, but under `mpirun` (feature `mpi`) each rank
/// runs a contiguous share of them (with whatever they need: inputs several tasks
/// share run on every rank that needs them) and the results are gathered, serialized,
/// onto every rank: every rank returns all the results, in order, identical to one
/// process's. On one process it is [`compute_many`].
///
/// A task that fails fails the call on every rank, naming the rank that ran it.
///
/// ```
/// use tessera::delayed::{compute_spread, delayed};
/// let runs: Vec<_> = (0..100).map(|k| delayed(move || (k, k as f64 * 0.5))).collect();
/// let results = compute_spread(&runs, &tessera::Compute::new())?;
/// assert_eq!(results[99], (99, 49.5));
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn compute_spread<T>(tasks: &[Delayed<T>], compute: &Compute) -> Result<Vec<T>>
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    let (ranks, me) = (size(), rank());
    if ranks == 1 {
        return compute_many(tasks, compute);
    }
    let share = |r: usize| r * tasks.len() / ranks..(r + 1) * tasks.len() / ranks;
    let mine = compute_many(&tasks[share(me)], compute).map_err(|e| e.to_string());
    let bytes = bincode::serialize(&mine)
        .map_err(|e| Error::invalid(format!("delayed results cannot be serialized: {e}")))?;
    let mut out = Vec::with_capacity(tasks.len());
    for (r, part) in all_gather_bytes(bytes)?.into_iter().enumerate() {
        let part: std::result::Result<Vec<T>, String> = bincode::deserialize(&part)
            .map_err(|e| Error::invalid(format!("rank {r}'s delayed results: {e}")))?;
        let part = part.map_err(|e| Error::invalid(format!("a task on rank {r} failed: {e}")))?;
        out.extend(part);
    }
    Ok(out)
}
