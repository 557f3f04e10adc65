"""Writes small Zarr stores (v2 and v3) whose variables are of every kind real stores
hold -- strings (<U, |S, object vlen-utf8/vlen-bytes, v3 string), float16, complex,
native datetime64/timedelta64 data variables, a group -- and one store per codec,
a store with more strings than are read while opening, plus what xarray reads back from each (decoded, as xarray.open_zarr shows it) as JSON.

    python3 scripts/zarr_kinds_fixtures.py OUT_DIR

OUT_DIR/<store>.zarr and OUT_DIR/<store>.json (one JSON per store; a group's JSON is
OUT_DIR/<store>.<group>.json). OUT_DIR/codecs.json lists the codec stores with what
tessera should do with each ("read": values equal xarray's; "unsupported": the open
succeeds and reading names the codec)."""
import json, os, sys, warnings

import numpy as np, pandas as pd, xarray as xr, zarr
import numcodecs

warnings.filterwarnings("ignore")
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)


def altimetry():
    """An altimetry-like dataset: sea level anomaly on (time, lat, lon)."""
    rng = np.random.default_rng(11)
    nt, ny, nx = 6, 4, 5
    sla = (0.1 * rng.standard_normal((nt, ny, nx))).astype("f4")
    sla[0, 0, 0] = np.nan
    ds = xr.Dataset(
        {
            "sla": (("time", "lat", "lon"), sla, {"units": "m", "long_name": "sea level anomaly"}),
            # A scalar: zarr-python writes no `dimension_names` for it in v3.
            "crs": ((), np.int32(0), {"grid_mapping_name": "latitude_longitude"}),
        },
        coords={
            "time": pd.date_range("2020-01-01", periods=nt, freq="D"),
            "lat": ("lat", np.linspace(-30, 30, ny), {"units": "degrees_north"}),
            "lon": ("lon", np.linspace(0, 40, nx).astype("f4"), {"units": "degrees_east"}),
        },
        attrs={"title": "altimetry-like fixture"},
    )
    ds["sla"].encoding = {"chunks": (3, 2, 5), "_FillValue": np.float32(np.nan)}
    ds["time"].encoding = {"units": "days since 2020-01-01", "dtype": "int64"}
    return ds


def add_array(path, fmt, name, data, dims, **kw):
    """An array written by zarr-python itself (as when xarray is told not to encode)."""
    g = zarr.open_group(path, mode="a", zarr_format=fmt)
    if fmt == 2:
        a = g.create_array(name, shape=data.shape, dtype=data.dtype, chunks=data.shape or (), **kw)
        a.attrs["_ARRAY_DIMENSIONS"] = list(dims)
    else:
        a = g.create_array(name, shape=data.shape, dtype=data.dtype, chunks=data.shape or (),
                           dimension_names=list(dims), **kw)
    a[...] = data


def kinds_store(fmt):
    path = os.path.join(OUT, f"kinds_v{fmt}.zarr")
    ds = altimetry()
    nt = ds.sizes["time"]
    ds["platform"] = ("time", np.array(["Jason-3", "Sentinel-6A", "SARAL", "Jason-3", "CryoSat-2", "HY-2B"], dtype="<U11"))
    ds["flag"] = (("time", "lat", "lon"), (ds["sla"].values * 10).astype("f2"))
    ds["flag"].encoding = {"_FillValue": None}
    ds["mission"] = ("time", np.array(["a", "bb", "", "ccc", "dddd", "é"], dtype=object))
    ds.to_zarr(path, zarr_format=fmt, mode="w", consolidated=False)
    rng = np.random.default_rng(3)
    spec = (rng.standard_normal((nt, 3)) + 1j * rng.standard_normal((nt, 3))).astype("c8")
    add_array(path, fmt, "spectrum", spec, ("time", "freq"))
    obs = (np.datetime64("2020-01-01T00:00:00", "ns") + np.arange(nt) * np.timedelta64(90, "m")).astype("M8[ns]")
    obs[2] = np.datetime64("NaT")
    add_array(path, fmt, "obs_time", obs, ("time",))
    add_array(path, fmt, "obs_time_s", obs.astype("M8[s]"), ("time",))
    add_array(path, fmt, "lag", (np.arange(nt) * np.timedelta64(15, "s")).astype("m8[s]"), ("time",))
    add_array(path, fmt, "lag_ns", (np.arange(nt) * np.timedelta64(1500, "us")).astype("m8[ns]"), ("time",))
    if fmt == 2:
        add_array(path, fmt, "platform_bytes", np.array([b"J3", b"S6A", b"SRL", b"J3", b"C2", b"H2B"], dtype="|S3"), ("time",))
    # a group beside the root variables
    sub = xr.Dataset({"swh": (("time",), np.arange(nt, dtype="f8"), {"units": "m"})})
    sub.to_zarr(path, group="waves", zarr_format=fmt, mode="a", consolidated=False)
    zarr.consolidate_metadata(path)
    dump(path, f"kinds_v{fmt}")
    dump(path, f"kinds_v{fmt}", group="waves")
    dump(path, f"kinds_v{fmt}", decode_times=False)


