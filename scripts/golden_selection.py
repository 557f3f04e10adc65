#!/usr/bin/env python3
"""Golden values for selection, alignment and interpolation (interp, interp_like,
pointwise isel/sel, reindex with a method, sortby, roll, pad, head/tail/thin,
stepped and negative isel, drop_sel, multi-dimension sel), computed by xarray
itself. Writes data-fixtures/golden/selection/cases.json.

    python3 scripts/golden_selection.py           # writes the fixture
    python3 scripts/golden_selection.py --check   # fails if the committed file is stale

Every case runs on the dask-chunked fixture (uneven chunks, NaNs, a descending
latitude, standard and noleap cftime times) and on the loaded numpy one; the two
must agree, and an error case must raise the named exception class in both. The
dask result is recorded. cftime coordinates are written as "datetime64[ns]" plus
"calendar" (golden_groupby.py's serialiser).

Args vocabulary (tests/labelled/selection_golden.rs replays it):
    interp       {"coords": {dim: [targets]}, "method", "fill": null | number | "extrapolate",
                  "prefill": number (optional: fillna first; scipy's cubic spline turns a
                  whole block to NaN if it holds one NaN, so cubic cases are NaN-free)}
                 targets are numbers, or ISO date strings on datetime dims
    interp_like  {"like": {dim: [numbers]}, "method"}
    reindex      {"dim", "labels", "method": null | name, "tolerance": null | number, "fill_value"}
                 (tolerance in index units; microseconds on datetime dims)
    reindex_like {"like": {dim: [numbers]}, "method", "tolerance"}
    roll         {"shifts": {dim: n}, "roll_coords": bool}
    roll_to_180  {"shift": n}: roll lon with its coordinate, then relabel lon to -180..180
    pad          {"widths": {dim: [before, after]}, "mode", "constant": null | number}
    sortby       {"by": [names], "ascending": bool}
    head/tail/thin {"dims": {dim: n}}
    isel         {"dim", "start", "stop", "step"} (a Python slice of positions)
    drop_sel     {"dim", "labels"}
    sel_nearest  {"points": {dim: label}, "tolerance": null | number}
    sel_slices   {"slices": {dim: [start, stop]}}
    points       {"points": {dim: [values]}, "dim": new dim, "labels": null | [strings],
                  "by": "isel" | "sel" | "interp", "method": null | "nearest", "tolerance": null | number}
                 (pointwise indexing with DataArray indexers over one shared dim)
"""

import json
import os
import sys
import warnings

import cftime
import dask
import numpy as np
import pandas as pd
import xarray as xr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_groupby as gg  # noqa: E402  (cftime-aware serialisers)
import golden_labelled as gl  # noqa: E402

OUT = os.path.join(gl.ROOT, "data-fixtures", "golden", "selection", "cases.json")
dask.config.set(scheduler="synchronous")
warnings.simplefilter("ignore")
_var = gl._var


def make_grid():
    rng = np.random.default_rng(19)
    time = pd.date_range("2000-01-01", periods=8, freq="D").values.astype("datetime64[ns]")
    lat = np.array([75.0, 45.0, 15.0, -15.0, -45.0, -75.0])  # descending
    lon = np.arange(6) * 60.0  # 0..300
    t = np.round(12.0 + 7.0 * rng.standard_normal((8, 6, 6)), 2)
    t[1, 2, 3] = t[5, 0, 0] = t[6, 4, 5] = np.nan
    t[:, 3, 1] = np.nan  # one all-NaN series
    n = rng.integers(-20, 40, size=(8, 6)).astype("int32")
    p = (1000.0 + 0.5 * rng.integers(-40, 40, size=8)).astype("float32")
    c = np.round(rng.uniform(0.0, 1.0, size=6), 3)
    area = np.round(np.cos(np.deg2rad(lat))[:, None] * (1.0 + lon[None, :] / 1000.0), 4)
    ct, cla, clo = (3, 5), (2, 4), (4, 2)
    return xr.Dataset(
        data_vars={
            "t": _var(("time", "lat", "lon"), t, {"units": "degC"}, (ct, cla, clo)),
            "n": _var(("time", "lon"), n, {"long_name": "count"}, (ct, clo)),
            "p": _var(("time",), p, {"units": "hPa"}, (ct,)),
            "c": _var(("lat",), c, {"units": "1"}, (cla,)),
        },
        coords={
            "time": ("time", time, {"standard_name": "time"}),
            "lat": ("lat", lat, {"units": "degrees_north"}),
            "lon": ("lon", lon, {"units": "degrees_east"}),
            "area": _var(("lat", "lon"), area, {"units": "m2"}, (cla, clo)),
            "band": ("lon", np.array([1, 0, 1, 0, 0, 1], dtype="int64")),
            "height": ((), 2.0, {"units": "m"}),
        },
        attrs={"title": "selection fixture"},
    )


