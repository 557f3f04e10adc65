//! The HDF5 filters of a netCDF-4 file's variables, recorded in their encoding as
//! xarray's netCDF4 backend records `var.filters()`: `zlib`, `complevel`, `shuffle`,
//! `fletcher32`, `szip`, `zstd`, `bzip2` and `blosc`.
//!
//! The `netcdf` crate has no call for a variable's filters and keeps its netCDF ids
//! private, so the file is opened a second time through HDF5 itself. HDF5 shares the
//! already open file (no second read of the superblock from disk), and each variable's
//! creation properties come from the metadata cache netCDF-C just filled.

use std::ffi::CString;

use hdf5_metno_sys::h5i::hid_t;
use hdf5_metno_sys::{h5d, h5e, h5f, h5p, h5z};
use serde_json::{Value, json};

use crate::labelled::Attrs;

/// HDF5's registered ids of the compressors xarray names (`H5Z_FILTER_*` and the
/// HDF Group's registry).
const ZSTD: h5z::H5Z_filter_t = 32015;
const BZIP2: h5z::H5Z_filter_t = 307;
const BLOSC: h5z::H5Z_filter_t = 32001;

/// The filter encoding of each of `var_paths` (paths inside the file, `group/name`),
/// in order; an empty map for a variable HDF5 cannot open (not a netCDF-4 file, or a
/// dataset netCDF-C stores under another name). Never fails: the encoding is a
/// courtesy for writing the data back, not needed to read it.
pub(super) fn filter_encodings(path: &str, var_paths: &[String]) -> Vec<Attrs> {
    let mut out = vec![Attrs::new(); var_paths.len()];
    let Ok(cpath) = CString::new(path) else {
        return out;
    };
    let _lock = hdf5_metno_sys::LOCK.lock();
    // SAFETY: plain HDF5 calls on ids `read_filters` opens and closes, under the
    // process-wide HDF5 lock the netcdf crate also takes; every id is checked before use.
    unsafe {
        read_filters(&cpath, var_paths, &mut out);
        // A failed open (a netCDF-3 file is not HDF5) or a variable stored under another
        // name leaves entries on this thread's HDF5 error stack; a thread-safe HDF5 frees
        // the stack but not its entries when the thread ends (AddressSanitizer's leak
        // check found them).
        h5e::H5Eclear2(h5e::H5E_DEFAULT);
    }
    out
}

/// Fills `out` with the filters of each of `var_paths` in the file at `path`.
///
/// # Safety
/// The caller holds HDF5's lock.
unsafe fn read_filters(path: &CString, var_paths: &[String], out: &mut [Attrs]) {
    // SAFETY: the caller holds the lock; every id is checked before use and closed.
    unsafe {
        let file = h5f::H5Fopen(path.as_ptr(), h5f::H5F_ACC_RDONLY, h5p::H5P_DEFAULT);
        if file < 0 {
            return;
        }
        for (enc, var) in out.iter_mut().zip(var_paths) {
            let Ok(name) = CString::new(format!("/{var}")) else {
                continue;
            };
            let dset = h5d::H5Dopen2(file, name.as_ptr(), h5p::H5P_DEFAULT);
            if dset < 0 {
                continue;
            }
            let plist = h5d::H5Dget_create_plist(dset);
            if plist >= 0 {
                *enc = from_plist(plist);
                h5p::H5Pclose(plist);
            }
            h5d::H5Dclose(dset);
        }
        h5f::H5Fclose(file);
    }
}

/// # Safety
/// `plist` must be an open dataset creation property list.
unsafe fn from_plist(plist: hid_t) -> Attrs {
    let mut enc = Attrs::new();
    for key in [
        "zlib",
        "szip",
        "zstd",
        "bzip2",
        "blosc",
        "shuffle",
        "fletcher32",
    ] {
        enc.insert(key.into(), Value::Bool(false));
    }
    let mut level = 0u32;
    // SAFETY: the caller's plist; the out-pointers point at locals of the sizes HDF5
    // writes (`cd_nelmts` bounds the `cd_values` it fills).
    let n = unsafe { h5p::H5Pget_nfilters(plist) };
    for idx in 0..n.max(0) as u32 {
        let mut flags = 0u32;
        let mut cd_values = [0u32; 8];
        let mut cd_nelmts = cd_values.len();
        let mut config = 0u32;
        // SAFETY: `plist` is open (the caller's contract); `idx` < the filter count HDF5
        // gave; the out-pointers are locals, `cd_nelmts` is the length of `cd_values`
        // and the name buffer has length 0 with a null pointer, which HDF5 accepts.
        let id = unsafe {
            h5p::H5Pget_filter2(
                plist,
                idx,
                &mut flags,
                &mut cd_nelmts,
                cd_values.as_mut_ptr(),
                0,
                std::ptr::null_mut(),
                &mut config,
            )
        };
        let key = match id {
            h5z::H5Z_FILTER_DEFLATE => {
                level = if cd_nelmts > 0 { cd_values[0] } else { 0 };
                "zlib"
            }
            h5z::H5Z_FILTER_SHUFFLE => "shuffle",
            h5z::H5Z_FILTER_FLETCHER32 => "fletcher32",
            h5z::H5Z_FILTER_SZIP => "szip",
            ZSTD => "zstd",
            BZIP2 => "bzip2",
            BLOSC => "blosc",
            _ => continue,
        };
        enc.insert(key.into(), Value::Bool(true));
    }
    enc.insert("complevel".into(), json!(level));
    enc
}
