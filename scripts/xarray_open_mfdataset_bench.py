"""Times `xarray.open_mfdataset` on the files of `benches/open_mfdataset.rs` (written by
`scripts/mf_fixtures.py OUT_DIR 1000`), for BENCHMARKS.md's "Opening many files".

    python3 scripts/xarray_open_mfdataset_bench.py target/bench-mf [REPEATS]

For the netCDF files (engine netcdf4) and the Zarr stores (engine zarr), with
`parallel=False` and `parallel=True` (dask's default threaded scheduler): the time to
open the glob by coordinates (xarray's defaults), and the time to open and compute
the mean of `sla` (the first compute). Each configuration runs in its own process;
one that raises is reported as FAILED, one that crashes the interpreter as CRASHED
(netCDF4 with `parallel=True` segfaults on this machine). Prints the best and the median of REPEATS
(default 3) runs of each, in seconds.
"""

import os
import statistics
import subprocess
import sys
import time
import warnings

import dask
import xarray as xr


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def run_one(out, kind, parallel, repeats):
    """Times one configuration (in its own process: see main)."""
    engine, ext = {"nc": ("netcdf4", "nc"), "zarr": ("zarr", "zarr")}[kind]
    glob = os.path.join(out, kind, f"sla_*.{ext}")

    def open_only():
        ds = xr.open_mfdataset(glob, engine=engine, parallel=parallel)
        n = ds.sizes["time"]
        ds.close()
        return n

    def open_and_mean():
        ds = xr.open_mfdataset(glob, engine=engine, parallel=parallel)
        m = float(ds["sla"].mean().compute())
        ds.close()
        return m

    for what, fn in (("open", open_only), ("open+mean(sla)", open_and_mean)):
        try:
            best, med = timed(fn, repeats)
        except Exception as e:  # noqa: BLE001 - a failed run is a result too
            print(f"{kind:4} parallel={parallel!s:5} {what:14} FAILED: {type(e).__name__}: {e}")
            continue
        print(f"{kind:4} parallel={parallel!s:5} {what:14} best {best:.2f} s  median {med:.2f} s", flush=True)


def main():
    warnings.simplefilter("ignore")
    if sys.argv[1] == "--one":
        run_one(sys.argv[2], sys.argv[3], sys.argv[4] == "True", int(sys.argv[5]))
        return
    out = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(f"xarray {xr.__version__}, dask {dask.__version__}, {os.cpu_count()} cpus")
    for kind in ("nc", "zarr"):
        for parallel in (False, True):
            # Each configuration in its own process: netCDF4-python on dask's threads
            # (parallel=True) can crash the interpreter inside netCDF-C/HDF5, which are
            # not thread-safe, and the other figures must still come out.
            args = [sys.executable, __file__, "--one", out, kind, str(parallel), str(repeats)]
            rc = subprocess.run(args).returncode
            if rc != 0:
                print(f"{kind:4} parallel={parallel!s:5} CRASHED (exit status {rc})", flush=True)


if __name__ == "__main__":
    main()
