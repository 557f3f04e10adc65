//! CF decoding: errors, options, laziness and fusion, round trips of data built in Rust.

use crate::support::cf_datasets as cf;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{Array, IxDyn};
use serde_json::json;
use tessera::Error;
use tessera::engine::{ArrayData, ChunkGrid, DType, LazyArray, Op};
use tessera::labelled::{Attrs, Dataset, Variable};
use tessera::labelled::{DecodeOptions, decode_cf, encode_cf};
use tessera::time::{Calendar, CfDatetime};

fn attrs(v: serde_json::Value) -> Attrs {
    v.as_object().unwrap().clone()
}

fn one_var(dtype: &str, values: serde_json::Value, a: serde_json::Value) -> Dataset {
    cf::raw_dataset("v", "x", dtype, values.as_array().unwrap(), &a)
}

#[test]
fn unparseable_units_name_the_variable_and_the_text() {
    let ds = one_var(
        "int64",
        json!([0, 1]),
        json!({"units": "fortnights since 2000-01-01"}),
    );
    let err = decode_cf(&ds, &DecodeOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::CfVariable { .. }), "{err:?}");
    assert!(
        msg.contains("\"v\"") && msg.contains("fortnights since 2000-01-01"),
        "{msg}"
    );

    let ds = one_var(
        "int64",
        json!([0]),
        json!({"units": "days since 2000-13-45"}),
    );
    let msg = decode_cf(&ds, &DecodeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("2000-13-45"), "{msg}");

    let ds = one_var(
        "int64",
        json!([0]),
        json!({"units": "days since 2000-01-01", "calendar": "martian"}),
    );
    let msg = decode_cf(&ds, &DecodeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("martian") && msg.contains("\"v\""), "{msg}");

    let ds = one_var("int16", json!([0]), json!({"scale_factor": "big"}));
    let msg = decode_cf(&ds, &DecodeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("scale_factor") && msg.contains("big"), "{msg}");
}

#[test]
fn options_turn_decoding_off() {
    let ds = one_var(
        "int16",
        json!([1, -1]),
        json!({"scale_factor": 0.5, "_FillValue": -1}),
    );
    let off = DecodeOptions {
        mask_and_scale: false,
        ..Default::default()
    };
    let v = decode_cf(&ds, &off).unwrap().get("v").unwrap();
    assert_eq!(v.dtype(), DType::I16);
    assert!(v.attrs().contains_key("scale_factor"));
    let skip = DecodeOptions {
        skip_variables: vec!["v".into()],
        ..Default::default()
    };
    let v = decode_cf(&ds, &skip).unwrap().get("v").unwrap();
    assert_eq!(v.dtype(), DType::I16);
    assert!(v.variable().encoding().is_empty());

    let ds = one_var(
        "int64",
        json!([0, 1]),
        json!({"units": "days since 2000-01-01"}),
    );
    let no_times = DecodeOptions {
        decode_times: false,
        ..Default::default()
    };
    let v = decode_cf(&ds, &no_times).unwrap().get("v").unwrap();
    assert_eq!(v.values::<i64>().unwrap().as_slice().unwrap(), &[0, 1]);
    assert_eq!(v.attrs()["units"], "days since 2000-01-01");
}

#[test]
fn decoding_reads_nothing_until_values_and_is_one_fused_node() {
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    let grid = ChunkGrid::regular(&[6], &[3]).unwrap();
    let src = LazyArray::from_fn("counted", DType::I16, grid, move |_, region| {
        counter.fetch_add(1, Ordering::SeqCst);
        let n = region[0].len();
        let v: Vec<i16> = (0..n as i16).map(|i| if i == 1 { -1 } else { i }).collect();
        Ok(ArrayData::new(
            Array::from_shape_vec(IxDyn(&[n]), v).unwrap(),
        ))
    });
    let var = Variable::new(["x"], src).unwrap().with_attrs(attrs(json!({
        "scale_factor": 0.5, "add_offset": 1.0, "_FillValue": -1
    })));
    let mut ds = Dataset::new();
    ds.insert("v", var).unwrap();
    let dec = decode_cf(&ds, &DecodeOptions::default()).unwrap();
    let v = dec.get("v").unwrap();
    assert_eq!(
        reads.load(Ordering::SeqCst),
        0,
        "decode_cf must not compute"
    );
    let opt = tessera::engine::optimize::optimize(&[v.data().clone()]).unwrap();
    assert!(matches!(opt[0].op(), Op::Map(_)), "{}", opt[0].explain());
    assert!(
        matches!(opt[0].inputs()[0].op(), Op::Source(_)),
        "{}",
        opt[0].explain()
    );
    let vals = v.values::<f64>().unwrap();
    assert!(reads.load(Ordering::SeqCst) > 0);
    assert_eq!(vals[[0]], 1.0);
    assert!(vals[[1]].is_nan());
    assert_eq!(vals[[2]], 2.0);
}

