//! Property tests of coarsen: random 1-D to 3-D arrays (floats with NaNs, or
//! integers), random irregular chunkings, windows along one to all dims, every
//! boundary and side, against an eager computation written from xarray's definition
//! (trim or NaN-pad each dim, then reduce each block of the reshaped array).

use crate::support::chunk_splits::split_cycled;
use ndarray::{ArrayD, Dimension, IxDyn};
use proptest::prelude::*;
use tessera::engine::{ArrayData, ChunkGrid, DType, LazyArray, ReduceKind};
use tessera::labelled::{Boundary, DataArray, Side, Variable};

#[derive(Debug, Clone)]
struct Case {
    shape: Vec<usize>,
    chunk_lens: Vec<Vec<usize>>,
    values: Vec<f64>,
    ints: bool,
    /// Window per axis; 0 leaves the axis alone.
    windows: Vec<usize>,
    boundary: usize,
    right: bool,
    kind: usize,
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
                    prop_oneof![1 => Just(f64::NAN), 5 => (-8i32..=8).prop_map(f64::from)],
                    n,
                ),
                any::<bool>(),
                prop::collection::vec(0usize..=5, nd),
                0usize..3,
                any::<bool>(),
                0usize..8,
            )
        })
        .prop_map(
            |(shape, chunk_lens, values, ints, windows, boundary, right, kind)| Case {
                shape,
                chunk_lens,
                values,
                ints,
                windows,
                boundary,
                right,
                kind,
            },
        )
}

const KINDS: [(ReduceKind, usize); 8] = [
    (ReduceKind::Sum, 0),
    (ReduceKind::Mean, 0),
    (ReduceKind::Count, 0),
    (ReduceKind::Var, 0),
    (ReduceKind::Std, 1),
    (ReduceKind::Min, 0),
    (ReduceKind::Max, 0),
    (ReduceKind::Prod, 0),
];

/// The windows along one axis after xarray's trim or pad.
struct Slots {
    /// Number of windows.
    len: usize,
    window: usize,
    /// The original position of every window slot, None for padding.
    pos: Vec<Option<usize>>,
}

/// The slots of one axis, or None where boundary exact refuses its length.
fn slots(n: usize, w: usize, b: Boundary, s: Side) -> Option<Slots> {
    let full = n / w;
    let excess = n % w;
    let (len, before, skip) = match b {
        _ if excess == 0 => (full, 0, 0),
        Boundary::Exact => return None,
        Boundary::Trim => (full, 0, if s == Side::Right { excess } else { 0 }),
        Boundary::Pad => (full + 1, if s == Side::Right { w - excess } else { 0 }, 0),
    };
    let pos = (0..len * w)
        .map(|p| (p + skip).checked_sub(before).filter(|&i| i < n))
        .collect();
    Some(Slots {
        len,
        window: w,
        pos,
    })
}

/// The statistic of one window's values (NaN skipped, as xarray's coarsen).
fn stat(v: &[f64], kind: ReduceKind, ddof: usize) -> f64 {
    let v: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - ddof as f64);
    let var = if n > ddof as f64 { var } else { f64::NAN };
    match kind {
        ReduceKind::Sum => v.iter().sum(),
        ReduceKind::Prod => v.iter().product(),
        ReduceKind::Mean => mean,
        ReduceKind::Count => n,
        ReduceKind::Var => var,
        ReduceKind::Std => var.sqrt(),
        ReduceKind::Min if v.is_empty() => f64::NAN,
        ReduceKind::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
        ReduceKind::Max if v.is_empty() => f64::NAN,
        ReduceKind::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        _ => unreachable!(),
    }
}

/// The values of the window at output index `o` (NaN for padding).
fn window_values(o: &[usize], per_axis: &[Slots], values: &[f64], shape: &[usize]) -> Vec<f64> {
    // Flat offsets of the window's cells so far; None once a cell is padding.
    let mut cells: Vec<Option<usize>> = vec![Some(0)];
    for (axis, a) in per_axis.iter().enumerate() {
        let slots = &a.pos[o[axis] * a.window..(o[axis] + 1) * a.window];
        cells = cells
            .iter()
            .flat_map(|cell| {
                slots
                    .iter()
                    .map(move |p| cell.zip(*p).map(|(c, p)| c * shape[axis] + p))
            })
            .collect();
    }
    cells
        .iter()
        .map(|c| c.map_or(f64::NAN, |k| values[k]))
        .collect()
}

/// numpy's dtype for the result (integers padded with NaN become float64 first).
fn out_dtype(ints: bool, padded: bool, kind: ReduceKind) -> DType {
    match (ints && !padded, kind) {
        (_, ReduceKind::Count) => DType::I64,
        (false, _) => DType::F64,
        (true, ReduceKind::Sum | ReduceKind::Prod) => DType::I64,
        (true, ReduceKind::Min | ReduceKind::Max) => DType::I32,
        (true, _) => DType::F64,
    }
}