def strings_v3():
    """v3 string kinds: the `string` data type, and what zarr-python 3 writes for <U."""
    path = os.path.join(OUT, "strings_v3.zarr")
    g = zarr.open_group(path, mode="w", zarr_format=3)
    for name, data in [
        ("vlen", np.array(["x", "yy", "zzz"], dtype=object)),
        ("fixed", np.array(["ab", "cde", "f"], dtype="<U3")),
    ]:
        dt = str if name == "vlen" else data.dtype
        a = g.create_array(name, shape=data.shape, dtype=dt, chunks=(2,), dimension_names=["n"])
        a[...] = data
    zarr.consolidate_metadata(path)
    dump(path, "strings_v3")


def big_strings():
    """More strings than are read while opening (2^20): the variable opens opaque."""
    path = os.path.join(OUT, "big_strings.zarr")
    zarr.open_group(path, mode="w", zarr_format=2)
    n = (1 << 20) + 1
    add_array(path, 2, "label", np.full(n, "a", dtype="<U1"), ("n",))
    add_array(path, 2, "value", np.arange(n, dtype="f4"), ("n",))
    zarr.consolidate_metadata(path)


def codec_stores():
    from numcodecs import (BZ2, GZip, LZ4, Blosc, Delta, FixedScaleOffset, Shuffle, Zlib, Zstd, BitRound)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((8, 6)).astype("f4")
    y = np.arange(48, dtype="i4").reshape(8, 6)
    ds = xr.Dataset({"x": (("a", "b"), x), "y": (("a", "b"), y)})
    cases = {
        "zlib": dict(compressors=[Zlib(level=5)]),
        "gzip": dict(compressors=[GZip(level=5)]),
        "bz2": dict(compressors=[BZ2(level=5)]),
        "zstd": dict(compressors=[Zstd(level=3)]),
        "shuffle_zstd": dict(filters=[Shuffle(elementsize=4)], compressors=[Zstd(level=1)]),
        "bitround": dict(filters=[BitRound(keepbits=10)], compressors=[Zstd(level=1)], only="x"),
        "fixedscaleoffset": dict(filters=[FixedScaleOffset(offset=0, scale=1000, dtype="<f4", astype="<i4")], compressors=[Zlib()], only="x"),
        "lz4": dict(compressors=[LZ4()]),
        "delta": dict(filters=[Delta(dtype="<i4")], compressors=[Zlib()], only="y"),
    }
    for cname in ["lz4", "lz4hc", "zstd", "zlib", "blosclz"]:
        for shuffle, sname in [(Blosc.NOSHUFFLE, "noshuffle"), (Blosc.SHUFFLE, "shuffle"), (Blosc.BITSHUFFLE, "bitshuffle")]:
            cases[f"blosc_{cname}_{sname}"] = dict(compressors=[Blosc(cname=cname, clevel=5, shuffle=shuffle)])
    try:
        from numcodecs.pcodec import PCodec
        cases["pcodec"] = dict(compressors=[PCodec()])
    except Exception as e:  # the pcodec wheel is optional
        print("no PCodec:", e)
    try:
        from numcodecs.zfpy import ZFPY
        import zfpy  # noqa: F401
        cases["zfpy"] = dict(compressors=[ZFPY(mode=4, tolerance=-1, rate=-1, precision=-1)], only="x")
    except Exception as e:
        print("no ZFPY:", e)
    listing = {}
    supported_by_zarrs = {"lz4": False, "delta": False}
    for name, c in cases.items():
        path = os.path.join(OUT, f"codec_{name}.zarr")
        only = c.pop("only", None)
        sub = ds[[only]] if only else ds
        enc = {v: dict(c, chunks=(4, 3)) for v in sub.data_vars}
        sub.to_zarr(path, zarr_format=2, mode="w", encoding=enc)
        dump(path, f"codec_{name}")
        codec = name if name in supported_by_zarrs else None
        listing[f"codec_{name}"] = {"expect": "unsupported" if codec else "read", "codec": codec}
        if name == "zfpy":  # read only by a build with tessera's `zfp` feature
            listing[f"codec_{name}"] = {"expect": "read", "codec": "zfpy", "feature": "zfp"}
    # v3: the core codecs and sharding
    from zarr.codecs import BloscCodec, GzipCodec, ShardingCodec, ZstdCodec, BytesCodec
    v3cases = {
        "v3_zstd": dict(compressors=[ZstdCodec(level=3)]),
        "v3_gzip": dict(compressors=[GzipCodec(level=5)]),
        "v3_blosc": dict(compressors=[BloscCodec(cname="lz4", clevel=5, shuffle="bitshuffle")]),
        "v3_sharding": dict(shards=(8, 6), compressors=[ZstdCodec(level=1)]),
    }
    try:
        import zfpy  # noqa: F401
        from zarr.codecs.numcodecs import ZFPY as ZFPY3
        v3cases["v3_zfpy"] = dict(serializer=ZFPY3(mode=4), compressors=None, only="x")
    except Exception as e:
        print("no v3 ZFPY:", e)
    for name, c in v3cases.items():
        path = os.path.join(OUT, f"codec_{name}.zarr")
        only = c.pop("only", None)
        sub = ds[[only]] if only else ds
        enc = {v: dict(c, chunks=(4, 3)) for v in sub.data_vars}
        sub.to_zarr(path, zarr_format=3, mode="w", encoding=enc)
        dump(path, f"codec_{name}")
        listing[f"codec_{name}"] = {"expect": "read", "codec": None}
        if "zfpy" in name:
            listing[f"codec_{name}"] = {"expect": "read", "codec": "numcodecs.zfpy", "feature": "zfp"}
    with open(os.path.join(OUT, "codecs.json"), "w") as f:
        json.dump(listing, f, indent=1)


