//! Writing a [`Dataset`] as a Zarr group: `Dataset::to_zarr`.
//!
//! Order of writes, so that an interrupted write never leaves a store that fails to
//! open: group metadata, then each array's metadata (for appends: the enlarged shape,
//! whose new chunks read as fill values until written), then chunks, streamed by the
//! executor under its memory budget through one [`ChunkSink`] per array, and the
//! consolidated metadata last. Engine chunks are aligned to store chunks first, so
//! each store chunk is written by exactly one task.

use std::ops::Range;
use std::sync::Arc;

use serde_json::{Map, Value, json};
use zarrs::array::{ArraySubset, CodecOptions};

use super::array::{ArrayInfo, ZArray, attr_f64, encode_v3_fill, float_value, open_array};
use super::kinds::Kind as StoredKind;
use super::meta::{ArrayEntry, erase_all, get, read_group, root_format, set_json};
use super::{Compressor, WriteMode, WriteOptions, ZarrFormat};
use crate::engine::{ArrayData, ChunkGrid, ChunkSink, Kind, LazyArray};
use crate::error::{bail, caused_by, ensure};
use crate::io::Consolidated;
use crate::io::store::{Store, open_store};
use crate::labelled::cf::encode_cf;
use crate::labelled::{Dataset, Variable};
use crate::{Error, Result, match_data};

impl Dataset {
    /// Writes the dataset to a Zarr store (v2 or v3) by URL, CF-encoding it first, like
    /// `xarray.Dataset.to_zarr`. Chunks are computed and written in parallel under the
    /// executor's memory budget.
    ///
    /// ```
    /// use ndarray::{Array, IxDyn};
    /// use tessera::engine::LazyArray;
    /// use tessera::io::{WriteMode, WriteOptions};
    /// use tessera::labelled::{Dataset, Variable};
    /// let x = LazyArray::from_ndarray(Array::from_shape_fn(IxDyn(&[6]), |i| i[0] as f64), &[3])?;
    /// let mut ds = Dataset::new();
    /// ds.insert("x", Variable::new(["t"], x)?)?;
    /// ds.to_zarr("memory://doc-example", &WriteOptions::mode(WriteMode::Overwrite))?;
    /// let back = tessera::open_zarr("memory://doc-example")?;
    /// assert_eq!(back.get("x")?.values::<f64>()?[[5]], 5.0);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn to_zarr(&self, url: &str, opts: &WriteOptions) -> Result<()> {
        write(self, url, opts)
    }
}

/// One array to fill: where its data goes and the data, aligned to store chunks.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
struct Job {
    name: String,
    sink: Arc<dyn ChunkSink>,
    data: LazyArray,
    /// The data before alignment: CF-encoded, in the stored dtype, source chunks.
    raw: LazyArray,
    /// The store chunk shape.
    chunk: Vec<usize>,
    /// Metadata written only once every chunk is stored: the longer shape of an array
    /// extended by an append, so that an interrupted append leaves the old shape (and
    /// appending again writes over the orphan chunks, as if nothing had happened).
    meta_after: Option<(String, Value, ZarrFormat)>,
}

/// One array of a write prepared by [`prepare`]: metadata written, chunks not yet.
#[cfg(feature = "cli")]
pub(crate) struct Prepared {
    /// The array's name in the group.
    pub(crate) name: String,
    /// Writes regions of the array (relative to the written data, any offset added).
    pub(crate) sink: Arc<dyn ChunkSink>,
    /// The data to write: CF-encoded, in the stored dtype, chunked as its source.
    pub(crate) data: LazyArray,
    /// The store chunk shape.
    pub(crate) chunk: Vec<usize>,
}

/// Does what `to_zarr` does up to the chunks: checks, group and array metadata
/// (for appends the enlarged shapes); returns what is left to write, so that a caller
/// (the `tessera convert` command) can write chunks in its own order and then call
/// [`consolidate_url`].
#[cfg(feature = "cli")]
pub(crate) fn prepare(ds: &Dataset, url: &str, opts: &WriteOptions) -> Result<Vec<Prepared>> {
    let (store, jobs, _) = prepare_jobs(ds, url, opts)?;
    // The command line keeps its own record of finished chunks, so an append's longer
    // shape goes in first, as before.
    write_deferred_metadata(&store, &jobs)?;
    Ok(jobs
        .into_iter()
        .map(|j| Prepared {
            name: j.name,
            sink: j.sink,
            data: j.raw,
            chunk: j.chunk,
        })
        .collect())
}

