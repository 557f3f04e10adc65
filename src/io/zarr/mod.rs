//! Zarr v2 and v3 groups, read and written with xarray's conventions.
//!
//! [`open_zarr`] builds the dataset `xarray.open_zarr(store, decode_cf=False)` shows
//! (stored dtypes and values, attributes as stored with the fill value as
//! `_FillValue`, variables named like a dimension as coordinates) and then decodes it
//! with [`decode_cf`](crate::labelled::cf::decode_cf). Every variable is lazy: its
//! chunks are the store's chunks, read and decoded in parallel when computed.
//! [`Dataset::to_zarr`](crate::labelled::Dataset::to_zarr) writes one.

mod array;
mod meta;
mod read;
mod source;
mod write;

use std::ops::Range;

pub use read::{open_zarr, open_zarr_with};
pub(crate) use source::ZarrSource;

use crate::engine::Compute;
use crate::labelled::cf::DecodeOptions;

/// Whether to use consolidated metadata when opening.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Consolidated {
    /// Use it when present, list the store otherwise (xarray's default).
    #[default]
    Auto,
    /// Require it.
    On,
    /// Ignore it and list the store.
    Off,
}

/// Options of [`open_zarr_with`].
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// Engine chunk length per dimension (`chunks={"time": 100}`), rounded to whole
    /// store chunks; other dimensions keep the store's chunks.
    pub chunks: Vec<(String, usize)>,
    /// CF decoding; `None` returns the raw stored variables (`decode_cf=False`).
    pub decode: Option<DecodeOptions>,
    /// Consolidated metadata use.
    pub consolidated: Consolidated,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            chunks: vec![],
            decode: Some(DecodeOptions::default()),
            consolidated: Consolidated::Auto,
        }
    }
}

impl OpenOptions {
    /// Raw variables, as `decode_cf=False`.
    pub fn raw() -> Self {
        Self {
            decode: None,
            ..Self::default()
        }
    }

    /// Sets the chunk length along one dimension.
    pub fn chunk(mut self, dim: impl Into<String>, len: usize) -> Self {
        self.chunks.push((dim.into(), len));
        self
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
    /// Zarr format, 2 or 3 (default 3).
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
            zarr_format: 3,
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
}