def dump(path, label, group=None, decode_times=True):
    ds = xr.open_zarr(path, group=group, decode_times=decode_times)
    out = {"dims": {k: int(v) for k, v in ds.sizes.items()}, "attrs": jsonable(ds.attrs),
           "coords": list(ds.coords), "vars": {}}
    for name, v in ds.variables.items():
        vals = v.values
        kind = vals.dtype.kind
        if kind == "M":
            vals = vals.astype("datetime64[us]").astype("i8")
            flat = [None if x == np.iinfo("i8").min else x for x in vals.ravel().tolist()]
            dtype = "datetime64"
        elif kind == "m":
            vals = vals.astype("timedelta64[us]").astype("i8")
            flat = vals.ravel().tolist()
            dtype = "timedelta64"
        elif kind in "OUST":
            flat = [x.decode() if isinstance(x, bytes) else str(x) for x in vals.ravel().tolist()]
            dtype = "str"
        elif kind == "c":
            flat = []
            dtype = str(vals.dtype)
        else:
            flat = vals.ravel().tolist()
            flat = [None if (isinstance(x, float) and np.isnan(x)) else x for x in flat]
            dtype = str(vals.dtype)
        out["vars"][name] = {"dims": list(v.dims), "dtype": dtype, "shape": list(v.shape),
                             "values": flat, "attrs": jsonable(v.attrs)}
    suffix = f".{group}" if group else ""
    if not decode_times:
        suffix += ".raw_times"
    with open(os.path.join(OUT, f"{label}{suffix}.json"), "w") as f:
        json.dump(out, f, indent=1)


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


if __name__ == "__main__":
    kinds_store(2)
    kinds_store(3)
    strings_v3()
    big_strings()
    codec_stores()
