//! Opening a Zarr group as a lazy [`Dataset`].

use std::collections::BTreeMap;
use std::sync::Arc;

use zarrs::array::{ArrayBytes, CodecOptions};

use super::ZarrSource;
use super::array::{ArrayInfo, open_array};
use super::kinds::Kind;
use super::meta::{meta_error, read_group};
use crate::Result;
use crate::engine::LazyArray;
use crate::io::OpenOptions;
use crate::io::decode::decode_opened;
use crate::io::store::{Store, open_store};
use crate::labelled::{Attrs, Dataset, OpaqueSource, Variable};

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
    open_raw_store(&open_store(url, false)?, opts)
}

/// The raw (not CF-decoded) dataset of the group at the root of `store`.
pub(crate) fn open_raw_store(store: &Store, opts: &OpenOptions) -> Result<Dataset> {
    let store = store.clone();
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
    opts.check_chunk_dims(sizes.keys().copied())?;
    let mut ds = Dataset::new();
    *ds.attrs_mut() = group.attrs.clone();
    for info in infos {
        let chunk: Vec<usize> = info
            .dims
            .iter()
            .zip(&info.chunk)
            .map(|(d, &c)| opts.engine_chunk(d, c))
            .collect();
        let name = info.name.clone();
        let dims = info.dims.clone();
        let attrs = info.attrs.clone();
        let readable = match (&info.unreadable, &info.kind) {
            (Some(why), _) => Err(why.clone()),
            (None, Kind::Strings { utf32 }) => read_strings(&info, *utf32),
            (None, _) => Ok(Variable::new(
                dims.clone(),
                LazyArray::from_source(Arc::new(ZarrSource::new(
                    info.clone(),
                    &store.url,
                    &chunk,
                )?)),
            )?),
        };
        let var = match readable {
            Ok(var) => var.with_attrs(attrs),
            // One array tessera cannot read must not stop the rest from opening: it
            // becomes an opaque variable whose reads fail with `why`.
            Err(why) => {
                let source = OpaqueSource::new(
                    &name,
                    &info.stored_dtype,
                    &why,
                    &store.url,
                    info.dtype,
                    &info.shape,
                    &chunk,
                )?;
                let mut encoding = Attrs::new();
                encoding.insert("dtype".into(), info.stored_dtype.clone().into());
                Variable::opaque(dims.clone(), source)?
                    .with_attrs(attrs)
                    .with_encoding(encoding)
            }
        };
        if dims.len() == 1 && dims[0] == name {
            ds.insert_coord(name, var)?;
        } else {
            ds.insert(name, var)?;
        }
    }
    Ok(ds)
}

/// The number of strings read while opening, as the netCDF reader does; a larger
/// string array opens as an opaque variable.
const MAX_EAGER_STRINGS: usize = 1 << 20;

/// Reads a string array whole into a string [`Variable`] (trailing NULs of fixed-width
/// values removed, bytes decoded as UTF-8 with replacement), or says why not.
fn read_strings(info: &ArrayInfo, utf32: bool) -> std::result::Result<Variable, String> {
    let n: usize = info.shape.iter().product();
    if n > MAX_EAGER_STRINGS {
        return Err(format!(
            "{n} strings: more than the {MAX_EAGER_STRINGS} read while opening"
        ));
    }
    let array = info
        .array
        .as_ref()
        .ok_or("zarrs cannot decode this array")?;
    let bytes: ArrayBytes<'static> = array
        .retrieve_array_subset_opt(&array.subset_all(), &CodecOptions::default())
        .map_err(|e| format!("reading the strings: {e}"))?;
    let values: Vec<String> = match bytes {
        ArrayBytes::Variable(v) => {
            let (data, offsets) = v.into_parts();
            offsets
                .windows(2)
                .map(|w| {
                    data.get(w[0]..w[1])
                        .map_or_else(String::new, |b| String::from_utf8_lossy(b).into_owned())
                })
                .collect()
        }
        ArrayBytes::Fixed(raw) if n > 0 => {
            let width = raw.len() / n;
            if width == 0 {
                vec![String::new(); n]
            } else if utf32 {
                raw.chunks(width)
                    .map(|c| {
                        c.chunks_exact(4)
                            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                            .take_while(|&u| u != 0)
                            .map(|u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
                            .collect()
                    })
                    .collect()
            } else {
                raw.chunks(width)
                    .map(|c| {
                        let end = c.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                        String::from_utf8_lossy(&c[..end]).into_owned()
                    })
                    .collect()
            }
        }
        ArrayBytes::Fixed(_) => vec![],
        ArrayBytes::Optional(_) => return Err("optional (masked) strings are not supported".into()),
    };
    if values.len() != n {
        return Err(format!("{} strings decoded for {n} elements", values.len()));
    }
    let chunks: Vec<usize> = info.shape.iter().map(|&s| s.max(1)).collect();
    Variable::from_strings(info.dims.clone(), &info.shape, values, &chunks)
        .map_err(|e| e.to_string())
}