def make_noleap():
    rng = np.random.default_rng(7)
    time = xr.date_range("2001-02-26", periods=6, freq="D", calendar="noleap", use_cftime=True)
    x = np.array([0.0, 1.0, 2.5, 4.0])
    v = np.round(rng.standard_normal((6, 4)), 3)
    v[2, 1] = np.nan
    return xr.Dataset(
        data_vars={"v": _var(("time", "x"), v, {"units": "m"}, ((4, 2), (3, 1)))},
        coords={"time": ("time", time), "x": ("x", x)},
    )


def make_names():
    """A sorted string index, a descending one, and a sort key with NaNs."""
    v = np.round(np.random.default_rng(11).standard_normal((4, 2)), 3)
    return xr.Dataset(
        data_vars={"v": _var(("s", "y"), v, {"units": "m"}, ((3, 1), (2,))),
                   "w": _var(("r",), np.array([1.0, 2.0, 3.0]), {}, ((2, 1),))},
        coords={"s": ("s", np.array(["a", "c", "e", "g"])),
                "y": ("y", np.array([0.0, 1.0])),
                "k": ("s", np.array([2.0, np.nan, 1.0, np.nan])),
                "r": ("r", np.array(["z", "m", "b"]))},
    )


DATASETS = {"grid": make_grid, "noleap": make_noleap, "names": make_names}


def _targets(ds, dim, values):
    if ds[dim].dtype.kind == "U":
        return np.array(values)
    if ds[dim].dtype.kind == "M":
        return np.array(values, dtype="datetime64[ns]")
    if ds[dim].dtype.kind == "O":
        cal = ds[dim].values[0].calendar
        return [cftime.datetime(*pd.Timestamp(v).timetuple()[:6], calendar=cal) for v in values]
    return np.array(values, dtype=float)


def run(dsets, case):
    ds = dsets[case["dataset"]]
    obj = ds if case["target"] is None else ds[case["target"]]
    a = case["args"]
    op = case["op"]
    if op == "interp":
        kw = {}
        if a["fill"] is not None:
            kw["kwargs"] = {"fill_value": a["fill"]}
        coords = {d: _targets(ds, d, v) for d, v in a["coords"].items()}
        if a.get("prefill") is not None:
            obj = obj.fillna(a["prefill"])
        return obj.interp(coords, method=a["method"], **kw)
    if op == "interp_like":
        like = xr.Dataset(coords={d: np.array(v, dtype=float) for d, v in a["like"].items()})
        return obj.interp_like(like, method=a["method"])
    if op == "reindex":
        kw = {}
        if a["tolerance"] is not None:
            kw["tolerance"] = _tolerance(ds, a["dim"], a["tolerance"])
        if a["fill_value"] is not None:
            kw["fill_value"] = a["fill_value"]
        return obj.reindex({a["dim"]: _targets(ds, a["dim"], a["labels"])}, method=a["method"], **kw)
    if op == "reindex_like":
        like = xr.Dataset(coords={d: np.array(v, dtype=float) for d, v in a["like"].items()})
        kw = {} if a["tolerance"] is None else {"tolerance": a["tolerance"]}
        return obj.reindex_like(like, method=a["method"], **kw)
    if op == "roll":
        return obj.roll(a["shifts"], roll_coords=a["roll_coords"])
    if op == "roll_to_180":
        r = obj.roll(lon=a["shift"], roll_coords=True)
        return r.assign_coords(lon=((r.lon + 180.0) % 360.0) - 180.0)
    if op == "pad":
        kw = {} if a["constant"] is None else {"constant_values": a["constant"]}
        return obj.pad({d: tuple(w) for d, w in a["widths"].items()}, mode=a["mode"], **kw)
    if op == "sortby":
        return obj.sortby(a["by"], ascending=a["ascending"])
    if op in ("head", "tail", "thin"):
        return getattr(obj, op)(a["dims"])
    if op == "isel":
        return obj.isel({a["dim"]: slice(a["start"], a["stop"], a["step"])})
    if op == "drop_sel":
        return obj.drop_sel({a["dim"]: _targets(ds, a["dim"], a["labels"])})
    if op == "sel_nearest":
        kw = {} if a["tolerance"] is None else {"tolerance": a["tolerance"]}
        return obj.sel({d: v for d, v in a["points"].items()}, method="nearest", **kw)
    if op == "sel_slices":
        return obj.sel({d: slice(*v) for d, v in a["slices"].items()})
    if op == "points":
        coords = {} if a["labels"] is None else {a["dim"]: a["labels"]}
        ix = {d: xr.DataArray(v, dims=a["dim"], coords=coords) for d, v in a["points"].items()}
        if a["by"] == "isel":
            return obj.isel(ix)
        if a["by"] == "interp":
            return obj.interp(ix, method=a["method"])
        kw = {} if a["tolerance"] is None else {"tolerance": a["tolerance"]}
        return obj.sel(ix, method=a["method"], **kw)
    raise ValueError(op)


