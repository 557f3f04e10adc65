#!/usr/bin/env python3
"""Golden values for diff, shift, cumsum/cumprod, differentiate and polyval, computed by
xarray itself on dask-chunked inputs (uneven chunks, so the halos cross chunk
boundaries), each cross-checked against the same op on numpy-loaded inputs. The
serialisation is golden_labelled.py's. Writes data-fixtures/golden/calculus/cases.json.

    pip install xarray dask && python3 scripts/golden_calculus.py   # (re)writes the JSON
    python3 scripts/golden_calculus.py --check                      # exit 1 if stale

Case vocabulary (tests/labelled/calculus_golden.rs replays it): "target" is a data variable or
"ds" (the whole Dataset); "op" is one of
    diff {dim, n, label}        shift {dim, periods, fill_value|null}
    cumsum {dim}  cumprod {dim}  differentiate {coord, datetime_unit|null}
    polyval {dim, deg, coeffs: "dataset"|"dataarray"}: xr.polyval(target[dim], target.polyfit(dim, deg))
    polyval_raw {coord}: xr.polyval(ds[coord], target)  (no `degree` coordinate: an error)
and "expected" is the result, or "error" the exception class xarray raises.
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

OUT = os.path.join(os.path.dirname(__file__), "..", "data-fixtures", "golden", "calculus", "cases.json")

dask.config.set(scheduler="synchronous")
warnings.simplefilter("ignore")


def make_dataset():
    rng = np.random.default_rng(5)
    time = pd.date_range("2001-03-01", periods=40, freq="D").values.astype("datetime64[ns]")
    v = np.round(rng.standard_normal((40, 3)) + 0.05 * np.arange(40)[:, None] * np.array([1.0, -2.0, 0.5]), 3)
    v[3, 0] = v[4, 0] = v[20, 1] = np.nan
    v[10:13, 2] = np.nan
    n = rng.integers(-50, 50, size=40).astype("int32")
    # A non-uniform coordinate: steps between 0.2 and 1.7.
    step = np.round(np.cumsum(rng.uniform(0.2, 1.7, size=30)), 3)
    s = np.round(np.sin(step / 3.0) + 0.01 * step**2, 4)
    s[7] = np.nan
    k = np.arange(12) * 0.25  # uniform
    g = np.round(np.cos(k) * 3.0, 3).astype("float32")
    return xr.Dataset(
        {
            "v": _var(("time", "x"), v, {"units": "m"}, ((7, 7, 7, 7, 7, 5), (2, 1))),
            "n": _var(("time",), n, {"long_name": "counts"}, ((13, 1, 20, 6),)),
            "s": _var(("step",), s, {"long_name": "series"}, ((3, 9, 1, 12, 5),)),
            "g": _var(("k",), g, None, ((5, 5, 2),)),
            "w": _var(("x",), np.array([1.0, 2.0, 4.0]), None, ((3,),)),
            "o": _var(("one",), np.array([2.5]), None, ((1,),)),
        },
        coords={
            "time": ("time", time),
            "x": ("x", np.array([10.0, 5.0, -5.0]), {"units": "km"}),
            "step": ("step", step),
            "k": ("k", k),
            "one": ("one", np.array([0.0])),
            "elapsed": ("time", np.arange(40.0) * 1.5),
            "station": ("x", np.array(["a", "b", "c"])),
        },
        attrs={"title": "calculus"},
    )


def run_op(ds, target, op, a):
    obj = ds if target == "ds" else ds[target]
    if op == "diff":
        return obj.diff(a["dim"], n=a["n"], label=a["label"])
    if op == "shift":
        fill = {} if a["fill_value"] is None else {"fill_value": a["fill_value"]}
        return obj.shift({a["dim"]: a["periods"]}, **fill)
    if op == "cumsum":
        return obj.cumsum(a["dim"])
    if op == "cumprod":
        return obj.cumprod(a["dim"])
    if op == "differentiate":
        return obj.differentiate(a["coord"], datetime_unit=a["datetime_unit"])
    if op == "polyval":
        fit = obj.polyfit(a["dim"], a["deg"])
        if a["coeffs"] == "dataarray":
            fit = fit["polyfit_coefficients"]
        return xr.polyval(obj[a["dim"]], fit)
    if op == "polyval_raw":
        return xr.polyval(ds[a["coord"]], obj)
    raise ValueError(op)


CASES = [
    # diff: floats with NaN, ints, both labels, n beyond the length
    ("diff_v_time_n1", "v", "diff", {"dim": "time", "n": 1, "label": "upper"}),
    ("diff_v_time_n2", "v", "diff", {"dim": "time", "n": 2, "label": "upper"}),
    ("diff_v_time_n1_lower", "v", "diff", {"dim": "time", "n": 1, "label": "lower"}),
    ("diff_v_x_n1_descending", "v", "diff", {"dim": "x", "n": 1, "label": "upper"}),
    ("diff_n_int_n1", "n", "diff", {"dim": "time", "n": 1, "label": "upper"}),
    ("diff_n_int_n3", "n", "diff", {"dim": "time", "n": 3, "label": "upper"}),
    ("diff_s_n4_uneven_chunks", "s", "diff", {"dim": "step", "n": 4, "label": "upper"}),
    ("diff_s_n0", "s", "diff", {"dim": "step", "n": 0, "label": "upper"}),
    ("diff_s_n_equals_length", "s", "diff", {"dim": "step", "n": 30, "label": "upper"}),
    ("diff_s_n_beyond_length", "s", "diff", {"dim": "step", "n": 45, "label": "lower"}),
    ("diff_unknown_dim", "v", "diff", {"dim": "nope", "n": 1, "label": "upper"}),
    # shift: both directions, ints promoted, fill values, beyond a chunk and the axis
    ("shift_v_time_p2", "v", "shift", {"dim": "time", "periods": 2, "fill_value": None}),
    ("shift_v_time_m3", "v", "shift", {"dim": "time", "periods": -3, "fill_value": None}),
    ("shift_n_int_p1", "n", "shift", {"dim": "time", "periods": 1, "fill_value": None}),
    ("shift_n_int_m15_fill0", "n", "shift", {"dim": "time", "periods": -15, "fill_value": 0}),
    ("shift_s_p10_across_chunks", "s", "shift", {"dim": "step", "periods": 10, "fill_value": None}),
    ("shift_s_beyond_length", "s", "shift", {"dim": "step", "periods": 31, "fill_value": None}),
    ("shift_g_float32_m1_fill", "g", "shift", {"dim": "k", "periods": -1, "fill_value": -9.5}),
    ("shift_unknown_dim", "v", "shift", {"dim": "nope", "periods": 1, "fill_value": None}),
    # cumsum / cumprod
    ("cumsum_v_time_nan", "v", "cumsum", {"dim": "time"}),
    ("cumsum_v_x", "v", "cumsum", {"dim": "x"}),
    ("cumsum_n_int", "n", "cumsum", {"dim": "time"}),
    ("cumsum_s_uneven_chunks", "s", "cumsum", {"dim": "step"}),
    ("cumprod_g_float32", "g", "cumprod", {"dim": "k"}),
    ("cumprod_v_x", "v", "cumprod", {"dim": "x"}),
    # differentiate: uniform, non-uniform, datetimes (default unit and others), ints
    ("differentiate_g_uniform_float32", "g", "differentiate", {"coord": "k", "datetime_unit": None}),
    ("differentiate_s_nonuniform", "s", "differentiate", {"coord": "step", "datetime_unit": None}),
    ("differentiate_v_x_descending", "v", "differentiate", {"coord": "x", "datetime_unit": None}),
    ("differentiate_v_time_default_ns", "v", "differentiate", {"coord": "time", "datetime_unit": None}),
    ("differentiate_v_time_days", "v", "differentiate", {"coord": "time", "datetime_unit": "D"}),
    ("differentiate_v_time_hours", "v", "differentiate", {"coord": "time", "datetime_unit": "h"}),
    ("differentiate_n_int_days", "n", "differentiate", {"coord": "time", "datetime_unit": "D"}),
    ("differentiate_v_nondim_coord", "v", "differentiate", {"coord": "elapsed", "datetime_unit": None}),
    ("differentiate_string_coord", "v", "differentiate", {"coord": "station", "datetime_unit": None}),
    ("differentiate_length_one", "o", "differentiate", {"coord": "one", "datetime_unit": None}),
    ("differentiate_unknown_coord", "v", "differentiate", {"coord": "nope", "datetime_unit": None}),
    # polyval of polyfit
    ("polyval_v_time_deg1", "v", "polyval", {"dim": "time", "deg": 1, "coeffs": "dataset"}),
    ("polyval_v_time_deg2", "v", "polyval", {"dim": "time", "deg": 2, "coeffs": "dataset"}),
    ("polyval_v_time_deg2_dataarray", "v", "polyval", {"dim": "time", "deg": 2, "coeffs": "dataarray"}),
    ("polyval_s_step_deg1", "s", "polyval", {"dim": "step", "deg": 1, "coeffs": "dataset"}),
    ("polyval_s_step_deg2", "s", "polyval", {"dim": "step", "deg": 2, "coeffs": "dataarray"}),
    ("polyval_no_degree_coord", "v", "polyval_raw", {"coord": "time"}),
    # whole datasets: variables without the dimension are kept
    ("dataset_diff_time", "ds", "diff", {"dim": "time", "n": 1, "label": "upper"}),
    ("dataset_shift_time", "ds", "shift", {"dim": "time", "periods": 2, "fill_value": None}),
    ("dataset_cumsum_time", "ds", "cumsum", {"dim": "time"}),
    ("dataset_differentiate_time_days", "ds", "differentiate", {"coord": "time", "datetime_unit": "D"}),
    ("dataset_differentiate_step", "ds", "differentiate", {"coord": "step", "datetime_unit": None}),
]


# Cases dask itself cannot run on these chunks, so the numpy result is recorded;
# tessera's chunked result must match it all the same.
DASK_CANNOT = {
    # ZeroDivisionError: dask pads by more than the axis length.
    "shift_s_beyond_length": "dask.array.pad",
    # "Chunk size must be larger than edge_order + 1": dask's gradient needs chunks of
    # at least 2 along the axis; `s`, `n` and `v` along x have a chunk of 1 (tessera's
    # halo reaches across any number of chunks).
    "differentiate_v_x_descending": "dask.array.gradient",
    "differentiate_s_nonuniform": "dask.array.gradient",
    "differentiate_n_int_days": "dask.array.gradient",
    "dataset_differentiate_time_days": "dask.array.gradient",
    "dataset_differentiate_step": "dask.array.gradient",
}


# Dataset.cumsum re-adds the coordinates it dropped through a set and assign_coords,
# so their order is an artefact of hashing; the replay compares them as a set.
COORDS_ANY_ORDER = {"dataset_cumsum_time"}


# A degree-2 polynomial in nanoseconds since 1970 (x ~ 1e18) is a sum of large terms
# that cancel, so the last bits in which two least-squares solvers' coefficients differ
# show up at ~1e-11 absolute in values of order 1: these compare within an absolute
# tolerance ("atol" beside the expected values) as well as the relative one.
ATOL = {"polyval_v_time_deg2": 1e-9, "polyval_v_time_deg2_dataarray": 1e-9}


def with_atol(expected, atol):
    variables = [expected["variable"]] if expected["kind"] == "dataarray" else expected["data_vars"].values()
    for v in variables:
        v["atol"] = atol
    return expected


def same(a, b):
    """The dask and the numpy result agree (values to 1e-12, or float32's precision)."""
    if isinstance(a, xr.Dataset):
        return set(a.data_vars) == set(b.data_vars) and all(same(a[k], b[k]) for k in a.data_vars)
    x, y = np.asarray(a.values), np.asarray(b.values)
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    if x.dtype.kind != "f":
        return bool((x == y).all())
    rtol = 2e-6 if x.dtype == np.float32 else 1e-12
    return bool(np.allclose(x, y, rtol=rtol, atol=0, equal_nan=True))


def main():
    ds = make_dataset()
    loaded = ds.compute()  # numpy-backed copy for the cross-check
    cases = []
    for id, target, op, args in CASES:
        case = {"id": id, "target": target, "op": op, "args": args}
        try:
            eager = run_op(loaded, target, op, args)
        except Exception as e:  # noqa: BLE001 - the class is what the case records
            case["error"] = type(e).__name__
        else:
            if id in DASK_CANNOT:
                result = eager
                case["numpy_only"] = DASK_CANNOT[id]
            else:
                result = run_op(ds, target, op, args).compute()
                assert same(result, eager), id
            case["expected"] = ser_result(result)
            if id in ATOL:
                with_atol(case["expected"], ATOL[id])
            if id in COORDS_ANY_ORDER:
                case["coords_order"] = "any"
        cases.append(case)

    doc = {
        "generator": "scripts/golden_calculus.py",
        "xarray_version": xr.__version__,
        "numpy_version": np.__version__,
        "dask_version": dask.__version__,
        "dataset": ser_dataset(ds, with_chunks=True),
        "cases": cases,
    }
    text = json.dumps(doc, indent=1)
    if "--check" in sys.argv:
        with open(OUT) as f:
            if f.read() != text:
                raise SystemExit(f"{OUT} is stale: rerun scripts/golden_calculus.py")
        print(f"{OUT} is up to date ({len(cases)} cases)")
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    errors = sum("error" in c for c in cases)
    print(f"wrote {len(cases)} cases ({errors} errors) to {OUT}")


if __name__ == "__main__":
    main()
