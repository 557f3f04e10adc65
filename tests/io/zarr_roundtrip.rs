//! tessera writes Zarr (v2 and v3, every compressor, append, region), reads it back
//! unchanged, and xarray reads the same stores the same way.

use crate::support::zarr_fixtures::{Cleanup, check, describe, python_with_xarray, temp_dir};
use ndarray::{Array, IxDyn};
use serde_json::json;
use tessera::engine::LazyArray;
use tessera::io::{Compressor, OpenOptions, WriteMode, WriteOptions};
use tessera::labelled::DecodeOptions;
use tessera::labelled::{Attrs, Dataset, Variable};

fn attrs(v: serde_json::Value) -> Attrs {
    v.as_object().unwrap().clone()
}

/// 10 times x 4 lats, engine chunks (3, 4): a NaN, a packed int16 variable, a
/// non-index coordinate, attributes of several types.
fn sample(t0: usize, nt: usize) -> Dataset {
    let mut ds = Dataset::new();
    let time = Array::from_shape_fn(IxDyn(&[nt]), |i| ((t0 + i[0]) * 24) as i64);
    ds.insert_coord(
        "time",
        Variable::new(["time"], LazyArray::from_ndarray(time, &[3]).unwrap())
            .unwrap()
            .with_attrs(attrs(
                json!({"units": "hours since 2000-01-01", "calendar": "noleap"}),
            )),
    )
    .unwrap();
    let lat = Array::from_shape_fn(IxDyn(&[4]), |i| -45.0 + 30.0 * i[0] as f64);
    ds.insert_coord(
        "lat",
        Variable::new(["lat"], LazyArray::from_ndarray(lat, &[4]).unwrap()).unwrap(),
    )
    .unwrap();
    let w = Array::from_shape_fn(IxDyn(&[4]), |i| 0.5 + i[0] as f32);
    ds.insert_coord(
        "weight",
        Variable::new(["lat"], LazyArray::from_ndarray(w, &[2]).unwrap()).unwrap(),
    )
    .unwrap();
    let x = Array::from_shape_fn(IxDyn(&[nt, 4]), |i| {
        if (t0 + i[0], i[1]) == (2, 1) {
            f64::NAN
        } else {
            ((t0 + i[0]) * 10 + i[1]) as f64 / 7.0
        }
    });
    ds.insert(
        "x",
        Variable::new(
            ["time", "lat"],
            LazyArray::from_ndarray(x, &[3, 4]).unwrap(),
        )
        .unwrap()
        .with_attrs(attrs(
            json!({"units": "K", "_FillValue": "NaN", "levels": [1, 2, 3]}),
        )),
    )
    .unwrap();
    let p = Array::from_shape_fn(IxDyn(&[nt, 4]), |i| {
        ((t0 + i[0]) as i16 - 5) * (i[1] as i16 + 1)
    });
    ds.insert(
        "p",
        Variable::new(
            ["time", "lat"],
            LazyArray::from_ndarray(p, &[5, 2]).unwrap(),
        )
        .unwrap()
        .with_attrs(attrs(
            json!({"scale_factor": 0.5, "add_offset": 1.0, "_FillValue": -32767}),
        )),
    )
    .unwrap();
    let scalar = Array::from_elem(IxDyn(&[]), 273.15f64);
    ds.insert(
        "offset",
        Variable::new(
            Vec::<String>::new(),
            LazyArray::from_ndarray(scalar, &[]).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    *ds.attrs_mut() = attrs(json!({"title": "round trip", "n": 3, "flag": true}));
    ds
}

/// Opens with only the coordinates attribute decoded: what was written comes back.
fn reopen(url: &str) -> Dataset {
    let keep = DecodeOptions {
        mask_and_scale: false,
        decode_times: false,
        ..DecodeOptions::default()
    };
    tessera::open_zarr_with(
        url,
        &OpenOptions {
            decode: Some(keep),
            ..OpenOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("reopening {url}: {e}"))
}

/// The dataset as stored: CF-encoded (floats get a NaN `_FillValue`), with the
/// `coordinates` attribute gone (it went to encoding).
fn expected(ds: &Dataset) -> serde_json::Value {
    describe(&tessera::labelled::encode_cf(ds).expect("encodes"))
}

fn write(ds: &Dataset, url: &str, opts: WriteOptions) {
    ds.to_zarr(url, &opts)
        .unwrap_or_else(|e| panic!("writing {url}: {e}"));
}

/// xarray's raw view of the store equals tessera's raw view.
fn xarray_agrees(path: &std::path::Path) {
    if let Err(why) = python_with_xarray() {
        println!("skipping the xarray check: {why}");
        return;
    }
    let raw = tessera::open_zarr_with(path.to_str().unwrap(), &OpenOptions::raw()).unwrap();
    let json_path = path.with_extension("expected.json");
    std::fs::write(&json_path, serde_json::to_string(&describe(&raw)).unwrap()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/zarr_check.py");
    let out = std::process::Command::new("python3")
        .args([script, path.to_str().unwrap(), json_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xarray disagrees on {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_format_and_compressor_round_trips() {
    let ds = sample(0, 10);
    let want = expected(&ds);
    let dir = temp_dir("formats");
    let _cleanup = Cleanup(dir.clone());
    for format in [2u8, 3] {
        for comp in [
            Compressor::Zstd(3),
            Compressor::BloscLz4(5),
            Compressor::Gzip(4),
            Compressor::None,
        ] {
            let label = format!("v{format} {comp:?}");
            let opts = WriteOptions {
                mode: WriteMode::Overwrite,
                compressor: comp,
                zarr_format: format,
                chunks: vec![("time".into(), 4)],
                ..WriteOptions::default()
            };
            let mem = format!("memory://rt-{format}-{comp:?}");
            write(&ds, &mem, opts.clone());
            check(&reopen(&mem), &want, &label);
            let path = dir.join(format!("v{format}-{comp:?}.zarr").replace(['(', ')'], ""));
            write(&ds, path.to_str().unwrap(), opts);
            check(&reopen(path.to_str().unwrap()), &want, &label);
            xarray_agrees(&path);
        }
    }
}

#[test]
fn appending_along_time_extends_every_time_variable() {
    let dir = temp_dir("append");
    let _cleanup = Cleanup(dir.clone());
    for format in [2u8, 3] {
        let path = dir.join(format!("v{format}.zarr"));
        let url = path.to_str().unwrap();
        let opts = WriteOptions {
            zarr_format: format,
            chunks: vec![("time".into(), 4)],
            ..WriteOptions::default()
        };
        write(&sample(0, 6), url, opts.clone());
        // 6 is inside the second store chunk: the append must fill it, then go on.
        write(
            &sample(6, 4),
            url,
            WriteOptions {
                mode: WriteMode::Append,
                append_dim: Some("time".into()),
                ..opts
            },
        );
        check(
            &reopen(url),
            &expected(&sample(0, 10)),
            &format!("append v{format}"),
        );
        xarray_agrees(&path);
    }
}

#[test]
fn region_writes_touch_only_their_chunks() {
    let dir = temp_dir("region");
    let _cleanup = Cleanup(dir.clone());
    let path = dir.join("r.zarr");
    let url = path.to_str().unwrap();
    let opts = WriteOptions {
        chunks: vec![("time".into(), 4)],
        ..WriteOptions::default()
    };
    write(&sample(0, 10), url, opts);
    let region = |r: std::ops::Range<usize>| WriteOptions {
        mode: WriteMode::Append,
        region: vec![("time".into(), r)],
        ..WriteOptions::default()
    };
    // Rewrite times 4..8 from a dataset shifted by 100 steps.
    let new = sample(100, 4);
    let before = std::fs::read(path.join("x/c/0/0")).unwrap();
    write(&new, url, region(4..8));
    assert_eq!(
        std::fs::read(path.join("x/c/0/0")).unwrap(),
        before,
        "chunk outside the region changed"
    );
    let back = reopen(url);
    let x = back.get("x").unwrap().values::<f64>().unwrap();
    assert_eq!(x[[5, 3]], (101 * 10 + 3) as f64 / 7.0);
    assert_eq!(x[[3, 3]], (3 * 10 + 3) as f64 / 7.0);
    assert_eq!(
        back.get("time").unwrap().values::<i64>().unwrap()[[4]],
        100 * 24
    );
    // The last region may end at the array's end even if not on a chunk boundary.
    write(&sample(200, 2), url, region(8..10));
    assert_eq!(
        reopen(url).get("x").unwrap().values::<f64>().unwrap()[[9, 0]],
        2010.0 / 7.0
    );
    let err = sample(0, 5)
        .to_zarr(url, &region(3..8))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("store chunks") && err.contains("time"),
        "{err}"
    );
}

#[test]
fn create_refuses_an_existing_store_and_overwrite_replaces_it() {
    let url = "memory://rt-modes";
    write(&sample(0, 10), url, WriteOptions::default());
    let err = sample(0, 3)
        .to_zarr(url, &WriteOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("already exists") && err.contains(url), "{err}");
    write(&sample(0, 3), url, WriteOptions::mode(WriteMode::Overwrite));
    assert_eq!(reopen(url).dim_len("time"), Some(3));
}

#[test]
fn a_write_larger_than_the_budget_streams() {
    use tessera::engine::{ArrayData, ChunkGrid, Compute, DType};
    // 64 MiB of f64 in 1 MiB chunks, written under an 8 MiB budget on 2 threads.
    let grid = ChunkGrid::regular(&[1024, 8192], &[16, 8192]).unwrap();
    let x = LazyArray::from_fn("big", DType::F64, grid, |_, region| {
        let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
        Ok(ArrayData::new(ndarray::ArrayD::from_shape_fn(
            IxDyn(&shape),
            |i| ((i[0] + region[0].start) * 8192 + i[1]) as f64,
        )))
    });
    let mut ds = Dataset::new();
    ds.insert("x", Variable::new(["t", "i"], x).unwrap())
        .unwrap();
    let url = "memory://rt-budget";
    let opts = WriteOptions {
        mode: WriteMode::Overwrite,
        compute: Compute::new().threads(2).memory_limit(8 << 20),
        ..WriteOptions::default()
    };
    write(&ds, url, opts);
    let back = tessera::open_zarr_with(url, &OpenOptions::raw()).unwrap();
    let x = back.get("x").unwrap();
    assert_eq!(x.data().chunks().axis_chunks(0).len(), 64);
    let total = x
        .sum(tessera::labelled::Dims::All)
        .unwrap()
        .compute_with(&Compute::new().memory_limit(8 << 20))
        .unwrap()
        .to_f64_vec()[0];
    let n = 1024.0 * 8192.0;
    assert_eq!(total, n * (n - 1.0) / 2.0);
}

/// `json!(f64::NAN)` is null in serde_json: a float variable whose `_FillValue`
/// attribute came out null is written as a NaN fill, which xarray can read (it
/// refuses a null v3 `_FillValue`).
#[test]
fn a_null_float_fill_value_is_written_as_nan() {
    let dir = temp_dir("null-fill");
    let _cleanup = Cleanup(dir.clone());
    let x = Array::from_shape_vec(IxDyn(&[4]), vec![1.0f32, f32::NAN, 3.0, 4.0]).unwrap();
    let mut ds = Dataset::new();
    ds.insert(
        "x",
        Variable::new(["n"], LazyArray::from_ndarray(x, &[2]).unwrap())
            .unwrap()
            .with_attrs(attrs(json!({ "_FillValue": f64::NAN }))),
    )
    .unwrap();
    let path = dir.join("x.zarr");
    write(
        &ds,
        path.to_str().unwrap(),
        WriteOptions {
            mode: WriteMode::Overwrite,
            zarr_format: 3,
            ..WriteOptions::default()
        },
    );
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path.join("x/zarr.json")).unwrap()).unwrap();
    let fill = &meta["attributes"]["_FillValue"];
    assert!(fill.is_string(), "the v3 _FillValue attribute is {fill}");
    xarray_agrees(&path);
}
