//! Property tests of the rolling kernels (running sums, van Herk/Gil-Werman extremes)
//! and of the merged output chunks: float32 and float64 arrays with NaNs and large
//! offsets, lanes longer than the window and rows wider than a column tile, random
//! chunkings (chunks much shorter than the window, so that they merge), against each
//! window computed eagerly from its definition.

use crate::support::chunk_splits::split_cycled;
use ndarray::{ArrayD, Axis, IxDyn};
use proptest::prelude::*;
use tessera::engine::{ArrayData, ChunkGrid, Compute, DType, LazyArray, RollingKind};

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
    f32: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![
            3 => (prop::collection::vec(1usize..=6, 1..=2), 8usize..=60)
                .prop_map(|(mut s, n)| { s.insert(0, n); s }),
            1 => (8usize..=24).prop_map(|n| vec![n, 1100]),
        ],
        0usize..3,
    )
        .prop_flat_map(|(shape, offset)| {
            let n: usize = shape.iter().product();
            let nd = shape.len();
            let base = [0.0, 1000.0, -3.0e5][offset];
            (
                Just(shape.clone()),
                prop::collection::vec(prop::collection::vec(1usize..=5, 1..=3), nd),
                prop::collection::vec(
                    prop_oneof![
                        1 => Just(f64::NAN),
                        6 => (-64i32..=64).prop_map(move |v| base + v as f64 / 8.0)
                    ],
                    n,
                ),
                0..nd,
                1usize..=40,
                any::<bool>(),
                0usize..=6,
                0usize..7,
                any::<bool>(),
            )
        })
        .prop_map(
            |(shape, chunk_lens, values, axis, window, center, min_periods, kind, f32)| Case {
                shape,
                chunk_lens,
                values,
                axis,
                window,
                center,
                min_periods,
                kind,
                f32,
            },
        )
}

const KINDS: [RollingKind; 7] = [
    RollingKind::Sum,
    RollingKind::Mean,
    RollingKind::Count,
    RollingKind::Var(1),
    RollingKind::Std(0),
    RollingKind::Min,
    RollingKind::Max,
];

/// The statistic of one window, from its definition (two-pass variance).
fn expected(window: &[f64], kind: RollingKind, min_periods: usize) -> f64 {
    let v: Vec<f64> = window.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len();
    if n < min_periods.max(1) {
        return f64::NAN;
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    let ss: f64 = v.iter().map(|x| (x - mean).powi(2)).sum();
    match kind {
        RollingKind::Count => n as f64,
        RollingKind::Sum => v.iter().sum(),
        RollingKind::Mean => mean,
        RollingKind::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
        RollingKind::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        RollingKind::Var(d) | RollingKind::Std(d) if n > d => {
            let var = ss / (n - d) as f64;
            if matches!(kind, RollingKind::Std(_)) {
                var.sqrt()
            } else {
                var
            }
        }
        _ => f64::NAN,
    }
}

proptest! {
    #![proptest_config(crate::support::proptest_regressions::with_cases(96))]

    #[test]
    fn rolling_kernels_match_the_definition(c in case()) {
        let values: Vec<f64> = if c.f32 {
            c.values.iter().map(|&v| v as f32 as f64).collect()
        } else {
            c.values.clone()
        };
        let a = ArrayD::from_shape_vec(IxDyn(&c.shape), values).unwrap();
        let chunks: Vec<Vec<usize>> =
            c.shape.iter().zip(&c.chunk_lens).map(|(&n, l)| split_cycled(n, l)).collect();
        let grid = ChunkGrid::new(chunks).unwrap();
        let data = if c.f32 { ArrayData::new(a.mapv(|v| v as f32)) } else { ArrayData::new(a.clone()) };
        let x = LazyArray::from_data(data, grid.clone()).unwrap();
        let kind = KINDS[c.kind];
        let r = x.rolling(c.axis, c.window, c.center, c.min_periods, kind).unwrap();
        prop_assert_eq!(r.dtype(), if c.f32 { DType::F32 } else { DType::F64 });
        // Output chunks only merge input chunks along the rolling axis.
        prop_assert_eq!(r.shape(), x.shape());
        for axis in 0..x.ndim() {
            let (inp, out) = (grid.axis_offsets(axis), r.chunks().axis_offsets(axis));
            if axis == c.axis {
                prop_assert!(out.iter().all(|o| inp.contains(o)), "{:?} vs {:?}", out, inp);
            } else {
                prop_assert_eq!(inp, out);
            }
        }
        let got = Compute::new().threads(2).run(&[&r]).unwrap().remove(0).cast(DType::F64);
        let got = got.into_typed::<f64>().unwrap();
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
        // Float32 results are rounded once; float64 ones carry the running sums' error
        // on values offset by up to 3e5 (the shift removes the offset from the squares).
        let rtol = if c.f32 { 1e-6 } else { 1e-9 };
        for (g, w) in got.iter().zip(want.iter()) {
            let tol = rtol * w.abs().max(1.0);
            prop_assert!((g.is_nan() && w.is_nan()) || (g - w).abs() <= tol,
                "{:?} got {} want {} in {:?}", kind, g, w, c);
        }
    }
}
