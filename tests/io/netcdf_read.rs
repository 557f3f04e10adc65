//! netCDF files written by netCDF4-python (`scripts/netcdf_fixtures.py`, run here into a
//! temp dir) read as `xarray.open_dataset(path, engine="netcdf4")` reads them: dims,
//! coordinates, attributes, values (packed int16 with fills, strings) and decoded times
//! in the noleap and standard calendars; the [`ChunkSource`] conformance suite on every
//! variable's source; typed errors for damaged files. Skipped, with a printed reason,
//! when python3 with xarray and netCDF4 is not available.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use tessera::Error;
use tessera::engine::{ChunkSource, LazyArray, Op};
use tessera::io::OpenOptions;

use crate::support::chunk_source_conformance::check;
use crate::support::xarray_json::{close, sorted, values_of};
use crate::support::zarr_fixtures::{Cleanup, script_fixtures};

/// Writes the fixtures into a fresh temp dir, or says why not.
fn fixtures(name: &str) -> Option<(Cleanup, PathBuf)> {
    script_fixtures(
        "netcdf_fixtures.py",
        &format!("netcdf-{name}"),
        "xarray, netCDF4",
        &[],
    )
    .map(|dir| (Cleanup(dir.clone()), dir))
    .map_err(|why| println!("skipping the netCDF tests: {why}"))
    .ok()
}

/// The (file, group) pairs the script dumps, with their JSON.
const CASES: [(&str, Option<&str>); 5] = [
    ("grouped.nc", None),
    ("grouped.nc", Some("obs")),
    ("classic.nc", None),
    ("kinds.nc", None),
    ("offset64.nc", None),
];

fn options(group: Option<&str>) -> OpenOptions {
    OpenOptions {
        group: group.map(String::from),
        ..OpenOptions::default()
    }
}

