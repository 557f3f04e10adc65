//! One elementwise program built stage by stage (mask, scale, time offset), applied
//! as a single map node so decoding is fused by construction.

use crate::Result;
use crate::engine::{DType, ExprBuilder, LazyArray};

/// An expression over one input with a current result register.
pub(super) struct Pipeline {
    /// The program so far.
    pub b: ExprBuilder,
    /// Register holding the current value.
    pub reg: usize,
    changed: bool,
}

impl Pipeline {
    pub(super) fn new(input: DType) -> Self {
        let mut b = ExprBuilder::new();
        let reg = b.input(0, input);
        Pipeline {
            b,
            reg,
            changed: false,
        }
    }

    /// Dtype of the current value.
    pub(super) fn dtype(&self) -> DType {
        self.b.dtype(self.reg)
    }

    /// Replaces the current value.
    pub(super) fn set(&mut self, reg: usize) {
        self.reg = reg;
        self.changed = true;
    }

    /// The data with the program applied (unchanged data if no stage did anything).
    pub(super) fn apply(self, data: &LazyArray) -> Result<LazyArray> {
        if !self.changed {
            return Ok(data.clone());
        }
        LazyArray::map_expr(&[data], self.b.finish(self.reg))
    }
}
