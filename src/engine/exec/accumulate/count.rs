//! Counts of valid (non-NaN) elements.

use std::any::Any;

use super::layout::Walker;
use super::partial::{Acc, Partial, partial_common, wrap_out};
use crate::engine::chunk::ArrayData;
use crate::engine::exec::tile::{Src, Tileable};
use std::marker::PhantomData;

use crate::Result;
use crate::engine::dtype::{DType, Element};
use crate::engine::reduce_spec::ReduceSpec;

pub(super) struct CountAcc<T> {
    n: Vec<i64>,
    _t: PhantomData<T>,
}

impl<T: Element> CountAcc<T> {
    pub(super) fn new(cells: usize) -> Self {
        CountAcc {
            n: vec![0; cells],
            _t: PhantomData,
        }
    }
    fn state(&self) -> &Vec<i64> {
        &self.n
    }
    fn set_state(&mut self, n: Vec<i64>) -> Result<()> {
        super::partial::same_cells(self.n.len(), n.len())?;
        self.n = n;
        Ok(())
    }
    fn merge_same(&mut self, o: Self) {
        self.n.iter_mut().zip(o.n).for_each(|(a, b)| *a += b);
    }
}

impl<T: Element> Acc<T> for CountAcc<T> {
    #[inline(always)]
    fn one(&mut self, c: usize, v: T, _pos: usize) {
        self.n[c] += !v.is_nan() as i64;
    }
}

impl<T: Tileable> Partial for CountAcc<T> {
    partial_common!();
    fn finish(self: Box<Self>, _spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData> {
        Ok(wrap_out(self.n, DType::I64, shape))
    }
    fn nbytes(&self) -> usize {
        self.n.len() * 8
    }
}
