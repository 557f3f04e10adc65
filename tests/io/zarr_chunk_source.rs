//! The [`ChunkSource`] conformance suite on the Zarr source, reached through the
//! public API: open a store, and each variable's data is an `Op::Source` (or, once CF
//! decoding is applied, has one below it). Stores written here in v2 and v3, with every
//! compressor, every dtype, uneven last chunks, engine chunks of several store chunks,
//! a CF-packed variable; and every fixture store written by zarr-python.

use std::ops::Range;
use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};
use serde_json::json;
use tessera::engine::{ArrayData, ChunkGrid, ChunkSource, DType, LazyArray, Op};
use tessera::io::{Compressor, OpenOptions, WriteOptions};
use tessera::labelled::{Dataset, Variable};

use crate::support::chunk_source_conformance::check;
use crate::support::zarr_fixtures::{Cleanup, FIXTURES, temp_dir};

/// Distinct neighbours in every dtype, a NaN now and then for floats.
fn data(dtype: DType, shape: &[usize]) -> ArrayData {
    let n: usize = shape.iter().product();
    let values: Vec<f64> = (0..n)
        .map(|i| {
            if dtype.is_float() && i % 5 == 3 {
                f64::NAN
            } else if dtype == DType::Bool {
                (i % 3 == 1) as u8 as f64
            } else {
                (i % 97) as f64
            }
        })
        .collect();
    ArrayData::new(ArrayD::from_shape_vec(IxDyn(shape), values).unwrap()).cast(dtype)
}

fn variable(dims: &[&str], dtype: DType, shape: &[usize], chunk: &[usize]) -> Variable {
    let grid = ChunkGrid::regular(shape, chunk).unwrap();
    let lazy = LazyArray::from_data(data(dtype, shape), grid).unwrap();
    Variable::new(dims.to_vec(), lazy).unwrap()
}

/// A variable of every dtype on (y, x) = 7 x 5 in chunks of 3 x 2 (uneven last chunks
/// on both axes), a 1-D one in chunks of 4 of 10, a scalar, one with a zero-length
/// axis, and an int16 variable
/// packed the CF way (scale, offset, fill value present in the data).
fn dataset() -> Dataset {
    let mut ds = Dataset::new();
    for dtype in DType::ALL {
        ds.insert(
            format!("v_{dtype}"),
            variable(&["y", "x"], dtype, &[7, 5], &[3, 2]),
        )
        .unwrap();
    }
    ds.insert("t_f64", variable(&["t"], DType::F64, &[10], &[4]))
        .unwrap();
    ds.insert("scalar", variable(&[], DType::I32, &[], &[]))
        .unwrap();
    ds.insert("empty", variable(&["e", "x"], DType::F32, &[0, 5], &[1, 2]))
        .unwrap();
    let packed = ArrayD::from_shape_fn(IxDyn(&[7, 5]), |i| {
        if (i[0], i[1]) == (2, 3) {
            -32767i16
        } else {
            (i[0] * 10 + i[1]) as i16 - 20
        }
    });
    let packed = LazyArray::from_data(
        ArrayData::new(packed),
        ChunkGrid::regular(&[7, 5], &[3, 2]).unwrap(),
    )
    .unwrap();
    let attrs = json!({"scale_factor": 0.5, "add_offset": 10.0, "_FillValue": -32767});
    ds.insert(
        "packed",
        Variable::new(["y", "x"], packed)
            .unwrap()
            .with_attrs(attrs.as_object().unwrap().clone()),
    )
    .unwrap();
    ds
}

/// The sources at the leaves of a lazy array's graph.
fn sources(a: &LazyArray) -> Vec<Arc<dyn ChunkSource>> {
    match a.op() {
        Op::Source(s) => vec![s.clone()],
        _ => a.inputs().iter().flat_map(sources).collect(),
    }
}

/// Every variable of a raw store is a source itself; each passes the suite.
/// Returns the number of sources checked.
fn check_raw(url: &str, opts: &OpenOptions) -> usize {
    let ds = tessera::open_zarr_with(url, opts).unwrap_or_else(|e| panic!("opening {url}: {e}"));
    let mut names = ds.data_var_names();
    names.extend(ds.coords().names());
    for name in &names {
        let da = ds.get(name).unwrap();
        let Op::Source(source) = da.data().op() else {
            panic!(
                "{url}/{name}: a raw variable is not a source: {:?}",
                da.data()
            )
        };
        assert!(
            source.describe().contains(name.as_str()),
            "{}",
            source.describe()
        );
        check(source.as_ref());
    }
    names.len()
}

fn write(ds: &Dataset, format: u8, compressor: Compressor, name: &str) -> (Cleanup, String) {
    let dir = temp_dir(&format!("source-{name}"));
    let url = dir.join("s.zarr").to_str().unwrap().to_string();
    let opts = WriteOptions {
        zarr_format: format,
        compressor,
        ..WriteOptions::default()
    };
    ds.to_zarr(&url, &opts)
        .unwrap_or_else(|e| panic!("writing {url}: {e}"));
    (Cleanup(dir), url)
}

#[test]
fn zarr_sources_of_every_dtype_conform_in_v2_and_v3() {
    let ds = dataset();
    let cases = [
        (2, Compressor::BloscLz4(5), "v2-blosc"),
        (2, Compressor::None, "v2-raw"),
        (3, Compressor::Zstd(3), "v3-zstd"),
        (3, Compressor::Gzip(1), "v3-gzip"),
    ];
    for (format, compressor, name) in cases {
        let (_cleanup, url) = write(&ds, format, compressor, name);
        let n = check_raw(&url, &OpenOptions::raw());
        assert_eq!(n, DType::ALL.len() + 4, "{name}: variables checked");
    }
}

#[test]
fn zarr_sources_whose_chunks_span_several_store_chunks_conform() {
    let (_cleanup, url) = write(&dataset(), 3, Compressor::default(), "grouped");
    let opts = OpenOptions::raw().chunk("y", 6).chunk("x", 4);
    let ds = tessera::open_zarr_with(&url, &opts).unwrap();
    let da = ds.get("v_float64").unwrap();
    let grid = da.data().chunks().clone();
    assert_eq!(grid.axis_chunks(0), [6, 1], "engine chunks along y");
    assert_eq!(grid.axis_chunks(1), [4, 1], "engine chunks along x");
    check_raw(&url, &opts);
}

#[test]
fn the_source_below_cf_decoding_conforms() {
    let (_cleanup, url) = write(&dataset(), 3, Compressor::default(), "decoded");
    let ds = tessera::open_zarr(&url).unwrap();
    let decoded = ds.get("packed").unwrap();
    assert!(
        !matches!(decoded.data().op(), Op::Source(_)),
        "the packed variable is decoded"
    );
    let below = sources(decoded.data());
    assert_eq!(below.len(), 1, "one source below the decoding");
    assert_eq!(
        below[0].dtype(),
        DType::I16,
        "the source holds the packed values"
    );
    check(below[0].as_ref());
    let raw: Vec<Range<usize>> = vec![2..3, 3..4];
    assert_eq!(below[0].read(&raw).unwrap().to_f64_vec(), [-32767.0]);
}

#[test]
fn zarr_sources_of_the_zarr_python_fixtures_conform() {
    let mut stores: Vec<_> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "zarr"))
        .collect();
    stores.sort();
    assert!(stores.len() >= 8, "{stores:?}");
    for store in stores {
        check_raw(store.to_str().unwrap(), &OpenOptions::raw());
    }
}
