#!/usr/bin/env python3
"""Writes `data-fixtures/golden/cli/info.json`: xarray's view of every Zarr fixture in
`data-fixtures/` (the stores under `data-fixtures/zarr/`, `sea_level.zarr`,
`precipitation.zarr`) as `tessera info --json` must show it: dims with sizes, and for
each coordinate and data variable its dims, dtype (as xarray names it:
`datetime64[ns]`, `object` for cftime dates) and shape, plus the dataset attributes.
`tests/cli/info.rs` runs the binary on each fixture and compares. Keys are sorted:
xarray lists coordinates from a set, so their order varies between runs.

    python3 scripts/golden_cli_info.py           # (re)writes the JSON
    python3 scripts/golden_cli_info.py --check   # exit 1 if the committed file is stale
"""

import json
import os
import sys
import warnings

import xarray as xr

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data-fixtures")
OUT = os.path.join(ROOT, "golden", "cli", "info.json")


def fixtures():
    names = sorted(n for n in os.listdir(os.path.join(ROOT, "zarr")) if n.endswith(".zarr"))
    out = [os.path.join("zarr", n) for n in names]
    return out + ["precipitation.zarr", "sea_level.zarr"]


def variable(v):
    return {"dims": list(v.dims), "dtype": str(v.dtype), "shape": list(v.shape)}


def attr(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def view(rel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = xr.open_zarr(os.path.join(ROOT, rel), consolidated=None)
    return {
        "dims": {d: int(n) for d, n in ds.sizes.items()},
        "coords": {n: variable(v) for n, v in ds.coords.items()},
        "data_vars": {n: variable(v) for n, v in ds.data_vars.items()},
        "attrs": {k: attr(v) for k, v in ds.attrs.items()},
    }


def main():
    doc = {
        "generator": "scripts/golden_cli_info.py",
        "xarray_version": xr.__version__,
        "fixtures": {rel: view(rel) for rel in fixtures()},
    }
    text = json.dumps(doc, indent=1, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        with open(OUT) as f:
            if f.read() != text:
                print(f"{os.path.normpath(OUT)} is stale; rerun {sys.argv[0]}")
                sys.exit(1)
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {os.path.normpath(OUT)}: {len(doc['fixtures'])} fixtures")


if __name__ == "__main__":
    main()
