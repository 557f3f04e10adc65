//! How a store or file is opened: the options xarray's `open_dataset`/`open_zarr` take,
//! shared by every backend.

use crate::labelled::cf::DecodeOptions;

/// Whether to use consolidated metadata when opening a Zarr group.
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

/// Options of [`open_zarr_with`](crate::open_zarr_with) and the netCDF reader: xarray's
/// `chunks`, `decode_cf`/`decode_times`, `group`, `drop_variables` and `consolidated`.
///
/// ```
/// use tessera::io::OpenOptions;
/// let opts = OpenOptions::default()
///     .group("obs")
///     .drop_variables(["crs"])
///     .decode_times(false)
///     .chunk("time", 100);
/// assert_eq!(opts.group.as_deref(), Some("obs"));
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// Engine chunk length per dimension (`chunks={"time": 100}`), rounded to whole
    /// stored chunks; other dimensions keep the stored chunks.
    pub chunks: Vec<(String, usize)>,
    /// CF decoding; `None` returns the raw stored variables (`decode_cf=False`).
    pub decode: Option<DecodeOptions>,
    /// The group to open (`"obs"`, `"a/b"`); `None` opens the root group.
    pub group: Option<String>,
    /// Variables left out of the dataset (xarray's `drop_variables`).
    pub drop_variables: Vec<String>,
    /// Consolidated metadata use (Zarr only).
    pub consolidated: Consolidated,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            chunks: vec![],
            decode: Some(DecodeOptions::default()),
            group: None,
            drop_variables: Vec::new(),
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

    /// Opens this group instead of the root group.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// Leaves these variables out (xarray's `drop_variables`).
    pub fn drop_variables<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.drop_variables
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Whether `<unit> since <date>` variables become datetimes (xarray's
    /// `decode_times`); masking and scaling still apply. No effect on raw options.
    pub fn decode_times(mut self, on: bool) -> Self {
        if let Some(d) = &mut self.decode {
            d.decode_times = on;
        }
        self
    }

    /// The engine chunk length along `dim` whose stored chunk length is `stored`: the
    /// requested length rounded down to whole stored chunks (at least one), or the
    /// stored length when none was requested.
    pub(crate) fn engine_chunk(&self, dim: &str, stored: usize) -> usize {
        match self.chunks.iter().find(|(d, _)| d == dim) {
            Some(&(_, want)) => (want / stored.max(1)).max(1) * stored,
            None => stored,
        }
    }

    /// An error for a `chunks` entry naming no dimension of the opened dataset.
    pub(crate) fn check_chunk_dims<'a>(
        &self,
        dims: impl IntoIterator<Item = &'a str> + Clone,
    ) -> crate::Result<()> {
        for (dim, _) in &self.chunks {
            if !dims.clone().into_iter().any(|d| d == dim) {
                let mut all: Vec<String> = dims.clone().into_iter().map(String::from).collect();
                all.sort();
                all.dedup();
                return Err(crate::Error::UnknownDimension {
                    dim: dim.clone(),
                    dims: all,
                });
            }
        }
        Ok(())
    }

    /// The group path without surrounding slashes; `None` for the root group.
    pub(crate) fn group_path(&self) -> Option<String> {
        self.group
            .as_deref()
            .map(|g| g.trim_matches('/'))
            .filter(|g| !g.is_empty())
            .map(String::from)
    }
}
