//! Grouped-reduction benchmark: the monthly climatology plus the std of the
//! anomalies (`x.groupby("time.month") - clim`, then `.std("time")`) over a
//! generated 1000 × 360 × 360 float32 array (518 MB, daily, chunks of 10 days),
//! against one bare pass (a sum over time) of the same generated data: the kernels
//! alone, since generating is nearly free. The target (at most 2x a bare read) is
//! measured on a store by `benches/groupby_zarr.rs`; BENCHMARKS.md has both.
//!
//! Run: `cargo bench --bench groupby` (set `TESSERA_BENCH_THREADS` to pin the pool).

mod common;

use std::hint::black_box;
use std::ops::Range;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{ArrayD, IxDyn};
use tessera::engine::{ArrayData, ChunkGrid, DType, LazyArray};
use tessera::labelled::{Coords, DataArray, Variable};
use tessera::time::{Calendar, CfDatetime};

const DAY: i64 = 86_400_000_000;
const SHAPE: [usize; 3] = [1000, 360, 360];

/// `x[t, i, j] = (7t mod 11) + ((i ^ j) & 3) / 4`, generated per 10-day chunk.
fn generated() -> DataArray {
    let [nt, ny, nx] = SHAPE;
    let grid = ChunkGrid::regular(&SHAPE, &[10, ny, nx]).expect("grid");
    let data = LazyArray::from_fn("cube", DType::F32, grid, |_, r: &[Range<usize>]| {
        let shape: Vec<usize> = r.iter().map(|x| x.len()).collect();
        let mut v = Vec::with_capacity(shape.iter().product());
        for t in r[0].clone() {
            for i in r[1].clone() {
                v.extend(
                    r[2].clone()
                        .map(|j| ((t * 7) % 11) as f32 + ((i ^ j) & 3) as f32 * 0.25),
                );
            }
        }
        Ok(ArrayData::new(
            ArrayD::from_shape_vec(IxDyn(&shape), v).expect("shape"),
        ))
    });
    let t0 = Calendar::Standard
        .to_micros(&CfDatetime::date(1990, 1, 1))
        .expect("date");
    let times: Vec<i64> = (0..nt as i64).map(|k| t0 + k * DAY).collect();
    let tvar = Variable::new(
        ["time"],
        LazyArray::from_ndarray(
            ArrayD::from_shape_vec(IxDyn(&[nt]), times).expect("shape"),
            &[nt],
        )
        .expect("time"),
    )
    .expect("time variable")
    .with_encoding(
        [("calendar".to_string(), "standard".into())]
            .into_iter()
            .collect(),
    );
    let mut coords = Coords::new();
    coords.insert("time", tvar).expect("time coordinate");
    let var = Variable::new(["time", "lat", "lon"], data).expect("variable");
    DataArray::new(Some("x".into()), var, coords).expect("array")
}

fn climatology_vs_bare_pass(c: &mut Criterion) {
    let x = generated();
    let bytes = x.data().nbytes() as u64;
    let g = x.groupby("time.month").expect("groupby");
    let clim = g.mean().expect("climatology");
    let anomaly_std = g.sub(&clim).expect("anomaly").std("time", 0).expect("std");
    let bare = x.sum("time").expect("sum");
    let run = common::compute();

    let mut group = c.benchmark_group("groupby_518mb");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Bytes(bytes));
    group.bench_function("bare_sum_over_time", |b| {
        b.iter(|| black_box(DataArray::compute_many(&[&bare], &run).expect("sum")))
    });
    group.bench_function("climatology_plus_anomaly_std", |b| {
        b.iter(|| {
            black_box(DataArray::compute_many(&[&clim, &anomaly_std], &run).expect("anomaly std"))
        })
    });
    let one_read = g.anomaly_std(0).expect("one-read anomaly std");
    group.bench_function("climatology_plus_anomaly_std_one_read", |b| {
        b.iter(|| {
            black_box(DataArray::compute_many(&[&clim, &one_read], &run).expect("anomaly std"))
        })
    });
    group.finish();
}

criterion_group!(benches, climatology_vs_bare_pass);
criterion_main!(benches);
