#!/usr/bin/env python3
"""Golden files for tessera's labelled layer, computed by xarray itself.

Generated with (pinned; rerun with the same versions for byte-identical output):
    xarray 2026.9.0, dask 2026.8.0, numpy 2.4.6, pandas 3.1.1, Python 3.11.7
    pip install xarray==2026.9.0 dask==2026.8.0 numpy==2.4.6 pandas==3.1.1

Usage:
    python3 scripts/golden_labelled.py            # writes data-fixtures/golden/labelled/cases.json
    python3 scripts/golden_labelled.py --check    # regenerate in memory, fail if the file differs

What it does
------------
1. Builds a few small datasets (numpy, fixed seeds) and serialises them to the JSON
   format described in scripts/README.md.
2. Rebuilds the xarray objects *from that JSON* (dask-chunked exactly as the JSON's
   "chunks" say), so the Rust side sees precisely the inputs xarray used.
3. Interprets each case of the table below (the JSON "op"/"args" vocabulary is the
   one the Rust tests use; `run_op` is its reference implementation), computes the
   result with `.compute()`, and also recomputes it on the fully loaded (numpy)
   inputs as a cross-check (values must agree to 1e-12 relative).  Where dask itself
   cannot run the op (NotImplementedError, e.g. a full-array median) the numpy
   result is recorded; such cases are listed in the README.
4. Asserts that every case either succeeds or raises exactly the expected
   exception class, then writes the file.  Output is deterministic: no sort_keys
   (mapping order carries xarray's coordinate / variable order), but every dict is
   built in a fixed order, so two runs give byte-identical files.
"""

import json
import math
import os
import sys
import warnings

import dask
import dask.array as dsa
import numpy as np
import pandas as pd
import xarray as xr

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "data-fixtures", "golden", "labelled", "cases.json")

dask.config.set(scheduler="synchronous")
warnings.simplefilter("ignore")  # RuntimeWarning (all-NaN slices), FutureWarning (combine defaults)

# --------------------------------------------------------------------------------------
# serialisation
# --------------------------------------------------------------------------------------


def _dtype_name(dt):
    dt = np.dtype(dt)
    if dt.kind in ("U", "S", "O", "T"):
        return "str"
    if dt.kind == "M":
        return str(dt)  # "datetime64[ns]"
    if dt.kind == "m":
        return str(dt)
    return dt.name  # float64, float32, int32, int64, bool


def _scalar(v, kind):
    if kind == "f":
        v = float(v)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if kind in ("i", "u"):
        return int(v)
    if kind == "b":
        return bool(v)
    if kind == "M":
        if np.isnat(v):
            return None
        return pd.Timestamp(v).isoformat()
    if kind == "m":
        if np.isnat(v):
            return None
        return int(v.astype("timedelta64[ns]").astype(np.int64))
    return str(v)


