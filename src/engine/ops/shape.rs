//! Operations that move data without computing on it: slicing, take, transpose,
//! unit axes, broadcast, concat/stack and rechunk.

use std::sync::Arc;

use crate::engine::graph::{AxisSlice, LazyArray, Op};
use crate::engine::grid::{ChunkGrid, split_regular};
use crate::engine::ops::elementwise::broadcast_shapes;
use crate::error::ensure;
use crate::{Error, Result};

/// Checks an axis number against a number of dimensions.
pub(crate) fn check_axis(axis: usize, ndim: usize) -> Result<usize> {
    if axis >= ndim {
        return Err(Error::AxisOutOfRange {
            axis: axis as isize,
            ndim,
        });
    }
    Ok(axis)
}

impl AxisSlice {
    /// Python slice semantics (`start:stop:step`, negative values count from the end)
    /// on an axis of length `n`.
    pub fn python(
        n: usize,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Result<Self> {
        if step == 0 {
            return Err(Error::invalid("slice step cannot be zero"));
        }
        let n = n as isize;
        let norm = |v: isize, lo: isize, hi: isize| {
            let v = if v < 0 { v + n } else { v };
            v.clamp(lo, hi)
        };
        let (start, stop) = if step > 0 {
            (
                start.map_or(0, |s| norm(s, 0, n)),
                stop.map_or(n, |s| norm(s, 0, n)),
            )
        } else {
            (
                start.map_or(n - 1, |s| norm(s, -1, n - 1)),
                stop.map_or(-1, |s| norm(s, -1, n - 1)),
            )
        };
        let len = if step > 0 {
            if stop > start {
                (stop - start + step - 1) / step
            } else {
                0
            }
        } else if start > stop {
            (start - stop - step - 1) / (-step)
        } else {
            0
        };
        Ok(AxisSlice {
            start: if len == 0 { 0 } else { start as usize },
            step,
            len: len as usize,
        })
    }
}

/// Output chunks along an axis that follow the input chunks: a new chunk starts where
/// consecutive selected positions fall into a different input chunk, and runs are
/// merged up to the input's largest chunk.
fn follow_chunks(
    grid: &ChunkGrid,
    axis: usize,
    positions: impl Iterator<Item = usize>,
) -> Vec<usize> {
    let max_len = grid.axis_chunks(axis).iter().copied().max().unwrap_or(1);
    let mut out = vec![];
    let mut current: Option<usize> = None;
    let mut run = 0;
    for p in positions {
        let c = grid.chunk_of(axis, p);
        if current.is_some_and(|cur| cur != c || run == max_len) {
            out.push(run);
            run = 0;
        }
        current = Some(c);
        run += 1;
    }
    if run > 0 {
        out.push(run);
    }
    out
}

impl LazyArray {
    /// Strided selection on every axis.
    pub fn slice(&self, spec: &[AxisSlice]) -> Result<LazyArray> {
        if spec.len() != self.ndim() {
            return Err(Error::invalid(format!(
                "slice has {} entries for an array with {} dimensions",
                spec.len(),
                self.ndim()
            )));
        }
        for (axis, (s, &n)) in spec.iter().zip(self.shape()).enumerate() {
            if s.len > 0 && (s.pos(0) >= n || s.pos(s.len - 1) >= n) {
                return Err(Error::IndexOutOfBounds(format!(
                    "slice {s:?} on axis {axis} of length {n}"
                )));
            }
        }
        if spec.iter().zip(self.shape()).all(|(s, &n)| s.is_full(n)) {
            return Ok(self.clone());
        }
        let shape: Vec<usize> = spec.iter().map(|s| s.len).collect();
        let chunks = spec
            .iter()
            .enumerate()
            .map(|(axis, s)| follow_chunks(self.chunks(), axis, (0..s.len).map(|i| s.pos(i))))
            .collect();
        let grid = ChunkGrid::new(chunks)?;
        Ok(LazyArray::from_parts(
            Op::Slice(spec.to_vec()),
            vec![self.clone()],
            shape,
            self.dtype(),
            grid,
        ))
    }

    /// Contiguous ranges on every axis (`a[2..5, 0..3]`).
    pub fn slice_ranges(&self, ranges: &[std::ops::Range<usize>]) -> Result<LazyArray> {
        let spec: Vec<AxisSlice> = ranges
            .iter()
            .map(|r| AxisSlice {
                start: r.start,
                step: 1,
                len: r.end.saturating_sub(r.start),
            })
            .collect();
        self.slice(&spec)
    }

