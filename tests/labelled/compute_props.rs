//! Property tests of apply_ufunc (one or several outputs, excluded dims), map_blocks
//! (with and without a template), dot, histogram and rolling windows longer than the
//! dim: per chunk equals the closure on the whole array (or the eager per-block
//! function), and chunked equals single-chunk.
//!
//! A random (t, x) array with NaNs is cut into random chunks along `t` (and `x`, which
//! apply_ufunc rechunks when allowed). The closure, a cumulative sum along the core dim
//! `x` plus the lane's first value, is also applied to the whole ndarray directly.

use crate::support::chunk_splits::split_cycled;
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};
use proptest::collection::vec;
use proptest::prelude::*;
use tessera::engine::{ArrayData, ChunkGrid, LazyArray};
use tessera::labelled::{ApplyUfunc, DataArray, Dims, dot};

fn array(name: &str, shape: [usize; 2], values: &[f64], chunks: Vec<Vec<usize>>) -> DataArray {
    let data = ArrayData::new(ArrayD::from_shape_vec(IxDyn(&shape), values.to_vec()).unwrap());
    let lazy = LazyArray::from_data(data, ChunkGrid::new(chunks).unwrap()).unwrap();
    DataArray::from_lazy(name, ["t", "x"], lazy).unwrap()
}

/// The closure: cumulative sum along the last axis plus each lane's first value.
fn kernel(x: &ArrayViewD<'_, f64>) -> ArrayD<f64> {
    let last = Axis(x.ndim() - 1);
    let mut out = x.to_owned();
    for mut lane in out.lanes_mut(last) {
        let first = lane[0];
        let mut s = 0.0;
        for v in lane.iter_mut() {
            s += *v;
            *v = s + first;
        }
    }
    out
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0)
        })
}

