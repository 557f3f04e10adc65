//! Engine benchmarks (BENCHMARKS.md records the figures):
//!
//! - `per_chunk_overhead`: a fused no-op map + sum over 1,000,000 one-element chunks;
//! - `fused_chain_1gib`: a 5-op elementwise chain + sum over 1 GiB of in-memory f32,
//!   against a hand-written single loop;
//! - `generated_sum_4gib`: the sum over axis 0 of a generated 64 × 4096 × 4096 f32
//!   array under a 512 MiB budget, with its peak heap printed;
//! - `numa_overhead`: a 256 MiB reduction and 100,000 one-element chunks, with
//!   `TESSERA_NUMA` modes `off` and `mock:2` (the cost of per-node pools and queues);
//! - `plan_ten_million_chunks`: an anomaly std over a 10^7-chunk array, timed from
//!   `run` until its first chunk is asked for, with the heap that planning took for
//!   10^5, 10^6 and 10^7 chunks printed (it must stay flat in the chunk count).
//!
//! Run: `cargo bench --bench engine` (set `TESSERA_BENCH_THREADS` to pin the pool).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array, ArrayD, IxDyn};
use tessera::engine::{
    ArrayData, BinaryOp, ChunkGrid, Compute, DType, FloatFn, LazyArray, UnaryOp,
};

/// Counts live heap bytes so the 4 GiB case can report its real peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn compute() -> Compute {
    let c = Compute::new();
    match std::env::var("TESSERA_BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => c.threads(n),
        None => c,
    }
}

fn per_chunk_overhead(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let grid = ChunkGrid::regular(&[N], &[1]).expect("valid grid");
    let source = LazyArray::from_fn("ones", DType::F64, grid, |_, region| {
        Ok(ArrayData::new(ArrayD::<f64>::ones(IxDyn(&[
            region[0].len()
        ]))))
    });
    let total = source
        .binary_scalar(BinaryOp::Add, 0.0, false)
        .and_then(|x| x.sum(&[0]))
        .expect("valid plan");
    // The plan is three nodes whatever the chunk count.
    assert_eq!(total.graph_size(), 3);
    let run = compute();
    let mut group = c.benchmark_group("per_chunk_overhead");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(N as u64));
    group.bench_function("noop_map_sum_1M_chunks", |b| {
        b.iter(|| black_box(run.run(&[&total]).expect("computes")))
    });
    group.finish();
}

/// `sqrt(abs(x * 1.5 + 2) - 1) * 0.5`, summed: five elementwise ops, one reduction.
fn chain(x: &LazyArray) -> LazyArray {
    x.binary_scalar(BinaryOp::Mul, 1.5, false)
        .and_then(|y| y.binary_scalar(BinaryOp::Add, 2.0, false))
        .and_then(|y| y.unary(UnaryOp::Abs))
        .and_then(|y| y.binary_scalar(BinaryOp::Sub, 1.0, false))
        .and_then(|y| y.math(FloatFn::Sqrt))
        .and_then(|y| y.binary_scalar(BinaryOp::Mul, 0.5, false))
        .and_then(|y| y.sum(&[0, 1]))
        .expect("valid plan")
}

/// The baseline: the same chain in one loop over the data, split over the same
/// threads, accumulating in f64 as the engine does.
fn hand_loop(data: &[f32]) -> f64 {
    use rayon::prelude::*;
    data.par_chunks(1 << 16)
        .map(|block| {
            block
                .iter()
                .map(|&v| (((v * 1.5 + 2.0).abs() - 1.0).sqrt() * 0.5) as f64)
                .sum::<f64>()
        })
        .sum()
}

fn fused_chain_1gib(c: &mut Criterion) {
    let (rows, cols) = (4096, 65_536); // 1 GiB of f32
    let data = Array::from_shape_fn(IxDyn(&[rows, cols]), |i| {
        ((i[0] * 7 + i[1]) % 1000) as f32 * 1e-3
    });
    let flat: Vec<f32> = data.iter().copied().collect();
    let x = LazyArray::from_ndarray(data, &[256, cols]).expect("valid chunks");
    let plan = chain(&x);
    let run = compute();
    let mut group = c.benchmark_group("fused_chain_1gib");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Bytes((rows * cols * 4) as u64));
    group.bench_function("tessera", |b| {
        b.iter(|| black_box(run.run(&[&plan]).expect("computes")))
    });
    let pool = rayon::ThreadPoolBuilder::new().build().expect("pool");
    group.bench_function("hand_loop", |b| {
        b.iter(|| pool.install(|| black_box(hand_loop(&flat))))
    });
    group.finish();
}

