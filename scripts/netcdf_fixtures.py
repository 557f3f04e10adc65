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
        return [x.decode() if isinstance(x, bytes) else str(x) for x in da.values.ravel()]
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
                "dtype": str(var.dtype),
                "values": values(var),
                "storage": storage(var.encoding),
            }
            for name, var in ds.variables.items()
        },
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
    ds.close()


STORAGE_KEYS = ["zlib", "szip", "zstd", "bzip2", "blosc", "shuffle", "complevel", "fletcher32",
                "contiguous", "chunksizes"]


def storage(encoding):
    """How the file stores a variable, as xarray's netCDF4 backend records it."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in encoding.items() if k in STORAGE_KEYS}


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
        "sla", "i2", ("time", "station", "lat"), zlib=True, complevel=6, fletcher32=True, chunksizes=(4, 2, 3),
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


def kinds(path):
    """What real products carry beyond plain numbers: `_Unsigned` bytes, charset-tagged
    char arrays, int32 packed with float32 attributes, 360-day times with bounds."""
    nc = netCDF4.Dataset(path, "w", format="NETCDF4")
    nc.createDimension("time", 4)
    nc.createDimension("nv", 2)
    nc.createDimension("site", 3)
    nc.createDimension("strlen", 8)
    t = nc.createVariable("time", "f8", ("time",))
    t.units = "days since 2000-01-01"
    t.calendar = "360_day"
    t.bounds = "time_bnds"
    t[:] = np.array([15.0, 45.0, 75.0, 359.5])
    tb = nc.createVariable("time_bnds", "f8", ("time", "nv"))
    tb[:] = np.array([[0, 30], [30, 60], [60, 90], [359, 360]], dtype="f8")
    q = nc.createVariable("quality", "i1", ("time", "site"), fill_value=np.int8(-1))
    q.set_auto_maskandscale(False)
    q._Unsigned = "true"
    q[:] = np.array([[0, 100, -56], [-1, 127, -128], [1, 2, 3], [-2, -3, -1]], dtype="i1")
    name = nc.createVariable("site_name", "S1", ("site", "strlen"))
    name._Encoding = "utf-8"
    name.set_auto_chartostring(False)
    for i, n in enumerate(["Brest", "Zürich", "Ålesund"]):
        b = n.encode("utf-8")[:8]
        name[i, :] = np.frombuffer(b.ljust(8, b"\0"), dtype="S1")
    # A fill exactly representable in float32: xarray compares the fill after casting
    # to float32 and so misses the default int32 fill -2147483647 (tessera and
    # netCDF4-python mask it; see the test `int32_fills_are_matched_exactly`).
    swh = nc.createVariable("swh", "i4", ("time", "site"), fill_value=np.int32(-999999))
    swh.set_auto_maskandscale(False)
    swh.scale_factor = np.float32(0.001)
    swh[:] = (np.arange(12).reshape(4, 3) * 1234 + 5).astype("i4")
    swh[2, 1] = -999999
    sst = nc.createVariable("sst", "i4", ("time", "site"))
    sst.set_auto_maskandscale(False)
    sst.scale_factor = np.float32(0.01)
    sst.add_offset = np.float32(273.15)
    sst[:] = (np.arange(12).reshape(4, 3) * 37 - 100).astype("i4")
    nc.close()


def offset64(path):
    """NETCDF3_64BIT_OFFSET with an `_Unsigned` short and a global attribute of each type."""
    nc = netCDF4.Dataset(path, "w", format="NETCDF3_64BIT_OFFSET")
    nc.short_attr = np.int16(-3)
    nc.float_attr = np.float32(0.5)
    nc.byte_list = np.array([1, -2], dtype="i1")
    nc.createDimension("x", 4)
    c = nc.createVariable("counts", "i2", ("x",), fill_value=np.int16(-1))
    c.set_auto_maskandscale(False)
    c._Unsigned = "true"
    c.valid_max = np.int16(-2)
    c[:] = np.array([0, 40000 - 65536, -1, 7], dtype="i2")
    nc.close()


def contiguous(path):
    """One contiguous float64 variable of 24 MB: the reader splits it into row blocks
    of at most 16 MiB. Only its shape and sums go to the JSON."""
    nc = netCDF4.Dataset(path, "w", format="NETCDF4")
    nc.createDimension("t", 300)
    nc.createDimension("y", 100)
    nc.createDimension("x", 100)
    v = nc.createVariable("field", "f8", ("t", "y", "x"), contiguous=True)
    data = np.arange(300 * 100 * 100, dtype="f8").reshape(300, 100, 100) % 9973 * 0.25
    v[:] = data
    nc.close()
    with open(path + ".json", "w") as f:
        json.dump({"shape": list(data.shape), "sum": float(data.sum()),
                   "sum_t": [float(x) for x in data.sum(axis=(1, 2))]}, f)


def exotic(path):
    """Types tessera cannot compute with: they must not stop the file from opening."""
    nc = netCDF4.Dataset(path, "w", format="NETCDF4")
    nc.createDimension("obs", 3)
    rec = nc.createCompoundType(np.dtype([("depth", "f4"), ("flag", "i2")]), "rec_t")
    r = nc.createVariable("profile", rec, ("obs",))
    r[:] = np.array([(1.5, 1), (2.5, 0), (3.5, 1)], dtype=[("depth", "f4"), ("flag", "i2")])
    vl = nc.createVLType(np.int32, "ragged_t")
    v = nc.createVariable("ragged", vl, ("obs",))
    v[0] = np.array([1, 2], dtype="i4")
    v[1] = np.array([3], dtype="i4")
    v[2] = np.array([4, 5, 6], dtype="i4")
    t = nc.createVariable("temp", "f4", ("obs",))
    t[:] = np.array([10.0, 11.0, 12.0], dtype="f4")
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
    k = os.path.join(out, "kinds.nc")
    kinds(k)
    dump(k, None, k + ".root.json")
    o = os.path.join(out, "offset64.nc")
    offset64(o)
    dump(o, None, o + ".root.json")
    contiguous(os.path.join(out, "contiguous.nc"))
    exotic(os.path.join(out, "exotic.nc"))


if __name__ == "__main__":
    main()
