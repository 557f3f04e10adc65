#!/usr/bin/env python3
"""Golden values for apply_ufunc, dot/cov/corr, histogram and the Dataset forms of
reductions, quantiles, weighted, rolling, polyfit and coarsen, computed by xarray
itself (histograms by xhistogram). Writes data-fixtures/golden/compute/cases.json.

    pip install xarray dask xhistogram && python3 scripts/golden_compute.py [--check]

Every case runs on the dask-chunked fixture (uneven chunks, NaNs, a descending
latitude, variables with different dims) and, where it succeeds, on the loaded numpy
one; the two must agree. An error case records the exception class xarray raises on
the dask fixture (apply_ufunc's "core dimension in several chunks" exists only there).
`--check` recomputes everything and fails if the file differs.

Ops and their args (tests/labelled/compute_golden.rs replays them):
    map_blocks    target, func (block_demean: b - b.mean(), plus_lon: b + b.lon)
    mb_template   map_blocks with a template: target, func ({"isel": {dim: [start, stop,
                  step]}} | {"coarsen": {dim: window}, "reduce": name} (boundary trim) |
                  {"mean": dim}), template ({"isel": {dim: [positions]}} | "blocks": f
                  applied to each block, concatenated along `along` | "whole": f applied
                  to the whole array), then rechunked to template_chunks {dim: [sizes]}
    apply_ufunc   func (a name in FUNCS), inputs [[var, core_dims, isel or null, gt or
                  null (the input is var > gt, booleans)]], output_core_dims (a list per
                  output), output_sizes, vectorize, allow_rechunk, output_dtypes (one per
                  output), exclude_dims, output (which output of several is recorded)
    da_rolling    target, dim, window, center, min_periods, func
    dot           arrays [vars], dim: null | [dims] | "..."
    cov / corr    a, b, dim (null: all), ddof (cov)
    histogram     target, bins, dim (null: all), density
    ds_reduce     func (mean sum std var min max count prod median), dim, ddof
    ds_cumulative func (cumsum cumprod), dim
    ds_quantile   q, dim (the dataset is first rechunked to one chunk along dim)
    ds_weighted   weights (a var), func (mean sum std var sum_of_weights), dim
    ds_rolling    dim, window, center, min_periods, func
    ds_polyfit    dim, deg
    ds_coarsen    windows, func
    ds_chunk      chunks {dim: size}, then the values
    gb_arith      groupby arithmetic: grouped (a var, or a list: a dataset), other (a
                  var or list), other_kind ("clim": other.groupby(key).mean(), "plain":
                  other as it is), other_isel ({dim: [lo, hi]} or null), other_rename,
                  op (add sub mul div), reflected (other op grouped), key
Dataset ops take `vars` (the data variables kept first, or null for all).
"""

import json
import os
import sys
import warnings

import dask
import numpy as np
import pandas as pd
import xarray as xr
from xhistogram.xarray import histogram

sys.path.insert(0, os.path.dirname(__file__))
from golden_labelled import _var, ser_dataset, ser_result  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "data-fixtures", "golden", "compute", "cases.json")

dask.config.set(scheduler="synchronous")
warnings.simplefilter("ignore")  # all-NaN slices

XI = np.array([45.0, 100.0, 300.0])  # interpolation targets along lon (300: beyond the end)


def make_grid():
    rng = np.random.default_rng(19)
    time = pd.date_range("2001-03-01", periods=12, freq="D").values.astype("datetime64[ns]")
    lat = np.array([60.0, 30.0, 0.0, -30.0, -60.0])  # descending
    lon = np.array([0.0, 90.0, 180.0, 270.0])
    t = np.round(10.0 + 4.0 * rng.standard_normal((12, 5, 4)), 1)
    t[0:2, 0, :] = np.nan  # whole lon lanes missing
    t[5, 2, 1] = t[7, 4, 3] = t[9, 1, 0] = np.nan
    t[:, 3, 2] = np.nan  # an all-NaN time series
    u = np.round(5.0 + 2.0 * rng.standard_normal((12, 5)), 2)
    u[3, 1] = u[10, 4] = np.nan
    n = rng.integers(-5, 9, size=(12, 4)).astype("int32")
    p = (1000.0 + 0.5 * rng.integers(-20, 20, size=12)).astype("float32")
    c = np.round(np.cos(np.deg2rad(lat)) + 0.1, 4)
    area = np.round(c[:, None] * (1.0 + lon[None, :] / 1000.0), 4)
    return xr.Dataset(
        data_vars={
            "t": _var(("time", "lat", "lon"), t, {"units": "degC"}, ((5, 7), (2, 3), (4,))),
            "u": _var(("time", "lat"), u, {"units": "m/s"}, ((4, 8), (5,))),
            "n": _var(("time", "lon"), n, {"long_name": "count"}, ((6, 6), (1, 3))),
            "p": _var(("time",), p, {"units": "hPa"}, ((7, 5),)),
            "c": _var(("lat",), c, {}, ((2, 3),)),
        },
        coords={
            "time": ("time", time, {"standard_name": "time"}),
            "lat": ("lat", lat, {"units": "degrees_north"}),
            "lon": ("lon", lon, {"units": "degrees_east"}),
            "area": _var(("lat", "lon"), area, {"units": "m2"}, ((2, 3), (4,))),
        },
        attrs={"title": "compute fixture"},
    )


