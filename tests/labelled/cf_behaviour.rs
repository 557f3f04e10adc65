//! CF decoding beyond the xarray golden values: errors that name the variable and
//! what it holds, laziness, exact round trips, options.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{ArrayD, IxDyn};
use serde_json::json;
use tessera::engine::{ArrayData, ChunkGrid, DType, LazyArray};
use tessera::labelled::{Attrs, Dataset, Variable};
use tessera::labelled::{DecodeOptions, decode_cf, encode_cf};

fn attrs(v: serde_json::Value) -> Attrs {
    v.as_object().unwrap().clone()
}

fn one(name: &str, data: ArrayData, a: serde_json::Value) -> Dataset {
    let n = data.shape()[0];
    let var = Variable::new(
        ["x"],
        LazyArray::from_data(data, ChunkGrid::regular(&[n], &[3]).unwrap()).unwrap(),
    )
    .unwrap()
    .with_attrs(attrs(a));
    let mut ds = Dataset::new();
    ds.insert(name, var).unwrap();
    ds
}

fn ints(v: Vec<i16>) -> ArrayData {
    let n = v.len();
    ArrayData::new(ArrayD::from_shape_vec(IxDyn(&[n]), v).unwrap())
}

#[test]
fn unparseable_units_and_calendars_name_the_variable_and_the_text() {
    let ds = one(
        "time",
        ints(vec![0, 1]),
        json!({"units": "fortnights since 2000-01-01"}),
    );
    let e = decode_cf(&ds, &DecodeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"time\"") && e.contains("fortnights since 2000-01-01"),
        "{e}"
    );
    let ds = one(
        "time",
        ints(vec![0, 1]),
        json!({"units": "days since 2000-01-01", "calendar": "martian"}),
    );
    let e = decode_cf(&ds, &DecodeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("martian"), "{e}");
    let ds = one(
        "t",
        ints(vec![0, 1]),
        json!({"units": "days since 2000-02-30", "calendar": "standard"}),
    );
    let e = decode_cf(&ds, &DecodeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"t\"") && e.contains("2000-02-30"), "{e}");
    let ds = one("v", ints(vec![0, 1]), json!({"scale_factor": "big"}));
    let e = decode_cf(&ds, &DecodeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"v\"") && e.contains("scale_factor"), "{e}");
}

#[test]
fn decoding_reads_nothing_until_computed() {
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    let source = LazyArray::from_fn(
        "packed",
        DType::I16,
        ChunkGrid::regular(&[9], &[3]).unwrap(),
        move |_, r| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(ints(r[0].clone().map(|i| i as i16 * 100).collect()))
        },
    );
    let var = Variable::new(["x"], source)
        .unwrap()
        .with_attrs(attrs(json!({
            "scale_factor": 0.01, "add_offset": 1.0, "_FillValue": 300, "units": "m"
        })));
    let mut ds = Dataset::new();
    ds.insert("v", var).unwrap();
    let decoded = decode_cf(&ds, &DecodeOptions::default()).unwrap();
    assert_eq!(reads.load(Ordering::SeqCst), 0, "decode_cf read chunks");
    let v = decoded.get("v").unwrap().values::<f64>().unwrap();
    assert_eq!(reads.load(Ordering::SeqCst), 3, "one read per chunk");
    assert_eq!(v[1], 2.0);
    assert!(v[3].is_nan(), "300 is the fill value");
    assert_eq!(v[8], 9.0);
}

#[test]
fn packing_round_trips_exactly_and_options_switch_decoding_off() {
    let raw = one(
        "v",
        ints(vec![-32768, -5, 0, 7, 32000]),
        json!({
            "scale_factor": 0.1, "add_offset": -3.0, "_FillValue": -32768, "units": "K"
        }),
    );
    let decoded = decode_cf(&raw, &DecodeOptions::default()).unwrap();
    let back = encode_cf(&decoded).unwrap();
    let v = back.get("v").unwrap();
    assert_eq!(v.dtype(), DType::I16);
    assert_eq!(
        v.values::<i16>().unwrap().into_raw_vec_and_offset().0,
        vec![-32768, -5, 0, 7, 32000]
    );
    assert_eq!(v.attrs(), raw.get("v").unwrap().attrs());
    let off = DecodeOptions {
        mask_and_scale: false,
        ..Default::default()
    };
    assert_eq!(
        decode_cf(&raw, &off).unwrap().get("v").unwrap().dtype(),
        DType::I16
    );
    let skipped = DecodeOptions {
        skip_variables: vec!["v".into()],
        ..Default::default()
    };
    let same = decode_cf(&raw, &skipped).unwrap();
    assert_eq!(
        same.get("v").unwrap().attrs(),
        raw.get("v").unwrap().attrs()
    );
    // With decode_times off, times stay numbers with their units.
    let t = one(
        "time",
        ints(vec![0, 1]),
        json!({"units": "days since 2000-01-01"}),
    );
    let no_times = DecodeOptions {
        decode_times: false,
        ..Default::default()
    };
    let kept = decode_cf(&t, &no_times).unwrap();
    assert_eq!(
        kept.get("time").unwrap().attrs()["units"],
        "days since 2000-01-01"
    );
}

