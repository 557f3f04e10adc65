#!/usr/bin/env python3
"""The sea-level and precipitation analyses written with xarray + dask, as an
experienced user writes them: everything lazy, then one dask.compute over all the
results (threaded scheduler), so the data are read once.

Prints the same one-line JSON summary as `examples/sea_level.rs` and
`examples/precipitation.rs` (same keys, same definitions: ../shared/USECASES.md), so
the two can be compared value by value and timed side by side.

    python3 scripts/xarray_examples.py sea_level data-fixtures/sea_level.zarr
    python3 scripts/xarray_examples.py precipitation data-fixtures/precipitation.zarr
    python3 scripts/xarray_examples.py sea_level 'daily/dt_global_allsat_phy_l4_*.nc'
    python3 scripts/xarray_examples.py climatology_anomaly data-fixtures/sea_level.zarr

`gmsl_trend`, `climatology_anomaly` and `annual_spread` are the parts of the two
analyses alone, as `examples/analysis_parts.rs` computes them (`scripts/compare.py`
times each).

Needs: pip install xarray dask zarr numcodecs (flox is used when installed).
"""

import argparse
import json
import resource
import sys
import time

import dask
import numpy as np
import xarray as xr

DAYS_PER_YEAR = 365.25


def slope(x, y):
    """Least-squares slope of y against x."""
    return float(np.polyfit(np.asarray(x, dtype=float), np.asarray(y, dtype=float), 1)[0])


def years_since_start(time_coord):
    days = (time_coord - time_coord[0]) / np.timedelta64(1, "D")
    return np.asarray(days, dtype=float) / DAYS_PER_YEAR


def sea_level(ds):
    sla = ds["sla"]
    weights = np.cos(np.deg2rad(ds["latitude"]))
    space = ["latitude", "longitude"]
    gmsl = sla.weighted(weights).mean(space)
    gmsl_plain = sla.mean(space)
    std_map = sla.std("time")
    lazy = {"gmsl": gmsl, "gmsl_plain": gmsl_plain, "std_mean": std_map.mean()}
    has_eke = "ugosa" in ds and "vgosa" in ds
    if has_eke:
        eke = (0.5 * (ds["ugosa"] ** 2 + ds["vgosa"] ** 2)).mean("time")
        lazy["eke_mean"] = eke.mean()
    (done,) = dask.compute(lazy)
    gmsl, gmsl_plain = done["gmsl"], done["gmsl_plain"]
    years = years_since_start(gmsl["time"].values)
    clim = gmsl.groupby("time.month").mean()
    return {
        "gmsl_trend_mm_per_yr": slope(years, gmsl.values) * 1000.0,
        "gmsl_plain_trend_mm_per_yr": slope(years, gmsl_plain.values) * 1000.0,
        "gmsl_annual_amplitude_mm": float(clim.max() - clim.min()) / 2.0 * 1000.0,
        "sla_std_mean_m": float(done["std_mean"]),
        "eke_mean_cm2_s2": float(done["eke_mean"]) * 1e4 if has_eke else None,
        "n_time": int(ds.sizes["time"]),
    }


def precipitation(ds):
    inside = ds["mask"] == 1
    space = ["y", "x"]
    t_domain = ds["t_mean"].where(inside).mean(space).mean("ensemble")
    pcp = ds["pcp"]
    annual_totals = pcp.resample(time="YS").sum()
    member_means = pcp.mean("time")
    lazy = {
        "t_domain": t_domain,
        "pcp_annual_total": annual_totals.where(inside).mean(),
        "spread": member_means.std("ensemble").where(inside).mean(),
    }
    (done,) = dask.compute(lazy)
    t_domain = done["t_domain"]
    annual = t_domain.resample(time="YS").mean()
    clim = t_domain.groupby("time.month").mean()
    seasons = t_domain.groupby("time.season").mean()
    return {
        "tmean_trend_c_per_decade": slope(annual["time"].dt.year.values, annual.values) * 10.0,
        "tmean_seasonal_amplitude_c": float(clim.max() - clim.min()),
        "tmean_djf_c": float(seasons.sel(season="DJF")),
        "tmean_jja_c": float(seasons.sel(season="JJA")),
        "pcp_annual_total_mm": float(done["pcp_annual_total"]),
        "pcp_ensemble_spread_mm_per_day": float(done["spread"]),
    }


def gmsl_trend(ds):
    """The area-weighted GMSL and its trend alone (`examples/analysis_parts.rs gmsl-trend`)."""
    weights = np.cos(np.deg2rad(ds["latitude"]))
    (gmsl,) = dask.compute(ds["sla"].weighted(weights).mean(["latitude", "longitude"]))
    years = years_since_start(gmsl["time"].values)
    return {"gmsl_trend_mm_per_yr": slope(years, gmsl.values) * 1000.0}


def climatology_anomaly(ds):
    """The monthly climatology of sla and the std of its anomalies, as xarray spells it
    (`examples/analysis_parts.rs climatology-anomaly`)."""
    g = ds["sla"].groupby("time.month")
    clim = g.mean()
    anomaly_std = (g - clim).std("time")
    clim_mean, std_mean = dask.compute(clim.mean(), anomaly_std.mean())
    return {"sla_climatology_mean_m": float(clim_mean), "sla_anomaly_std_mean_m": float(std_mean)}


def annual_spread(ds):
    """The annual precipitation totals and the ensemble spread alone
    (`examples/analysis_parts.rs annual-spread`)."""
    inside = ds["mask"] == 1
    pcp = ds["pcp"]
    total, spread = dask.compute(
        pcp.resample(time="YS").sum().where(inside).mean(),
        pcp.mean("time").std("ensemble").where(inside).mean(),
    )
    return {"pcp_annual_total_mm": float(total), "pcp_ensemble_spread_mm_per_day": float(spread)}


ANALYSES = {
    "sea_level": sea_level,
    "precipitation": precipitation,
    "gmsl_trend": gmsl_trend,
    "climatology_anomaly": climatology_anomaly,
    "annual_spread": annual_spread,
}


def open_any(path):
    """A Zarr store, one netCDF file, or a glob of netCDF files, as the examples take."""
    if any(c in path for c in "*?["):
        return xr.open_mfdataset(path, combine="by_coords", engine="netcdf4")
    if path.endswith((".nc", ".nc4", ".cdf", ".h5")):
        return xr.open_dataset(path, engine="netcdf4", chunks={})
    return xr.open_zarr(path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("analysis", choices=sorted(ANALYSES))
    p.add_argument("store")
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args()
    started = time.perf_counter()
    config = {"scheduler": "threads"}
    if args.threads:
        config["num_workers"] = args.threads
    with dask.config.set(**config):
        ds = open_any(args.store)
        out = ANALYSES[args.analysis](ds)
    out["seconds"] = round(time.perf_counter() - started, 3)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
