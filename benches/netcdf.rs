//! netCDF read benchmark (BENCHMARKS.md records the figures): the parallel efficiency
//! the netCDF-C lock leaves. One 256 MiB float32 variable (1024 x 256 x 256, HDF5
//! chunks of 8 x 256 x 256 = 2 MiB), written once by tessera under
//! `target/bench-netcdf/` twice, zlib level 1 with shuffle and uncompressed, and summed
//! through `open_netcdf` on 1 thread and on every core. Every netCDF-C call holds one
//! process-wide lock, and HDF5 inflates a chunk inside the read call, so a compressed
//! read is serial however many threads ask; only the engine's own work (here a sum)
//! runs beside it.
//!
//! Run: `cargo bench --features netcdf --bench netcdf`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use tessera::engine::Compute;
use tessera::io::NetcdfWriteOptions;
use tessera::labelled::Dims;

const SHAPE: [usize; 3] = [1024, 256, 256];
const CHUNK: [usize; 3] = [8, 256, 256];

/// `target/bench-netcdf/<name>.nc`, written unless it exists.
fn file_once(name: &str, zlib: bool) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-netcdf");
    let path = dir.join(format!("{name}.nc"));
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).expect("bench dir");
    // Two decimals, as packed products hold: zlib gets a realistic ratio.
    let ds = common::bench_dataset(&SHAPE, &CHUNK, Some(2));
    let encoding = if zlib {
        json!({"zlib": true, "complevel": 1, "shuffle": true, "chunksizes": CHUNK})
    } else {
        json!({"chunksizes": CHUNK})
    };
    ds.to_netcdf(
        &path,
        &NetcdfWriteOptions::default().encoding("x", encoding),
    )
    .expect("write the bench file");
    path
}

fn sum(path: &Path, compute: &Compute) -> f64 {
    let ds = tessera::open_netcdf(path).expect("open");
    let total = ds.get("x").expect("x").sum(Dims::All).expect("sum");
    total.compute_with(compute).expect("compute").to_f64_vec()[0]
}

fn netcdf_read(c: &mut Criterion) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut group = c.benchmark_group("netcdf_read");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(
        (SHAPE.iter().product::<usize>() * 4) as u64,
    ));
    for (name, zlib) in [("zlib1", true), ("uncompressed", false)] {
        let path = file_once(name, zlib);
        for threads in [1, cores] {
            let compute = Compute::new().threads(threads);
            group.bench_function(format!("{name}_sum_{threads}_threads"), |b| {
                b.iter(|| black_box(sum(&path, &compute)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, netcdf_read);
criterion_main!(benches);
