"""Seed corpus of the fuzz targets in fuzz/ (see scripts/README.md and fuzz/README.md).

Writes fuzz/corpus/<target>/seed-*: valid inputs each target starts mutating from, made
from the Zarr fixtures in data-fixtures/zarr (metadata and real chunks) and chunks encoded
by numcodecs. Deterministic; rerun after changing a target's input layout.
"""

import json
import pathlib

import numcodecs
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIX = ROOT / "data-fixtures" / "zarr"
OUT = ROOT / "fuzz" / "corpus"


def write(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data)


def first_chunk(array_dir):
    chunks = sorted(p for p in array_dir.rglob("*") if p.is_file() and not p.name.startswith((".", "zarr.json")))
    return chunks[0].read_bytes() if chunks else b""


def v2_seeds():
    for store in ["v2_zstd.zarr", "v2_blosc_lz4.zarr", "v2_noleap.zarr"]:
        zm = FIX / store / ".zmetadata"
        zmeta = zm.read_bytes() if zm.exists() else b"{}"
        for arr in sorted(p for p in (FIX / store).iterdir() if p.is_dir()):
            zarray = (arr / ".zarray").read_bytes()
            zattrs = (arr / ".zattrs").read_bytes() if (arr / ".zattrs").exists() else b"{}"
            chunk = first_chunk(arr)
            if len(chunk) > 4096:
                chunk = b""
            name = f"{store[:-5]}-{arr.name}"
            write("zarr_v2_metadata", name, b"\0".join([zarray, zattrs, zmeta, chunk]))
            write("zarr_v2_metadata", name + "-listing", b"\0".join([zarray, zattrs]))


def v3_seeds():
    for store in ["v3_zstd.zarr", "v3_noleap.zarr", "v3_zstd_unconsolidated.zarr"]:
        root = (FIX / store / "zarr.json").read_bytes()
        for arr in sorted(p for p in (FIX / store).iterdir() if p.is_dir()):
            meta = (arr / "zarr.json").read_bytes()
            chunk = first_chunk(arr)
            if len(chunk) > 4096:
                chunk = b""
            name = f"{store[:-5]}-{arr.name}"
            write("zarr_v3_metadata", name, b"\0".join([meta, b"", chunk]))
            if "unconsolidated" not in store:
                write("zarr_v3_metadata", name + "-root", b"\0".join([meta, root, chunk]))


def chunk_seeds():
    # (chain index in src/fuzzing.rs CHAINS, codec) for the v2 chains numcodecs can encode
    data = {
        0: np.arange(30, dtype="<f4").reshape(6, 5) / 7,
        1: np.arange(30, dtype="<f8").reshape(6, 5) * 1e5,
        2: np.arange(30, dtype="<i2").reshape(6, 5) - 15,
        3: np.arange(30, dtype="|u1").reshape(6, 5),
    }
    codecs = {
        0: None,
        1: numcodecs.Zstd(level=1),
        2: numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1),
        3: numcodecs.GZip(level=1),
        4: numcodecs.Zlib(level=1),
        5: numcodecs.BZ2(level=1),
    }
    for c, codec in codecs.items():
        for t, a in data.items():
            raw = a.tobytes()
            enc = raw if codec is None else codec.encode(raw)
            write("zarr_chunk", f"v2-{c}-{t}", bytes([c, t]) + bytes(enc))
    # v3 little-endian bytes codec (chain 8), and a zstd frame for chain 9 (big endian)
    for t, a in data.items():
        write("zarr_chunk", f"v3-8-{t}", bytes([8, t]) + a.tobytes())
        be = a.astype(a.dtype.newbyteorder(">")).tobytes()
        write("zarr_chunk", f"v3-9-{t}", bytes([9, t]) + numcodecs.Zstd(level=1).encode(be))


CF = [
    {"units": "days since 2000-01-01", "calendar": "noleap"},
    {"units": "hours since 1900-01-01T00:00:00Z", "calendar": "standard"},
    {"units": "seconds since 0001-01-01 00:00:00", "calendar": "360_day"},
    {"units": "microseconds since 1970-01-01", "calendar": "proleptic_gregorian"},
    {"units": "months since 2000-01", "calendar": "julian"},
    {"units": "days", "dtype": "timedelta64[ns]"},
    {"scale_factor": 0.01, "add_offset": 273.15, "_FillValue": -32767},
    {"scale_factor": "0.5", "add_offset": None, "_FillValue": "NaN"},
    {"_FillValue": [1, 2], "missing_value": [-1, 100]},
    {"valid_range": [0, 50], "valid_min": -5, "valid_max": True},
    {"_FillValue": 1e300, "scale_factor": 1e-300, "units": "K"},
    {"units": "days since 2000-13-45", "calendar": "all_leap"},
]

STRINGS = [
    "2000-01-15", "2000-01|2000-03", "2001-02-28T12:30:00", "1999-12", "2000",
    "2000-02-30", "2000-01-01 00:00:00.5|2000-12-31", "QS-MAR", "1D", "MS", "6h",
    "QE-DEC", "YS", "2W", "ME", "https://user:pass@host/x.zarr?sig=abc&sv=1",
    "s3://bucket/x.zarr", "-0001-01-01", "10000-01-01",
]


def main():
    v2_seeds()
    v3_seeds()
    chunk_seeds()
    for i, attrs in enumerate(CF):
        write("cf_attributes", str(i), json.dumps(attrs).encode())
    for i, s in enumerate(STRINGS):
        write("user_strings", str(i), s.encode())
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"{sum(1 for p in OUT.rglob('*') if p.is_file())} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
