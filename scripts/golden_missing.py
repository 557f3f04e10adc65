#!/usr/bin/env python3
"""Golden values for missing data, reshaping and elementwise ergonomics, computed by
xarray itself (the serialisation is golden_labelled.py's). Writes
data-fixtures/golden/missing/cases.json; `--check` recomputes and fails if the file
differs.

    pip install xarray dask bottleneck && python3 scripts/golden_missing.py [--check]

(xarray's ffill/bfill, and interpolate_na's limit and max_gap, need bottleneck.)

Every case runs on the dask-chunked fixture (uneven chunks; NaN runs cross chunk
boundaries) and on the loaded numpy one; the two must agree, and an error case must
raise the named exception class in both. The dask result is recorded.

Ops (tests/labelled/missing_golden.rs replays them; `target` is a data variable, or
null for the whole dataset):
    where        cond {var, cmp, value}, other: null | number | {var, isel}
    fillna       value: number | {var, isel} | {name: number} (datasets)
    isnull / notnull, clip {min, max}, round {decimals}
    cmp          op (eq ne gt ge lt le), value: number | variable name
    logic        op (and or xor not), a, b: conds as for `where`
    math         fn (deg2rad rad2deg sin cos tan exp log sqrt abs)
    ffill / bfill            dim, limit
    interpolate_na           dim, limit, max_gap ({days} on a datetime index), use_coordinate, method,
                             fill_value ("extrapolate", optional)
    dropna       dim, how, thresh
    stack        new, dims (xarray's MultiIndex is recorded by its levels: reset_index)
    stack_unstack            new, dims, isel (positions along the stacked dim, or null),
                             all (optional: unstack() with no dim, every stacked dim)
    unstack      dim (errors only)
    to_array     dim;  to_dataset {name};  to_dataset_dim {dim}
    groupby_arith            key, op (sub add mul div): x.groupby(key) op x.groupby(key).mean()
    csv          isel {dim: [start, stop]}, vars (for datasets): pandas' to_csv text
    item         isel {dim: position} (a size-1 selection, or not)
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

OUT = os.path.join(os.path.dirname(__file__), "..", "data-fixtures", "golden", "missing", "cases.json")

dask.config.set(scheduler="synchronous")
warnings.simplefilter("ignore")


def make_grid():
    rng = np.random.default_rng(19)
    time = pd.date_range("2000-01-20", periods=12, freq="5D").values.astype("datetime64[ns]")
    lat = np.array([-30.0, 0.0, 30.0, 60.0])
    lon = np.array([10.0, 20.0, 40.0])
    depth = np.array([0.0, 5.0, 10.0, 20.0, 30.0, 50.0, 75.0, 100.0, 150.0, 200.0])
    t = np.round(15.0 + 8.0 * rng.standard_normal((12, 4, 3)), 2)
    t[2:7, 0, 0] = np.nan  # a run of 5 across the time chunk boundary at 4
    t[0:2, 1, 1] = np.nan  # leading
    t[9:, 2, 2] = np.nan  # trailing
    t[:, 3, 0] = np.nan  # all missing
    t[5, 1, 2] = t[8, 2, 0] = np.nan  # single gaps
    t[3:5, 3, 2] = np.nan  # a run of 2 ending on the chunk boundary
    s = np.round(rng.uniform(-5.0, 5.0, size=12), 3)
    s[[0, 3, 4, 5, 6, 7, 11]] = np.nan  # leading, a run of 5 over two chunks, trailing
    u = np.round(rng.uniform(0.0, 10.0, size=(10, 3)), 3)
    u[1:3, 0] = np.nan  # gap 0..10 (coordinate width 10)
    u[4:8, 1] = np.nan  # gap 20..150 (width 130) across the chunk boundaries at 3 and 7
    u[[3, 5], 2] = np.nan  # two gaps of width 20 / 45
    u[9, 0] = np.nan  # trailing
    n = rng.integers(-20, 40, size=(12, 3)).astype("int32")
    p = (1000.0 + 0.25 * rng.integers(-40, 40, size=(12, 4))).astype("float32")
    p[6:9, 1] = np.nan
    h = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.675, 0.125, 1234.5678, -0.0051, np.nan, 7.0, 22.5])
    ang = np.array([0.25, 30.0, 45.0, 90.0, 180.0, -60.0, 270.0, 1.0e-3, 360.0, 12.5, np.nan, 0.5])
    mask = np.array([[True, False, True], [True, True, False], [False, True, True], [True, True, True]])
    c = np.array([1.0, np.nan, 3.0, 4.0])
    area = np.round(np.cos(np.deg2rad(lat))[:, None] * (1.0 + lon[None, :] / 100.0), 4)
    ch_t, ch_lat, ch_lon, ch_d = (4, 5, 3), (3, 1), (2, 1), (3, 4, 3)
    return xr.Dataset(
        data_vars={
            "t": _var(("time", "lat", "lon"), t, {"units": "degC"}, (ch_t, ch_lat, ch_lon)),
            "s": _var(("time",), s, {"long_name": "series"}, ((3, 6, 3),)),
            "u": _var(("depth", "lon"), u, {"units": "m"}, (ch_d, ch_lon)),
            "n": _var(("time", "lon"), n, {}, (ch_t, ch_lon)),
            "p": _var(("time", "lat"), p, {"units": "hPa"}, (ch_t, ch_lat)),
            "h": _var(("time",), h, {}, ((5, 7),)),
            "ang": _var(("time",), ang, {"units": "degree"}, ((6, 6),)),
            "mask": _var(("lat", "lon"), mask, {}, (ch_lat, ch_lon)),
            "c": _var(("lat",), c, {}, (ch_lat,)),
        },
        coords={
            "time": ("time", time),
            "lat": ("lat", lat, {"units": "degrees_north"}),
            "lon": ("lon", lon),
            "depth": ("depth", depth, {"units": "m"}),
            "area": _var(("lat", "lon"), area, {"units": "m2"}, (ch_lat, ch_lon)),
        },
        attrs={"title": "missing fixture"},
    )


def cond(ds, spec):
    x = ds[spec["var"]]
    return getattr(x, f"__{spec['cmp']}__")(spec["value"])


def other_array(ds, spec):
    x = ds[spec["var"]]
    if spec.get("isel"):
        x = x.isel({d: slice(a, b) for d, (a, b) in spec["isel"].items()})
    return x


def run(ds, target, op, a):
    obj = ds if target is None else ds[target]
    if target is None and a.get("vars") is not None:
        obj = obj[a["vars"]]
    if op == "where":
        o = a["other"]
        if isinstance(o, dict):
            o = other_array(ds, o)
        elif o is None:
            return obj.where(cond(ds, a["cond"]))
        return obj.where(cond(ds, a["cond"]), o)
    if op == "fillna":
        v = a["value"]
        if isinstance(v, dict) and "var" in v:
            v = other_array(ds, v)
        return obj.fillna(v)
    if op in ("isnull", "notnull"):
        return getattr(obj, op)()
    if op == "clip":
        return obj.clip(a["min"], a["max"])
    if op == "round":
        return obj.round(a["decimals"])
    if op == "cmp":
        v = a["value"]
        v = ds[v] if isinstance(v, str) else v
        return getattr(obj, f"__{a['op']}__")(v)
    if op == "logic":
        x = cond(ds, a["a"])
        if a["op"] == "not":
            return ~x
        y = cond(ds, a["b"])
        return {"and": x & y, "or": x | y, "xor": x ^ y}[a["op"]]
    if op == "math":
        return abs(obj) if a["fn"] == "abs" else getattr(np, a["fn"])(obj)
    if op in ("ffill", "bfill"):
        return getattr(obj, op)(a["dim"], limit=a["limit"])
    if op == "interpolate_na":
        kw = {"method": a["method"], "limit": a["limit"], "use_coordinate": a["use_coordinate"]}
        if "fill_value" in a:
            kw["fill_value"] = a["fill_value"]
        if isinstance(a["max_gap"], dict):  # a datetime index takes a duration
            kw["max_gap"] = pd.Timedelta(days=a["max_gap"]["days"])
        elif a["max_gap"] is not None:
            kw["max_gap"] = a["max_gap"]
        if obj.chunks and a["dim"] in obj.dims:
            obj = obj.chunk({a["dim"]: -1})  # xarray needs the dim in one chunk; tessera does not
        return obj.interpolate_na(a["dim"], **kw)
    if op == "dropna":
        return obj.dropna(a["dim"], how=a["how"], thresh=a["thresh"])
    if op == "stack":
        s = obj.stack({a["new"]: a["dims"]})
        return s.reset_index(a["new"])
    if op == "stack_unstack":
        s = obj.stack({a["new"]: a["dims"]})
        if a["isel"] is not None:
            s = s.isel({a["new"]: a["isel"]})
        return s.unstack() if a.get("all") else s.unstack(a["new"])
    if op == "unstack":
        return obj.unstack(a["dim"])
    if op == "to_array":
        return obj.to_dataarray(a["dim"])
    if op == "to_dataset":
        return obj.to_dataset(name=a["name"])
    if op == "to_dataset_dim":
        return obj.to_dataset(dim=a["dim"])
    if op == "groupby_arith":
        g = obj.groupby(a["key"])
        clim = g.mean()
        return {"sub": g - clim, "add": g + clim, "mul": g * clim, "div": g / clim}[a["op"]]
    if op == "csv":
        obj = obj.isel({d: slice(x, y) for d, (x, y) in a["isel"].items()})
        return obj.to_dataframe().to_csv()
    if op == "item":
        return obj.isel(a["isel"]).compute().item()  # dask arrays have no item()
    raise ValueError(op)


def outcome(ds, target, op, a):
    try:
        r = run(ds, target, op, a)
        if isinstance(r, (xr.DataArray, xr.Dataset)):
            r = r.compute()
        return r, None
    except Exception as e:  # noqa: BLE001 - the class is what is recorded
        return None, type(e).__name__


def C(var, cmp, value):
    return {"var": var, "cmp": cmp, "value": value}


def IN(dim, limit=None, max_gap=None, use_coordinate=True, method="linear", extrapolate=False):
    out = {"dim": dim, "limit": limit, "max_gap": max_gap, "use_coordinate": use_coordinate,
           "method": method}
    if extrapolate:
        out["fill_value"] = "extrapolate"
    return out


# (id, target or None for the Dataset, op, args, expected exception class or None)
CASES = [
    # where / fillna / isnull / clip / round
    ("where_cond_nan", "t", "where", {"cond": C("t", "gt", 15.0), "other": None}, None),
    ("where_scalar_other", "t", "where", {"cond": C("t", "gt", 15.0), "other": -1.0}, None),
    ("where_int_scalar", "n", "where", {"cond": C("n", "ge", 0), "other": 0}, None),
    ("where_broadcast_cond", "t", "where", {"cond": C("c", "gt", 2.0), "other": None}, None),
    ("where_array_other", "t", "where", {"cond": C("t", "lt", 20.0), "other": {"var": "c"}}, None),
    ("where_array_other_broadcast", "s", "where", {"cond": C("s", "gt", 0.0), "other": {"var": "t"}}, None),
    ("err_where_other_not_aligned", "t", "where",
     {"cond": C("t", "lt", 20.0), "other": {"var": "c", "isel": {"lat": [0, 3]}}}, "AlignmentError"),
    ("ds_where", None, "where", {"cond": C("t", "gt", 15.0), "other": None, "vars": ["t", "s", "p"]}, None),
    ("ds_where_array_other", None, "where",
     {"cond": C("t", "lt", 20.0), "other": {"var": "c"}, "vars": ["t", "s"]}, None),
    ("fillna_scalar", "t", "fillna", {"value": 0.0}, None),
    ("fillna_array", "t", "fillna", {"value": {"var": "c"}}, None),
    ("fillna_array_left_join", "t", "fillna", {"value": {"var": "c", "isel": {"lat": [0, 3]}}}, None),
    ("fillna_series_with_t", "s", "fillna", {"value": {"var": "t"}}, None),
    ("ds_fillna_scalar", None, "fillna", {"value": -9.0}, None),
    ("ds_fillna_dict", None, "fillna", {"value": {"t": 1.0, "p": 2.0}}, None),
    ("err_ds_fillna_dict_unknown", None, "fillna", {"value": {"zz": 1.0}}, "ValueError"),
    ("isnull", "t", "isnull", {}, None),
    ("notnull_float32", "p", "notnull", {}, None),
    ("ds_isnull", None, "isnull", {}, None),
    ("clip_both", "t", "clip", {"min": 10.0, "max": 20.0}, None),
    ("clip_min_only", "t", "clip", {"min": 12.5, "max": None}, None),
    ("clip_max_only_int", "n", "clip", {"min": None, "max": 10}, None),
    ("clip_min_above_max", "s", "clip", {"min": 2.0, "max": 1.0}, None),
    ("round_0_half_even", "h", "round", {"decimals": 0}, None),
    ("round_2", "h", "round", {"decimals": 2}, None),
    ("round_1_float32", "p", "round", {"decimals": 1}, None),
    ("round_negative", "h", "round", {"decimals": -1}, None),
    ("round_int", "n", "round", {"decimals": 1}, None),
    ("ds_round", None, "round", {"decimals": 1, "vars": ["t", "p", "n", "h"]}, None),
    # comparisons and logic
    *[(f"cmp_{o}_scalar", "t", "cmp", {"op": o, "value": 15.0}, None)
      for o in ["eq", "ne", "gt", "ge", "lt", "le"]],
    ("cmp_gt_array", "t", "cmp", {"op": "gt", "value": "c"}, None),
    ("cmp_eq_int", "n", "cmp", {"op": "eq", "value": 3}, None),
    ("logic_and", None, "logic", {"op": "and", "a": C("t", "gt", 10.0), "b": C("t", "lt", 20.0)}, None),
    ("logic_or_broadcast", None, "logic", {"op": "or", "a": C("t", "gt", 20.0), "b": C("c", "gt", 3.5)}, None),
    ("logic_xor", None, "logic", {"op": "xor", "a": C("t", "gt", 15.0), "b": C("p", "gt", 1000.0)}, None),
    ("logic_not", None, "logic", {"op": "not", "a": C("t", "gt", 15.0)}, None),
    # math forms
    *[(f"math_{f}", "ang", "math", {"fn": f}, None)
      for f in ["deg2rad", "rad2deg", "sin", "cos", "tan", "exp", "log", "sqrt", "abs"]],
    # ffill / bfill
    ("ffill_time", "t", "ffill", {"dim": "time", "limit": None}, None),
    ("ffill_time_limit1", "t", "ffill", {"dim": "time", "limit": 1}, None),
    ("ffill_time_limit3", "t", "ffill", {"dim": "time", "limit": 3}, None),
    ("ffill_series_limit2", "s", "ffill", {"dim": "time", "limit": 2}, None),
    ("ffill_series_limit5", "s", "ffill", {"dim": "time", "limit": 5}, None),
    ("bfill_time", "t", "bfill", {"dim": "time", "limit": None}, None),
    ("bfill_time_limit2", "t", "bfill", {"dim": "time", "limit": 2}, None),
    ("bfill_series_limit4", "s", "bfill", {"dim": "time", "limit": 4}, None),
    ("ffill_lat", "t", "ffill", {"dim": "lat", "limit": None}, None),
    ("ffill_float32", "p", "ffill", {"dim": "time", "limit": 2}, None),
    ("ffill_int_unchanged", "n", "ffill", {"dim": "time", "limit": None}, None),
    ("ds_ffill", None, "ffill", {"dim": "time", "limit": None}, None),
    ("ds_bfill_limit1", None, "bfill", {"dim": "time", "limit": 1}, None),
    ("err_ffill_unknown_dim", "t", "ffill", {"dim": "depth", "limit": None}, "ValueError"),
    # interpolate_na
    ("interp_na_time", "t", "interpolate_na", IN("time"), None),
    ("interp_na_series", "s", "interpolate_na", IN("time"), None),
    ("interp_na_series_limit2", "s", "interpolate_na", IN("time", limit=2), None),
    ("interp_na_time_limit1", "t", "interpolate_na", IN("time", limit=1), None),
    ("interp_na_depth", "u", "interpolate_na", IN("depth"), None),
    ("interp_na_depth_positions", "u", "interpolate_na", IN("depth", use_coordinate=False), None),
    ("interp_na_depth_max_gap_10", "u", "interpolate_na", IN("depth", max_gap=10.0), None),
    ("interp_na_depth_max_gap_45", "u", "interpolate_na", IN("depth", max_gap=45.0), None),
    ("interp_na_depth_max_gap_130", "u", "interpolate_na", IN("depth", max_gap=130.0), None),
    ("interp_na_depth_max_gap_limit", "u", "interpolate_na", IN("depth", max_gap=130.0, limit=2), None),
    ("interp_na_float32", "p", "interpolate_na", IN("time"), None),
    ("interp_na_time_max_gap_10_days", "t", "interpolate_na", IN("time", max_gap={"days": 10}), None),
    ("interp_na_time_max_gap_15_days", "t", "interpolate_na", IN("time", max_gap={"days": 15}), None),
    ("interp_na_lat", "t", "interpolate_na", IN("lat"), None),
    ("ds_interp_na_depth", None, "interpolate_na", {**IN("depth"), "vars": ["u", "s", "c"]}, None),
    ("interp_na_depth_nearest", "u", "interpolate_na", IN("depth", method="nearest"), None),
    ("interp_na_time_nearest", "t", "interpolate_na", IN("time", method="nearest"), None),
    ("interp_na_series_nearest_limit1", "s", "interpolate_na", IN("time", method="nearest", limit=1), None),
    ("interp_na_depth_extrapolate", "u", "interpolate_na", IN("depth", extrapolate=True), None),
    ("interp_na_series_extrapolate", "s", "interpolate_na", IN("time", extrapolate=True), None),
    ("interp_na_series_extrapolate_limit1", "s", "interpolate_na", IN("time", limit=1, extrapolate=True), None),
    ("interp_na_depth_nearest_extrapolate", "u", "interpolate_na", IN("depth", method="nearest", extrapolate=True), None),
    ("interp_na_depth_positions_extrapolate", "u", "interpolate_na",
     IN("depth", use_coordinate=False, extrapolate=True), None),
    ("interp_na_float32_extrapolate", "p", "interpolate_na", IN("time", extrapolate=True), None),
    ("interp_na_depth_max_gap_45_extrapolate", "u", "interpolate_na", IN("depth", max_gap=45.0, extrapolate=True), None),
    ("ds_interp_na_depth_nearest", None, "interpolate_na", {**IN("depth", method="nearest"), "vars": ["u", "s", "c"]}, None),
    ("err_interp_na_method", "u", "interpolate_na", IN("depth", method="bogus"), "ValueError"),
    ("err_interp_na_unknown_dim", "t", "interpolate_na", IN("depth"), "KeyError"),
    # dropna
    ("dropna_time_any", "t", "dropna", {"dim": "time", "how": "any", "thresh": None}, None),
    ("dropna_time_all_series", "s", "dropna", {"dim": "time", "how": "all", "thresh": None}, None),
    ("dropna_lat_all", "t", "dropna", {"dim": "lat", "how": "all", "thresh": None}, None),
    ("dropna_lat_thresh", "t", "dropna", {"dim": "lat", "how": "any", "thresh": 33}, None),
    ("dropna_depth_any", "u", "dropna", {"dim": "depth", "how": "any", "thresh": None}, None),
    ("ds_dropna_time_any", None, "dropna", {"dim": "time", "how": "any", "thresh": None}, None),
    ("ds_dropna_lat_thresh", None, "dropna", {"dim": "lat", "how": "all", "thresh": 30}, None),
    ("err_dropna_how", "t", "dropna", {"dim": "time", "how": "some", "thresh": None}, "ValueError"),
    ("err_dropna_unknown_dim", "t", "dropna", {"dim": "depth", "how": "any", "thresh": None}, "ValueError"),
    # stack / unstack
    ("stack_lat_lon", "t", "stack", {"new": "z", "dims": ["lat", "lon"]}, None),
    ("stack_lon_time", "t", "stack", {"new": "z", "dims": ["lon", "time"]}, None),
    ("stack_three", "t", "stack", {"new": "z", "dims": ["time", "lat", "lon"]}, None),
    ("ds_stack", None, "stack", {"new": "z", "dims": ["lat", "lon"]}, None),
    ("stack_unstack_round_trip", "t", "stack_unstack", {"new": "z", "dims": ["lat", "lon"], "isel": None}, None),
    ("stack_unstack_partial", "t", "stack_unstack",
     {"new": "z", "dims": ["lat", "lon"], "isel": [0, 2, 4, 5, 9, 11]}, None),
    ("stack_unstack_reordered", "t", "stack_unstack",
     {"new": "z", "dims": ["lat", "lon"], "isel": [11, 1, 6, 3]}, None),
    ("stack_unstack_int_partial", "n", "stack_unstack",
     {"new": "z", "dims": ["time", "lon"], "isel": [0, 1, 2, 4, 7]}, None),
    ("ds_stack_unstack", None, "stack_unstack", {"new": "z", "dims": ["lat", "lon"], "isel": None}, None),
    ("stack_unstack_all", "t", "stack_unstack", {"new": "z", "dims": ["lon", "time"], "isel": None, "all": True}, None),
    ("stack_unstack_all_partial", "t", "stack_unstack",
     {"new": "z", "dims": ["lat", "lon"], "isel": [5, 0, 7], "all": True}, None),
    ("ds_stack_unstack_all", None, "stack_unstack", {"new": "z", "dims": ["lat", "lon"], "isel": None, "all": True}, None),
    ("err_stack_unknown_dim", "t", "stack", {"new": "z", "dims": ["lat", "depth"]}, "KeyError"),
    ("err_unstack_not_stacked", "t", "unstack", {"dim": "lat"}, "ValueError"),
    # to_array / to_dataset
    ("to_array", None, "to_array", {"dim": "variable", "vars": ["t", "p", "c"]}, None),
    ("to_dataset_named", "t", "to_dataset", {"name": "temp"}, None),
    ("to_dataset_dim", "t", "to_dataset_dim", {"dim": "lon"}, None),
    # groupby arithmetic
    ("groupby_month_sub", "t", "groupby_arith", {"key": "time.month", "op": "sub"}, None),
    ("groupby_month_div", "s", "groupby_arith", {"key": "time.month", "op": "div"}, None),
    ("groupby_month_add", "p", "groupby_arith", {"key": "time.month", "op": "add"}, None),
    ("groupby_month_mul", "t", "groupby_arith", {"key": "time.month", "op": "mul"}, None),
    # CSV as pandas writes it
    ("csv_array", "t", "csv", {"isel": {"time": [0, 3]}, "vars": None}, None),
    ("csv_series", "s", "csv", {"isel": {"time": [0, 12]}, "vars": None}, None),
    ("csv_float32", "p", "csv", {"isel": {"time": [5, 9]}, "vars": None}, None),
    ("csv_round", "h", "csv", {"isel": {"time": [0, 12]}, "vars": None}, None),
    ("csv_dataset", None, "csv", {"isel": {"time": [0, 2]}, "vars": ["s", "n", "p"]}, None),
    ("csv_dataset_depth", None, "csv", {"isel": {}, "vars": ["u"]}, None),
    ("csv_bool_mask", "mask", "csv", {"isel": {}, "vars": None}, None),
    # item
    ("item", "t", "item", {"isel": {"time": 1, "lat": 2, "lon": 0}}, None),
    ("err_item_size", "t", "item", {"isel": {"time": 1}}, "ValueError"),
]


def record(result):
    if isinstance(result, str):
        return {"kind": "csv", "text": result}
    if isinstance(result, (float, int, bool, np.generic)):
        return {"kind": "scalar", "value": float(result)}
    return ser_result(result)


def build():
    ds = make_grid()
    loaded = ds.copy(deep=True).compute()
    cases, problems = [], []
    for cid, target, op, args, want_err in CASES:
        got, err = outcome(ds, target, op, args)
        ref, ref_err = outcome(loaded, target, op, args)
        if err != want_err or ref_err != want_err:
            problems.append(f"{cid}: dask {err}, numpy {ref_err}, expected {want_err}")
            continue
        if got is not None:
            if isinstance(got, (xr.DataArray, xr.Dataset)):
                try:
                    xr.testing.assert_allclose(got, ref, rtol=1e-12)
                except AssertionError as e:
                    problems.append(f"{cid}: dask and numpy differ: {e}")
            elif got != ref:
                problems.append(f"{cid}: dask {got!r} and numpy {ref!r} differ")
        cases.append({"id": cid, "target": target, "op": op, "args": args,
                      "expected": None if got is None else record(got), "error": err})
    if problems:
        sys.exit("\n".join(problems))
    return {
        "generator": "scripts/golden_missing.py",
        "xarray_version": xr.__version__,
        "dask_version": dask.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "dataset": ser_dataset(ds, with_chunks=True),
        "cases": cases,
    }


def main():
    doc = build()
    # One case per line keeps the file small (< 300 KB) and its diffs readable.
    head = {k: v for k, v in doc.items() if k != "cases"}
    lines = [json.dumps(c, separators=(",", ":")) for c in doc["cases"]]
    text = json.dumps(head, separators=(",", ":"))[:-1] + ',"cases":[\n' + ",\n".join(lines) + "\n]}\n"
    if "--check" in sys.argv:
        with open(OUT) as f:
            if f.read() != text:
                sys.exit(f"{OUT} differs from what xarray computes now; rerun without --check")
        print(f"{OUT}: {len(doc['cases'])} cases match")
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {len(doc['cases'])} cases ({sum(1 for c in doc['cases'] if c['error'])} errors) to {OUT}")


if __name__ == "__main__":
    main()