fn expected(dir: &Path, file: &str, group: Option<&str>) -> Value {
    let json = dir.join(format!("{file}.{}.json", group.unwrap_or("root")));
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

#[test]
fn files_read_as_xarray_reads_them() {
    let Some((_cleanup, dir)) = fixtures("read") else {
        return;
    };
    for (file, group) in CASES {
        let path = dir.join(file);
        let what = format!("{file} group {group:?}");
        let start = std::time::Instant::now();
        let ds = tessera::open_netcdf_with(&path, &options(group))
            .unwrap_or_else(|e| panic!("opening {what}: {e}"));
        println!("opened {what} in {:?}", start.elapsed());
        let want = expected(&dir, file, group);
        let dims: Vec<(String, usize)> = want["dims"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap() as usize))
            .collect();
        let mut ours = ds.dims();
        ours.sort();
        let mut dims = dims;
        dims.sort();
        assert_eq!(ours, dims, "{what}: dims");
        let names = |key: &str| -> Vec<String> {
            want[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            sorted(ds.coords().names()),
            names("coords"),
            "{what}: coords"
        );
        assert_eq!(
            sorted(ds.data_var_names()),
            names("data_vars"),
            "{what}: data vars"
        );
        assert!(
            close(&Value::Object(ds.attrs().clone()), &want["attrs"]),
            "{what}: attrs {:?} != {}",
            ds.attrs(),
            want["attrs"]
        );
        for (name, w) in want["variables"].as_object().unwrap() {
            let da = ds.get(name).unwrap();
            let dims: Vec<String> = da.dims().iter().map(|d| d.to_string()).collect();
            assert_eq!(Value::from(dims), w["dims"], "{what}: dims of {name}");
            assert_eq!(
                Value::from(da.shape().to_vec()),
                w["shape"],
                "{what}: shape of {name}"
            );
            assert!(
                close(&Value::Object(da.attrs().clone()), &w["attrs"]),
                "{what}: attrs of {name}: {:?} != {}",
                da.attrs(),
                w["attrs"]
            );
            // Times and strings are objects in xarray; every other dtype must agree
            // (packed int16 with float32 attributes decodes to float32, as there).
            let dtype = w["dtype"].as_str().unwrap();
            if da.variable().is_strings() {
                assert!(
                    dtype == "object" || dtype.contains('U') || dtype.contains('S'),
                    "{what}: {name} is a string variable here, {dtype} in xarray"
                );
            } else if dtype != "object" && !dtype.starts_with("datetime64") {
                assert_eq!(da.dtype().name(), dtype, "{what}: dtype of {name}");
            }
            // The storage keys xarray records (filters, chunking): the same here.
            for (key, stored) in w["storage"].as_object().unwrap() {
                assert_eq!(
                    da.variable().encoding().get(key),
                    Some(stored),
                    "{what}: encoding[{key:?}] of {name}"
                );
            }
            let got = values_of(&ds, name);
            assert!(
                close(&got, &w["values"]),
                "{what}: values of {name}:\n{got}\n!=\n{}",
                w["values"]
            );
        }
    }
}

#[test]
fn raw_opening_keeps_the_stored_values_and_attributes() {
    let Some((_cleanup, dir)) = fixtures("raw") else {
        return;
    };
    let raw = tessera::open_netcdf_with(dir.join("grouped.nc"), &OpenOptions::raw().group("/obs/"))
        .unwrap();
    let sla = raw.get("sla").unwrap();
    assert_eq!(sla.dtype(), tessera::engine::DType::I16);
    assert_eq!(sla.attrs()["_FillValue"], Value::from(-32767));
    assert_eq!(sla.values::<i16>().unwrap()[[1, 2, 3]], -32767);
    let time = raw.get("time").unwrap();
    assert_eq!(time.attrs()["calendar"], "noleap");
    assert_eq!(
        time.values::<i32>().unwrap().as_slice().unwrap(),
        &[0, 31, 59, 365, 730, 1000]
    );
    let dropped = tessera::open_netcdf_with(
        dir.join("grouped.nc"),
        &OpenOptions {
            drop_variables: vec!["big".into()],
            ..OpenOptions::default().group("obs")
        },
    )
    .unwrap();
    assert!(dropped.get("big").is_err());
}

/// The sources at the leaves of a lazy array's graph.
fn sources(a: &LazyArray) -> Vec<Arc<dyn ChunkSource>> {
    match a.op() {
        Op::Source(s) => vec![s.clone()],
        _ => a.inputs().iter().flat_map(sources).collect(),
    }
}

#[test]
fn netcdf_sources_conform() {
    let Some((_cleanup, dir)) = fixtures("conformance") else {
        return;
    };
    let mut checked = 0;
    for (file, group) in CASES {
        let raw = tessera::open_netcdf_with(
            dir.join(file),
            &OpenOptions {
                group: group.map(String::from),
                ..OpenOptions::raw()
            },
        )
        .unwrap();
        let mut names = raw.data_var_names();
        names.extend(raw.coords().names());
        for name in &names {
            let da = raw.get(name).unwrap();
            if da.variable().is_strings() {
                continue;
            }
            for source in sources(da.data()) {
                assert!(source.describe().contains(file), "{}", source.describe());
                check(source.as_ref());
                checked += 1;
            }
        }
    }
    // grouped.nc: x, top; obs: time, time_std, lat, sla, count, big;
    // classic: time, temp, lon, height (a scalar); kinds: time, time_bnds, quality,
    // swh, sst; offset64: counts.
    assert_eq!(checked, 18);
}

#[test]
fn the_hdf5_chunks_are_the_engine_chunks() {
    let Some((_cleanup, dir)) = fixtures("chunks") else {
        return;
    };
    let raw = tessera::open_netcdf_with(dir.join("grouped.nc"), &OpenOptions::raw().group("obs"))
        .unwrap();
    let sla = raw.get("sla").unwrap();
    let grid = sla.data().chunks().clone();
    assert_eq!(grid.shape(), vec![6, 3, 7]);
    assert_eq!(grid.grid_shape(), vec![2, 2, 3]);
    // `chunks={"time": 9, "lat": 5}`: whole HDF5 chunks, at most the dimension.
    let opts = OpenOptions::raw()
        .group("obs")
        .chunk("time", 9)
        .chunk("lat", 5);
    let coarse = tessera::open_netcdf_with(dir.join("grouped.nc"), &opts).unwrap();
    let coarse = coarse.get("sla").unwrap();
    assert_eq!(coarse.data().chunks().grid_shape(), vec![1, 2, 3]);
    assert_eq!(
        coarse.values::<i16>().unwrap(),
        sla.values::<i16>().unwrap()
    );
    let err = tessera::open_netcdf_with(
        dir.join("grouped.nc"),
        &OpenOptions::raw().group("obs").chunk("depth", 2),
    )
    .unwrap_err();
    assert!(matches!(err, Error::UnknownDimension { .. }), "{err}");
}

#[test]
fn contiguous_variables_are_split_into_blocks_of_at_most_16_mib() {
    let Some((_cleanup, dir)) = fixtures("contiguous") else {
        return;
    };
    let path = dir.join("contiguous.nc");
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("contiguous.nc.json")).unwrap())
            .unwrap();
    let ds = tessera::open_netcdf(&path).unwrap();
    let field = ds.get("field").unwrap();
    let grid = field.data().chunks().clone();
    assert_eq!(grid.shape(), vec![300, 100, 100]);
    // 80 kB per step along t: 209 steps make the largest block under 16 MiB.
    let rows = (16usize << 20) / (100 * 100 * 8);
    assert_eq!(grid.grid_shape(), vec![300usize.div_ceil(rows), 1, 1]);
    let sums = field.sum(["y", "x"]).unwrap().values::<f64>().unwrap();
    let want_sums: Vec<f64> = want["sum_t"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (t, (got, want)) in sums.iter().zip(&want_sums).enumerate() {
        assert!(
            (got - want).abs() <= 1e-9 * want.abs(),
            "t={t}: {got} != {want}"
        );
    }
    let total = field.sum(["t", "y", "x"]).unwrap().values::<f64>().unwrap();
    let want_total = want["sum"].as_f64().unwrap();
    assert!((total.sum() - want_total).abs() <= 1e-9 * want_total);
}

