//! Opening a Zarr group as a lazy [`Dataset`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::array::{ArrayInfo, open_array};
use super::meta::{meta_error, read_group};
use super::{OpenOptions, ZarrSource};
use crate::engine::LazyArray;
use crate::io::store::open_store;
use crate::labelled::cf::decode_cf;
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

/// [`open_zarr`] with options: chunks, CF decoding, consolidated metadata.
///
/// ```no_run
/// use tessera::io::OpenOptions;
/// let raw = tessera::open_zarr_with("data.zarr", &OpenOptions::raw().chunk("time", 100))?;
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn open_zarr_with(url: &str, opts: &OpenOptions) -> Result<Dataset> {
    let raw = open_raw(url, opts)?;
    match &opts.decode {
        None => Ok(raw),
        Some(decode) => promote_coordinates(&decode_cf(&raw, decode)?),
    }
}

fn open_raw(url: &str, opts: &OpenOptions) -> Result<Dataset> {
    let store = open_store(url, false)?;
    let group = read_group(&store, opts.consolidated)?;
    let infos: Vec<ArrayInfo> = group
        .arrays
        .iter()
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

/// Variables named in a `coordinates` attribute (of a data variable or the dataset)
/// become coordinates, as xarray's `decode_coords=True`; the attribute moves to the
/// variable's encoding. A no-op when CF decoding already did it.
fn promote_coordinates(ds: &Dataset) -> Result<Dataset> {
    let listed = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_str)
            .map(|s| s.split_whitespace().map(String::from).collect())
            .unwrap_or_default()
    };
    let mut names: Vec<String> = listed(ds.attrs().get("coordinates"));
    for (_, var) in ds.data_vars() {
        names.extend(listed(var.attrs().get("coordinates")));
    }
    let data_names = ds.data_var_names();
    names.retain(|n| data_names.contains(n));
    // Many variables list the same coordinates: keep each name once, in order.
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    let mut out = ds.clone();
    if !names.is_empty() {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        out = ds.drop_vars(&refs)?;
        for n in &names {
            if let Some((_, var)) = ds.data_vars().find(|(k, _)| *k == n) {
                out.insert_coord(n.clone(), var.clone())?;
            }
        }
    }
    let with_attr: Vec<(String, Variable)> = out
        .data_vars()
        .filter(|(_, v)| v.attrs().contains_key("coordinates"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (name, var) in with_attr {
        let mut attrs = var.attrs().clone();
        let mut encoding = var.encoding().clone();
        if let Some(c) = attrs.remove("coordinates") {
            encoding.insert("coordinates".into(), c);
        }
        out.insert(name, var.with_attrs(attrs).with_encoding(encoding))?;
    }
    out.attrs_mut().remove("coordinates");
    Ok(out)
}
