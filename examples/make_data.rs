//! Writes the synthetic datasets the analysis examples and benchmarks run on, at any
//! size, as Zarr (v2 or v3) to any store URL, streaming under the memory budget: the
//! data are generated chunk by chunk and never held whole.
//!
//! ```sh
//! # the embedded fixtures
//! cargo run --release --example make_data -- sea-level data-fixtures/sea_level.zarr
//! cargo run --release --example make_data -- precipitation data-fixtures/precipitation.zarr
//! # the benchmark store: 730 x 360 x 720, Zarr v2, blosc-lz4, 5-day chunks
//! cargo run --release --example make_data -- sea-level /tmp/sla.zarr --size medium --zarr-format 2 --compressor blosc
//! ```

mod common;

use clap::{Parser, ValueEnum};
use tessera::io::{Compressor, WriteMode, WriteOptions};
use tessera::synthetic::{Packing, Precipitation, SeaLevel};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Kind {
    /// Gridded altimetry (sla, adt, ugos, vgos, ugosa, vgosa, err).
    SeaLevel,
    /// CONUS daily precipitation and temperature ensemble.
    Precipitation,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Size {
    /// The embedded fixture (a few MB).
    Small,
    /// Benchmark size (sea level: 730 x 360 x 720).
    Medium,
    /// The real product's size (tens of GB).
    Full,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Codec {
    Zstd,
    Blosc,
    Gzip,
    None,
}

/// Writes a synthetic dataset with the schema of a real product.
#[derive(Parser, Debug)]
struct Args {
    /// Which dataset.
    #[arg(value_enum)]
    kind: Kind,
    /// Where to write it (path, file://, s3://, memory://...).
    url: String,
    #[arg(long, value_enum, default_value = "small")]
    size: Size,
    /// Time steps (sea level) or years (precipitation), overriding the size.
    #[arg(long)]
    time: Option<usize>,
    /// Latitude (sea level) or y (precipitation) cells, overriding the size.
    #[arg(long)]
    ny: Option<usize>,
    /// Longitude (sea level) or x (precipitation) cells, overriding the size.
    #[arg(long)]
    nx: Option<usize>,
    /// Ensemble members (precipitation).
    #[arg(long)]
    members: Option<usize>,
    /// Time steps per chunk.
    #[arg(long)]
    time_chunk: Option<usize>,
    /// Storage dtype of the data variables: float32, int16 or int32 (packed).
    #[arg(long)]
    packing: Option<String>,
    #[arg(long, default_value_t = 3)]
    zarr_format: u8,
    #[arg(long, value_enum, default_value = "zstd")]
    compressor: Codec,
    /// Replace an existing store.
    #[arg(long)]
    overwrite: bool,
    /// Memory budget, e.g. 2GiB.
    #[arg(long)]
    memory_limit: Option<String>,
}

fn main() {
    common::run(|| write(&Args::parse()).map(|()| true));
}

fn write(a: &Args) -> Result<(), String> {
    let packing = a
        .packing
        .as_deref()
        .map(Packing::parse)
        .transpose()
        .map_err(|e| e.to_string())?;
    let ds = match a.kind {
        Kind::SeaLevel => {
            let mut s = match a.size {
                Size::Small => SeaLevel::small(),
                Size::Medium => SeaLevel::medium(),
                Size::Full => SeaLevel::full(),
            };
            s.n_time = a.time.unwrap_or(s.n_time);
            s.n_lat = a.ny.unwrap_or(s.n_lat);
            s.n_lon = a.nx.unwrap_or(s.n_lon);
            s.time_chunk = a.time_chunk.unwrap_or(s.time_chunk);
            s.packing = packing.unwrap_or(s.packing);
            s.dataset()
        }
        Kind::Precipitation => {
            let mut p = match a.size {
                Size::Small => Precipitation::small(),
                Size::Medium => Precipitation::medium(),
                Size::Full => Precipitation::full(),
            };
            p.n_years = a.time.unwrap_or(p.n_years);
            p.ny = a.ny.unwrap_or(p.ny);
            p.nx = a.nx.unwrap_or(p.nx);
            p.n_ensemble = a.members.unwrap_or(p.n_ensemble);
            p.time_chunk = a.time_chunk.unwrap_or(p.time_chunk);
            p.packing = packing.unwrap_or(p.packing);
            p.dataset()
        }
    }
    .map_err(|e| e.to_string())?;
    let mut compute = tessera::engine::Compute::new().progress(true);
    if let Some(limit) = &a.memory_limit {
        compute = compute.memory_limit(common::parse_bytes(limit)?);
    }
    let opts = WriteOptions {
        mode: if a.overwrite {
            WriteMode::Overwrite
        } else {
            WriteMode::Create
        },
        compressor: match a.compressor {
            Codec::Zstd => Compressor::Zstd(3),
            Codec::Blosc => Compressor::BloscLz4(5),
            Codec::Gzip => Compressor::Gzip(5),
            Codec::None => Compressor::None,
        },
        zarr_format: a.zarr_format,
        compute,
        ..WriteOptions::default()
    };
    let started = std::time::Instant::now();
    ds.to_zarr(&a.url, &opts).map_err(|e| e.to_string())?;
    println!("{ds}");
    println!(
        "wrote {} in {:.1} s",
        a.url,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