#[test]
fn time_bounds_inherit_units_and_calendar() {
    let mut ds = Dataset::new();
    let t = Variable::new(
        ["time"],
        LazyArray::from_ndarray(
            ArrayD::from_shape_vec(IxDyn(&[2]), vec![0.5f64, 1.5]).unwrap(),
            &[2],
        )
        .unwrap(),
    )
    .unwrap()
    .with_attrs(attrs(
        json!({"units": "days since 2000-01-01", "calendar": "noleap", "bounds": "time_bnds"}),
    ));
    ds.insert_coord("time", t).unwrap();
    let b = Variable::new(
        ["time", "nv"],
        LazyArray::from_ndarray(
            ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![0.0f64, 1.0, 1.0, 2.0]).unwrap(),
            &[2, 2],
        )
        .unwrap(),
    )
    .unwrap();
    ds.insert("time_bnds", b).unwrap();
    let d = decode_cf(&ds, &DecodeOptions::default()).unwrap();
    let bnds = d.get("time_bnds").unwrap();
    assert_eq!(bnds.variable().encoding()["calendar"], "noleap");
    assert_eq!(bnds.dtype(), DType::I64);
}

#[test]
fn valid_range_masks_only_when_asked() {
    let raw = one(
        "v",
        ints(vec![-5, 0, 50, 120]),
        json!({"valid_range": [0, 100], "scale_factor": 2.0}),
    );
    let as_xarray = decode_cf(&raw, &DecodeOptions::default()).unwrap();
    assert_eq!(
        as_xarray
            .get("v")
            .unwrap()
            .values::<f64>()
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        vec![-10.0, 0.0, 100.0, 240.0]
    );
    let cf = DecodeOptions {
        mask_valid_range: true,
        ..Default::default()
    };
    let masked = decode_cf(&raw, &cf)
        .unwrap()
        .get("v")
        .unwrap()
        .values::<f64>()
        .unwrap();
    assert!(masked[0].is_nan() && masked[3].is_nan(), "{masked}");
    assert_eq!((masked[1], masked[2]), (0.0, 100.0));
    let only_max = one("v", ints(vec![1, 7]), json!({"valid_max": 5}));
    let m = decode_cf(&only_max, &cf)
        .unwrap()
        .get("v")
        .unwrap()
        .values::<f32>()
        .unwrap();
    assert!(m[1].is_nan() && m[0] == 1.0, "{m}");
}

#[test]
fn int32_fills_are_matched_exactly_before_the_float32_cast() {
    // float32 rounds -2147483647 to -2147483648: the fill must be compared in the
    // stored integers, or the default int32 fill leaks out as -2147483.75 (which
    // xarray does) and a stored -2147483648 would be masked by mistake.
    let data = ArrayData::new(
        ArrayD::from_shape_vec(IxDyn(&[3]), vec![-2147483647i32, -2147483648, 1000]).unwrap(),
    );
    let mut ds = one(
        "swh",
        data,
        json!({"_FillValue": -2147483647, "scale_factor": 0.0010000000474974513}),
    );
    let var = ds.get("swh").unwrap().variable().clone();
    let mut encoding = Attrs::new();
    encoding.insert(
        "attribute_dtypes".into(),
        json!({"scale_factor": "float32", "_FillValue": "int32"}),
    );
    ds.insert("swh", var.with_encoding(encoding)).unwrap();
    let dec = decode_cf(&ds, &DecodeOptions::default()).unwrap();
    let swh = dec.get("swh").unwrap();
    assert_eq!(
        swh.dtype(),
        DType::F32,
        "a float32 scale keeps int32 in float32"
    );
    let v = swh.values::<f32>().unwrap();
    assert!(v[0].is_nan());
    assert_eq!(v[1], -2147483648.0f32 * 0.001);
    assert_eq!(v[2], 1.0);
}

#[test]
fn unsigned_flags_reinterpret_the_bits_and_the_fill() {
    let data =
        ArrayData::new(ArrayD::from_shape_vec(IxDyn(&[4]), vec![-1i8, -56, 127, 0]).unwrap());
    let ds = one("q", data, json!({"_Unsigned": "true", "_FillValue": -1}));
    let dec = decode_cf(&ds, &DecodeOptions::default()).unwrap();
    let q = dec.get("q").unwrap();
    assert_eq!(q.dtype(), DType::F32);
    let v = q.values::<f32>().unwrap();
    assert!(v[0].is_nan());
    assert_eq!(&v.as_slice().unwrap()[1..], &[200.0, 127.0, 0.0]);
    let back = encode_cf(&dec).unwrap();
    let q = back.get("q").unwrap();
    assert_eq!(q.dtype(), DType::I8);
    assert_eq!(q.attrs()["_FillValue"], -1);
    assert_eq!(
        q.values::<i8>().unwrap().as_slice().unwrap(),
        &[-1, -56, 127, 0]
    );
}
