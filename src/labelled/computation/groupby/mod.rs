//! Split-apply-combine along one dimension, as xarray's `groupby`, `groupby_bins`
//! and `resample`: every position gets a group code (eagerly: group keys are
//! coordinates, which are small), and each reduction is one engine
//! `group_reduce` node that streams partial accumulators per group under the
//! memory budget. Groupby arithmetic takes each group's value back along the
//! grouped dimension with one lazy `take`, so it fuses with what follows.
//!
//! ```
//! use ndarray::{ArrayD, IxDyn};
//! use tessera::labelled::DataArray;
//! let x = DataArray::from_ndarray(
//!     "v",
//!     ["x"],
//!     ArrayD::from_shape_vec(IxDyn(&[4]), vec![1.0, 2.0, 3.0, 5.0]).unwrap(),
//!     &[2],
//! )?
//! .with_coord_values("x", vec![1.0, 1.0, 2.0, 2.0])?;
//! let m = x.groupby("x")?.mean()?;
//! assert_eq!(m.values::<f64>()?.into_raw_vec_and_offset().0, vec![1.5, 4.0]);
//! # Ok::<(), tessera::Error>(())
//! ```

pub(crate) mod arith;
pub(crate) mod bins;
mod dataset_arith;
mod grouping;
pub(crate) mod labels;
pub(crate) mod resample;
pub(crate) mod statistics;

pub use bins::BinOptions;
pub use grouping::{DatasetGroupBy, GroupBy};
pub use labels::{GroupLabels, Groups};
pub use resample::{BinRule, BinSide, Freq, ResampleOptions};
