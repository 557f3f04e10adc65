//! The executor: optimizes the graph, stages nested reductions, then runs one pass of
//! block tasks on a rayon pool under a memory budget.

pub(crate) mod accumulate;
mod aligned;
mod budget;
mod combine;
mod compute;
mod default_budget;
pub(crate) mod eval;
mod explain;
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
mod system_memory;
pub(crate) mod tile;

pub use budget::parse_bytes;
pub use compute::Compute;
pub use default_budget::default_limit;
pub use profile::{Profile, StoreRead, TaskRecord};
pub use progress::{Progress, ProgressCallback};
pub use sink::{ChunkSink, MemorySink};
pub use system_memory::{available_memory, physical_memory};
