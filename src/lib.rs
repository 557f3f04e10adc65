//! # tessera
//!
//! Labelled n-dimensional arrays on a lazy, chunked, parallel, memory-bounded engine:
//! what xarray on dask.array is to Python, for Rust. Coming from xarray? The
//! [guide for xarray users](xarray_guide) maps the 60 calls you use most to tessera.
//!
//! ## Three layers
//!
//! - **[`labelled`]**, the xarray part: [`DataArray`], [`Dataset`] and [`Variable`]
//!   with named dimensions, coordinates with indexes (numbers, strings, dates in any
//!   CF calendar), `sel`/`isel`, arithmetic aligned and broadcast by name, reductions,
//!   weighted reductions, `groupby`/`resample`/`rolling`/`coarsen`, `concat`/`merge`,
//!   `polyfit`, CF decoding and encoding. It only builds graphs; it never touches bytes.
//! - **[`engine`]**, the dask.array part: a [`LazyArray`] is a node in a graph of
//!   array operations whose size grows with the operations, never with the number of
//!   chunks. [`Compute`] optimizes the graph (fused elementwise chains and reductions,
//!   slices pushed to the sources, shared subexpressions) and runs it on rayon.
//! - **`io`** (feature `zarr`), where data lives: Zarr v2/v3 with xarray's
//!   conventions, by URL (paths, `memory://`, `s3://`, `gs://`, `az://`,
//!   `http(s)://`): `open_zarr` and `Dataset::to_zarr`.
//!
//! [`prelude`] brings what almost every program uses in one import, and [`synthetic`]
//! generates datasets with the schemas of real products and a known truth.
//!
//! ## Labelled, as in xarray
//!
//! ```
//! use tessera::prelude::*;
//!
//! let sst = DataArray::from_ndarray(
//!     "sst",
//!     ["time", "lat", "lon"],
//!     ndarray::Array3::from_shape_fn((8, 3, 4), |(t, j, _)| t as f64 + j as f64).into_dyn(),
//!     &[2, 3, 4], // chunks of 2 time steps
//! )?
//! .with_coord_values("lat", vec![60.0, 0.0, -60.0])?
//! .with_coord_values("lon", vec![0.0, 90.0, 180.0, 270.0])?;
//! let weights = sst.coord("lat")?.math(FloatFn::Deg2Rad)?.math(FloatFn::Cos)?;
//! let tropics = sst.sel_slice("lat", 30.0, -30.0)?; // a descending index works
//! let series = sst.weighted(&weights)?.mean(["lat", "lon"])?; // area-weighted mean
//! let anomaly = (&series - &series.mean("time")?)?;
//! assert_eq!(tropics.shape(), &[8, 1, 4]);
//! assert_eq!(anomaly.values::<f64>()?[[0]], -3.5); // computed here, in parallel
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Positional, as in dask.array
//!
//! ```
//! use ndarray::{Array, IxDyn};
//! use tessera::prelude::*;
//!
//! // da.from_array(x, chunks=(10, 50))
//! let x = LazyArray::from_ndarray(Array::from_shape_fn(IxDyn(&[100, 50]), |i| i[0] as f64), &[10, 50])?;
//! // (sqrt(x * 2) - x.mean(axis=0)).std(axis=0), NaN-skipping as xarray does by default
//! let y = x.binary_scalar(BinaryOp::Mul, 2.0, false)?.math(FloatFn::Sqrt)?;
//! let anomaly = y.sub(&y.nanmean(&[0])?)?;
//! let spread = anomaly.reduce(ReduceKind::Std, &[0], ReduceOptions::skipna())?;
//! // Both results in one pass over the data, 2 threads, under a 64 MiB budget.
//! let out = Compute::new().threads(2).memory_limit(64 << 20).run(&[&spread, &y])?;
//! assert_eq!(out[0].shape(), &[50]);
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Memory, progress, profile
//!
//! Every computation runs under a byte budget: [`Compute::memory_limit`], else the
//! `TESSERA_MEMORY_LIMIT` environment variable (`512MiB`, `2GiB`, ...), else half of
//! physical memory. Reads are admitted only when their bytes fit, and reductions
//! stream partial results, so a sum over 16 GiB of generated data needs a few chunks
//! of memory. [`Compute::progress`] shows chunks, bytes and an ETA;
//! [`Compute::profile`] writes a self-contained HTML task timeline with a memory
//! curve. Labelled arrays take the same settings through `compute_with`, and
//! `DataArray::compute_many` computes several results in one pass over shared inputs.
//!
//! On a machine with several NUMA nodes, workers run in one pool per node, bound to the
//! node's CPUs, each chunk task on its home node ([`engine::numa`]; `TESSERA_NUMA=off`,
//! `auto` (default) or `mock:N`, or `Compute::numa`).
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! |---------|---------|--------------|
//! | `progress` | yes | the progress bar (indicatif) |
//! | `zarr` | yes | Zarr v2/v3 on paths and `memory://` (zarrs, object_store): `open_dataset` (any path, URL or glob), `open_mfdataset`, `open_zarr`, `to_zarr` |
//! | `cloud` | yes | `s3://`, `gs://`, `az://`, `http(s)://` stores, credentials from the usual environment |
//! | `plot` | yes | quick-look PNGs: `da.plot()`, `LinePlot`, `MapPanel` (plotters, fonts embedded) |
//! | `netcdf` | no | netCDF-3/4 files through the system libnetcdf (`apt install libnetcdf-dev`): `open_netcdf`, `Dataset::to_netcdf` |
//! | `cli` | yes | the `tessera` binary (`tessera info`, `tessera convert`; clap) and the [`cli`] module behind it |
//!
//! MPI and delayed task batches are not built yet.

#[cfg(feature = "cli")]
pub mod cli;
pub mod delayed;
pub mod display;
pub mod distributed;
pub mod engine;
mod error;
#[cfg(feature = "zarr")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "zarr")]
pub mod io;
pub mod labelled;
#[cfg(feature = "plot")]
pub mod plot;
pub mod prelude;
pub mod synthetic;
pub mod time;
pub mod xarray_guide;

pub use engine::{Compute, LazyArray};
pub use error::{Error, Result};
#[cfg(feature = "zarr")]
pub use io::{open_dataset, open_dataset_with, open_mfdataset};
#[cfg(feature = "netcdf")]
pub use io::{open_netcdf, open_netcdf_with};
#[cfg(feature = "zarr")]
pub use io::{open_zarr, open_zarr_with};
pub use labelled::{Compat, DataArray, Dataset, Join, Variable, align, concat, merge};
