//! io: where data lives. [`store`] maps a URL to a key-value store; [`zarr`] reads and
//! writes Zarr v2/v3 groups in such a store with xarray's conventions. Backends
//! implement the engine's `ChunkSource`/`ChunkSink` and reach the labelled layer only
//! through [`open_zarr`] and [`Dataset::to_zarr`](crate::labelled::Dataset::to_zarr).

pub mod store;
pub mod zarr;

pub use zarr::{
    Compressor, Consolidated, OpenOptions, WriteMode, WriteOptions, open_zarr, open_zarr_with,
};
