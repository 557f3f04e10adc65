//! Counts what a computation reads from stores: the bytes read, and the bytes stored in
//! the chunks it touched. Their ratio says how many times the analysis read what it
//! needed: 1 when every stored chunk is read once, 2 when a second pass read it again.
//!
//! Before planning, every store-backed source in the graph is wrapped in a
//! [`CountedSource`] (one wrapper per source, so nodes sharing a source still share
//! it); the plan, its passes and its tasks are unchanged.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::profile::StoreRead;
use crate::Result;
use crate::engine::graph::{LazyArray, Op, transform_roots};
use crate::engine::source::ChunkSource;
use crate::engine::{ArrayData, ChunkGrid, DType, region_shape};

/// The store reads of one computation.
#[derive(Debug, Default)]
pub(super) struct StoreReads {
    sources: Vec<Arc<CountedSource>>,
}

impl StoreReads {
    /// Wraps the store-backed sources of `roots`, returning the graph to plan.
    pub(super) fn wrap(&mut self, roots: &[LazyArray]) -> Result<Vec<LazyArray>> {
        let mut wrapped: HashMap<usize, Arc<CountedSource>> = HashMap::new();
        let out = transform_roots(roots, &mut |node| {
            let Op::Source(s) = node.op() else {
                return Ok(None);
            };
            if !s.stored() {
                return Ok(None);
            }
            let key = Arc::as_ptr(s) as *const () as usize;
            let counted = wrapped
                .entry(key)
                .or_insert_with(|| Arc::new(CountedSource::new(s.clone())))
                .clone();
            Ok(Some(LazyArray::from_source(counted)))
        })?;
        self.sources.extend(wrapped.into_values());
        Ok(out)
    }

    /// What was read from each store-backed array, in the order of their paths.
    pub(super) fn reads(&self) -> Vec<StoreRead> {
        let mut out: Vec<StoreRead> = self
            .sources
            .iter()
            .map(|s| StoreRead {
                source: s.inner.describe(),
                bytes_read: s.read.load(Ordering::Relaxed),
                bytes_stored: s.touched_bytes(),
            })
            .collect();
        out.sort_by(|a, b| a.source.cmp(&b.source));
        out
    }
}

/// A store-backed source that counts its reads.
#[derive(Debug)]
struct CountedSource {
    inner: Arc<dyn ChunkSource>,
    read: AtomicU64,
    /// One bit per chunk of the source's grid, in row-major order.
    touched: Mutex<Vec<u64>>,
}

impl CountedSource {
    fn new(inner: Arc<dyn ChunkSource>) -> Self {
        let n = inner.chunks().n_chunks();
        CountedSource {
            inner,
            read: AtomicU64::new(0),
            touched: Mutex::new(vec![0; n.div_ceil(64)]),
        }
    }

    fn count(&self, region: &[Range<usize>]) {
        let elements: usize = region_shape(region).iter().product();
        let bytes = elements * self.inner.dtype().size();
        self.read.fetch_add(bytes as u64, Ordering::Relaxed);
        if elements == 0 {
            return;
        }
        let grid = self.inner.chunks();
        let spans: Vec<Range<usize>> = region
            .iter()
            .enumerate()
            .map(|(axis, r)| grid.chunks_overlapping(axis, r))
            .collect();
        let mut touched = self.touched.lock().unwrap_or_else(|e| e.into_inner());
        for_each_index(&spans, |index| {
            let linear = grid.ravel(index);
            if let Some(word) = touched.get_mut(linear / 64) {
                *word |= 1 << (linear % 64);
            }
        });
    }

    fn touched_bytes(&self) -> u64 {
        let grid = self.inner.chunks();
        let touched = self.touched.lock().unwrap_or_else(|e| e.into_inner());
        let elements: usize = (0..grid.n_chunks())
            .filter(|&linear| touched[linear / 64] & (1 << (linear % 64)) != 0)
            .map(|linear| {
                region_shape(&grid.chunk_region(&grid.unravel(linear)))
                    .iter()
                    .product::<usize>()
            })
            .sum();
        (elements * self.inner.dtype().size()) as u64
    }
}

