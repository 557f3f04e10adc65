#!/usr/bin/env python3
"""Golden values for coarsen, computed by xarray itself (the serialisation is
golden_labelled.py's). Writes data-fixtures/golden/coarsen/cases.json.

    pip install xarray dask && python3 scripts/golden_coarsen.py

Every case runs on the dask-chunked fixture (chunks chosen so that windows cut
through chunk boundaries) and on the loaded numpy one; the two must agree, and an
error case must raise the named exception class in both. The dask result is recorded.

Args vocabulary (tests/labelled/coarsen_golden.rs replays it):
    windows     {dim: window}, in xarray's keyword order
    boundary    "exact" | "trim" | "pad" (anything else: xarray's TypeError)
    side        "left" | "right"
    func        mean | sum | min | max | std | var | count | prod (xarray's ddof is 0)
    coord_func  {coord: func} or null (mean for every coordinate)
    keep_attrs  true | false | null (xarray's default: keep)
"""

import json
import os
import sys
import warnings

import dask
import numpy as np
import pandas as pd
import xarray as xr

sys.path.insert(0, os.path.dirname(__file__))
from golden_labelled import _var, ser_dataset, ser_result  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "data-fixtures", "golden", "coarsen", "cases.json")

dask.config.set(scheduler="synchronous")
warnings.simplefilter("ignore")  # all-NaN windows


def make_grid():
    rng = np.random.default_rng(5)
    time = pd.date_range("2003-07-30", periods=12, freq="D").values.astype("datetime64[ns]")
    lat = np.linspace(67.5, -67.5, 10)  # descending
    lon = np.arange(9) * 40.0
    t = np.round(10.0 + 6.0 * rng.standard_normal((12, 10, 9)), 2)
    t[0:3, 0:2, 0:3] = np.nan  # whole 2x3 windows missing for three days
    t[4, 5, :] = np.nan
    t[:, 7, 6] = np.nan  # one all-NaN series
    t[9, 3, 2] = t[10, 8, 8] = np.nan
    n = rng.integers(-20, 40, size=(12, 9)).astype("int32")
    p = (1000.0 + 0.5 * rng.integers(-40, 40, size=12)).astype("float32")
    c = np.round(rng.uniform(0.0, 1.0, size=10), 3)
    area = np.round(np.cos(np.deg2rad(lat))[:, None] * (1.0 + lon[None, :] / 1000.0), 4)
    ch_time, ch_lat, ch_lon = (5, 7), (3, 4, 3), (4, 5)
    return xr.Dataset(
        data_vars={
            "t": _var(("time", "lat", "lon"), t, {"units": "degC", "long_name": "temperature"},
                      (ch_time, ch_lat, ch_lon)),
            "n": _var(("time", "lon"), n, {"long_name": "count"}, (ch_time, ch_lon)),
            "p": _var(("time",), p, {"units": "hPa"}, (ch_time,)),
            "c": _var(("lat",), c, {"units": "1"}, (ch_lat,)),
        },
        coords={
            "time": ("time", time, {"standard_name": "time"}),
            "lat": ("lat", lat, {"units": "degrees_north"}),
            "lon": ("lon", lon, {"units": "degrees_east"}),
            "area": _var(("lat", "lon"), area, {"units": "m2"}, (ch_lat, ch_lon)),
            "height": ((), 2.0, {"units": "m"}),
        },
        attrs={"title": "coarsen fixture"},
    )


def A(windows, func="mean", boundary="exact", side="left", coord_func=None, keep_attrs=None):
    return {"windows": windows, "boundary": boundary, "side": side, "func": func,
            "coord_func": coord_func, "keep_attrs": keep_attrs}