def _minmax(x):
    return np.stack([np.nanmin(x, axis=-1), np.nanmax(x, axis=-1)], axis=-1)


def _polyval(cf):
    return np.polyval(cf, 0.5)


# The functions apply_ufunc cases name; the Rust test implements each with ndarray.
FUNCS = {
    "sort": lambda x: np.sort(x, axis=-1),
    "cumsum": lambda x: np.cumsum(x, axis=-1),
    "nanmean": lambda x: np.nanmean(x, axis=-1),
    "minmax": _minmax,
    "sub": lambda a, b: a - b,
    "wmean": lambda x, w: np.sum(x * w, axis=-1) / np.sum(w, axis=-1),
    "interp": lambda y: np.interp(XI, np.array([0.0, 90.0, 180.0, 270.0]), y),
    "polyval": _polyval,
    "demean": lambda x: x - np.nanmean(x, axis=-1, keepdims=True),
    "half_f32": lambda x: (x * 0.5).astype(np.float32),
    "outer": lambda a, b: a[..., :, None] * b[..., None, :],
    "mean_and_minmax": lambda x: (np.nanmean(x, axis=-1), _minmax(x)),
    "sort_and_count": lambda x: (np.sort(x, axis=-1), np.sum(~np.isnan(x), axis=-1)),
    "count_true": lambda x: np.sum(x, axis=-1),
    "thin": lambda x: x[..., ::2],
    "concat": lambda a, b: np.concatenate([a, b], axis=-1),
    "sum_both": lambda a, b: np.nansum(a, axis=-1) + np.nansum(b, axis=-1),
    "last_and_diff": lambda x: (x[..., -1], np.diff(x, axis=-1)),
}


def U(func, inputs, out=(), sizes=None, vectorize=False, allow_rechunk=False, dtype=None,
      exclude=(), output=None):
    """One output (`out` its core dims) or several (`out` a list of lists, `dtype` a list)."""
    outs = [list(o) for o in out] if output is not None else [list(out)]
    dtypes = list(dtype) if output is not None else [dtype or "float64"]
    return {"func": func, "inputs": [[i[0], list(i[1]), i[2], i[3] if len(i) > 3 else None] for i in inputs],
            "output_core_dims": outs, "output_sizes": sizes or {},
            "vectorize": vectorize, "allow_rechunk": allow_rechunk, "output_dtypes": dtypes,
            "exclude_dims": list(exclude), "output": output}


def MB(target, func, template, chunks):
    return {"target": target, "func": func, "template": template, "template_chunks": chunks}


def RO(target, dim, window, func, center=False, min_periods=None):
    return {"target": target, "dim": dim, "window": window, "center": center,
            "min_periods": min_periods, "func": func}


def G(grouped, other, op, reflected, kind="clim", isel=None, rename=None):
    return {"grouped": grouped, "other": other, "other_kind": kind, "other_isel": isel,
            "other_rename": rename, "op": op, "reflected": reflected, "key": "time.dayofweek"}


def gb_arith(ds, a):
    import operator

    def part(names):
        # xarray's dataset groupby needs one chunking per dim (the fixture's differ)
        return ds[names].unify_chunks() if isinstance(names, list) else ds[names]

    grouped = part(a["grouped"]).groupby(a["key"])
    other = part(a["other"])
    if a["other_kind"] == "clim":
        other = other.groupby(a["key"]).mean()
    if a["other_isel"]:
        other = other.isel({d: slice(*r) for d, r in a["other_isel"].items()})
    if a["other_rename"]:
        other = other.rename(a["other_rename"])
    f = getattr(operator, {"div": "truediv"}.get(a["op"], a["op"]))
    return (f(other, grouped) if a["reflected"] else f(grouped, other)).compute()


