//! Optimizer passes over the logical graph. Each rule lives in its own file with its
//! own tests and is registered in [`rules`].

use crate::Result;
use crate::engine::graph::LazyArray;

/// Rewrites the graphs of several outputs together.
pub fn optimize(roots: &[LazyArray]) -> Result<Vec<LazyArray>> {
    Ok(roots.to_vec())
}
