//! Property tests of diff, shift and differentiate: random 1-D to 3-D arrays with NaNs,
//! random irregular chunkings (chunks of one included, so halos span several chunks),
//! random orders, periods and coordinates, against a direct eager computation of each
//! element from its definition.

use crate::support::chunk_splits::split_cycled;
use ndarray::{ArrayD, Axis, IxDyn};
use proptest::prelude::*;
use tessera::engine::{ArrayData, ChunkGrid, LazyArray};
use tessera::labelled::DataArray;

const DIMS: [&str; 3] = ["a", "b", "c"];

#[derive(Debug, Clone)]
struct Case {
    shape: Vec<usize>,
    chunk_lens: Vec<Vec<usize>>,
    values: Vec<f64>,
    axis: usize,
    n: usize,
    periods: isize,
    steps: Vec<f64>,
    uniform: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=3)
        .prop_flat_map(|nd| prop::collection::vec(1usize..=9, nd))
        .prop_flat_map(|shape| {
            let n: usize = shape.iter().product();
            let nd = shape.len();
            (
                Just(shape),
                prop::collection::vec(prop::collection::vec(1usize..=4, 1..=3), nd),
                prop::collection::vec(
                    prop_oneof![1 => Just(f64::NAN), 6 => (-40i32..=40).prop_map(|v| v as f64 / 4.0)],
                    n,
                ),
                0..nd,
                0usize..=10,
                -11isize..=11,
                prop::collection::vec((1i32..=16).prop_map(|v| v as f64 / 4.0), 9),
                any::<bool>(),
            )
        })
        .prop_map(
            |(shape, chunk_lens, values, axis, n, periods, steps, uniform)| Case {
                shape,
                chunk_lens,
                values,
                axis,
                n,
                periods,
                steps,
                uniform,
            },
        )
}

impl Case {
    fn array(&self) -> ArrayD<f64> {
        ArrayD::from_shape_vec(IxDyn(&self.shape), self.values.clone()).unwrap()
    }

    fn data_array(&self, a: ArrayData) -> DataArray {
        let chunks = self
            .shape
            .iter()
            .zip(&self.chunk_lens)
            .map(|(&n, l)| split_cycled(n, l))
            .collect();
        let lazy = LazyArray::from_data(a, ChunkGrid::new(chunks).unwrap()).unwrap();
        DataArray::from_lazy("v", DIMS[..self.shape.len()].iter().copied(), lazy).unwrap()
    }

    fn dim(&self) -> &'static str {
        DIMS[self.axis]
    }

    /// Increasing coordinate values along the axis: equal steps, or the random ones.
    fn coord(&self) -> Vec<f64> {
        let mut x = vec![-1.5];
        for i in 1..self.shape[self.axis] {
            let h = if self.uniform { 0.75 } else { self.steps[i] };
            x.push(x[i - 1] + h);
        }
        x
    }
}

/// Applies `f` to every lane along `axis`, giving lanes of `out_len`.
fn per_lane<T: Copy + Default>(
    a: &ArrayD<T>,
    axis: usize,
    out_len: usize,
    f: impl Fn(&[T]) -> Vec<T>,
) -> ArrayD<T> {
    let mut shape = a.shape().to_vec();
    shape[axis] = out_len;
    let mut out = ArrayD::<T>::default(IxDyn(&shape));
    for (lane, mut o) in a
        .lanes(Axis(axis))
        .into_iter()
        .zip(out.lanes_mut(Axis(axis)))
    {
        let v: Vec<T> = lane.iter().copied().collect();
        for (slot, x) in o.iter_mut().zip(f(&v)) {
            *slot = x;
        }
    }
    out
}

fn same(g: f64, w: f64, tol: f64) -> bool {
    (g.is_nan() && w.is_nan()) || (g - w).abs() <= tol
}

