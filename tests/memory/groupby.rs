//! The monthly climatology and the anomaly std of a generated 4 GiB (time, lat, lon)
//! float32 array (daily, chunks of 10 days) under a 512 MiB budget: the heap, as a
//! counting allocator sees it, never grows past the budget, and the results match
//! the closed form of the generated data.
//!
//! Run with `--nocapture` to see the peak and the time.

use std::ops::Range;
use std::time::Instant;

use crate::support::counting_alloc::{MIB, current, peak, reset_peak, serial};
use ndarray::{ArrayD, IxDyn};
use tessera::engine::{ArrayData, ChunkGrid, Compute, DType, LazyArray};
use tessera::labelled::{Coords, DataArray, Variable};
use tessera::time::{Calendar, CfDatetime, Component};

const DAY: i64 = 86_400_000_000;

/// The time series part of the generated data; the (lat, lon) part is added.
fn series(t: usize) -> f32 {
    ((t * 7) % 11) as f32
}

fn plane(i: usize, j: usize) -> f32 {
    ((i ^ j) & 3) as f32 * 0.25
}

/// `x[t, i, j] = series(t) + plane(i, j)`, generated chunk by chunk, with a daily
/// standard-calendar time coordinate from 1990-01-01.
fn generated(nt: usize, ny: usize, nx: usize, chunk_t: usize) -> (DataArray, Vec<i64>) {
    let grid = ChunkGrid::regular(&[nt, ny, nx], &[chunk_t, ny, nx]).unwrap();
    let data = LazyArray::from_fn("cube", DType::F32, grid, |_, r: &[Range<usize>]| {
        let shape: Vec<usize> = r.iter().map(|x| x.len()).collect();
        let mut v = Vec::with_capacity(shape.iter().product());
        for t in r[0].clone() {
            for i in r[1].clone() {
                v.extend(r[2].clone().map(|j| series(t) + plane(i, j)));
            }
        }
        Ok(ArrayData::new(
            ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap(),
        ))
    });
    let cal = Calendar::Standard;
    let t0 = cal.to_micros(&CfDatetime::date(1990, 1, 1)).unwrap();
    let times: Vec<i64> = (0..nt as i64).map(|k| t0 + k * DAY).collect();
    let tvar = Variable::new(
        ["time"],
        LazyArray::from_ndarray(
            ArrayD::from_shape_vec(IxDyn(&[nt]), times.clone()).unwrap(),
            &[nt],
        )
        .unwrap(),
    )
    .unwrap()
    .with_encoding(
        [("calendar".to_string(), "standard".into())]
            .into_iter()
            .collect(),
    );
    let mut coords = Coords::new();
    coords.insert("time", tvar).unwrap();
    let var = Variable::new(["time", "lat", "lon"], data).unwrap();
    (
        DataArray::new(Some("x".into()), var, coords).unwrap(),
        times,
    )
}

#[test]
fn climatology_and_anomaly_std_of_4_gib_stay_within_512_mib() {
    let _turn = serial();
    let (nt, ny, nx) = (4096, 512, 512);
    let budget = 512 * MIB;
    let (x, times) = generated(nt, ny, nx, 10);
    assert_eq!(x.data().nbytes(), 4 << 30);

    let g = x.groupby("time.month").unwrap();
    let clim = g.mean().unwrap();
    let anomaly_std = g.sub(&clim).unwrap().std("time", 0).unwrap();

    let compute = Compute::new().threads(2).memory_limit(budget);
    let base = current();
    reset_peak();
    let t0 = Instant::now();
    let out = DataArray::compute_many(&[&clim, &anomaly_std], &compute).unwrap();
    let seconds = t0.elapsed().as_secs_f64();
    let growth = peak().saturating_sub(base);
    eprintln!(
        "4 GiB monthly climatology + anomaly std, 2 threads, budget 512 MiB: peak heap growth \
         {:.1} MiB, {seconds:.2} s",
        growth as f64 / MIB as f64
    );

    // The closed form, from the time series alone.
    let months: Vec<usize> = times
        .iter()
        .map(|&t| Component::Month.of(Calendar::Standard, t).unwrap() as usize - 1)
        .collect();
    let (mut sum, mut n) = ([0f64; 12], [0f64; 12]);
    for (t, &m) in months.iter().enumerate() {
        sum[m] += series(t) as f64;
        n[m] += 1.0;
    }
    let mean: Vec<f64> = (0..12).map(|m| sum[m] / n[m]).collect();
    let dev: Vec<f64> = (0..nt)
        .map(|t| series(t) as f64 - mean[months[t]])
        .collect();
    let dmean = dev.iter().sum::<f64>() / nt as f64;
    let want_std = (dev.iter().map(|d| (d - dmean).powi(2)).sum::<f64>() / nt as f64).sqrt();

    let c = out[0].to_f64_vec();
    assert_eq!(out[0].shape(), &[12, ny, nx]);
    for (k, &v) in c.iter().enumerate().step_by(9973) {
        let (m, i, j) = (k / (ny * nx), (k / nx) % ny, k % nx);
        let want = mean[m] + plane(i, j) as f64;
        assert!(
            (v - want).abs() <= 1e-5 * want.abs().max(1.0),
            "clim[{m},{i},{j}] = {v}, want {want}"
        );
    }
    let s = out[1].to_f64_vec();
    assert_eq!(out[1].shape(), &[ny, nx]);
    for (k, &v) in s.iter().enumerate().step_by(997) {
        assert!(
            (v - want_std).abs() <= 1e-4 * want_std,
            "std at {k} = {v}, want {want_std}"
        );
    }
    assert!(
        growth <= budget,
        "peak heap growth {:.1} MiB exceeds the 512 MiB budget",
        growth as f64 / MIB as f64
    );
}