/// Writes the consolidated metadata of the group at `url`.
#[cfg(feature = "cli")]
pub(crate) fn consolidate_url(url: &str) -> Result<()> {
    consolidate(&open_store(url, false)?)
}

fn write(ds: &Dataset, url: &str, opts: &WriteOptions) -> Result<()> {
    let (store, jobs, had_consolidated) = prepare_jobs(ds, url, opts)?;
    let outputs: Vec<&LazyArray> = jobs.iter().map(|j| &j.data).collect();
    let sinks: Vec<Arc<dyn ChunkSink>> = jobs.iter().map(|j| j.sink.clone()).collect();
    // Metadata in place on every rank before chunks go in, and every rank's chunks in
    // before rank 0 consolidates (barriers do nothing on one process).
    crate::distributed::barrier();
    opts.compute.run_into(&outputs, &sinks)?;
    crate::distributed::barrier();
    if crate::distributed::is_root() {
        write_deferred_metadata(&store, &jobs)?;
        if opts.consolidated || had_consolidated {
            consolidate(&store)?;
        }
    }
    crate::distributed::barrier();
    Ok(())
}

/// Writes the metadata held back until the chunks are in (an append's longer shape).
fn write_deferred_metadata(store: &Store, jobs: &[Job]) -> Result<()> {
    for job in jobs {
        if let Some((name, json, format)) = &job.meta_after {
            write_array_meta(store, *format, name, json)?;
        }
    }
    Ok(())
}

fn prepare_jobs(ds: &Dataset, url: &str, opts: &WriteOptions) -> Result<(Store, Vec<Job>, bool)> {
    let format = ZarrFormat::try_from(opts.zarr_format)?;
    // Checked before anything is written, so a refused write leaves the store as it
    // was: opaque variables first (the more surprising refusal), then strings.
    let all: Vec<(&String, &Variable)> = ds
        .coords()
        .iter()
        .map(|(n, c)| (n, &c.var))
        .chain(ds.data_vars())
        .collect();
    for (name, _) in &all {
        if let Some(why) = super::meta::bad_node_name(name) {
            bail!(Error::invalid(format!(
                "cannot write variable {name:?} to Zarr: {why}"
            )));
        }
    }
    for (name, var) in &all {
        if let Some(stored) = var.stored_dtype() {
            bail!(Error::invalid(format!(
                "cannot write variable {name:?}: its values (dtype {stored}) cannot be read by tessera; drop it (Dataset::drop_vars) before to_zarr"
            )));
        }
    }
    for (name, var) in &all {
        // String variables hold codes into a table; writing the codes would store
        // numbers where the strings were, so refuse until strings are written.
        ensure!(
            !var.is_strings(),
            Error::invalid(format!(
                "cannot write variable {name:?}: writing string variables to Zarr is not supported yet; drop it (Dataset::drop_vars) before to_zarr"
            ))
        );
    }
    let enc = encode_cf(ds)?;
    let (vars, global_coords) = variables_to_write(&enc);
    let store = open_store(url, true)?;
    ensure!(
        !store.read_only,
        store.error("", "this store is read-only (HTTP)")
    );
    let existing = root_format(&store)?;
    let had_consolidated = get(&store, ".zmetadata")?.is_some()
        || super::meta::get_json(&store, "zarr.json")?
            .is_some_and(|r| r.contains_key("consolidated_metadata"));
    let append = opts.mode == WriteMode::Append || !opts.region.is_empty();
    // Under MPI every rank writes its own chunks and rank 0 alone the metadata: each
    // rank reads the store as it was before anyone changes it.
    let root = crate::distributed::is_root();
    crate::distributed::barrier();
    match (opts.mode, existing) {
        (WriteMode::Create, Some(_)) if opts.region.is_empty() => bail!(store.error(
            "",
            "a Zarr group already exists here; use WriteMode::Overwrite or WriteMode::Append",
        )),
        (WriteMode::Overwrite, Some(_)) if opts.region.is_empty() && root => erase_all(&store)?,
        _ => {}
    }
    ensure!(
        opts.region.is_empty() || existing.is_some(),
        store.error("", "a region write needs an existing store")
    );
    let mut attrs = enc.attrs().clone();
    if !global_coords.is_empty() {
        attrs.insert("coordinates".into(), Value::from(global_coords.join(" ")));
    }
    let (format, stored) = if append && existing.is_some() {
        let group = read_group(&store, Consolidated::Auto)?;
        let infos = group
            .arrays
            .iter()
            .map(|e| open_array(&store, e, group.format))
            .collect::<Result<Vec<_>>>()?;
        (group.format, infos)
    } else {
        if root {
            write_group(&store, format, &attrs)?;
        }
        (format, vec![])
    };
    crate::distributed::barrier();
    let mut jobs = vec![];
    for (name, var) in &vars {
        let old = stored.iter().find(|i| &i.name == name);
        if let Some(job) = plan(&store, format, name, var, old, opts)? {
            jobs.push(job);
        }
    }
    Ok((store, jobs, had_consolidated))
}

