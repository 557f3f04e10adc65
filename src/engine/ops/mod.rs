//! The operations that build lazy arrays, grouped by kind.

pub mod create;
pub mod difference;
pub mod elementwise;
pub mod reduce;
pub mod shape;
pub mod window;
