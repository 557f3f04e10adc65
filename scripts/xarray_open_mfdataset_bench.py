"""Times `xarray.open_mfdataset` on the files of `benches/open_mfdataset.rs` (written by
`scripts/mf_fixtures.py OUT_DIR 1000`), for BENCHMARKS.md's "Opening many files".

    python3 scripts/xarray_open_mfdataset_bench.py target/bench-mf [REPEATS]

For the netCDF files (engine netcdf4) and the Zarr stores (engine zarr), with
`parallel=False` and `parallel=True` (dask's default threaded scheduler): the time to
open the glob by coordinates (xarray's defaults), and the time to open and compute
the mean of `sla` (the first compute). Prints the best and the median of REPEATS
(default 3) runs of each, in seconds.
"""

import os
import statistics
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


def main():
    warnings.simplefilter("ignore")
    out = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(f"xarray {xr.__version__}, dask {dask.__version__}, {os.cpu_count()} cpus")
    for kind, engine, ext in (("nc", "netcdf4", "nc"), ("zarr", "zarr", "zarr")):
        glob = os.path.join(out, kind, f"sla_*.{ext}")
        for parallel in (False, True):

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

            print(f"{kind} files: {open_only()} time steps")
            best, med = timed(open_only, repeats)
            print(f"{kind:4} parallel={parallel!s:5} open          best {best:.2f} s  median {med:.2f} s")
            best, med = timed(open_and_mean, repeats)
            print(f"{kind:4} parallel={parallel!s:5} open+mean(sla) best {best:.2f} s  median {med:.2f} s")


if __name__ == "__main__":
    main()