/// Coordinates first, then data variables; data variables get xarray's `coordinates`
/// attribute naming the non-index coordinates that share their dimensions. Returns
/// the non-index coordinates no variable claims (for the global attribute).
fn variables_to_write(ds: &Dataset) -> (Vec<(String, Variable)>, Vec<String>) {
    let extra: Vec<(String, Variable)> = ds
        .coords()
        .iter()
        .filter(|(n, c)| !(c.var.ndim() == 1 && &c.var.dims()[0] == *n))
        .map(|(n, c)| (n.clone(), c.var.clone()))
        .collect();
    let mut claimed = vec![false; extra.len()];
    let mut out: Vec<(String, Variable)> = ds
        .coords()
        .iter()
        .map(|(n, c)| (n.clone(), c.var.clone()))
        .collect();
    for (name, var) in ds.data_vars() {
        let mut var = var.clone();
        let listed: Vec<String> = extra
            .iter()
            .enumerate()
            .filter(|(_, (_, c))| c.dims().iter().all(|d| var.has_dim(d)))
            .map(|(i, (n, _))| {
                claimed[i] = true;
                n.clone()
            })
            .collect();
        if !listed.is_empty() && !var.attrs().contains_key("coordinates") {
            let mut attrs = var.attrs().clone();
            attrs.insert("coordinates".into(), Value::from(listed.join(" ")));
            var = var.with_attrs(attrs);
        }
        out.push((name.clone(), var));
    }
    let unclaimed = extra
        .iter()
        .zip(&claimed)
        .filter(|(_, c)| !**c)
        .map(|((n, _), _)| n.clone())
        .collect();
    (out, unclaimed)
}

fn write_group(store: &Store, format: ZarrFormat, attrs: &Map<String, Value>) -> Result<()> {
    match format {
        ZarrFormat::V2 => {
            set_json(store, ".zgroup", &json!({"zarr_format": 2}))?;
            set_json(store, ".zattrs", &Value::Object(attrs.clone()))
        }
        ZarrFormat::V3 => set_json(
            store,
            "zarr.json",
            &json!({"zarr_format": 3, "node_type": "group", "attributes": attrs}),
        ),
    }
}

