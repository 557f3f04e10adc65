//! Min, max, their positions (argmin/argmax), first and last: one position-keeping partial.

use std::any::Any;

use super::layout::Walker;
use super::partial::{Acc, Partial, partial_common, wrap_out};
use crate::engine::chunk::ArrayData;
use crate::engine::dtype::{DType, Element, Kind};
use crate::engine::exec::tile::{Src, Tileable};
use crate::engine::reduce_spec::{ReduceKind, ReduceSpec};
use crate::{Error, Result};

/// Which value of a lane an [`ExtremeAcc`] keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    Min,
    Max,
    First,
    Last,
}

/// Min, max, first or last, with their positions. Min/max ties and NaNs resolve to the
/// first position, as numpy; first/last go by position alone, passing over NaN when
/// skipped. Partials merge by value and position, so their order does not matter.
pub(super) struct ExtremeAcc<T> {
    val: Vec<T>,
    pos: Vec<usize>,
    seen: Vec<bool>,
    nan_pos: Vec<usize>,
    keep: Keep,
    skipna: bool,
}

impl<T: Element> ExtremeAcc<T> {
    pub(super) fn new(cells: usize, kind: ReduceKind, skipna: bool) -> Self {
        ExtremeAcc {
            val: vec![T::default(); cells],
            pos: vec![usize::MAX; cells],
            seen: vec![false; cells],
            nan_pos: vec![usize::MAX; cells],
            keep: match kind {
                ReduceKind::Max | ReduceKind::ArgMax => Keep::Max,
                ReduceKind::First => Keep::First,
                ReduceKind::Last => Keep::Last,
                _ => Keep::Min,
            },
            skipna,
        }
    }
    #[inline(always)]
    fn offer(&mut self, c: usize, v: T, pos: usize) {
        let better = !self.seen[c]
            || match self.keep {
                Keep::Max => v > self.val[c] || (v == self.val[c] && pos < self.pos[c]),
                Keep::Min => v < self.val[c] || (v == self.val[c] && pos < self.pos[c]),
                Keep::First => pos < self.pos[c],
                Keep::Last => pos > self.pos[c],
            };
        if better {
            self.val[c] = v;
            self.pos[c] = pos;
            self.seen[c] = true;
        }
    }
    #[allow(clippy::type_complexity)]
    fn state(&self) -> (&Vec<T>, &Vec<usize>, &Vec<bool>, &Vec<usize>) {
        (&self.val, &self.pos, &self.seen, &self.nan_pos)
    }
    fn set_state(
        &mut self,
        (val, pos, seen, nan_pos): (Vec<T>, Vec<usize>, Vec<bool>, Vec<usize>),
    ) -> Result<()> {
        for len in [pos.len(), seen.len(), nan_pos.len(), val.len()] {
            super::partial::same_cells(self.val.len(), len)?;
        }
        (self.val, self.pos, self.seen, self.nan_pos) = (val, pos, seen, nan_pos);
        Ok(())
    }
    fn merge_same(&mut self, o: Self) {
        for c in 0..self.val.len() {
            self.nan_pos[c] = self.nan_pos[c].min(o.nan_pos[c]);
            if o.seen[c] {
                self.offer(c, o.val[c], o.pos[c]);
            }
        }
    }
}

impl<T: Element> Acc<T> for ExtremeAcc<T> {
    #[inline(always)]
    fn one(&mut self, c: usize, v: T, pos: usize) {
        if v.is_nan() {
            if self.skipna {
                return;
            }
            if matches!(self.keep, Keep::Min | Keep::Max) {
                self.nan_pos[c] = self.nan_pos[c].min(pos);
                return;
            }
        }
        self.offer(c, v, pos);
    }
}

impl<T: Tileable> Partial for ExtremeAcc<T> {
    partial_common!();
    fn finish(self: Box<Self>, spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData> {
        let s = *self;
        let empty = |what: &str| {
            Error::EmptyReduction(format!(
                "{:?} of an empty or all-NaN slice{what} has no result",
                spec.kind
            ))
        };
        if spec.kind.is_arg() {
            let mut out = Vec::with_capacity(s.val.len());
            for c in 0..s.val.len() {
                if s.nan_pos[c] != usize::MAX {
                    out.push(s.nan_pos[c] as i64);
                } else if s.seen[c] {
                    out.push(s.pos[c] as i64);
                } else {
                    return Err(empty(""));
                }
            }
            return Ok(wrap_out(out, DType::I64, shape));
        }
        let mut out = Vec::with_capacity(s.val.len());
        for c in 0..s.val.len() {
            if s.nan_pos[c] != usize::MAX {
                out.push(T::nan_or_default());
            } else if s.seen[c] {
                out.push(s.val[c]);
            } else if T::KIND == Kind::Float {
                out.push(T::nan_or_default());
            } else {
                return Err(empty(" of integers"));
            }
        }
        Ok(wrap_out(out, spec.out_dtype(), shape))
    }
    fn nbytes(&self) -> usize {
        self.val.len() * (std::mem::size_of::<T>() + 17)
    }
}
