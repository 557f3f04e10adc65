//! Smoke tests of the engine through its public API: a few operations end to end.

use ndarray::{Array, Dimension, IxDyn};
use tessera::engine::*;

fn arr(shape: &[usize]) -> ndarray::ArrayD<f64> {
    Array::from_shape_fn(IxDyn(shape), |i: IxDyn| {
        let mut v = 0.0;
        for (k, &x) in i.as_array_view().iter().enumerate() {
            v += (x as f64 + 1.0) * (k as f64 + 1.3);
        }
        if (v as i64) % 7 == 0 { f64::NAN } else { v }
    })
}

#[test]
fn smoke() {
    let a = arr(&[7, 5, 3]);
    let l = LazyArray::from_ndarray(a.clone(), &[3, 2, 2]).unwrap();
    // map
    let m = l
        .binary_scalar(BinaryOp::Mul, 2.0, false)
        .unwrap()
        .math(FloatFn::Sqrt)
        .unwrap();
    let got = m.compute().unwrap().into_typed::<f64>().unwrap();
    let want = a.mapv(|v| (v * 2.0).sqrt());
    assert!(
        got.iter()
            .zip(want.iter())
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x - y).abs() < 1e-12),
        "map"
    );
    // reduce
    let s = l
        .nansum(&[0, 2])
        .unwrap()
        .compute()
        .unwrap()
        .into_typed::<f64>()
        .unwrap();
    let mut w = [0.0; 5];
    for ((_, j, _), v) in a
        .clone()
        .into_dimensionality::<ndarray::Ix3>()
        .unwrap()
        .indexed_iter()
    {
        if !v.is_nan() {
            w[j] += v;
        }
    }
    for j in 0..5 {
        assert!((s[[j]] - w[j]).abs() < 1e-9, "{} {}", s[[j]], w[j]);
    }
    // std of anomaly (nested reduce)
    let mean = l.nanmean(&[0]).unwrap();
    let anom = l.sub(&mean).unwrap();
    let sd = anom
        .reduce(ReduceKind::Std, &[0], ReduceOptions::skipna())
        .unwrap();
    let sd2 = l
        .reduce(ReduceKind::Std, &[0], ReduceOptions::skipna())
        .unwrap();
    let out = Compute::new().run(&[&sd, &sd2]).unwrap();
    let (x, y) = (out[0].to_f64_vec(), out[1].to_f64_vec());
    for (p, q) in x.iter().zip(&y) {
        assert!(
            (p - q).abs() < 1e-9 || (p.is_nan() && q.is_nan()),
            "{p} {q}"
        );
    }
    // slice + transpose + cumsum + take
    let t = l
        .slice_axis(0, None, None, -2)
        .unwrap()
        .transpose(&[2, 0, 1])
        .unwrap();
    let tv = t.compute().unwrap().into_typed::<f64>().unwrap();
    let want = a
        .slice(ndarray::s![..;-2, .., ..])
        .to_owned()
        .into_dyn()
        .permuted_axes(IxDyn(&[2, 0, 1]));
    assert_eq!(tv.shape(), want.shape());
    assert!(
        tv.iter()
            .zip(want.iter())
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    let c = l
        .fillna(0.0)
        .unwrap()
        .cumsum(0, false)
        .unwrap()
        .compute()
        .unwrap()
        .into_typed::<f64>()
        .unwrap();
    let mut acc = a.mapv(|v| if v.is_nan() { 0.0 } else { v });
    acc.accumulate_axis_inplace(ndarray::Axis(0), |&p, c| *c += p);
    assert!(c.iter().zip(acc.iter()).all(|(x, y)| (x - y).abs() < 1e-9));
    let tk = l
        .take(1, &[4, 0, 0, 2])
        .unwrap()
        .compute()
        .unwrap()
        .into_typed::<f64>()
        .unwrap();
    let want = a.select(ndarray::Axis(1), &[4, 0, 0, 2]);
    assert!(
        tk.iter()
            .zip(want.iter())
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    // argmax & group reduce
    let g = l
        .group_reduce(
            ReduceKind::Mean,
            0,
            vec![0, 1, 0, 1, -1, 2, 2],
            3,
            ReduceOptions::skipna(),
        )
        .unwrap();
    let gv = g.compute().unwrap();
    assert_eq!(gv.shape(), &[3, 5, 3]);
    let am = l
        .fillna(-1.0)
        .unwrap()
        .reduce(ReduceKind::ArgMax, &[1], ReduceOptions::default())
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!(am.shape(), &[7, 3]);
}
