//! The executor: optimizes the graph, stages nested reductions, then runs one pass of
//! block tasks on a rayon pool under a memory budget.

pub(crate) mod accumulate;
mod aligned;
mod budget;
mod combine;
mod compute;
pub(crate) mod eval;
pub mod numa;
pub(crate) mod order_stat;
mod pass;
mod profile;
pub(crate) mod progress;
pub(crate) mod progress_text;
mod runs;
mod sink;
mod stage;
mod store_reads;
pub(crate) mod tile;

pub use budget::{default_limit, parse_bytes, physical_memory};
pub use compute::Compute;
pub use profile::{Profile, StoreRead, TaskRecord};
pub use progress::{Progress, ProgressCallback};
pub use sink::{ChunkSink, MemorySink};
