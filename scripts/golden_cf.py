#!/usr/bin/env python3
"""Golden values for CF decoding and encoding, computed by xarray itself.

Each case is one raw variable (stored dtype, values and attributes as
`xr.open_zarr(..., decode_cf=False)` shows them) and what `xr.decode_cf` makes of
it: the decoded dtype, values (times as ISO strings in the variable's calendar) and
encoding keys. Cases with `encoded` also record what xarray's encoder makes of the decoded
variable (its encoding kept); `fresh_times` cases record the units and values xarray chooses when
encoding datetimes with no encoding. Writes data-fixtures/golden/cf/cases.json.

    pip install xarray cftime && python3 scripts/golden_cf.py
"""

import json
import os

import numpy as np
import xarray as xr

OUT = os.path.join(os.path.dirname(__file__), "..", "data-fixtures", "golden", "cf", "cases.json")


def plain(x):
    """JSON value of a number (NaN → null) or a datetime (ISO string)."""
    if isinstance(x, (float, np.floating)):
        return None if np.isnan(x) else float(x)
    if isinstance(x, (np.integer, int)):
        return int(x)
    if isinstance(x, np.datetime64):
        return None if np.isnat(x) else str(x.astype("datetime64[us]"))
    if x is None:
        return None
    if hasattr(x, "isoformat"):  # cftime
        return x.isoformat()
    raise TypeError(f"{type(x)}: {x!r}")


