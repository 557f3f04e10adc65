//! Shared helpers for the CF tests: building raw datasets from golden JSON.

#![allow(dead_code)]

use ndarray::{Array, IxDyn};
use serde_json::Value;
use tessera::engine::{ArrayData, DType, LazyArray};
use tessera::labelled::{Attrs, Dataset, Variable};

/// The golden file written by scripts/golden_cf.py.
pub(crate) fn golden() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/cf/cases.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("golden file")).expect("json")
}

/// A 1-D lazy array of `dtype` holding `values` (`null` = NaN), in chunks of 2.
pub(crate) fn array(dtype: DType, values: &[Value]) -> LazyArray {
    let n = values.len();
    if dtype.is_integer() {
        let v: Vec<i64> = values.iter().map(|x| x.as_i64().expect("int")).collect();
        let a = ArrayData::new(Array::from_shape_vec(IxDyn(&[n]), v).unwrap()).cast(dtype);
        let grid = tessera::engine::ChunkGrid::regular(&[n], &[2]).unwrap();
        LazyArray::from_data(a, grid).unwrap()
    } else {
        let v: Vec<f64> = values
            .iter()
            .map(|x| x.as_f64().unwrap_or(f64::NAN))
            .collect();
        let a = ArrayData::new(Array::from_shape_vec(IxDyn(&[n]), v).unwrap()).cast(dtype);
        let grid = tessera::engine::ChunkGrid::regular(&[n], &[2]).unwrap();
        LazyArray::from_data(a, grid).unwrap()
    }
}

/// A dataset with one variable `name` on dim `dim`.
pub(crate) fn raw_dataset(
    name: &str,
    dim: &str,
    dtype: &str,
    values: &[Value],
    attrs: &Value,
) -> Dataset {
    let dtype = DType::from_name(dtype).expect("dtype");
    let attrs: Attrs = attrs.as_object().cloned().unwrap_or_default();
    let var = Variable::new([dim], array(dtype, values))
        .unwrap()
        .with_attrs(attrs);
    let mut ds = Dataset::new();
    ds.insert(name, var).unwrap();
    ds
}

/// Values as f64 (NaN for missing).
pub(crate) fn f64s(v: &[Value]) -> Vec<f64> {
    v.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

/// Equal within `rel`, NaN positions exact.
pub(crate) fn close(a: &[f64], b: &[f64], rel: f64) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(&x, &y)| {
            (x.is_nan() && y.is_nan()) || (x - y).abs() <= rel * y.abs().max(1e-12) || x == y
        })
}
