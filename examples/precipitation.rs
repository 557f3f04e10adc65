//! US precipitation and temperature from a gridded meteorological ensemble, as in the
//! Pangeo gallery's hydrology analysis (the NCAR CONUS ensemble, Newman et al. 2015).
//!
//! Opens a Zarr store, a netCDF file or a glob of netCDF files (`--features netcdf`) with that schema — `pcp`, `t_mean` on (ensemble, time, y, x),
//! `mask` on (y, x) — and computes the annual precipitation totals per member
//! (`resample(time="YS").sum()`); the ensemble mean and spread of the long-term mean
//! precipitation and temperature; the monthly climatology and seasonal means of the
//! domain-mean temperature; and its warming trend in °C per decade.
//!
//! ```sh
//! cargo run --release --example precipitation                # the embedded fixture
//! cargo run --release --example precipitation -- /data/conus.zarr --json
//! ```

mod common;

use clap::Parser;
use common::{Cli, Report, scalar};
use tessera::engine::BinaryOp;
use tessera::labelled::Dims;
use tessera::plot::{LinePlot, MapPanel};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data-fixtures/precipitation.zarr"
);
/// How close the warming trend must come to one injected into synthetic data (°C/decade).
const TREND_TOLERANCE: f64 = 0.05;
/// How close the seasonal range must come to an injected one (relative).
const RANGE_TOLERANCE: f64 = 0.05;

fn main() {
    common::run(|| {
        let cli = Cli::parse();
        analyse(&cli).map_err(|e| e.to_string())
    });
}

/// Least-squares slope of `y` against `x`.
fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    sxy / sxx
}