proptest! {
    #![proptest_config(crate::support::proptest_regressions::with_cases(256))]

    #[test]
    fn coarsen_matches_the_definition(c in case()) {
        let dims: Vec<String> = (0..c.shape.len()).map(|i| format!("d{i}")).collect();
        let (kind, ddof) = KINDS[c.kind];
        let values: Vec<f64> = match (c.ints, kind) {
            // Products of up to 125 integers would overflow i64: use signs only.
            (true, ReduceKind::Prod) => c.values.iter().map(|v| if v.is_nan() { 1.0 } else { v.signum() }).collect(),
            (true, _) => c.values.iter().map(|v| if v.is_nan() { 3.0 } else { *v }).collect(),
            (false, _) => c.values.clone(),
        };
        let chunks: Vec<Vec<usize>> = c.shape.iter().zip(&c.chunk_lens).map(|(&n, l)| split_cycled(n, l)).collect();
        let data = ArrayData::new(ArrayD::from_shape_vec(IxDyn(&c.shape), values.clone()).unwrap());
        let data = if c.ints { data.cast(DType::I32) } else { data };
        let x = LazyArray::from_data(data, ChunkGrid::new(chunks).unwrap()).unwrap();
        let coord = ArrayD::from_shape_fn(IxDyn(&[c.shape[0]]), |i| i[0] as f64 * 10.0);
        let coord = Variable::new(["d0"], LazyArray::from_ndarray(coord, &[2]).unwrap()).unwrap();
        let da = DataArray::from_lazy("v", dims.clone(), x).unwrap().with_coord("d0", coord).unwrap();

        let b = [Boundary::Exact, Boundary::Trim, Boundary::Pad][c.boundary];
        let s = if c.right { Side::Right } else { Side::Left };
        let windows: Vec<(&str, usize)> = dims.iter().zip(&c.windows)
            .filter(|(_, w)| **w > 0).map(|(d, w)| (d.as_str(), *w)).collect();
        // Each axis: output length and window slots (one slot of width 1 if not coarsened).
        let per_axis: Option<Vec<Slots>> = c.shape.iter().zip(&c.windows)
            .map(|(&n, &w)| if w == 0 { Some(Slots { len: n, window: 1, pos: (0..n).map(Some).collect() }) }
                 else { slots(n, w, b, s) })
            .collect();
        let result = da.coarsen(&windows).unwrap().boundary(b).side(s);
        let result = match kind {
            ReduceKind::Std => result.std(ddof),
            ReduceKind::Var => result.var(ddof),
            k => result.reduce(k),
        };
        let Some(per_axis) = per_axis else {
            // Exact on a length that is not a multiple of its window.
            let e = result.unwrap_err().to_string();
            prop_assert!(e.contains("not a multiple"), "{e}");
            return Ok(());
        };
        let out = result.unwrap();
        if windows.is_empty() {
            // No window: xarray hands the array back as it is.
            prop_assert_eq!(out.dtype(), da.dtype());
            prop_assert_eq!(out.compute().unwrap().to_f64_vec().len(), values.len());
            return Ok(());
        }
        let padded = b == Boundary::Pad
            && c.shape.iter().zip(&c.windows).any(|(&n, &w)| w > 0 && n % w != 0);
        prop_assert_eq!(out.dtype(), out_dtype(c.ints, padded, kind));
        let out_shape: Vec<usize> = per_axis.iter().map(|a| a.len).collect();
        prop_assert_eq!(out.shape(), &out_shape[..]);
        let got = out.compute().unwrap().to_f64_vec();
        let want: Vec<f64> = ndarray::indices(IxDyn(&out_shape))
            .into_iter()
            .map(|o| stat(&window_values(o.slice(), &per_axis, &values, &c.shape), kind, ddof))
            .collect();
        for (g, w) in got.iter().zip(&want) {
            prop_assert!((g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                "{kind:?} got {g} want {w}: got {got:?} want {want:?}");
        }
        // The coordinate along d0 is the mean of each window's positions.
        let a0 = &per_axis[0];
        let coord = out.coords().values_f64("d0").unwrap();
        prop_assert_eq!(coord.len(), a0.len);
        for (k, got) in coord.iter().enumerate() {
            let w = a0.window;
            let p: Vec<f64> = a0.pos[k * w..(k + 1) * w].iter().flatten().map(|&i| i as f64 * 10.0).collect();
            let want = p.iter().sum::<f64>() / p.len() as f64;
            prop_assert!((got - want).abs() < 1e-9, "coordinate {k}: {got} vs {want}");
        }
    }
}
