"""Writes the netCDF fixtures of `tests/io/netcdf_read.rs` into a directory, with the
values xarray reads back from each (decoded) as JSON beside it.

    python3 scripts/netcdf_fixtures.py OUT_DIR

Files: `grouped.nc` (netCDF-4: a group `obs` with an unlimited `time` in noleap and
standard calendars, int16 packed with scale/offset/_FillValue, uneven zlib chunks,
a string coordinate), `classic.nc` (NETCDF3_CLASSIC: int32 time, float64 variable with a
`coordinates` attribute, a scalar).
`<file>.<group or root>.json` holds what `xarray.open_dataset(file, group=...)` gives.
"""

import json
import math
import os
import sys

import netCDF4
import numpy as np
import xarray as xr


def jsonable(v):
    if isinstance(v, np.ndarray):
        return [jsonable(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, bytes):
        return v.decode()
    return v


def values(da):
    if da.dtype.kind == "M":
        return [str(x)[:19] for x in da.values.astype("datetime64[s]").ravel()]
    if da.dtype.kind == "O" and da.size and hasattr(da.values.ravel()[0], "isoformat"):
        return [x.isoformat()[:19] for x in da.values.ravel()]
    if da.dtype.kind in "OUS":
        return [str(x) for x in da.values.ravel()]
    return [jsonable(x) for x in da.values.astype("float64").ravel()]


def dump(path, group, out):
    coder = xr.coders.CFDatetimeCoder(use_cftime=True)
    ds = xr.open_dataset(path, group=group, engine="netcdf4", decode_times=coder)
    doc = {
        "dims": {k: int(v) for k, v in ds.sizes.items()},
        "coords": sorted(ds.coords),
        "data_vars": sorted(ds.data_vars),
        "attrs": {k: jsonable(v) for k, v in ds.attrs.items()},
        "variables": {
            name: {
                "dims": list(var.dims),
                "shape": list(var.shape),
                "attrs": {k: jsonable(v) for k, v in var.attrs.items()},
                "values": values(var),
            }
            for name, var in ds.variables.items()
        },
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
    ds.close()


def grouped(path):
    nc = netCDF4.Dataset(path, "w", format="NETCDF4")
    nc.title = "tessera netCDF-4 fixture"
    nc.version = np.int32(3)
    nc.weights = np.array([0.5, 1.5], dtype="f8")
    nc.createDimension("x", 5)
    x = nc.createVariable("x", "f8", ("x",))
    x[:] = np.arange(5) * 10.0
    x.units = "m"
    top = nc.createVariable("top", "f4", ("x",))
    top[:] = np.arange(5, dtype="f4") / 4

    g = nc.createGroup("obs")
    g.source = "synthetic"
    g.createDimension("time", None)
    g.createDimension("station", 3)
    g.createDimension("lat", 7)
    t = g.createVariable("time", "i4", ("time",))
    t.units = "days since 1950-01-01"
    t.calendar = "noleap"
    t[:] = np.array([0, 31, 59, 365, 730, 1000])
    t2 = g.createVariable("time_std", "f8", ("time",))
    t2.units = "days since 1950-01-01 00:00:00"
    t2.calendar = "standard"
    t2[:] = np.array([0.0, 0.5, 59.0, 366.0, 731.25, 20000.0])
    st = g.createVariable("station", str, ("station",))
    st[0] = "Brest"
    st[1] = "Cadiz"
    st[2] = "Halifax North"
    st.long_name = "station name"
    lat = g.createVariable("lat", "f4", ("lat",))
    lat[:] = np.linspace(-30, 30, 7)
    sla = g.createVariable(
        "sla", "i2", ("time", "station", "lat"), zlib=True, chunksizes=(4, 2, 3),
        fill_value=np.int16(-32767),
    )
    sla.set_auto_maskandscale(False)
    sla.scale_factor = np.float32(0.01)
    sla.add_offset = np.float32(1.5)
    sla.units = "m"
    sla.flags = np.array([1, 2, 4], dtype="i2")
    raw = (np.arange(6 * 3 * 7).reshape(6, 3, 7) * 7 % 2000 - 1000).astype("i2")
    raw[1, 2, 3] = -32767
    raw[5, 0, 0] = -32767
    sla[:] = raw
    u8 = g.createVariable("count", "u1", ("station",))
    u8[:] = np.array([0, 200, 255], dtype="u1")
    i64 = g.createVariable("big", "i8", ("time",))
    i64[:] = np.arange(6, dtype="i8") * 10**12
    nc.close()


def classic(path):
    nc = netCDF4.Dataset(path, "w", format="NETCDF3_CLASSIC")
    nc.Conventions = "CF-1.8"
    nc.createDimension("time", None)
    nc.createDimension("y", 4)
    t = nc.createVariable("time", "i4", ("time",))
    t.units = "hours since 2000-01-01"
    t[:] = np.arange(10) * 6
    v = nc.createVariable("temp", "f8", ("time", "y"))
    v.units = "K"
    v.missing_value = -999.0
    data = np.arange(40, dtype="f8").reshape(10, 4) + 270.0
    data[3, 1] = -999.0
    v[:] = data
    v.coordinates = "lon"
    lon = nc.createVariable("lon", "f4", ("y",))
    lon[:] = np.array([-5.0, 0.0, 5.0, 10.0], dtype="f4")
    h = nc.createVariable("height", "f8", ())
    h[...] = 2.0
    h.units = "m"
    nc.close()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    g = os.path.join(out, "grouped.nc")
    grouped(g)
    dump(g, None, g + ".root.json")
    dump(g, "obs", g + ".obs.json")
    c = os.path.join(out, "classic.nc")
    classic(c)
    dump(c, None, c + ".root.json")


if __name__ == "__main__":
    main()
