//! The engine: lazy chunked arrays addressed by axis position (the dask.array part).
//!
//! A [`LazyArray`] is a node of a logical graph of array operations. The
//! [`optimize`](optimize::optimize) passes rewrite the graph (fusing elementwise chains
//! and reductions, pushing slices to sources, sharing common subexpressions), and
//! [`Compute`] runs it as block tasks on rayon under a memory budget.

pub mod accumulate;
pub mod chunk;
pub mod dtype;
pub mod eval;
pub mod exec;
pub mod expr;
pub mod graph;
pub mod grid;
pub mod group_chunks;
pub mod interp;
pub mod ops;
pub mod optimize;
pub mod profile;
pub mod reduce;
pub mod source;

pub use chunk::{ArrayData, Storable};
pub use dtype::{DType, Element, FloatFn, Kind};
pub use exec::{ChunkSink, Compute, MemorySink, Progress};
pub use expr::{BinaryOp, Expr, ExprBuilder, Scalar, UnaryOp};
pub use graph::{AxisSlice, LazyArray, Op, ScanKind};
pub use grid::{ChunkGrid, Region};
pub use ops::reduce::ReduceOptions;
pub use ops::window::RollingKind;
pub use profile::{Profile, TaskRecord};
pub use reduce::{AxisRole, ReduceKind, ReduceSpec};
pub use source::{ChunkSource, FnSource, MemorySource};