/// Calls `f` with every index of the box `spans`, row-major.
fn for_each_index(spans: &[Range<usize>], mut f: impl FnMut(&[usize])) {
    if spans.iter().any(|s| s.is_empty()) {
        return;
    }
    let mut index: Vec<usize> = spans.iter().map(|s| s.start).collect();
    loop {
        f(&index);
        let mut axis = spans.len();
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            index[axis] += 1;
            if index[axis] < spans[axis].end {
                break;
            }
            index[axis] = spans[axis].start;
        }
    }
}

impl ChunkSource for CountedSource {
    fn shape(&self) -> &[usize] {
        self.inner.shape()
    }
    fn dtype(&self) -> DType {
        self.inner.dtype()
    }
    fn chunks(&self) -> &ChunkGrid {
        self.inner.chunks()
    }
    fn read(&self, region: &[Range<usize>]) -> Result<ArrayData> {
        let data = self.inner.read(region)?;
        self.count(region);
        Ok(data)
    }
    fn read_shared(&self, region: &[Range<usize>]) -> Result<Arc<ArrayData>> {
        let data = self.inner.read_shared(region)?;
        self.count(region);
        Ok(data)
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn stored(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use std::ops::Range;
    use std::sync::Arc;

    use ndarray::{ArrayD, IxDyn};

    use crate::Result;
    use crate::engine::source::{ChunkSource, MemorySource};
    use crate::engine::{ArrayData, ChunkGrid, Compute, DType, LazyArray};

    /// In-memory data that calls itself a store.
    #[derive(Debug)]
    struct FakeStore(MemorySource);

    impl ChunkSource for FakeStore {
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
        fn describe(&self) -> String {
            "fake.zarr/x".into()
        }
        fn stored(&self) -> bool {
            true
        }
    }

    /// A 40 x 6 float64 store in 4 x 3 chunks (20 chunks of 96 bytes).
    fn store() -> LazyArray {
        let a = ArrayD::from_shape_fn(IxDyn(&[40, 6]), |i| (i[0] * 6 + i[1]) as f64);
        let grid = ChunkGrid::regular(&[40, 6], &[4, 3]).unwrap();
        let src = MemorySource::new(ArrayData::new(a), grid).unwrap();
        LazyArray::from_source(Arc::new(FakeStore(src)))
    }

    fn profile_of(outputs: &[&LazyArray], limit: usize) -> crate::engine::Profile {
        let c = Compute::new()
            .threads(2)
            .memory_limit(limit)
            .record_profile();
        c.run(outputs).unwrap();
        c.last_profile().unwrap()
    }

    #[test]
    fn one_pass_reads_each_chunk_once() {
        let x = store();
        let p = profile_of(&[&x.sum(&[0]).unwrap(), &x.max(&[1]).unwrap()], 1 << 30);
        assert_eq!(p.store_reads.len(), 1);
        assert_eq!(p.store_reads[0].source, "fake.zarr/x");
        assert_eq!(p.store_bytes_stored(), 40 * 6 * 8);
        assert_eq!(p.read_ratio(), Some(1.0));
    }

    #[test]
    fn anomalies_read_twice_and_slices_count_only_their_chunks() {
        let x = store();
        // The mean is needed before the anomalies can be summed: two passes.
        let anomaly = x.sub(&x.mean(&[0]).unwrap()).unwrap().sum(&[0]).unwrap();
        let p = profile_of(&[&anomaly], 1 << 30);
        assert_eq!(p.read_ratio(), Some(2.0));
        assert!(p.to_html().contains("fake.zarr/x was read 2.00 times over"));
        // Rows 2..5 lie in the first two row chunks of 4: 2 x 2 chunks are touched.
        let part = x.slice_ranges(&[2..5, 0..6]).unwrap().sum(&[0, 1]).unwrap();
        let p = profile_of(&[&part], 1 << 30);
        assert_eq!(p.store_bytes_stored(), 2 * 2 * 4 * 3 * 8);
        assert_eq!(p.store_bytes_read(), 3 * 6 * 8);
        assert!(!p.to_html().contains("times over"));
    }

    #[test]
    fn memory_and_generated_arrays_are_not_store_reads() {
        let a = ArrayD::from_shape_fn(IxDyn(&[8]), |i| i[0] as f64);
        let x = LazyArray::from_ndarray(a, &[4]).unwrap();
        let p = profile_of(&[&x.sum(&[0]).unwrap()], 1 << 30);
        assert!(p.store_reads.is_empty());
        assert_eq!(p.read_ratio(), None);
    }
}
