//! Property tests of `LazyArray::map_blocks_resized` (blocks that change shape): on
//! random 1-d to 3-d shapes and irregular chunkings, the lazy result equals the same
//! per-block function applied eagerly to the blocks of an ndarray and the pieces
//! concatenated; any region (cut across output blocks, as a consumer with other chunks
//! asks for) equals the same region of the eager result.

use crate::support::chunk_splits::split_cycled;
use ndarray::{ArrayD, Axis, IxDyn, Slice};
use proptest::collection::vec;
use proptest::prelude::*;
use tessera::engine::{ArrayData, BinaryOp, ChunkGrid, DType, LazyArray};

/// Per-block functions along axis 0, and the block length each makes of `n`.
#[derive(Clone, Copy, Debug)]
enum BlockFn {
    /// Means of pairs of rows, the last row alone when `n` is odd.
    CoarsenBy2,
    /// The first row.
    FirstRow,
    /// The rows twice over.
    Doubled,
}

impl BlockFn {
    fn len(self, n: usize) -> usize {
        match self {
            BlockFn::CoarsenBy2 => n.div_ceil(2),
            BlockFn::FirstRow => 1,
            BlockFn::Doubled => 2 * n,
        }
    }

    /// Written over ndarray directly, independently of the engine.
    fn apply(self, b: &ArrayD<f64>) -> ArrayD<f64> {
        let n = b.len_of(Axis(0));
        let rows: Vec<ArrayD<f64>> = match self {
            BlockFn::CoarsenBy2 => (0..n)
                .step_by(2)
                .map(|i| {
                    b.slice_axis(Axis(0), Slice::from(i..(i + 2).min(n)))
                        .mean_axis(Axis(0))
                        .unwrap()
                })
                .collect(),
            BlockFn::FirstRow => vec![b.index_axis(Axis(0), 0).to_owned()],
            BlockFn::Doubled => (0..2 * n)
                .map(|i| b.index_axis(Axis(0), i % n).to_owned())
                .collect(),
        };
        let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
        ndarray::stack(Axis(0), &views).unwrap()
    }
}

/// The eager result: the function on every block, blocks put back together.
fn eager(a: &ArrayD<f64>, chunks: &[Vec<usize>], f: BlockFn) -> ArrayD<f64> {
    // Along axis 0 the function changes lengths; along the others it works per
    // element row, so only axis 0's blocks matter.
    let mut pieces = vec![];
    let mut start = 0;
    for &n in &chunks[0] {
        let block = a
            .slice_axis(Axis(0), Slice::from(start..start + n))
            .to_owned();
        pieces.push(f.apply(&block));
        start += n;
    }
    let views: Vec<_> = pieces.iter().map(|p| p.view()).collect();
    ndarray::concatenate(Axis(0), &views).unwrap()
}

fn lazy(a: &ArrayD<f64>, chunks: &[Vec<usize>], f: BlockFn) -> LazyArray {
    let x = LazyArray::from_data(
        ArrayData::new(a.clone()),
        ChunkGrid::new(chunks.to_vec()).unwrap(),
    )
    .unwrap();
    let mut out_chunks = chunks.to_vec();
    out_chunks[0] = chunks[0].iter().map(|&n| f.len(n)).collect();
    let grid = ChunkGrid::new(out_chunks).unwrap();
    LazyArray::map_blocks_resized(&[&x], format!("{f:?}"), DType::F64, grid, move |_, b| {
        Ok(ArrayData::new(f.apply(b[0].as_typed::<f64>()?)))
    })
    .unwrap()
}

fn same(a: &ArrayD<f64>, b: &ArrayD<f64>) -> bool {
    a.shape() == b.shape()
        && a.iter().zip(b.iter()).all(|(x, y)| {
            (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0)
        })
}

type Case = (Vec<usize>, Vec<Vec<usize>>, Vec<f64>, BlockFn, Vec<usize>);

fn cases() -> impl Strategy<Value = Case> {
    (1usize..=3)
        .prop_flat_map(|nd| vec(1usize..7, nd))
        .prop_flat_map(|shape| {
            let nd = shape.len();
            let n: usize = shape.iter().product();
            (
                Just(shape),
                vec(vec(1usize..4, 1..4), nd),
                vec(prop_oneof![5 => -8.0f64..8.0, 1 => Just(f64::NAN)], n),
                prop_oneof![
                    Just(BlockFn::CoarsenBy2),
                    Just(BlockFn::FirstRow),
                    Just(BlockFn::Doubled)
                ],
                vec(0usize..16, 2 * nd),
            )
        })
        .prop_map(|(shape, sizes, vals, f, region)| {
            let chunks = shape
                .iter()
                .zip(&sizes)
                .map(|(&n, s)| split_cycled(n, s))
                .collect();
            (shape, chunks, vals, f, region)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn resized_blocks_equal_the_eager_per_block_function((shape, chunks, vals, f, picks) in cases()) {
        let a = ArrayD::from_shape_vec(IxDyn(&shape), vals).unwrap();
        let want = eager(&a, &chunks, f);
        let out = lazy(&a, &chunks, f);
        prop_assert_eq!(out.shape(), want.shape());
        let got = out.compute().unwrap();
        prop_assert!(same(got.as_typed::<f64>().unwrap(), &want));

        // A region cut across the output blocks, below an elementwise consumer.
        let region: Vec<std::ops::Range<usize>> = want
            .shape()
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                let lo = picks[2 * i] % n;
                let hi = lo + 1 + picks[2 * i + 1] % (n - lo);
                lo..hi
            })
            .collect();
        let part = out
            .slice_ranges(&region)
            .unwrap()
            .binary_scalar(BinaryOp::Add, 1.0, false)
            .unwrap()
            .compute()
            .unwrap();
        let info: Vec<ndarray::SliceInfoElem> = region
            .iter()
            .map(|r| ndarray::SliceInfoElem::from(r.clone()))
            .collect();
        let want_part = want.slice(info.as_slice()).mapv(|v| v + 1.0);
        prop_assert!(same(part.as_typed::<f64>().unwrap(), &want_part));

        // The same through a consumer chunked otherwise (each of its chunks spans
        // several output blocks, or parts of them).
        let regular: Vec<usize> = want.shape().iter().map(|&n| n.div_ceil(2).max(1)).collect();
        let rechunked = out.rechunk_regular(&regular).unwrap().compute().unwrap();
        prop_assert!(same(rechunked.as_typed::<f64>().unwrap(), &want));
    }
}
