//! io: where data lives. A URL maps to a key-value store, in which Zarr v2/v3 groups are
//! read and written with xarray's conventions. Backends
//! implement the engine's `ChunkSource`/`ChunkSink` and reach the labelled layer only
//! through [`open_zarr`], `open_netcdf` (feature `netcdf`) and [`Dataset::to_zarr`](crate::labelled::Dataset::to_zarr).
//! [`open_dataset`] picks the reader from the path or URL; [`open_mfdataset`] opens many
//! files as one dataset.

#[cfg(feature = "zarr")]
mod atomic_fs;
mod dataarray;
pub(crate) mod decode;
mod multi;
#[cfg(feature = "netcdf")]
pub(crate) mod netcdf;
#[cfg(feature = "zarr")]
pub(crate) mod object;
pub(crate) mod open;
mod options;
pub(crate) mod redact;
#[cfg(feature = "zarr")]
pub(crate) mod retry;
pub(crate) mod store;
pub(crate) mod zarr;

#[cfg(feature = "netcdf")]
pub use netcdf::{NetcdfFormat, NetcdfWriteOptions};
#[cfg(feature = "netcdf")]
pub use netcdf::{open_netcdf, open_netcdf_with};

pub use dataarray::UNNAMED_VARIABLE;
pub use multi::{Combine, DataVars, MultiFileOptions, PathsOrGlob, open_mfdataset};
#[cfg(feature = "zarr")]
pub use object::register_object_store;
pub use open::{open_dataset, open_dataset_with};
pub use options::{Consolidated, OpenOptions};
pub use zarr::{Compressor, WriteMode, WriteOptions, ZarrFormat, open_zarr, open_zarr_with};