    /// Python-style slicing of one axis (`start:stop:step`).
    pub fn slice_axis(
        &self,
        axis: usize,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Result<LazyArray> {
        check_axis(axis, self.ndim())?;
        let mut spec: Vec<AxisSlice> = self.shape().iter().map(|&n| AxisSlice::full(n)).collect();
        spec[axis] = AxisSlice::python(self.shape()[axis], start, stop, step)?;
        self.slice(&spec)
    }

    /// Elements at the given positions along an axis (numpy `take`).
    pub fn take(&self, axis: usize, indices: &[usize]) -> Result<LazyArray> {
        check_axis(axis, self.ndim())?;
        let n = self.shape()[axis];
        if let Some(bad) = indices.iter().find(|&&i| i >= n) {
            return Err(Error::IndexOutOfBounds(format!(
                "index {bad} on axis {axis} of length {n}"
            )));
        }
        let mut shape = self.shape().to_vec();
        shape[axis] = indices.len();
        let axis_chunks = follow_chunks(self.chunks(), axis, indices.iter().copied());
        let grid = self.chunks().with_axis(axis, axis_chunks);
        Ok(LazyArray::from_parts(
            Op::Take {
                axis,
                indices: Arc::new(indices.to_vec()),
            },
            vec![self.clone()],
            shape,
            self.dtype(),
            grid,
        ))
    }

    /// Reorders axes: output axis `i` is input axis `perm[i]`.
    pub fn transpose(&self, perm: &[usize]) -> Result<LazyArray> {
        let n = self.ndim();
        let mut seen = vec![false; n];
        if perm.len() != n {
            return Err(Error::invalid(format!(
                "permutation {perm:?} has {} axes for an array with {n}",
                perm.len()
            )));
        }
        for &p in perm {
            check_axis(p, n)?;
            ensure!(
                !std::mem::replace(&mut seen[p], true),
                Error::DuplicateDimension {
                    dim: format!("axis {p}"),
                    op: format!("the permutation {perm:?}"),
                }
            );
        }
        if perm.iter().enumerate().all(|(i, &p)| i == p) {
            return Ok(self.clone());
        }
        let shape = perm.iter().map(|&p| self.shape()[p]).collect();
        Ok(LazyArray::from_parts(
            Op::Transpose(perm.to_vec()),
            vec![self.clone()],
            shape,
            self.dtype(),
            self.chunks().permuted(perm),
        ))
    }

    fn unit_axes(&self, map: Vec<Option<usize>>) -> LazyArray {
        let shape = map
            .iter()
            .map(|m| m.map_or(1, |a| self.shape()[a]))
            .collect();
        let chunks = map
            .iter()
            .map(|m| m.map_or(vec![1], |a| self.chunks().axis_chunks(a).to_vec()))
            .collect();
        LazyArray::from_parts(
            Op::UnitAxes(map),
            vec![self.clone()],
            shape,
            self.dtype(),
            ChunkGrid::new(chunks).expect("unit axes keep a valid grid"),
        )
    }

    /// Inserts a new axis of length 1 at position `axis`.
    pub fn expand_dims(&self, axis: usize) -> Result<LazyArray> {
        check_axis(axis, self.ndim() + 1)?;
        let mut map: Vec<Option<usize>> = (0..self.ndim()).map(Some).collect();
        map.insert(axis, None);
        Ok(self.unit_axes(map))
    }

    /// Removes axes of length 1.
    pub fn squeeze(&self, axes: &[usize]) -> Result<LazyArray> {
        for &a in axes {
            check_axis(a, self.ndim())?;
            if self.shape()[a] != 1 {
                return Err(Error::invalid(format!(
                    "cannot squeeze axis {a} of length {}",
                    self.shape()[a]
                )));
            }
        }
        let map = (0..self.ndim())
            .filter(|a| !axes.contains(a))
            .map(Some)
            .collect();
        Ok(self.unit_axes(map))
    }

    /// numpy `broadcast_to`: new leading axes and length-1 axes stretched; stretched
    /// axes form a single chunk.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<LazyArray> {
        let out = broadcast_shapes(self.shape(), shape, "broadcast_to")?;
        if out != shape {
            return Err(Error::ShapeMismatch {
                op: "broadcast_to".into(),
                left: self.shape().to_vec(),
                right: shape.to_vec(),
            });
        }
        if shape == self.shape() {
            return Ok(self.clone());
        }
        let off = shape.len() - self.ndim();
        let chunks = (0..shape.len())
            .map(|i| {
                if i >= off && self.shape()[i - off] == shape[i] {
                    self.chunks().axis_chunks(i - off).to_vec()
                } else {
                    split_regular(shape[i], shape[i])
                }
            })
            .collect();
        Ok(LazyArray::from_parts(
            Op::Broadcast,
            vec![self.clone()],
            shape.to_vec(),
            self.dtype(),
            ChunkGrid::new(chunks)?,
        ))
    }