fn inputs() -> impl Strategy<Value = (usize, usize, Vec<f64>, Vec<usize>, Vec<usize>)> {
    (1usize..9, 1usize..7).prop_flat_map(|(nt, nx)| {
        (
            Just(nt),
            Just(nx),
            vec(
                prop_oneof![4 => -50.0f64..50.0, 1 => Just(f64::NAN)],
                nt * nx,
            ),
            vec(1usize..5, 1..4),
            vec(1usize..4, 1..3),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn apply_ufunc_per_chunk_equals_closure_on_whole((nt, nx, values, ct, cx) in inputs(),
                                                    vectorize in any::<bool>()) {
        let chunks = vec![split_cycled(nt, &ct), split_cycled(nx, &cx)];
        let da = array("v", [nt, nx], &values, chunks);
        let out = ApplyUfunc::new("cumsum_plus_first")
            .input(&da, ["x"])
            .output_core_dims(["x"])
            .allow_rechunk(true)
            .vectorize(vectorize)
            .run(|x| Ok(kernel(&x[0])))
            .unwrap();
        prop_assert_eq!(out.dims(), da.dims());
        prop_assert_eq!(out.data().chunks().axis_chunks(0), da.data().chunks().axis_chunks(0));
        let whole = ArrayD::from_shape_vec(IxDyn(&[nt, nx]), values.clone()).unwrap();
        let want = kernel(&whole.view());
        let got = out.values::<f64>().unwrap();
        prop_assert!(same(got.as_slice().unwrap(), want.as_slice().unwrap()));
    }

    #[test]
    fn apply_ufunc_reducing_and_histogram_and_dot_chunked_equal_single_chunk(
        (nt, nx, values, ct, cx) in inputs()
    ) {
        let chunked = array("v", [nt, nx], &values, vec![split_cycled(nt, &ct), split_cycled(nx, &cx)]);
        let single = array("v", [nt, nx], &values, vec![vec![nt], vec![nx]]);
        let mean = |da: &DataArray| {
            ApplyUfunc::new("nanmax")
                .input(da, ["x"])
                .allow_rechunk(true)
                .run(|x| {
                    let a = &x[0];
                    Ok(a.fold_axis(Axis(a.ndim() - 1), f64::NAN, |m, &v| if v > *m || m.is_nan() { v } else { *m }))
                })
                .unwrap()
                .values::<f64>()
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<f64>>()
        };
        prop_assert!(same(&mean(&chunked), &mean(&single)));
        let edges = [-50.0, -10.0, 0.0, 25.0, 50.0];
        let h = |da: &DataArray| da.histogram(&edges, "t").unwrap().values::<i64>().unwrap();
        prop_assert_eq!(h(&chunked), h(&single));
        let d = |da: &DataArray| {
            dot(&[da, da], Some(Dims::All)).unwrap().values::<f64>().unwrap()[[]]
        };
        prop_assert!(same(&[d(&chunked)], &[d(&single)]));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn map_blocks_sees_each_block_with_its_coordinates((nt, nx, values, ct, cx) in inputs()) {
        let xs: Vec<f64> = (0..nx).map(|j| 10.0 * j as f64).collect();
        let da = array("v", [nt, nx], &values, vec![split_cycled(nt, &ct), split_cycled(nx, &cx)])
            .with_coord_values("x", xs.clone())
            .unwrap();
        let out = da
            .map_blocks("plus_x", tessera::engine::DType::F64, |b| {
                b.binary(tessera::engine::BinaryOp::Add, &b.coord("x")?)
            })
            .unwrap();
        prop_assert_eq!(out.data().chunks(), da.data().chunks());
        let want: Vec<f64> = values
            .iter()
            .enumerate()
            .map(|(i, v)| v + xs[i % nx])
            .collect();
        let got = out.values::<f64>().unwrap();
        prop_assert!(same(got.as_slice().unwrap(), &want));
    }
}

#[test]
fn map_blocks_and_apply_ufunc_refuse_wrong_shapes() {
    let da = array("v", [4, 3], &[1.0; 12], vec![vec![2, 2], vec![3]]);
    let bad = da
        .map_blocks("drop_x", tessera::engine::DType::F64, |b| b.sum("x"))
        .unwrap();
    let e = bad.compute().unwrap_err();
    assert!(e.to_string().contains("drop_x"), "{e}");
    let bad = ApplyUfunc::new("wrong")
        .input(&da, ["x"])
        .run(|x| Ok(x[0].to_owned()))
        .unwrap();
    let e = bad.compute().unwrap_err();
    assert!(matches!(e, tessera::Error::UserFunction { .. }), "{e}");
}

/// Every other element of each block of `values` (`nt` x `nx`, blocks `ct` along t).
fn thinned_per_block(values: &[f64], nx: usize, ct: &[usize]) -> (Vec<f64>, Vec<usize>) {
    let (mut out, mut sizes, mut start) = (vec![], vec![], 0);
    for &n in ct {
        let rows: Vec<usize> = (start..start + n).step_by(2).collect();
        sizes.push(rows.len());
        for r in rows {
            out.extend_from_slice(&values[r * nx..(r + 1) * nx]);
        }
        start += n;
    }
    (out, sizes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn map_blocks_template_equals_the_eager_per_block_function((nt, nx, values, ct, cx) in inputs()) {
        let (ct, cx) = (split_cycled(nt, &ct), split_cycled(nx, &cx));
        let da = array("v", [nt, nx], &values, vec![ct.clone(), cx.clone()]);
        let (want, sizes) = thinned_per_block(&values, nx, &ct);
        let rows = sizes.iter().sum::<usize>();
        let template = array("v", [rows, nx], &vec![0.0; rows * nx], vec![sizes.clone(), cx.clone()]);
        let out = da
            .map_blocks_template("thin", &template, |b| b.isel_slice("t", None, None, 2))
            .unwrap();
        prop_assert_eq!(out.data().chunks(), template.data().chunks());
        let got = out.values::<f64>().unwrap();
        prop_assert!(same(got.as_slice().unwrap(), &want));
        // Read through another chunking, each chunk cutting across the blocks.
        let other = out.chunk(&[("t", 2), ("x", 2)]).unwrap().values::<f64>().unwrap();
        prop_assert!(same(other.as_slice().unwrap(), &want));
    }

    #[test]
    fn apply_ufunc_several_outputs_and_excluded_dims_chunked_equal_single_chunk(
        (nt, nx, values, ct, cx) in inputs(),
        vectorize in any::<bool>(),
    ) {
        let chunked = array("v", [nt, nx], &values, vec![split_cycled(nt, &ct), split_cycled(nx, &cx)]);
        let single = array("v", [nt, nx], &values, vec![vec![nt], vec![nx]]);
        let run = |da: &DataArray| {
            let half = nx.div_ceil(2);
            let outs = ApplyUfunc::new("first_and_thin")
                .input(da, ["x"])
                .output_core_dims_list([vec![], vec!["x"]])
                .exclude_dims(["x"])
                .output_sizes([("x", half)])
                .allow_rechunk(true)
                .vectorize(vectorize)
                .run_many(|x| {
                    let a = &x[0];
                    let last = Axis(a.ndim() - 1);
                    Ok(vec![
                        a.index_axis(last, 0).to_owned(),
                        a.slice_axis(last, ndarray::Slice::new(0, None, 2)).to_owned(),
                    ])
                })
                .unwrap();
            outs.iter().map(|o| o.values::<f64>().unwrap().iter().copied().collect::<Vec<f64>>()).collect::<Vec<_>>()
        };
        let (c, s) = (run(&chunked), run(&single));
        prop_assert!(same(&c[0], &s[0]) && same(&c[1], &s[1]));
        let want_first: Vec<f64> = (0..nt).map(|i| values[i * nx]).collect();
        prop_assert!(same(&c[0], &want_first));
    }

    #[test]
    fn rolling_longer_than_the_dim_chunked_equals_single_chunk(
        (nt, nx, values, ct, cx) in inputs(),
        extra in 1usize..5,
        min_periods in 1usize..4,
        center in any::<bool>(),
    ) {
        let chunked = array("v", [nt, nx], &values, vec![split_cycled(nt, &ct), split_cycled(nx, &cx)]);
        let single = array("v", [nt, nx], &values, vec![vec![nt], vec![nx]]);
        let window = nt + extra;
        let min_periods = min_periods.min(window);
        let roll = |da: &DataArray, mp: Option<usize>| {
            let mut r = da.rolling("t", window).unwrap().center(center);
            if let Some(m) = mp {
                r = r.min_periods(m);
            }
            r.sum().unwrap().values::<f64>().unwrap().iter().copied().collect::<Vec<f64>>()
        };
        // Default min_periods (the window): never reached, all NaN.
        prop_assert!(roll(&chunked, None).iter().all(|v| v.is_nan()));
        prop_assert!(same(&roll(&chunked, Some(min_periods)), &roll(&single, Some(min_periods))));
    }
}
