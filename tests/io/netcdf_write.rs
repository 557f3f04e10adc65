//! `Dataset::to_netcdf`: files written here read by xarray (`scripts/netcdf_write_check.py
//! dump`) with the values, dims, attributes, dtypes, encoding (zlib, chunks, packing,
//! fill values, time units and calendars) and unlimited dims that were written, in
//! netCDF-4 and netCDF-3 classic; written here and read back here alike; a file written
//! by xarray opened, written back and read by xarray alike; typed errors; random
//! shapes and chunkings written and read back. The xarray checks are skipped, with a
//! printed reason, when python3 with xarray and netCDF4 is not available.

use std::path::Path;
use std::process::Command;

use ndarray::{Array, ArrayD, IxDyn};
use serde_json::{Value, json};
use tessera::engine::{ArrayData, ChunkGrid, DType, LazyArray};
use tessera::io::{NetcdfFormat, NetcdfWriteOptions, WriteMode};
use tessera::labelled::{Attrs, Dataset, Variable};
use tessera::time::{Calendar, CfDatetime};
use tessera::{Compute, Error};

use crate::support::xarray_json::{close, values_of};
use crate::support::zarr_fixtures::{Cleanup, python_with, temp_dir};

/// True when python3 can import xarray and netCDF4; otherwise says why not.
fn python_ok() -> bool {
    python_with("xarray, netCDF4, cftime")
        .map_err(|why| println!("skipping the xarray checks: {why}"))
        .is_ok()
}

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/netcdf_write_check.py");

