//! Zarr v2 and v3 groups, read and written with xarray's conventions.
//!
//! [`open_zarr`] builds the dataset `xarray.open_zarr(store, decode_cf=False)` shows
//! (stored dtypes and values, attributes as stored with the fill value as
//! `_FillValue`, variables named like a dimension as coordinates) and then decodes it
//! with [`decode_cf`](crate::labelled::cf::decode_cf). Every variable is lazy: its
//! chunks are the store's chunks, read and decoded in parallel when computed.
//! [`Dataset::to_zarr`](crate::labelled::Dataset::to_zarr) writes one.
//!
//! Every array opens, whatever it holds:
//! - engine dtypes as stored; **float16 is widened to float32** on read (the engine
//!   has no half floats; the widening is exact);
//! - strings (v2 `<U`/`|S`, `|O` with the vlen-utf8 or vlen-bytes codec, v3 `string`,
//!   `fixed_length_utf32`, `bytes`) are read while opening into string variables, up
//!   to 2^20 elements (as the netCDF reader does); larger ones are opaque;
//! - numpy `datetime64`/`timedelta64` arrays (v2 `<M8[ns]`, v3 `numpy.datetime64`)
//!   become int64 counts with CF `units` (`microseconds since 1970-01-01` and a
//!   `proleptic_gregorian` calendar for instants, nanoseconds floored to
//!   microseconds), so CF decoding makes instants of them as xarray shows them;
//!   durations keep a `units` attribute naming their unit;
//! - anything else — complex, structured, a time unit without a CF name, a codec
//!   this build lacks — is an opaque variable ([`Variable::opaque`](crate::labelled::Variable::opaque)):
//!   listed with its stored dtype, selectable, and an error naming it when computed.
//!   Writing one back is refused before anything is written.

mod array;
#[cfg(feature = "cli")]
pub(crate) mod facts;
mod kinds;
mod meta;
mod read;
mod source;
mod write;

use std::fmt;
use std::ops::Range;

#[cfg(feature = "zarr")]
pub(crate) use read::open_raw_store;
pub use read::{open_zarr, open_zarr_with};
pub(crate) use source::ZarrSource;
#[cfg(feature = "cli")]
pub(crate) use write::{Prepared, consolidate_url, prepare};

use crate::engine::{Compute, DType};
use crate::{Error, Result};

/// The Zarr format version of a group (zarrs' `ZarrVersion`, zarr-python's `zarr_format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ZarrFormat {
    /// Zarr v2: `.zgroup`, `.zarray`, `.zattrs` and `.zmetadata` documents.
    V2,
    /// Zarr v3: `zarr.json` documents (the default for writing).
    #[default]
    V3,
}

impl ZarrFormat {
    /// The format number, 2 or 3.
    pub fn number(self) -> u8 {
        match self {
            ZarrFormat::V2 => 2,
            ZarrFormat::V3 => 3,
        }
    }

    /// The key of an array's metadata document (`name/.zarray` or `name/zarr.json`).
    pub(crate) fn array_key(self, name: &str) -> String {
        match self {
            ZarrFormat::V2 => format!("{name}/.zarray"),
            ZarrFormat::V3 => format!("{name}/zarr.json"),
        }
    }

    /// How this format writes a dtype: the numpy typestr (`"<f4"`) as v2 `dtype`, the
    /// numpy name (`"float32"`) as v3 `data_type`.
    pub(crate) fn data_type(self, dtype: DType) -> &'static str {
        match self {
            ZarrFormat::V2 => dtype.typestr(),
            ZarrFormat::V3 => dtype.name(),
        }
    }

    /// The dtype of a v2 `dtype` typestr (any byte order) or a v3 `data_type` name.
    pub(crate) fn parse_data_type(self, name: &str) -> Option<DType> {
        match self {
            ZarrFormat::V2 => DType::from_typestr(name),
            ZarrFormat::V3 => DType::ALL.into_iter().find(|d| d.name() == name),
        }
    }
}

impl TryFrom<u8> for ZarrFormat {
    type Error = Error;

