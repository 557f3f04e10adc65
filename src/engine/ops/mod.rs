//! The operations that build lazy arrays, grouped by kind.

pub(crate) mod create;
pub(crate) mod difference;
pub(crate) mod elementwise;
pub(crate) mod gather;
pub(crate) mod map_blocks_resized;
pub(crate) mod normal_equations;
pub(crate) mod per_element;
pub(crate) mod quantile;
pub(crate) mod reduce;
pub(crate) mod shape;
pub(crate) mod window;
pub(crate) mod window_grid;
pub(crate) mod window_kernel;
