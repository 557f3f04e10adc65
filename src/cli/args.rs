//! The command line as clap parses it, and the small value parsers behind its options
//! (`--chunks time=365,lat=90`, `--compressor zstd:3`, `--memory-limit 2GiB`).

use clap::{Args, Parser, Subcommand};

use crate::io::Compressor;
use crate::{Error, Result};

/// `tessera`: look inside Zarr and netCDF datasets, and convert them to analysis-ready Zarr.
#[derive(Debug, Parser)]
#[command(name = "tessera", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Shows a dataset as xarray's repr does, with how each variable is stored.
    Info(InfoArgs),
    /// Converts Zarr or netCDF (one file, a store or a glob) to a Zarr store with new
    /// chunks, inside a memory budget; a re-run after an interruption completes it.
    Convert(ConvertArgs),
}

/// Arguments of `tessera info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// A Zarr store (path or URL: `s3://`, `gs://`, `az://`, `http(s)://`, `memory://`),
    /// a netCDF file, or a quoted glob of files opened as one dataset.
    pub input: String,
    /// Prints JSON (dims, coords, data variables, attributes, store facts) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `tessera convert`.
#[derive(Debug, Args, Clone)]
pub struct ConvertArgs {
    /// Zarr store, netCDF file, or a quoted glob of files opened as one dataset.
    pub input: String,
    /// The Zarr store to write (path or URL).
    pub output: String,
    /// Target chunk length per dimension, `time=365,latitude=90`; other dimensions keep
    /// the source chunks.
    #[arg(long, value_parser = parse_chunks, default_value = "")]
    pub chunks: ChunkSpec,
    /// Only these data variables (comma-separated); coordinates always come along.
    #[arg(long, value_delimiter = ',')]
    pub variables: Vec<String>,
    /// Compressor of the written arrays: `zstd[:level]`, `blosc[:level]` (lz4, shuffle),
    /// `gzip[:level]` or `none`.
    #[arg(long, value_parser = parse_compressor, default_value = "zstd:3")]
    pub compressor: Compressor,
    /// Memory budget of the conversion (`512MiB`, `2GiB`, `1e9`).
    #[arg(long, value_parser = parse_bytes, default_value = "2GiB")]
    pub memory_limit: u64,
    /// Appends to an existing store along this dimension instead of creating one.
    #[arg(long)]
    pub append_dim: Option<String>,
    /// Zarr format of a new store, 2 or 3.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(2..=3))]
    pub zarr_version: u8,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Hides the progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Target chunk lengths by dimension name, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChunkSpec(pub Vec<(String, usize)>);

/// Parses `time=365,latitude=90` (an empty string is no chunks).
pub fn parse_chunks(text: &str) -> Result<ChunkSpec> {
    let mut out: Vec<(String, usize)> = vec![];
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (dim, len) = part.split_once('=').ok_or_else(|| {
            Error::invalid(format!(
                "chunk {part:?} is not DIM=LENGTH (as in time=365,latitude=90)"
            ))
        })?;
        let len: usize = len.trim().parse().ok().filter(|&n| n > 0).ok_or_else(|| {
            Error::invalid(format!(
                "chunk length {len:?} of {dim:?} is not a positive integer"
            ))
        })?;
        let dim = dim.trim().to_string();
        if out.iter().any(|(d, _)| *d == dim) {
            return Err(Error::invalid(format!(
                "dimension {dim:?} is given twice in --chunks"
            )));
        }
        out.push((dim, len));
    }
    Ok(ChunkSpec(out))
}

/// Parses `zstd:3`, `zstd`, `blosc:5`, `gzip:6`, `none`.
pub fn parse_compressor(text: &str) -> Result<Compressor> {
    let (name, level) = match text.split_once(':') {
        Some((n, l)) => (n, Some(l)),
        None => (text, None),
    };
    let bad_level = |l: &str| Error::invalid(format!("compressor level {l:?} is not an integer"));
    match name.to_ascii_lowercase().as_str() {
        "zstd" => Ok(Compressor::Zstd(match level {
            Some(l) => l.parse().map_err(|_| bad_level(l))?,
            None => 3,
        })),
        "blosc" | "blosc-lz4" | "lz4" => Ok(Compressor::BloscLz4(match level {
            Some(l) => l.parse().map_err(|_| bad_level(l))?,
            None => 5,
        })),
        "gzip" | "zlib" => Ok(Compressor::Gzip(match level {
            Some(l) => l.parse().map_err(|_| bad_level(l))?,
            None => 6,
        })),
        "none" if level.is_none() => Ok(Compressor::None),
        _ => Err(Error::invalid(format!(
            "unknown compressor {text:?} (known: zstd[:level], blosc[:level], gzip[:level], none)"
        ))),
    }
}

/// Parses a byte size: `512MiB`, `2GiB`, `1.5GB`, `64k`, `1e9`, `1000000` (at least one byte).
pub fn parse_bytes(text: &str) -> Result<u64> {
    match crate::engine::parse_bytes(text)? {
        0 => Err(Error::invalid(format!(
            "{text:?} is not a size (as in 512MiB, 2GiB, 1e9)"
        ))),
        n => Ok(n as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_si_and_binary_units() {
        assert_eq!(parse_bytes("512MiB").unwrap(), 512 << 20);
        assert_eq!(parse_bytes("2GiB").unwrap(), 2 << 30);
        assert_eq!(parse_bytes("1.5GB").unwrap(), 1_500_000_000);
        assert_eq!(parse_bytes("1e9").unwrap(), 1_000_000_000);
        assert_eq!(parse_bytes("4096").unwrap(), 4096);
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("-1GiB").is_err());
        assert!(
            parse_bytes("3 parsecs")
                .unwrap_err()
                .to_string()
                .contains("3 parsecs")
        );
    }

    #[test]
    fn chunks_parse_and_refuse_nonsense() {
        assert_eq!(
            parse_chunks("time=365, lat=90").unwrap().0,
            vec![("time".to_string(), 365), ("lat".to_string(), 90)]
        );
        assert_eq!(parse_chunks("").unwrap().0, vec![]);
        assert!(parse_chunks("time").is_err());
        assert!(parse_chunks("time=0").is_err());
        assert!(parse_chunks("time=1,time=2").is_err());
    }

    #[test]
    fn compressors_parse() {
        assert_eq!(parse_compressor("zstd:5").unwrap(), Compressor::Zstd(5));
        assert_eq!(parse_compressor("zstd").unwrap(), Compressor::Zstd(3));
        assert_eq!(parse_compressor("none").unwrap(), Compressor::None);
        assert_eq!(parse_compressor("gzip:4").unwrap(), Compressor::Gzip(4));
        assert!(
            parse_compressor("lzma")
                .unwrap_err()
                .to_string()
                .contains("lzma")
        );
        assert!(parse_compressor("zstd:x").is_err());
    }
}
