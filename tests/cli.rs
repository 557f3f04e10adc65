//! The `tessera` command line (feature `cli`), through the binary Cargo builds for
//! these tests: `info --json` against xarray's view of every fixture (golden file of
//! `scripts/golden_cli_info.py`) and one-line errors; `convert` of the daily files
//! against xarray's `open_mfdataset(...).to_zarr(...)`, a conversion killed with
//! SIGKILL midway and re-run, identical to an uninterrupted one. The memory budget of
//! a rechunk is measured in `tests/memory/cli_convert.rs` (the counting allocator's
//! binary).

#[path = "support"]
mod support {
    pub(crate) mod zarr_fixtures;
}

#[path = "cli/convert.rs"]
mod convert;
#[path = "cli/info.rs"]
mod info;
