//! The front door: [`open_dataset`] looks at a path or URL and hands it to the reader
//! that can open it, as `xarray.open_dataset` guesses its engine.
//!
//! The guess, in order: a glob pattern (`*`, `?`, `[`) that is not an existing path
//! opens many files as one ([`open_mfdataset`](crate::io::open_mfdataset)); an object
//! store URL (`s3://`, `gs://`, `az://`, `http(s)://`, `memory://`) is a Zarr store;
//! a local directory is a Zarr store if it holds Zarr metadata or is named `*.zarr`;
//! a local file is netCDF if named `.nc`, `.nc4`, `.cdf`, `.netcdf`, `.h5`, `.hdf5`,
//! or if it starts with the netCDF-3 or HDF5 magic bytes. Only names and at most the
//! first eight bytes are read to decide.

use std::io::Read;
use std::path::Path;

use crate::io::OpenOptions;
use crate::labelled::Dataset;
use crate::{Error, Result};

/// URL schemes that always name a Zarr store (object stores cannot hold a netCDF file
/// tessera could read without downloading it).
const ZARR_SCHEMES: [&str; 10] = [
    "s3", "gs", "gcs", "az", "azure", "abfs", "http", "https", "memory", "file",
];

/// File name endings of netCDF and HDF5 files.
const NETCDF_EXTENSIONS: [&str; 6] = ["nc", "nc4", "cdf", "netcdf", "h5", "hdf5"];

/// Keys whose presence makes a directory a Zarr group (v2, v3, consolidated).
const ZARR_MARKERS: [&str; 4] = [".zgroup", "zarr.json", ".zmetadata", ".zarray"];

/// What a path or URL holds, as far as opening it is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// A Zarr store: opened with [`open_zarr_with`](crate::open_zarr_with).
    Zarr,
    /// A netCDF-3 or netCDF-4/HDF5 file.
    Netcdf,
}

/// Opens a Zarr store or a netCDF file, whichever `path_or_url` is, with CF decoding,
/// like `xarray.open_dataset(path)`; a glob pattern opens every matching file as one
/// dataset, like `xarray.open_mfdataset(pattern)`. Only metadata and dimension
/// coordinates are read; variables stay lazy.
///
/// ```
/// # fn main() -> tessera::Result<()> {
/// use tessera::Error;
/// // A path that does not exist is an error that names it.
/// let err = tessera::open_dataset("no/such/file.nc").unwrap_err();
/// assert!(matches!(err, Error::Io { ref path, .. } if path == "no/such/file.nc"));
/// # Ok(())
/// # }
/// ```
pub fn open_dataset(path_or_url: impl AsRef<str>) -> Result<Dataset> {
    open_dataset_with(path_or_url, &OpenOptions::default())
}

/// [`open_dataset`] with options (chunks, CF decoding, a group, variables to drop,
/// consolidated metadata); a glob pattern passes them to every file.
///
/// ```no_run
/// use tessera::io::OpenOptions;
/// let ds = tessera::open_dataset_with("sla_2000.nc", &OpenOptions::default().drop_variables(["crs"]))?;
/// let zarr = tessera::open_dataset_with("s3://bucket/era5.zarr", &OpenOptions::raw())?;
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn open_dataset_with(path_or_url: impl AsRef<str>, opts: &OpenOptions) -> Result<Dataset> {
    let path = path_or_url.as_ref();
    if is_glob(path) && !Path::new(path).exists() && scheme(path).is_none() {
        let mf = crate::io::MultiFileOptions::default().open(opts.clone());
        return crate::io::open_mfdataset(path, &mf);
    }
    open_one(path, opts)
}

/// Opens one store or file (never a glob: a listed path is taken literally).
pub(crate) fn open_one(path: &str, opts: &OpenOptions) -> Result<Dataset> {
    match detect(path)? {
        Format::Zarr => crate::io::open_zarr_with(path, opts),
        Format::Netcdf => open_netcdf(path, opts),
    }
}

#[cfg(feature = "netcdf")]
fn open_netcdf(path: &str, opts: &OpenOptions) -> Result<Dataset> {
    let local = path.strip_prefix("file://").unwrap_or(path);
    crate::io::open_netcdf_with(local, opts)
}

