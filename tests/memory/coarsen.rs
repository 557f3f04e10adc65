//! Coarsening a generated 512 MiB (y, x) float32 field by 8x8 windows that follow its
//! 1024x1024 chunks under a 32 MiB budget: each block reduces into a partial of its
//! own windows (not one partial for the whole output per worker), so the heap, as a
//! counting allocator sees it, stays within the budget, output included.
//!
//! Run with `--nocapture` to see the peak and the time.

use std::ops::Range;
use std::time::Instant;

use crate::support::counting_alloc::{MIB, current, peak, reset_peak, serial};
use ndarray::{ArrayD, IxDyn};
use tessera::engine::{ArrayData, ChunkGrid, Compute, DType, LazyArray};
use tessera::labelled::DataArray;

/// `x[i, j] = i / 8 + j % 8`: every aligned 8x8 window has mean `i / 8 + 3.5`.
fn value(i: usize, j: usize) -> f32 {
    (i / 8) as f32 + (j % 8) as f32
}

#[test]
fn aligned_windows_of_512_mib_coarsen_within_32_mib() {
    let _turn = serial();
    let (ny, nx) = (16384, 8192);
    let grid = ChunkGrid::regular(&[ny, nx], &[1024, 1024]).unwrap();
    let data = LazyArray::from_fn("field", DType::F32, grid, |_, r: &[Range<usize>]| {
        let shape: Vec<usize> = r.iter().map(|x| x.len()).collect();
        let mut v = Vec::with_capacity(shape.iter().product());
        for i in r[0].clone() {
            v.extend(r[1].clone().map(|j| value(i, j)));
        }
        Ok(ArrayData::new(
            ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap(),
        ))
    });
    let x = DataArray::from_lazy("x", ["y", "x"], data).unwrap();
    assert_eq!(x.data().nbytes(), 512 << 20);
    let m = x.coarsen(&[("y", 8), ("x", 8)]).unwrap().mean().unwrap();
    assert_eq!(m.data().chunks().axis_chunks(0), &[128; 16]);

    let budget = 32 * MIB;
    let compute = Compute::new().threads(2).memory_limit(budget);
    let base = current();
    reset_peak();
    let t0 = Instant::now();
    let out = m.compute_with(&compute).unwrap();
    let seconds = t0.elapsed().as_secs_f64();
    let growth = peak().saturating_sub(base);
    eprintln!(
        "512 MiB coarsened 8x8, 2 threads, budget 32 MiB: peak heap growth {:.1} MiB, \
         {seconds:.2} s",
        growth as f64 / MIB as f64
    );

    assert_eq!(out.shape(), &[ny / 8, nx / 8]);
    let got = out.to_f64_vec();
    for (k, &v) in got.iter().enumerate().step_by(997) {
        let want = (k / (nx / 8)) as f64 + 3.5;
        assert_eq!(v, want, "window {k}");
    }
    assert!(
        growth <= budget,
        "peak heap growth {:.1} MiB exceeds the 32 MiB budget",
        growth as f64 / MIB as f64
    );
}
