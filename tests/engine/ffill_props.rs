//! Property test of the forward-fill scan (`LazyArray::ffill`): random 1-D to 3-D
//! arrays with NaN runs, random irregular chunkings (chunks of one included, so a
//! carry crosses several all-NaN chunks), against a loop over each lane in ndarray.

use crate::support::chunk_splits::split_cycled;
use ndarray::{ArrayD, Axis, IxDyn};
use proptest::prelude::*;
use tessera::engine::{ArrayData, ChunkGrid, LazyArray};

fn case() -> impl Strategy<Value = (Vec<usize>, Vec<Vec<usize>>, Vec<f64>, usize)> {
    (1usize..=3)
        .prop_flat_map(|nd| prop::collection::vec(1usize..=9, nd))
        .prop_flat_map(|shape| {
            let n: usize = shape.iter().product();
            let nd = shape.len();
            (
                Just(shape),
                prop::collection::vec(prop::collection::vec(1usize..=4, 1..=3), nd),
                prop::collection::vec(
                    prop_oneof![3 => Just(f64::NAN), 2 => (-40i32..=40).prop_map(f64::from)],
                    n,
                ),
                0..nd,
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn ffill_scan_equals_a_loop((shape, lens, values, axis) in case()) {
        let a = ArrayD::from_shape_vec(IxDyn(&shape), values).unwrap();
        let grid: Vec<Vec<usize>> = shape.iter().zip(&lens).map(|(&n, l)| split_cycled(n, l)).collect();
        let lazy = LazyArray::from_data(ArrayData::new(a.clone()), ChunkGrid::new(grid).unwrap()).unwrap();
        let got = lazy.ffill(axis).unwrap().compute().unwrap().into_typed::<f64>().unwrap();
        let mut want = a.clone();
        for mut lane in want.lanes_mut(Axis(axis)) {
            let mut last = f64::NAN;
            for v in lane.iter_mut() {
                if v.is_nan() { *v = last } else { last = *v }
            }
        }
        for (g, w) in got.iter().zip(want.iter()) {
            prop_assert!(g == w || (g.is_nan() && w.is_nan()), "got {got:?} want {want:?}");
        }
    }
}