def R(func, dim, ddof=0, vars=None):
    return {"func": func, "dim": dim, "ddof": ddof, "vars": vars}


# (id, op, args, expected exception class or None)
CASES = [
    # apply_ufunc, dask="parallelized"
    ("au_sort_lon", "apply_ufunc", U("sort", [("t", ["lon"], None)], ["lon"]), None),
    ("au_cumsum_lon", "apply_ufunc", U("cumsum", [("t", ["lon"], None)], ["lon"]), None),
    ("au_nanmean_lon_reduces", "apply_ufunc", U("nanmean", [("t", ["lon"], None)]), None),
    ("au_nanmean_time_rechunked", "apply_ufunc", U("nanmean", [("u", ["time"], None)], allow_rechunk=True), None),
    ("au_sort_time_rechunked", "apply_ufunc", U("sort", [("t", ["time"], None)], ["time"], allow_rechunk=True), None),
    ("au_minmax_new_dim", "apply_ufunc", U("minmax", [("t", ["lon"], None)], ["stat"], {"stat": 2}), None),
    ("au_sub_broadcast", "apply_ufunc", U("sub", [("t", [], None), ("u", [], None)]), None),
    ("au_sub_reversed", "apply_ufunc", U("sub", [("u", [], None), ("t", [], None)]), None),
    ("au_wmean_two_core_inputs", "apply_ufunc",
     U("wmean", [("t", ["lat"], None), ("c", ["lat"], None)], allow_rechunk=True), None),
    ("au_interp_vectorize", "apply_ufunc", U("interp", [("t", ["lon"], None)], ["xi"], {"xi": 3}, vectorize=True), None),
    ("au_polyval_vectorize", "apply_ufunc", U("polyval", [("t", ["lon"], None)], vectorize=True), None),
    ("au_demean_time", "apply_ufunc", U("demean", [("u", ["time"], None)], ["time"], allow_rechunk=True), None),
    ("au_half_float32", "apply_ufunc", U("half_f32", [("n", [], None)], dtype="float32"), None),
    ("au_outer_new_core_dims", "apply_ufunc",
     U("outer", [("u", ["lat"], None), ("n", ["lon"], None)], ["lat", "lon"], allow_rechunk=True), None),
    ("au_sort_vectorize", "apply_ufunc", U("sort", [("t", ["lon"], None)], ["lon"], vectorize=True), None),
    ("err_au_core_dim_chunked", "apply_ufunc", U("sort", [("t", ["time"], None)], ["time"]), "ValueError"),
    ("err_au_unknown_core_dim", "apply_ufunc", U("sort", [("t", ["depth"], None)], ["depth"]), "ValueError"),
    ("err_au_missing_output_size", "apply_ufunc", U("minmax", [("t", ["lon"], None)], ["stat"]), "ValueError"),
    ("err_au_exact_join", "apply_ufunc",
     U("sub", [("t", [], None), ("u", [], {"lat": [0, 3]})]), "AlignmentError"),
    # map_blocks (each block as a DataArray with its coordinates)
    ("mb_block_demean", "map_blocks", {"target": "t", "func": "block_demean"}, None),
    ("mb_plus_lon", "map_blocks", {"target": "t", "func": "plus_lon"}, None),
    ("mb_u_block_demean", "map_blocks", {"target": "u", "func": "block_demean"}, None),
    # dot
    ("dot_t_c_common_lat", "dot", {"arrays": ["t", "c"], "dim": None}, None),
    ("dot_t_u_common_time_lat", "dot", {"arrays": ["t", "u"], "dim": None}, None),
    ("dot_t_u_over_time", "dot", {"arrays": ["t", "u"], "dim": ["time"]}, None),
    ("dot_t_n_int_common", "dot", {"arrays": ["t", "n"], "dim": None}, None),
    ("dot_t_c_all_dims", "dot", {"arrays": ["t", "c"], "dim": "..."}, None),
    ("dot_three_arrays", "dot", {"arrays": ["u", "c", "p"], "dim": None}, None),
    ("err_dot_unknown_dim", "dot", {"arrays": ["t", "c"], "dim": ["depth"]}, "ValueError"),
    # cov / corr
    ("cov_t_u_time", "cov", {"a": "t", "b": "u", "dim": ["time"], "ddof": 1}, None),
    ("cov_t_u_time_ddof0", "cov", {"a": "t", "b": "u", "dim": ["time"], "ddof": 0}, None),
    ("cov_t_u_all", "cov", {"a": "t", "b": "u", "dim": None, "ddof": 1}, None),
    ("cov_t_t_lon", "cov", {"a": "t", "b": "t", "dim": ["lon"], "ddof": 1}, None),
    ("cov_p_u_time_float32", "cov", {"a": "p", "b": "u", "dim": ["time"], "ddof": 1}, None),
    ("corr_t_u_time", "corr", {"a": "t", "b": "u", "dim": ["time"]}, None),
    ("corr_t_u_time_lat", "corr", {"a": "t", "b": "u", "dim": ["time", "lat"]}, None),
    ("corr_t_c_lat", "corr", {"a": "t", "b": "c", "dim": ["lat"]}, None),
    ("corr_n_t_time", "corr", {"a": "n", "b": "t", "dim": ["time"]}, None),
    ("err_cov_unknown_dim", "cov", {"a": "t", "b": "u", "dim": ["depth"], "ddof": 1}, "ValueError"),
    # histogram (xhistogram)
    ("hist_t_lon", "histogram", {"target": "t", "bins": [5.0, 8.0, 10.0, 12.5, 16.0], "dim": ["lon"], "density": False}, None),
    ("hist_t_time_lon", "histogram", {"target": "t", "bins": [0.0, 9.0, 10.0, 11.0, 20.0], "dim": ["time", "lon"], "density": False}, None),
    ("hist_t_all", "histogram", {"target": "t", "bins": [6.0, 10.0, 14.0], "dim": None, "density": False}, None),
    ("hist_t_lon_density", "histogram", {"target": "t", "bins": [5.0, 8.0, 10.0, 12.5, 16.0], "dim": ["lon"], "density": True}, None),
    ("hist_n_int_edges", "histogram", {"target": "n", "bins": [-5.0, 0.0, 2.0, 8.0], "dim": ["time"], "density": False}, None),
    ("hist_p_float32", "histogram", {"target": "p", "bins": [990.0, 995.0, 1000.0, 1005.0, 1010.0], "dim": None, "density": False}, None),
    ("err_hist_unknown_dim", "histogram", {"target": "t", "bins": [0.0, 10.0], "dim": ["depth"], "density": False}, "ValueError"),
    # Dataset reductions
    *[(f"ds_{f}_time", "ds_reduce", R(f, ["time"]), None) for f in ["mean", "sum", "min", "max", "count", "prod"]],
    ("ds_std_time_ddof1", "ds_reduce", R("std", ["time"], 1, vars=["t", "u", "n", "c"]), None),
    ("ds_var_lat_lon", "ds_reduce", R("var", ["lat", "lon"]), None),
    ("ds_mean_all", "ds_reduce", R("mean", None), None),
    ("ds_count_lat", "ds_reduce", R("count", ["lat"]), None),
    ("ds_median_lon", "ds_reduce", R("median", ["lon"], vars=["t", "n"]), None),
    ("err_ds_mean_unknown_dim", "ds_reduce", R("mean", ["depth"]), "ValueError"),
    ("ds_cumsum_lon", "ds_cumulative", {"func": "cumsum", "dim": "lon", "vars": None}, None),
    ("ds_cumprod_lat", "ds_cumulative", {"func": "cumprod", "dim": "lat", "vars": None}, None),
    ("ds_quantile_time", "ds_quantile", {"q": [0.1, 0.5, 0.9], "dim": ["time"], "vars": None}, None),
    ("ds_quantile_lat_lon", "ds_quantile", {"q": [0.25, 0.75], "dim": ["lat", "lon"], "vars": ["t", "c"]}, None),
    ("ds_weighted_mean_lat", "ds_weighted", {"weights": "c", "func": "mean", "dim": ["lat"], "vars": ["t", "u"]}, None),
    ("ds_weighted_sum_lat", "ds_weighted", {"weights": "c", "func": "sum", "dim": ["lat"], "vars": ["t", "u"]}, None),
    ("ds_weighted_std_lat", "ds_weighted", {"weights": "c", "func": "std", "dim": ["lat"], "vars": ["t", "u"]}, None),
    ("ds_weighted_var_lat", "ds_weighted", {"weights": "c", "func": "var", "dim": ["lat"], "vars": ["t", "u"]}, None),
    ("ds_weighted_sow_lat", "ds_weighted", {"weights": "c", "func": "sum_of_weights", "dim": ["lat"], "vars": ["t", "u"]}, None),
    ("ds_weighted_var_lacks_dim", "ds_weighted", {"weights": "c", "func": "mean", "dim": ["lat"], "vars": ["t", "p"]}, None),
    ("ds_rolling_time3_mean", "ds_rolling", {"dim": "time", "window": 3, "center": False, "min_periods": None, "func": "mean", "vars": None}, None),
    ("ds_rolling_time4_center_sum", "ds_rolling", {"dim": "time", "window": 4, "center": True, "min_periods": 1, "func": "sum", "vars": None}, None),
    ("ds_rolling_lat2_max", "ds_rolling", {"dim": "lat", "window": 2, "center": False, "min_periods": None, "func": "max", "vars": None}, None),
    ("err_ds_rolling_unknown_dim", "ds_rolling", {"dim": "depth", "window": 2, "center": False, "min_periods": None, "func": "mean", "vars": None}, "KeyError"),
    ("ds_polyfit_lon_deg1", "ds_polyfit", {"dim": "lon", "deg": 1, "vars": None}, None),
    ("ds_polyfit_lat_deg2", "ds_polyfit", {"dim": "lat", "deg": 2, "vars": None}, None),
    ("ds_coarsen_time3_mean", "ds_coarsen", {"windows": {"time": 3}, "func": "mean", "vars": None}, None),
    ("ds_chunk_time4", "ds_chunk", {"chunks": {"time": 4}, "vars": None}, None),
    # groupby arithmetic, both orders, with arrays and datasets
    ("gb_rsub_clim", "gb_arith", G("t", "t", "sub", True), None),
    ("gb_rdiv_clim", "gb_arith", G("t", "t", "div", True), None),
    ("gb_radd_other_var_clim", "gb_arith", G("t", "p", "add", True), None),
    ("gb_sub_other_var_clim", "gb_arith", G("t", "p", "sub", False), None),
    ("gb_mul_clim_missing_groups", "gb_arith", G("t", "t", "mul", False, isel={"dayofweek": [0, 5]}), None),
    ("gb_rsub_clim_missing_groups", "gb_arith", G("u", "u", "sub", True, isel={"dayofweek": [2, 7]}), None),
    ("gb_sub_renamed_clim", "gb_arith", G("t", "t", "sub", False, rename="z"), None),
    ("gb_rsub_int_clim", "gb_arith", G("n", "n", "sub", True), None),
    ("err_gb_sub_no_group_dim", "gb_arith", G("t", "c", "sub", False, kind="plain"), "ValueError"),
    ("err_gb_rsub_no_group_dim", "gb_arith", G("t", "c", "sub", True, kind="plain"), "ValueError"),
    ("dsgb_sub_clim_ds", "gb_arith", G(["t", "u", "p"], ["t", "u", "p"], "sub", False), None),
    ("dsgb_rsub_clim_ds", "gb_arith", G(["t", "u", "p"], ["t", "u", "p"], "sub", True), None),
    ("dsgb_div_clim_ds_subset", "gb_arith", G(["t", "u"], ["u"], "div", False), None),
    ("dsgb_sub_clim_da", "gb_arith", G(["t", "u"], "u", "sub", False), None),
    ("dsgb_rsub_clim_da", "gb_arith", G(["t", "u"], "u", "sub", True), None),
    ("gb_sub_clim_ds", "gb_arith", G("t", ["t", "u"], "sub", False), None),
    ("gb_rsub_clim_ds", "gb_arith", G("t", ["t", "u"], "sub", True), None),
    ("err_dsgb_sub_no_group_dim", "gb_arith", G(["t", "u"], ["c"], "sub", False, kind="plain"), "ValueError"),
    # apply_ufunc: several outputs, a dtype each, integer and boolean inputs, exclude_dims
    ("au_multi_mean_minmax_0", "apply_ufunc",
     U("mean_and_minmax", [("t", ["lon"], None)], [[], ["stat"]], {"stat": 2}, dtype=["float64", "float64"], output=0), None),
    ("au_multi_mean_minmax_1", "apply_ufunc",
     U("mean_and_minmax", [("t", ["lon"], None)], [[], ["stat"]], {"stat": 2}, dtype=["float64", "float64"], output=1), None),
    ("au_multi_vectorize_1", "apply_ufunc",
     U("mean_and_minmax", [("u", ["lat"], None)], [[], ["stat"]], {"stat": 2}, vectorize=True, dtype=["float64", "float32"], output=1), None),
    ("au_multi_sort_count_0", "apply_ufunc",
     U("sort_and_count", [("t", ["lon"], None)], [["lon"], []], dtype=["float64", "int64"], output=0), None),
    ("au_multi_sort_count_int64_1", "apply_ufunc",
     U("sort_and_count", [("t", ["lon"], None)], [["lon"], []], dtype=["float64", "int64"], output=1), None),
    ("au_multi_last_diff_1", "apply_ufunc",
     U("last_and_diff", [("u", ["time"], None)], [[], ["time"]], allow_rechunk=True, dtype=["float64", "float64"],
       exclude=["time"], sizes={"time": 11}, output=1), None),
    ("au_count_bool_input", "apply_ufunc", U("count_true", [("t", ["lon"], None, 10.0)], dtype="int64"), None),
    ("au_cumsum_int_input", "apply_ufunc", U("cumsum", [("n", ["lon"], None)], ["lon"], allow_rechunk=True, dtype="int64"), None),
    # (float32 exact: the function sees float64, so float32 arithmetic would round otherwise)
    ("au_sort_float32_input", "apply_ufunc", U("sort", [("p", ["time"], None)], ["time"], allow_rechunk=True, dtype="float32"), None),
    ("au_exclude_thin_lon", "apply_ufunc", U("thin", [("t", ["lon"], None)], ["lon"], {"lon": 2}, exclude=["lon"]), None),
    ("au_exclude_thin_lon_vectorize", "apply_ufunc",
     U("thin", [("t", ["lon"], None)], ["lon"], {"lon": 2}, vectorize=True, exclude=["lon"]), None),
    ("au_exclude_concat_lengths_differ", "apply_ufunc",
     U("concat", [("t", ["lon"], None), ("t", ["lon"], {"lon": [1, 3]})], ["lon"], {"lon": 6}, exclude=["lon"]), None),
    ("au_exclude_reduce_lengths_differ", "apply_ufunc",
     U("sum_both", [("t", ["lon"], None), ("n", ["lon"], {"lon": [0, 1]})], exclude=["lon"], allow_rechunk=True), None),
    ("err_au_exclude_needs_output_size", "apply_ufunc", U("thin", [("t", ["lon"], None)], ["lon"], exclude=["lon"]), "ValueError"),
    ("err_au_exclude_not_core", "apply_ufunc", U("thin", [("t", ["lon"], None)], ["lon"], {"lon": 2}, exclude=["lat"]), "ValueError"),
    # map_blocks with a template: blocks that change shape
    ("mbt_t_thin_time", "mb_template",
     MB("t", {"isel": {"time": [None, None, 2]}}, {"isel": {"time": [0, 2, 4, 5, 7, 9, 11]}}, {"time": [3, 4]}), None),
    ("mbt_t_first_time", "mb_template",
     MB("t", {"isel": {"time": [0, 1, 1]}}, {"isel": {"time": [0, 5]}}, {"time": [1, 1]}), None),
    ("mbt_t_thin_lat", "mb_template",
     MB("t", {"isel": {"lat": [None, None, 2]}}, {"isel": {"lat": [0, 2, 4]}}, {"lat": [1, 2]}), None),
    ("mbt_t_thin_time_lat", "mb_template",
     MB("t", {"isel": {"time": [None, None, 3], "lat": [1, None, 1]}}, {"isel": {"time": [0, 3, 5, 8, 11], "lat": [1, 3, 4]}},
        {"time": [2, 3], "lat": [1, 2]}), None),
    ("mbt_u_thin_time", "mb_template",
     MB("u", {"isel": {"time": [None, None, 2]}}, {"isel": {"time": [0, 2, 4, 6, 8, 10]}}, {"time": [2, 4]}), None),
    ("mbt_n_last_lon_int", "mb_template",
     MB("n", {"isel": {"lon": [-1, None, 1]}}, {"isel": {"lon": [0, 3]}}, {"lon": [1, 1]}), None),
    ("mbt_t_coarsen_time_mean", "mb_template",
     MB("t", {"coarsen": {"time": 2}, "reduce": "mean"}, {"blocks": True, "along": "time"}, {"time": [2, 3]}), None),
    ("mbt_t_coarsen_lat_sum", "mb_template",
     MB("t", {"coarsen": {"lat": 2}, "reduce": "sum"}, {"blocks": True, "along": "lat"}, {"lat": [1, 1]}), None),
    ("mbt_u_coarsen_time_max", "mb_template",
     MB("u", {"coarsen": {"time": 4}, "reduce": "max"}, {"blocks": True, "along": "time"}, {"time": [1, 2]}), None),
    ("mbt_t_mean_lon_dropped", "mb_template", MB("t", {"mean": "lon"}, {"whole": True}, {}), None),
    ("err_mbt_wrong_block_shape", "mb_template",
     MB("t", {"isel": {"time": [None, None, 1]}}, {"isel": {"time": [0, 2, 4, 5, 7, 9, 11]}}, {"time": [3, 4]}), "ValueError"),
    # rolling windows longer than the dimension: all NaN unless min_periods is reached
    ("da_rolling_t_time15_mean", "da_rolling", RO("t", "time", 15, "mean"), None),
    ("da_rolling_u_time13_center_sum", "da_rolling", RO("u", "time", 13, "sum", center=True), None),
    ("da_rolling_u_time20_minp2_mean", "da_rolling", RO("u", "time", 20, "mean", min_periods=2), None),
    ("da_rolling_t_time14_center_minp3_max", "da_rolling", RO("t", "time", 14, "max", center=True, min_periods=3), None),
    ("da_rolling_n_lon6_minp1_sum_int", "da_rolling", RO("n", "lon", 6, "sum", min_periods=1), None),
    ("ds_rolling_time15_mean_all_nan", "ds_rolling", {"dim": "time", "window": 15, "center": False, "min_periods": None, "func": "mean", "vars": None}, None),
    ("ds_rolling_lat9_center_minp2_sum", "ds_rolling", {"dim": "lat", "window": 9, "center": True, "min_periods": 2, "func": "sum", "vars": None}, None),
    ("ds_rolling_lon5_max", "ds_rolling", {"dim": "lon", "window": 5, "center": False, "min_periods": None, "func": "max", "vars": None}, None),
]


