"""Golden values for CF decoding/encoding and the .dt accessor, from xarray itself.

Each case is a raw one-dimensional variable (stored dtype, values, attributes as a
Zarr store would hold them: JSON numbers, so Python floats/ints) with what
`xr.decode_cf` makes of it (dtype, values, encoding keys) and what xarray's encoder
(`xr.conventions.encode_cf_variable`) writes back for the decoded variable.
Times are recorded as (year, month, day, hour, minute, second, microsecond) so the
Rust side compares them with its own calendar arithmetic. Run:

    python3 scripts/golden_cf.py   # writes data-fixtures/golden/cf/cases.json
"""

import json
import math
import os
import warnings

import numpy as np
import pandas as pd
import xarray as xr

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "data-fixtures", "golden", "cf", "cases.json")


def num(v):
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def time_tuple(t):
    if t is None:
        return None
    if isinstance(t, np.datetime64):
        if np.isnat(t):
            return None
        t = pd.Timestamp(t)
        return [t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond]
    if t is pd.NaT or (isinstance(t, float) and math.isnan(t)):
        return None
    return [t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond]


def values_of(var):
    a = np.asarray(var.values).ravel()
    if a.dtype.kind == "M" or a.dtype == object:
        return [time_tuple(t) for t in a]
    return [num(x) for x in a]


def jsonable_attrs(attrs):
    out = {}
    for k, v in attrs.items():
        if isinstance(v, (list, tuple, np.ndarray)):
            out[k] = [num(x) for x in np.ravel(v)]
        else:
            out[k] = num(v) if not isinstance(v, str) else v
    return out


cases = []


def case(name, dtype, values, attrs):
    raw = xr.Variable(("x",), np.array(values, dtype=dtype), attrs=dict(attrs))
    ds = xr.Dataset({"v": raw})
    dec = xr.decode_cf(ds)["v"].variable
    is_time = dec.dtype.kind == "M" or dec.dtype == object
    try:
        enc = xr.conventions.encode_cf_variable(dec.copy(deep=True), name="v")
        encoded = {"dtype": str(enc.dtype), "values": [num(x) for x in np.asarray(enc.values)], "attrs": jsonable_attrs(enc.attrs)}
    except Exception as e:  # xarray cannot encode some valid raw forms (a list missing_value)
        encoded = {"error": f"{type(e).__name__}: {e}"}
    cases.append(
        {
            "name": name,
            "raw": {"dtype": str(np.dtype(dtype)), "values": [num(x) for x in raw.values], "attrs": jsonable_attrs(raw.attrs)},
            "decoded": {
                "dtype": "datetime" if is_time else str(dec.dtype),
                "values": values_of(dec),
                "attrs": jsonable_attrs(dec.attrs),
                "encoding_keys": sorted(k for k in dec.encoding if k not in ("source", "original_shape")),
            },
            "encoded": encoded,
        }
    )


# Packing and masking.
case("int16_scale", "int16", [0, 100, -200, 32767], {"scale_factor": 0.01})
case("int16_scale_offset", "int16", [0, 100, -200, 5], {"scale_factor": 0.5, "add_offset": 10.0})
case("int16_scale_offset_fill", "int16", [0, -32768, 7, 1], {"scale_factor": 0.1, "add_offset": 273.15, "_FillValue": -32768})
case("uint8_scale_fill", "uint8", [0, 255, 10, 128], {"scale_factor": 2.0, "_FillValue": 255})
case("int8_offset_only", "int8", [0, -5, 127, 3], {"add_offset": 100.0})
case("int8_fill_only", "int8", [0, -1, 4, -1], {"_FillValue": -1})
case("int16_fill_only", "int16", [1, 2, -999, 4], {"_FillValue": -999})
case("int32_fill_only", "int32", [1, 2, -999, 4], {"_FillValue": -999})
case("int32_scale_offset", "int32", [1, 2, 3, 100000], {"scale_factor": 0.001, "add_offset": 1.0})
case("int64_fill", "int64", [10, 20, -1, 40], {"_FillValue": -1})
case("uint16_missing_value", "uint16", [0, 65535, 12, 3], {"missing_value": 65535})
case("float32_fill", "float32", [1.5, -9999.0, 2.5, 3.0], {"_FillValue": -9999.0})
case("float64_fill_nan", "float64", [1.0, float("nan"), 3.0, 4.0], {"_FillValue": float("nan")})
case("float32_missing_list", "float32", [1.0, -1.0, -2.0, 4.0], {"missing_value": [-1.0, -2.0]})
case("int16_fill_and_missing", "int16", [1, -1, -2, 4], {"_FillValue": -1, "missing_value": -2})
case("float32_scale", "float32", [1.0, 2.0, 3.0, 4.0], {"scale_factor": 0.5})
case("int16_valid_range", "int16", [-5, 0, 50, 200], {"valid_range": [0, 100], "scale_factor": 1.5})
case("int16_valid_min_max", "int16", [-5, 0, 50, 200], {"valid_min": 0, "valid_max": 100, "_FillValue": -5})
case("int16_int_scale", "int16", [1, 2, 3, 4], {"scale_factor": 2})
case("int16_int_offset_fill", "int16", [1, -1, 3, 4], {"add_offset": 5, "_FillValue": -1})
case("uint8_scale_offset_float_fill", "uint8", [0, 10, 200, 255], {"scale_factor": 0.25, "add_offset": -10.0, "_FillValue": 255})
case("float64_plain", "float64", [1.0, 2.0, 3.5, -1.0], {"long_name": "plain"})
case("int16_plain_units", "int16", [1, 2, 3, 4], {"units": "m/s"})

