//! Peak heap measured by a counting global allocator while computations much larger
//! than their budget run: reductions, the groupby climatology and anomaly, coarsening.
//! The allocator is installed in this binary only, so the other test binaries run at
//! full speed; the measured tests take turns (`counting_alloc::serial`).
//!
//! Run with `--nocapture` to see the measured peaks and times.

#[path = "support"]
mod support {
    pub(crate) mod counting_alloc;
}

#[path = "memory/budget.rs"]
mod budget;
#[cfg(feature = "cli")]
#[path = "memory/cli_convert.rs"]
mod cli_convert;
#[path = "memory/coarsen.rs"]
mod coarsen;
#[path = "memory/groupby.rs"]
mod groupby;
#[path = "memory/interp.rs"]
mod interp;
