//! What the benches share: the thread count they are pinned to, and the floor every
//! Zarr reader is measured against (zarrs alone reading and decoding every chunk).

#![allow(dead_code)] // each bench uses part of this

use tessera::engine::Compute;

/// Every tessera pass allocates a buffer per chunk it reads; glibc's malloc maps and
/// unmaps buffers this large for each one, and the page faults cost more than the
/// decoding (a 518 MB Zarr read: 0.96 s of CPU under glibc, 0.35 s under mimalloc).
/// The library leaves the allocator to the application; these binaries pick mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The read benches' dataset: one float32 variable `x` on (time, y, x) of `shape`
/// and chunks `chunk`, a smooth field plus a 17-periodic ramp (compressible as real
/// fields are), generated chunk by chunk; `decimals` rounds it (packed products hold
/// two), `None` keeps full precision.
pub(crate) fn bench_dataset(
    shape: &[usize; 3],
    chunk: &[usize; 3],
    decimals: Option<i32>,
) -> tessera::labelled::Dataset {
    use ndarray::{ArrayD, IxDyn};
    use tessera::engine::{ArrayData, ChunkGrid, DType, LazyArray};

    let grid = ChunkGrid::regular(shape, chunk).expect("valid grid");
    let scale = decimals.map(|d| 10f32.powi(d));
    let x = LazyArray::from_fn("bench", DType::F32, grid, move |_, region| {
        let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
        Ok(ArrayData::new(ArrayD::from_shape_fn(IxDyn(&shape), |i| {
            let (t, y, x) = (
                i[0] + region[0].start,
                i[1] + region[1].start,
                i[2] + region[2].start,
            );
            let v =
                ((t as f32) * 0.01).sin() * 10.0 + (y as f32 * 0.05).cos() + (x % 17) as f32 * 0.25;
            match scale {
                Some(s) => (v * s).round() / s,
                None => v,
            }
        })))
    });
    let mut ds = tessera::labelled::Dataset::new();
    ds.insert(
        "x",
        tessera::labelled::Variable::new(["time", "y", "x"], x).expect("dims"),
    )
    .expect("insert");
    ds
}

/// `TESSERA_BENCH_THREADS`, if set: the size of both tessera's and rayon's pools.
pub(crate) fn threads() -> Option<usize> {
    std::env::var("TESSERA_BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// A `Compute` on `threads()` threads (all cores if unset).
pub(crate) fn compute() -> Compute {
    match threads() {
        Some(n) => Compute::new().threads(n),
        None => Compute::new(),
    }
}

/// Pins rayon's global pool (used by the bare zarrs read) to `threads()`.
pub(crate) fn pin_global_pool() {
    if let Some(n) = threads() {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
}

/// One bare read: zarrs alone reads and decodes every chunk of the f32 array `name` of
/// the store at `path` on rayon (codec concurrency 1, as tessera runs it) and sums it.
#[cfg(feature = "zarr")]
pub(crate) fn bare_zarrs_sum(path: &std::path::Path, name: &str) -> f64 {
    use std::sync::Arc;

    use rayon::prelude::*;
    use zarrs::array::{Array, CodecOptions};
    use zarrs::filesystem::FilesystemStore;

    let store = Arc::new(FilesystemStore::new(path).expect("store"));
    let array = Array::open(store, &format!("/{name}")).expect("array");
    let opts = CodecOptions::default().with_concurrent_target(1);
    let grid: Vec<u64> = array.chunk_grid_shape().to_vec();
    let n: u64 = grid.iter().product();
    (0..n)
        .into_par_iter()
        .map(|c| {
            let mut idx = vec![0u64; grid.len()];
            let mut rest = c;
            for (i, g) in idx.iter_mut().zip(&grid).rev() {
                *i = rest % g;
                rest /= g;
            }
            let v: Vec<f32> = array.retrieve_chunk_opt(&idx, &opts).expect("chunk");
            v.iter().map(|&x| x as f64).sum::<f64>()
        })
        .sum()
}

/// The bench store `target/<dir>/<name>.zarr` (Zarr v3, zstd level 1), written from
/// `make()` unless a complete one (consolidated metadata is written last) exists.
#[cfg(feature = "zarr")]
pub(crate) fn store_once(
    dir: &str,
    name: &str,
    make: impl FnOnce() -> tessera::labelled::Dataset,
) -> std::path::PathBuf {
    use tessera::io::{Compressor, WriteMode, WriteOptions};

    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(dir)
        .join(format!("{name}.zarr"));
    let done = std::fs::read_to_string(path.join("zarr.json"))
        .is_ok_and(|t| t.contains("consolidated_metadata"));
    if done {
        return path;
    }
    let start = std::time::Instant::now();
    make()
        .to_zarr(
            path.to_str().expect("utf-8 path"),
            &WriteOptions {
                mode: WriteMode::Overwrite,
                compressor: Compressor::Zstd(1),
                ..WriteOptions::default()
            },
        )
        .expect("writing the bench store");
    println!("wrote {} in {:?}", path.display(), start.elapsed());
    path
}