fn analyse(cli: &Cli) -> tessera::Result<bool> {
    let clock = Report::start();
    let url = cli.store.as_deref().unwrap_or(FIXTURE);
    let shown = cli
        .store
        .as_deref()
        .unwrap_or("data-fixtures/precipitation.zarr (embedded fixture)");
    let ds = tessera::open_dataset(url)?;
    let (pcp, t_mean, mask) = (ds.get("pcp")?, ds.get("t_mean")?, ds.get("mask")?);
    let compute = cli.compute().map_err(tessera::Error::InvalidArgument)?;
    let inside = mask.binary_scalar(BinaryOp::Eq, 1.0, false)?;
    let space = Dims::from(["y", "x"]);

    // Domain mean over the mask, then over members.
    let t_domain = t_mean
        .where_(&inside, None)?
        .mean(space.clone())?
        .mean("ensemble")?;
    let annual_totals = pcp.resample("time", "YS")?.sum()?;
    let pcp_annual_total = annual_totals.where_(&inside, None)?.mean(Dims::All)?;
    let member_means = pcp.mean("time")?;
    let spread_map = member_means
        .std("ensemble", 0)?
        .where_(&inside, None)?
        .rename("pcp_spread");
    let pcp_spread = spread_map.mean(Dims::All)?;
    let pcp_map = member_means.mean("ensemble")?.rename("pcp");
    let t_member_means = t_mean.mean("time")?;
    let t_map = t_member_means.mean("ensemble")?.rename("t_mean");
    let t_spread_map = t_member_means.std("ensemble", 0)?.rename("t_mean_spread");
    let seasons = t_mean.mean("ensemble")?.groupby("time.season")?.mean()?;

    // One pass over the store for everything that reads the big arrays.
    let done = cli.persist_many(
        &[
            &t_domain,
            &pcp_annual_total,
            &pcp_spread,
            &spread_map,
            &pcp_map,
            &t_map,
            &seasons,
            &t_spread_map,
        ],
        &compute,
    )?;
    let (t_domain, pcp_annual_total, pcp_spread) = (&done[0], scalar(&done[1])?, scalar(&done[2])?);

    let annual = t_domain.resample("time", "YS")?.mean()?;
    let years: Vec<f64> = annual
        .coord("time")?
        .dt()?
        .year()?
        .values::<i64>()?
        .iter()
        .map(|&y| y as f64)
        .collect();
    let trend = slope(
        &years,
        &annual.values::<f64>()?.iter().copied().collect::<Vec<_>>(),
    ) * 10.0;
    let clim = t_domain.groupby("time.month")?.mean()?.values::<f64>()?;
    let (lo, hi) = clim
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let seasonal = t_domain.groupby("time.season")?.mean()?;
    let djf = scalar(&seasonal.sel("season", "DJF")?)?;
    let jja = scalar(&seasonal.sel("season", "JJA")?)?;

    println!(
        "{shown}: {} members, {} days on a {} x {} grid",
        pcp.dim_len("ensemble")?,
        pcp.dim_len("time")?,
        pcp.dim_len("y")?,
        pcp.dim_len("x")?
    );
    let injected = ds
        .attrs()
        .get("injected_tmean_trend_c_per_decade")
        .and_then(|v| v.as_f64());
    let injected_range = ds
        .attrs()
        .get("injected_tmean_seasonal_range_c")
        .and_then(|v| v.as_f64());
    match injected {
        Some(t) => println!("warming trend {trend:.3} °C/decade (injected {t:.3})"),
        None => println!("warming trend {trend:.3} °C/decade"),
    }
    println!(
        "seasonal amplitude {:.2} °C; DJF {djf:.2} °C, JJA {jja:.2} °C",
        hi - lo
    );
    println!(
        "annual precipitation {pcp_annual_total:.0} mm; ensemble spread {pcp_spread:.3} mm/day"
    );

    // One rank draws the figures (every rank holds the same results).
    if !cli.no_plots && tessera::distributed::is_root() {
        std::fs::create_dir_all(&cli.out).map_err(|e| tessera::Error::Io {
            path: cli.out.display().to_string(),
            source: e,
        })?;
        let out = |name: &str| cli.out.join(name);
        done[4]
            .plot()
            .title("Mean precipitation (ensemble mean)")
            .save(out("pcp_mean.png"))?;
        done[5]
            .plot()
            .title("Mean temperature (ensemble mean)")
            .save(out("t_mean.png"))?;
        done[3]
            .plot()
            .title("Ensemble spread of mean precipitation")
            .save(out("pcp_spread.png"))?;
        done[7]
            .plot()
            .title("Ensemble spread of mean temperature")
            .save(out("t_spread.png"))?;
        let mut panel = MapPanel::new().title("Seasonal mean temperature");
        for s in ["DJF", "MAM", "JJA", "SON"] {
            panel = panel.map(&done[6].sel("season", s)?, s);
        }
        panel.save(out("t_seasons.png"))?;
        LinePlot::new()
            .series(&annual, "annual mean")
            .title("Domain-mean temperature")
            .ylabel("t_mean [degC]")
            .save(out("t_annual.png"))?;
        println!("figures in {}", cli.out.display());
    }

    let mut ok = true;
    if let Some(t) = injected {
        if (trend - t).abs() > TREND_TOLERANCE {
            eprintln!(
                "check failed: trend {trend:.3} °C/decade is not within {TREND_TOLERANCE} of the injected {t}"
            );
            ok = false;
        }
    }
    if let Some(r) = injected_range {
        let got = hi - lo;
        // Monthly means flatten a daily cosine by sinc(π/12) ≈ 0.989.
        if ((got - r * 0.989) / r).abs() > RANGE_TOLERANCE {
            eprintln!(
                "check failed: seasonal amplitude {got:.2} °C is not within 5% of the injected {r}"
            );
            ok = false;
        }
    }
    if cli.json {
        let mut report = clock;
        report.set("tmean_trend_c_per_decade", trend);
        report.set("tmean_seasonal_amplitude_c", hi - lo);
        report.set("tmean_djf_c", djf);
        report.set("tmean_jja_c", jja);
        report.set("pcp_annual_total_mm", pcp_annual_total);
        report.set("pcp_ensemble_spread_mm_per_day", pcp_spread);
        report.set_store_reads(&compute);
        report.print_json();
    }
    Ok(ok)
}
