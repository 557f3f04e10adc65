"""Checks that xarray reads a store the way tessera does.

usage: python3 scripts/zarr_check.py <store> <expected.json>

expected.json describes the store as tessera reads it with decode_cf=False, in the
format of scripts/zarr_fixtures.py (dims, coords, attrs, vars with dims, dtype,
shape, flat values with null for NaN, attrs). Exits 1 with the differences."""
import json, math, os, sys, warnings

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(__file__))
import xarray as xr  # noqa: E402
from zarr_fixtures import describe  # noqa: E402


def same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return a == b or abs(a - b) <= 1e-6 * max(abs(a), abs(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def main(store, expected_path):
    want = json.load(open(expected_path))
    got = describe(xr.open_zarr(store, decode_cf=False))
    errors = []
    for key in ("dims", "attrs"):
        if not same(got[key], want[key]) and got[key] != want[key]:
            errors.append(f"{key}: xarray {got[key]} tessera {want[key]}")
    if set(got["coords"]) != set(want["coords"]):
        errors.append(f"coords: xarray {got['coords']} tessera {want['coords']}")
    if set(got["vars"]) != set(want["vars"]):
        errors.append(f"variables: xarray {sorted(got['vars'])} tessera {sorted(want['vars'])}")
    for name, w in want["vars"].items():
        g = got["vars"].get(name)
        if g is None:
            continue
        for key in ("dims", "dtype", "shape"):
            if g[key] != w[key]:
                errors.append(f"{name}.{key}: xarray {g[key]} tessera {w[key]}")
        if set(g["attrs"]) != set(w["attrs"]) or not all(same(g["attrs"][k], w["attrs"][k]) for k in w["attrs"]):
            errors.append(f"{name}.attrs: xarray {g['attrs']} tessera {w['attrs']}")
        if len(g["values"]) != len(w["values"]) or not all(
            (x is None and y is None) or (x is not None and y is not None and same(x, y))
            for x, y in zip(g["values"], w["values"])
        ):
            errors.append(f"{name}.values differ: xarray {g['values'][:8]}... tessera {w['values'][:8]}...")
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print(f"xarray agrees on {len(want['vars'])} variables of {store}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
