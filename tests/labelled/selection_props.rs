//! Property tests of interp, reindex, pad and roll: on random 2-D arrays (NaNs, an
//! ascending or descending index, random chunks) the chunked result equals the
//! single-chunk one exactly, and interpolating onto the existing coordinate gives
//! the values back.

use ndarray::{ArrayD, IxDyn};
use proptest::collection::vec;
use proptest::prelude::*;
use tessera::labelled::{
    DataArray, InterpMethod, InterpOptions, PadMode, ReindexMethod, ReindexOptions,
};

/// A (x, y) array with an x index (ascending or descending), values with NaNs, and
/// chunk sizes.
fn arrays() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, usize, usize, usize)> {
    (2usize..9, 1usize..5, any::<bool>()).prop_flat_map(|(nx, ny, desc)| {
        (
            vec(
                prop_oneof![9 => -50.0f64..50.0, 1 => Just(f64::NAN)],
                nx * ny,
            ),
            vec(0.1f64..3.0, nx).prop_map(move |steps| {
                let mut x: Vec<f64> = steps
                    .iter()
                    .scan(0.0, |acc, s| {
                        *acc += s;
                        Some(*acc)
                    })
                    .collect();
                if desc {
                    x.reverse();
                }
                x
            }),
            Just(ny),
            1usize..9,
            1usize..5,
        )
    })
}

fn build(values: &[f64], x: &[f64], ny: usize, cx: usize, cy: usize) -> DataArray {
    let nx = x.len();
    let data = ArrayD::from_shape_vec(IxDyn(&[nx, ny]), values.to_vec()).unwrap();
    DataArray::from_ndarray("v", ["x", "y"], data, &[cx, cy])
        .unwrap()
        .with_coord_values("x", x.to_vec())
        .unwrap()
}

fn same(a: &DataArray, b: &DataArray) -> Result<(), TestCaseError> {
    let (va, vb) = (
        a.compute().unwrap().to_f64_vec(),
        b.compute().unwrap().to_f64_vec(),
    );
    prop_assert_eq!(a.shape(), b.shape());
    for (p, q) in va.iter().zip(&vb) {
        prop_assert!(p == q || (p.is_nan() && q.is_nan()), "{:?} vs {:?}", va, vb);
    }
    Ok(())
}

use proptest::test_runner::TestCaseError;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn interp_chunked_equals_single_chunk(
        (values, x, ny, cx, cy) in arrays(),
        targets in vec(-2.0f64..30.0, 1..10),
        nearest in any::<bool>(),
        extrapolate in any::<bool>(),
    ) {
        let mut opts = if nearest { InterpOptions::nearest() } else { InterpOptions::linear() };
        if extrapolate {
            opts = opts.extrapolate();
        }
        let chunked = build(&values, &x, ny, cx, cy).interp("x", targets.clone(), &opts).unwrap();
        let single = build(&values, &x, ny, x.len(), ny).interp("x", targets, &opts).unwrap();
        same(&chunked, &single)?;
    }

    #[test]
    fn interp_onto_the_existing_coordinate_is_the_identity(
        (values, x, ny, cx, cy) in arrays(),
        nearest in any::<bool>(),
    ) {
        // Without NaNs: scipy's formula reads both neighbours, so a NaN spreads to
        // the next label (as in xarray).
        let values: Vec<f64> = values.iter().map(|v| if v.is_nan() { 1.5 } else { *v }).collect();
        let a = build(&values, &x, ny, cx, cy);
        let opts = if nearest { InterpOptions::nearest() } else { InterpOptions::linear() };
        let b = a.interp("x", x.clone(), &opts).unwrap();
        let (va, vb) = (a.compute().unwrap().to_f64_vec(), b.compute().unwrap().to_f64_vec());
        for (p, q) in va.iter().zip(&vb) {
            prop_assert!((p - q).abs() <= 1e-12 * p.abs().max(1.0), "{:?} vs {:?}", va, vb);
        }
        let labels = b.coord("x").unwrap().values::<f64>().unwrap();
        prop_assert_eq!(labels.as_slice().unwrap(), &x[..]);
    }

    #[test]
    fn cubic_interp_chunked_equals_single_chunk_and_keeps_the_labels(
        (values, x, ny, cx, cy) in arrays(),
        targets in vec(-2.0f64..30.0, 1..20),
        extrapolate in any::<bool>(),
    ) {
        prop_assume!(x.len() >= 4);
        let mut opts = InterpOptions::default().method(InterpMethod::Cubic);
        if extrapolate {
            opts = opts.extrapolate();
        }
        let chunked = build(&values, &x, ny, cx, cy).interp("x", targets.clone(), &opts).unwrap();
        let single = build(&values, &x, ny, x.len(), ny).interp("x", targets, &opts).unwrap();
        same(&chunked, &single)?;
        // Onto its own labels, a NaN-free spline gives the values back.
        let clean: Vec<f64> = values.iter().map(|v| if v.is_nan() { 1.5 } else { *v }).collect();
        let a = build(&clean, &x, ny, cx, cy);
        let b = a.interp("x", x.clone(), &opts).unwrap();
        let (va, vb) = (a.compute().unwrap().to_f64_vec(), b.compute().unwrap().to_f64_vec());
        for (p, q) in va.iter().zip(&vb) {
            prop_assert!((p - q).abs() <= 1e-9 * p.abs().max(1.0), "{:?} vs {:?}", va, vb);
        }
    }

    #[test]
    fn reindex_pad_roll_chunked_equal_single_chunk(
        (values, x, ny, cx, cy) in arrays(),
        targets in vec(-2.0f64..30.0, 1..10),
        method in 0usize..4,
        before in 0usize..4,
        after in 0usize..4,
        mode in 0usize..4,
        shift in -12isize..12,
    ) {
        let c = build(&values, &x, ny, cx, cy);
        let s = build(&values, &x, ny, x.len(), ny);
        let method = [ReindexMethod::Exact, ReindexMethod::Nearest, ReindexMethod::Ffill, ReindexMethod::Bfill][method];
        let opts = ReindexOptions::new().method(method).tolerance(1.0);
        let mut targets = targets;
        targets.push(x[0]);
        same(&c.reindex("x", targets.clone(), &opts).unwrap(), &s.reindex("x", targets, &opts).unwrap())?;
        let mode = [PadMode::Constant(None), PadMode::Edge, PadMode::Reflect, PadMode::Wrap][mode];
        let w = [("x", before, after), ("y", after, before)];
        same(&c.pad(&w, mode).unwrap(), &s.pad(&w, mode).unwrap())?;
        let r = [("x", shift), ("y", -shift)];
        same(&c.roll(&r, true).unwrap(), &s.roll(&r, true).unwrap())?;
    }
}
