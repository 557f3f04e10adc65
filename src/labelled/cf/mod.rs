//! CF conventions: decoding raw stored variables (packed integers, fill values,
//! numeric times) into what users compute with, and encoding them back on write.
//!
//! The raw form is what `xarray.open_zarr(store, decode_cf=False)` shows: stored
//! dtypes and values, with `scale_factor`, `add_offset`, `_FillValue`,
//! `missing_value`, `units`, `calendar`, … still in the attributes. Decoding moves
//! those keys into [`Variable::encoding`](super::Variable::encoding) so that
//! encoding restores them.
//!
//! PLACEHOLDER: decoding and encoding are the identity until the CF work lands.

use super::Dataset;
use crate::Result;

/// What [`decode_cf`] decodes (xarray's `decode_cf` keyword arguments).
#[derive(Clone, Debug)]
pub struct DecodeOptions {
    /// Apply `scale_factor`/`add_offset` and mask `_FillValue`/`missing_value`/valid range.
    pub mask_and_scale: bool,
    /// Decode `<unit> since <date>` variables into datetimes.
    pub decode_times: bool,
    /// Variables left exactly as stored.
    pub skip_variables: Vec<String>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            mask_and_scale: true,
            decode_times: true,
            skip_variables: Vec::new(),
        }
    }
}

/// Decodes every variable and coordinate of a raw dataset (lazily).
pub fn decode_cf(raw: &Dataset, _opts: &DecodeOptions) -> Result<Dataset> {
    Ok(raw.clone())
}

/// Encodes a dataset for storage: the inverse of [`decode_cf`], driven by each
/// variable's encoding.
pub fn encode_cf(ds: &Dataset) -> Result<Dataset> {
    Ok(ds.clone())
}
