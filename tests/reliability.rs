//! Reliability (issue 21): hostile metadata, credentials kept out of messages, keys that
//! try to leave the store, faulty object stores, concurrent and repeated use, and the
//! replay of the fuzz corpus. `RELIABILITY.md` lists what each test proves.
//!
//! The counting allocator is installed in this binary (for the leak test); the tests
//! that measure take turns with `counting_alloc::serial`.

#[path = "support"]
mod support {
    #[allow(dead_code)]
    pub(crate) mod counting_alloc;
    pub(crate) mod zarr_fixtures;
}

#[path = "reliability/concurrency.rs"]
mod concurrency;
#[path = "reliability/credentials.rs"]
mod credentials;
#[path = "reliability/edited_metadata.rs"]
mod edited_metadata;
#[path = "reliability/faulty_store.rs"]
mod faulty_store;
#[path = "reliability/fuzz_corpus.rs"]
mod fuzz_corpus;
#[path = "reliability/hostile_metadata.rs"]
mod hostile_metadata;
#[path = "reliability/interrupted_writes.rs"]
mod interrupted_writes;
#[cfg(feature = "cloud")]
#[path = "reliability/s3_restart.rs"]
mod s3_restart;
