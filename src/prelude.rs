//! The names almost every program uses, in one import.
//!
//! ```
//! use tessera::prelude::*;
//!
//! let t = DataArray::from_ndarray("t", ["time", "x"], ndarray::Array2::<f64>::ones((4, 3)).into_dyn(), &[2, 3])?;
//! let mean = t.mean(["time"])?;
//! assert_eq!(mean.values::<f64>()?.as_slice().unwrap(), &[1.0, 1.0, 1.0]);
//! # Ok::<(), Error>(())
//! ```
//!
//! It brings the labelled types ([`DataArray`], [`Dataset`], [`Variable`] and their
//! argument types), the functions that combine them ([`concat()`], [`merge`], [`align`]), the ways in ([`open_dataset`], [`open_mfdataset`], [`open_zarr`]), the engine's [`LazyArray`] and
//! [`Compute`], the operation enums a user names ([`BinaryOp`], [`FloatFn`],
//! [`ReduceKind`], ...), and [`Error`] / [`Result`].

pub use crate::engine::{
    ArrayData, BinaryOp, Compute, DType, FloatFn, LazyArray, ReduceKind, ReduceOptions,
    RollingKind, Scalar, ScanKind, UnaryOp,
};
#[cfg(feature = "zarr")]
pub use crate::io::{
    Combine, DataVars, MultiFileOptions, OpenOptions, PathsOrGlob, WriteMode, WriteOptions,
    open_dataset, open_dataset_with, open_mfdataset, open_zarr, open_zarr_with,
};
#[cfg(feature = "netcdf")]
pub use crate::io::{NetcdfFormat, NetcdfWriteOptions, open_netcdf, open_netcdf_with};
pub use crate::labelled::CalendarConversion;
pub use crate::labelled::{
    Attrs, BinOptions, Boundary, Compat, Coords, DataArray, Dataset, DecodeOptions, Dims, Join,
    LabelSel, ReduceArgs, ResampleOptions, Side, Variable, align, concat, decode_cf, encode_cf,
    merge, polyval,
};
pub use crate::time::Calendar;
pub use crate::time::{DateRange, Inclusive};
pub use crate::{Error, Result};