def _tolerance(ds, dim, tol):
    if ds[dim].dtype.kind in "MO":
        return pd.Timedelta(microseconds=tol)
    return tol


def C(cid, op, args, dataset="grid", target="t", error=None):
    return (cid, dataset, target, op, args, error)


def I(coords, method="linear", fill=None):  # noqa: E743
    return {"coords": coords, "method": method, "fill": fill}


def IC(coords, fill=None, prefill=0.5):
    return {**I(coords, "cubic", fill), "prefill": prefill}


LAT_T = [70.0, 45.0, 30.0, 0.5, -15.0, -80.0, 80.0]
LON_T = [0.0, 30.0, 95.5, 299.0, 300.0, 330.0]

INTERP = [
    C("interp_lat_linear_descending", "interp", I({"lat": LAT_T})),
    C("interp_lat_nearest", "interp", I({"lat": LAT_T}, "nearest")),
    C("interp_lon_linear", "interp", I({"lon": LON_T})),
    C("interp_lon_nearest_ties", "interp", I({"lon": [30.0, 90.0, 150.0, 301.0]}, "nearest")),
    C("interp_lat_extrapolate", "interp", I({"lat": LAT_T}, fill="extrapolate")),
    C("interp_lat_nearest_extrapolate", "interp", I({"lat": LAT_T}, "nearest", fill="extrapolate")),
    C("interp_lon_fill_value", "interp", I({"lon": LON_T}, fill=-99.0)),
    C("interp_lat_lon_multilinear", "interp", I({"lat": [50.0, 0.0, -30.0], "lon": [10.0, 200.0]})),
    C("interp_lat_lon_nearest", "interp", I({"lat": [50.0, 0.0, -30.0], "lon": [10.0, 200.0]}, "nearest")),
    C("interp_time_datetime", "interp", I({"time": ["2000-01-01T12:00:00", "2000-01-03T06:00:00",
                                                    "2000-01-08T00:00:00", "2000-01-09T00:00:00"]})),
    C("interp_time_lat", "interp", I({"time": ["2000-01-04T18:00:00"], "lat": [20.0, -20.0]})),
    C("interp_int_to_float", "interp", I({"lon": [30.0, 150.0, 290.0]}), target="n"),
    C("interp_int_nearest", "interp", I({"lon": [30.0, 150.0, 290.0]}, "nearest"), target="n"),
    C("interp_float32", "interp", I({"time": ["2000-01-02T12:00:00", "2000-01-05T00:00:00"]}), target="p"),
    C("interp_float32_nearest", "interp", I({"time": ["2000-01-02T12:00:00", "2000-01-05T00:00:00"]},
                                            "nearest"), target="p"),
    C("interp_existing_lat_identity", "interp", I({"lat": [75.0, 45.0, 15.0, -15.0, -45.0, -75.0]})),
    C("interp_dataset_lat", "interp", I({"lat": [60.0, 0.0, -60.0]}), target=None),
    C("interp_dataset_lon_nearest", "interp", I({"lon": [45.0, 100.0]}, "nearest"), target=None),
    C("interp_noleap_time", "interp", I({"time": ["2001-02-28T12:00:00", "2001-03-01T06:00:00",
                                                   "2001-02-26T00:00:00"]}), dataset="noleap", target="v"),
    C("interp_noleap_x", "interp", I({"x": [0.5, 1.75, 3.0, 5.0]}), dataset="noleap", target="v"),
    C("interp_like_lat_lon", "interp_like", {"like": {"lat": [50.0, 0.0, -50.0], "lon": [10.0, 20.0]},
                                             "method": "linear"}),
    C("interp_like_dataset_nearest", "interp_like", {"like": {"lon": [10.0, 250.0]}, "method": "nearest"},
      target=None),
    C("err_interp_unknown_method", "interp", I({"lat": [10.0]}, "foo"), error="ValueError"),
    # cubic: scipy's interp1d(kind="cubic"), the not-a-knot spline
    C("interp_lat_cubic_descending", "interp", IC({"lat": LAT_T})),
    C("interp_lon_cubic", "interp", IC({"lon": LON_T})),
    C("interp_lon_cubic_extrapolate", "interp", IC({"lon": LON_T + [-20.0]}, fill="extrapolate")),
    C("interp_lat_cubic_fill_value", "interp", IC({"lat": LAT_T}, fill=-99.0)),
    C("interp_lon_cubic_finer_grid_int", "interp", IC({"lon": [float(v) for v in np.arange(0.0, 301.0, 20.0)]}),
      target="n"),
    C("interp_time_cubic_datetime_float32", "interp", IC({"time": ["2000-01-01T12:00:00", "2000-01-03T06:00:00",
                                                                   "2000-01-07T18:00:00"]}), target="p"),
    C("interp_existing_lon_cubic_identity", "interp", IC({"lon": [0.0, 60.0, 120.0, 180.0, 240.0, 300.0]})),
    C("interp_dataset_lat_cubic", "interp", IC({"lat": [60.0, 0.0, -60.0]}), target=None),
    C("interp_lat_cubic_c", "interp", IC({"lat": [70.0, 20.0, -70.0]}, prefill=None), target="c"),
    C("interp_noleap_x_cubic", "interp", IC({"x": [0.5, 1.75, 3.0, 5.0]}), dataset="noleap", target="v"),
    C("interp_noleap_time_cubic", "interp", IC({"time": ["2001-02-28T12:00:00", "2001-03-01T06:00:00"]}),
      dataset="noleap", target="v"),
]


