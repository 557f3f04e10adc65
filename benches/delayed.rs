//! Delayed tasks: the cost of building and running many trivial tasks (a task that
//! returns its index, all gathered by one task), which should grow linearly with
//! their number and stay near a microsecond a task.
//!
//! `cargo bench --bench delayed`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tessera::Compute;
use tessera::delayed::{Delayed, delayed};

fn trivial_tasks(c: &mut Criterion) {
    let mut group = c.benchmark_group("delayed");
    group.sample_size(10);
    for threads in [1, 2] {
        let compute = Compute::new().threads(threads);
        for n in [10_000usize, 100_000] {
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(
                BenchmarkId::new(format!("{threads} threads"), n),
                &n,
                |b, &n| {
                    b.iter(|| {
                        let tasks: Vec<Delayed<usize>> =
                            (0..n).map(|k| delayed(move || k)).collect();
                        Delayed::combine(&tasks, |ks| ks.iter().copied().sum::<usize>())
                            .compute_with(&compute)
                            .unwrap()
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, trivial_tasks);
criterion_main!(benches);
