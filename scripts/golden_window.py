#!/usr/bin/env python3
"""Golden values for rolling windows and polynomial fits, computed by xarray itself
(the serialisation is golden_labelled.py's). Writes data-fixtures/golden/window/cases.json.

    pip install xarray dask && python3 scripts/golden_window.py
"""

import json
import os
import sys

import numpy as np
import pandas as pd
import xarray as xr

sys.path.insert(0, os.path.dirname(__file__))
from golden_labelled import _var, ser_dataset, ser_result  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "data-fixtures", "golden", "window", "cases.json")


def make_series():
    rng = np.random.default_rng(99)
    time = pd.date_range("2001-03-01", periods=40, freq="D").values.astype("datetime64[ns]")
    x = np.array([10.0, 5.0, -5.0])  # descending
    v = np.round(rng.standard_normal((40, 3)) + 0.05 * np.arange(40)[:, None] * np.array([1.0, -2.0, 0.5]), 3)
    v[3, 0] = v[4, 0] = v[20, 1] = np.nan
    v[10:16, 2] = np.nan
    s = np.round(np.sin(np.arange(30) / 3.0) + 0.01 * np.arange(30), 4)
    s[7] = np.nan
    return xr.Dataset(
        {
            "v": _var(("time", "x"), v, {"units": "m"}, ((7, 7, 7, 7, 7, 5), (2, 1))),
            "s": _var(("step",), s, {"long_name": "series"}, ((8, 8, 8, 6),)),
        },
        coords={
            "time": ("time", time),
            "x": ("x", x, {"units": "km"}),
            "step": ("step", np.arange(30.0) * 0.5),
        },
    )


def main():
    ds = make_series()
    v, s = ds["v"], ds["s"]
    cases = []

    def add(id, target, op, args, result):
        cases.append({"id": id, "target": target, "op": op, "args": args, "expected": ser_result(result.compute())})

    for reduction in ["mean", "sum", "std", "var", "min", "max", "count"]:
        add(f"rolling_time5_{reduction}", "v", "rolling", {"dim": "time", "window": 5, "center": False, "min_periods": None, "func": reduction},
            getattr(v.rolling(time=5), reduction)())
    add("rolling_time4_center_mean", "v", "rolling", {"dim": "time", "window": 4, "center": True, "min_periods": None, "func": "mean"},
        v.rolling(time=4, center=True).mean())
    add("rolling_time7_center_minp3_mean", "v", "rolling", {"dim": "time", "window": 7, "center": True, "min_periods": 3, "func": "mean"},
        v.rolling(time=7, center=True, min_periods=3).mean())
    add("rolling_time9_minp1_sum", "v", "rolling", {"dim": "time", "window": 9, "center": False, "min_periods": 1, "func": "sum"},
        v.rolling(time=9, min_periods=1).sum())
    add("rolling_x2_max", "v", "rolling", {"dim": "x", "window": 2, "center": False, "min_periods": None, "func": "max"},
        v.rolling(x=2).max())
    add("rolling_series_center7_mean", "s", "rolling", {"dim": "step", "window": 7, "center": True, "min_periods": None, "func": "mean"},
        s.rolling(step=7, center=True).mean())
    add("rolling_series_center8_std_minp2", "s", "rolling", {"dim": "step", "window": 8, "center": True, "min_periods": 2, "func": "std"},
        s.rolling(step=8, center=True, min_periods=2).std())
    # Windows far longer than the chunks (7 steps) and NaN runs longer than the window:
    # the running-sum and van Herk/Gil-Werman kernels on merged chunks.
    for reduction in ["min", "max", "std", "mean", "sum"]:
        add(f"rolling_time20_center_minp5_{reduction}", "v", "rolling",
            {"dim": "time", "window": 20, "center": True, "min_periods": 5, "func": reduction},
            getattr(v.rolling(time=20, center=True, min_periods=5), reduction)())
    for reduction in ["var", "count", "max"]:
        add(f"rolling_time3_minp1_{reduction}", "v", "rolling",
            {"dim": "time", "window": 3, "center": False, "min_periods": 1, "func": reduction},
            getattr(v.rolling(time=3, min_periods=1), reduction)())
    for deg in (1, 2):
        add(f"polyfit_time_deg{deg}", "v", "polyfit", {"dim": "time", "deg": deg}, v.polyfit("time", deg))
    add("polyfit_x_deg1", "v", "polyfit", {"dim": "x", "deg": 1}, v.polyfit("x", 1))
    add("polyfit_series_deg3", "s", "polyfit", {"dim": "step", "deg": 3}, s.polyfit("step", 3))

    doc = {
        "generator": "scripts/golden_window.py",
        "xarray_version": xr.__version__,
        "dataset": ser_dataset(ds, with_chunks=True),
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