def RX(dim, labels, method=None, tolerance=None, fill_value=None):
    return {"dim": dim, "labels": labels, "method": method, "tolerance": tolerance, "fill_value": fill_value}


DAY = 86_400_000_000
REINDEX = [
    C("reindex_lat_exact", "reindex", RX("lat", [75.0, 40.0, 15.0, -75.0, 0.0])),
    C("reindex_lat_nearest_descending", "reindex", RX("lat", [80.0, 40.0, 30.0, 0.0, -100.0], "nearest")),
    C("reindex_lat_nearest_tolerance", "reindex", RX("lat", [80.0, 40.0, 30.0, 0.0, -100.0], "nearest", 6.0)),
    C("reindex_lat_ffill_descending", "reindex", RX("lat", [80.0, 40.0, 15.0, -50.0, -90.0], "pad")),
    C("reindex_lat_bfill_descending", "reindex", RX("lat", [80.0, 40.0, 15.0, -50.0, -90.0], "backfill")),
    C("reindex_lon_nearest_ties", "reindex", RX("lon", [30.0, 90.0, 330.0, -10.0], "nearest")),
    C("reindex_lon_ffill", "reindex", RX("lon", [-10.0, 0.0, 59.0, 61.0, 400.0], "ffill")),
    C("reindex_lon_bfill_tolerance", "reindex", RX("lon", [-10.0, 0.0, 59.0, 61.0, 400.0], "bfill", 10.0)),
    C("reindex_lon_fill_value", "reindex", RX("lon", [0.0, 30.0, 60.0], fill_value=-1.0)),
    C("reindex_int_nan_to_float", "reindex", RX("lon", [0.0, 30.0, 60.0]), target="n"),
    C("reindex_int_fill_value_keeps_int", "reindex", RX("lon", [0.0, 30.0, 60.0], fill_value=0), target="n"),
    C("reindex_time_ffill_tolerance", "reindex",
      RX("time", ["1999-12-31T00:00:00", "2000-01-02T12:00:00", "2000-01-09T00:00:00", "2000-01-10T00:00:00"],
         "ffill", 1.5 * DAY)),
    C("reindex_time_nearest", "reindex",
      RX("time", ["2000-01-02T11:00:00", "2000-01-02T13:00:00", "2000-01-20T00:00:00"], "nearest")),
    C("reindex_dataset_lon", "reindex", RX("lon", [60.0, 90.0, 120.0], "nearest", 20.0), target=None),
    C("reindex_noleap_time_bfill", "reindex",
      RX("time", ["2001-02-27T12:00:00", "2001-03-01T00:00:00", "2001-03-09T00:00:00"], "bfill"),
      dataset="noleap", target="v"),
    C("reindex_like_nearest", "reindex_like", {"like": {"lat": [50.0, 0.0], "lon": [10.0, 200.0]},
                                               "method": "nearest", "tolerance": None}),
    C("reindex_like_exact", "reindex_like", {"like": {"lon": [0.0, 120.0, 130.0]}, "method": None,
                                             "tolerance": None}, target=None),
    C("err_reindex_unknown_method", "reindex", RX("lat", [10.0], "linear"), error="ValueError"),
]

