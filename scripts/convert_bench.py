#!/usr/bin/env python3
"""Helpers of `scripts/convert_bench.sh` (BENCHMARKS.md, "Converting to analysis-ready
Zarr").

    python3 scripts/convert_bench.py make SRC NT
        writes a Zarr v2 store SRC with float32 v(time=NT, lat=720, lon=1440) chunked
        (1, 720, 1440), zstd level 1, CF coordinates; values are smooth fields plus
        a deterministic ripple (NT=1040: 4.0 GiB decoded)
    python3 scripts/convert_bench.py rechunker SRC DST TMP NT MAX_MEM
        rechunker + dask (threaded scheduler) on the Zarr group to (NT, 30, 30)
        chunks (run it in a virtualenv with rechunker, which needs zarr 2)
    python3 scripts/convert_bench.py compare SRC DST [N]
        xarray reads both; N random whole time series and one whole map must be equal
"""

import sys
import time
import warnings

import numpy as np

NY, NX = 720, 1440


def field(t):
    y = np.linspace(-1, 1, NY, dtype=np.float32)[:, None]
    x = np.linspace(0, 2 * np.pi, NX, dtype=np.float32)[None, :]
    return (np.sin(x + 0.01 * t) * np.cos(3 * y) + 0.001 * t).astype(np.float32)


def make(src, nt):
    import xarray as xr
    import zarr
    from numcodecs import Zstd

    ds = xr.Dataset(
        coords={
            "time": ("time", np.arange(nt, dtype="float64"), {"units": "days since 2000-01-01"}),
            "lat": ("lat", np.linspace(-89.875, 89.875, NY)),
            "lon": ("lon", np.linspace(0.125, 359.875, NX)),
        }
    )
    enc = {"v": {"chunks": (1, NY, NX), "compressors": [Zstd(level=1)]}}
    tmpl = xr.Dataset(coords=ds.coords)
    import dask.array as da

    tmpl["v"] = (("time", "lat", "lon"), da.zeros((nt, NY, NX), chunks=(1, NY, NX), dtype="float32"))
    tmpl.to_zarr(src, mode="w", zarr_format=2, encoding=enc, compute=False)
    arr = zarr.open_group(src, mode="r+")["v"]
    t0 = time.time()
    for t in range(nt):
        arr[t] = field(t)
    print(f"wrote {src}: {nt} x {NY} x {NX} float32 in {time.time() - t0:.1f} s")


def run_rechunker(src, dst, tmp, nt, max_mem):
    import dask
    import zarr
    from rechunker import rechunk

    group = zarr.open_group(src, mode="r")
    chunks = {"v": (nt, 30, 30), "time": None, "lat": None, "lon": None}
    plan = rechunk(group, chunks, max_mem, dst, temp_store=tmp)
    print(plan)
    with dask.config.set(scheduler="threads"):
        t0 = time.time()
        plan.execute()
    print(f"rechunker: {time.time() - t0:.1f} s")


def compare(src, dst, n):
    import xarray as xr

    a = xr.open_zarr(src, decode_times=False, consolidated=None)
    b = xr.open_zarr(dst, decode_times=False, consolidated=None)
    rng = np.random.default_rng(0)
    for _ in range(n):
        i, j = int(rng.integers(NY)), int(rng.integers(NX))
        x = a.v[:, i, j].values
        y = b.v[:, i, j].values
        assert np.array_equal(x, y), (i, j)
    assert np.array_equal(a.v[len(a.time) // 2].values, b.v[len(b.time) // 2].values)
    for c in ("time", "lat", "lon"):
        assert np.array_equal(a[c].values, b[c].values), c
    print(f"identical: {n} time series, one map, coordinates; chunks {b.v.encoding['chunks']}")


def main():
    warnings.simplefilter("ignore")
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2], int(sys.argv[3]))
    elif cmd == "rechunker":
        run_rechunker(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    elif cmd == "compare":
        compare(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 20)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