def attr(v):
    if isinstance(v, np.ndarray):
        return [attr(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [attr(x) for x in v]
    if isinstance(v, (float, np.floating)):
        return "NaN" if np.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def raw_case(id, dtype, values, attrs, roundtrip=True):
    data = np.array(values, dtype=dtype)
    raw = xr.Variable(("x",), data, attrs=attrs)
    ds = xr.Dataset({"v": raw})
    dec = xr.decode_cf(ds, use_cftime=None)["v"]
    vals = dec.values
    case = {
        "id": id,
        "raw": {"dtype": str(data.dtype), "data": [plain(x) for x in data.tolist()], "attrs": {k: attr(v) for k, v in attrs.items()}},
        "decoded": {
            "dtype": "datetime" if (vals.dtype.kind == "M" or vals.dtype == object) else str(vals.dtype),
            "data": [plain(x) for x in (vals.tolist() if vals.dtype == object else vals)],
            "attrs": {k: attr(v) for k, v in dec.attrs.items()},
            "encoding_keys": sorted(k for k in dec.encoding if k in ("_FillValue", "missing_value", "scale_factor", "add_offset", "units", "calendar", "dtype")),
        },
    }
    if roundtrip:
        enc = xr.conventions.encode_cf_variable(dec.variable, name="v")
        case["encoded"] = {"dtype": str(enc.dtype), "data": [plain(x) for x in np.asarray(enc.values).tolist()]}
    return case


def fresh_times(id, dates, calendar):
    """Datetimes with no encoding: the units and numbers xarray's encoder chooses."""
    if calendar in ("standard", "proleptic_gregorian"):
        values = np.array(dates, dtype="datetime64[ns]")
    else:
        import cftime
        values = np.array([cftime.datetime.strptime(d, "%Y-%m-%dT%H:%M:%S", calendar=calendar) for d in dates], dtype=object)
    var = xr.Variable(("x",), values)
    enc = xr.conventions.encode_cf_variable(var, name="t")
    return {
        "id": id,
        "calendar": calendar,
        "dates": dates,
        "encoded": {"dtype": str(enc.dtype), "data": [plain(x) for x in enc.values.tolist()], "units": enc.attrs["units"], "calendar": enc.attrs["calendar"]},
    }


def main():
    cases = [
        raw_case("int16_scale_offset_fill", "int16", [0, 100, -32768, 2500, -100], {"scale_factor": 0.01, "add_offset": 10.0, "_FillValue": -32768, "units": "m"}),
        raw_case("int16_fill_only", "int16", [1, -1, 5, -999, 7], {"_FillValue": -999}),
        raw_case("uint8_missing_value", "uint8", [0, 255, 17, 254], {"missing_value": 255}),
        raw_case("int32_scale_fill", "int32", [123456, -2147483647, 0, -5], {"scale_factor": 0.0001, "_FillValue": -2147483647, "units": "m"}),
        raw_case("float32_fill", "float32", [1.5, -999.0, 2.25, np.nan], {"_FillValue": -999.0}),
        raw_case("float64_missing_list", "float64", [1.0, -999.0, -9999.0, 4.0], {"missing_value": [-999.0, -9999.0]}, roundtrip=False),
        raw_case("int8_scale_only", "int8", [-128, 0, 127, 3], {"scale_factor": 0.5}),
        raw_case("float32_nan_fill", "float32", [1.0, np.nan, 3.0], {"_FillValue": np.float32(np.nan)}),
        raw_case("int16_valid_range_ignored", "int16", [-5, 0, 50, 120], {"valid_range": [0, 100], "scale_factor": 2.0}),
        raw_case("int16_offset_only", "int16", [0, 1, 2], {"add_offset": 273.15}),
        raw_case("float64_plain", "float64", [1.0, 2.0, np.nan], {"units": "K"}),
        raw_case("int64_plain", "int64", [1, 2, 3], {"long_name": "count"}),
        raw_case("days_since_int", "int64", [0, 1, 31, 366], {"units": "days since 2000-01-01", "calendar": "standard"}),
        raw_case("hours_since_float", "float64", [0.0, 1.5, 24.0, np.nan], {"units": "hours since 1990-01-01 00:00:00"}, roundtrip=False),
        raw_case("seconds_since_epoch_z", "int64", [0, 86400, 1000000000], {"units": "seconds since 1970-01-01T00:00:00Z"}),
        raw_case("minutes_since", "int32", [0, 90, 1440], {"units": "minutes since 2010-06-15 12:00:00", "calendar": "proleptic_gregorian"}),
        raw_case("milliseconds_since", "int64", [0, 1500, 86400000], {"units": "milliseconds since 2000-01-01"}),
        raw_case("microseconds_since", "int64", [0, 1, 1000000], {"units": "microseconds since 2000-01-01 00:00:00"}),
        raw_case("noleap_days", "int64", [0, 58, 59, 365, 730], {"units": "days since 1850-01-01", "calendar": "noleap"}),
        raw_case("day365_days", "int64", [0, 59, 365], {"units": "days since 2000-01-01", "calendar": "365_day"}),
        raw_case("days360", "int64", [0, 29, 30, 359, 360], {"units": "days since 2000-01-01", "calendar": "360_day"}),
        raw_case("all_leap", "int64", [0, 59, 365], {"units": "days since 2001-01-01", "calendar": "all_leap"}),
        raw_case("julian", "int64", [0, 59, 365, 366], {"units": "days since 1900-01-01", "calendar": "julian"}),
        raw_case("standard_before_1582", "int64", [0, 1, 365], {"units": "days since 1500-01-01", "calendar": "standard"}),
        raw_case("int_time_fill_nat", "int64", [0, -1, 2], {"units": "days since 2000-01-01", "_FillValue": -1}),
        # (cftime decodes a NaN time to the reference date, so NaT is checked in the standard calendar only.)
        raw_case("float_time_noleap", "float64", [0.0, 4.25, 10.5], {"units": "days since 2000-02-25", "calendar": "noleap"}, roundtrip=False),
        raw_case("tz_reference", "int64", [0, 1], {"units": "hours since 2000-01-01 00:00:00+02:00"}, roundtrip=False),
        raw_case("gregorian_alias", "int64", [0, 10], {"units": "days since 1993-01-01", "calendar": "gregorian"}),
        raw_case("days_since_packed_time", "int32", [0, 365, 730], {"units": "days since 1950-01-01 00:00:00", "calendar": "standard"}),
    ]
    fresh = [
        fresh_times("daily_standard", ["2000-01-01T00:00:00", "2000-01-02T00:00:00", "2000-03-01T00:00:00"], "standard"),
        fresh_times("hourly_standard", ["2000-01-01T00:00:00", "2000-01-01T06:00:00", "2000-01-02T01:00:00"], "standard"),
        fresh_times("daily_noleap", ["2001-02-28T00:00:00", "2001-03-01T00:00:00"], "noleap"),
        fresh_times("days360", ["2000-02-30T00:00:00", "2000-03-01T00:00:00"], "360_day"),
        fresh_times("seconds_standard", ["2000-01-01T00:00:00", "2000-01-01T00:00:30"], "standard"),
    ]
    out = {"generator": "scripts/golden_cf.py", "xarray_version": xr.__version__, "cases": cases, "fresh_times": fresh}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {len(cases)} decode cases and {len(fresh)} encode cases to {OUT}")


if __name__ == "__main__":
    main()
