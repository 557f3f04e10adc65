//! Zarr stores through the public API, one test binary (feature `zarr`): fixtures
//! written by xarray/zarr-python read as xarray reads them, round trips, typed errors
//! for damaged stores, the [`ChunkSource`](tessera::engine::ChunkSource) conformance
//! suite on the Zarr source; netCDF files (feature `netcdf`) read as xarray reads
//! them, and datasets written to netCDF read back by xarray as written; `open_dataset`
//! picks the reader, `open_mfdataset` combines many files as xarray does. Stores over
//! the network have a binary of their own, `io_remote`: its S3 test sets environment
//! variables, which is unsound while threads here may be in blosc's C code, which
//! reads them.

#[path = "support"]
mod support {
    pub(crate) mod chunk_source_conformance;
    pub(crate) mod proptest_regressions;
    // `close` and `values_of` serve the netCDF tests.
    #[cfg_attr(not(feature = "netcdf"), allow(dead_code))]
    pub(crate) mod xarray_json;
    pub(crate) mod zarr_fixtures;
}

#[cfg(feature = "netcdf")]
#[path = "io/netcdf_read.rs"]
mod netcdf_read;
#[cfg(feature = "netcdf")]
#[path = "io/netcdf_write.rs"]
mod netcdf_write;
#[path = "io/open_dataset.rs"]
mod open_dataset;
#[path = "io/open_mfdataset.rs"]
mod open_mfdataset;
#[path = "io/zarr_chunk_source.rs"]
mod zarr_chunk_source;
#[path = "io/zarr_errors.rs"]
mod zarr_errors;
#[path = "io/zarr_kinds.rs"]
mod zarr_kinds;
#[path = "io/zarr_read.rs"]
mod zarr_read;
#[path = "io/zarr_roundtrip.rs"]
mod zarr_roundtrip;
#[path = "io/zarr_timedelta.rs"]
mod zarr_timedelta;