# Times.
for unit, vals in [
    ("days", [0, 1, 365, 10000]),
    ("hours", [0, 1, 24, 8784]),
    ("minutes", [0, 90, 1440, -60]),
    ("seconds", [0, 86399, 86400, -1]),
    ("milliseconds", [0, 1500, 86400000, 3]),
    ("microseconds", [0, 1, 999999, 86400000001]),
]:
    case(f"time_{unit}_int64", "int64", vals, {"units": f"{unit} since 2000-01-01"})
case("time_days_float", "float64", [0.0, 0.5, 1.25, 59.0], {"units": "days since 1970-01-01 00:00:00"})
case("time_hours_tz", "int32", [0, 1, 2, 48], {"units": "hours since 1970-01-01 00:00:00 +2:00"})
case("time_seconds_T", "int64", [0, 3600, 7200, 10], {"units": "seconds since 1999-12-31T23:00:00"})
case("time_days_fill", "float64", [0.0, -9999.0, 31.0, 60.0], {"units": "days since 2001-01-01", "_FillValue": -9999.0})
case("time_days_int_fill", "int32", [0, -1, 31, 60], {"units": "days since 2001-01-01", "_FillValue": -1})
case("time_days_nan", "float64", [0.0, float("nan"), 31.0, 60.0], {"units": "days since 2001-01-01"})
for cal in ["standard", "gregorian", "proleptic_gregorian", "noleap", "365_day", "all_leap", "366_day", "360_day", "julian"]:
    case(f"time_cal_{cal}", "int64", [0, 59, 365, 1460], {"units": "days since 2000-01-01", "calendar": cal})
case("time_noleap_hours_fill", "float64", [0.0, 24.0 * 59, -1.0, 24.0 * 400], {"units": "hours since 1850-01-01", "calendar": "noleap", "_FillValue": -1.0})
case("time_360_months_boundary", "int64", [29, 30, 359, 360], {"units": "days since 1-01-01", "calendar": "360_day"})
case("time_julian_old", "int64", [0, 100, 1000, 100000], {"units": "days since 1582-10-01", "calendar": "julian"})
case("time_standard_before_reform", "int64", [0, 10, 365], {"units": "days since 1582-10-01", "calendar": "standard"})
case("time_proleptic_ancient", "int64", [0, 1, 1000000], {"units": "days since 0001-01-01", "calendar": "proleptic_gregorian"})

# .dt accessor on decoded times.
accessor = []
for cal in ["standard", "noleap", "360_day", "all_leap", "julian"]:
    raw = xr.Variable(("time",), np.arange(0, 800, 37, dtype="int64") * 24 + 5, attrs={"units": "hours since 1999-11-30", "calendar": cal})
    da = xr.decode_cf(xr.Dataset({"t": raw}))["t"]
    entry = {"calendar": cal, "raw": [int(x) for x in raw.values], "units": raw.attrs["units"]}
    for comp in ["year", "month", "day", "hour", "dayofyear"]:
        entry[comp] = [int(x) for x in getattr(da.dt, comp).values]
    entry["season"] = [str(x) for x in da.dt.season.values]
    accessor.append(entry)

with open(OUT, "w") as f:
    json.dump({"xarray": xr.__version__, "cases": cases, "accessor": accessor}, f, indent=None, separators=(",", ":"))
print(f"{len(cases)} cases, {len(accessor)} accessor calendars -> {OUT}")
