#!/usr/bin/env python3
"""Golden files for tessera's groupby / groupby_bins / resample / groupby arithmetic,
computed by xarray itself (same versions and JSON format as golden_labelled.py, whose
serialisers it reuses; see scripts/README.md).

Usage:
    python3 scripts/golden_groupby.py           # writes data-fixtures/golden/groupby/cases.json
    python3 scripts/golden_groupby.py --check   # fail if the committed file is stale

Inputs have NaNs, daily and hourly times, standard / noleap / 360_day calendars
(cftime), uneven chunks that groups straddle (recorded, so Rust uses the same).
Every case is computed twice, on dask-chunked and on loaded inputs; the two must
agree, and the loaded (numpy) result is recorded (its coordinate order is the one
xarray gives without dask). Median and quantile run with use_flox=False: flox 0.11
cannot reindex order statistics.

cftime coordinates are written as `"dtype": "datetime64[ns]"` plus `"calendar"`,
with ISO strings in that calendar.
"""

import json
import os
import sys
import warnings

import cftime
import numpy as np
import pandas as pd
import xarray as xr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_labelled as gl  # noqa: E402  (serialisers; its main() does not run)

ROOT = gl.ROOT
OUT = os.path.join(ROOT, "data-fixtures", "golden", "groupby", "cases.json")
warnings.simplefilter("ignore")


def ser_variable(var, with_chunks=False):
    values = np.asarray(var.values)
    if values.dtype.kind == "O" and values.size and isinstance(values.flat[0], cftime.datetime):
        chunks = [list(map(int, c)) for c in var.chunks] if with_chunks and var.chunks else None
        return {
            "dims": list(var.dims),
            "dtype": "datetime64[ns]",
            "calendar": values.flat[0].calendar,
            "shape": list(values.shape),
            "data": [v.isoformat() for v in values.reshape(-1)],
            "attrs": gl.ser_attrs(var.attrs),
            "chunks": chunks,
        }
    return gl.ser_variable(var, with_chunks)


def ser_dataset(ds, with_chunks=False):
    return {
        "dims": {str(k): int(v) for k, v in ds.sizes.items()},
        "coords": {str(k): ser_variable(ds[k].variable, with_chunks) for k in ds.coords},
        "data_vars": {str(k): ser_variable(ds[k].variable, with_chunks) for k in ds.data_vars},
        "attrs": gl.ser_attrs(ds.attrs),
    }


def ser_result(obj):
    if isinstance(obj, xr.DataArray):
        return {
            "kind": "dataarray",
            "name": None if obj.name is None else str(obj.name),
            "variable": ser_variable(obj.variable),
            "coords": {str(k): ser_variable(obj.coords[k].variable) for k in obj.coords},
        }
    return {"kind": "dataset", **ser_dataset(obj)}


# --------------------------------------------------------------------------------------
# datasets
# --------------------------------------------------------------------------------------


def with_nans(rng, a, frac):
    a = a.copy()
    a[rng.random(a.shape) < frac] = np.nan
    return a


