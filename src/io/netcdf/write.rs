//! Writing a [`Dataset`] as a netCDF file: `Dataset::to_netcdf`, xarray's
//! `Dataset.to_netcdf(path, format=..., encoding=..., unlimited_dims=..., group=...)`.
//!
//! Steps: each variable's encoding (with the options' overrides merged over it) is
//! applied by the same [`encode_cf`] as the Zarr writer (times to numbers, packing,
//! fill values); each variable is then planned for the format
//! ([`write_encoding`](super::write_encoding): netCDF type, HDF5 chunks, zlib,
//! attributes); the file is defined (dims, variables, attributes) in one go; and the
//! executor computes every variable's chunks in parallel under its memory budget,
//! handing each to a [`NetcdfSink`] that writes it under the file's lock. Nothing is
//! ever held whole but a chunk.
//!
//! A new file is written under a temporary name beside the target and renamed over
//! it at the end, so a failed write leaves any previous file untouched, and a dataset
//! read lazily from the file it overwrites still reads its old data. Appending
//! (xarray's `mode="a"`, typically a group per call) writes into the file in place.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::write_attrs::json_attr;
use super::write_encoding::{UNSUPPORTED_FILTERS, VarPlan, check_override, plan_variable};
use super::write_options::{NetcdfFormat, NetcdfWriteOptions};
use super::write_sink::NetcdfSink;
use crate::engine::{ChunkSink, Compute, LazyArray};
use crate::io::WriteMode;
use crate::labelled::cf::encode_cf;
use crate::labelled::{Attrs, Dataset, Variable};
use crate::{Error, Result};

impl Dataset {
    /// Writes the dataset to a netCDF file, CF-encoding it first, like
    /// `xarray.Dataset.to_netcdf`: packing, fill values, times and compression follow
    /// each variable's encoding (so an opened file is written back as it was stored),
    /// overridden by `opts.encoding`. Chunks are computed in parallel under the
    /// memory budget of `opts.compute` and written one at a time.
    ///
    /// ```no_run
    /// use ndarray::{Array, IxDyn};
    /// use tessera::engine::LazyArray;
    /// use tessera::io::NetcdfWriteOptions;
    /// use tessera::labelled::{Dataset, Variable};
    /// let x = LazyArray::from_ndarray(Array::from_shape_fn(IxDyn(&[6]), |i| i[0] as f64), &[3])?;
    /// let mut ds = Dataset::new();
    /// ds.insert("x", Variable::new(["t"], x)?)?;
    /// let opts = NetcdfWriteOptions::default()
    ///     .encoding("x", serde_json::json!({"zlib": true, "dtype": "int16", "scale_factor": 0.1}))
    ///     .unlimited("t");
    /// ds.to_netcdf("x.nc", &opts)?;
    /// let back = tessera::open_netcdf("x.nc")?;
    /// assert_eq!(back.get("x")?.values::<f64>()?[[5]], 5.0);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn to_netcdf(&self, path: impl AsRef<Path>, opts: &NetcdfWriteOptions) -> Result<()> {
        if crate::distributed::is_distributed() {
            return Err(Error::invalid(
                "to_netcdf is not shared out over MPI ranks: write Zarr (to_zarr) under mpirun, or run as one process",
            ));
        }
        write(self, path.as_ref(), opts)
    }
}

/// An error writing `file`, at variable (or attribute, or dim) `key`.
pub(super) fn write_error(file: &str, key: &str, message: impl Into<String>) -> Error {
    Error::Store {
        url: file.to_string(),
        key: key.to_string(),
        message: message.into(),
        source: None,
    }
}

