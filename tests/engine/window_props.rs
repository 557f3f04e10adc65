//! Property tests of the halo (overlap) op and the rolling windows built on it: random
//! 1-D to 3-D float arrays with NaNs, random irregular chunkings, windows (up to longer
//! than a chunk), centring and `min_periods`, against a direct eager computation of
//! each window from its definition.

use crate::support::chunk_splits::split_cycled;
use ndarray::{ArrayD, Axis, IxDyn};
use proptest::prelude::*;
use tessera::engine::{ArrayData, ChunkGrid, Compute, LazyArray, RollingKind};

#[derive(Debug, Clone)]
struct Case {
    shape: Vec<usize>,
    chunk_lens: Vec<Vec<usize>>,
    values: Vec<f64>,
    axis: usize,
    window: usize,
    center: bool,
    min_periods: usize,
    kind: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=3)
        .prop_flat_map(|nd| prop::collection::vec(1usize..=9, nd))
        .prop_flat_map(|shape| {
            let n: usize = shape.iter().product();
            let nd = shape.len();
            (
                Just(shape.clone()),
                prop::collection::vec(prop::collection::vec(1usize..=4, 1..=3), nd),
                prop::collection::vec(
                    prop_oneof![1 => Just(f64::NAN), 5 => (-8i32..=8).prop_map(|v| v as f64 / 4.0)],
                    n,
                ),
                0..nd,
                1usize..=7,
                any::<bool>(),
                0usize..=4,
                0usize..7,
            )
        })
        .prop_map(
            |(shape, chunk_lens, values, axis, window, center, min_periods, kind)| Case {
                shape,
                chunk_lens,
                values,
                axis,
                window,
                center,
                min_periods,
                kind,
            },
        )
}

fn kind_of(k: usize) -> RollingKind {
    [
        RollingKind::Sum,
        RollingKind::Mean,
        RollingKind::Count,
        RollingKind::Var(0),
        RollingKind::Std(1),
        RollingKind::Min,
        RollingKind::Max,
    ][k]
}

/// The statistic of one window, from its definition.
fn expected(window: &[f64], kind: RollingKind, min_periods: usize) -> f64 {
    let v: Vec<f64> = window.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len();
    if n < min_periods.max(1) {
        return f64::NAN;
    }
    if kind == RollingKind::Count {
        return n as f64;
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    let ss: f64 = v.iter().map(|x| (x - mean).powi(2)).sum();
    match kind {
        RollingKind::Sum => v.iter().sum(),
        RollingKind::Mean => mean,
        RollingKind::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
        RollingKind::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        RollingKind::Var(d) => {
            if n > d {
                ss / (n - d) as f64
            } else {
                f64::NAN
            }
        }
        RollingKind::Std(d) => {
            if n > d {
                (ss / (n - d) as f64).sqrt()
            } else {
                f64::NAN
            }
        }
        RollingKind::Count => unreachable!(),
    }
}

proptest! {
    #![proptest_config(crate::support::proptest_regressions::with_cases(256))]

    #[test]
    fn rolling_matches_the_definition(c in case()) {
        let a = ArrayD::from_shape_vec(IxDyn(&c.shape), c.values.clone()).unwrap();
        let chunks: Vec<Vec<usize>> = c.shape.iter().zip(&c.chunk_lens).map(|(&n, l)| split_cycled(n, l)).collect();
        let x = LazyArray::from_data(ArrayData::new(a.clone()), ChunkGrid::new(chunks).unwrap()).unwrap();
        let kind = kind_of(c.kind);
        let r = x.rolling(c.axis, c.window, c.center, c.min_periods, kind).unwrap();
        let got = Compute::new().threads(2).run(&[&r]).unwrap().remove(0).into_typed::<f64>().unwrap();
        let (before, after) = if c.center { (c.window / 2, (c.window - 1) / 2) } else { (c.window - 1, 0) };
        let mut want = a.clone();
        for (lane, mut out) in a.lanes(Axis(c.axis)).into_iter().zip(want.lanes_mut(Axis(c.axis))) {
            let v: Vec<f64> = lane.iter().copied().collect();
            for (i, o) in out.iter_mut().enumerate() {
                let lo = i.saturating_sub(before);
                let hi = (i + after + 1).min(v.len());
                *o = expected(&v[lo..hi], kind, c.min_periods);
            }
        }
        for (g, w) in got.iter().zip(want.iter()) {
            prop_assert!((g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                "{kind:?} got {g} want {w} in {c:?}");
        }
    }
}
