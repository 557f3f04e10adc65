//! Scale-out over MPI ranks (feature `mpi`): the same program runs SPMD under
//! `mpirun`/`mpiexec`/`srun`, and every computation is shared out between the ranks.
//!
//! Call [`init`] once at the start of `main` and keep the [`Session`] it returns alive
//! until the end (dropping it finalizes MPI). From then on:
//!
//! - every pass of the executor gives each rank a contiguous share of its tasks (runs
//!   of blocks, in an order that keeps the blocks of a reduction's output chunk
//!   together): most output chunks are read and reduced on one rank, and a chunk whose
//!   blocks fall on several ranks (a reduction to one value, say) has its partials
//!   merged after the pass, in rank order, by the first of them;
//! - results computed into memory (`Compute::run`, `compute()`, staged intermediate
//!   reductions) are gathered, so every rank holds the whole result;
//! - `Dataset::to_zarr` writes each rank's chunks straight into the store, while rank 0
//!   alone writes the metadata, with barriers so the store is consistent when the call
//!   returns on any rank.
//!
//! Without the feature, or launched without an MPI launcher, the program is one
//! process: [`rank`] is 0 and [`size`] is 1, and nothing changes.
//!
//! ```
//! let _session = tessera::distributed::init()?;
//! if tessera::distributed::is_root() {
//!     println!("{} rank(s)", tessera::distributed::size());
//! }
//! # Ok::<(), tessera::Error>(())
//! ```
//!
//! Not yet shared out: `delayed` tasks (every rank runs all of them, with identical
//! results) and `to_netcdf` (refused on more than one rank).

#[cfg(feature = "mpi")]
mod mpi_world;
mod partition;

pub(crate) use partition::share;

use std::sync::OnceLock;

use crate::Result;

/// This process's place among the ranks, set once by [`init`].
static PLACE: OnceLock<(usize, usize)> = OnceLock::new();

/// An initialized MPI environment (or a single process): keep it alive until the end
/// of `main`; dropping it finalizes MPI.
#[must_use = "dropping the session finalizes MPI"]
pub struct Session {
    #[cfg(feature = "mpi")]
    _universe: Option<mpi::environment::Universe>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("rank", &rank())
            .field("size", &size())
            .finish()
    }
}

/// Joins the MPI job this process was launched in (with the `mpi` feature, when an MPI
/// launcher's environment is present), or sets up a single process. Call it once, at
/// the start, before any computation; a second call is an error.
pub fn init() -> Result<Session> {
    #[cfg(feature = "mpi")]
    {
        if launched_by_mpi() {
            let (universe, place) = mpi_world::initialize()?;
            set_place(place)?;
            return Ok(Session {
                _universe: Some(universe),
            });
        }
    }
    set_place((0, 1))?;
    Ok(Session {
        #[cfg(feature = "mpi")]
        _universe: None,
    })
}

fn set_place(place: (usize, usize)) -> Result<()> {
    PLACE
        .set(place)
        .map_err(|_| crate::Error::invalid("tessera::distributed::init was called twice"))
}

/// Whether an MPI launcher (Open MPI, MPICH/Hydra, Slurm with PMI) started this process.
#[cfg(feature = "mpi")]
fn launched_by_mpi() -> bool {
    [
        "OMPI_COMM_WORLD_SIZE",
        "PMI_SIZE",
        "PMIX_RANK",
        "MPI_LOCALNRANKS",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some())
}

/// This process's rank, 0 to `size() - 1` (0 when not distributed).
pub fn rank() -> usize {
    PLACE.get().map_or(0, |p| p.0)
}

/// The number of ranks (1 when not distributed).
pub fn size() -> usize {
    PLACE.get().map_or(1, |p| p.1)
}

/// Whether this is rank 0, the one that prints and writes metadata.
pub fn is_root() -> bool {
    rank() == 0
}

/// Whether more than one rank shares the work.
pub(crate) fn is_distributed() -> bool {
    size() > 1
}

/// Waits until every rank is here (nothing on one rank).
#[cfg_attr(not(feature = "zarr"), allow(dead_code))] // the Zarr writer's
pub(crate) fn barrier() {
    #[cfg(feature = "mpi")]
    if is_distributed() {
        mpi_world::barrier();
    }
}

/// Every rank's bytes, in rank order (just `mine` on one rank).
pub(crate) fn all_gather_bytes(mine: Vec<u8>) -> Result<Vec<Vec<u8>>> {
    #[cfg(feature = "mpi")]
    if is_distributed() {
        return mpi_world::all_gather_by_rank(&mine);
    }
    Ok(vec![mine])
}

/// Makes an in-memory result whole: each rank contributes the regions it computed,
/// and receives everyone else's (only rank 0 receives with `root_only`).
pub(crate) fn gather_regions(
    data: &mut crate::engine::ArrayData,
    mine: &[Vec<std::ops::Range<usize>>],
    root_only: bool,
) -> Result<()> {
    #[cfg(feature = "mpi")]
    if is_distributed() {
        return mpi_world::gather_regions(data, mine, root_only);
    }
    let _ = (data, mine, root_only);
    Ok(())
}
