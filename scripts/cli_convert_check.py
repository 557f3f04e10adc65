#!/usr/bin/env python3
"""Checks a store written by `tessera convert` against xarray's own conversion of the
same files: `xr.open_mfdataset(GLOB).to_zarr(REF)` (encodings of the source kept
except its compressor and chunks), then both stores opened by xarray, CF-decoded and
raw (`decode_cf=False`), must be identical (`xr.testing.assert_identical`: values,
coordinates, dtypes, attributes). Prints OK, or the difference and exits 1.

    python3 scripts/cli_convert_check.py 'DIR/sla_*.nc' OUT.zarr [CHUNKS_JSON]

CHUNKS_JSON, e.g. '{"time": 7, "lat": 3}', is checked against the chunks of OUT.
Used by `tests/cli/convert.rs`.
"""

import glob
import json
import shutil
import sys
import tempfile
import warnings

import xarray as xr


def main():
    pattern, out = sys.argv[1], sys.argv[2]
    chunks = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    warnings.simplefilter("ignore")
    files = sorted(glob.glob(pattern))
    engine = "zarr" if files[0].endswith(".zarr") else "netcdf4"
    ref = xr.open_mfdataset(files, engine=engine)
    for v in ref.variables.values():
        for k in ["compressor", "compressors", "filters", "chunks", "preferred_chunks",
                  "serializer", "zlib", "complevel", "shuffle", "fletcher32", "contiguous",
                  "chunksizes", "szip", "zstd", "bzip2", "blosc", "source", "original_shape"]:
            v.encoding.pop(k, None)
    tmp = tempfile.mkdtemp(prefix="tessera-cli-ref-")
    try:
        ref.to_zarr(tmp + "/ref.zarr", mode="w")
        for decode in (True, False):
            a = xr.open_zarr(tmp + "/ref.zarr", decode_cf=decode).load()
            b = xr.open_zarr(out, decode_cf=decode).load()
            try:
                xr.testing.assert_identical(a, b)
            except AssertionError as e:
                print(f"differs from xarray (decode_cf={decode}): {e}")
                sys.exit(1)
        b = xr.open_zarr(out)
        for name, var in b.data_vars.items():
            for dim, want in chunks.items():
                if dim in var.dims:
                    got = var.encoding["chunks"][var.dims.index(dim)]
                    if got != min(want, var.sizes[dim]):
                        print(f"{name}: chunk along {dim} is {got}, not {want}")
                        sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("OK")


if __name__ == "__main__":
    main()