/// Decides how one variable is written and writes its metadata.
fn plan(
    store: &Store,
    format: ZarrFormat,
    name: &str,
    var: &Variable,
    old: Option<&ArrayInfo>,
    opts: &WriteOptions,
) -> Result<Option<Job>> {
    let ndim = var.ndim();
    let mut offset = vec![0usize; ndim];
    let info = if !opts.region.is_empty() {
        let touched = var
            .dims()
            .iter()
            .any(|d| opts.region.iter().any(|(r, _)| r == d));
        if !touched {
            return Ok(None);
        }
        let old = old.ok_or_else(|| {
            store.error(
                name,
                format!("variable {name:?} is not in the store, so it cannot be written by region"),
            )
        })?;
        check_writable(store, name, old)?;
        for (axis, d) in var.dims().iter().enumerate() {
            let want = match opts.region.iter().find(|(r, _)| r == d) {
                Some((_, range)) => {
                    check_aligned(store, name, d, range, old.chunk[axis], old.shape[axis])?;
                    offset[axis] = range.start;
                    range.len()
                }
                None => old.shape[axis],
            };
            ensure!(
                var.shape()[axis] == want,
                Error::ShapeMismatch {
                    op: format!("region write of {name:?} along {d:?}"),
                    left: vec![var.shape()[axis]],
                    right: vec![want],
                }
            );
        }
        old.clone()
    } else if let (Some(old), WriteMode::Append) = (old, opts.mode) {
        check_writable(store, name, old)?;
        check_dims(store, name, var, old)?;
        let Some(axis) = opts.append_dim.as_ref().and_then(|d| var.axis(d).ok()) else {
            if opts.append_dim.is_some() {
                // xarray rewrites these; they are unchanged in a plain time append.
                return Ok(None);
            }
            check_shape(name, var.shape(), &old.shape)?;
            return job(old.clone(), store, var, offset).map(Some);
        };
        let mut shape = old.shape.clone();
        let mut others = var.shape().to_vec();
        others[axis] = shape[axis];
        check_shape(name, &others, &old.shape)?;
        offset[axis] = shape[axis];
        shape[axis] += var.shape()[axis];
        let mut json = old.json.clone();
        json["shape"] = json!(shape);
        let info = open_array(
            store,
            &ArrayEntry {
                name: name.to_string(),
                json: json.clone(),
            },
            format,
        )?;
        let mut job = job(info, store, var, offset)?;
        job.meta_after = Some((name.to_string(), json, format));
        return Ok(Some(job));
    } else {
        let chunk: Vec<usize> = var
            .dims()
            .iter()
            .enumerate()
            .map(|(axis, d)| match opts.chunks.iter().find(|(n, _)| n == d) {
                Some(&(_, c)) => c.max(1),
                None => var
                    .data()
                    .chunks()
                    .axis_chunks(axis)
                    .first()
                    .copied()
                    .unwrap_or(1)
                    .max(1),
            })
            .collect();
        let json = new_array_meta(format, var, &chunk, opts.compressor);
        if crate::distributed::is_root() {
            write_array_meta(store, format, name, &json)?;
        }
        open_array(
            store,
            &ArrayEntry {
                name: name.to_string(),
                json,
            },
            format,
        )?
    };
    job(info, store, var, offset).map(Some)
}

/// Refuses to write into a stored array tessera does not write (strings, times,
/// float16, opaque data) or cannot encode (a codec this build lacks).
fn check_writable(store: &Store, name: &str, old: &ArrayInfo) -> Result<()> {
    if let Some(why) = &old.unreadable {
        bail!(store.error(
            name,
            format!(
                "cannot write into array {name:?} (dtype {}): {why}",
                old.stored_dtype
            ),
        ));
    }
    ensure!(
        old.kind == StoredKind::Number,
        store.error(
            name,
            format!(
                "cannot write into array {name:?}: tessera does not write its stored dtype {}",
                old.stored_dtype
            ),
        )
    );
    Ok(())
}

fn check_dims(store: &Store, name: &str, var: &Variable, old: &ArrayInfo) -> Result<()> {
    ensure!(
        var.dims() == old.dims.as_slice(),
        store.error(
            name,
            format!(
                "variable {name:?} has dims {:?} but the stored array has {:?}",
                var.dims(),
                old.dims
            ),
        )
    );
    Ok(())
}

fn check_shape(name: &str, new: &[usize], old: &[usize]) -> Result<()> {
    ensure!(
        new == old,
        Error::ShapeMismatch {
            op: format!("writing {name:?} into the stored array"),
            left: new.to_vec(),
            right: old.to_vec(),
        }
    );
    Ok(())
}

