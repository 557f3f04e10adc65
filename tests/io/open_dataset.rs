//! `open_dataset` picks the reader: Zarr stores by directory contents or URL, netCDF
//! files by name or by their first bytes, globs through `open_mfdataset`; a missing path,
//! a file of neither kind and a netCDF file without the `netcdf` feature are typed
//! errors naming the path. Uses the fixtures of `open_mfdataset.rs` (skipped without
//! python) except for the error cases, which need none.

use tessera::Error;
use tessera::io::OpenOptions;

use crate::open_mfdataset::fixtures;
use crate::support::zarr_fixtures::{Cleanup, temp_dir};

#[test]
fn stores_and_files_are_told_apart_by_name_contents_and_magic() {
    let Some(fx) = fixtures() else { return };
    let store = fx.dir.join("zarr").join("sla_3.zarr");
    let store = store.to_str().unwrap();
    let ds = tessera::open_dataset(store).unwrap();
    let direct = tessera::open_zarr(store).unwrap();
    assert_eq!(ds.dims(), direct.dims());
    assert_eq!(ds.data_var_names(), direct.data_var_names());
    let url = format!("file://{store}");
    assert_eq!(tessera::open_dataset(&url).unwrap().dims(), direct.dims());
    let raw = tessera::open_dataset_with(store, &OpenOptions::raw()).unwrap();
    assert_eq!(raw.get("sla").unwrap().dtype().name(), "int32");

    let nc = fx.dir.join("nc").join("sla_3.nc");
    // The same bytes under a name that says nothing: told by the HDF5 signature.
    let scratch = temp_dir("open-dataset-magic");
    let _cleanup = Cleanup(scratch.clone());
    let unnamed = scratch.join("sla_3.dat");
    std::fs::copy(&nc, &unnamed).unwrap();
    for path in [nc.to_str().unwrap(), unnamed.to_str().unwrap()] {
        let got = tessera::open_dataset(path);
        #[cfg(feature = "netcdf")]
        {
            let ds = got.unwrap_or_else(|e| panic!("{path}: {e}"));
            let sorted = |mut d: Vec<(String, usize)>| {
                d.sort();
                d
            };
            assert_eq!(sorted(ds.dims()), sorted(direct.dims()), "{path}");
            let a = ds.get("sla").unwrap().values::<f64>().unwrap();
            let b = direct.get("sla").unwrap().values::<f64>().unwrap();
            assert!(
                a.iter()
                    .zip(&b)
                    .all(|(x, y)| x == y || (x.is_nan() && y.is_nan())),
                "{path}"
            );
        }
        #[cfg(not(feature = "netcdf"))]
        {
            let e = got.unwrap_err();
            assert!(
                matches!(e, Error::FeatureRequired { path: ref p, ref feature, .. } if p == path && feature == "netcdf"),
                "{e}"
            );
            assert!(e.to_string().contains("--features netcdf"), "{e}");
        }
    }
    // A glob opens every match as one dataset, ordered by time.
    let glob = fx.dir.join("zarr").join("sla_1*.zarr");
    let ds = tessera::open_dataset(glob.to_str().unwrap()).unwrap();
    assert_eq!(ds.dim_len("time"), Some(11));
}

#[test]
fn missing_paths_and_other_files_are_typed_errors_naming_them() {
    let dir = temp_dir("open-dataset-errors");
    let _cleanup = Cleanup(dir.clone());
    let missing = dir.join("nothing.nc").display().to_string();
    let e = tessera::open_dataset(&missing).unwrap_err();
    assert!(
        matches!(e, Error::Io { ref path, .. } if *path == missing),
        "{e}"
    );
    assert!(e.to_string().contains("nothing.nc"), "{e}");

    let text = dir.join("notes.txt");
    std::fs::write(&text, "not a dataset").unwrap();
    let text = text.display().to_string();
    let e = tessera::open_dataset(&text).unwrap_err();
    assert!(
        matches!(e, Error::NotADataset { ref path, .. } if *path == text),
        "{e}"
    );

    let tiny = dir.join("x");
    std::fs::write(&tiny, "CD").unwrap();
    assert!(matches!(
        tessera::open_dataset(tiny.to_str().unwrap()),
        Err(Error::NotADataset { .. })
    ));

    let empty = dir.join("empty_dir");
    std::fs::create_dir_all(&empty).unwrap();
    let empty = empty.display().to_string();
    let e = tessera::open_dataset(&empty).unwrap_err();
    assert!(
        matches!(e, Error::NotADataset { ref path, .. } if *path == empty),
        "{e}"
    );

    let e = tessera::open_dataset("ftp://host/data.nc").unwrap_err();
    assert!(matches!(e, Error::NotADataset { .. }), "{e}");

    // Named like netCDF but not: the netCDF reader says so (or the feature is missing).
    let fake = dir.join("fake.nc");
    std::fs::write(&fake, "plain text").unwrap();
    let fake = fake.display().to_string();
    let e = tessera::open_dataset(&fake).unwrap_err();
    #[cfg(feature = "netcdf")]
    assert!(
        matches!(e, Error::Store { ref url, .. } if *url == fake),
        "{e}"
    );
    #[cfg(not(feature = "netcdf"))]
    assert!(
        matches!(e, Error::FeatureRequired { ref path, .. } if *path == fake),
        "{e}"
    );

    let e = tessera::open_dataset(dir.join("*.zarr").to_str().unwrap()).unwrap_err();
    assert!(matches!(e, Error::NoFilesMatched { .. }), "{e}");
}