def make_daily():
    """Standard calendar, daily, 2 years and a bit, float64, uneven chunks."""
    rng = np.random.default_rng(5001)
    n = 800
    time = pd.date_range("1999-11-20", periods=n, freq="D").values.astype("datetime64[ns]")
    x = np.array([10, 20, 30, 45])
    doy = np.arange(n)
    base = 10 + 5 * np.sin(2 * np.pi * doy / 365.25)[:, None] + x[None, :] / 10
    v = with_nans(rng, np.round(base + rng.standard_normal((n, 4)), 3), 0.05)
    v[100:140, 1] = np.nan  # an all-NaN stretch (whole groups for some bins)
    return xr.Dataset(
        {"v": (("time", "x"), v, {"units": "K"})},
        coords={
            "time": time,
            "x": x,
            "xf": ("x", np.array([0.5, 2.0, 2.5, 7.0])),
            "wk": ("time", (doy // 7) % 5),
        },
    ).chunk({"time": (130, 270, 3, 397), "x": (3, 1)})


def make_hourly():
    rng = np.random.default_rng(5002)
    n = 24 * 12 + 7
    time = pd.date_range("2001-02-26T05:00", periods=n, freq="h").values.astype("datetime64[ns]")
    v = with_nans(rng, (20 + 3 * rng.standard_normal((n, 2))).astype("float32"), 0.08)
    return xr.Dataset(
        {"v": (("time", "y"), v)},
        coords={"time": time, "y": [1.5, -1.5]},
    ).chunk({"time": (50, 100, 145), "y": 2})


def make_cf(calendar, seed):
    rng = np.random.default_rng(seed)
    time = xr.date_range("2000-12-03", periods=760, freq="D", calendar=calendar, use_cftime=True)
    v = with_nans(rng, np.round(rng.standard_normal((760, 2)) * 4 + 1, 3), 0.05)
    return xr.Dataset(
        {"v": (("time", "y"), v)},
        coords={"time": time, "y": [0, 1]},
    ).chunk({"time": (200, 61, 499), "y": 1})


def make_stations():
    """A string dimension coordinate with repeated labels."""
    rng = np.random.default_rng(5003)
    v = with_nans(rng, np.round(rng.standard_normal((6, 40)), 3), 0.1)
    return xr.Dataset(
        {"v": (("station", "t"), v)},
        coords={"station": ["b", "a", "c", "a", "b", "a"], "t": np.arange(40)},
    ).chunk({"station": (4, 2), "t": 15})


DATASETS = {
    "daily": make_daily,
    "hourly": make_hourly,
    "noleap": lambda: make_cf("noleap", 5004),
    "d360": lambda: make_cf("360_day", 5005),
    "stations": make_stations,
}

# --------------------------------------------------------------------------------------
# cases
# --------------------------------------------------------------------------------------


def reduce(g, func, q=None):
    if func in ("median", "quantile", "quantiles"):
        # flox 0.11 cannot reindex order statistics ("uniquely valued Index"): use
        # xarray's own split-apply-combine for them.
        with xr.set_options(use_flox=False):
            return g.quantile(q) if func in ("quantile", "quantiles") else g.median()
    return getattr(g, func)()


def run(ds, case):
    da = ds[case.get("target", "v")]
    op = case["op"]
    if op == "groupby":
        return reduce(da.groupby(case["key"]), case["func"], case.get("q"))
    if op == "groupby_bins":
        return reduce(da.groupby_bins(case["key"], case["edges"]), case["func"], case.get("q"))
    if op == "resample":
        overrides = {k: case[k] for k in ("closed", "label", "offset") if k in case}
        return reduce(da.resample({case["dim"]: case["freq"]}, **overrides), case["func"], case.get("q"))
    if op == "anomaly":
        g = da.groupby(case["key"])
        out = g - g.mean()
        return out.std(case["dim"]) if case.get("then_std") else out
    if op == "dataset_groupby":
        return reduce(ds.groupby(case["key"]), case["func"])
    raise ValueError(op)


def C(name, dataset, op, **kw):
    return {"id": name, "dataset": dataset, "op": op, **kw}


def cases():
    out = []
    for func in ["mean", "sum", "std", "var", "min", "max", "count", "prod", "median"]:
        out.append(C(f"daily_month_{func}", "daily", "groupby", key="time.month", func=func))
    out.append(C("daily_month_quantile", "daily", "groupby", key="time.month", func="quantile", q=0.3))
    # order statistics of groups that straddle chunks, several quantiles at once
    out.append(C("daily_month_quantiles", "daily", "groupby", key="time.month", func="quantiles", q=[0.1, 0.5, 0.9]))
    out.append(C("daily_season_median", "daily", "groupby", key="time.season", func="median"))
    out.append(C("noleap_month_median", "noleap", "groupby", key="time.month", func="median"))
    out.append(C("hourly_hour_quantiles", "hourly", "groupby", key="time.hour", func="quantiles", q=[0.0, 0.25, 1.0]))
    out.append(C("daily_bins_median", "daily", "groupby_bins", key="x", edges=[0.0, 15.0, 30.0, 50.0], func="median"))
    out.append(C("daily_resample_QS-DEC_quantiles", "daily", "resample", dim="time", freq="QS-DEC", func="quantiles", q=[0.2, 0.8]))
    for func in ["mean", "std", "count", "max"]:
        out.append(C(f"daily_season_{func}", "daily", "groupby", key="time.season", func=func))
    for func in ["mean", "sum", "min"]:
        out.append(C(f"daily_year_{func}", "daily", "groupby", key="time.year", func=func))
    out.append(C("daily_dayofyear_mean", "daily", "groupby", key="time.dayofyear", func="mean"))
    out.append(C("daily_day_var", "daily", "groupby", key="time.day", func="var"))
    out.append(C("daily_nondim_coord_mean", "daily", "groupby", key="wk", func="mean"))
    out.append(C("daily_dim_coord_sum", "daily", "groupby", key="x", func="sum"))
    out.append(C("daily_bins_mean", "daily", "groupby_bins", key="x", edges=[0.0, 15.0, 30.0, 50.0], func="mean"))
    out.append(C("daily_bins_count", "daily", "groupby_bins", key="xf", edges=[0.0, 2.0, 2.5, 10.0], func="count"))
    out.append(C("daily_bins_max", "daily", "groupby_bins", key="x", edges=[10.0, 25.0, 45.0], func="max"))
    for func in ["mean", "sum", "max", "count"]:
        out.append(C(f"hourly_hour_{func}", "hourly", "groupby", key="time.hour", func=func))
    out.append(C("stations_string_mean", "stations", "groupby", key="station", func="mean"))
    out.append(C("stations_string_std", "stations", "groupby", key="station", func="std"))
    for cal in ["noleap", "d360"]:
        out.append(C(f"{cal}_month_mean", cal, "groupby", key="time.month", func="mean"))
        out.append(C(f"{cal}_season_sum", cal, "groupby", key="time.season", func="sum"))
        out.append(C(f"{cal}_dayofyear_max", cal, "groupby", key="time.dayofyear", func="max"))
    # resample
    for freq, func in [
        ("YS", "mean"), ("MS", "mean"), ("1D", "sum"), ("ME", "mean"), ("QS-DEC", "mean"),
        ("YE", "max"), ("QE", "std"), ("MS", "count"), ("7D", "min"), ("2MS", "sum"),
        ("QS", "var"), ("MS", "median"),
    ]:
        out.append(C(f"daily_resample_{freq}_{func}", "daily", "resample", dim="time", freq=freq, func=func))
    for freq, func in [("6h", "mean"), ("1D", "max"), ("h", "sum"), ("3h", "count"), ("ME", "mean")]:
        out.append(C(f"hourly_resample_{freq}_{func}", "hourly", "resample", dim="time", freq=freq, func=func))
    for cal in ["noleap", "d360"]:
        for freq, func in [("MS", "mean"), ("ME", "sum"), ("QS-DEC", "mean"), ("YS", "count"), ("YE", "mean"), ("5D", "max")]:
            out.append(C(f"{cal}_resample_{freq}_{func}", cal, "resample", dim="time", freq=freq, func=func))
    # pandas' closed / label / offset overrides
    for ds, freq, func, kw in [
        ("hourly", "12h", "sum", {"closed": "right"}),
        ("hourly", "12h", "mean", {"label": "right"}),
        ("hourly", "1D", "sum", {"closed": "right", "label": "right"}),
        ("hourly", "1D", "mean", {"offset": "6h"}),
        ("hourly", "6h", "max", {"closed": "right", "offset": "3h"}),
        ("daily", "7D", "max", {"closed": "right"}),
        ("daily", "MS", "mean", {"label": "right"}),
        ("daily", "ME", "sum", {"label": "left"}),
        ("noleap", "5D", "mean", {"closed": "right", "label": "right"}),
        ("d360", "MS", "sum", {"label": "right"}),
    ]:
        tag = "_".join(f"{k}{v}" for k, v in kw.items())
        out.append(C(f"{ds}_resample_{freq}_{func}_{tag}", ds, "resample", dim="time", freq=freq, func=func, **kw))
    # anomalies
    for ds in ["daily", "noleap", "d360", "hourly"]:
        out.append(C(f"{ds}_anomaly_month", ds, "anomaly", key="time.month", dim="time"))
        out.append(C(f"{ds}_anomaly_month_std", ds, "anomaly", key="time.month", dim="time", then_std=True))
    out.append(C("daily_anomaly_dayofyear_std", "daily", "anomaly", key="time.dayofyear", dim="time", then_std=True))
    out.append(C("daily_anomaly_season_std", "daily", "anomaly", key="time.season", dim="time", then_std=True))
    out.append(C("daily_dataset_month_mean", "daily", "dataset_groupby", key="time.month", func="mean"))
    out.append(C("daily_dataset_season_std", "daily", "dataset_groupby", key="time.season", func="std"))
    out.append(C("daily_dataset_month_median", "daily", "dataset_groupby", key="time.month", func="median"))
    # first / last: the first and last non-NaN member of each group, in time order
    out.append(C("daily_month_first", "daily", "groupby", key="time.month", func="first"))
    out.append(C("daily_bins_last", "daily", "groupby_bins", key="x", edges=[0.0, 15.0, 30.0, 50.0], func="last"))
    out.append(C("daily_resample_MS_first", "daily", "resample", dim="time", freq="MS", func="first"))
    out.append(C("daily_resample_7D_last", "daily", "resample", dim="time", freq="7D", func="last"))
    out.append(C("hourly_resample_1D_last", "hourly", "resample", dim="time", freq="1D", func="last"))
    out.append(C("noleap_resample_QS-DEC_first", "noleap", "resample", dim="time", freq="QS-DEC", func="first"))
    out.append(C("d360_season_last", "d360", "groupby", key="time.season", func="last"))
    out.append(C("stations_string_first", "stations", "groupby", key="station", func="first"))
    return out


def close(a, b):
    # float32 anomalies subtract float32 means that dask and numpy sum in different orders
    xr.testing.assert_allclose(a, b, rtol=1e-12 if getattr(a, "dtype", None) == np.float64 else 1e-5, atol=1e-5)


def build():
    datasets = {k: f() for k, f in DATASETS.items()}
    doc = {
        "generator": "scripts/golden_groupby.py",
        "xarray_version": xr.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "cftime_version": cftime.__version__,
        "datasets": {k: ser_dataset(v, with_chunks=True) for k, v in datasets.items()},
        "cases": [],
    }
    dask_failed = []
    for case in cases():
        ds = datasets[case["dataset"]]
        loaded = run(ds.compute(), case)
        try:
            # xarray refuses chunked group keys without explicit labels: keys are eager.
            eager_keys = ds.assign_coords({k: ds[k].compute() for k in ds.coords})
            lazy = run(eager_keys, case).compute()
            close(lazy, loaded)
        except NotImplementedError as e:
            dask_failed.append(f"{case['id']} ({type(e).__name__})")
        doc["cases"].append({**case, "expected": ser_result(loaded)})
    return doc, dask_failed


def render(doc):
    def d(o):
        return json.dumps(o, separators=(",", ":"), ensure_ascii=False)

    lines = ["{"]
    for k in ["generator", "xarray_version", "numpy_version", "pandas_version", "cftime_version"]:
        lines.append(f"{d(k)}:{d(doc[k])},")
    lines.append('"datasets":{')
    names = list(doc["datasets"])
    for i, name in enumerate(names):
        lines.append(f"{d(name)}:{d(doc['datasets'][name])}" + ("," if i < len(names) - 1 else ""))
    lines.append("},")
    lines.append('"cases":[')
    for i, c in enumerate(doc["cases"]):
        lines.append(d(c) + ("," if i < len(doc["cases"]) - 1 else ""))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main(argv):
    doc, dask_failed = build()
    text = render(doc)
    assert json.loads(text) == doc
    if "--check" in argv:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{OUT} is out of date", file=sys.stderr)
                return 1
        print("up to date")
        return 0
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {OUT}: {len(doc['cases'])} cases, {len(text)} bytes")
    if dask_failed:
        print("dask/flox could not run (numpy result recorded):", ", ".join(dask_failed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
