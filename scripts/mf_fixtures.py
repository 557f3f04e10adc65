"""Writes the many-file fixtures of `tests/io/open_mfdataset.rs` (and of
`benches/open_mfdataset.rs`) into a directory, with what `xarray.open_mfdataset` makes
of them as JSON.

    python3 scripts/mf_fixtures.py OUT_DIR [N]

N (default 30) daily files of a small altimetry-like product, written twice:
`OUT_DIR/nc/sla_<k>.nc` (netCDF-4) and `OUT_DIR/zarr/sla_<k>.zarr` (Zarr v2,
consolidated; v2 because zarr-python leaves `dimension_names` out of the v3 metadata of
the 0-d `crs`, which tessera's Zarr reader still requires). File k holds day k after
2000-01-01 (`time` in `days since 1950-01-01`, one step per file), int32 `sla(time, lat, lon)` packed with scale_factor 1e-4 and a
_FillValue (a few cells filled), 1-D `lat`/`lon` coordinates, `area(lat, lon)` without
time and a scalar `crs`. k is not zero-padded, so the lexical order of the names
(sla_0, sla_1, sla_10, ..., sla_2, ...) is not the time order: `combine="by_coords"`
must sort by time, `combine="nested"` keeps the lexical order.

`OUT_DIR/bad/` holds three files of the same product where the third one's `lat` is
shifted by half a cell; `OUT_DIR/bad.json` records what xarray does with them.

For N <= 100, `OUT_DIR/expected.json` holds, for each case, what xarray returns:
dims, coordinates (times as microseconds since 1970-01-01), per-variable dims, shape,
dtype, attrs, NaN-skipping sum and count, and for `sla` the mean over lat/lon per time.
Cases: `by_coords` (xarray's defaults: data_vars="all"), `by_coords_minimal`
(data_vars="minimal"), `nested` (combine="nested", concat_dim="time",
data_vars="minimal"), each for netCDF and Zarr.
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import xarray as xr

NLAT, NLON = 6, 8
FILL = np.int32(-2147483647)


def product(k):
    """The dataset of day k."""
    rng = np.random.default_rng(k)
    lat = np.linspace(-50.0, 50.0, NLAT)
    lon = np.linspace(0.0, 350.0, NLON)
    sla = rng.integers(-5000, 5000, size=(1, NLAT, NLON)).astype("int32")
    sla[0, k % NLAT, (2 * k) % NLON] = FILL
    area = np.cos(np.deg2rad(lat))[:, None] * np.ones(NLON)[None, :] * 1e4
    ds = xr.Dataset(
        {
            "sla": (("time", "lat", "lon"), sla),
            "area": (("lat", "lon"), area, {"units": "km2"}),
            "crs": ((), np.int32(0), {"grid_mapping_name": "latitude_longitude"}),
        },
        coords={
            "time": ("time", np.array([18262 + k], dtype="float64")),
            "lat": ("lat", lat, {"units": "degrees_north", "standard_name": "latitude"}),
            "lon": ("lon", lon, {"units": "degrees_east", "standard_name": "longitude"}),
        },
        attrs={"title": "daily sea level anomaly", "day": int(k)},
    )
    ds["sla"].attrs = {"units": "m", "long_name": "sea level anomaly"}
    ds["time"].attrs = {"units": "days since 1950-01-01", "calendar": "standard", "standard_name": "time"}
    return ds


def encoding(ds):
    enc = {
        "sla": {"dtype": "int32", "scale_factor": 1e-4, "_FillValue": FILL},
        "time": {"dtype": "float64"},
        "area": {"_FillValue": None},
        "lat": {"_FillValue": None},
        "lon": {"_FillValue": None},
    }
    return enc


def raw(ds):
    """The dataset with sla as the stored int32 (xarray's encoder needs decoded data)."""
    out = ds.copy()
    out["sla"] = out["sla"].astype("float64") * 1e-4
    out["sla"] = out["sla"].where(ds["sla"] != FILL)
    out["sla"].attrs = ds["sla"].attrs
    out["time"].attrs = {}
    out["time"] = xr.decode_cf(ds[["time"]])["time"]
    return out


def write(out, n):
    os.makedirs(os.path.join(out, "nc"), exist_ok=True)
    os.makedirs(os.path.join(out, "zarr"), exist_ok=True)
    for k in range(n):
        ds = raw(product(k))
        enc = encoding(ds)
        enc["time"]["units"] = "days since 1950-01-01"
        enc["time"]["calendar"] = "standard"
        ds.to_netcdf(os.path.join(out, "nc", f"sla_{k}.nc"), format="NETCDF4", encoding=enc)
        ds.to_zarr(
            os.path.join(out, "zarr", f"sla_{k}.zarr"),
            mode="w",
            zarr_format=2,
            consolidated=True,
            encoding=enc,
        )


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
    return v


def micros(da):
    return [int(x) for x in da.values.astype("datetime64[us]").astype("int64").ravel()]


def summary(ds):
    def var(v):
        doc = {
            "dims": list(v.dims),
            "shape": list(v.shape),
            "dtype": str(v.dtype),
            "attrs": {k: jsonable(x) for k, x in v.attrs.items()},
        }
        if v.dtype.kind == "M":
            doc["values"] = micros(v)
        else:
            f = v.values.astype("float64")
            doc["sum"] = float(np.nansum(f))
            doc["count"] = int(np.count_nonzero(~np.isnan(f)))
            if v.ndim == 1:
                doc["values"] = jsonable(f)
        return doc

    doc = {
        "dims": {k: int(n) for k, n in ds.sizes.items()},
        "coords": list(ds.coords),
        "data_vars": list(ds.data_vars),
        "attrs": {k: jsonable(x) for k, x in ds.attrs.items()},
        "variables": {name: var(ds[name].variable) for name in ds.variables},
    }
    doc["sla_mean_by_time"] = jsonable(ds["sla"].mean(["lat", "lon"]).values)
    return doc


def expected(out):
    cases = {}
    for kind, ext in (("nc", "nc"), ("zarr", "zarr")):
        glob = os.path.join(out, kind, f"sla_*.{ext}")
        engine = "netcdf4" if kind == "nc" else "zarr"
        runs = {
            "by_coords": dict(combine="by_coords"),
            "by_coords_minimal": dict(combine="by_coords", data_vars="minimal"),
            "nested": dict(combine="nested", concat_dim="time", data_vars="minimal"),
        }
        for case, kw in runs.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = xr.open_mfdataset(glob, engine=engine, **kw)
                cases[f"{kind}/{case}"] = summary(ds.compute())
                ds.close()
    return cases


def bad(out):
    d = os.path.join(out, "bad")
    os.makedirs(d, exist_ok=True)
    for k in range(3):
        ds = raw(product(k))
        if k == 2:
            ds = ds.assign_coords(lat=ds["lat"] + 10.0)
        enc = encoding(ds)
        enc["time"]["units"] = "days since 1950-01-01"
        ds.to_netcdf(os.path.join(d, f"sla_{k}.nc"), format="NETCDF4", encoding=enc)
    doc = {}
    for kw in (dict(combine="by_coords"), dict(combine="nested", concat_dim="time")):
        key = kw["combine"]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = xr.open_mfdataset(os.path.join(d, "sla_*.nc"), **kw)
            doc[key] = {"ok": True, "dims": {k: int(n) for k, n in ds.sizes.items()}}
            ds.close()
        except Exception as e:  # noqa: BLE001 - the exception is what is recorded
            doc[key] = {"ok": False, "error": type(e).__name__, "message": str(e)}
    doc["note"] = (
        "by_coords: xarray sees lat differ as well as time and fails with ValueError "
        "(no monotonic global index along lat); nested: its default join='outer' takes "
        "the union of the lats and fills NaN. tessera refuses, in both modes, a file "
        "whose non-concatenated dimension coordinates differ from the first file's, "
        "naming the file and the coordinate."
    )
    with open(os.path.join(out, "bad.json"), "w") as f:
        json.dump(doc, f, indent=1)


def main():
    # zarr-python warns that consolidated metadata is not in the v3 spec, once per store.
    warnings.simplefilter("ignore")
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    write(out, n)
    bad(out)
    meta = {"xarray_version": xr.__version__, "n": n}
    if n <= 100:
        meta["cases"] = expected(out)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