REORDER = [
    C("roll_lon_data_only", "roll", {"shifts": {"lon": 2}, "roll_coords": False}),
    C("roll_lon_coords", "roll", {"shifts": {"lon": -1}, "roll_coords": True}),
    C("roll_time_lat_coords", "roll", {"shifts": {"time": 3, "lat": 7}, "roll_coords": True}),
    C("roll_dataset", "roll", {"shifts": {"lon": 4}, "roll_coords": True}, target=None),
    C("roll_to_180", "roll_to_180", {"shift": 3}),
    C("pad_lon_constant_nan", "pad", {"widths": {"lon": [2, 1]}, "mode": "constant", "constant": None}),
    C("pad_lon_constant_value", "pad", {"widths": {"lon": [1, 2]}, "mode": "constant", "constant": 0.5}),
    C("pad_lat_edge", "pad", {"widths": {"lat": [2, 2]}, "mode": "edge", "constant": None}),
    C("pad_lat_reflect", "pad", {"widths": {"lat": [3, 1]}, "mode": "reflect", "constant": None}),
    C("pad_lon_wrap", "pad", {"widths": {"lon": [2, 3]}, "mode": "wrap", "constant": None}),
    C("pad_time_lon_edge", "pad", {"widths": {"time": [1, 0], "lon": [0, 2]}, "mode": "edge",
                                   "constant": None}),
    C("pad_int_constant_value", "pad", {"widths": {"lon": [1, 1]}, "mode": "constant", "constant": 7},
      target="n"),
    C("pad_dataset_wrap", "pad", {"widths": {"lon": [1, 1]}, "mode": "wrap", "constant": None}, target=None),
    C("sortby_lat_ascending", "sortby", {"by": ["lat"], "ascending": True}),
    C("sortby_lon_descending", "sortby", {"by": ["lon"], "ascending": False}),
    C("sortby_band_then_lon", "sortby", {"by": ["band", "lon"], "ascending": True}),
    C("sortby_band_descending_ties", "sortby", {"by": ["band"], "ascending": False}),
    C("sortby_dataset_by_data_var", "sortby", {"by": ["c"], "ascending": True}, target=None),
    C("sortby_two_dims", "sortby", {"by": ["lat", "band"], "ascending": True}),
    # sort keys with NaNs (NaN last, either way); reindex on string indexes
    C("sortby_nan_keys_last", "sortby", {"by": ["k"], "ascending": True}, dataset="names", target="v"),
    C("sortby_nan_keys_descending", "sortby", {"by": ["k"], "ascending": False}, dataset="names", target="v"),
    C("reindex_strings_exact", "reindex", RX("s", ["c", "b", "g"]), dataset="names", target="v"),
    C("reindex_strings_ffill", "reindex", RX("s", ["0", "b", "c", "f", "z"], "ffill"), dataset="names", target="v"),
    C("reindex_strings_bfill", "reindex", RX("s", ["0", "b", "c", "f", "z"], "bfill"), dataset="names", target="v"),
    C("reindex_strings_descending_ffill", "reindex", RX("r", ["a", "n", "z", "zz"], "ffill"), dataset="names",
      target="w"),
    C("err_reindex_strings_nearest", "reindex", RX("s", ["b", "c"], "nearest"), dataset="names", target="v",
      error="TypeError"),
    C("err_pad_unknown_mode", "pad", {"widths": {"lon": [1, 1]}, "mode": "foo", "constant": None},
      error="ValueError"),
]

