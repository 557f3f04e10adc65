//! Functions of a chunk and a halo of its neighbours along one axis (dask's
//! `map_overlap`), and the rolling-window reductions built on it.

use std::ops::Range;
use std::sync::Arc;

use super::window_grid::{cores, merged_grid};
use super::window_kernel::{Window, rolling_block};
use crate::engine::graph::Op;
use crate::engine::{ArrayData, DType, LazyArray};
use crate::{Error, Result};

/// A rolling-window statistic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RollingKind {
    /// Sum of the valid values.
    Sum,
    /// Mean of the valid values.
    Mean,
    /// Number of valid values (NaN where fewer than `min_periods`, as in xarray).
    Count,
    /// Variance of the valid values with `ddof`.
    Var(usize),
    /// Standard deviation of the valid values with `ddof`.
    Std(usize),
    /// Smallest valid value.
    Min,
    /// Largest valid value.
    Max,
}

impl LazyArray {
    /// Applies `f` to each chunk extended by up to `before`/`after` elements of its
    /// neighbours along `axis` (fewer at the array's ends); `f` gets the extended block
    /// and the range of the chunk's own positions inside it, and returns a block of
    /// the chunk's shape and `dtype`.
    pub fn map_overlap(
        &self,
        axis: usize,
        before: usize,
        after: usize,
        name: impl Into<String>,
        dtype: DType,
        f: impl Fn(&ArrayData, Range<usize>) -> Result<ArrayData> + Send + Sync + 'static,
    ) -> Result<LazyArray> {
        self.map_overlap_at(axis, before, after, name, dtype, move |block, inner, _| {
            f(block, inner)
        })
    }

    /// Like [`map_overlap`](Self::map_overlap), and `f` also gets the position along
    /// `axis` of the extended block's first element, for functions that depend on
    /// where they are (a coordinate's spacing, the array's ends).
    pub fn map_overlap_at(
        &self,
        axis: usize,
        before: usize,
        after: usize,
        name: impl Into<String>,
        dtype: DType,
        f: impl Fn(&ArrayData, Range<usize>, usize) -> Result<ArrayData> + Send + Sync + 'static,
    ) -> Result<LazyArray> {
        self.overlap_on(self.chunks().clone(), axis, before, after, name, dtype, f)
    }

    /// The overlap node of [`map_overlap_at`](Self::map_overlap_at) with the output
    /// chunks `grid` (of this array's shape): each output chunk reads its positions and
    /// the halo, whatever the input's chunks are.
    #[allow(clippy::too_many_arguments)]
    fn overlap_on(
        &self,
        grid: crate::engine::ChunkGrid,
        axis: usize,
        before: usize,
        after: usize,
        name: impl Into<String>,
        dtype: DType,
        f: impl Fn(&ArrayData, Range<usize>, usize) -> Result<ArrayData> + Send + Sync + 'static,
    ) -> Result<LazyArray> {
        if axis >= self.ndim() {
            return Err(Error::AxisOutOfRange {
                axis: axis as isize,
                ndim: self.ndim(),
            });
        }
        let name = name.into();
        let checked = name.clone();
        let f = move |block: &ArrayData, inner: Range<usize>, start: usize| -> Result<ArrayData> {
            let mut want = block.shape().to_vec();
            want[axis] = inner.len();
            let out = f(block, inner, start)?;
            super::create::checked_block(&format!("map_overlap {checked}"), out, &want, dtype)
        };
        Ok(LazyArray::from_parts(
            Op::Overlap {
                name,
                axis,
                before,
                after,
                f: Arc::new(f),
            },
            vec![self.clone()],
            self.shape().to_vec(),
            dtype,
            grid,
        ))
    }

    /// Rolling-window statistic along `axis` over windows of `window` positions, NaN
    /// skipped; a window with fewer than `min_periods` valid values gives NaN. A
    /// trailing window ends at its position; a centred one covers
    /// `[i - window/2, i + (window-1)/2]`, as pandas and xarray place it.
    ///
    /// The work per element does not grow with the window (running sums; van
    /// Herk/Gil-Werman for the extremes). The output's chunks along `axis` are the
    /// input's, merged where they are short next to the window, so that the halo each
    /// chunk reads again from its neighbours stays a small part of what it reads.
    pub fn rolling(
        &self,
        axis: usize,
        window: usize,
        center: bool,
        min_periods: usize,
        kind: RollingKind,
    ) -> Result<LazyArray> {
        if window == 0 {
            return Err(Error::invalid(
                "a rolling window needs at least one position",
            ));
        }
        let (before, after) = if center {
            (window / 2, (window - 1) / 2)
        } else {
            (window - 1, 0)
        };
        let out = match self.dtype() {
            DType::F32 => DType::F32,
            _ => DType::F64,
        };
        if axis >= self.ndim() {
            return Err(Error::AxisOutOfRange {
                axis: axis as isize,
                ndim: self.ndim(),
            });
        }
        let w = Window {
            before,
            after,
            min_periods: min_periods.max(1),
            kind,
        };
        let grid = merged_grid(self.chunks(), axis, before + after, out.size(), cores());
        self.overlap_on(
            grid,
            axis,
            before,
            after,
            format!("rolling {kind:?}"),
            out,
            move |block, inner, _| rolling_block(block, axis, inner, &w),
        )
    }
}
