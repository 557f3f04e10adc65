//! Whether any or all elements are truthy.

use std::any::Any;

use super::layout::Walker;
use super::partial::{Acc, Partial, partial_common, wrap_out};
use crate::engine::chunk::ArrayData;
use crate::engine::exec::tile::{Src, Tileable};
use std::marker::PhantomData;

use crate::Result;
use crate::engine::dtype::{DType, Element};
use crate::engine::reduce_spec::ReduceSpec;

pub(super) struct AnyAllAcc<T> {
    v: Vec<bool>,
    all: bool,
    _t: PhantomData<T>,
}

impl<T: Element> AnyAllAcc<T> {
    pub(super) fn new(cells: usize, all: bool) -> Self {
        AnyAllAcc {
            v: vec![all; cells],
            all,
            _t: PhantomData,
        }
    }
    fn state(&self) -> &Vec<bool> {
        &self.v
    }
    fn set_state(&mut self, v: Vec<bool>) -> Result<()> {
        super::partial::same_cells(self.v.len(), v.len())?;
        self.v = v;
        Ok(())
    }
    fn merge_same(&mut self, o: Self) {
        let all = self.all;
        self.v
            .iter_mut()
            .zip(o.v)
            .for_each(|(a, b)| *a = if all { *a && b } else { *a || b });
    }
}

impl<T: Element> Acc<T> for AnyAllAcc<T> {
    #[inline(always)]
    fn one(&mut self, c: usize, v: T, _pos: usize) {
        let t = v.truthy();
        self.v[c] = if self.all {
            self.v[c] && t
        } else {
            self.v[c] || t
        };
    }
}

impl<T: Tileable> Partial for AnyAllAcc<T> {
    partial_common!();
    fn finish(self: Box<Self>, _spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData> {
        Ok(wrap_out(self.v, DType::Bool, shape))
    }
    fn nbytes(&self) -> usize {
        self.v.len()
    }
}