POSITIONAL = [
    C("head_time_lon", "head", {"dims": {"time": 3, "lon": 10}}),
    C("tail_lat", "tail", {"dims": {"lat": 2}}),
    C("tail_zero", "tail", {"dims": {"time": 0}}),
    C("thin_time_lon", "thin", {"dims": {"time": 3, "lon": 4}}),
    C("thin_dataset", "thin", {"dims": {"lat": 2}}, target=None),
    C("isel_negative_step", "isel", {"dim": "lon", "start": None, "stop": None, "step": -1}),
    C("isel_negative_bounds", "isel", {"dim": "time", "start": -6, "stop": -1, "step": 2}),
    C("isel_step_across_chunks", "isel", {"dim": "lat", "start": 5, "stop": 0, "step": -2}),
    C("drop_sel_lat", "drop_sel", {"dim": "lat", "labels": [45.0, -75.0]}),
    C("drop_sel_time", "drop_sel", {"dim": "time", "labels": ["2000-01-03T00:00:00"]}, target=None),
    C("sel_nearest_two_dims", "sel_nearest", {"points": {"lat": 35.3, "lon": 150.7}, "tolerance": None}),
    C("sel_nearest_tolerance", "sel_nearest", {"points": {"lat": 40.0, "lon": 70.0}, "tolerance": 12.0}),
    C("sel_slices_two_dims", "sel_slices", {"slices": {"lat": [50.0, -20.0], "lon": [60.0, 200.0]}}),
    C("sel_slices_dataset", "sel_slices", {"slices": {"lon": [100.0, 300.0]}}, target=None),
    C("err_sel_nearest_tolerance_exceeded", "sel_nearest", {"points": {"lat": 30.0}, "tolerance": 5.0},
      error="KeyError"),
    C("err_drop_sel_missing_label", "drop_sel", {"dim": "lat", "labels": [44.0]}, error="KeyError"),
    C("err_thin_zero", "thin", {"dims": {"lat": 0}}, error="ValueError"),
    C("err_isel_step_zero", "isel", {"dim": "lat", "start": None, "stop": None, "step": 0},
      error="ValueError"),
    C("err_head_unknown_dim", "head", {"dims": {"depth": 2}}, error="ValueError"),
    C("err_roll_unknown_dim", "roll", {"shifts": {"depth": 1}, "roll_coords": False}, error="ValueError"),
]

def P(points, by="isel", labels=None, method=None, tolerance=None, dim="station"):
    return {"points": points, "dim": dim, "labels": labels, "by": by, "method": method, "tolerance": tolerance}