    /// Joins arrays along an existing axis (dtypes are promoted to a common one).
    pub fn concat(arrays: &[&LazyArray], axis: usize) -> Result<LazyArray> {
        let first = arrays
            .first()
            .ok_or_else(|| Error::invalid("concat needs at least one array"))?;
        check_axis(axis, first.ndim())?;
        let mut dtype = first.dtype();
        for a in arrays {
            let same = a.ndim() == first.ndim()
                && a.shape()
                    .iter()
                    .zip(first.shape())
                    .enumerate()
                    .all(|(i, (x, y))| i == axis || x == y);
            if !same {
                return Err(Error::ShapeMismatch {
                    op: format!("concat along axis {axis}"),
                    left: first.shape().to_vec(),
                    right: a.shape().to_vec(),
                });
            }
            dtype = crate::engine::DType::promote(dtype, a.dtype());
        }
        if arrays.len() == 1 {
            return first.cast(dtype);
        }
        let inputs = arrays
            .iter()
            .map(|a| a.cast(dtype))
            .collect::<Result<Vec<_>>>()?;
        let mut shape = first.shape().to_vec();
        shape[axis] = arrays.iter().map(|a| a.shape()[axis]).sum();
        let mut chunks: Vec<Vec<usize>> = vec![];
        for d in 0..first.ndim() {
            if d == axis {
                chunks.push(
                    arrays
                        .iter()
                        .flat_map(|a| a.chunks().axis_chunks(d).to_vec())
                        .collect(),
                );
            } else {
                let mut g = ChunkGrid::new(vec![first.chunks().axis_chunks(d).to_vec()])?;
                for a in &arrays[1..] {
                    g = g.union(&ChunkGrid::new(vec![a.chunks().axis_chunks(d).to_vec()])?);
                }
                chunks.push(g.axis_chunks(0).to_vec());
            }
        }
        Ok(LazyArray::from_parts(
            Op::Concat(axis),
            inputs,
            shape,
            dtype,
            ChunkGrid::new(chunks)?,
        ))
    }

    /// Joins arrays of equal shape along a new axis.
    pub fn stack(arrays: &[&LazyArray], axis: usize) -> Result<LazyArray> {
        let expanded = arrays
            .iter()
            .map(|a| a.expand_dims(axis))
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&LazyArray> = expanded.iter().collect();
        LazyArray::concat(&refs, axis)
    }

    /// The same data with another chunking.
    pub fn rechunk(&self, grid: ChunkGrid) -> Result<LazyArray> {
        grid.check_shape(self.shape())?;
        if &grid == self.chunks() {
            return Ok(self.clone());
        }
        Ok(LazyArray::from_parts(
            Op::Rechunk,
            vec![self.clone()],
            self.shape().to_vec(),
            self.dtype(),
            grid,
        ))
    }

    /// Regular chunks of at most `chunk[i]` along axis `i`.
    pub fn rechunk_regular(&self, chunk: &[usize]) -> Result<LazyArray> {
        self.rechunk(ChunkGrid::regular(self.shape(), chunk)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_slices_normalize_like_python() {
        let s = AxisSlice::python(10, Some(-3), None, 1).unwrap();
        assert_eq!((s.start, s.len), (7, 3));
        let s = AxisSlice::python(10, None, None, -3).unwrap();
        assert_eq!((s.start, s.step, s.len), (9, -3, 4));
        let s = AxisSlice::python(10, Some(8), Some(2), 2).unwrap();
        assert_eq!(s.len, 0);
        let s = AxisSlice::python(5, Some(1), Some(100), 2).unwrap();
        assert_eq!((s.start, s.len), (1, 2));
        assert!(AxisSlice::python(5, None, None, 0).is_err());
    }
}
