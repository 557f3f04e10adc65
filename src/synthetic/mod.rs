//! Synthetic datasets with the schemas of the products the examples analyse, with a
//! known truth injected (a trend, a seasonal cycle) and stored in the attributes, so
//! an analysis can check what it recovers. Every array is generated chunk by chunk
//! on demand ([`LazyArray::from_fn`]): a 1 TB dataset costs nothing until computed,
//! and writing it to Zarr streams under the memory budget.
//!
//! Values depend only on the element's coordinates and a seed, never on the
//! chunking, so stores generated with different chunks hold the same numbers.

mod precipitation;
mod sea_level;
mod swath;

pub use precipitation::Precipitation;
pub use sea_level::SeaLevel;
pub use swath::Swath;

use std::ops::Range;

use ndarray::{ArrayD, Dimension, IxDyn};
use serde_json::json;

use crate::Result;
use crate::engine::{ArrayData, ChunkGrid, DType, LazyArray};
use crate::labelled::{Attrs, Variable};
use crate::time::{Calendar, parse_datetime_str};

/// How data variables are stored (their CF encoding when written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packing {
    /// float32 with NaN for missing values.
    Float32,
    /// int16 with `scale_factor` and a `_FillValue` (compact: the embedded fixtures).
    Int16,
    /// int32 with `scale_factor` and a `_FillValue`, as the altimetry product is stored.
    Int32,
}

impl Packing {
    /// Parses `float32`, `int16` or `int32`.
    pub fn parse(text: &str) -> Result<Packing> {
        match text {
            "float32" | "f32" => Ok(Packing::Float32),
            "int16" | "i16" => Ok(Packing::Int16),
            "int32" | "i32" => Ok(Packing::Int32),
            other => Err(crate::Error::invalid(format!(
                "unknown packing {other:?}: expected float32, int16 or int32"
            ))),
        }
    }

    /// The CF encoding of a variable packed with steps of `scale`.
    fn encoding(self, scale: f64) -> Attrs {
        let value = match self {
            // The crate's attribute form of NaN (serde_json turns f64::NAN into null).
            Packing::Float32 => json!({"dtype": "float32", "_FillValue": "NaN"}),
            Packing::Int16 => {
                json!({"dtype": "int16", "scale_factor": scale, "_FillValue": i16::MIN})
            }
            Packing::Int32 => {
                json!({"dtype": "int32", "scale_factor": scale, "_FillValue": i32::MIN + 1})
            }
        };
        match value {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("json! of an object literal"),
        }
    }
}

/// Attributes from `(key, value)` pairs.
fn attrs<const N: usize>(pairs: [(&str, serde_json::Value); N]) -> Attrs {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Cell centres of `n` equal cells spanning `[start, start + width)`.
fn centres(start: f64, width: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| start + width * (i as f64 + 0.5) / n as f64)
        .collect()
}

/// A 1-D coordinate variable.
fn coord_1d(dim: &str, values: Vec<f64>, attributes: Attrs) -> Result<Variable> {
    let n = values.len();
    let a = ArrayD::from_shape_vec(IxDyn(&[n]), values).expect("length matches");
    Ok(Variable::new([dim], LazyArray::from_ndarray(a, &[n.max(1)])?)?.with_attrs(attributes))
}

/// A daily time coordinate of `n` steps from `start` (a date), encoded as
/// `days since <reference>` in the standard calendar.
fn daily_time(n: usize, start: &str, reference: &str) -> Result<Variable> {
    let cal = Calendar::Standard;
    let t0 = parse_datetime_str(start, cal)?.0;
    let day = 86_400_000_000i64;
    let values: Vec<i64> = (0..n as i64).map(|d| t0 + d * day).collect();
    let a = ArrayD::from_shape_vec(IxDyn(&[n]), values).expect("length matches");
    let encoding = attrs([
        ("calendar", json!(cal.name())),
        ("units", json!(format!("days since {reference}"))),
    ]);
    Ok(
        Variable::new(["time"], LazyArray::from_ndarray(a, &[n.max(1)])?)?
            .with_attrs(attrs([
                ("standard_name", json!("time")),
                ("axis", json!("T")),
            ]))
            .with_encoding(encoding),
    )
}

/// Generated variables have at most this many dimensions.
const MAX_GENERATED_DIMS: usize = 4;

/// A lazily generated float32 variable: `f(index)` gives each element.
fn generated(
    name: &str,
    dims: &[&str],
    grid: ChunkGrid,
    f: impl Fn(&[usize]) -> f32 + Send + Sync + 'static,
) -> Result<Variable> {
    debug_assert!(dims.len() <= MAX_GENERATED_DIMS);
    let data = LazyArray::from_fn(
        name,
        DType::F32,
        grid,
        move |_chunk: &[usize], region: &[Range<usize>]| {
            let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
            let block = ArrayD::from_shape_fn(IxDyn(&shape), |ix| {
                let mut at = [0usize; MAX_GENERATED_DIMS];
                for (k, (r, &i)) in region.iter().zip(ix.slice()).enumerate() {
                    at[k] = r.start + i;
                }
                f(&at[..region.len()])
            });
            Ok(ArrayData::new(block))
        },
    );
    Variable::new(dims.iter().copied(), data)
}

/// Deterministic noise: a hash of the seed, a stream id and the element's position,
/// mapped to a uniform number in (0, 1).
fn uniform(seed: u64, stream: u64, at: &[usize]) -> f64 {
    let mut h = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for &i in at {
        h = splitmix(h ^ i as u64);
    }
    ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// A standard normal number from two uniforms (Box–Muller).
fn normal(seed: u64, stream: u64, at: &[usize]) -> f64 {
    let u = uniform(seed, stream, at);
    let v = uniform(seed, stream ^ 0xA5A5_A5A5, at);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_deterministic_and_roughly_standard() {
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|i| normal(7, 1, &[i, 3])).collect();
        assert_eq!(xs[5], normal(7, 1, &[5, 3]));
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }
}
