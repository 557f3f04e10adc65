//! The analyses inside the sea-level and precipitation examples, one at a time, so
//! that `scripts/compare.py` can time each against xarray + dask (the same parts are in
//! `scripts/xarray_examples.py`) and against the one-pass floor of what it reads:
//!
//! - `gmsl-trend`: the area-weighted global mean of `sla` and its linear trend
//!   (`gmsl_trend_mm_per_yr`, as `examples/sea_level.rs` defines it);
//! - `climatology-anomaly`: the monthly climatology of `sla` and the standard deviation
//!   over time of its anomalies from it, as xarray spells it
//!   (`g = sla.groupby("time.month")`, `g.mean()`, `(g - g.mean()).std("time")`);
//!   `sla_climatology_mean_m` and `sla_anomaly_std_mean_m` are the means over
//!   non-missing points of the two;
//! - `annual-spread`: the annual precipitation totals per member and the ensemble
//!   spread of the long-term mean (`pcp_annual_total_mm`,
//!   `pcp_ensemble_spread_mm_per_day`, as `examples/precipitation.rs` defines them).
//!
//! ```sh
//! cargo run --release --example analysis_parts -- gmsl-trend /tmp/sla.zarr --json
//! cargo run --release --example analysis_parts -- annual-spread   # the embedded fixture
//! ```

mod common;

use clap::{Parser, ValueEnum};
use common::{Cli, Report, scalar};
use tessera::engine::{BinaryOp, FloatFn};
use tessera::labelled::{DataArray, Dataset, Dims};

const DAYS_PER_YEAR: f64 = 365.25;

/// Which part.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Part {
    /// Area-weighted GMSL and its trend (a sea-level store).
    GmslTrend,
    /// Monthly climatology of `sla` and the std of the anomalies (a sea-level store).
    ClimatologyAnomaly,
    /// Annual precipitation totals and the ensemble spread (a precipitation store).
    AnnualSpread,
}

/// One part of an example's analysis, timed alone.
#[derive(Parser, Debug)]
struct Args {
    #[arg(value_enum)]
    part: Part,
    #[command(flatten)]
    cli: Cli,
}

fn main() {
    common::run(|| {
        let args = Args::parse();
        part(&args).map_err(|e| e.to_string())
    });
}

fn part(args: &Args) -> tessera::Result<bool> {
    let report = Report::start();
    let fixture = match args.part {
        Part::GmslTrend | Part::ClimatologyAnomaly => "sea_level.zarr",
        Part::AnnualSpread => "precipitation.zarr",
    };
    let url = args
        .cli
        .store
        .clone()
        .unwrap_or_else(|| format!("{}/data-fixtures/{fixture}", env!("CARGO_MANIFEST_DIR")));
    let ds = tessera::open_dataset(&url)?;
    let compute = args
        .cli
        .compute()
        .map_err(tessera::Error::InvalidArgument)?;
    let values = match args.part {
        Part::GmslTrend => gmsl_trend(&ds, &compute)?,
        Part::ClimatologyAnomaly => climatology_anomaly(&ds, &compute)?,
        Part::AnnualSpread => annual_spread(&ds, &compute)?,
    };
    for (key, value) in &values {
        println!("{key} {value}");
    }
    if args.cli.json {
        let mut report = report;
        for (key, value) in values {
            report.set(key, value);
        }
        report.print_json();
    }
    Ok(true)
}

/// `gmsl_trend_mm_per_yr`: the slope of the cos(latitude)-weighted mean of `sla`.
fn gmsl_trend(
    ds: &Dataset,
    compute: &tessera::Compute,
) -> tessera::Result<Vec<(&'static str, f64)>> {
    let sla = ds.get("sla")?;
    let weights = ds
        .get("latitude")?
        .math(FloatFn::Deg2Rad)?
        .math(FloatFn::Cos)?;
    let gmsl = sla
        .weighted(&weights)?
        .mean(Dims::from(["latitude", "longitude"]))?;
    let done = DataArray::persist_many(&[&gmsl], compute)?;
    let per_day = scalar(&done[0].linear_trend("time")?.slope)?;
    Ok(vec![(
        "gmsl_trend_mm_per_yr",
        per_day * DAYS_PER_YEAR * 1000.0,
    )])
}

/// The monthly climatology of `sla` and the std over time of the anomalies from it.
fn climatology_anomaly(
    ds: &Dataset,
    compute: &tessera::Compute,
) -> tessera::Result<Vec<(&'static str, f64)>> {
    let sla = ds.get("sla")?;
    let g = sla.groupby("time.month")?;
    let clim = g.mean()?;
    let anomaly_std = g.sub(&clim)?.std("time", 0)?;
    let done = DataArray::persist_many(&[&clim, &anomaly_std], compute)?;
    Ok(vec![
        ("sla_climatology_mean_m", scalar(&done[0].mean(Dims::All)?)?),
        ("sla_anomaly_std_mean_m", scalar(&done[1].mean(Dims::All)?)?),
    ])
}

/// The annual totals of `pcp` and the ensemble spread of its long-term mean, over the mask.
fn annual_spread(
    ds: &Dataset,
    compute: &tessera::Compute,
) -> tessera::Result<Vec<(&'static str, f64)>> {
    let pcp = ds.get("pcp")?;
    let inside = ds.get("mask")?.binary_scalar(BinaryOp::Eq, 1.0, false)?;
    let total = pcp
        .resample("time", "YS")?
        .sum()?
        .where_(&inside, None)?
        .mean(Dims::All)?;
    let spread = pcp
        .mean("time")?
        .std("ensemble", 0)?
        .where_(&inside, None)?
        .mean(Dims::All)?;
    let done = DataArray::persist_many(&[&total, &spread], compute)?;
    Ok(vec![
        ("pcp_annual_total_mm", scalar(&done[0])?),
        ("pcp_ensemble_spread_mm_per_day", scalar(&done[1])?),
    ])
}
