//! The `tessera` command line (feature `cli`): `tessera info` shows a dataset and how it
//! is stored, `tessera convert` writes it as a Zarr store with new chunks inside a
//! memory budget, resumably. `src/bin/tessera.rs` only calls [`main`]; everything is
//! here so that it can be tested and called from Rust.
//!
//! ```text
//! cargo install --path .          # the `cli` feature is on by default
//! tessera info 'data/sla_*.nc'
//! tessera info s3://bucket/era5.zarr --json
//! tessera convert 'data/sla_*.nc' sla.zarr --chunks time=365,latitude=90,longitude=90 \
//!     --compressor zstd:3 --memory-limit 2GiB
//! ```

mod args;
mod convert;
mod info;
mod plan;
mod state;

pub use args::{
    ChunkSpec, Cli, Command, ConvertArgs, InfoArgs, parse_bytes, parse_chunks, parse_compressor,
};
pub use convert::{ConvertReport, convert};
pub use info::{Info, StoreFacts, info};

use clap::Parser;

/// Runs the command line with these arguments (the first is the program name); returns
/// the process exit code. Errors print as one line on stderr, the library error's text.
pub fn main<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(&cli) {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// Runs one parsed command; returns what it prints on stdout.
pub fn run(cli: &Cli) -> crate::Result<String> {
    match &cli.command {
        Command::Info(a) => {
            let info = info(&a.input)?;
            Ok(if a.json {
                format!("{:#}\n", info.to_json())
            } else {
                info.to_text()
            })
        }
        Command::Convert(a) => {
            let report = convert(a)?;
            Ok(format!("wrote {}: {}\n", a.output, report.summary()))
        }
    }
}
