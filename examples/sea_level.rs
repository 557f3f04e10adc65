//! Global mean sea level from gridded satellite altimetry, as in the Pangeo gallery.
//!
//! Opens a Zarr store, a netCDF file or a glob of netCDF files (one per day, as the
//! product ships; `--features netcdf`) with the Copernicus Marine (formerly AVISO) schema — `sla` and,
//! if present, `ugosa`/`vgosa` on (time, latitude, longitude) — and computes a snapshot
//! map of `sla`; the global mean sea level (GMSL), area-weighted by cos(latitude) and
//! plain; its 365-day centred rolling mean; its linear trend in mm/yr; the map of
//! `sla`'s standard deviation over time; the eddy kinetic energy 0.5 (ugosa² + vgosa²)
//! averaged over time; the monthly climatology of the GMSL. Every map and series that
//! needs the big arrays comes out of one pass over the store.
//!
//! ```sh
//! cargo run --release --example sea_level                     # the embedded fixture
//! cargo run --release --example sea_level -- s3://bucket/sla.zarr --json
//! cargo run --release --features netcdf --example sea_level -- 'cmems/dt_global_allsat_phy_l4_*.nc'
//! ```

mod common;

use clap::Parser;
use common::{Cli, Report, scalar};
use tessera::engine::{BinaryOp, FloatFn};
use tessera::labelled::{DataArray, Dims, IndexValues};
use tessera::plot::LinePlot;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data-fixtures/sea_level.zarr");
const DAYS_PER_YEAR: f64 = 365.25;
/// How close the trend must come to one injected into synthetic data (mm/yr).
const TREND_TOLERANCE: f64 = 0.05;
/// How close the annual amplitude must come to an injected one (relative).
const AMPLITUDE_TOLERANCE: f64 = 0.1;

fn main() {
    common::run(|| {
        let cli = Cli::parse();
        analyse(&cli).map_err(|e| e.to_string())
    });
}

fn analyse(cli: &Cli) -> tessera::Result<bool> {
    let report_clock = Report::start();
    let url = cli.store.as_deref().unwrap_or(FIXTURE);
    let shown = cli
        .store
        .as_deref()
        .unwrap_or("data-fixtures/sea_level.zarr (embedded fixture)");
    let ds = tessera::open_dataset(url)?;
    let sla = ds.get("sla")?;
    for dim in ["time", "latitude", "longitude"] {
        sla.dim_len(dim)?;
    }
    let n_time = sla.dim_len("time")?;
    let compute = cli.compute().map_err(tessera::Error::InvalidArgument)?;

    // Area weights: a cell's area is proportional to cos(latitude).
    let weights = ds
        .get("latitude")?
        .math(FloatFn::Deg2Rad)?
        .math(FloatFn::Cos)?;
    let space = Dims::from(["latitude", "longitude"]);
    let gmsl = sla.weighted(&weights)?.mean(space.clone())?.rename("gmsl");
    let gmsl_plain = sla.mean(space)?.rename("gmsl_plain");
    let std_map = sla.std("time", 0)?.rename("sla_std");
    let snapshot = sla.sel_nearest("time", middle_date(&sla)?, None)?;
    let eke = match (ds.get("ugosa"), ds.get("vgosa")) {
        (Ok(u), Ok(v)) => {
            let energy = (&(&u * &u)? + &(&v * &v)?)?.binary_scalar(BinaryOp::Mul, 0.5, false)?;
            let mut attrs = tessera::labelled::Attrs::new();
            attrs.insert("long_name".into(), "eddy kinetic energy".into());
            attrs.insert("units".into(), "m2/s2".into());
            Some(energy.mean("time")?.rename("eke").with_attrs(attrs))
        }
        _ => None,
    };

    // One pass over the store computes every map and series.
    let mut lazy = vec![&gmsl, &gmsl_plain, &std_map, &snapshot];
    lazy.extend(eke.as_ref());
    let done = cli.persist_many(&lazy, &compute)?;
    let (gmsl, gmsl_plain, std_map, snapshot) = (&done[0], &done[1], &done[2], &done[3]);
    let eke = done.get(4);

    // Small in-memory series from here on.
    let per_day =
        |da: &DataArray| -> tessera::Result<f64> { scalar(&da.linear_trend("time")?.slope) };
    let trend = per_day(gmsl)? * DAYS_PER_YEAR * 1000.0;
    let plain_trend = per_day(gmsl_plain)? * DAYS_PER_YEAR * 1000.0;
    let climatology = gmsl.groupby("time.month")?.mean()?.values::<f64>()?;
    let (lo, hi) = climatology
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let amplitude_mm = (hi - lo) / 2.0 * 1000.0;
    let std_mean = scalar(&std_map.mean(Dims::All)?)?;
    let eke_mean = eke
        .map(|e| scalar(&e.mean(Dims::All)?))
        .transpose()?
        .map(|m| m * 1e4);

    println!(
        "{shown}: {n_time} days of sla on {} x {} cells",
        sla.dim_len("latitude")?,
        sla.dim_len("longitude")?
    );
    let injected = ds
        .attrs()
        .get("injected_trend_mm_per_yr")
        .and_then(|v| v.as_f64());
    let injected_amp = ds
        .attrs()
        .get("injected_gmsl_annual_amplitude_mm")
        .and_then(|v| v.as_f64());
    match injected {
        Some(t) => println!("GMSL trend {trend:.2} mm/yr (injected {t:.2})"),
        None => println!("GMSL trend {trend:.2} mm/yr"),
    }
    println!("plain (unweighted) mean trend {plain_trend:.2} mm/yr");
    println!("GMSL annual amplitude {amplitude_mm:.1} mm (monthly climatology)");
    println!("mean sla standard deviation {std_mean:.4} m");
    match eke_mean {
        Some(e) => println!("mean eddy kinetic energy {e:.1} cm²/s²"),
        None => println!("no ugosa/vgosa in the store: eddy kinetic energy skipped"),
    }

    // One rank draws the figures (every rank holds the same results).
    if !cli.no_plots && tessera::distributed::is_root() {
        let rolling = gmsl.rolling("time", 365.min(n_time))?.center(true).mean()?;
        figures(cli, gmsl, &rolling, trend, std_map, eke, snapshot)?;
    }

    let mut ok = true;
    if let Some(t) = injected {
        if (trend - t).abs() > TREND_TOLERANCE {
            eprintln!(
                "check failed: trend {trend:.3} mm/yr is not within {TREND_TOLERANCE} of the injected {t}"
            );
            ok = false;
        }
    }
    if let Some(a) = injected_amp {
        if ((amplitude_mm - a) / a).abs() > AMPLITUDE_TOLERANCE {
            eprintln!(
                "check failed: annual amplitude {amplitude_mm:.1} mm is not within 10% of the injected {a:.1}"
            );
            ok = false;
        }
    }
    if cli.json {
        let mut report = report_clock;
        report.set("gmsl_trend_mm_per_yr", trend);
        report.set("gmsl_plain_trend_mm_per_yr", plain_trend);
        report.set("gmsl_annual_amplitude_mm", amplitude_mm);
        report.set("sla_std_mean_m", std_mean);
        report.set("eke_mean_cm2_s2", eke_mean);
        report.set("n_time", n_time);
        report.set_store_reads(&compute);
        report.print_json();
    }
    Ok(ok)
}

