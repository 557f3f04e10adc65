//! tessera: labelled n-dimensional arrays on a lazy, chunked, parallel engine.

pub mod engine;
mod error;
pub mod time;

pub use error::{Error, Result};