POINTS = [
    C("isel_points_lat_lon_stations", "points", P({"lat": [0, 2, 5, 5], "lon": [1, 1, 0, 5]},
                                                 labels=["a", "b", "c", "d"])),
    C("isel_points_negative", "points", P({"lat": [-1, 0], "lon": [-2, 3]})),
    C("isel_points_non_adjacent_dims", "points", P({"time": [0, 7, 3], "lon": [5, 0, 2]})),
    C("isel_points_one_dim", "points", P({"lon": [4, 4, 0]}), target="n"),
    C("isel_points_reversed_order", "points", P({"lon": [2, 3], "lat": [1, 4]}, labels=["x", "y"])),
    C("sel_points_nearest", "points", P({"lat": [44.0, -70.0, 10.0], "lon": [61.0, 299.0, 150.0]},
                                        "sel", ["p", "q", "r"], "nearest")),
    C("sel_points_nearest_tolerance", "points", P({"lat": [44.0, -70.0], "lon": [61.0, 299.0]},
                                                  "sel", None, "nearest", 10.0)),
    C("sel_points_exact", "points", P({"lat": [45.0, -15.0], "lon": [0.0, 240.0]}, "sel")),
    C("err_sel_points_tolerance_exceeded", "points", P({"lat": [44.0, 30.0], "lon": [61.0, 0.0]},
                                                       "sel", None, "nearest", 5.0), error="KeyError"),
    C("interp_points_linear", "points", P({"lat": [44.0, -70.0, 10.0, 80.0], "lon": [61.0, 299.0, 150.0, 0.0]},
                                          "interp", ["a", "b", "c", "d"], "linear")),
    C("interp_points_nearest", "points", P({"lat": [44.0, -70.0, 10.0], "lon": [61.0, 299.0, 150.0]},
                                           "interp", None, "nearest")),
    C("interp_points_one_dim", "points", P({"lon": [30.0, 250.0]}, "interp", None, "linear"), target="n"),
    C("err_isel_points_out_of_bounds", "points", P({"lat": [0, 6], "lon": [0, 0]}), error="IndexError"),
    # the same on a Dataset (variables without the indexed dims kept)
    C("ds_isel_points_lat_lon", "points", P({"lat": [0, 2, 5], "lon": [1, 1, 0]}, labels=["a", "b", "c"]),
      target=None),
    C("ds_sel_points_nearest", "points", P({"lat": [44.0, -70.0], "lon": [61.0, 299.0]}, "sel", None, "nearest"),
      target=None),
    C("ds_interp_points_linear", "points", P({"lat": [44.0, -70.0, 10.0], "lon": [61.0, 299.0, 150.0]},
                                             "interp", None, "linear"), target=None),
    C("ds_interp_points_one_dim", "points", P({"lon": [30.0, 250.0]}, "interp", None, "nearest"), target=None),
    C("err_ds_isel_points_out_of_bounds", "points", P({"lat": [0, 6], "lon": [0, 0]}), target=None,
      error="IndexError"),
]

CASES = [*INTERP, *REINDEX, *REORDER, *POSITIONAL, *POINTS]


def outcome(dsets, case):
    try:
        return run(dsets, case).compute(), None
    except Exception as e:  # noqa: BLE001 - the class is what is recorded
        return None, type(e).__name__


def build():
    lazy = {k: f() for k, f in DATASETS.items()}
    eager = {k: v.copy(deep=True).compute() for k, v in lazy.items()}
    cases, problems, ids = [], [], set()
    for cid, dname, target, op, args, want_err in CASES:
        assert cid not in ids, cid
        ids.add(cid)
        case = {"id": cid, "dataset": dname, "target": target, "op": op, "args": args}
        got, err = outcome(lazy, case)
        ref, ref_err = outcome(eager, case)
        if err != want_err or ref_err != want_err:
            problems.append(f"{cid}: dask {err}, numpy {ref_err}, expected {want_err}")
            continue
        if got is not None:
            try:
                xr.testing.assert_allclose(got, ref, rtol=1e-12)
            except AssertionError as e:
                problems.append(f"{cid}: dask and numpy differ: {e}")
                continue
        case["expected"] = None if got is None else gg.ser_result(got)
        if case["expected"] and args.get("method") == "cubic":
            # scipy's B-spline leaves ~1e-17 where the spline is exactly 0
            e = case["expected"]
            for v in [e.get("variable"), *e.get("data_vars", {}).values(), *e["coords"].values()]:
                if v is not None:
                    v["atol"] = 1e-12
        case["error"] = err
        cases.append(case)
    if problems:
        sys.exit("\n".join(problems))
    return {
        "generator": "scripts/golden_selection.py",
        "xarray_version": xr.__version__,
        "dask_version": dask.__version__,
        "numpy_version": np.__version__,
        "datasets": {k: gg.ser_dataset(v, with_chunks=True) for k, v in lazy.items()},
        "cases": cases,
    }


def main(argv):
    doc = build()
    text = gl.render_doc(doc) if hasattr(gl, "render_doc") else None
    lines = ["{"]
    for k in ("generator", "xarray_version", "dask_version", "numpy_version"):
        lines.append(f"{json.dumps(k)}:{json.dumps(doc[k])},")
    d = lambda o: json.dumps(o, allow_nan=False, separators=(",", ":"))  # noqa: E731
    lines.append(f'"datasets":{d(doc["datasets"])},')
    lines.append('"cases":[')
    lines.append(",\n".join(d(c) for c in doc["cases"]))
    lines.append("]}")
    text = "\n".join(lines) + "\n"
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
    n_err = sum(1 for c in doc["cases"] if c["error"])
    print(f"wrote {len(doc['cases'])} cases ({n_err} errors), {len(text)} bytes, to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
