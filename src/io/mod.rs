//! io: where data lives. A URL maps to a key-value store, in which Zarr v2/v3 groups are
//! read and written with xarray's conventions. Backends
//! implement the engine's `ChunkSource`/`ChunkSink` and reach the labelled layer only
//! through [`open_zarr`] and [`Dataset::to_zarr`](crate::labelled::Dataset::to_zarr).

pub(crate) mod store;
pub(crate) mod zarr;

pub use zarr::{
    Compressor, Consolidated, OpenOptions, WriteMode, WriteOptions, ZarrFormat, open_zarr,
    open_zarr_with,
};