def mb_func(spec):
    """The block function of an mb_template case."""
    if "isel" in spec:
        return lambda b: b.isel({d: slice(*r) for d, r in spec["isel"].items()})
    if "coarsen" in spec:
        return lambda b: getattr(b.coarsen(spec["coarsen"], boundary="trim"), spec["reduce"])()
    return lambda b: b.mean(spec["mean"])


def mb_template(ds, a):
    da = ds[a["target"]]
    f = mb_func(a["func"])
    t = a["template"]
    if "isel" in t:
        template = da.isel({d: list(p) for d, p in t["isel"].items()})
    elif "blocks" in t:
        dim = t["along"]
        bounds = np.cumsum((0,) + da.chunksizes[dim])
        template = xr.concat([f(da.isel({dim: slice(lo, hi)})) for lo, hi in zip(bounds[:-1], bounds[1:])], dim)
    else:
        template = f(da)
    template = template.chunk({d: tuple(c) for d, c in a["template_chunks"].items()})
    return da.map_blocks(f, template=template).compute()


def pick(ds, vars):
    return ds if vars is None else ds[vars]


def run(ds, op, a):
    if op == "apply_ufunc":
        arrays, cores = [], []
        for name, core, isel, gt in a["inputs"]:
            arr = ds[name]
            if isel:
                arr = arr.isel({d: slice(*r) for d, r in isel.items()})
            if gt is not None:
                arr = arr > gt
            arrays.append(arr)
            cores.append(core)
        kw = {"output_sizes": a["output_sizes"]} if a["output_sizes"] else {}
        if a["allow_rechunk"]:
            kw["allow_rechunk"] = True
        out = xr.apply_ufunc(
            FUNCS[a["func"]], *arrays, input_core_dims=cores,
            output_core_dims=a["output_core_dims"], vectorize=a["vectorize"],
            dask="parallelized", output_dtypes=[np.dtype(d) for d in a["output_dtypes"]],
            exclude_dims=set(a["exclude_dims"]), dask_gufunc_kwargs=kw)
        if a["output"] is not None:
            out = out[a["output"]]
        return out.compute()
    if op == "mb_template":
        return mb_template(ds, a)
    if op == "da_rolling":
        r = ds[a["target"]].rolling({a["dim"]: a["window"]}, center=a["center"], min_periods=a["min_periods"])
        return getattr(r, a["func"])().compute()
    if op == "map_blocks":
        f = {"block_demean": lambda b: b - b.mean(), "plus_lon": lambda b: b + b.lon}[a["func"]]
        return ds[a["target"]].map_blocks(f).compute()
    if op == "dot":
        dim = ... if a["dim"] == "..." else a["dim"]
        return xr.dot(*[ds[v] for v in a["arrays"]], dim=dim).compute()
    if op == "cov":
        return xr.cov(ds[a["a"]], ds[a["b"]], dim=a["dim"], ddof=a["ddof"]).compute()
    if op == "corr":
        return xr.corr(ds[a["a"]], ds[a["b"]], dim=a["dim"]).compute()
    if op == "histogram":
        return histogram(ds[a["target"]], bins=[np.array(a["bins"])], dim=a["dim"],
                         density=a["density"]).compute()
    if op == "gb_arith":
        return gb_arith(ds, a)
    d = pick(ds, a.get("vars"))
    if op == "ds_reduce":
        kw = {"ddof": a["ddof"]} if a["func"] in ("std", "var") else {}
        return getattr(d, a["func"])(a["dim"], **kw).compute()
    if op == "ds_cumulative":
        return getattr(d, a["func"])(a["dim"]).compute()
    if op == "ds_quantile":
        d = d.chunk({k: -1 for k in a["dim"]})
        return d.quantile(a["q"], dim=a["dim"]).compute()
    if op == "ds_weighted":
        w = d.weighted(ds[a["weights"]])
        return getattr(w, a["func"])(a["dim"]).compute()
    if op == "ds_rolling":
        r = d.rolling({a["dim"]: a["window"]}, center=a["center"], min_periods=a["min_periods"])
        return getattr(r, a["func"])().compute()
    if op == "ds_polyfit":
        return d.polyfit(a["dim"], a["deg"]).compute()
    if op == "ds_coarsen":
        return getattr(d.coarsen(a["windows"]), a["func"])().compute()
    if op == "ds_chunk":
        return d.chunk(a["chunks"]).compute()
    raise ValueError(op)


