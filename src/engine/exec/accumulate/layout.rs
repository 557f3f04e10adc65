//! Where each element of an input block lands in its output chunk's accumulator.

use std::sync::Arc;

use super::partial::Acc;
use crate::engine::dtype::Element;
use crate::engine::reduce_spec::{AxisRole, ReduceSpec};

#[derive(Clone, Debug)]
enum AxisMap {
    Keep {
        stride: usize,
    },
    Reduce {
        start: usize,
    },
    Group {
        stride: usize,
        labels: Arc<Vec<i64>>,
        start: usize,
        /// The first group the partial holds (it holds one output chunk's groups).
        first: i64,
    },
}

/// Where the elements of one input block go in its output chunk's accumulator.
#[derive(Clone, Debug)]
pub(crate) struct BlockLayout {
    shape: Vec<usize>,
    maps: Vec<AxisMap>,
    base: usize,
}

impl BlockLayout {
    /// The layout of block `region` (in the reduction's input) feeding a partial that
    /// covers `outer` along the kept axes, and along grouped axes the groups of the
    /// output chunks that the input positions `outer` feed.
    pub(crate) fn within(
        spec: &ReduceSpec,
        region: &[std::ops::Range<usize>],
        outer: &[std::ops::Range<usize>],
    ) -> Self {
        let shape: Vec<usize> = region.iter().map(|r| r.end - r.start).collect();
        let cells: Vec<std::ops::Range<usize>> = spec
            .roles
            .iter()
            .zip(outer)
            .enumerate()
            .map(|(axis, (r, o))| match r {
                AxisRole::Group { .. } => spec.group_cells(axis, o),
                _ => 0..o.len(),
            })
            .collect();
        // Accumulator axes are the kept and grouped axes, in order, C-contiguous.
        let acc_len: Vec<usize> = spec
            .roles
            .iter()
            .zip(&cells)
            .filter_map(|(r, c)| match r {
                AxisRole::Reduce => None,
                _ => Some(c.len()),
            })
            .collect();
        let mut acc_strides = vec![1usize; acc_len.len()];
        for i in (0..acc_len.len().saturating_sub(1)).rev() {
            acc_strides[i] = acc_strides[i + 1] * acc_len[i + 1];
        }
        let mut k = 0;
        let mut base = 0;
        let maps = spec
            .roles
            .iter()
            .zip(region.iter().zip(outer).zip(&cells))
            .map(|(r, ((reg, out), cell))| match r {
                AxisRole::Keep => {
                    k += 1;
                    base += (reg.start - out.start) * acc_strides[k - 1];
                    AxisMap::Keep {
                        stride: acc_strides[k - 1],
                    }
                }
                AxisRole::Reduce => AxisMap::Reduce { start: reg.start },
                AxisRole::Group { labels, .. } => {
                    k += 1;
                    AxisMap::Group {
                        stride: acc_strides[k - 1],
                        labels: labels.clone(),
                        start: reg.start,
                        first: cell.start as i64,
                    }
                }
            })
            .collect();
        BlockLayout { shape, maps, base }
    }

    /// Number of elements in the block.
    pub(crate) fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The block's shape.
    pub(crate) fn shape(&self) -> &[usize] {
        &self.shape
    }
}

/// The position of the walk through one block; feed tiles in order.
pub(crate) struct Walker<'l> {
    layout: &'l BlockLayout,
    idx: Vec<usize>,
    row: Option<(Option<usize>, usize)>,
}

impl<'l> Walker<'l> {
    /// Starts at the first element of the block.
    pub(crate) fn new(layout: &'l BlockLayout) -> Self {
        Walker {
            layout,
            idx: vec![0; layout.shape.len()],
            row: None,
        }
    }

    /// (cell base of the current row or None if its group label is negative, position
    /// along the reduced axis if that axis is an outer one).
    fn row_base(&self) -> (Option<usize>, usize) {
        let n = self.idx.len();
        let mut base = self.layout.base;
        let mut pos = 0usize;
        for (axis, map) in self.layout.maps[..n - 1].iter().enumerate() {
            let i = self.idx[axis];
            match map {
                AxisMap::Keep { stride } => base += i * stride,
                AxisMap::Reduce { start } => pos = start + i,
                AxisMap::Group {
                    stride,
                    labels,
                    start,
                    first,
                } => {
                    pos = start + i;
                    let l = labels[pos];
                    if l < 0 {
                        return (None, pos);
                    }
                    base += (l - first) as usize * stride;
                }
            }
        }
        (Some(base), pos)
    }

    pub(super) fn feed<T: Element, A: Acc<T>>(&mut self, vals: &[T], acc: &mut A) {
        let n = self.idx.len();
        if n == 0 {
            if !vals.is_empty() {
                acc.same(self.layout.base, vals, 0);
            }
            return;
        }
        let last = n - 1;
        let last_len = self.layout.shape[last];
        let mut t = 0;
        while t < vals.len() {
            let (base, pos) = match self.row {
                Some(r) => r,
                None => {
                    let r = self.row_base();
                    self.row = Some(r);
                    r
                }
            };
            let i0 = self.idx[last];
            let k = (last_len - i0).min(vals.len() - t);
            let v = &vals[t..t + k];
            if let Some(base) = base {
                match &self.layout.maps[last] {
                    AxisMap::Keep { stride } => {
                        if *stride == 1 {
                            acc.consecutive(base + i0, v, pos)
                        } else {
                            for (j, &x) in v.iter().enumerate() {
                                acc.one(base + (i0 + j) * stride, x, pos);
                            }
                        }
                    }
                    AxisMap::Reduce { start } => acc.same(base, v, start + i0),
                    AxisMap::Group {
                        stride,
                        labels,
                        start,
                        first,
                    } => {
                        let p0 = start + i0;
                        let labs = &labels[p0..p0 + k];
                        for (j, (&x, &l)) in v.iter().zip(labs).enumerate() {
                            if l >= 0 {
                                acc.one(base + (l - first) as usize * stride, x, p0 + j);
                            }
                        }
                    }
                }
            }
            t += k;
            self.idx[last] += k;
            if self.idx[last] == last_len {
                self.idx[last] = 0;
                self.row = None;
                for axis in (0..last).rev() {
                    self.idx[axis] += 1;
                    if self.idx[axis] < self.layout.shape[axis] {
                        break;
                    }
                    self.idx[axis] = 0;
                }
            }
        }
    }
}
