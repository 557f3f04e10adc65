//! Streaming reduction state: mergeable partial accumulators per output chunk, and
//! the walk that maps each block element to its accumulator cell.
//!
//! A block is fed tile by tile in C order. The walk cuts tiles into runs along the
//! innermost axis: a reduced innermost axis feeds one cell, a kept one feeds
//! consecutive cells, a grouped one looks up each element's group. Partials of the
//! same output chunk from different threads are merged, then finished. Each
//! accumulator lives in its own file; [`new_partial`] picks one for a reduction.

mod any_all;
mod count;
mod counts;
mod extreme;
mod layout;
mod moments;
mod partial;
mod sum;

pub(crate) use layout::{BlockLayout, Walker};
pub(crate) use partial::{Partial, new_partial};
