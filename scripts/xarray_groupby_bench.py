#!/usr/bin/env python3
"""xarray + dask side of `cargo bench --bench groupby_zarr`: the monthly climatology and
the std of the anomalies from it, in one `dask.compute`, on the store that bench writes.
Prints the best of three runs and the peak RSS.

    cargo bench --bench groupby_zarr && python3 scripts/xarray_groupby_bench.py
"""

import resource
import sys
import time

import dask
import xarray as xr

store = sys.argv[1] if len(sys.argv) > 1 else "target/bench-groupby/sla.zarr"
sla = xr.open_zarr(store).sla
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    g = sla.groupby("time.month")
    clim = g.mean()
    anomaly_std = (g - clim).std("time")
    dask.compute(clim, anomaly_std)
    best = min(best, time.perf_counter() - start)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"xarray {xr.__version__} + dask: climatology + anomaly std {best:.3f} s, peak RSS {peak:.0f} MiB")
