#![no_main]
//! `tessera::fuzzing::cf_attributes` under libFuzzer (see `fuzz/README.md`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tessera::fuzzing::cf_attributes(data));
