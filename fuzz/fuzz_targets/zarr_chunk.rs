#![no_main]
//! `tessera::fuzzing::zarr_chunk` under libFuzzer (see `fuzz/README.md`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tessera::fuzzing::zarr_chunk(data));