/// What xarray reads from `path`.
fn dump(path: &Path) -> Value {
    let out = Command::new("python3")
        .args([SCRIPT, "dump"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "netcdf_write_check.py dump {} failed:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn obj(v: Value) -> Attrs {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn lazy<T: tessera::engine::Storable>(a: ArrayD<T>, chunks: Vec<Vec<usize>>) -> LazyArray {
    LazyArray::from_data(ArrayData::new(a), ChunkGrid::new(chunks).unwrap()).unwrap()
}

fn days(cal: Calendar, origin: (i64, u8, u8), days: &[i64]) -> Vec<i64> {
    let o = cal
        .to_micros(&CfDatetime::date(origin.0, origin.1, origin.2))
        .unwrap();
    days.iter().map(|d| o + d * 86_400_000_000).collect()
}

/// The dataset the round trips write: packed int16 with NaNs, float32 with NaNs,
/// noleap and standard times, a string coordinate, uneven engine chunks.
fn sample(netcdf4: bool) -> Dataset {
    let (nt, ny, nx) = (6, 3, 7);
    let mut ds = Dataset::new();
    let time = days(Calendar::NoLeap, (2000, 1, 1), &[0, 31, 59, 365, 730, 1000]);
    let time = Variable::new(
        ["time"],
        lazy(Array::from(time).into_dyn(), vec![vec![4, 2]]),
    )
    .unwrap()
    .with_encoding(obj(json!({
        "calendar": "noleap", "units": "days since 2000-01-01", "dtype": "int32"
    })));
    ds.insert_coord("time", time).unwrap();
    let lat = Array::from_shape_fn(IxDyn(&[ny]), |i| -10.0 + 10.0 * i[0] as f64);
    ds.insert_coord(
        "lat",
        Variable::new(["lat"], lazy(lat, vec![vec![ny]]))
            .unwrap()
            .with_attrs(obj(json!({"units": "degrees_north"}))),
    )
    .unwrap();
    let lon = Array::from_shape_fn(IxDyn(&[nx]), |i| i[0] as f32 * 45.0);
    ds.insert_coord(
        "lon",
        Variable::new(["lon"], lazy(lon, vec![vec![3, 4]])).unwrap(),
    )
    .unwrap();
    let names = ["Brest", "Marseille", "Île-d'Yeu", ""]
        .map(String::from)
        .to_vec();
    ds.insert_coord(
        "station",
        Variable::from_strings(["station"], &[4], names, &[4]).unwrap(),
    )
    .unwrap();
    let std_time = days(Calendar::Standard, (1990, 1, 1), &[0, 1, 2, 10000])
        .into_iter()
        .enumerate()
        .map(|(i, t)| t + i as i64 * 3_600_000_000)
        .collect::<Vec<_>>();
    ds.insert(
        "obs_time",
        Variable::new(
            ["station"],
            lazy(Array::from(std_time).into_dyn(), vec![vec![4]]),
        )
        .unwrap()
        .with_encoding(obj(
            json!({"calendar": "standard", "units": "hours since 1990-01-01"}),
        )),
    )
    .unwrap();
    let sla = Array::from_shape_fn(IxDyn(&[nt, ny, nx]), |i| {
        if (i[0] + i[1] + i[2]) % 5 == 0 {
            f64::NAN
        } else {
            0.5 + 0.001 * ((i[0] * 31 + i[1] * 7 + i[2] * 3) as f64 - 60.0)
        }
    });
    ds.insert(
        "sla",
        Variable::new(
            ["time", "lat", "lon"],
            lazy(sla, vec![vec![4, 2], vec![2, 1], vec![3, 4]]),
        )
        .unwrap()
        .with_attrs(obj(
            json!({"long_name": "sea level anomaly", "units": "m", "valid_range": [-1000, 1000]}),
        ))
        .with_encoding(obj(json!({
            "dtype": "int16", "scale_factor": 0.001, "add_offset": 0.5, "_FillValue": -32767,
            "zlib": true, "complevel": 5, "shuffle": true, "chunksizes": [2, 2, 4]
        }))),
    )
    .unwrap();
    let t2m = Array::from_shape_fn(IxDyn(&[nt, ny, nx]), |i| {
        if i[2] == 6 && i[0] == 1 {
            f32::NAN
        } else {
            270.0 + (i[0] * 21 + i[1] * 7 + i[2]) as f32 * 0.25
        }
    });
    ds.insert(
        "t2m",
        Variable::new(
            ["time", "lat", "lon"],
            lazy(t2m, vec![vec![4, 2], vec![2, 1], vec![3, 4]]),
        )
        .unwrap()
        .with_attrs(obj(
            json!({"units": "K", "valid_max": 400.0, "note": "NaN"}),
        ))
        .with_encoding(obj(json!({"zlib": true}))),
    )
    .unwrap();
    let count = Array::from_vec(vec![3i32, -1, 70_000, 0]).into_dyn();
    ds.insert(
        "count",
        Variable::new(["station"], lazy(count, vec![vec![2, 2]])).unwrap(),
    )
    .unwrap();
    let flag = Array::from_vec(vec![0u8, 1, 2, 100]).into_dyn();
    ds.insert(
        "flag",
        Variable::new(["station"], lazy(flag, vec![vec![4]])).unwrap(),
    )
    .unwrap();
    let mut attrs = obj(json!({
        "title": "tessera to_netcdf test", "version": 3, "weights": [0.5, 1.5],
        "missing": "NaN", "big": 1e300
    }));
    if netcdf4 {
        attrs.insert("history".into(), json!(["made", "checked"]));
        attrs.insert("huge".into(), json!(1i64 << 40));
    }
    *ds.attrs_mut() = attrs;
    ds
}

fn all_names(ds: &Dataset) -> Vec<String> {
    let mut names = ds.coords().names();
    names.extend(ds.data_var_names());
    names
}

/// Checks what xarray reads against what was written.
fn check_dump(ds: &Dataset, got: &Value, model: &str) {
    assert_eq!(got["data_model"], model);
    let mut dims: Vec<(String, usize)> = ds.dims();
    dims.sort();
    let mut theirs: Vec<(String, usize)> = got["dims"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap() as usize))
        .collect();
    theirs.sort();
    assert_eq!(dims, theirs);
    assert_eq!(got["unlimited_dims"], json!(["time"]));
    let mut coords = ds.coords().names();
    coords.sort();
    assert_eq!(got["coords"], json!(coords));
    let attrs = Value::Object(ds.attrs().clone());
    assert!(close(&got["attrs"], &attrs), "{} != {attrs}", got["attrs"]);
    for name in all_names(ds) {
        let w = &got["variables"][&name];
        let da = ds.get(&name).unwrap();
        assert_eq!(w["dims"], json!(da.dims()), "dims of {name}");
        assert_eq!(w["shape"], json!(da.shape()), "shape of {name}");
        let want = values_of(ds, &name);
        assert!(
            close(&w["values"], &want),
            "values of {name}:\n{}\n!=\n{want}",
            w["values"]
        );
        let attrs = Value::Object(da.attrs().clone());
        assert!(
            close(&w["attrs"], &attrs),
            "attrs of {name}: {} != {attrs}",
            w["attrs"]
        );
        let var = da.variable();
        // netCDF-3 stores uint8 as int8 (xarray's coercion).
        let coerced = model != "NETCDF4" && var.dtype() == DType::U8;
        if !var.is_strings() && !var.encoding().contains_key("calendar") && !coerced {
            assert_eq!(w["dtype"], var.dtype().name(), "dtype of {name}");
        }
    }
    let enc = |name: &str, key: &str| got["variables"][name]["encoding"][key].clone();
    assert_eq!(enc("sla", "dtype"), "int16");
    assert_eq!(enc("sla", "scale_factor"), 0.001);
    assert_eq!(enc("sla", "add_offset"), 0.5);
    assert_eq!(enc("sla", "_FillValue"), -32767);
    assert_eq!(enc("time", "units"), "days since 2000-01-01");
    assert_eq!(enc("time", "calendar"), "noleap");
    assert_eq!(enc("time", "dtype"), "int32");
    assert_eq!(enc("obs_time", "units"), "hours since 1990-01-01");
    assert_eq!(enc("obs_time", "calendar"), "standard");
    assert_eq!(enc("t2m", "dtype"), "float32");
    assert_eq!(enc("t2m", "_FillValue"), "NaN");
    if model == "NETCDF4" {
        assert_eq!(enc("sla", "zlib"), true);
        assert_eq!(enc("sla", "complevel"), 5);
        assert_eq!(enc("sla", "shuffle"), true);
        assert_eq!(enc("sla", "chunksizes"), json!([2, 2, 4]));
        assert_eq!(enc("t2m", "zlib"), true);
        assert_eq!(enc("t2m", "complevel"), 4);
        // The engine chunks' first lengths.
        assert_eq!(enc("t2m", "chunksizes"), json!([4, 2, 3]));
        assert_eq!(enc("count", "contiguous"), false);
        assert_eq!(enc("flag", "contiguous"), true);
        assert_eq!(enc("obs_time", "dtype"), "int64");
    } else {
        assert_eq!(enc("obs_time", "dtype"), "int32");
        assert_eq!(got["variables"]["flag"]["dtype"], "int8");
    }
}

/// Reads the file back here and compares with what was written.
fn check_read_back(ds: &Dataset, path: &Path) {
    let back = tessera::open_netcdf(path).unwrap();
    let mut a = all_names(ds);
    let mut b = all_names(&back);
    a.sort();
    b.sort();
    assert_eq!(a, b);
    for name in all_names(ds) {
        let (want, got) = (values_of(ds, &name), values_of(&back, &name));
        assert!(close(&got, &want), "{name}: {got} != {want}");
        let (va, vb) = (ds.get(&name).unwrap(), back.get(&name).unwrap());
        assert_eq!(va.dims(), vb.dims());
        // The reader keeps the `_Encoding` of char arrays as an attribute (xarray moves
        // it to the encoding).
        let mut attrs = vb.attrs().clone();
        if vb.variable().is_strings() {
            attrs.remove("_Encoding");
        }
        assert!(
            close(&Value::Object(attrs), &Value::Object(va.attrs().clone())),
            "attrs of {name}: {:?} != {:?}",
            vb.attrs(),
            va.attrs()
        );
        for key in [
            "scale_factor",
            "add_offset",
            "_FillValue",
            "units",
            "calendar",
        ] {
            if let Some(v) = va.variable().encoding().get(key) {
                assert!(
                    close(&vb.variable().encoding()[key], v),
                    "encoding {key} of {name}"
                );
            }
        }
    }
}

#[test]
fn netcdf4_files_read_in_xarray_as_written() {
    let dir = temp_dir("ncw-nc4");
    let _cleanup = Cleanup(dir.clone());
    let path = dir.join("sample.nc");
    let ds = sample(true);
    ds.to_netcdf(&path, &NetcdfWriteOptions::default().unlimited("time"))
        .unwrap();
    check_read_back(&ds, &path);
    if python_ok() {
        check_dump(&ds, &dump(&path), "NETCDF4");
    }
    // Overwriting (the default mode) replaces the file; Create refuses.
    ds.to_netcdf(&path, &NetcdfWriteOptions::default().unlimited("time"))
        .unwrap();
    let err = ds
        .to_netcdf(
            &path,
            &NetcdfWriteOptions {
                mode: WriteMode::Create,
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("exists"), "{err}");
    check_read_back(&ds, &path);
    // xarray's `dtype: "S1"` stores strings as a char array in netCDF-4 too.
    let chars = dir.join("chars.nc");
    let opts = NetcdfWriteOptions::default()
        .unlimited("time")
        .encoding("station", json!({"dtype": "S1"}));
    ds.to_netcdf(&chars, &opts).unwrap();
    check_read_back(&ds, &chars);
    if python_ok() {
        let got = dump(&chars);
        assert_eq!(
            got["variables"]["station"]["values"],
            values_of(&ds, "station")
        );
        assert_eq!(got["variables"]["station"]["encoding"]["dtype"], "|S1");
    }
}

#[test]
fn netcdf3_classic_files_read_in_xarray_as_written() {
    let dir = temp_dir("ncw-nc3");
    let _cleanup = Cleanup(dir.clone());
    for (format, model) in [
        (NetcdfFormat::Netcdf3Classic, "NETCDF3_CLASSIC"),
        (NetcdfFormat::Netcdf3_64Bit, "NETCDF3_64BIT_OFFSET"),
        (NetcdfFormat::Netcdf4Classic, "NETCDF4_CLASSIC"),
    ] {
        let path = dir.join(format!("{model}.nc"));
        let ds = sample(false);
        ds.to_netcdf(&path, &NetcdfWriteOptions::format(format).unlimited("time"))
            .unwrap();
        check_read_back(&ds, &path);
        if python_ok() {
            check_dump(&ds, &dump(&path), model);
        }
    }
}

#[test]
fn groups_hold_what_is_written_into_them() {
    let dir = temp_dir("ncw-group");
    let _cleanup = Cleanup(dir.clone());
    let path = dir.join("grouped.nc");
    let ds = sample(true);
    ds.to_netcdf(&path, &NetcdfWriteOptions::default().group("obs/raw"))
        .unwrap();
    let back =
        tessera::open_netcdf_with(&path, &tessera::io::OpenOptions::default().group("obs/raw"))
            .unwrap();
    for name in all_names(&ds) {
        assert!(
            close(&values_of(&back, &name), &values_of(&ds, &name)),
            "{name}"
        );
    }
    // Appending adds groups to a file, and variables to its root (reusing its dims);
    // HDF5 refuses to write a file this process has open for reading.
    drop(back);
    let append = |group: Option<&str>| NetcdfWriteOptions {
        mode: WriteMode::Append,
        group: group.map(String::from),
        ..Default::default()
    };
    ds.to_netcdf(&path, &append(Some("model"))).unwrap();
    let mut extra = Dataset::new();
    let v = Array::from_vec(vec![1.5f64, 2.5, 3.5]).into_dyn();
    extra
        .insert(
            "depth",
            Variable::new(["lat"], lazy(v, vec![vec![3]])).unwrap(),
        )
        .unwrap();
    extra.to_netcdf(&path, &append(None)).unwrap();
    for group in ["obs/raw", "model"] {
        let back =
            tessera::open_netcdf_with(&path, &tessera::io::OpenOptions::default().group(group))
                .unwrap();
        for name in all_names(&ds) {
            assert!(
                close(&values_of(&back, &name), &values_of(&ds, &name)),
                "{group} {name}"
            );
        }
    }
    let root = tessera::open_netcdf(&path).unwrap();
    assert_eq!(values_of(&root, "depth"), json!([1.5, 2.5, 3.5]));
    drop(root);
    if python_ok() {
        let got = dump(&path);
        assert_eq!(got["variables"]["depth"]["values"], json!([1.5, 2.5, 3.5]));
    }
    // The same group twice, a variable already there, a dim of another length.
    let err = ds.to_netcdf(&path, &append(Some("model"))).unwrap_err();
    assert!(err.to_string().contains("model"), "{err}");
    let err = extra.to_netcdf(&path, &append(None)).unwrap_err();
    assert!(err.to_string().contains("depth"), "{err}");
    let mut longer = Dataset::new();
    let v = Array::from_vec(vec![1.0f64; 5]).into_dyn();
    longer
        .insert("w", Variable::new(["lat"], lazy(v, vec![vec![5]])).unwrap())
        .unwrap();
    let err = longer.to_netcdf(&path, &append(None)).unwrap_err();
    assert!(err.to_string().contains("lat"), "{err}");
    let err = sample(false)
        .to_netcdf(
            &path,
            &NetcdfWriteOptions::format(NetcdfFormat::Netcdf3Classic).group("obs"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("no groups"), "{err}");
}

#[test]
fn a_file_written_by_xarray_is_written_back_as_it_was() {
    if !python_ok() {
        return;
    }
    let dir = temp_dir("ncw-xarray");
    let _cleanup = Cleanup(dir.clone());
    let original = dir.join("xarray.nc");
    let out = Command::new("python3")
        .args([SCRIPT, "make"])
        .arg(&original)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ds = tessera::open_netcdf(&original).unwrap();
    let copy = dir.join("copy.nc");
    // No options: the unlimited dims, filters and chunking come from what the reader
    // recorded in the encodings, as with xarray's `open_dataset(..).to_netcdf(..)`.
    assert_eq!(ds.encoding()["unlimited_dims"], json!(["time"]));
    ds.to_netcdf(&copy, &NetcdfWriteOptions::default()).unwrap();
    let (a, b) = (dump(&original), dump(&copy));
    for key in [
        "data_model",
        "dims",
        "unlimited_dims",
        "coords",
        "data_vars",
        "attrs",
    ] {
        assert!(close(&a[key], &b[key]), "{key}: {} != {}", a[key], b[key]);
    }
    for (name, va) in a["variables"].as_object().unwrap() {
        let vb = &b["variables"][name];
        for key in ["dims", "shape", "dtype", "attrs", "values", "encoding"] {
            assert!(
                close(&va[key], &vb[key]),
                "{name} {key}:\n{}\n!=\n{}",
                va[key],
                vb[key]
            );
        }
    }
    // Without the overrides, packing, chunks, times and values are still kept.
    ds.to_netcdf(&copy, &NetcdfWriteOptions::default()).unwrap();
    let c = dump(&copy);
    for (name, va) in a["variables"].as_object().unwrap() {
        let vc = &c["variables"][name];
        assert!(close(&va["values"], &vc["values"]), "{name}");
        for key in [
            "dtype",
            "scale_factor",
            "add_offset",
            "_FillValue",
            "units",
            "calendar",
        ] {
            assert_eq!(va["encoding"][key], vc["encoding"][key], "{name} {key}");
        }
    }
}

#[test]
fn bad_paths_types_and_encodings_are_typed_errors() {
    let dir = temp_dir("ncw-errors");
    let _cleanup = Cleanup(dir.clone());
    let ds = sample(true);
    let opts = NetcdfWriteOptions::default();
    // A directory that does not exist, and a path that is a directory.
    for path in [dir.join("missing/sub/x.nc"), dir.clone()] {
        let err = ds.to_netcdf(&path, &opts).unwrap_err();
        assert!(matches!(err, Error::Store { .. }), "{err:?}");
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "no temp file left"
    );

    // int64 values beyond int32 in netCDF-3 (xarray refuses them too); values that
    // fit are stored as int32, as xarray coerces them.
    let mut big = Dataset::new();
    let v = Array::from_vec(vec![1i64, 1 << 40]).into_dyn();
    big.insert(
        "ticks",
        Variable::new(["n"], lazy(v, vec![vec![1, 1]])).unwrap(),
    )
    .unwrap();
    let path = dir.join("nc3.nc");
    let nc3 = NetcdfWriteOptions::format(NetcdfFormat::Netcdf3Classic);
    let err = big.to_netcdf(&path, &nc3).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("ticks") && text.contains("nc3.nc") && text.contains("int64"),
        "{text}"
    );
    assert!(!path.exists(), "a failed write leaves no file");
    let mut small = Dataset::new();
    let v = Array::from_vec(vec![1i64, -5]).into_dyn();
    small
        .insert(
            "ticks",
            Variable::new(["n"], lazy(v, vec![vec![2]])).unwrap(),
        )
        .unwrap();
    small.to_netcdf(&path, &nc3).unwrap();
    let back = tessera::open_netcdf(&path).unwrap();
    assert_eq!(back.get("ticks").unwrap().dtype(), DType::I32);

    // An encoding for a variable that does not exist, or with an unknown key.
    let err = ds
        .to_netcdf(
            dir.join("e.nc"),
            &opts.clone().encoding("nope", json!({"zlib": true})),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownVariable { name, .. } if name == "nope"),
        "{err:?}"
    );
    let err = ds
        .to_netcdf(
            dir.join("e.nc"),
            &opts.clone().encoding("sla", json!({"zlip": true})),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("zlip") && err.to_string().contains("sla"),
        "{err}"
    );
    let err = ds
        .to_netcdf(
            dir.join("e.nc"),
            &opts.clone().encoding("sla", json!({"complevel": 12})),
        )
        .unwrap_err();
    assert!(err.to_string().contains("complevel"), "{err}");
    // An unlimited dim that no variable has; two unlimited dims in netCDF-3.
    let err = ds
        .to_netcdf(dir.join("e.nc"), &opts.clone().unlimited("depth"))
        .unwrap_err();
    assert!(matches!(err, Error::UnknownDimension { .. }), "{err:?}");
    let err = sample(false)
        .to_netcdf(
            dir.join("e.nc"),
            &NetcdfWriteOptions::format(NetcdfFormat::Netcdf3Classic)
                .unlimited("time")
                .unlimited("lon"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("unlimited"), "{err}");
    // Strings are not a netCDF-3 attribute type.
    let err = ds
        .to_netcdf(
            dir.join("e.nc"),
            &NetcdfWriteOptions::format(NetcdfFormat::Netcdf3Classic),
        )
        .unwrap_err();
    assert!(err.to_string().contains("history"), "{err}");
}

/// A tiny deterministic generator (no extra dependency for a loop of shapes).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn random_shapes_and_chunks_write_and_read_back_equal() {
    let dir = temp_dir("ncw-random");
    let _cleanup = Cleanup(dir.clone());
    let mut rng = Lcg(42);
    for case in 0..24 {
        let ndim = rng.below(4);
        let shape: Vec<usize> = (0..ndim).map(|_| 1 + rng.below(9)).collect();
        let chunks: Vec<Vec<usize>> = shape
            .iter()
            .map(|&n| {
                let mut out = vec![];
                let mut left = n;
                while left > 0 {
                    let c = 1 + rng.below(left);
                    out.push(c);
                    left -= c;
                }
                out
            })
            .collect();
        let n: usize = shape.iter().product();
        let raw = Array::from_shape_vec(
            IxDyn(&shape),
            (0..n).map(|i| i as f64 * 0.5 - 3.0).collect(),
        )
        .unwrap();
        // Lazy: an elementwise op over a chunked source.
        let data = lazy(raw.clone(), chunks.clone()).cast(DType::F32).unwrap();
        let dims: Vec<String> = (0..ndim).map(|a| format!("d{a}")).collect();
        let mut ds = Dataset::new();
        let mut enc = Attrs::new();
        if case % 3 == 1 {
            enc.insert("zlib".into(), true.into());
        }
        if case % 3 == 2 && ndim > 0 {
            let cs: Vec<usize> = shape.iter().map(|&s| 1 + rng.below(s)).collect();
            enc.insert("chunksizes".into(), json!(cs));
        }
        ds.insert(
            "v",
            Variable::new(dims.clone(), data)
                .unwrap()
                .with_encoding(enc),
        )
        .unwrap();
        let format = if case % 4 == 3 {
            NetcdfFormat::Netcdf3Classic
        } else {
            NetcdfFormat::Netcdf4
        };
        let mut opts = NetcdfWriteOptions::format(format);
        opts.compute = Compute::new().memory_limit(1 << 20);
        if ndim > 0 && case % 2 == 0 {
            opts = opts.unlimited("d0");
        }
        let path = dir.join(format!("case{case}.nc"));
        ds.to_netcdf(&path, &opts)
            .unwrap_or_else(|e| panic!("case {case} {shape:?} {chunks:?}: {e}"));
        let back = tessera::open_netcdf(&path).unwrap();
        let got = back.get("v").unwrap().values::<f64>().unwrap();
        assert_eq!(got, raw, "case {case}: shape {shape:?} chunks {chunks:?}");
    }
}

/// Write throughput of a 200 MB float32 variable in memory (in chunks of 20 MB), against
/// xarray writing the same array from memory (uncompressed and zlib level 1).
/// Run by hand: `cargo test --features netcdf --test io write_throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn write_throughput_of_a_200_mb_variable() {
    let dir = temp_dir("ncw-speed");
    let _cleanup = Cleanup(dir.clone());
    let (nt, ny, nx) = (50usize, 1000usize, 1000usize);
    let mut values = Vec::with_capacity(nt * ny * nx);
    for t in 0..nt {
        for y in 0..ny {
            for x in 0..nx {
                values.push(((t * 7 + y * 3 + x) as f32) * 0.01);
            }
        }
    }
    let a = Array::from_shape_vec(IxDyn(&[nt, ny, nx]), values).unwrap();
    let data = LazyArray::from_ndarray(a, &[5, ny, nx]).unwrap();
    let mut ds = Dataset::new();
    ds.insert("v", Variable::new(["t", "y", "x"], data).unwrap())
        .unwrap();
    let start = std::time::Instant::now();
    let copy = ds.get("v").unwrap().values::<f32>().unwrap();
    println!(
        "computing into memory alone: {:.2} s ({} values)",
        start.elapsed().as_secs_f64(),
        copy.len()
    );
    drop(copy);
    for zlib in [false, true] {
        let path = dir.join(format!("tessera-{zlib}.nc"));
        let opts = NetcdfWriteOptions::default().encoding(
            "v",
            json!({"zlib": zlib, "complevel": 1, "chunksizes": [5, 1000, 1000]}),
        );
        let start = std::time::Instant::now();
        ds.to_netcdf(&path, &opts).unwrap();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "tessera to_netcdf zlib={zlib}: {secs:.2} s, {:.0} MB/s",
            200.0 / secs
        );
    }
    if python_ok() {
        let code = format!(
            "import time, numpy as np, xarray as xr\n\
             t, y, x = np.ogrid[0:50, 0:1000, 0:1000]\n\
             v = ((t * 7 + y * 3 + x) * 0.01).astype('f4')\n\
             ds = xr.Dataset({{'v': (('t', 'y', 'x'), v)}})\n\
             for z in (False, True):\n\
             \x20   s = time.perf_counter()\n\
             \x20   ds.to_netcdf('{}/xarray.nc', encoding={{'v': {{'zlib': z, 'complevel': 1, 'chunksizes': (5, 1000, 1000)}}}})\n\
             \x20   d = time.perf_counter() - s\n\
             \x20   print(f'xarray to_netcdf zlib={{z}}: {{d:.2f}} s, {{200 / d:.0f}} MB/s')\n",
            dir.display()
        );
        let out = Command::new("python3")
            .args(["-c", &code])
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// HDF5 locks the files it opens; a process spawned while one is open must not inherit
/// the lock (a child outliving the write made the finished file unreadable until it
/// exited). The computation of the data spawns the child while the file is open.
#[test]
fn a_child_spawned_during_a_write_does_not_keep_the_file_locked() {
    let dir = temp_dir("ncw-child");
    let _cleanup = Cleanup(dir.clone());
    let children = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let spawned = children.clone();
    let data = LazyArray::from_fn(
        "spawns",
        DType::F64,
        ChunkGrid::regular(&[4], &[4]).unwrap(),
        move |_, region| {
            let child = Command::new("sleep")
                .arg("30")
                .spawn()
                .expect("the test spawns `sleep`");
            spawned.lock().unwrap().push(child);
            let n = region[0].len();
            Ok(ArrayData::new(Array::from_elem(IxDyn(&[n]), 1.5)))
        },
    );
    let mut ds = Dataset::new();
    ds.insert("x", Variable::new(["i"], data).unwrap()).unwrap();
    let path = dir.join("child.nc");
    let written = ds.to_netcdf(&path, &NetcdfWriteOptions::default());
    let reopened = written.and_then(|()| tessera::open_netcdf(&path));
    let values = reopened.and_then(|back| back.get("x").unwrap().values::<f64>());
    for mut child in children.lock().unwrap().drain(..) {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert_eq!(values.unwrap().iter().copied().collect::<Vec<_>>(), [1.5; 4]);
}
