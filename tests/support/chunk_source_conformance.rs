//! A conformance suite for [`ChunkSource`] implementations, in the habit of
//! `zarrs_storage::store_test`: [`check`] takes any source and checks the contract the
//! executor relies on. Each source in the crate runs it: `MemorySource` and `FnSource`
//! in the engine tests, the Zarr source (reached through `open_zarr` and
//! `LazyArray::op()`) in the io tests. The netCDF source runs it the same way: open a
//! file written in the test, take each variable's `Op::Source`, call [`check`].
//!
//! The contract, for a source of shape `s` and chunk grid `g = chunks()`:
//!
//! - `g.shape() == s` and `describe()` is not empty;
//! - every chunk of `g` reads with shape `region_shape(chunk)` and dtype `dtype()`,
//!   and holds the same values as that region cut out of a whole-array read;
//! - unaligned regions (spanning chunk boundaries, inside one chunk, single elements,
//!   the last, possibly partial, chunk, the whole array) read, and equal the same cut;
//! - `read_shared(r)` equals `read(r)` (dtype, shape, values; NaN equals NaN);
//! - reads from several threads at once give the same data;
//! - an empty range `k..k` with `k <= s[axis]` is a valid region: the read succeeds
//!   with a zero-length axis and the source's dtype (a source with no axes reads its
//!   one element from the region `[]`);
//! - a reversed range (`start > end`), a range past the end of its axis, and a region
//!   with the wrong number of axes are an `Err` from `read` and `read_shared` alike,
//!   never a panic.
//!
//! These are the rules of the engine's `check_region`, which every source in the crate
//! calls first; a source that does not use it must still follow them.
//!
//! Failures panic with the source's `describe()` and the region, as a test expects.
//! The regions read grow with the number of axes and chunks: run it on test-sized
//! arrays (a few thousand elements, up to a few hundred chunks).

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use tessera::Result;
use tessera::engine::{ArrayData, ChunkSource, region_shape};

/// At most this many unaligned regions are read per source (spread over all
/// combinations of the per-axis ranges).
const MAX_REGIONS: usize = 256;

/// Runs every check on `source`; panics on the first one that fails. Returns the number
/// of regions read.
pub(crate) fn check(source: &dyn ChunkSource) -> usize {
    let name = source.describe();
    assert!(!name.is_empty(), "describe() of {source:?} is empty");
    let shape = source.shape().to_vec();
    let grid = source.chunks();
    assert_eq!(grid.shape(), shape, "{name}: chunk grid and shape disagree");

    let whole_region: Vec<Range<usize>> = shape.iter().map(|&n| 0..n).collect();
    let whole = read_ok(source, &whole_region);
    let mut reads = 1;

    // Every chunk of the grid.
    let chunk_regions: Vec<Vec<Range<usize>>> = (0..grid.n_chunks())
        .map(|c| grid.chunk_region(&grid.unravel(c)))
        .collect();
    for region in &chunk_regions {
        reads += compare(source, &whole, region);
    }

    // Unaligned regions.
    for region in unaligned_regions(source) {
        reads += compare(source, &whole, &region);
    }

    // Empty ranges along each axis, the other axes whole.
    for axis in 0..shape.len() {
        for k in [0, shape[axis] / 2, shape[axis]] {
            let mut region = whole_region.clone();
            region[axis] = k..k;
            reads += compare(source, &whole, &region);
        }
    }

    // Several threads at once.
    let expected: Vec<ArrayData> = chunk_regions
        .iter()
        .map(|r| whole.slice_region(r))
        .collect();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (chunk_regions, expected, name) = (&chunk_regions, &expected, &name);
            scope.spawn(move || {
                // Each thread walks the chunks from a different start.
                let n = chunk_regions.len();
                for i in 0..n {
                    let c = (i + t * n / 4) % n;
                    let got = source.read_shared(&chunk_regions[c]).unwrap_or_else(|e| {
                        panic!(
                            "{name}: concurrent read_shared({:?}): {e}",
                            chunk_regions[c]
                        )
                    });
                    assert!(
                        same(&got, &expected[c]),
                        "{name}: concurrent read_shared({:?}) differs",
                        chunk_regions[c]
                    );
                }
            });
        }
    });
    reads += 4 * chunk_regions.len();

    // Regions that are errors.
    for region in bad_regions(&shape) {
        expect_err(source, &region);
        reads += 2;
    }
    reads
}

/// Reads `region` with `read` and `read_shared`, checks shape and dtype, and compares
/// both with the region cut out of `whole`. Returns the number of reads.
fn compare(source: &dyn ChunkSource, whole: &ArrayData, region: &[Range<usize>]) -> usize {
    let name = source.describe();
    let got = read_ok(source, region);
    let want = whole.slice_region(region);
    assert!(
        same(&got, &want),
        "{name}: read({region:?}) differs from the same region of a whole read:\n got {:?}\nwant {:?}",
        got.to_f64_vec(),
        want.to_f64_vec()
    );
    let shared = guarded(source, region, "read_shared", || source.read_shared(region))
        .unwrap_or_else(|e| panic!("{name}: read_shared({region:?}) failed: {e}"));
    assert!(
        same(&shared, &got),
        "{name}: read_shared({region:?}) differs from read"
    );
    2
}