#[test]
fn time_coordinate_gets_an_index_and_round_trips() {
    let mut ds = Dataset::new();
    let time = cf::array(DType::I32, &[json!(0), json!(31), json!(59)]);
    let tv = Variable::new(["time"], time)
        .unwrap()
        .with_attrs(attrs(json!({
            "units": "days since 2001-01-01", "calendar": "360_day"
        })));
    ds.insert_coord("time", tv).unwrap();
    let temp = cf::array(DType::I16, &[json!(10), json!(-99), json!(30)]);
    let var = Variable::new(["time"], temp)
        .unwrap()
        .with_attrs(attrs(json!({
            "scale_factor": 0.1, "_FillValue": -99
        })));
    ds.insert("temp", var).unwrap();
    let dec = decode_cf(&ds, &DecodeOptions::default()).unwrap();
    let idx = dec.coords().index("time").expect("time index");
    assert!(format!("{idx:?}").contains("Time"), "{idx:?}");
    let sel = dec.get("temp").unwrap().sel("time", "2001-02-02").unwrap();
    assert!(sel.values::<f64>().unwrap()[[]].is_nan());
    let t = dec.get("time").unwrap().values::<i64>().unwrap();
    assert_eq!(
        Calendar::Day360.from_micros(t[[2]]),
        Calendar::Day360.from_micros(
            Calendar::Day360
                .to_micros(&CfDatetime::date(2001, 2, 30))
                .unwrap()
        )
    );
    let enc = encode_cf(&dec).unwrap();
    assert_eq!(enc.get("time").unwrap().dtype(), DType::I32);
    assert_eq!(
        enc.get("temp")
            .unwrap()
            .values::<i16>()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[10, -99, 30]
    );
    let again = decode_cf(&enc, &DecodeOptions::default()).unwrap();
    assert_eq!(again.get("time").unwrap().values::<i64>().unwrap(), t);
}

#[test]
fn times_without_units_get_xarray_units_on_encoding() {
    let cal = Calendar::NoLeap;
    let day = 86_400_000_000i64;
    let t0 = cal.to_micros(&CfDatetime::date(1850, 1, 1)).unwrap();
    let data = LazyArray::from_ndarray(
        Array::from_vec(vec![t0, t0 + 6 * 3_600_000_000, t0 + day]).into_dyn(),
        &[3],
    )
    .unwrap();
    let var = Variable::new(["time"], data)
        .unwrap()
        .with_encoding(attrs(json!({"calendar": "noleap"})));
    let mut ds = Dataset::new();
    ds.insert("t", var).unwrap();
    let enc = encode_cf(&ds).unwrap();
    let v = enc.get("t").unwrap();
    assert_eq!(v.attrs()["units"], "hours since 1850-01-01 00:00:00");
    assert_eq!(v.attrs()["calendar"], "noleap");
    assert_eq!(v.values::<i64>().unwrap().as_slice().unwrap(), &[0, 6, 24]);
}

#[test]
fn nat_in_int64_times_without_fill_is_written_as_int64_min_like_xarray() {
    let cal = Calendar::Standard;
    let t0 = cal.to_micros(&CfDatetime::date(2000, 1, 1)).unwrap();
    let data = LazyArray::from_ndarray(
        Array::from_vec(vec![t0, tessera::time::NAT]).into_dyn(),
        &[2],
    )
    .unwrap();
    let var = Variable::new(["x"], data)
        .unwrap()
        .with_encoding(attrs(json!({
            "calendar": "standard", "units": "days since 2000-01-01", "dtype": "int64"
        })));
    let mut ds = Dataset::new();
    ds.insert("t", var).unwrap();
    let enc = encode_cf(&ds).unwrap();
    assert_eq!(
        enc.get("t")
            .unwrap()
            .values::<i64>()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[0, i64::MIN]
    );
    let dec = decode_cf(&enc, &DecodeOptions::default()).unwrap();
    assert_eq!(
        dec.get("t")
            .unwrap()
            .values::<i64>()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[t0, tessera::time::NAT]
    );
}
