//! The engine through its public API, one test binary: smoke tests, errors, the
//! [`ChunkSource`](tessera::engine::ChunkSource) conformance suite on the in-memory and
//! generated sources, and property tests of every operation (windows, calculus and
//! coarsen included) against eager references.

#[path = "support"]
mod support {
    pub(crate) mod chunk_source_conformance;
    pub(crate) mod chunk_splits;
    pub(crate) mod proptest_regressions;
}

#[path = "engine/calculus_props.rs"]
mod calculus_props;
#[path = "engine/chunk_sources.rs"]
mod chunk_sources;
#[path = "engine/coarsen_props.rs"]
mod coarsen_props;
#[path = "engine/delayed.rs"]
mod delayed;
#[path = "engine/errors.rs"]
mod errors;
#[path = "engine/ffill_props.rs"]
mod ffill_props;
#[path = "engine/map_blocks_props.rs"]
mod map_blocks_props;
#[path = "engine/props.rs"]
mod props;
#[path = "engine/smoke.rs"]
mod smoke;
#[path = "engine/window_kernel_props.rs"]
mod window_kernel_props;
#[path = "engine/window_props.rs"]
mod window_props;
