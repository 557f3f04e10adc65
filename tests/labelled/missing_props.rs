//! Property tests of the missing-data fills: `ffill`, `bfill` and `interpolate_na` on
//! arrays cut into random irregular chunks equal the same calls on one chunk, and a
//! plain loop over each series; `stack` then `unstack` is the identity.

use ndarray::{ArrayD, IxDyn};
use proptest::collection::vec;
use proptest::prelude::*;
use tessera::engine::{ArrayData, ChunkGrid, LazyArray};
use tessera::labelled::{DataArray, InterpolateNa, Variable};

/// A (x, y) array of the values, x chunked by `cuts` (sizes), y in one chunk.
fn array(values: &[f64], nx: usize, ny: usize, cuts: Vec<usize>) -> DataArray {
    let a = ArrayD::from_shape_vec(IxDyn(&[nx, ny]), values.to_vec()).unwrap();
    let grid = ChunkGrid::new(vec![cuts, vec![ny]]).unwrap();
    let data = LazyArray::from_data(ArrayData::new(a), grid).unwrap();
    let x: Vec<f64> = (0..nx).map(|i| (i * i) as f64 * 0.5 + i as f64).collect();
    DataArray::new(
        Some("v".into()),
        Variable::new(["x", "y"], data).unwrap(),
        Default::default(),
    )
    .unwrap()
    .with_coord_values("x", x)
    .unwrap()
}

/// Sizes that cut `n` at the chosen positions.
fn cut_sizes(n: usize, at: &[usize]) -> Vec<usize> {
    let mut edges: Vec<usize> = at
        .iter()
        .map(|a| 1 + a % n.max(1))
        .filter(|&a| a < n)
        .collect();
    edges.push(0);
    edges.push(n);
    edges.sort();
    edges.dedup();
    edges.windows(2).map(|w| w[1] - w[0]).collect()
}

/// Forward fill of one series with a limit, as a loop.
fn ffill_ref(s: &[f64], limit: Option<usize>) -> Vec<f64> {
    let mut last: Option<(usize, f64)> = None;
    s.iter()
        .enumerate()
        .map(|(i, &v)| {
            if !v.is_nan() {
                last = Some((i, v));
                return v;
            }
            match last {
                Some((j, w)) if limit.is_none_or(|l| i - j <= l) => w,
                _ => f64::NAN,
            }
        })
        .collect()
}

fn column(values: &[f64], ny: usize, j: usize) -> Vec<f64> {
    values.iter().skip(j).step_by(ny).copied().collect()
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-12 * x.abs().max(1.0))
}

fn inputs() -> impl Strategy<Value = (usize, usize, Vec<f64>, Vec<usize>, Option<usize>)> {
    (1usize..14, 1usize..4).prop_flat_map(|(nx, ny)| {
        (
            Just(nx),
            Just(ny),
            vec(
                prop_oneof![3 => Just(f64::NAN), 4 => (-50i32..50).prop_map(f64::from)],
                nx * ny,
            ),
            vec(0usize..20, 0..5),
            proptest::option::of(1usize..5),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fills_chunked_equal_one_chunk_and_a_loop((nx, ny, values, at, limit) in inputs()) {
        let chunked = array(&values, nx, ny, cut_sizes(nx, &at));
        let whole = array(&values, nx, ny, vec![nx]);
        for forward in [true, false] {
            let run = |a: &DataArray| {
                if forward { a.ffill("x", limit) } else { a.bfill("x", limit) }
            };
            let c = run(&chunked).unwrap().values::<f64>().unwrap().into_raw_vec_and_offset().0;
            let w = run(&whole).unwrap().values::<f64>().unwrap().into_raw_vec_and_offset().0;
            prop_assert!(same(&c, &w), "chunked {c:?} one chunk {w:?}");
            for j in 0..ny {
                let mut s = column(&values, ny, j);
                if !forward { s.reverse(); }
                let mut want = ffill_ref(&s, limit);
                if !forward { want.reverse(); }
                prop_assert!(same(&column(&c, ny, j), &want), "column {j}: {c:?} want {want:?}");
            }
        }
    }

    #[test]
    fn interpolate_na_chunked_equals_one_chunk(
        (nx, ny, values, at, limit) in inputs(),
        gap in proptest::option::of(0.0f64..40.0),
    ) {
        let chunked = array(&values, nx, ny, cut_sizes(nx, &at));
        let whole = array(&values, nx, ny, vec![nx]);
        let mut opts = InterpolateNa::linear();
        if let Some(l) = limit { opts = opts.limit(l); }
        if let Some(g) = gap { opts = opts.max_gap(g); }
        let c = chunked.interpolate_na("x", &opts).unwrap().values::<f64>().unwrap();
        let w = whole.interpolate_na("x", &opts).unwrap().values::<f64>().unwrap();
        let (c, w) = (c.into_raw_vec_and_offset().0, w.into_raw_vec_and_offset().0);
        prop_assert!(same(&c, &w), "chunked {c:?} one chunk {w:?}");
        // Valid values stay; the fill of a series never leaves [min, max] of its values.
        for (i, v) in values.iter().enumerate() {
            if !v.is_nan() { prop_assert_eq!(c[i], *v); }
        }
    }

    #[test]
    fn stack_then_unstack_is_the_identity((nx, ny, values, at, _l) in inputs()) {
        let a = array(&values, nx, ny, cut_sizes(nx, &at)).with_coord_values("y", (0..ny).map(|j| 10.0 - j as f64).collect()).unwrap();
        let s = a.stack("z", &["x", "y"]).unwrap();
        prop_assert_eq!(s.shape(), &[nx * ny][..]);
        let back = s.unstack("z").unwrap();
        prop_assert_eq!(back.dims(), a.dims());
        let (b, w) = (back.values::<f64>().unwrap(), a.values::<f64>().unwrap());
        prop_assert!(same(&b.into_raw_vec_and_offset().0, &w.into_raw_vec_and_offset().0));
        prop_assert_eq!(back.coord("y").unwrap().to_vec::<f64>().unwrap(), a.coord("y").unwrap().to_vec::<f64>().unwrap());
    }
}
