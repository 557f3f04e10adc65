//! Zarr stores over the network (feature `cloud`): S3 and HTTP. A binary of its own:
//! its S3 test sets `AWS_*` environment variables, which is sound only while no other
//! thread of the process reads the environment outside Rust's lock (blosc's C code,
//! used by the other Zarr tests, calls `getenv`).

#[path = "support"]
mod support {
    pub(crate) mod zarr_fixtures;
}

#[path = "io/zarr_remote.rs"]
mod zarr_remote;