def _json_attr(v):
    if isinstance(v, (np.generic,)):
        v = v.item()
    if isinstance(v, np.ndarray):
        return [_json_attr(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_json_attr(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def ser_attrs(attrs):
    return {str(k): _json_attr(v) for k, v in attrs.items()}


def ser_variable(var, with_chunks):
    """xr.Variable -> <variable>. with_chunks: record dask chunks (inputs / `chunk` op)."""
    chunks = None
    if with_chunks and var.chunks is not None:
        chunks = [list(map(int, c)) for c in var.chunks]
    values = np.asarray(var.values)
    kind = values.dtype.kind
    return {
        "dims": list(var.dims),
        "dtype": _dtype_name(values.dtype),
        "shape": list(values.shape),
        "data": [_scalar(v, kind) for v in values.reshape(-1)],
        "attrs": ser_attrs(var.attrs),
        "chunks": chunks,
    }


def ser_dataset(ds, with_chunks=False):
    return {
        "dims": {str(k): int(v) for k, v in ds.sizes.items()},
        "coords": {str(k): ser_variable(ds[k].variable, with_chunks) for k in ds.coords},
        "data_vars": {str(k): ser_variable(ds[k].variable, with_chunks) for k in ds.data_vars},
        "attrs": ser_attrs(ds.attrs),
    }


def ser_result(obj, with_chunks=False):
    if isinstance(obj, xr.DataArray):
        return {
            "kind": "dataarray",
            "name": None if obj.name is None else str(obj.name),
            "variable": ser_variable(obj.variable, with_chunks),
            "coords": {str(k): ser_variable(obj.coords[k].variable, with_chunks) for k in obj.coords},
        }
    if isinstance(obj, xr.Dataset):
        return {"kind": "dataset", **ser_dataset(obj, with_chunks)}
    if isinstance(obj, tuple):
        return {"kind": "aligned", "items": [ser_result(o, with_chunks) for o in obj]}
    raise TypeError(type(obj))


# --------------------------------------------------------------------------------------
# deserialisation (JSON -> xarray), used for inputs and for variable-valued args
# --------------------------------------------------------------------------------------

_NP_DTYPES = {"float64", "float32", "int32", "int64", "bool"}


def de_values(spec):
    dt, data, shape = spec["dtype"], spec["data"], spec["shape"]
    if dt in ("float64", "float32"):
        arr = np.array([np.nan if v is None else v for v in data], dtype=dt)
    elif dt in _NP_DTYPES:
        arr = np.array(data, dtype=dt)
    elif dt.startswith("datetime64"):
        arr = np.array(["NaT" if v is None else v for v in data], dtype=dt)
    elif dt == "str":
        arr = np.array(data, dtype=str)
    else:
        raise ValueError(dt)
    return arr.reshape(shape)


def de_variable(spec, chunked=True):
    arr = de_values(spec)
    if chunked and spec.get("chunks") is not None:
        arr = dsa.from_array(arr, chunks=tuple(tuple(c) for c in spec["chunks"]))
    return xr.Variable(spec["dims"], arr, attrs=dict(spec["attrs"]))


def de_dataset(spec, chunked=True):
    ds = xr.Dataset(
        data_vars={k: de_variable(v, chunked) for k, v in spec["data_vars"].items()},
        coords={k: de_variable(v, chunked) for k, v in spec["coords"].items()},
        attrs=dict(spec["attrs"]),
    )
    return ds


# --------------------------------------------------------------------------------------
# datasets
# --------------------------------------------------------------------------------------


def _var(dims, data, attrs=None, chunks=None):
    v = xr.Variable(dims, np.asarray(data), attrs=attrs or {})
    if chunks is not None:
        v = v.chunk(dict(zip(dims, chunks)))
    return v


def make_grid():
    rng = np.random.default_rng(20240601)
    time = pd.date_range("2000-01-27", periods=10, freq="D").values.astype("datetime64[ns]")
    lat = np.array([60.0, 30.0, 0.0, -30.0, -60.0])
    lon = np.array([0.0, 70.0, 140.0, 210.0, 280.0, 350.0])
    t = np.round(15.0 + 8.0 * rng.standard_normal((10, 5, 6)), 1)
    t[:, 1, 3] = np.nan  # one all-NaN time series (lat=30, lon=210)
    t[2, 0, 0] = np.nan
    t[7, 4, 5] = np.nan
    t[0, 2, :3] = np.nan
    t[5, 3, 1] = np.nan
    p = (1000.0 + 0.25 * rng.integers(-80, 80, size=(10, 5))).astype("float32")
    n = rng.integers(0, 20, size=(10, 6)).astype("int32")
    area = np.round(np.cos(np.deg2rad(lat))[:, None] * (1.0 + lon[None, :] / 1000.0), 4)
    ch_t, ch_lat, ch_lon = (4, 3, 3), (2, 3), (4, 2)
    ds = xr.Dataset(
        data_vars={
            "t": _var(("time", "lat", "lon"), t, {"units": "degC", "long_name": "air temperature"},
                      (ch_t, ch_lat, ch_lon)),
            "p": _var(("time", "lat"), p, {"units": "hPa"}, (ch_t, ch_lat)),
            "n": _var(("time", "lon"), n, {"long_name": "station count"}),  # numpy-backed
        },
        coords={
            "time": ("time", time, {"standard_name": "time"}),
            "lat": ("lat", lat, {"units": "degrees_north"}),
            "lon": ("lon", lon, {"units": "degrees_east"}),
            "area": _var(("lat", "lon"), area, {"units": "1"}, (ch_lat, ch_lon)),
            "height": ((), 2.0, {"units": "m"}),
        },
        attrs={"title": "grid fixture", "source": "scripts/golden_labelled.py"},
    )
    return ds


def make_shifted():
    rng = np.random.default_rng(7)
    time = pd.date_range("2000-01-30", periods=10, freq="D").values.astype("datetime64[ns]")
    lat = np.array([60.0, 30.0, 0.0, -30.0, -60.0])
    lon = np.array([35.0, 70.0, 140.0, 210.0, 245.0, 315.0])
    t = np.round(12.0 + 6.0 * rng.standard_normal((10, 5, 6)), 1)
    t[4, 2, 2] = np.nan
    q = np.round(rng.uniform(0.0, 10.0, size=(10, 5)), 2)
    area = np.round(np.cos(np.deg2rad(lat))[:, None] * (1.0 + lon[None, :] / 1000.0), 4)
    ds = xr.Dataset(
        data_vars={
            "t": _var(("time", "lat", "lon"), t, {"units": "degC"}, ((3, 5, 2), (5,), (1, 5))),
            "q": _var(("time", "lat"), q, {"units": "g/kg"}, ((3, 5, 2), (5,))),
        },
        coords={
            "time": ("time", time),
            "lat": ("lat", lat, {"units": "degrees_north"}),
            "lon": ("lon", lon, {"units": "degrees_east"}),
            "area": _var(("lat", "lon"), area, {"units": "1"}),
            "height": ((), 10.0, {"units": "m"}),
        },
        attrs={"title": "shifted fixture"},
    )
    return ds


def make_labels():
    station = np.array(["a", "b", "c", "d"])
    ds = xr.Dataset(
        data_vars={
            "obs": _var(("level", "station"), np.array([[1.5, np.nan, -2.25, 4.0]]), {"units": "m/s"},
                        ((1,), (3, 1))),
            "flag": _var(("station",), np.array([False, True, False, False])),
            "count": _var(("station",), np.array([3, 0, 7, 2], dtype="int64")),
        },
        coords={
            "station": ("station", station),
            "elev": ("station", np.array([120.0, 15.5, 300.0, 42.0]), {"units": "m"}),
            "level": ("level", np.array([850.0]), {"units": "hPa"}),
        },
        attrs={"title": "labels fixture"},
    )
    return ds


def make_weights():
    lat = np.array([60.0, 30.0, 0.0, -30.0, -60.0])
    w = np.round(np.cos(np.deg2rad(lat)), 6)
    w_nan = w.copy()
    w_nan[2] = np.nan
    ds = xr.Dataset(
        data_vars={
            "w": _var(("lat",), w, {"long_name": "cos(lat)"}, ((3, 2),)),
            "w_nan": _var(("lat",), w_nan, {"long_name": "cos(lat) with a NaN"}),
        },
        coords={"lat": ("lat", lat, {"units": "degrees_north"})},
    )
    return ds


# --------------------------------------------------------------------------------------
# op interpreter (reference semantics of the JSON vocabulary)
# --------------------------------------------------------------------------------------


def _subject(dsets, name, target):
    ds = dsets[name]
    return ds if target is None else ds[target]


def _ref(dsets, ref):
    return _subject(dsets, ref["dataset"], ref.get("target"))


def _isel_indexer(v):
    if isinstance(v, dict):
        return slice(v.get("start"), v.get("stop"), v.get("step"))
    return v


def _sel_indexer(v):
    if isinstance(v, dict):
        return slice(v.get("start"), v.get("stop"), v.get("step"))
    return v


_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b,
    "pow": lambda a, b: a ** b,
    "lt": lambda a, b: a < b,
    "gt": lambda a, b: a > b,
    "eq": lambda a, b: a == b,
}

_UNARY = {
    "abs": np.abs,
    "sqrt": np.sqrt,
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "deg2rad": np.deg2rad,
    "negative": np.negative,
    "isnull": lambda x: x.isnull(),
    "notnull": lambda x: x.notnull(),
}

_CMP = {"gt": "__gt__", "lt": "__lt__", "ge": "__ge__", "le": "__le__", "eq": "__eq__"}


def run_op(dsets, case):
    x = _subject(dsets, case["dataset"], case["target"])
    op, a = case["op"], case["args"]
    if op == "isel":
        return x.isel({k: _isel_indexer(v) for k, v in a["indexers"].items()})
    if op == "sel":
        kw = {}
        if a.get("method") is not None:
            kw["method"] = a["method"]
        if a.get("tolerance") is not None:
            kw["tolerance"] = a["tolerance"]
        return x.sel({k: _sel_indexer(v) for k, v in a["indexers"].items()}, **kw)
    if op == "binary":
        other = a["other"]
        y = other["scalar"] if "scalar" in other else _ref(dsets, other)
        f = _BINARY[a["op"]]
        return f(y, x) if a.get("reflected") else f(x, y)
    if op == "unary":
        return _UNARY[a["func"]](x)
    if op == "transpose":
        return x.transpose(*a["dims"])
    if op == "rename":
        return x.rename(a["names"])
    if op == "expand_dims":
        return x.expand_dims(a["dim"], axis=a.get("axis"))
    if op == "squeeze":
        return x.squeeze(a.get("dim"))
    if op == "assign_coords":
        return x.assign_coords({k: de_variable(v) for k, v in a["coords"].items()})
    if op == "drop_vars":
        return x.drop_vars(a["names"])
    if op == "where":
        cond = getattr(x, _CMP[a["cond"]["op"]])(a["cond"]["value"])
        if a.get("other") is None:
            return x.where(cond)
        return x.where(cond, a["other"])
    if op == "fillna":
        return x.fillna(a["value"])
    if op == "astype":
        return x.astype(a["dtype"])
    if op == "reduce":
        func = a["func"]
        kw = {}
        if a.get("dim") is not None:
            kw["dim"] = a["dim"]
        if a.get("skipna") is not None:
            kw["skipna"] = a["skipna"]
        if func in ("std", "var") and a.get("ddof") is not None:
            kw["ddof"] = a["ddof"]
        if func in ("sum", "prod") and a.get("min_count") is not None:
            kw["min_count"] = a["min_count"]
        if a.get("keep_attrs") is not None:
            kw["keep_attrs"] = a["keep_attrs"]
        return getattr(x, func)(**kw)
    if op == "quantile":
        kw = {}
        if a.get("skipna") is not None:
            kw["skipna"] = a["skipna"]
        return x.quantile(a["q"], dim=a.get("dim"), **kw)
    if op == "weighted":
        wobj = x.weighted(_ref(dsets, a["weights"]))
        f = getattr(wobj, a["func"])
        return f(dim=a.get("dim"))
    if op == "align":
        return xr.align(x, _ref(dsets, a["other"]), join=a["join"])
    if op == "concat":
        objs = [x] + [_ref(dsets, r) for r in a["others"]]
        return xr.concat(objs, dim=a["dim"], join=a.get("join", "outer"),
                         data_vars=a.get("data_vars", "all"), coords=a.get("coords", "different"),
                         compat=a.get("compat", "equals"))
    if op == "merge":
        objs = [x] + [_ref(dsets, r) for r in a["others"]]
        kw = {"join": a.get("join", "outer")}
        if a.get("compat") is not None:
            kw["compat"] = a["compat"]
        return xr.merge(objs, **kw)
    if op == "chunk":
        return x.chunk(a["chunks"])
    raise ValueError(f"unknown op {op}")


# --------------------------------------------------------------------------------------
# the case table
# --------------------------------------------------------------------------------------

GRID_LON_NEW = {
    "dims": ["lon"], "dtype": "float64", "shape": [6],
    "data": [-180.0, -110.0, -40.0, 30.0, 100.0, 170.0], "attrs": {"units": "degrees_east"}, "chunks": None,
}
REGION = {
    "dims": ["lat"], "dtype": "str", "shape": [5],
    "data": ["north", "north", "tropics", "south", "south"], "attrs": {}, "chunks": None,
}


# xarray's current (pre-2026 "new combine defaults") concat defaults, spelled out so that the
# golden data does not silently change when xarray flips them (see FutureWarning in xarray).
CONCAT_KW = {"data_vars": "all", "coords": "different", "compat": "equals"}


def S(start=None, stop=None, step=None):
    d = {"start": start, "stop": stop}
    if step is not None:
        d["step"] = step
    return d


def R(func, dim=None, skipna=None, ddof=None, min_count=None, keep_attrs=None):
    return {"func": func, "dim": dim, "skipna": skipna, "ddof": ddof, "min_count": min_count,
            "keep_attrs": keep_attrs}


def SEL(indexers, method=None, tolerance=None):
    return {"indexers": indexers, "method": method, "tolerance": tolerance}


def B(op, other, reflected=False):
    return {"op": op, "other": other, "reflected": reflected}


def REF(ds, target=None):
    d = {"dataset": ds}
    if target is not None:
        d["target"] = target
    return d


# (id, dataset, target, op, args, expected error class or None)
CASES = [
    # ---- isel
    ("isel_time_int", "grid", "t", "isel", {"indexers": {"time": 3}}, None),
    ("isel_time_slice_step", "grid", "t", "isel", {"indexers": {"time": S(1, 8, 2)}}, None),
    ("isel_lat_list", "grid", "t", "isel", {"indexers": {"lat": [4, 0, 2]}}, None),
    ("isel_ds_negative", "grid", None, "isel", {"indexers": {"time": -1, "lon": S(None, None, -2)}}, None),
    ("isel_station_list", "labels", None, "isel", {"indexers": {"station": [3, 1]}}, None),
    ("isel_out_of_bounds", "grid", "t", "isel", {"indexers": {"time": 10}}, "IndexError"),
    ("isel_unknown_dim", "grid", "t", "isel", {"indexers": {"depth": 0}}, "ValueError"),
    # ---- sel
    ("sel_lat_label", "grid", "t", "sel", SEL({"lat": 30.0}), None),
    ("sel_lat_list", "grid", "t", "sel", SEL({"lat": [-60.0, 30.0]}), None),
    ("sel_lat_slice_descending", "grid", "t", "sel", SEL({"lat": S(45.0, -45.0)}), None),
    ("sel_lat_slice_ascending_on_descending_is_empty", "grid", "t", "sel", SEL({"lat": S(-45.0, 45.0)}), None),
    ("sel_lon_slice_inclusive", "grid", "t", "sel", SEL({"lon": S(70.0, 280.0)}), None),
    ("sel_lat_slice_open_start", "grid", "p", "sel", SEL({"lat": S(None, 0.0)}), None),
    ("sel_time_date_string", "grid", "t", "sel", SEL({"time": "2000-01-29"}), None),
    ("sel_time_partial_month", "grid", "p", "sel", SEL({"time": "2000-02"}), None),
    ("sel_time_date_slice", "grid", "p", "sel", SEL({"time": S("2000-01-28", "2000-02-01")}), None),
    ("sel_time_date_list", "grid", "n", "sel", SEL({"time": ["2000-02-03", "2000-01-27"]}), None),
    ("sel_lon_nearest", "grid", "t", "sel", SEL({"lon": 100.0}, "nearest"), None),
    ("sel_lat_nearest_list_tolerance", "grid", "p", "sel", SEL({"lat": [25.0, -50.0]}, "nearest", 10.0), None),
    ("sel_time_nearest_date", "grid", "p", "sel", SEL({"time": "2000-02-20"}, "nearest"), None),
    ("sel_ds_multi", "grid", None, "sel", SEL({"time": "2000-01-30", "lat": 0.0}), None),
    ("sel_station_label", "labels", "obs", "sel", SEL({"station": "c"}), None),
    ("sel_station_slice", "labels", None, "sel", SEL({"station": S("b", "c")}), None),
    ("sel_station_list", "labels", "count", "sel", SEL({"station": ["d", "a"]}), None),
    ("sel_nearest_beyond_tolerance", "grid", "t", "sel", SEL({"lat": 15.0}, "nearest", 5.0), "KeyError"),
    ("sel_label_not_found", "grid", "t", "sel", SEL({"lat": 15.0}), "KeyError"),
    ("sel_list_partly_missing", "grid", "t", "sel", SEL({"lon": [0.0, 5.0]}), "KeyError"),
    ("sel_station_not_found", "labels", "obs", "sel", SEL({"station": "z"}), "KeyError"),
    ("sel_non_index_coord", "grid", "t", "sel", SEL({"area": 1.0}), "ValueError"),
    # ---- binary
    ("binary_t_add_scalar", "grid", "t", "binary", B("add", {"scalar": 2.5}), None),
    ("binary_scalar_sub_t_reflected", "grid", "t", "binary", B("sub", {"scalar": 2.5}, True), None),
    ("binary_p_f32_mul_scalar", "grid", "p", "binary", B("mul", {"scalar": 2.5}), None),
    ("binary_n_i32_add_int_scalar", "grid", "n", "binary", B("add", {"scalar": 3}), None),
    ("binary_n_i32_truediv_int_scalar", "grid", "n", "binary", B("truediv", {"scalar": 4}), None),
    ("binary_t_pow_scalar", "grid", "t", "binary", B("pow", {"scalar": 2}), None),
    ("binary_t_lt_scalar", "grid", "t", "binary", B("lt", {"scalar": 15.0}), None),
    ("binary_n_eq_scalar", "grid", "n", "binary", B("eq", {"scalar": 5}), None),
    ("binary_t_sub_misaligned_inner", "grid", "t", "binary", B("sub", REF("shifted", "t")), None),
    ("binary_t_mul_lat_weights_broadcast", "grid", "t", "binary", B("mul", REF("weights", "w")), None),
    ("binary_lat_weights_div_t_reflected", "grid", "t", "binary", B("truediv", REF("weights", "w"), True), None),
    ("binary_p_f32_add_t_f64", "grid", "p", "binary", B("add", REF("grid", "t")), None),
    ("binary_t_gt_shifted_t", "grid", "t", "binary", B("gt", REF("shifted", "t")), None),
    ("binary_ds_add_ds_misaligned", "grid", None, "binary", B("add", REF("shifted")), None),
    ("binary_ds_mul_scalar", "grid", None, "binary", B("mul", {"scalar": 2.5}), None),
    ("binary_ds_sub_dataarray", "grid", None, "binary", B("sub", REF("weights", "w")), None),
    # ---- unary
    ("unary_t_abs", "grid", "t", "unary", {"func": "abs"}, None),
    ("unary_t_sqrt_negatives_nan", "grid", "t", "unary", {"func": "sqrt"}, None),
    ("unary_p_f32_log", "grid", "p", "unary", {"func": "log"}, None),
    ("unary_t_exp", "grid", "t", "unary", {"func": "exp"}, None),
    ("unary_t_sin", "grid", "t", "unary", {"func": "sin"}, None),
    ("unary_t_cos", "grid", "t", "unary", {"func": "cos"}, None),
    ("unary_t_deg2rad", "grid", "t", "unary", {"func": "deg2rad"}, None),
    ("unary_n_i32_negative", "grid", "n", "unary", {"func": "negative"}, None),
    ("unary_n_i32_sqrt", "grid", "n", "unary", {"func": "sqrt"}, None),
    ("unary_t_isnull", "grid", "t", "unary", {"func": "isnull"}, None),
    ("unary_ds_notnull", "grid", None, "unary", {"func": "notnull"}, None),
    # ---- shape / naming
    ("transpose_t", "grid", "t", "transpose", {"dims": ["lon", "time", "lat"]}, None),
    ("transpose_ds", "grid", None, "transpose", {"dims": ["lon", "lat", "time"]}, None),
    ("transpose_missing_dim", "grid", "t", "transpose", {"dims": ["lon", "time"]}, "ValueError"),
    ("rename_data_var", "grid", None, "rename", {"names": {"t": "temp"}}, None),
    ("rename_dim_and_coord_ds", "grid", None, "rename", {"names": {"lat": "latitude", "p": "pres"}}, None),
    ("rename_dim_dataarray", "grid", "t", "rename", {"names": {"lon": "x"}}, None),
    ("rename_unknown", "grid", None, "rename", {"names": {"nope": "x"}}, "ValueError"),
    ("expand_dims_axis0", "grid", "p", "expand_dims", {"dim": "member", "axis": 0}, None),
    ("expand_dims_axis_last", "grid", "t", "expand_dims", {"dim": "member", "axis": 3}, None),
    ("expand_dims_ds", "labels", None, "expand_dims", {"dim": "member", "axis": None}, None),
    ("squeeze_level", "labels", "obs", "squeeze", {"dim": "level"}, None),
    ("squeeze_ds_level", "labels", None, "squeeze", {"dim": "level"}, None),
    ("squeeze_not_length_one", "labels", "obs", "squeeze", {"dim": "station"}, "ValueError"),
    ("assign_coords_replace_lon", "grid", "t", "assign_coords", {"coords": {"lon": GRID_LON_NEW}}, None),
    ("assign_coords_new_nondim", "grid", None, "assign_coords", {"coords": {"region": REGION}}, None),
    ("drop_vars_coords_ds", "grid", None, "drop_vars", {"names": ["area", "height"]}, None),
    ("drop_vars_dataarray_coord", "grid", "t", "drop_vars", {"names": ["area"]}, None),
    ("drop_vars_index_coord", "grid", None, "drop_vars", {"names": ["lon", "p"]}, None),
    ("drop_vars_missing", "grid", None, "drop_vars", {"names": ["nope"]}, "ValueError"),
    # ---- where / fillna / astype
    ("where_t_gt0", "grid", "t", "where", {"cond": {"op": "gt", "value": 0.0}, "other": None}, None),
    ("where_n_i32_gt5_nan", "grid", "n", "where", {"cond": {"op": "gt", "value": 5}, "other": None}, None),
    ("where_n_i32_gt5_other_int", "grid", "n", "where", {"cond": {"op": "gt", "value": 5}, "other": -1}, None),
    ("where_ds_lt1000_other0", "grid", None, "where", {"cond": {"op": "lt", "value": 1000.0}, "other": 0.0}, None),
    ("fillna_t", "grid", "t", "fillna", {"value": 0.0}, None),
    ("fillna_ds", "grid", None, "fillna", {"value": -1.0}, None),
    ("astype_t_f32", "grid", "t", "astype", {"dtype": "float32"}, None),
    ("astype_n_f64", "grid", "n", "astype", {"dtype": "float64"}, None),
    ("astype_p_i32", "grid", "p", "astype", {"dtype": "int32"}, None),
    # ---- reductions
    ("reduce_t_sum_all", "grid", "t", "reduce", R("sum"), None),
    ("reduce_t_sum_time", "grid", "t", "reduce", R("sum", "time"), None),
    ("reduce_t_sum_time_noskip", "grid", "t", "reduce", R("sum", "time", skipna=False), None),
    ("reduce_t_sum_time_min_count", "grid", "t", "reduce", R("sum", "time", min_count=9), None),
    ("reduce_t_mean_latlon", "grid", "t", "reduce", R("mean", ["lat", "lon"]), None),
    ("reduce_t_mean_all", "grid", "t", "reduce", R("mean"), None),
    ("reduce_t_mean_time_drop_attrs", "grid", "t", "reduce", R("mean", "time", keep_attrs=False), None),
    ("reduce_p_f32_mean_time", "grid", "p", "reduce", R("mean", "time"), None),
    ("reduce_p_f32_sum_lat", "grid", "p", "reduce", R("sum", "lat"), None),
    ("reduce_n_i32_mean_time", "grid", "n", "reduce", R("mean", "time"), None),
    ("reduce_n_i32_sum_time", "grid", "n", "reduce", R("sum", "time"), None),
    ("reduce_t_std_time_ddof0", "grid", "t", "reduce", R("std", "time", ddof=0), None),
    ("reduce_t_std_lon_ddof1", "grid", "t", "reduce", R("std", "lon", ddof=1), None),
    ("reduce_t_var_lat_ddof1", "grid", "t", "reduce", R("var", "lat", ddof=1), None),
    ("reduce_t_median_time", "grid", "t", "reduce", R("median", "time"), None),
    ("reduce_p_median_all", "grid", "p", "reduce", R("median"), None),
    ("reduce_t_min_lon", "grid", "t", "reduce", R("min", "lon"), None),
    ("reduce_t_max_all_noskip", "grid", "t", "reduce", R("max", skipna=False), None),
    ("reduce_t_count_time", "grid", "t", "reduce", R("count", "time"), None),
    ("reduce_p_f32_prod_lat", "grid", "p", "reduce", R("prod", "lat"), None),
    ("reduce_t_prod_time_min_count", "grid", "t", "reduce", R("prod", "time", min_count=10), None),
    ("reduce_n_i32_any_time", "grid", "n", "reduce", R("any", "time"), None),
    ("reduce_n_i32_all_lon", "grid", "n", "reduce", R("all", "lon"), None),
    ("reduce_flag_any", "labels", "flag", "reduce", R("any"), None),
    ("reduce_p_argmax_time", "grid", "p", "reduce", R("argmax", "time"), None),
    ("reduce_t_argmin_lon", "grid", "t", "reduce", R("argmin", "lon"), None),
    ("reduce_t_argmin_time_all_nan_slice", "grid", "t", "reduce", R("argmin", "time"), "ValueError"),
    ("reduce_t_idxmax_time_all_nan_is_nat", "grid", "t", "reduce", R("idxmax", "time"), None),
    ("reduce_p_idxmin_lat", "grid", "p", "reduce", R("idxmin", "lat"), None),
    ("reduce_obs_idxmin_station", "labels", "obs", "reduce", R("idxmin", "station"), None),
    ("reduce_ds_mean_lat", "grid", None, "reduce", R("mean", "lat"), None),
    ("reduce_ds_sum_all", "grid", None, "reduce", R("sum"), None),
    ("reduce_ds_max_time", "grid", None, "reduce", R("max", "time"), None),
    ("reduce_unknown_dim", "grid", "t", "reduce", R("sum", "depth"), "ValueError"),
    # ---- quantile
    ("quantile_t_scalar_q_time", "grid", "t", "quantile", {"q": 0.25, "dim": "time", "skipna": None}, None),
    ("quantile_t_list_q_latlon", "grid", "t", "quantile", {"q": [0.1, 0.9], "dim": ["lat", "lon"], "skipna": None}, None),
    ("quantile_t_noskip_time", "grid", "t", "quantile", {"q": 0.5, "dim": "time", "skipna": False}, None),
    ("quantile_p_f32_all", "grid", "p", "quantile", {"q": [0.0, 0.5, 1.0], "dim": None, "skipna": None}, None),
    ("quantile_ds_time", "grid", None, "quantile", {"q": 0.75, "dim": "time", "skipna": None}, None),
    # ---- weighted
    ("weighted_t_mean_lat", "grid", "t", "weighted", {"weights": REF("weights", "w"), "func": "mean", "dim": ["lat"]}, None),
    ("weighted_t_mean_latlon", "grid", "t", "weighted", {"weights": REF("weights", "w"), "func": "mean", "dim": ["lat", "lon"]}, None),
    ("weighted_t_sum_latlon", "grid", "t", "weighted", {"weights": REF("weights", "w"), "func": "sum", "dim": ["lat", "lon"]}, None),
    ("weighted_t_std_lat", "grid", "t", "weighted", {"weights": REF("weights", "w"), "func": "std", "dim": ["lat"]}, None),
    ("weighted_t_sum_of_weights_lat", "grid", "t", "weighted", {"weights": REF("weights", "w"), "func": "sum_of_weights", "dim": ["lat"]}, None),
    ("weighted_p_f32_mean_lat", "grid", "p", "weighted", {"weights": REF("weights", "w"), "func": "mean", "dim": ["lat"]}, None),
    ("weighted_ds_mean_lat", "grid", None, "weighted", {"weights": REF("weights", "w"), "func": "mean", "dim": ["lat"]}, None),
    ("weighted_nan_weights", "grid", "t", "weighted", {"weights": REF("weights", "w_nan"), "func": "mean", "dim": ["lat"]}, "ValueError"),
    # ---- align
    ("align_inner", "grid", None, "align", {"other": REF("shifted"), "join": "inner"}, None),
    ("align_outer", "grid", None, "align", {"other": REF("shifted"), "join": "outer"}, None),
    ("align_left", "grid", None, "align", {"other": REF("shifted"), "join": "left"}, None),
    ("align_right", "grid", "t", "align", {"other": REF("shifted", "t"), "join": "right"}, None),
    ("align_exact_ok", "grid", "p", "align", {"other": REF("weights", "w"), "join": "exact"}, None),
    ("align_exact_misaligned", "grid", None, "align", {"other": REF("shifted"), "join": "exact"}, "AlignmentError"),
    # ---- concat
    ("concat_t_time", "grid", "t", "concat", {"others": [REF("shifted", "t")], "dim": "time", "join": "outer", **CONCAT_KW}, None),
    ("concat_t_new_dim", "grid", "t", "concat", {"others": [REF("shifted", "t")], "dim": "member", "join": "outer", **CONCAT_KW}, None),
    ("concat_p_new_dim_self", "grid", "p", "concat", {"others": [REF("grid", "p"), REF("grid", "p")], "dim": "member", "join": "outer", **CONCAT_KW}, None),
    ("concat_ds_time_inner", "grid", None, "concat", {"others": [REF("shifted")], "dim": "time", "join": "inner", **CONCAT_KW}, None),
    # ---- merge
    ("merge_ds_weights", "grid", None, "merge", {"others": [REF("weights")], "compat": None, "join": "outer"}, None),
    ("merge_ds_labels_disjoint_dims", "labels", None, "merge", {"others": [REF("weights", "w")], "compat": None, "join": "outer"}, None),
    ("merge_q_override", "grid", None, "merge", {"others": [REF("shifted", "q")], "compat": "override", "join": "outer"}, None),
    ("merge_q_scalar_coord_conflict", "grid", None, "merge", {"others": [REF("shifted", "q")], "compat": None, "join": "outer"}, "MergeError"),
    ("merge_t_value_conflict", "grid", "t", "merge", {"others": [REF("shifted", "t")], "compat": "no_conflicts", "join": "outer"}, "MergeError"),
    # ---- chunk
    ("chunk_t_time2", "grid", "t", "chunk", {"chunks": {"time": 2}}, None),
    ("chunk_ds_latlon", "grid", None, "chunk", {"chunks": {"lat": 1, "lon": 4}}, None),
]


# --------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------


def _compute(res):
    if isinstance(res, tuple):
        return tuple(r.compute() for r in res)
    return res.compute()


def _close(a, b, path="$", rtol=1e-12):
    """Structural comparison of two serialised results; floats to 1e-12 relative (float32: 2e-6)."""
    if isinstance(a, dict):
        if a.get("dtype") == "float32":
            rtol = 2e-6
        assert isinstance(b, dict) and list(a) == list(b), f"{path}: keys {list(a)} vs {list(b)}"
        for k in a:
            if k == "chunks":
                continue
            _close(a[k], b[k], f"{path}.{k}", rtol)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: len"
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]", rtol)
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=rtol, abs_tol=1e-12), f"{path}: {a} vs {b}"
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def _attempt(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - we record the class name
        return None, e


def build():
    ds_py = {"grid": make_grid(), "shifted": make_shifted(), "labels": make_labels(), "weights": make_weights()}
    dataset_specs = {k: ser_dataset(v, with_chunks=True) for k, v in ds_py.items()}
    # Inputs are rebuilt from the JSON itself; check the round trip.
    lazy = {k: de_dataset(s, chunked=True) for k, s in dataset_specs.items()}
    eager = {k: de_dataset(s, chunked=False) for k, s in dataset_specs.items()}
    for k in dataset_specs:
        assert ser_dataset(lazy[k], with_chunks=True) == dataset_specs[k], k
        xr.testing.assert_identical(lazy[k], ds_py[k])

    ids = set()
    cases, fallbacks, problems = [], [], []
    for cid, dname, target, op, args, want_err in CASES:
        assert cid not in ids, cid
        ids.add(cid)
        case = {"id": cid, "dataset": dname, "target": target, "op": op, "args": args}

        def go(dsets):
            res = run_op(dsets, case)
            lazy_ser = ser_result(res, with_chunks=True) if op == "chunk" else None
            out = ser_result(_compute(res))
            if lazy_ser is not None:
                _close(lazy_ser, out)
                out = lazy_ser
            return out

        got_l, err_l = _attempt(lambda: go(lazy))
        got_e, err_e = _attempt(lambda: go(eager))
        if isinstance(err_l, NotImplementedError) and err_e is None:
            fallbacks.append(cid)  # dask cannot do it; numpy semantics recorded
            got_l, err_l = got_e, None
        if want_err is None:
            if err_l is not None or err_e is not None:
                problems.append(f"{cid}: unexpected error dask={err_l!r} numpy={err_e!r}")
                continue
            try:
                _close(got_l, got_e)
            except AssertionError as e:
                problems.append(f"{cid}: dask and numpy results differ: {e}")
                continue
            case["expected"], case["error"] = got_l, None
        else:
            bad = [e for e in (err_l, err_e) if e is None or type(e).__name__ != want_err]
            if bad:
                problems.append(f"{cid}: expected {want_err}, got dask={err_l!r} numpy={err_e!r}")
                continue
            case["expected"], case["error"] = None, want_err
        cases.append(case)
    if problems:
        raise SystemExit("\n".join(problems))

    doc = {
        "generator": "scripts/golden_labelled.py",
        "xarray_version": xr.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "dask_version": dask.__version__,
        "datasets": dataset_specs,
        "cases": cases,
    }
    return doc, fallbacks


def render(doc):
    """One dataset / one case per line: compact, yet diffable. allow_nan=False guards the format."""
    def d(o):
        return json.dumps(o, allow_nan=False, ensure_ascii=True, separators=(",", ":"))

    lines = ["{"]
    for k in ("generator", "xarray_version", "numpy_version", "pandas_version", "dask_version"):
        lines.append(f"{d(k)}:{d(doc[k])},")
    lines.append('"datasets":{')
    names = list(doc["datasets"])
    for i, name in enumerate(names):
        lines.append(f"{d(name)}:{d(doc['datasets'][name])}" + ("," if i < len(names) - 1 else ""))
    lines.append("},")
    lines.append('"cases":[')
    for i, c in enumerate(doc["cases"]):
        lines.append(d(c) + ("," if i < len(doc["cases"]) - 1 else ""))
    lines.append("]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv):
    doc, fallbacks = build()
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
    by_op = {}
    for c in doc["cases"]:
        by_op[c["op"]] = by_op.get(c["op"], 0) + 1
    print(f"wrote {OUT}: {len(doc['cases'])} cases, {len(text)} bytes")
    print("by op:", ", ".join(f"{k}={v}" for k, v in by_op.items()))
    print("errors:", sum(1 for c in doc["cases"] if c["error"]))
    if fallbacks:
        print("numpy fallback (dask NotImplementedError):", ", ".join(fallbacks))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
