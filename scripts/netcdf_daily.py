#!/usr/bin/env python3
"""Rewrites a Zarr store as the netCDF files a real product ships: one netCDF-4 file
per time step (or per month with --monthly), as Copernicus Marine writes altimetry
(`dt_global_allsat_phy_l4_YYYYMMDD.nc`): variables packed as int32 with
`scale_factor` 1e-4 and `_FillValue`, time as `days since 1950-01-01`, zlib level 4
with shuffle. The examples read the glob of these files and must give the same
`--json` values as xarray's `open_mfdataset` on them.

    python3 scripts/netcdf_daily.py data-fixtures/sea_level.zarr OUT_DIR [--monthly]
"""

import argparse
import os

import numpy as np
import xarray as xr


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("store")
    p.add_argument("out")
    p.add_argument("--monthly", action="store_true")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    ds = xr.open_zarr(args.store).load()
    encoding = {}
    for name, var in ds.data_vars.items():
        if var.dtype.kind == "f" and "time" in var.dims:
            encoding[name] = {
                "dtype": "int32",
                "scale_factor": 1e-4,
                "_FillValue": np.int32(-2147483647),
                "zlib": True,
                "complevel": 4,
                "shuffle": True,
            }
        else:
            encoding[name] = {"zlib": True, "complevel": 4}
    encoding["time"] = {"units": "days since 1950-01-01", "calendar": "standard", "dtype": "float64"}
    if args.monthly:
        months = sorted({str(t)[:7] for t in ds.time.values})
        pieces = [(m.replace("-", ""), ds.sel(time=m)) for m in months]
    else:
        pieces = [
            (str(t)[:10].replace("-", ""), ds.isel(time=[i]))
            for i, t in enumerate(ds.time.values)
        ]
    for stamp, piece in pieces:
        path = os.path.join(args.out, f"dt_global_allsat_phy_l4_{stamp}.nc")
        piece.to_netcdf(path, engine="netcdf4", format="NETCDF4", encoding=encoding,
                        unlimited_dims=["time"])


if __name__ == "__main__":
    main()
