//! Optimizer passes over the logical graph.
//!
//! Each rule is one small rewrite in its own file with its own tests; [`optimize`]
//! applies them in a fixed order over all outputs together, so nodes the outputs
//! share stay shared (and their reads happen once), and checks after each rule that
//! no output changed its shape, dtype or chunk grid.

mod anomaly_moments;
mod cse;
mod fuse_elementwise;
mod fuse_reduce;
mod pipeline;
mod pushdown_slice;
mod remove_noop;
mod rule;

pub use anomaly_moments::AnomalyMoments;
pub use cse::{EliminateCommonSubexpressions, eliminate_common_subexpressions};
pub use fuse_elementwise::FuseElementwise;
pub use fuse_reduce::FuseReduce;
pub use pipeline::{optimize, rules};
pub use pushdown_slice::PushdownSlice;
pub use remove_noop::RemoveNoop;
pub use rule::{OptimizerRule, apply};