/// The date halfway through the record, as text `sel` understands.
fn middle_date(sla: &DataArray) -> tessera::Result<String> {
    match sla.coords().index("time").map(|ix| ix.values()) {
        Some(IndexValues::Time { values, calendar }) if !values.is_empty() => {
            Ok(calendar.from_micros(values[values.len() / 2]).to_string())
        }
        _ => Err(tessera::Error::InvalidArgument(
            "sla has no datetime time coordinate".into(),
        )),
    }
}

/// The GMSL series with its rolling mean and trend line; the std, EKE and snapshot maps.
fn figures(
    cli: &Cli,
    gmsl: &DataArray,
    rolling: &DataArray,
    trend_mm_per_yr: f64,
    std_map: &DataArray,
    eke: Option<&DataArray>,
    snapshot: &DataArray,
) -> tessera::Result<()> {
    std::fs::create_dir_all(&cli.out).map_err(|e| tessera::Error::Io {
        path: cli.out.display().to_string(),
        source: e,
    })?;
    let series = gmsl.values::<f64>()?;
    let mean = series.iter().sum::<f64>() / series.len() as f64;
    let n = series.len() as f64;
    // The fitted line through the series' centre, with the fitted slope.
    let line: Vec<f64> = (0..series.len())
        .map(|d| mean + trend_mm_per_yr / 1000.0 * (d as f64 - (n - 1.0) / 2.0) / DAYS_PER_YEAR)
        .collect();
    let trend_line = gmsl
        .variable()
        .with_data(tessera::engine::LazyArray::from_ndarray(
            ndarray::Array::from_vec(line).into_dyn(),
            &[series.len()],
        )?)?;
    let trend_line = DataArray::new(Some("trend".into()), trend_line, gmsl.coords().clone())?;
    let out = |name: &str| cli.out.join(name);
    LinePlot::new()
        .series(gmsl, "daily")
        .series(rolling, "365-day centred mean")
        .series(&trend_line, format!("trend {trend_mm_per_yr:.2} mm/yr"))
        .title("Global mean sea level (area-weighted)")
        .ylabel("sea level anomaly [m]")
        .save(out("gmsl.png"))?;
    std_map
        .plot()
        .title("Standard deviation of sea level anomaly")
        .save(out("sla_std.png"))?;
    if let Some(e) = eke {
        e.plot()
            .title("Mean eddy kinetic energy")
            .save(out("eke.png"))?;
    }
    snapshot.plot().save(out("sla_snapshot.png"))?;
    println!("figures in {}", cli.out.display());
    Ok(())
}
