//! The [`ChunkSource`] conformance suite on the engine's own sources: in-memory arrays
//! ([`MemorySource`]) and generators ([`FnSource`]), every dtype, on grids with an
//! uneven last chunk, irregular chunks, a zero-length axis, length-1 axes, one chunk,
//! and no axes at all. And the suite itself: a source that breaks the contract fails it.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};
use tessera::Result;
use tessera::engine::{ArrayData, ChunkGrid, ChunkSource, DType, FnSource, MemorySource};

use crate::support::chunk_source_conformance::check;

/// Shapes and chunkings covering the edge cases of a grid.
fn grids() -> Vec<ChunkGrid> {
    vec![
        ChunkGrid::regular(&[], &[]).unwrap(),
        ChunkGrid::regular(&[7], &[3]).unwrap(),
        ChunkGrid::regular(&[1], &[1]).unwrap(),
        ChunkGrid::regular(&[0], &[2]).unwrap(),
        ChunkGrid::regular(&[6, 5], &[6, 5]).unwrap(),
        ChunkGrid::new(vec![vec![2, 3], vec![1, 4, 1]]).unwrap(),
        ChunkGrid::regular(&[4, 0, 3], &[3, 1, 2]).unwrap(),
        ChunkGrid::regular(&[3, 4, 5], &[2, 4, 2]).unwrap(),
        ChunkGrid::new(vec![vec![1], vec![2, 2, 1], vec![1, 1]]).unwrap(),
    ]
}

/// The value at a global C-order position: distinct for neighbours in every dtype
/// (modulo the dtype's range), a NaN now and then for floats.
fn value(dtype: DType, linear: usize) -> f64 {
    if dtype.is_float() && linear % 5 == 3 {
        f64::NAN
    } else if dtype == DType::Bool {
        (linear % 3 == 1) as u8 as f64
    } else {
        (linear % 97) as f64 + if dtype.is_float() { 0.25 } else { 0.0 }
    }
}

/// The region of an array of `shape` filled by [`value`], as `dtype`.
fn fill(dtype: DType, shape: &[usize], region: &[Range<usize>]) -> ArrayData {
    let local: Vec<usize> = region.iter().map(|r| r.len()).collect();
    let a = ArrayD::from_shape_fn(IxDyn(&local), |i| {
        let linear = (0..shape.len()).fold(0, |acc, axis| {
            acc * shape[axis] + region[axis].start + i[axis]
        });
        value(dtype, linear)
    });
    ArrayData::new(a).cast(dtype)
}

fn whole(grid: &ChunkGrid) -> Vec<Range<usize>> {
    grid.shape().iter().map(|&n| 0..n).collect()
}

#[test]
fn memory_sources_conform() {
    let mut reads = 0;
    for grid in grids() {
        for dtype in DType::ALL {
            let data = fill(dtype, &grid.shape(), &whole(&grid));
            let source = MemorySource::new(data, grid.clone()).unwrap();
            reads += check(&source);
        }
    }
    assert!(reads > 10_000, "{reads} reads");
}

#[test]
fn generated_sources_conform() {
    let mut reads = 0;
    for grid in grids() {
        for dtype in DType::ALL {
            let shape = grid.shape();
            let source = FnSource::new(
                format!("generated {dtype} {shape:?}"),
                dtype,
                grid.clone(),
                move |_, region| Ok(fill(dtype, &shape, region)),
            );
            reads += check(&source);
        }
    }
    assert!(reads > 10_000, "{reads} reads");
}

/// A source that clamps regions to its shape instead of refusing them.
#[derive(Debug)]
struct Clamping(MemorySource);

impl ChunkSource for Clamping {
    fn shape(&self) -> &[usize] {
        self.0.shape()
    }
    fn dtype(&self) -> DType {
        self.0.dtype()
    }
    fn chunks(&self) -> &ChunkGrid {
        self.0.chunks()
    }
    fn read(&self, region: &[Range<usize>]) -> Result<ArrayData> {
        let clamped: Vec<Range<usize>> = region
            .iter()
            .zip(self.shape())
            .map(|(r, &n)| r.start.min(n)..r.end.min(n).max(r.start.min(n)))
            .collect();
        self.0.read(&clamped)
    }
    fn describe(&self) -> String {
        "clamping".into()
    }
}

/// A source whose shared reads hand out whole chunks, whatever the region.
#[derive(Debug)]
struct WholeChunks(MemorySource);

impl ChunkSource for WholeChunks {
    fn shape(&self) -> &[usize] {
        self.0.shape()
    }
    fn dtype(&self) -> DType {
        self.0.dtype()
    }
    fn chunks(&self) -> &ChunkGrid {
        self.0.chunks()
    }
    fn read(&self, region: &[Range<usize>]) -> Result<ArrayData> {
        self.0.read(region)
    }
    fn read_shared(&self, region: &[Range<usize>]) -> Result<Arc<ArrayData>> {
        let grid = self.chunks();
        let first: Vec<usize> = region
            .iter()
            .enumerate()
            .map(|(axis, r)| grid.chunk_of(axis, r.start.min(grid.shape()[axis])))
            .collect();
        self.0.read_shared(&grid.chunk_region(&first))
    }
    fn describe(&self) -> String {
        "whole chunks".into()
    }
}

#[test]
fn the_suite_fails_sources_that_break_the_contract() {
    let grid = ChunkGrid::regular(&[7, 4], &[3, 2]).unwrap();
    let memory = || MemorySource::new(fill(DType::I32, &[7, 4], &whole(&grid)), grid.clone());
    let failure = |source: &dyn ChunkSource| {
        let outcome = catch_unwind(AssertUnwindSafe(|| check(source)));
        let payload = outcome.expect_err("the suite passed a broken source");
        payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default()
    };
    let msg = failure(&Clamping(memory().unwrap()));
    assert!(msg.contains("succeeded"), "{msg}");
    let msg = failure(&WholeChunks(memory().unwrap()));
    assert!(msg.contains("read_shared"), "{msg}");
}