    /// 2 or 3, as [`WriteOptions::zarr_format`] and zarr-python's `zarr_format` take it.
    fn try_from(number: u8) -> Result<Self> {
        match number {
            2 => Ok(ZarrFormat::V2),
            3 => Ok(ZarrFormat::V3),
            _ => crate::error::bail!("zarr_format must be 2 or 3, not {number}"),
        }
    }
}

impl From<ZarrFormat> for u8 {
    fn from(format: ZarrFormat) -> u8 {
        format.number()
    }
}

impl fmt::Display for ZarrFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zarr v{}", self.number())
    }
}

/// How [`Dataset::to_zarr`](crate::labelled::Dataset::to_zarr) treats an existing store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WriteMode {
    /// Fail if a group exists (xarray `mode="w-"`).
    #[default]
    Create,
    /// Replace whatever is there (`mode="w"`).
    Overwrite,
    /// Add variables, or extend along `append_dim` (`mode="a"`).
    Append,
}

/// The compressor of written arrays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Compressor {
    /// Zstandard at a level (default 3).
    Zstd(i32),
    /// Blosc with lz4 and byte shuffle at a level.
    BloscLz4(u8),
    /// gzip at a level.
    Gzip(u32),
    /// Uncompressed.
    None,
}

impl Default for Compressor {
    fn default() -> Self {
        Compressor::Zstd(3)
    }
}

/// Options of [`Dataset::to_zarr`](crate::labelled::Dataset::to_zarr).
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// What to do with an existing store.
    pub mode: WriteMode,
    /// Extend variables along this dimension (with [`WriteMode::Append`]).
    pub append_dim: Option<String>,
    /// Write into this part of existing arrays (`region={"time": a..b}`); the bounds
    /// must fall on store chunk boundaries.
    pub region: Vec<(String, Range<usize>)>,
    /// Compressor of new arrays.
    pub compressor: Compressor,
    /// Store chunk length per dimension; by default each variable's engine chunks.
    pub chunks: Vec<(String, usize)>,
    /// Write consolidated metadata (default on).
    pub consolidated: bool,
    /// Zarr format, 2 or 3 (default 3), as xarray's `zarr_format`; any other number is
    /// refused when writing. [`WriteOptions::format`] sets it from a [`ZarrFormat`].
    pub zarr_format: u8,
    /// How chunks are computed and written: threads, memory budget, progress.
    pub compute: Compute,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            mode: WriteMode::Create,
            append_dim: None,
            region: vec![],
            compressor: Compressor::default(),
            chunks: vec![],
            consolidated: true,
            zarr_format: ZarrFormat::default().number(),
            compute: Compute::new(),
        }
    }
}

impl WriteOptions {
    /// Default options with a mode.
    pub fn mode(mode: WriteMode) -> Self {
        Self {
            mode,
            ..Self::default()
        }
    }

    /// Sets the Zarr format of a new store.
    pub fn format(mut self, format: ZarrFormat) -> Self {
        self.zarr_format = format.number();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_convert_from_and_to_their_numbers() {
        for f in [ZarrFormat::V2, ZarrFormat::V3] {
            assert_eq!(ZarrFormat::try_from(f.number()).unwrap(), f);
            assert_eq!(WriteOptions::default().format(f).zarr_format, u8::from(f));
        }
        assert_eq!(WriteOptions::default().zarr_format, 3);
        assert_eq!(
            ZarrFormat::try_from(4).unwrap_err().to_string(),
            "invalid argument: zarr_format must be 2 or 3, not 4"
        );
    }

    #[test]
    fn data_types_parse_in_both_spellings() {
        for d in DType::ALL {
            for f in [ZarrFormat::V2, ZarrFormat::V3] {
                assert_eq!(f.parse_data_type(f.data_type(d)), Some(d));
            }
        }
        assert_eq!(ZarrFormat::V2.parse_data_type(">f8"), Some(DType::F64));
        assert_eq!(ZarrFormat::V2.parse_data_type("float64"), None);
        assert_eq!(ZarrFormat::V2.parse_data_type("<U4"), None);
        assert_eq!(ZarrFormat::V3.parse_data_type("<f8"), None);
        assert_eq!(ZarrFormat::V3.parse_data_type("complex64"), None);
    }
}
