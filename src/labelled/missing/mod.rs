//! Missing data, as xarray's `missing.py`: `where`/`fillna` with arrays, `ffill`/`bfill`
//! with a `limit`, `interpolate_na` along a coordinate with `max_gap`, and `dropna`.
//! All but `dropna` stay lazy; fills across chunk boundaries are engine scans.

pub(crate) mod dropna;
pub(crate) mod fill;
pub(crate) mod interpolate;
pub(crate) mod push;

pub use dropna::How;
pub use interpolate::{FillMethod, InterpolateNa};