fn write(ds: &Dataset, path: &Path, opts: &NetcdfWriteOptions) -> Result<()> {
    let file = path.display().to_string();
    let format = opts.format;
    if opts.mode == WriteMode::Create && path.exists() {
        return Err(write_error(
            &file,
            "",
            "the file exists; use WriteMode::Overwrite to replace it, or Append to add to it",
        ));
    }
    let (merged, chars) = with_overrides(ds, &file, &opts.encoding)?;
    let enc = encode_cf(&merged)?;
    let (vars, global_coords) = variables_to_write(&enc);
    let dims = ds.dims();
    for d in &opts.unlimited_dims {
        if !dims.iter().any(|(n, _)| n == d) {
            return Err(Error::UnknownDimension {
                dim: d.clone(),
                dims: dims.iter().map(|(n, _)| n.clone()).collect(),
            });
        }
    }
    let unlimited_dims = unlimited_dims(ds, opts);
    let plans = vars
        .iter()
        .map(|(name, var)| {
            let as_chars = chars.contains(name);
            plan_variable(&file, format, name, var, &unlimited_dims, as_chars)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut attrs: Vec<(String, netcdf::AttributeValue)> = vec![];
    let mut global = enc.attrs().clone();
    if !global_coords.is_empty() {
        global.insert("coordinates".into(), global_coords.join(" ").into());
    }
    for (k, v) in &global {
        let value = json_attr(v, format)
            .map_err(|m| write_error(&file, "", format!("global attribute {k:?} = {v}: {m}")))?;
        attrs.push((k.clone(), value));
    }
    let file_dims = file_dims(&file, format, &plans, &unlimited_dims)?;
    let prefix = match &opts.group {
        Some(_) if format.classic_model() => {
            return Err(write_error(
                &file,
                "",
                format!("{format:?} files have no groups"),
            ));
        }
        Some(g) => {
            let g = g.trim_matches('/');
            if g.is_empty() {
                String::new()
            } else {
                format!("{g}/")
            }
        }
        None => String::new(),
    };
    let appending = opts.mode == WriteMode::Append && path.exists();
    // Before the file is created or opened: a refused path would print HDF5's error stack.
    super::source::quiet_hdf5_errors();
    let job = Job {
        file: &file,
        prefix: &prefix,
        attrs: &attrs,
        dims: &file_dims,
        compute: &opts.compute,
    };
    if appending {
        // In place: the file keeps what it holds, so a failed append may leave part
        // of the new variables in it (as xarray's mode="a").
        let nc = catch_unwind(|| netcdf::append(path))
            .map_err(|_| write_error(&file, "", "the netCDF library failed to open the file"))?
            .map_err(|e| write_error(&file, "", format!("cannot open the file to append (HDF5 refuses while a dataset opened from it is alive): {e}")))?;
        super::cloexec::keep_from_children(path);
        return job.run(nc, plans, true, format);
    }
    let tmp = temp_path(path);
    let result = catch_unwind(|| netcdf::create_with(&tmp, format.options()))
        .map_err(|_| write_error(&file, "", "the netCDF library failed to create the file"))?
        .map_err(|e| write_error(&file, "", format!("cannot create the netCDF file: {e}")))
        .and_then(|nc| {
            super::cloexec::keep_from_children(&tmp);
            job.run(nc, plans, false, format)
        })
        .and_then(|()| {
            std::fs::rename(&tmp, path)
                .map_err(|e| write_error(&file, "", format!("renaming the finished file: {e}")))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A fresh name beside `path` (same directory, so the final rename is atomic).
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tessera-{}-{n}.tmp", std::process::id()))
}

/// The dims to write as unlimited: the options' list, or else the dataset encoding's
/// `unlimited_dims` (as the reader records them) that the dataset still has, as xarray.
fn unlimited_dims(ds: &Dataset, opts: &NetcdfWriteOptions) -> Vec<String> {
    if !opts.unlimited_dims.is_empty() {
        return opts.unlimited_dims.clone();
    }
    let dims = ds.dims();
    ds.encoding()
        .get("unlimited_dims")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .filter(|d| dims.iter().any(|(n, _)| n == d))
        .map(String::from)
        .collect()
}

/// The dataset with each override merged over its variable's encoding, and the
/// string variables whose encoding asks for a char array (`dtype` `"S1"`).
fn with_overrides(ds: &Dataset, file: &str, overrides: &Attrs) -> Result<(Dataset, Vec<String>)> {
    let mut names = ds.coords().names();
    names.extend(ds.data_var_names());
    let mut checked = std::collections::HashMap::new();
    for (name, enc) in overrides {
        checked.insert(name.clone(), check_override(file, name, enc, &names)?);
    }
    let mut chars = vec![];
    let mut apply = |name: &str, var: &Variable| -> Variable {
        let mut enc = var.encoding().clone();
        // Filters the source file used that this writer cannot apply (checksums, szip,
        // other compressors) describe the source, not a request: they are dropped,
        // while an override asking for one is refused.
        enc.retain(|k, _| !UNSUPPORTED_FILTERS.contains(&k.as_str()));
        for (k, v) in checked.get(name).into_iter().flatten() {
            // Only `_FillValue: null` means something (no fill value).
            if v.is_null() && k != "_FillValue" {
                enc.remove(k);
            } else {
                enc.insert(k.clone(), v.clone());
            }
        }
        // A string variable's dtype is how the file stores the strings, not a number
        // type `encode_cf` could cast its codes to.
        if var.is_strings()
            && let Some(d) = enc.remove("dtype")
            && matches!(d.as_str(), Some("S1" | "|S1" | "char"))
        {
            chars.push(name.to_string());
        }
        var.clone().with_encoding(enc)
    };
    let mut out = Dataset::new();
    for (name, c) in ds.coords().iter() {
        out.insert_coord(name.clone(), apply(name, &c.var))?;
    }
    for (name, var) in ds.data_vars() {
        out.insert(name.clone(), apply(name, var))?;
    }
    *out.attrs_mut() = ds.attrs().clone();
    Ok((out, chars))
}

/// Coordinates first, then data variables, which get xarray's `coordinates` attribute
/// naming the non-index coordinates whose dims they have. Also returns the non-index
/// coordinates no variable names (for the global `coordinates` attribute).
fn variables_to_write(ds: &Dataset) -> (Vec<(String, Variable)>, Vec<String>) {
    let coords: Vec<(String, Variable)> = ds
        .coords()
        .iter()
        .map(|(n, c)| (n.clone(), c.var.clone()))
        .collect();
    let is_index = |n: &str, v: &Variable| v.ndim() == 1 && v.dims()[0] == n;
    let mut unclaimed: Vec<&str> = coords
        .iter()
        .filter(|(n, v)| !is_index(n, v))
        .map(|(n, _)| n.as_str())
        .collect();
    let mut out = coords.clone();
    for (name, var) in ds.data_vars() {
        let listed: Vec<&str> = coords
            .iter()
            .filter(|(n, c)| !is_index(n, c) && c.dims().iter().all(|d| var.has_dim(d)))
            .map(|(n, _)| n.as_str())
            .collect();
        unclaimed.retain(|n| !listed.contains(n));
        let mut var = var.clone();
        if !listed.is_empty() && !var.attrs().contains_key("coordinates") {
            var.attrs_mut()
                .insert("coordinates".into(), listed.join(" ").into());
        }
        out.push((name.clone(), var));
    }
    let unclaimed = unclaimed.into_iter().map(String::from).collect();
    (out, unclaimed)
}

/// Every dim the planned variables use, with its length and whether it is
/// unlimited, checked against the format's rules.
fn file_dims(
    file: &str,
    format: NetcdfFormat,
    plans: &[VarPlan],
    unlimited: &[String],
) -> Result<Vec<(String, usize, bool)>> {
    let mut dims: Vec<(String, usize, bool)> = vec![];
    for p in plans {
        for (axis, (d, &n)) in p.dims.iter().zip(&p.shape).enumerate() {
            if d.contains('/') {
                return Err(write_error(
                    file,
                    &p.name,
                    format!("dim names cannot hold '/': {d:?}"),
                ));
            }
            let unl = unlimited.contains(d);
            if unl && format.classic_model() && axis != 0 {
                return Err(write_error(
                    file,
                    &p.name,
                    format!(
                        "the unlimited dim {d:?} must be the first dim of {:?} in {format:?} files (dims {:?})",
                        p.name, p.dims
                    ),
                ));
            }
            match dims.iter().find(|(e, _, _)| e == d) {
                Some((_, len, _)) if *len != n => {
                    return Err(write_error(
                        file,
                        &p.name,
                        format!("dim {d:?} has length {n} here but {len} elsewhere"),
                    ));
                }
                Some(_) => {}
                None => dims.push((d.clone(), n, unl)),
            }
        }
        if p.name.contains('/') {
            return Err(write_error(file, &p.name, "variable names cannot hold '/'"));
        }
    }
    if format.classic_model() && dims.iter().filter(|d| d.2).count() > 1 {
        return Err(write_error(
            file,
            "",
            format!("{format:?} files have at most one unlimited dim, not {unlimited:?}"),
        ));
    }
    Ok(dims)
}

/// What every variable of one write shares.
struct Job<'a> {
    file: &'a str,
    /// `group/` or empty.
    prefix: &'a str,
    attrs: &'a [(String, netcdf::AttributeValue)],
    dims: &'a [(String, usize, bool)],
    compute: &'a Compute,
}

impl Job<'_> {
    /// Defines everything in `nc`, then computes and writes the data and closes it.
    fn run(
        &self,
        mut nc: netcdf::FileMut,
        plans: Vec<VarPlan>,
        appending: bool,
        format: NetcdfFormat,
    ) -> Result<()> {
        let file = self.file;
        // The netcdf crate unwraps some library errors: they must not panic here.
        catch_unwind(AssertUnwindSafe(|| {
            if appending {
                if nc.root().is_none() && !format.classic_model() {
                    return Err(write_error(
                        file,
                        "",
                        "the file is netCDF-3: append with a classic format",
                    ));
                }
                nc.redef()
                    .map_err(|e| write_error(file, "", format!("reopening definitions: {e}")))?;
            }
            self.define(&mut nc, &plans, appending && self.prefix.is_empty())
        }))
        .map_err(|_| {
            write_error(
                file,
                "",
                "the netCDF library failed while defining the file",
            )
        })??;
        let shared = Arc::new(Mutex::new(nc));
        let mut outputs: Vec<LazyArray> = vec![];
        let mut sinks: Vec<Arc<dyn ChunkSink>> = vec![];
        for p in plans {
            outputs.push(p.data);
            sinks.push(Arc::new(NetcdfSink {
                file: shared.clone(),
                path: file.to_string(),
                var_path: format!("{}{}", self.prefix, p.name),
                name: p.name,
                values: p.values,
            }));
        }
        let refs: Vec<&LazyArray> = outputs.iter().collect();
        self.compute.run_into(&refs, &sinks)?;
        drop(sinks);
        let nc = Arc::try_unwrap(shared)
            .map_err(|_| Error::internal("netCDF writer", "a sink outlived the computation"))?
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        nc.close()
            .map_err(|e| write_error(file, "", format!("closing the file: {e}")))
    }

    /// Defines the group, attributes, dims and variables. `reuse_dims`: dims the
    /// file already has (appending at the root) are used if their lengths agree.
    fn define(&self, nc: &mut netcdf::FileMut, plans: &[VarPlan], reuse_dims: bool) -> Result<()> {
        let (file, prefix) = (self.file, self.prefix);
        if !prefix.is_empty() {
            nc.add_group(prefix.trim_end_matches('/'))
                .map_err(|e| write_error(file, prefix, format!("creating the group: {e}")))?;
        }
        for (k, v) in self.attrs {
            nc.add_attribute(&format!("{prefix}{k}"), v.clone())
                .map_err(|e| write_error(file, "", format!("global attribute {k:?}: {e}")))?;
        }
        for (d, n, unlimited) in self.dims {
            if reuse_dims && let Some(old) = nc.dimension(d) {
                if old.is_unlimited() || old.len() == *n {
                    continue;
                }
                return Err(write_error(
                    file,
                    d,
                    format!("the file's dim {d:?} has length {}, not {n}", old.len()),
                ));
            }
            let len = if *unlimited { 0 } else { *n };
            nc.add_dimension(&format!("{prefix}{d}"), len)
                .map_err(|e| write_error(file, d, format!("defining dim {d:?}: {e}")))?;
        }
        for p in plans {
            let fail =
                |what: &str, e: netcdf::Error| write_error(file, &p.name, format!("{what}: {e}"));
            let dims: Vec<&str> = p.dims.iter().map(String::as_str).collect();
            let mut var = nc
                .add_variable_with_type(&format!("{prefix}{}", p.name), &dims, &p.nctype)
                .map_err(|e| fail("defining the variable", e))?;
            if let Some(chunks) = &p.chunking {
                var.set_chunking(chunks)
                    .map_err(|e| fail(&format!("setting chunksizes {chunks:?}"), e))?;
            }
            if let Some((level, shuffle)) = p.deflate {
                var.set_compression(level, shuffle)
                    .map_err(|e| fail("setting zlib compression", e))?;
            }
            if let Some(endian) = p.endian {
                var.set_endianness(endian)
                    .map_err(|e| fail("setting the byte order", e))?;
            }
            for (k, v) in &p.attrs {
                var.put_attribute(k, v.clone())
                    .map_err(|e| fail(&format!("attribute {k:?}"), e))?;
            }
        }
        nc.enddef()
            .map_err(|e| write_error(file, "", format!("ending the definitions: {e}")))
    }
}