proptest! {
    #![proptest_config(crate::support::proptest_regressions::with_cases(192))]

    #[test]
    fn diff_is_repeated_differences(c in case()) {
        let len = c.shape[c.axis];
        let out_len = len.saturating_sub(c.n);
        // Floats with NaN.
        let a = c.array();
        let got = c.data_array(ArrayData::new(a.clone())).diff(c.dim(), c.n).unwrap();
        prop_assert_eq!(got.shape()[c.axis], out_len);
        let got = got.values::<f64>().unwrap();
        let want = per_lane(&a, c.axis, out_len, |v| {
            (0..out_len)
                .map(|i| (0..=c.n).fold(0.0, |acc, k| {
                    // Σ (-1)^(n-k) C(n, k) v[i + k]
                    let binom = (0..k).fold(1.0, |b, j| b * (c.n - j) as f64 / (j + 1) as f64);
                    let sign = if (c.n - k) % 2 == 0 { 1.0 } else { -1.0 };
                    acc + sign * binom * v[i + k]
                }))
                .collect()
        });
        for (g, w) in got.iter().zip(want.iter()) {
            prop_assert!(same(*g, *w, 1e-9 * w.abs().max(1.0) * 1024.0), "diff got {} want {} in {:?}", g, w, c);
        }
        // Integers: exact, and still integers.
        let ints = a.mapv(|x| if x.is_nan() { 7 } else { (x * 4.0) as i64 });
        let got = c.data_array(ArrayData::new(ints.clone())).diff(c.dim(), c.n).unwrap();
        prop_assert_eq!(got.dtype(), tessera::engine::DType::I64);
        let got = got.values::<i64>().unwrap();
        let want = per_lane(&ints, c.axis, out_len, |v| {
            let mut d = v.to_vec();
            for _ in 0..c.n {
                d = d.windows(2).map(|w| w[1] - w[0]).collect();
            }
            d
        });
        prop_assert_eq!(got, want);
    }

    #[test]
    fn shift_moves_values_and_fills(c in case()) {
        let len = c.shape[c.axis] as isize;
        let a = c.array();
        let got = c.data_array(ArrayData::new(a.clone())).shift(c.dim(), c.periods).unwrap();
        let got = got.values::<f64>().unwrap();
        let want = per_lane(&a, c.axis, len as usize, |v| {
            (0..len)
                .map(|i| {
                    let src = i - c.periods;
                    if (0..len).contains(&src) { v[src as usize] } else { f64::NAN }
                })
                .collect()
        });
        for (g, w) in got.iter().zip(want.iter()) {
            prop_assert!(same(*g, *w, 0.0), "shift got {} want {} in {:?}", g, w, c);
        }
        // Integers with a fill value keep their dtype.
        let ints = a.mapv(|x| if x.is_nan() { -3 } else { (x * 4.0) as i32 });
        let got = c.data_array(ArrayData::new(ints.clone())).shift_with(c.dim(), c.periods, 99i64).unwrap();
        let got = got.values::<i32>().unwrap();
        let want = per_lane(&ints, c.axis, len as usize, |v| {
            (0..len)
                .map(|i| {
                    let src = i - c.periods;
                    if (0..len).contains(&src) { v[src as usize] } else { 99 }
                })
                .collect()
        });
        prop_assert_eq!(got, want);
    }

    #[test]
    fn differentiate_is_numpy_gradient(c in case()) {
        let len = c.shape[c.axis];
        let x = c.coord();
        let a = c.array();
        let da = c.data_array(ArrayData::new(a.clone()))
            .with_coord_values(c.dim(), x.clone())
            .unwrap();
        let got = da.differentiate(c.dim());
        if len < 2 {
            prop_assert!(got.is_err());
            return Ok(());
        }
        let got = got.unwrap().values::<f64>().unwrap();
        // numpy.gradient, edge_order=1, from its definition; with equal steps numpy
        // takes the plain central difference, which skips f[i] (a NaN there stays out).
        let uniform = x.windows(2).all(|w| w[1] - w[0] == x[1] - x[0]);
        let want = per_lane(&a, c.axis, len, |f| {
            (0..len)
                .map(|i| {
                    if i == 0 {
                        (f[1] - f[0]) / (x[1] - x[0])
                    } else if i == len - 1 {
                        (f[i] - f[i - 1]) / (x[i] - x[i - 1])
                    } else if uniform {
                        (f[i + 1] - f[i - 1]) / (2.0 * (x[1] - x[0]))
                    } else {
                        let (h1, h2) = (x[i] - x[i - 1], x[i + 1] - x[i]);
                        (-h2 / (h1 * (h1 + h2))) * f[i - 1]
                            + ((h2 - h1) / (h1 * h2)) * f[i]
                            + (h1 / (h2 * (h1 + h2))) * f[i + 1]
                    }
                })
                .collect()
        });
        // Values are at most 10 and steps at least 0.25: 1e-9 of 10/0.25 bounds the
        // rounding of either formula.
        for (g, w) in got.iter().zip(want.iter()) {
            prop_assert!(same(*g, *w, 4e-8), "gradient got {} want {} in {:?}", g, w, c);
        }
    }
}
