//! Combining and reshaping labelled objects: alignment of indexes, `concat`,
//! `merge`, and renaming, expanding and squeezing dimensions.

pub(crate) mod align;
pub(crate) mod concat;
pub(crate) mod merge;
pub(crate) mod reshape;

pub use align::{Join, align, align_all_datasets, align_datasets, align_pair};
pub use concat::{concat, concat_datasets};
pub use merge::{Compat, merge, merge_arrays};
