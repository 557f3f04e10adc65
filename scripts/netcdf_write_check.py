"""What xarray reads from a netCDF file, as JSON, for `tests/io/netcdf_write.rs`; and
a file written by xarray for the open -> to_netcdf round trip.

    python3 scripts/netcdf_write_check.py dump FILE [GROUP]   # JSON on stdout
    python3 scripts/netcdf_write_check.py make OUT.nc          # xarray writes a file

`dump` opens FILE with `xarray.open_dataset(engine="netcdf4")` (times as cftime
objects, so every calendar reads alike) and prints: the data model, dims, unlimited
dims, coords, data vars, global attrs, and per variable its dims, shape, decoded dtype,
attrs, values (ISO strings for times, strings, numbers with null for NaN) and the
encoding keys xarray keeps (zlib, complevel, shuffle, chunksizes, contiguous, dtype,
scale_factor, add_offset, _FillValue, missing_value, units, calendar). Non-finite
floats are the strings "NaN", "Infinity", "-Infinity".
"""

import json
import math
import sys

import netCDF4
import numpy as np
import xarray as xr

ENCODING_KEYS = [
    "zlib",
    "complevel",
    "shuffle",
    "chunksizes",
    "contiguous",
    "dtype",
    "scale_factor",
    "add_offset",
    "_FillValue",
    "missing_value",
    "units",
    "calendar",
]


def jsonable(v):
    if isinstance(v, np.ndarray):
        return [jsonable(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    if isinstance(v, np.dtype):
        return str(v)
    if isinstance(v, type):
        return np.dtype(v).name if v is not str else "str"
    if isinstance(v, bytes):
        return v.decode()
    return v


def values(da):
    if da.dtype.kind == "M":
        return [str(x)[:19] for x in da.values.astype("datetime64[s]").ravel()]
    if da.dtype.kind == "O" and da.size and hasattr(da.values.ravel()[0], "isoformat"):
        return [x.isoformat()[:19] for x in da.values.ravel()]
    if da.dtype.kind in "OUS":
        return [x.decode() if isinstance(x, bytes) else str(x) for x in da.values.ravel()]
    out = []
    for x in da.values.astype("float64").ravel():
        out.append(None if math.isnan(x) else float(x))
    return out


def dump(path, group=None):
    coder = xr.coders.CFDatetimeCoder(use_cftime=True)
    ds = xr.open_dataset(path, group=group, engine="netcdf4", decode_times=coder)
    with netCDF4.Dataset(path) as nc:
        model = nc.data_model
    doc = {
        "data_model": model,
        "dims": {k: int(v) for k, v in ds.sizes.items()},
        "unlimited_dims": sorted(ds.encoding.get("unlimited_dims", [])),
        "coords": sorted(ds.coords),
        "data_vars": sorted(ds.data_vars),
        "attrs": {k: jsonable(v) for k, v in ds.attrs.items()},
        "variables": {
            name: {
                "dims": list(var.dims),
                "shape": list(var.shape),
                "dtype": str(var.dtype),
                "attrs": {k: jsonable(v) for k, v in var.attrs.items()},
                "values": values(var),
                "encoding": {
                    k: jsonable(var.encoding[k])
                    for k in ENCODING_KEYS
                    if k in var.encoding
                },
            }
            for name, var in ds.variables.items()
        },
    }
    ds.close()
    json.dump(doc, sys.stdout, indent=1)


def make(path):
    """A file as xarray writes it: packed int16 with zlib and uneven chunks, noleap
    times on an unlimited dim, a standard-calendar time, a string coordinate."""
    rng = np.random.default_rng(7)
    sla = np.round(rng.normal(0, 0.2, (5, 4, 9)), 3)
    sla[1, 2, 3] = np.nan
    temp = rng.normal(15, 3, (5, 4)).astype("f4")
    temp[0, 0] = np.nan
    import cftime

    times = [cftime.DatetimeNoLeap(2001, 1, 1) + i * np.timedelta64(10, "D").item() for i in range(5)]
    ds = xr.Dataset(
        {
            "sla": (("time", "lat", "lon"), sla, {"long_name": "sea level anomaly", "units": "m"}),
            "temp": (("time", "station"), temp, {"units": "degC", "valid_range": [-5.0, 40.0]}),
            "obs_time": (
                ("station",),
                np.array(["2010-01-01T06:00", "2010-03-01T00:00", "2010-07-04T18:00", "2011-06-15T12:30"], dtype="datetime64[ns]"),
            ),
            "count": (("station",), np.array([1, 0, 7, 3], dtype="i4")),
        },
        coords={
            "time": ("time", times),
            "lat": ("lat", np.linspace(-30, 30, 4)),
            "lon": ("lon", np.arange(9) * 40.0, {"units": "degrees_east"}),
            "station": ("station", ["Brest", "Marseille", "Île-d'Yeu", ""]),
        },
        attrs={"title": "written by xarray", "version": np.int32(2), "weights": np.array([0.25, 0.75])},
    )
    encoding = {
        "sla": {
            "dtype": "int16",
            "scale_factor": 0.001,
            "add_offset": 0.0,
            "_FillValue": -32767,
            "zlib": True,
            "complevel": 4,
            "chunksizes": (2, 3, 4),
        },
        "temp": {"zlib": True, "complevel": 1, "shuffle": False},
        "time": {"units": "days since 2001-01-01", "calendar": "noleap", "dtype": "int32"},
        "obs_time": {"units": "hours since 2010-01-01", "dtype": "float64"},
    }
    ds.to_netcdf(path, engine="netcdf4", encoding=encoding, unlimited_dims=["time"])


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(f"unknown command {sys.argv[1]!r}; use dump or make")
