"""xarray's side of the edited-metadata test (tests/reliability/edited_metadata.rs):
stores written by one library and edited by the other stay valid for both.

usage:
    python3 scripts/edit_check.py write STORE FORMAT [START N]  # xarray writes a store
                                                         # (zarr 2 or 3; N days from START)
    python3 scripts/edit_check.py edit STORE           # xarray edits a store tessera wrote
    python3 scripts/edit_check.py dump STORE           # what xarray reads (decode_cf=False)

`edit` appends three time steps along `time`, adds a variable `extra`, sets the dataset
attribute `edited_by` and an attribute of `temp`, and consolidates the metadata again;
`write`, `edit` and `dump` print the store as xarray reads it afterwards, in the JSON
form of scripts/zarr_fixtures.py `describe`."""
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(__file__))
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402
import zarr  # noqa: E402
from zarr_fixtures import describe  # noqa: E402


def steps(start, n):
    """`n` days from `start` of a (time, lat) dataset like the Rust test's."""
    time = pd.date_range(start, periods=n, freq="D")
    lat = np.array([-45.0, 0.0, 45.0])
    temp = (np.arange(n * 3, dtype="f4").reshape(n, 3) * 0.5 + 270).astype("f4")
    temp[0, 1] = np.nan
    ds = xr.Dataset({"temp": (("time", "lat"), temp, {"units": "K"})},
                    coords={"time": time, "lat": ("lat", lat, {"units": "degrees_north"})})
    ds.attrs["title"] = "edited-metadata test"
    return ds


def write(store, fmt, start="2000-01-01", n="4"):
    ds = steps(start, int(n))
    enc = {"temp": {"_FillValue": np.float32(-999.0), "chunks": (2, 3)},
           "time": {"units": "days since 2000-01-01", "dtype": "i8", "chunks": (2,)}}
    ds.to_zarr(store, mode="w", zarr_format=int(fmt), encoding=enc, consolidated=True)


def edit(store):
    old = xr.open_zarr(store)
    start = pd.Timestamp(old.time.values[-1]) + pd.Timedelta(days=1)
    more = steps(start, 3)[["temp"]]
    more.to_zarr(store, mode="a", append_dim="time")
    extra = xr.Dataset({"extra": ("lat", np.array([1, 2, 3], dtype="i4"), {"note": "by xarray"})})
    extra.to_zarr(store, mode="a")
    group = zarr.open_group(store, mode="r+")
    group.attrs["edited_by"] = "xarray"
    group["temp"].attrs["long_name"] = "air temperature"
    zarr.consolidate_metadata(store)


def dump(store):
    print(json.dumps(describe(xr.open_zarr(store, decode_cf=False))))


if __name__ == "__main__":
    command, store = sys.argv[1], sys.argv[2]
    if command == "write":
        write(store, *sys.argv[3:])
    elif command == "edit":
        edit(store)
    elif command != "dump":
        sys.exit(f"unknown command {command!r}: write, edit or dump")
    dump(store)
