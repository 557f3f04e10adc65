//! Interpolating a generated (t, y, x) float32 cube to a 2x finer grid along y and
//! summing the result, under a budget an eighth of the cube: each output chunk reads
//! only the input rows around it (two `take`s), and the sum streams, so the heap, as
//! a counting allocator sees it, stays within the budget.
//!
//! The 4 GiB cube under 512 MiB is `#[ignore]`d (about a minute on two shared cores
//! in a debug build: 56 s, peak heap growth 128 MiB when it was written); the same
//! computation on a 256 MiB cube under 32 MiB runs every time (5 s, 16 MiB).
//! Run with `--nocapture` (and `--ignored`) to see the peaks and times.

use std::ops::Range;
use std::time::Instant;

use crate::support::counting_alloc::{MIB, current, peak, reset_peak, serial};
use ndarray::{ArrayD, IxDyn};
use tessera::engine::{ArrayData, ChunkGrid, Compute, DType, LazyArray};
use tessera::labelled::{DataArray, InterpOptions};

/// `c[t, y, x] = y`: linear interpolation onto `y + 0.5` gives `y + 0.5` exactly.
fn cube(nt: usize, ny: usize, nx: usize, chunk: [usize; 3]) -> DataArray {
    let grid = ChunkGrid::regular(&[nt, ny, nx], &chunk).unwrap();
    let data = LazyArray::from_fn("cube", DType::F32, grid, |_, r: &[Range<usize>]| {
        let shape: Vec<usize> = r.iter().map(|x| x.len()).collect();
        let mut v = Vec::with_capacity(shape.iter().product());
        for _ in r[0].clone() {
            for y in r[1].clone() {
                v.extend(std::iter::repeat_n(y as f32, r[2].len()));
            }
        }
        Ok(ArrayData::new(
            ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap(),
        ))
    });
    DataArray::from_lazy("c", ["t", "y", "x"], data)
        .unwrap()
        .with_coord_values("y", (0..ny).map(|y| y as f64).collect())
        .unwrap()
}

fn interp_finer_within(nt: usize, ny: usize, nx: usize, chunk: [usize; 3], budget_mib: usize) {
    let _turn = serial();
    let c = cube(nt, ny, nx, chunk);
    let targets: Vec<f64> = (0..2 * ny - 1).map(|k| k as f64 / 2.0).collect();
    let fine = c.interp("y", targets, &InterpOptions::linear()).unwrap();
    let total = fine.sum(["t", "y", "x"]).unwrap();
    let budget = budget_mib * MIB;
    let compute = Compute::new().threads(2).memory_limit(budget);
    let base = current();
    reset_peak();
    let t0 = Instant::now();
    let out = total.compute_with(&compute).unwrap().to_f64_vec()[0];
    let seconds = t0.elapsed().as_secs_f64();
    let growth = peak().saturating_sub(base);
    let cube_mib = c.data().nbytes() / MIB;
    eprintln!(
        "interp of a {cube_mib} MiB cube to 2x along y and summed, 2 threads, budget \
         {budget_mib} MiB: peak heap growth {:.1} MiB, {seconds:.1} s",
        growth as f64 / MIB as f64
    );
    // Sum over k of k/2 for k < 2ny-1, for every (t, x).
    let per_column = ((2 * ny - 1) * (2 * ny - 2) / 2) as f64 / 2.0;
    assert_eq!(out, per_column * (nt * nx) as f64);
    assert!(
        growth <= budget,
        "peak heap growth {:.1} MiB exceeds the {budget_mib} MiB budget",
        growth as f64 / MIB as f64
    );
}

#[test]
fn interp_of_256_mib_to_a_finer_grid_within_32_mib() {
    interp_finer_within(64, 1024, 1024, [4, 256, 1024], 32);
}

#[test]
#[ignore = "about a minute on two cores in a debug build; run with --ignored"]
fn interp_of_4_gib_to_a_finer_grid_within_512_mib() {
    interp_finer_within(1024, 1024, 1024, [16, 256, 1024], 512);
}
