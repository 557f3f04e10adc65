//! `tessera info`: a dataset as xarray's repr shows it, and how each variable is
//! stored: format, codecs, chunk shape and bytes, number of chunks, bytes on the store
//! and decoded.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::Result;
use crate::display::bytes::{Round, binary_units};
use crate::io::open::{Format, detect, is_glob};
use crate::labelled::core::repr::dtype_text;
use crate::labelled::{Dataset, Variable};

/// How one variable is stored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoreFacts {
    /// `Zarr v2`, `Zarr v3`, `netCDF`.
    pub format: String,
    /// Filters and compressors, in the order they apply on write (`zstd(3)`).
    pub codecs: Vec<String>,
    /// The data type as stored (before CF decoding).
    pub stored_dtype: String,
    /// Chunk shape (the store's, or the engine's where the store has none).
    pub chunks: Vec<usize>,
    /// Decoded bytes of one whole chunk.
    pub chunk_bytes: u64,
    /// Number of chunks.
    pub nchunks: u64,
    /// Bytes on the store (chunks and metadata), where the store can tell.
    pub stored_bytes: Option<u64>,
    /// Bytes of all values once decoded.
    pub decoded_bytes: u64,
}

/// A dataset and how its variables are stored, as `tessera info` shows them.
#[derive(Clone, Debug)]
pub struct Info {
    /// The input as given.
    pub input: String,
    /// The dataset, lazily opened.
    pub dataset: Dataset,
    /// `Zarr v3`, `netCDF`, `30 files (netCDF)`.
    pub format: String,
    /// Per variable (coordinates first), in the dataset's order.
    pub variables: Vec<(String, StoreFacts)>,
    /// Bytes of the input on disk (files or store), where known.
    pub stored_bytes: Option<u64>,
}

/// Opens `input` (a store URL or path, a netCDF file, or a glob) and gathers its facts.
pub fn info(input: &str) -> Result<Info> {
    let dataset = crate::io::open_dataset(input)?;
    let local_glob = is_glob(input) && !input.contains("://") && !Path::new(input).exists();
    let (format, zarr) = if local_glob {
        let files: Vec<std::path::PathBuf> = glob::glob(input)
            .map(|g| g.filter_map(|p| p.ok()).collect())
            .unwrap_or_default();
        let kind = files
            .first()
            .and_then(|f| detect(&f.display().to_string()).ok())
            .map_or("?", |f| match f {
                Format::Zarr => "Zarr",
                Format::Netcdf => "netCDF",
            });
        (format!("{} files ({kind})", files.len()), None)
    } else {
        match detect(input)? {
            Format::Zarr => {
                let arrays = crate::io::zarr::facts::stored_arrays(input)?;
                let f = arrays
                    .first()
                    .map_or("Zarr".to_string(), |a| a.format.to_string());
                (f, Some(arrays))
            }
            Format::Netcdf => ("netCDF".to_string(), None),
        }
    };
    let mut variables = vec![];
    let all = dataset
        .coords()
        .iter()
        .map(|(n, c)| (n.clone(), c.var.clone()))
        .chain(dataset.data_vars().map(|(n, v)| (n.clone(), v.clone())));
    for (name, var) in all {
        let stored = zarr
            .as_ref()
            .and_then(|a| a.iter().find(|s| s.name == name));
        let facts = match stored {
            Some(s) => facts(
                &var,
                &format,
                s.codecs.clone(),
                s.stored_dtype.clone(),
                s.chunk.clone(),
                s.stored_bytes,
            ),
            None => {
                let stored_dtype = var
                    .encoding()
                    .get("dtype")
                    .and_then(Value::as_str)
                    .map_or_else(|| var.dtype().name().to_string(), String::from);
                facts(
                    &var,
                    &format,
                    netcdf_codecs(&var),
                    stored_dtype,
                    engine_chunks(&var),
                    None,
                )
            }
        };
        variables.push((name, facts));
    }
    let stored_bytes = if local_glob {
        glob::glob(input).ok().map(|g| {
            g.filter_map(|p| p.ok())
                .map(|p| disk_bytes(&p))
                .sum::<u64>()
        })
    } else if let Some(dir) = super::state::local_dir(input) {
        Some(disk_bytes(&dir))
    } else {
        variables.iter().map(|(_, f)| f.stored_bytes).sum()
    };
    Ok(Info {
        input: input.to_string(),
        dataset,
        format,
        variables,
        stored_bytes,
    })
}

fn facts(
    var: &Variable,
    format: &str,
    codecs: Vec<String>,
    stored_dtype: String,
    chunks: Vec<usize>,
    stored_bytes: Option<u64>,
) -> StoreFacts {
    let itemsize = var.dtype().size() as u64;
    let nchunks = chunks
        .iter()
        .zip(var.shape())
        .map(|(&c, &n)| n.div_ceil(c.max(1)) as u64)
        .product();
    StoreFacts {
        format: format.to_string(),
        codecs,
        stored_dtype,
        chunk_bytes: chunks.iter().map(|&c| c as u64).product::<u64>() * itemsize,
        chunks,
        nchunks,
        stored_bytes,
        decoded_bytes: var.shape().iter().map(|&n| n as u64).product::<u64>() * itemsize,
    }
}