/// xarray refuses region bounds inside a store chunk: two writers could clobber it.
fn check_aligned(
    store: &Store,
    name: &str,
    dim: &str,
    range: &Range<usize>,
    chunk: usize,
    len: usize,
) -> Result<()> {
    ensure!(
        range.start <= range.end && range.end <= len,
        Error::IndexOutOfBounds(format!(
            "region {range:?} along {dim:?} is outside the stored length {len} of {name:?}"
        ))
    );
    ensure!(
        range.start % chunk == 0 && (range.end % chunk == 0 || range.end == len),
        store.error(
            name,
            format!(
                "region {range:?} along {dim:?} does not fall on the store chunks of {name:?} (chunk length {chunk}); align it or rechunk"
            ),
        )
    );
    Ok(())
}

fn job(info: ArrayInfo, store: &Store, var: &Variable, offset: Vec<usize>) -> Result<Job> {
    check_writable(store, &info.name, &info)?;
    let array = info.array.clone().ok_or_else(|| Error::Internal {
        context: "the Zarr writer".into(),
        message: format!("no zarrs handle for the writable array {:?}", info.name),
    })?;
    let data = if var.dtype() == info.dtype {
        var.data().clone()
    } else {
        var.data().cast(info.dtype)?
    };
    let chunks: Vec<Vec<usize>> = (0..var.ndim())
        .map(|axis| aligned_chunks(var.shape()[axis], offset[axis], info.chunk[axis]))
        .collect();
    let raw = data.clone();
    let data = data.rechunk(ChunkGrid::new(chunks)?)?;
    Ok(Job {
        name: info.name.clone(),
        raw,
        chunk: info.chunk.clone(),
        sink: Arc::new(ZarrSink {
            info,
            array,
            url: store.url.clone(),
            offset,
            options: CodecOptions::default().with_concurrent_target(1),
        }),
        data,
        meta_after: None,
    })
}

/// Chunk lengths of `n` elements written at `offset` that break at store chunk
/// boundaries (`chunk` apart).
fn aligned_chunks(n: usize, offset: usize, chunk: usize) -> Vec<usize> {
    let mut out = vec![];
    let mut pos = 0;
    while pos < n {
        let end = ((offset + pos) / chunk + 1) * chunk - offset;
        let end = end.min(n);
        out.push(end - pos);
        pos = end;
    }
    if out.is_empty() {
        out.push(0);
    }
    out
}

fn new_array_meta(format: ZarrFormat, var: &Variable, chunk: &[usize], comp: Compressor) -> Value {
    let dtype = var.dtype();
    let mut attrs = var.attrs().clone();
    let fill = attrs.remove("_FillValue");
    let data_type = format.data_type(dtype);
    if format == ZarrFormat::V2 {
        attrs.insert("_ARRAY_DIMENSIONS".into(), json!(var.dims()));
        let compressor = match comp {
            Compressor::Zstd(level) => json!({"id": "zstd", "level": level}),
            Compressor::BloscLz4(level) => {
                json!({"id": "blosc", "cname": "lz4", "clevel": level, "shuffle": 1, "blocksize": 0})
            }
            Compressor::Gzip(level) => json!({"id": "gzip", "level": level}),
            Compressor::None => Value::Null,
        };
        json!({
            "zarr_format": 2, "shape": var.shape(), "chunks": chunk, "dtype": data_type,
            "compressor": compressor, "fill_value": fill.unwrap_or(Value::Null),
            "order": "C", "filters": null, "dimension_separator": ".",
            "attributes": attrs,
        })
    } else {
        if let Some(f) = fill {
            let value = match (dtype.is_float(), attr_f64(&f)) {
                (true, Some(x)) => encode_v3_fill(x),
                // serde_json has no NaN: `json!(f64::NAN)` is null. A null float fill
                // can only have meant NaN, and xarray refuses a null one.
                (true, None) if f.is_null() => encode_v3_fill(f64::NAN),
                _ => f,
            };
            attrs.insert("_FillValue".into(), value);
        }
        let mut codecs = vec![json!({"name": "bytes", "configuration": {"endian": "little"}})];
        match comp {
            Compressor::Zstd(level) => codecs.push(
                json!({"name": "zstd", "configuration": {"level": level, "checksum": false}}),
            ),
            Compressor::BloscLz4(level) => codecs.push(json!({"name": "blosc", "configuration": {
                "cname": "lz4", "clevel": level, "shuffle": "shuffle",
                "typesize": dtype.size(), "blocksize": 0}})),
            Compressor::Gzip(level) => {
                codecs.push(json!({"name": "gzip", "configuration": {"level": level}}))
            }
            Compressor::None => {}
        }
        let fill_value = match dtype.kind() {
            Kind::Bool => json!(false),
            Kind::Float => float_value(f64::NAN),
            Kind::Signed | Kind::Unsigned => json!(0),
        };
        json!({
            "zarr_format": 3, "node_type": "array", "shape": var.shape(),
            "data_type": data_type,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunk}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": fill_value, "codecs": codecs, "attributes": attrs,
            "dimension_names": var.dims(), "storage_transformers": [],
        })
    }
}

