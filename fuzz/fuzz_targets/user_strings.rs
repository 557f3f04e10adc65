#![no_main]
//! `tessera::fuzzing::user_strings` under libFuzzer (see `fuzz/README.md`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tessera::fuzzing::user_strings(data));