/// `read(region)`, which must succeed with the region's shape and the source's dtype.
fn read_ok(source: &dyn ChunkSource, region: &[Range<usize>]) -> ArrayData {
    let name = source.describe();
    let got = guarded(source, region, "read", || source.read(region))
        .unwrap_or_else(|e| panic!("{name}: read({region:?}) failed: {e}"));
    assert_eq!(
        got.shape(),
        region_shape(region).as_slice(),
        "{name}: shape of read({region:?})"
    );
    assert_eq!(
        got.dtype(),
        source.dtype(),
        "{name}: dtype of read({region:?})"
    );
    got
}

/// `read` and `read_shared` of `region` must both be errors.
fn expect_err(source: &dyn ChunkSource, region: &[Range<usize>]) {
    let name = source.describe();
    let read = guarded(source, region, "read", || source.read(region));
    assert!(
        read.is_err(),
        "{name}: read({region:?}) succeeded; the region is not inside shape {:?}",
        source.shape()
    );
    let shared = guarded(source, region, "read_shared", || source.read_shared(region));
    assert!(
        shared.is_err(),
        "{name}: read_shared({region:?}) succeeded; the region is not inside shape {:?}",
        source.shape()
    );
}

/// Runs one call, turning a panic into a test failure that names the call.
fn guarded<T>(
    source: &dyn ChunkSource,
    region: &[Range<usize>],
    what: &str,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        panic!(
            "{}: {what}({region:?}) panicked instead of returning a Result",
            source.describe()
        )
    })
}

/// Same dtype, shape and values, NaN equal to NaN.
fn same(a: &ArrayData, b: &ArrayData) -> bool {
    if a.dtype() != b.dtype() || a.shape() != b.shape() {
        return false;
    }
    if a.dtype().is_float() {
        // f32 and f64 convert to f64 exactly.
        let (x, y) = (a.to_f64_vec(), b.to_f64_vec());
        x.iter()
            .zip(&y)
            .all(|(p, q)| p == q || (p.is_nan() && q.is_nan()))
    } else {
        a == b
    }
}

/// Per axis: the whole axis, single elements at both ends and in the middle, a
/// range across the first chunk boundary, a range inside the first chunk that
/// touches neither of its ends, one across all inner boundaries, the first and the
/// last chunk. Combined over the axes, spread to at most [`MAX_REGIONS`] regions.
fn unaligned_regions(source: &dyn ChunkSource) -> Vec<Vec<Range<usize>>> {
    let grid = source.chunks();
    let per_axis: Vec<Vec<Range<usize>>> = source
        .shape()
        .iter()
        .enumerate()
        .map(|(axis, &n)| {
            let offsets = grid.axis_offsets(axis);
            let mut ranges: Vec<Range<usize>> = std::iter::once(0..n).collect();
            if n > 0 {
                ranges.extend([0..1, n - 1..n, n / 2..n / 2 + 1]);
            }
            if n > 2 {
                ranges.push(1..n - 1);
            }
            if offsets.len() > 2 {
                // Two chunks or more: the first boundary is at `b`.
                let b = offsets[1];
                ranges.extend([b - 1..b + 1, 0..b]);
                if b >= 3 {
                    ranges.push(1..b - 1);
                }
                let last = offsets[offsets.len() - 2];
                ranges.extend([last..n, last - 1..n]);
            }
            ranges.sort_by_key(|r| (r.start, r.end));
            ranges.dedup();
            ranges
        })
        .collect();
    let total: usize = per_axis.iter().map(Vec::len).product();
    // Too many combinations to read them all: walk them with a prime stride that does
    // not divide their number, so that every axis still sees each of its ranges.
    let stride = [7919, 7927, 7933]
        .into_iter()
        .find(|p| total % p != 0)
        .expect("three primes do not all divide the count");
    (0..total.min(MAX_REGIONS))
        .map(|i| i * stride % total)
        .map(|mut k| {
            let mut region = vec![0..0; per_axis.len()];
            for (axis, ranges) in per_axis.iter().enumerate().rev() {
                region[axis] = ranges[k % ranges.len()].clone();
                k /= ranges.len();
            }
            region
        })
        .collect()
}

/// Regions that are not inside `shape`: per axis a range past the end, one starting
/// past the end, a reversed one, one ending at `usize::MAX`; plus a region with one
/// axis too many, one too few, and none at all.
#[allow(clippy::reversed_empty_ranges)]
fn bad_regions(shape: &[usize]) -> Vec<Vec<Range<usize>>> {
    let whole: Vec<Range<usize>> = shape.iter().map(|&n| 0..n).collect();
    let mut out = vec![];
    for (axis, &n) in shape.iter().enumerate() {
        let mut bad = vec![0..n + 1, n + 1..n + 2, n + 1..n + 1, 0..usize::MAX];
        if n >= 1 {
            bad.push(n..n - 1);
        }
        if n >= 2 {
            bad.push(2..1);
        }
        for r in bad {
            let mut region = whole.clone();
            region[axis] = r;
            out.push(region);
        }
    }
    let mut more = whole.clone();
    more.push(0..1);
    out.push(more);
    if !shape.is_empty() {
        out.push(whole[..shape.len() - 1].to_vec());
    }
    if shape.len() >= 2 {
        out.push(vec![]);
    }
    out
}
