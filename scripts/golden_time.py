#!/usr/bin/env python3
"""Golden values for tessera's time calls, computed by xarray itself: date_range in
every CF calendar, .dt.floor/ceil/round, .dt.strftime, .dt.dayofweek, convert_calendar
(align_on date/year, missing), interp_calendar, timedeltas (time - time[0]) and the
errors xarray raises. Writes data-fixtures/golden/time/cases.json.

    python3 scripts/golden_time.py            # (re)write the fixture
    python3 scripts/golden_time.py --check    # recompute and compare with the fixture

Times are written as ISO strings "YYYY-MM-DDTHH:MM:SS[.ffffff]" in their calendar
(numpy datetime64 values are proleptic Gregorian), timedeltas as integer
microseconds, NaN/NaT as null. Data of the conversion cases are dask arrays with
uneven chunks along time; every case is also run on the loaded (numpy) object and
the two must agree. An error case records the exception class xarray raises.

Ops and their args (tests/labelled/time_golden.rs replays them):
    date_range   start, end, periods, freq, calendar, inclusive -> times
    round        times (calendar), mode floor|ceil|round, freq  -> times
    strftime     times (calendar), format                       -> strings
    dayofweek    times (calendar)                               -> ints
    convert      times (calendar), values (time, x), chunks, target, align_on, missing
                                                                -> times, values
    interp       times (calendar), values, target_times (target calendar) -> values
    timedelta    times (calendar)                               -> micros of t - t[0],
                                                                   total_seconds, days
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
from xarray.coding.cftime_offsets import get_date_type

OUT = os.path.join(os.path.dirname(__file__), "..", "data-fixtures", "golden", "time", "cases.json")
dask.config.set(scheduler="synchronous")
warnings.simplefilter("ignore")

CALENDARS = ["standard", "proleptic_gregorian", "noleap", "all_leap", "360_day", "julian"]


def iso(d):
    if d is None or (isinstance(d, float) and np.isnan(d)):
        return None
    if isinstance(d, (np.datetime64, pd.Timestamp)):
        if pd.isna(d):
            return None
        d = pd.Timestamp(d).to_pydatetime()
    s = f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}"
    if d.microsecond:
        s += f".{d.microsecond:06d}"
    return s


def times_of(values):
    return [iso(v) for v in np.asarray(values).ravel()]


def num(x):
    x = float(x)
    return None if np.isnan(x) else x


def time_axis(calendar, start, periods, freq):
    idx = xr.date_range(start, periods=periods, freq=freq, calendar=calendar, use_cftime=True)
    return xr.DataArray(idx, dims="time", name="time")


# ---------------------------------------------------------------- date_range
def DR(start=None, end=None, periods=None, freq=None, calendar="standard", inclusive="both", normalize=None):
    out = {"start": start, "end": end, "periods": periods, "freq": freq,
           "calendar": calendar, "inclusive": inclusive}
    if normalize is not None:
        out["normalize"] = normalize
    return out


DATE_RANGE = [
    ("D_periods", DR("2000-02-26", periods=6, freq="D")),
    ("normalize_6h", DR("2000-01-01T07:30", "2000-01-02T05", freq="6h", normalize=True)),
    ("normalize_D_noleap", DR("2001-02-27T18", periods=3, freq="D", calendar="noleap", normalize=True)),
    ("normalize_MS_360", DR("2000-01-15T06", periods=3, freq="MS", calendar="360_day", normalize=True)),
    ("normalize_end_periods", DR(end="2001-03-01T01:00", periods=3, freq="h", normalize=True)),
    ("6h_start_end", DR("2000-01-01", "2000-01-02T12", freq="6h")),
    ("15min_end_periods", DR(end="2001-03-01T01:00", periods=5, freq="15min")),
    ("MS_roll_forward_keeps_time", DR("2000-01-15T06", periods=4, freq="MS")),
    ("ME_start_end", DR("1999-11-30", "2000-06-30", freq="ME")),
    ("QS_DEC", DR("2000-01-15", "2001-12-31", freq="QS-DEC")),
    ("QE_NOV", DR("2000-01-01", periods=5, freq="QE-NOV")),
    ("YS", DR("1999-06-01", periods=4, freq="YS")),
    ("YS_JUL_end_periods", DR(end="2010-08-01", periods=3, freq="YS-JUL")),
    ("YE_end_periods_rolls_back", DR(end="2005-05-15T06", periods=3, freq="YE")),
    ("2MS", DR("2000-01-01", "2000-12-31", freq="2MS")),
    ("3D_neither", DR("2000-01-01", "2000-01-13", freq="3D", inclusive="neither")),
    ("D_left", DR("2000-01-01", "2000-01-05", freq="D", inclusive="left")),
    ("D_right", DR("2000-01-01", "2000-01-05", freq="D", inclusive="right")),
    ("linear_no_freq", DR("2000-01-01", "2000-01-02", periods=4)),
    ("end_before_start_empty", DR("2000-01-05", "2000-01-01", freq="D")),
    ("ms_step", DR("2000-01-01T00:00:00.5", periods=3, freq="250ms")),
    ("old_years_standard_gap", DR("1582-10-01", "1582-10-20", freq="3D")),
    ("year_zero_and_negative", DR("-0001-12-30", periods=4, freq="D", calendar="proleptic_gregorian")),
]
for cal in CALENDARS:
    DATE_RANGE.append((f"D_feb_{cal}", DR("2000-02-27", periods=5, freq="D", calendar=cal)))
    DATE_RANGE.append((f"ME_{cal}", DR("2001-01-01", periods=4, freq="ME", calendar=cal)))
    if cal != "360_day":
        DATE_RANGE.append((f"MS_end_{cal}", DR("2000-01-31", "2000-06-01", freq="MS", calendar=cal)))
DATE_RANGE_ERRORS = [
    ("err_bad_freq", DR("2000-01-01", periods=3, freq="5X"), "ValueError"),
    ("err_bad_anchor", DR("2000-01-01", periods=3, freq="QS-FOO"), "ValueError"),
    ("err_bad_inclusive", DR("2000-01-01", "2000-01-05", freq="D", inclusive="middle"), "ValueError"),
    ("err_two_of_four", DR("2000-01-01"), "ValueError"),
    ("err_unknown_calendar", DR("2000-01-01", periods=3, freq="D", calendar="lunar"), "KeyError"),
    ("err_invalid_date_noleap", DR("2001-02-29", periods=2, freq="D", calendar="noleap"), "ValueError"),
    ("err_invalid_date_360", DR("2000-01-31", "2000-06-01", freq="MS", calendar="360_day"), "ValueError"),
]


def run_date_range(a):
    if a["inclusive"] not in ("both", "neither", "left", "right"):
        raise ValueError("inclusive")
    kw = {k: a[k] for k in ("start", "end", "periods", "freq") if a[k] is not None}
    idx = xr.date_range(**kw, calendar=a["calendar"], inclusive=a["inclusive"], use_cftime=True,
                        normalize=a.get("normalize", False))
    return {"times": times_of(idx)}


# ---------------------------------------------------------------- dt ops
ROUND_TIMES = [
    ("standard", "2000-01-01T00:00", 12, "83min"),
    ("noleap", "2000-02-28T10:30", 10, "450min"),
    ("360_day", "2000-02-29T23:15", 9, "45min"),
    ("all_leap", "1999-12-31T11:00", 8, "13h"),
    ("julian", "1900-01-01T05:59:59.5", 6, "1001ms"),
    ("proleptic_gregorian", "0001-01-01T12:00", 6, "12h"),
]


def dt_times(cal, start, periods, freq):
    return time_axis(cal, start, periods, freq)


def run_round(a):
    t = xr.DataArray(cal_times(a), dims="time")
    out = getattr(t.dt, a["mode"])(a["freq"])
    return {"times": times_of(out.values)}


def cal_times(a):
    cls = get_date_type(a["calendar"], use_cftime=True)
    vals = []
    for s in a["times"]:
        if s is None:
            vals.append(None)
            continue
        d, _, frac = s.partition(".")
        date, time = d.split("T")
        y, m, dd = (int(p) for p in date.rsplit("-", 2)) if not date.startswith("-") else \
            (lambda p: (-int(p[0]), int(p[1]), int(p[2])))(date[1:].split("-"))
        hh, mm, ss = (int(p) for p in time.split(":"))
        us = int(frac.ljust(6, "0")) if frac else 0
        vals.append(cls(y, m, dd, hh, mm, ss, us))
    if a["calendar"] in ("standard", "proleptic_gregorian") and a.get("numpy"):
        return np.array([np.datetime64(iso(v)) if v else np.datetime64("NaT") for v in vals],
                        dtype="datetime64[ns]")
    return np.array(vals, dtype=object)


def run_strftime(a):
    t = xr.DataArray(cal_times(a), dims="time")
    return {"strings": [str(s) for s in t.dt.strftime(a["format"]).values]}


def run_dayofweek(a):
    t = xr.DataArray(cal_times(a), dims="time")
    return {"ints": [int(x) for x in t.dt.dayofweek.values]}


def run_timedelta(a):
    t = xr.DataArray(cal_times(a), dims="time")
    d = t - t[0]
    us = d.values.astype("timedelta64[us]").astype("int64")
    return {"micros": [int(x) for x in us],
            "total_seconds": [num(x) for x in d.dt.total_seconds().values],
            "days": [int(x) for x in d.dt.days.values]}


# ---------------------------------------------------------------- conversions
def source(a):
    times = cal_times(a)
    n = len(times)
    vals = np.asarray(a["values"], dtype=float).reshape(n, -1)
    da = xr.DataArray(vals, dims=("time", "x"), coords={"time": times, "x": np.arange(vals.shape[1])},
                      name="v", attrs={"units": "K"})
    if a.get("one_d"):
        da = da.isel(x=0, drop=True)
    return da.chunk({"time": tuple(a["chunks"])}) if a.get("chunks") else da


def run_convert(a, loaded):
    da = source(a)
    if loaded:
        da = da.compute()
    kw = {"align_on": a["align_on"]} if a["align_on"] is not None else {}
    if a["missing"] is not None:
        kw["missing"] = float(a["missing"])  # "NaN" is written as a string
    out = da.convert_calendar(a["target"], dim="time", **kw).compute()
    return {"times": times_of(out.time.values), "values": [num(x) for x in out.values.ravel()],
            "shape": list(out.shape)}


def run_interp(a, loaded):
    da = source(a)
    if loaded:
        da = da.compute()
    target = xr.DataArray(cal_times({"times": a["target_times"], "calendar": a["target"]}),
                          dims="time", name="time")
    out = da.interp_calendar(target, dim="time").compute()
    out = out.transpose("time", ...)
    return {"values": [num(x) for x in out.values.ravel()], "shape": list(out.shape)}


def iso_list(cal, start, periods, freq):
    return times_of(time_axis(cal, start, periods, freq).values)


def values_for(n, nx=2, nan_at=(3,)):
    v = np.arange(n * nx, dtype=float) * 1.5 + 0.25
    for i in nan_at:
        if i < v.size:
            v[i] = np.nan
    return [num(x) for x in v]


def CONV(src, start, periods, freq, target, align_on=None, missing=None, chunks=None, nx=2):
    times = iso_list(src, start, periods, freq)
    return {"times": times, "calendar": src, "values": values_for(len(times), nx),
            "chunks": chunks, "target": target, "align_on": align_on, "missing": missing}


def CASES():
    cases = []
    for cid, a in DATE_RANGE:
        cases.append((cid, "date_range", a, None))
    for cid, a, err in DATE_RANGE_ERRORS:
        cases.append((cid, "date_range", a, err))
    for cal, start, n, freq in ROUND_TIMES:
        times = iso_list(cal, start, n, freq)
        for mode, f in (("floor", "D"), ("ceil", "6h"), ("round", "h"), ("round", "2h"),
                        ("floor", "15min")):
            cases.append((f"{mode}_{f}_{cal}", "round",
                          {"times": times, "calendar": cal, "mode": mode, "freq": f}, None))
    half = ["2000-01-01T00:30:00", "2000-01-01T01:30:00", "2000-01-01T02:30:00", None,
            "2000-01-01T03:29:59.999999"]
    cases.append(("round_half_even_numpy", "round",
                  {"times": half, "calendar": "proleptic_gregorian", "numpy": True, "mode": "round",
                   "freq": "h"}, None))
    cases.append(("round_half_even_noleap", "round",
                  {"times": [h for h in half if h], "calendar": "noleap", "mode": "round", "freq": "h"},
                  None))
    cases.append(("err_round_non_fixed", "round",
                  {"times": half[:2], "calendar": "noleap", "mode": "floor", "freq": "MS"},
                  "ValueError"))
    for cal in CALENDARS:
        times = iso_list(cal, "1999-12-27T13:05:09", 9, "1D")
        cases.append((f"dayofweek_{cal}", "dayofweek", {"times": times, "calendar": cal}, None))
        cases.append((f"strftime_{cal}", "strftime",
                      {"times": times, "calendar": cal, "format": "%Y/%m/%d %H:%M:%S %j %y"}, None))
    cases.append(("strftime_names_numpy", "strftime",
                  {"times": iso_list("standard", "2001-01-29T15:00", 5, "9D"),
                   "calendar": "proleptic_gregorian", "numpy": True,
                   "format": "%a %A %b %B %I%p %d.%m.%Y %%"}, None))
    for cal in ("standard", "noleap", "360_day"):
        times = iso_list(cal, "2000-02-27T06", 6, "18h")
        cases.append((f"timedelta_{cal}", "timedelta", {"times": times, "calendar": cal}, None))
    # convert_calendar
    conv = [
        ("standard_to_noleap_drops_feb29", CONV("standard", "2000-02-26", 6, "D", "noleap",
                                                chunks=[2, 4])),
        ("noleap_to_standard", CONV("noleap", "2001-02-26", 5, "D", "standard", chunks=[3, 2])),
        ("all_leap_to_noleap", CONV("all_leap", "2001-02-27", 4, "D", "noleap")),
        ("noleap_to_all_leap_date", CONV("noleap", "2001-02-27", 4, "12h", "all_leap",
                                         align_on="date", chunks=[1, 3])),
        ("julian_to_proleptic", CONV("julian", "1900-02-27", 4, "D", "proleptic_gregorian")),
        ("standard_to_julian", CONV("standard", "2000-02-27", 4, "D", "julian", chunks=[1, 3])),
        ("standard_to_360_date", CONV("standard", "2000-01-29", 8, "D", "360_day",
                                      align_on="date", chunks=[3, 5])),
        ("360_to_standard_date", CONV("360_day", "2001-02-27", 6, "D", "standard", align_on="date")),
        ("standard_to_360_year", CONV("standard", "2001-01-01", 40, "9D", "360_day",
                                      align_on="year", chunks=[7, 13, 20])),
        ("360_to_noleap_year", CONV("360_day", "2001-01-01", 40, "9D", "noleap",
                                    align_on="year", chunks=[15, 25])),
        ("360_to_all_leap_year_daily", CONV("360_day", "2000-02-25", 12, "D", "all_leap",
                                            align_on="year")),
        ("noleap_to_360_year_daily_dups", CONV("noleap", "2001-01-25", 12, "D", "360_day",
                                               align_on="year", chunks=[4, 8])),
        ("standard_to_noleap_missing", CONV("standard", "2000-02-26", 6, "D", "noleap",
                                            missing=-99.0, chunks=[2, 4])),
        ("noleap_to_standard_missing_nan", CONV("noleap", "2000-02-26", 6, "D", "standard",
                                                missing="NaN")),
        ("noleap_to_all_leap_missing_monthly", CONV("noleap", "2000-01-01", 4, "MS", "all_leap",
                                                    missing=0.0)),
        ("360_to_standard_date_missing", CONV("360_day", "2000-02-27", 6, "D", "standard",
                                              align_on="date", missing=-1.0)),
        ("same_calendar_noop", CONV("noleap", "2000-02-26", 4, "D", "noleap")),
        ("err_360_without_align_on", CONV("standard", "2000-01-01", 4, "D", "360_day"), "ValueError"),
        ("err_year_zero_to_standard", CONV("noleap", "0000-12-30", 4, "D", "standard"), "ValueError"),
        ("err_unknown_target_calendar", CONV("noleap", "2000-01-01", 4, "D", "lunar"), "KeyError"),
    ]
    for item in conv:
        cid, a = item[0], item[1]
        err = item[2] if len(item) > 2 else None
        cases.append((f"convert_{cid}" if not cid.startswith("err") else f"{cid}", "convert", a, err))
    interp = [
        ("noleap_to_standard", "noleap", "2000-02-20", 20, "D", "standard", "2000-02-20", 20, "D"),
        ("standard_to_360", "standard", "2000-01-01", 25, "5D", "360_day", "2000-01-01", 40, "3D"),
        ("360_to_all_leap", "360_day", "2000-01-01", 14, "MS", "all_leap", "1999-12-15", 16, "ME"),
        ("julian_to_standard_outside", "julian", "2000-01-01", 10, "7D", "standard", "1999-12-01", 12,
         "8D"),
    ]
    for cid, sc, ss, sn, sf, tc, ts, tn, tf in interp:
        for one_d in (False, True):
            a = CONV(sc, ss, sn, sf, tc, chunks=None)
            a["chunks"] = [sn // 3, sn - sn // 3]
            a["target_times"] = iso_list(tc, ts, tn, tf)
            a["one_d"] = one_d
            cases.append((f"interp_{cid}{'_1d' if one_d else ''}", "interp", a, None))
    return cases


def compute(op, a, loaded=False):
    if op == "date_range":
        return run_date_range(a)
    if op == "round":
        return run_round(a)
    if op == "strftime":
        return run_strftime(a)
    if op == "dayofweek":
        return run_dayofweek(a)
    if op == "timedelta":
        return run_timedelta(a)
    if op == "convert":
        return run_convert(a, loaded)
    if op == "interp":
        return run_interp(a, loaded)
    raise KeyError(op)


def outcome(op, a, loaded=False):
    try:
        return compute(op, a, loaded), None
    except Exception as e:  # noqa: BLE001 - the class is what is recorded
        return None, type(e).__name__


def build():
    cases, problems = [], []
    for cid, op, a, want in CASES():
        got, err = outcome(op, a)
        if op in ("convert", "interp"):
            ref, ref_err = outcome(op, a, loaded=True)
            if ref != got and not (ref_err and err):
                problems.append(f"{cid}: dask and numpy differ")
        if err != want:
            problems.append(f"{cid}: got {err}, expected {want}")
            continue
        cases.append({"id": cid, "op": op, "args": a, "expected": got, "error": err})
    if problems:
        sys.exit("\n".join(problems))
    return {"generator": "scripts/golden_time.py", "xarray_version": xr.__version__,
            "cftime_version": cftime.__version__, "cases": cases}


def main():
    doc = build()
    text = json.dumps(doc, indent=1, sort_keys=True, allow_nan=False) + "\n"
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