/// Writes an array's metadata document(s): v2 splits attributes into `.zattrs`.
fn write_array_meta(store: &Store, format: ZarrFormat, name: &str, json: &Value) -> Result<()> {
    match format {
        ZarrFormat::V3 => set_json(store, &format.array_key(name), json),
        ZarrFormat::V2 => {
            let (zarray, zattrs) = split_v2(json);
            set_json(store, &format.array_key(name), &zarray)?;
            set_json(store, &format!("{name}/.zattrs"), &zattrs)
        }
    }
}

fn split_v2(json: &Value) -> (Value, Value) {
    let mut zarray = json.clone();
    let zattrs = zarray
        .as_object_mut()
        .and_then(|o| o.remove("attributes"))
        .unwrap_or_else(|| json!({}));
    (zarray, zattrs)
}

/// Writes the consolidated metadata from what the store now holds.
fn consolidate(store: &Store) -> Result<()> {
    let group = read_group(store, Consolidated::Off)?;
    if group.format == ZarrFormat::V3 {
        let metadata: Map<String, Value> = group
            .arrays
            .iter()
            .map(|a| (a.name.clone(), a.json.clone()))
            .collect();
        set_json(
            store,
            "zarr.json",
            &json!({"zarr_format": 3, "node_type": "group", "attributes": group.attrs,
                "consolidated_metadata": {"kind": "inline", "must_understand": false, "metadata": metadata}}),
        )
    } else {
        let mut metadata = Map::new();
        metadata.insert(".zgroup".into(), json!({"zarr_format": 2}));
        metadata.insert(".zattrs".into(), Value::Object(group.attrs.clone()));
        for a in &group.arrays {
            let (zarray, zattrs) = split_v2(&a.json);
            metadata.insert(format!("{}/.zarray", a.name), zarray);
            metadata.insert(format!("{}/.zattrs", a.name), zattrs);
        }
        set_json(
            store,
            ".zmetadata",
            &json!({"zarr_consolidated_format": 1, "metadata": metadata}),
        )
    }
}

/// Output chunks of one variable, stored into its Zarr array at an offset.
struct ZarrSink {
    info: ArrayInfo,
    array: Arc<ZArray>,
    url: String,
    offset: Vec<usize>,
    options: CodecOptions,
}

impl ChunkSink for ZarrSink {
    fn write(&self, region: &[Range<usize>], data: &ArrayData) -> Result<()> {
        let ranges: Vec<Range<u64>> = region
            .iter()
            .zip(&self.offset)
            .map(|(r, &o)| (r.start + o) as u64..(r.end + o) as u64)
            .collect();
        let subset = ArraySubset::new_with_ranges(&ranges);
        let result = match_data!(data, a: T => {
            let a = a.as_standard_layout();
            let slice = a.as_slice().unwrap_or(&[]);
            self.array.store_array_subset_opt(&subset, slice, &self.options)
        });
        result.map_err(|e| {
            let (message, source) = caused_by(&format!("writing region {ranges:?}"), e);
            Error::Store {
                url: self.url.clone(),
                key: self.info.name.clone(),
                message,
                source,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::aligned_chunks;

    #[test]
    fn chunks_break_on_store_boundaries() {
        assert_eq!(aligned_chunks(10, 0, 4), vec![4, 4, 2]);
        assert_eq!(aligned_chunks(4, 6, 4), vec![2, 2]);
        assert_eq!(aligned_chunks(3, 5, 4), vec![3]);
        assert_eq!(aligned_chunks(0, 0, 4), vec![0]);
    }
}
