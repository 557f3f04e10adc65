//! NUMA-aware execution: the machine's nodes ([`Topology`]), the mode
//! ([`NumaMode`], `TESSERA_NUMA=off|auto|mock:N`), one rayon pool per node with its
//! threads bound to the node's CPUs, and per-node task queues with counted remote
//! steals.
//!
//! On a machine with one node, `auto` (the default) runs exactly as `off`: one pool,
//! no pinning. Chunk buffers are allocated and first written inside the task that
//! reads them, on a thread bound to the task's home node, so the kernel's first-touch
//! policy places their pages on that node without a NUMA allocator.

mod affinity;
mod mode;
pub(crate) mod pools;
pub(crate) mod queue;
mod topology;

pub use affinity::{current_affinity, current_cpu};
pub use mode::{NUMA_ENV, NumaMode};
pub use topology::{NumaNode, Topology, parse_cpulist};