fn generated_sum_4gib(c: &mut Criterion) {
    let shape = [64, 4096, 4096];
    let grid = ChunkGrid::regular(&shape, &[1, 4096, 4096]).expect("valid grid");
    let x = LazyArray::from_fn("generated", DType::F32, grid, |idx, region| {
        let t = idx[0] as f32;
        let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
        Ok(ArrayData::new(Array::from_shape_fn(IxDyn(&shape), |i| {
            t + (i[2] % 16) as f32
        })))
    });
    let total = x.sum(&[0]).expect("valid plan");
    let run = compute().memory_limit(512 << 20);
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut group = c.benchmark_group("generated_sum_4gib");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Bytes(64 * 4096 * 4096 * 4));
    group.bench_function("sum_axis0_budget_512MiB", |b| {
        b.iter(|| black_box(run.run(&[&total]).expect("computes")))
    });
    group.finish();
    let peak = PEAK.load(Ordering::Relaxed) - base;
    println!(
        "generated_sum_4gib: peak heap above baseline {:.1} MiB (budget 512 MiB)",
        peak as f64 / (1 << 20) as f64
    );
}

/// The same reductions with NUMA `off` and `mock:2` (two fake nodes, each with a pool
/// bound to half the CPUs and its own task queue): the executor's NUMA overhead.
fn numa_overhead(c: &mut Criterion) {
    use tessera::engine::numa::NumaMode;
    let shape = [64, 1024, 1024];
    let grid = ChunkGrid::regular(&shape, &[1, 1024, 1024]).expect("valid grid");
    let x = LazyArray::from_fn("generated", DType::F32, grid, |idx, region| {
        let t = idx[0] as f32;
        let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
        Ok(ArrayData::new(Array::from_shape_fn(IxDyn(&shape), |i| {
            t + (i[2] % 16) as f32
        })))
    });
    let big = x.sum(&[0]).expect("valid plan");
    const N: usize = 100_000;
    let grid = ChunkGrid::regular(&[N], &[1]).expect("valid grid");
    let ones = LazyArray::from_fn("ones", DType::F64, grid, |_, region| {
        Ok(ArrayData::new(ArrayD::<f64>::ones(IxDyn(&[
            region[0].len()
        ]))))
    });
    let small = ones.sum(&[0]).expect("valid plan");
    let mut group = c.benchmark_group("numa_overhead");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for mode in [NumaMode::Off, NumaMode::Mock(2)] {
        let run = compute().numa(mode);
        group.bench_function(format!("sum_axis0_256MiB_{mode}"), |b| {
            b.iter(|| black_box(run.run(&[&big]).expect("computes")))
        });
        group.bench_function(format!("sum_100k_chunks_{mode}"), |b| {
            b.iter(|| black_box(run.run(&[&small]).expect("computes")))
        });
    }
    group.finish();
}

/// `(x - x.mean(time)).std(time)` scaled and shifted, over a generated
/// `2n × 200 × 200` f32 array in 2 × 2 × 2 chunks (`n × 10^4` chunks), whose first
/// chunk read stops the computation: what is timed is planning, staging and the start
/// of the first pass, never the data.
fn first_chunk_plan(n: usize) -> LazyArray {
    let grid = ChunkGrid::regular(&[2 * n, 200, 200], &[2, 2, 2]).expect("valid grid");
    let x = LazyArray::from_fn("generated", DType::F32, grid, |_, _| {
        Err(tessera::Error::InvalidArgument(
            "first chunk reached".into(),
        ))
    });
    let anomaly = x
        .binary_scalar(BinaryOp::Mul, 0.5, false)
        .and_then(|y| y.binary_scalar(BinaryOp::Add, 1.0, false))
        .expect("valid plan");
    let mean = anomaly.mean(&[0]).expect("valid plan");
    anomaly
        .sub(&mean)
        .and_then(|d| d.std(&[0], 0))
        .expect("valid plan")
}

/// Runs `plan` to its first chunk read, which must be the error it ends with.
fn to_first_chunk(run: &Compute, plan: &LazyArray) {
    match run.run(&[plan]) {
        Err(e) if e.to_string().contains("first chunk reached") => {}
        other => panic!(
            "expected the first chunk's stop, got {:?}",
            other.map(|_| ())
        ),
    }
}

fn plan_ten_million_chunks(c: &mut Criterion) {
    let run = compute();
    for n in [10, 100, 1000] {
        let plan = first_chunk_plan(n);
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let t = std::time::Instant::now();
        to_first_chunk(&run, &plan);
        println!(
            "plan_ten_million_chunks: {} chunks, first chunk after {:.1} ms, heap above baseline {:.1} KiB",
            n * 10_000,
            t.elapsed().as_secs_f64() * 1e3,
            (PEAK.load(Ordering::Relaxed) - base) as f64 / 1024.0
        );
    }
    let plan = first_chunk_plan(1000);
    let mut group = c.benchmark_group("plan_ten_million_chunks");
    group.sample_size(10);
    group.bench_function("anomaly_std_to_first_chunk", |b| {
        b.iter(|| to_first_chunk(&run, &plan))
    });
    group.finish();
}

criterion_group!(
    benches,
    per_chunk_overhead,
    fused_chain_1gib,
    generated_sum_4gib,
    numa_overhead,
    plan_ten_million_chunks
);
criterion_main!(benches);
