"""Writes small Zarr stores with xarray into data-fixtures/zarr/ and the values
xarray reads back from them (raw: decode_cf=False; decoded: default) into
data-fixtures/zarr/expected.json. Rerun: python3 scripts/zarr_fixtures.py"""
import base64, json, os, shutil, warnings
import numpy as np, pandas as pd, xarray as xr, zarr
from numcodecs import Blosc, Zstd

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "data-fixtures", "zarr")


def base_dataset():
    rng = np.random.default_rng(7)
    nt, ny, nx = 12, 5, 4
    temp = (280 + 10 * rng.standard_normal((nt, ny, nx))).astype("f4")
    temp[0, 0, 0] = np.nan
    lat = np.linspace(-10, 10, ny)
    lon = np.linspace(0, 30, nx).astype("f4")
    ds = xr.Dataset(
        {
            "temp": (("time", "lat", "lon"), temp, {"units": "K", "long_name": "temperature"}),
            "precip": (("time", "lat", "lon"), rng.uniform(0, 10, (nt, ny, nx)), {"units": "mm"}),
            "count": (("lat", "lon"), np.arange(ny * nx, dtype="i4").reshape(ny, nx)),
        },
        coords={
            "time": pd.date_range("2000-01-01", periods=nt, freq="D"),
            "lat": ("lat", lat, {"units": "degrees_north"}),
            "lon": ("lon", lon),
            "area": (("lat", "lon"), np.outer(np.cos(np.deg2rad(lat)), np.ones(nx))),
        },
        attrs={"title": "tessera fixture", "version": 3},
    )
    ds["temp"].encoding = {"_FillValue": np.float32(np.nan)}
    # int16 packing with scale/offset/_FillValue
    ds["packed"] = ds["precip"].copy()
    ds["packed"].values[1, 1, 1] = np.nan
    ds["packed"].encoding = {"dtype": "int16", "scale_factor": 0.01, "add_offset": 5.0, "_FillValue": -32767}
    ds["time"].encoding = {"units": "hours since 2000-01-01 00:00:00", "calendar": "proleptic_gregorian", "dtype": "int64"}
    return ds


def cftime_dataset(calendar, units):
    import cftime
    times = xr.date_range("2001-01-01", periods=6, freq="15D", calendar=calendar, use_cftime=True)
    ds = xr.Dataset(
        {"v": (("time",), np.arange(6, dtype="f8"))},
        coords={"time": times},
    )
    ds["time"].encoding = {"units": units, "calendar": calendar}
    return ds


def encodings(ds, comp, fmt):
    enc = {}
    for name in ds.variables:
        e = dict(ds[name].encoding)
        e["compressors"] = comp
        if name in ("temp", "precip", "packed"):
            e["chunks"] = (4, 3, 4)
        enc[name] = e
    return enc


def describe(ds):
    out = {"dims": {k: int(v) for k, v in ds.sizes.items()}, "attrs": jsonable(ds.attrs),
           "coords": list(ds.coords), "indexes": list(ds.indexes), "vars": {}}
    for name, v in ds.variables.items():
        vals = v.values
        if vals.dtype.kind == "M":
            vals = vals.astype("datetime64[us]").astype("i8")
            dtype = "datetime64"
        elif vals.dtype.kind == "O":  # cftime
            import cftime
            vals = np.array([cftime.date2num(t, "microseconds since 1970-01-01", calendar=t.calendar) for t in vals.ravel()], dtype="i8").reshape(vals.shape)
            dtype = "cftime"
        else:
            dtype = str(vals.dtype)
        flat = vals.ravel().tolist()
        flat = [None if (isinstance(x, float) and np.isnan(x)) else x for x in flat]
        out["vars"][name] = {"dims": list(v.dims), "dtype": dtype, "shape": list(v.shape),
                             "values": flat, "attrs": jsonable(v.attrs)}
    return out


def jsonable(attrs):
    res = {}
    for k, v in attrs.items():
        if isinstance(v, np.ndarray):
            v = v.tolist()
        elif isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float) and np.isnan(v):
            v = "NaN"
        res[k] = v
    return res


def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    expected = {}
    ds = base_dataset()
    stores = {
        "v2_blosc_lz4.zarr": (2, Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE), True),
        "v2_zstd.zarr": (2, Zstd(level=3), False),
        "v3_zstd.zarr": (3, zarr.codecs.ZstdCodec(level=3), True),
        "v3_zstd_unconsolidated.zarr": (3, zarr.codecs.ZstdCodec(level=3), False),
    }
    for name, (fmt, comp, cons) in stores.items():
        path = os.path.join(OUT, name)
        ds.to_zarr(path, zarr_format=fmt, consolidated=cons, encoding=encodings(ds, comp, fmt), mode="w")
    # a missing chunk: the second time-chunk of temp in the v2 zstd store
    os.remove(os.path.join(OUT, "v2_zstd.zarr", "temp", "1.0.0"))
    for cal, units in [("noleap", "days since 2001-01-01"), ("360_day", "hours since 2000-12-30 06:00:00")]:
        for fmt in (2, 3):
            name = f"v{fmt}_{cal}.zarr"
            cds = cftime_dataset(cal, units)
            cds.to_zarr(os.path.join(OUT, name), zarr_format=fmt, mode="w")
            stores[name] = (fmt, None, True)
    for name in stores:
        path = os.path.join(OUT, name)
        raw = xr.open_zarr(path, decode_cf=False)
        dec = xr.open_zarr(path, use_cftime=("noleap" in name or "360" in name) or None)
        expected[name] = {"raw": describe(raw), "decoded": describe(dec)}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, allow_nan=False)


if __name__ == "__main__":
    main()