/// The largest engine chunk per axis (netCDF chunking as the reader chose it).
fn engine_chunks(var: &Variable) -> Vec<usize> {
    var.data()
        .chunks()
        .chunks()
        .iter()
        .map(|c| c.iter().copied().max().unwrap_or(0))
        .collect()
}

/// The HDF5 filters the netCDF reader recorded in the encoding.
fn netcdf_codecs(var: &Variable) -> Vec<String> {
    let enc = var.encoding();
    let on = |k: &str| enc.get(k).and_then(Value::as_bool).unwrap_or(false);
    let level = enc.get("complevel").and_then(Value::as_u64);
    let mut out = vec![];
    for k in [
        "fletcher32",
        "shuffle",
        "zlib",
        "szip",
        "zstd",
        "bzip2",
        "blosc",
    ] {
        if on(k) {
            out.push(match (k, level) {
                ("zlib" | "zstd" | "bzip2" | "blosc", Some(l)) => format!("{k}({l})"),
                _ => k.to_string(),
            });
        }
    }
    out
}

/// Bytes of a file, or of the files under a directory.
fn disk_bytes(path: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| disk_bytes(&e.path()))
                .sum()
        })
        .unwrap_or(0)
}

fn var_json(var: &Variable) -> Value {
    json!({
        "dims": var.dims(),
        "dtype": dtype_text(var),
        "shape": var.shape(),
        "attrs": var.attrs(),
    })
}

impl Info {
    /// The JSON of `tessera info --json`: `dims`, `coords` and `data_vars` (each with
    /// dims, dtype as xarray names it, shape, attrs), `attrs`, and `store` (format,
    /// bytes, and the facts per variable).
    pub fn to_json(&self) -> Value {
        let ds = &self.dataset;
        let dims: Map<String, Value> = ds.dims().into_iter().map(|(d, n)| (d, json!(n))).collect();
        let coords: Map<String, Value> = ds
            .coords()
            .iter()
            .map(|(n, c)| (n.clone(), var_json(&c.var)))
            .collect();
        let data_vars: Map<String, Value> = ds
            .data_vars()
            .map(|(n, v)| (n.clone(), var_json(v)))
            .collect();
        let vars: Map<String, Value> = self
            .variables
            .iter()
            .map(|(n, f)| {
                (
                    n.clone(),
                    json!({
                        "codecs": f.codecs,
                        "stored_dtype": f.stored_dtype,
                        "chunks": f.chunks,
                        "chunk_bytes": f.chunk_bytes,
                        "nchunks": f.nchunks,
                        "stored_bytes": f.stored_bytes,
                        "decoded_bytes": f.decoded_bytes,
                    }),
                )
            })
            .collect();
        json!({
            "input": self.input,
            "dims": dims,
            "coords": coords,
            "data_vars": data_vars,
            "attrs": ds.attrs(),
            "store": {
                "format": self.format,
                "stored_bytes": self.stored_bytes,
                "decoded_bytes": self.variables.iter().map(|(_, f)| f.decoded_bytes).sum::<u64>(),
                "variables": vars,
            },
        })
    }

    /// The text of `tessera info`: the dataset's repr, then a table of store facts.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.dataset);
        let decoded: u64 = self.variables.iter().map(|(_, f)| f.decoded_bytes).sum();
        out.push_str(&format!(
            "Store: {}, {} stored, {} decoded\n",
            self.format,
            self.stored_bytes.map_or("?".to_string(), human),
            human(decoded)
        ));
        let width = self
            .variables
            .iter()
            .map(|(n, _)| n.chars().count())
            .max()
            .unwrap_or(0);
        for (name, f) in &self.variables {
            let chunks: Vec<String> = f.chunks.iter().map(usize::to_string).collect();
            out.push_str(&format!(
                "    {name:<width$}  {:<8} chunks ({}) {} x {}  codecs [{}]  stored {}\n",
                f.stored_dtype,
                chunks.join(", "),
                human(f.chunk_bytes),
                f.nchunks,
                f.codecs.join(", "),
                f.stored_bytes.map_or("?".to_string(), human),
            ));
        }
        out
    }
}

/// Bytes in binary units with three decimals (`3.905 MiB`).
pub(crate) fn human(bytes: u64) -> String {
    binary_units(bytes, 3, Round::Nearest)
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn bytes_read_as_people_write_them() {
        assert_eq!(human(12), "12 B");
        assert_eq!(human(4 << 20), "4.000 MiB");
        assert_eq!(human(1536), "1.500 KiB");
    }
}
