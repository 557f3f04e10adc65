//! Where proptest keeps the failing cases it found: in `<test file>.proptest-regressions`
//! beside the test's source file (`tests/engine/window_props.proptest-regressions` for
//! `tests/engine/window_props.rs`), replayed before any new case.
//!
//! proptest's default (`SourceParallel`) looks for a `lib.rs`/`main.rs` above the test
//! file and, finding none under `tests/`, warns and falls back to the same place; naming
//! the place here keeps it there whatever files are added, and without the warning.

use proptest::test_runner::{Config, FileFailurePersistence};

/// `cases` cases per property (`PROPTEST_CASES` is ignored, as with
/// `Config::with_cases`), failures persisted beside the test's source file.
pub(crate) fn with_cases(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}
