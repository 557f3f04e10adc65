//! The same reductions in every NUMA mode (`off`, `auto`, `mock:2`, `mock:3`) on random
//! shapes and chunkings.
//!
//! Every result must be bit-identical: reductions whose result does not depend on the
//! order of combination (integer sums, min/max with NaN rules, counts, argmax), and
//! float sums, means, variances of arbitrary reals too, because partials are merged in
//! an order the plan fixes (runs of blocks, merged in run order), whatever the
//! schedule, the NUMA mode or the number of threads.

use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;
use tessera::engine::numa::NumaMode;
use tessera::engine::{ArrayData, ChunkGrid, Compute, LazyArray, ReduceKind, ReduceOptions};

use crate::support::proptest_regressions;

const MODES: [NumaMode; 4] = [
    NumaMode::Off,
    NumaMode::Auto,
    NumaMode::Mock(2),
    NumaMode::Mock(3),
];

#[derive(Clone, Debug)]
struct Case {
    shape: Vec<usize>,
    chunks: Vec<usize>,
    axes: Vec<usize>,
    seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
    prop::collection::vec(1usize..=24, 1..=3)
        .prop_flat_map(|shape| {
            let nd = shape.len();
            (
                shape.iter().map(|&n| 1..=n).collect::<Vec<_>>(),
                prop::collection::vec(any::<bool>(), nd),
                Just(shape),
                any::<u64>(),
            )
        })
        .prop_map(|(chunks, pick, shape, seed)| {
            let mut axes: Vec<usize> = (0..shape.len()).filter(|&a| pick[a]).collect();
            if axes.is_empty() {
                axes.push(0);
            }
            Case {
                shape,
                chunks,
                axes,
                seed,
            }
        })
}

/// Deterministic pseudo-random values from `seed` (splitmix64).
fn values(n: usize, seed: u64) -> Vec<u64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
        .collect()
}

fn lazy<T: tessera::engine::Storable>(c: &Case, v: Vec<T>) -> LazyArray {
    let a = ArrayD::from_shape_vec(IxDyn(&c.shape), v).unwrap();
    LazyArray::from_data(
        ArrayData::new(a),
        ChunkGrid::regular(&c.shape, &c.chunks).unwrap(),
    )
    .unwrap()
}

fn bits(d: &ArrayData) -> Vec<u64> {
    match d.as_typed::<i64>() {
        Ok(a) => a.iter().map(|&x| x as u64).collect(),
        Err(_) => d.to_f64_vec().iter().map(|x| x.to_bits()).collect(),
    }
}

fn run_all(outputs: &[LazyArray], mode: NumaMode) -> Vec<ArrayData> {
    run_on(outputs, mode, 2)
}

fn run_on(outputs: &[LazyArray], mode: NumaMode, threads: usize) -> Vec<ArrayData> {
    let refs: Vec<&LazyArray> = outputs.iter().collect();
    Compute::new()
        .numa(mode)
        .threads(threads)
        .memory_limit(64 << 20)
        .run(&refs)
        .unwrap()
}

proptest! {
    #![proptest_config(proptest_regressions::with_cases(40))]

    #[test]
    fn order_free_reductions_are_bit_identical_in_every_mode(c in case()) {
        let n: usize = c.shape.iter().product();
        let raw = values(n, c.seed);
        let ints = lazy(&c, raw.iter().map(|&r| r as i64).collect::<Vec<i64>>());
        let reals: Vec<f64> = raw
            .iter()
            .map(|&r| if r % 11 == 0 { f64::NAN } else { (r >> 11) as f64 / (1u64 << 40) as f64 - 1000.0 })
            .collect();
        let quarters: Vec<f64> = raw.iter().map(|&r| (r % 33) as f64 / 4.0 - 4.0).collect();
        let reals = lazy(&c, reals);
        let quarters = lazy(&c, quarters);
        let skip = ReduceOptions::skipna();
        let outputs = vec![
            ints.sum(&c.axes).unwrap(),
            ints.reduce(ReduceKind::Max, &c.axes, skip).unwrap(),
            reals.reduce(ReduceKind::Min, &c.axes, skip).unwrap(),
            reals.max(&c.axes).unwrap(),
            reals.reduce(ReduceKind::Count, &c.axes, skip).unwrap(),
            reals.reduce(ReduceKind::ArgMax, &[0], ReduceOptions::default()).unwrap(),
            quarters.reduce(ReduceKind::ArgMin, &[0], skip).unwrap(),
            quarters.sum(&c.axes).unwrap(),
            quarters.mean(&c.axes).unwrap(),
        ];
        let want: Vec<Vec<u64>> = run_all(&outputs, NumaMode::Off).iter().map(bits).collect();
        for mode in MODES {
            let got: Vec<Vec<u64>> = run_all(&outputs, mode).iter().map(bits).collect();
            prop_assert_eq!(&got, &want, "mode {}", mode);
        }
    }

    #[test]
    fn float_reductions_are_bit_identical_in_every_mode_and_thread_count(c in case()) {
        let n: usize = c.shape.iter().product();
        let reals: Vec<f64> = values(n, c.seed)
            .iter()
            .map(|&r| if r % 13 == 0 { f64::NAN } else { ((r >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e6 })
            .collect();
        let a = lazy(&c, reals);
        // Two reductions over different axes of one grid share a pass: the second's
        // output chunks gather partials from runs of the first's.
        let other: Vec<usize> = (0..c.shape.len()).filter(|x| !c.axes.contains(x)).collect();
        let mut outputs = vec![
            a.nansum(&c.axes).unwrap(),
            a.nanmean(&c.axes).unwrap(),
            a.reduce(ReduceKind::Std, &c.axes, ReduceOptions::skipna()).unwrap(),
            a.sum(&c.axes).unwrap(),
        ];
        if !other.is_empty() {
            outputs.push(a.nanmean(&other).unwrap());
        }
        let want: Vec<Vec<u64>> = run_on(&outputs, NumaMode::Off, 1).iter().map(bits).collect();
        for (mode, threads) in MODES.iter().flat_map(|&m| [(m, 2), (m, 3)]) {
            let got: Vec<Vec<u64>> = run_on(&outputs, mode, threads).iter().map(bits).collect();
            prop_assert_eq!(&got, &want, "mode {} on {} threads", mode, threads);
        }
    }
}