def outcome(ds, op, args):
    try:
        return run(ds, op, args), None
    except Exception as e:  # noqa: BLE001 - the class is what is recorded
        return None, type(e).__name__


def build():
    ds = make_grid()
    loaded = ds.copy(deep=True).compute()
    cases, problems = [], []
    for cid, op, args, want_err in CASES:
        got, err = outcome(ds, op, args)
        if err != want_err:
            problems.append(f"{cid}: dask {err}, expected {want_err}")
            continue
        if got is not None and op in ("map_blocks", "mb_template"):
            # Per-block results depend on the chunks: the dask result is the truth.
            # xarray's coordinate order here varies with the string hash seed: record the input's.
            expected = ser_result(got)
            order = [str(k) for k in ds[args["target"]].coords]
            expected["coords"] = {k: expected["coords"][k] for k in order if k in expected["coords"]}
            cases.append({"id": cid, "op": op, "args": args, "expected": expected, "error": None})
            continue
        if got is not None:
            ref, ref_err = outcome(loaded, op, args)
            if ref_err is not None:
                problems.append(f"{cid}: numpy raised {ref_err}")
                continue
            else:
                try:
                    xr.testing.assert_allclose(got, ref, rtol=1e-6)
                except AssertionError as e:
                    problems.append(f"{cid}: dask and numpy differ: {e}")
        expected = None
        if got is not None:
            # numpy's result: dask orders some coordinates differently (polyfit).
            expected = ser_result(ref)
            if op == "ds_polyfit":  # coefficients that cancel to ~1e-18
                for v in expected["data_vars"].values():
                    v["atol"] = 1e-12
                # xarray's coordinate order here varies with the string hash seed:
                # record "degree", then the input's order.
                order = ["degree"] + [str(k) for k in ds.coords]
                expected["coords"] = {k: expected["coords"][k] for k in order if k in expected["coords"]}
        cases.append({"id": cid, "op": op, "args": args, "expected": expected, "error": err})
    if problems:
        sys.exit("\n".join(problems))
    return {
        "generator": "scripts/golden_compute.py",
        "xarray_version": xr.__version__,
        "dask_version": dask.__version__,
        "numpy_version": np.__version__,
        "dataset": ser_dataset(ds, with_chunks=True),
        "cases": cases,
    }


def render(doc):
    """One line per top-level entry and per case (compact, yet diffs stay readable)."""
    def d(o):
        return json.dumps(o, separators=(",", ":"))

    lines = ["{"]
    for k in [k for k in doc if k != "cases"]:
        lines.append(f"{d(k)}:{d(doc[k])},")
    lines.append('"cases":[')
    lines.extend(d(c) + ("," if i < len(doc["cases"]) - 1 else "") for i, c in enumerate(doc["cases"]))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main():
    doc = build()
    text = render(doc)
    if "--check" in sys.argv:
        with open(OUT) as f:
            if f.read() != text:
                sys.exit(f"{OUT} is out of date; rerun scripts/golden_compute.py")
        print(f"{OUT} is up to date ({len(doc['cases'])} cases)")
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    n_err = sum(1 for c in doc["cases"] if c["error"])
    print(f"wrote {len(doc['cases'])} cases ({n_err} errors) to {OUT}")


if __name__ == "__main__":
    main()
