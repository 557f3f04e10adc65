//! Opening a Zarr group as a lazy [`Dataset`].

use std::collections::BTreeMap;
use std::sync::Arc;

use super::ZarrSource;
use super::array::{ArrayInfo, open_array};
use super::meta::{meta_error, read_group};
use crate::engine::LazyArray;
use crate::io::OpenOptions;
use crate::io::decode::decode_opened;
use crate::io::store::open_store;
use crate::labelled::{Dataset, Variable};
use crate::{Error, Result};

/// Opens a Zarr group (v2 or v3) by URL and decodes it with CF conventions, like
/// `xarray.open_zarr(url)`. Nothing but metadata and dimension coordinates is read.
///
/// ```no_run
/// let ds = tessera::open_zarr("s3://bucket/era5.zarr")?;
/// let t = ds.get("t2m")?;
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn open_zarr(url: &str) -> Result<Dataset> {
    open_zarr_with(url, &OpenOptions::default())
}

/// [`open_zarr`] with options: chunks, CF decoding, a group, variables to drop,
/// consolidated metadata.
///
/// ```no_run
/// use tessera::io::OpenOptions;
/// let raw = tessera::open_zarr_with("data.zarr", &OpenOptions::raw().chunk("time", 100))?;
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn open_zarr_with(url: &str, opts: &OpenOptions) -> Result<Dataset> {
    let url = match opts.group_path() {
        Some(g) => format!("{}/{g}", url.trim_end_matches('/')),
        None => url.to_string(),
    };
    let raw = open_raw(&url, opts)?;
    decode_opened(raw, opts.decode.as_ref())
}

fn open_raw(url: &str, opts: &OpenOptions) -> Result<Dataset> {
    let store = open_store(url, false)?;
    let group = read_group(&store, opts.consolidated)?;
    let infos: Vec<ArrayInfo> = group
        .arrays
        .iter()
        .filter(|e| !opts.drop_variables.contains(&e.name))
        .map(|e| open_array(&store, e, group.format))
        .collect::<Result<_>>()?;
    let mut sizes: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for info in &infos {
        for (d, &n) in info.dims.iter().zip(&info.shape) {
            match sizes.get(d.as_str()) {
                Some(&(m, other)) if m != n => {
                    return Err(meta_error(
                        &store,
                        &info.name,
                        format!(
                            "dimension {d:?} has length {n} here but {m} in array {other:?}: inconsistent dimension names"
                        ),
                    ));
                }
                _ => {
                    sizes.insert(d, (n, &info.name));
                }
            }
        }
    }
    for (dim, _) in &opts.chunks {
        if !sizes.contains_key(dim.as_str()) {
            return Err(Error::UnknownDimension {
                dim: dim.clone(),
                dims: sizes.keys().map(|s| s.to_string()).collect(),
            });
        }
    }
    let mut ds = Dataset::new();
    *ds.attrs_mut() = group.attrs.clone();
    for info in infos {
        let chunk: Vec<usize> = info
            .dims
            .iter()
            .zip(&info.chunk)
            .map(|(d, &c)| match opts.chunks.iter().find(|(n, _)| n == d) {
                // Whole store chunks: the largest multiple not above the request.
                Some(&(_, want)) => (want / c).max(1) * c,
                None => c,
            })
            .collect();
        let name = info.name.clone();
        let dims = info.dims.clone();
        let attrs = info.attrs.clone();
        let source = ZarrSource::new(info, url, &chunk)?;
        let var = Variable::new(dims.clone(), LazyArray::from_source(Arc::new(source)))?
            .with_attrs(attrs);
        if dims.len() == 1 && dims[0] == name {
            ds.insert_coord(name, var)?;
        } else {
            ds.insert(name, var)?;
        }
    }
    Ok(ds)
}