#[test]
fn unsigned_bytes_are_read_as_unsigned_and_written_back_signed() {
    let Some((_cleanup, dir)) = fixtures("unsigned") else {
        return;
    };
    let ds = tessera::open_netcdf(dir.join("kinds.nc")).unwrap();
    let quality = ds.get("quality").unwrap();
    assert_eq!(quality.variable().encoding()["_Unsigned"], "true");
    assert_eq!(quality.variable().encoding()["_FillValue"], 255);
    let enc = tessera::labelled::encode_cf(&ds).unwrap();
    let stored = enc.get("quality").unwrap();
    assert_eq!(stored.dtype(), tessera::engine::DType::I8);
    assert_eq!(stored.attrs()["_FillValue"], -1);
    assert_eq!(stored.attrs()["_Unsigned"], "true");
    let raw = tessera::open_netcdf_with(dir.join("kinds.nc"), &OpenOptions::raw()).unwrap();
    assert_eq!(
        stored.values::<i8>().unwrap(),
        raw.get("quality").unwrap().values::<i8>().unwrap()
    );
    // Written back, the attributes keep their types: float32 scales still decode to
    // float32, `_Unsigned` bytes to the same values.
    let copy = dir.join("kinds-copy.nc");
    ds.to_netcdf(&copy, &tessera::io::NetcdfWriteOptions::default())
        .unwrap();
    let back = tessera::open_netcdf(&copy).unwrap();
    for name in ["quality", "swh"] {
        let (a, b) = (ds.get(name).unwrap(), back.get(name).unwrap());
        assert_eq!(b.dtype(), a.dtype(), "{name}");
        let (a, b) = (a.values::<f64>().unwrap(), b.values::<f64>().unwrap());
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x == y || (x.is_nan() && y.is_nan())),
            "{name}: {a} != {b}"
        );
    }
}

#[test]
fn compound_and_vlen_variables_open_and_fail_only_when_computed() {
    let Some((_cleanup, dir)) = fixtures("exotic") else {
        return;
    };
    let ds = tessera::open_netcdf(dir.join("exotic.nc")).unwrap();
    assert_eq!(sorted(ds.data_var_names()), ["profile", "ragged", "temp"]);
    assert_eq!(
        ds.get("temp")
            .unwrap()
            .values::<f32>()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[10.0, 11.0, 12.0]
    );
    let repr = format!("{ds}");
    assert!(repr.contains("compound") && repr.contains("vlen"), "{repr}");
    for name in ["profile", "ragged"] {
        let da = ds.get(name).unwrap();
        assert!(da.variable().is_opaque());
        assert_eq!(da.isel_list("obs", &[1, 2]).unwrap().shape(), &[2]);
        let err = da.values::<f64>().unwrap_err().to_string();
        assert!(err.contains(name) && err.contains("exotic.nc"), "{err}");
    }
}

#[test]
fn damaged_files_are_typed_errors_naming_the_file() {
    let Some((_cleanup, dir)) = fixtures("damaged") else {
        return;
    };
    let bytes = std::fs::read(dir.join("grouped.nc")).unwrap();
    let truncated = dir.join("truncated.nc");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let text = dir.join("not-netcdf.nc");
    std::fs::write(&text, b"station,sla\nBrest,0.1\n").unwrap();
    let missing = dir.join("missing.nc");
    for path in [&truncated, &text, &missing] {
        let result = tessera::open_netcdf(path).and_then(|ds| {
            for name in ds.data_var_names() {
                ds.get(&name)?.values::<f64>()?;
            }
            Ok(ds)
        });
        let err = result.expect_err("a damaged file is an error");
        assert!(
            matches!(err, Error::Store { .. } | Error::SourceRead { .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
    let err = tessera::open_netcdf_with(
        dir.join("grouped.nc"),
        &OpenOptions::default().group("nope"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}