# (id, target or None for the Dataset, args, expected exception class or None)
CASES = [
    ("time3_mean_datetime_coord", "t", A({"time": 3}), None),
    ("time4_coord_func_max", "t", A({"time": 4}, coord_func={"time": "max", "lat": "min"}), None),
    *[(f"latlon_2x3_{f}", "t", A({"lat": 2, "lon": 3}, f), None)
      for f in ["mean", "sum", "min", "max", "std", "var", "count"]],
    ("lat5_prod", "t", A({"lat": 5}, "prod"), None),
    ("all_dims_mean", "t", A({"time": 4, "lat": 5, "lon": 9}), None),
    ("lat4_trim_left_mean", "t", A({"lat": 4}, boundary="trim"), None),
    ("lat4_lon2_trim_right_mean", "t", A({"lat": 4, "lon": 2}, boundary="trim", side="right"), None),
    ("time5_pad_left_mean", "t", A({"time": 5}, boundary="pad"), None),
    ("lat3_lon4_pad_right_std", "t", A({"lat": 3, "lon": 4}, "std", boundary="pad", side="right"), None),
    ("lat3_pad_left_count", "t", A({"lat": 3}, "count", boundary="pad"), None),
    ("int_time5_pad_left_sum", "n", A({"time": 5}, "sum", boundary="pad"), None),
    ("int_lon4_pad_right_max", "n", A({"lon": 4}, "max", boundary="pad", side="right"), None),
    ("int_time3_exact_sum", "n", A({"time": 3}, "sum"), None),
    ("int_time3_exact_mean", "n", A({"time": 3}), None),
    ("int_lon2_trim_min", "n", A({"lon": 2}, "min", boundary="trim"), None),
    ("float32_time5_pad_mean", "p", A({"time": 5}, boundary="pad"), None),
    ("ds_lat2_mean", None, A({"lat": 2}), None),
    ("ds_time4_lon3_sum", None, A({"time": 4, "lon": 3}, "sum"), None),
    ("ds_time5_pad_right_max_no_attrs", None, A({"time": 5}, "max", boundary="pad", side="right",
                                                keep_attrs=False), None),
    ("err_exact_not_divisible", "t", A({"lat": 3}), "ValueError"),
    ("err_ds_exact_not_divisible", None, A({"time": 5}), "ValueError"),
    ("err_unknown_dim", "t", A({"depth": 2}), "ValueError"),
    ("err_window_zero", "t", A({"lat": 0}), "ValueError"),
    ("err_unknown_boundary", "t", A({"lat": 2}, boundary="wrap"), "TypeError"),
]


def run(ds, target, args):
    obj = ds if target is None else ds[target]
    kw = {}
    if args["coord_func"] is not None:
        kw["coord_func"] = dict(args["coord_func"])  # xarray fills the dict in place
    c = obj.coarsen(args["windows"], boundary=args["boundary"], side=args["side"], **kw)
    rkw = {} if args["keep_attrs"] is None else {"keep_attrs": args["keep_attrs"]}
    return getattr(c, args["func"])(**rkw).compute()


def outcome(ds, target, args):
    try:
        return run(ds, target, args), None
    except Exception as e:  # noqa: BLE001 - the class is what is recorded
        return None, type(e).__name__


def main():
    ds = make_grid()
    loaded = ds.copy(deep=True).compute()
    cases, problems = [], []
    for cid, target, args, want_err in CASES:
        got, err = outcome(ds, target, args)
        ref, ref_err = outcome(loaded, target, args)
        if err != want_err or ref_err != want_err:
            problems.append(f"{cid}: dask {err}, numpy {ref_err}, expected {want_err}")
            continue
        if got is not None:
            try:
                xr.testing.assert_allclose(got, ref, rtol=1e-12)
            except AssertionError as e:
                problems.append(f"{cid}: dask and numpy differ: {e}")
        cases.append({"id": cid, "target": target, "op": "coarsen", "args": args,
                      "expected": None if got is None else ser_result(got), "error": err})
    if problems:
        sys.exit("\n".join(problems))
    doc = {
        "generator": "scripts/golden_coarsen.py",
        "xarray_version": xr.__version__,
        "dask_version": dask.__version__,
        "numpy_version": np.__version__,
        "dataset": ser_dataset(ds, with_chunks=True),
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {len(cases)} cases ({sum(1 for c in cases if c['error'])} errors) to {OUT}")


if __name__ == "__main__":
    main()
