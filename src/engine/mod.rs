//! The engine: lazy chunked arrays addressed by axis position (the dask.array part).
//!
//! A [`LazyArray`] is a node of a logical graph of array operations. The
//! [`optimize`](optimize::optimize) passes rewrite the graph (fusing elementwise chains
//! and reductions, pushing slices to sources, sharing common subexpressions), and
//! [`Compute`] runs it as block tasks on rayon under a memory budget.
//!
//! The modules follow those three steps (plan, optimize, execute), so a reader finds
//! each step in one place: the graph and the operations that build it (`graph`, `ops`,
//! `expr`, `grid`, `reduce_spec`, `group_chunks`), the rewrites of the graph
//! (`optimize`), and everything that only runs while computing (`exec`: the executor,
//! the tile interpreter, the reduction accumulators, block kernels, profiles). Block
//! functions that an operation hands to `map_blocks` are built on the plan side but
//! live in `exec`, beside the other code that touches chunk data.

pub(crate) mod chunk;
pub(crate) mod dtype;
pub(crate) mod exec;
pub(crate) mod expr;
pub(crate) mod graph;
pub(crate) mod grid;
pub(crate) mod group_chunks;
pub(crate) mod ops;
pub mod optimize;
pub(crate) mod reduce_spec;
pub(crate) mod source;

pub use chunk::{ArrayData, Storable};
pub use dtype::{DType, Element, FloatFn, Kind};
pub use exec::numa;
pub use exec::{
    ChunkSink, Compute, MemorySink, Progress, ProgressCallback, available_memory, default_limit,
    parse_bytes, physical_memory,
};
pub use exec::{Profile, StoreRead, TaskRecord};
pub use expr::{BinaryOp, Expr, ExprBuilder, Scalar, UnaryOp};
pub use graph::{AxisSlice, LazyArray, Op, ScanKind};
pub use grid::{ChunkGrid, Region, region_shape};
pub use ops::reduce::ReduceOptions;
pub use ops::window::RollingKind;
pub use reduce_spec::{AxisRole, ReduceKind, ReduceSpec};
pub use source::{ChunkSource, FnSource, MemorySource};