#[cfg(not(feature = "netcdf"))]
fn open_netcdf(path: &str, _opts: &OpenOptions) -> Result<Dataset> {
    Err(Error::FeatureRequired {
        path: path.to_string(),
        format: "netCDF/HDF5".into(),
        feature: "netcdf".into(),
    })
}

/// True if `s` holds a glob metacharacter.
pub(crate) fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// The lower-cased URL scheme of `s`, if it has one (`C:\` is a path, not a scheme).
fn scheme(s: &str) -> Option<String> {
    let (scheme, _) = s.split_once("://")?;
    (scheme.len() > 1
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+'))
    .then(|| scheme.to_ascii_lowercase())
}

/// Decides what `path` holds; a missing local path is an [`Error::Io`] naming it.
pub(crate) fn detect(path: &str) -> Result<Format> {
    let local = match scheme(path) {
        Some(s) if s == "file" => &path["file://".len()..],
        Some(s) if ZARR_SCHEMES.contains(&s.as_str()) => return Ok(Format::Zarr),
        #[cfg(feature = "zarr")]
        Some(_) if crate::io::object::registered(path).is_some() => return Ok(Format::Zarr),
        Some(s) => {
            return Err(Error::NotADataset {
                path: crate::io::redact::redact(path),
                reason: format!(
                    "unknown URL scheme {s:?} (known: {})",
                    ZARR_SCHEMES.join(", ")
                ),
            });
        }
        None => path,
    };
    let p = Path::new(local);
    let meta = std::fs::metadata(p).map_err(|source| Error::Io {
        path: path.to_string(),
        source,
    })?;
    if meta.is_dir() {
        if ZARR_MARKERS.iter().any(|m| p.join(m).exists()) || has_extension(p, &["zarr"]) {
            return Ok(Format::Zarr);
        }
        return Err(Error::NotADataset {
            path: path.to_string(),
            reason: "a directory without Zarr metadata (.zgroup, zarr.json or .zmetadata)".into(),
        });
    }
    if has_extension(p, &NETCDF_EXTENSIONS) {
        return Ok(Format::Netcdf);
    }
    let mut magic = [0u8; 4];
    let n = std::fs::File::open(p)
        .and_then(|mut f| read_up_to(&mut f, &mut magic))
        .map_err(|source| Error::Io {
            path: path.to_string(),
            source,
        })?;
    if is_netcdf_magic(&magic[..n]) {
        return Ok(Format::Netcdf);
    }
    Err(Error::NotADataset {
        path: path.to_string(),
        reason: "neither a Zarr store nor a netCDF/HDF5 file (no .nc/.h5 name, no CDF or HDF5 signature)"
            .into(),
    })
}

/// True if the name of `path` ends like a netCDF/HDF5 file (no I/O).
pub(crate) fn named_like_netcdf(path: &str) -> bool {
    has_extension(Path::new(path), &NETCDF_EXTENSIONS)
}

fn has_extension(p: &Path, exts: &[&str]) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Reads as many bytes as the file has, up to `buf.len()`.
fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// netCDF-3 classic (`CDF\x01`), 64-bit offset (`CDF\x02`), CDF-5 (`CDF\x05`), and
/// HDF5, which netCDF-4 files are (`\x89HDF`).
fn is_netcdf_magic(head: &[u8]) -> bool {
    matches!(
        head,
        [b'C', b'D', b'F', 1 | 2 | 5, ..] | [0x89, b'H', b'D', b'F', ..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_and_schemes_are_recognised() {
        assert!(is_netcdf_magic(b"CDF\x01rest"));
        assert!(is_netcdf_magic(b"\x89HDF"));
        assert!(!is_netcdf_magic(b"CDF"));
        assert!(!is_netcdf_magic(b"PK\x03\x04"));
        assert_eq!(scheme("s3://b/k").as_deref(), Some("s3"));
        assert_eq!(scheme("data/x.nc"), None);
        assert_eq!(detect("gs://bucket/x.zarr").unwrap(), Format::Zarr);
        assert!(matches!(
            detect("ftp://host/x.nc"),
            Err(Error::NotADataset { .. })
        ));
        assert!(is_glob("data/*.nc") && !is_glob("data/x.nc"));
    }
}
