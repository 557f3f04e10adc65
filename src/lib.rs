//! # tessera
//!
//! Labelled n-dimensional arrays on a lazy, chunked, parallel, memory-bounded engine:
//! what xarray on dask.array is to Python, for Rust.
//!
//! This release contains the engine (the dask.array part) and CF time handling; the
//! labelled layer (`Dataset`/`DataArray`), Zarr and object stores build on it next.
//!
//! ## A tour for dask users
//!
//! A [`LazyArray`] is a node in a graph of array operations. Building
//! it reads nothing; the graph grows with the operations you write, never with the
//! number of chunks.
//!
//! ```
//! use ndarray::{Array, IxDyn};
//! use tessera::engine::{BinaryOp, Compute, FloatFn, LazyArray, ReduceKind, ReduceOptions};
//!
//! // dask: da.from_array(x, chunks=(10, 50))
//! let x = LazyArray::from_ndarray(Array::from_shape_fn(IxDyn(&[100, 50]), |i| i[0] as f64), &[10, 50])?;
//! // (sqrt(x * 2) - x.mean(axis=0)).std(axis=0), NaN-skipping as xarray does by default
//! let y = x.binary_scalar(BinaryOp::Mul, 2.0, false)?.math(FloatFn::Sqrt)?;
//! let anomaly = y.sub(&y.nanmean(&[0])?)?;
//! let spread = anomaly.reduce(ReduceKind::Std, &[0], ReduceOptions::skipna())?;
//! // Both results in one pass over the data, 2 threads, under a 64 MiB budget.
//! let out = Compute::new().threads(2).memory_limit(64 << 20).run(&[&spread, &y])?;
//! assert_eq!(out[0].shape(), &[50]);
//! # Ok::<(), tessera::Error>(())
//! ```
//!
//! What happens on `run`: the optimizer fuses the elementwise chain into one kernel
//! and that kernel into the reduction, pushes slices toward the sources and merges
//! repeated subexpressions ([`engine::optimize`]); nested reductions (the mean above)
//! are computed first and kept in memory; then block tasks run on rayon, each
//! admitted only when its bytes fit in the budget, with reductions streaming partial
//! results per output chunk. `Compute::progress(true)` shows a progress bar with an
//! ETA and `Compute::profile(path)` writes an HTML task timeline with a memory curve.
//!
//! Data enters through a [`ChunkSource`](engine::ChunkSource): in-memory arrays,
//! generator closures ([`LazyArray::from_fn`](engine::LazyArray::from_fn)) and, later,
//! Zarr and netCDF stores.

pub mod engine;
mod error;
#[cfg(feature = "zarr")]
pub mod io;
pub mod labelled;
#[cfg(feature = "plot")]
pub mod plot;
pub mod prelude;
pub mod synthetic;
pub mod time;

pub use engine::{Compute, LazyArray};
pub use error::{Error, Result};
#[cfg(feature = "zarr")]
pub use io::{open_zarr, open_zarr_with};
pub use labelled::{Compat, DataArray, Dataset, Join, Variable, concat, merge};
