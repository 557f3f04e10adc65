//! Elementwise operations: arithmetic, comparisons, math, `where`, casts, NaN handling.
//! Each builds a one-instruction map node; the optimizer fuses chains of them.

use std::sync::Arc;

use crate::engine::dtype::{DType, FloatFn};
use crate::engine::expr::{BinaryOp, Expr, ExprBuilder, Scalar, UnaryOp};
use crate::engine::graph::{LazyArray, Op};
use crate::engine::grid::ChunkGrid;
use crate::{Error, Result};

/// numpy's broadcast of two shapes (axes aligned from the right).
pub(crate) fn broadcast_shapes(a: &[usize], b: &[usize], op: &str) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let x = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let y = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = match (x, y) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(Error::ShapeMismatch {
                    op: op.into(),
                    left: a.to_vec(),
                    right: b.to_vec(),
                });
            }
        };
    }
    Ok(out)
}

/// The chunk grid of a broadcast result: per axis, the union of the grids of the inputs
/// that span it (inputs broadcast along an axis do not constrain it).
pub(crate) fn broadcast_grid(inputs: &[&LazyArray], shape: &[usize]) -> ChunkGrid {
    let n = shape.len();
    let per_axis = (0..n)
        .map(|axis| {
            let mut grid: Option<ChunkGrid> = None;
            for a in inputs {
                let off = n - a.ndim();
                if axis < off || a.shape()[axis - off] != shape[axis] {
                    continue;
                }
                let g = ChunkGrid::new(vec![a.chunks().axis_chunks(axis - off).to_vec()])
                    .expect("axis of a valid grid");
                grid = Some(match grid {
                    None => g,
                    Some(prev) => prev.union(&g),
                });
            }
            match grid {
                Some(g) => g.axis_chunks(0).to_vec(),
                None if shape[axis] == 0 => vec![],
                None => vec![shape[axis]],
            }
        })
        .collect();
    ChunkGrid::new(per_axis).expect("broadcast grid is valid")
}

impl LazyArray {
    /// An elementwise node running `expr` over `inputs` broadcast together.
    pub fn map_expr(inputs: &[&LazyArray], expr: Expr) -> Result<LazyArray> {
        if expr.n_inputs() != inputs.len() {
            return Err(Error::invalid(format!(
                "expression reads {} inputs but {} were given",
                expr.n_inputs(),
                inputs.len()
            )));
        }
        let mut shape: Vec<usize> = vec![];
        for a in inputs {
            shape = broadcast_shapes(&shape, a.shape(), "elementwise operation")?;
        }
        let grid = broadcast_grid(inputs, &shape);
        let dtype = expr.out_dtype();
        Ok(LazyArray::from_parts(
            Op::Map(Arc::new(expr)),
            inputs.iter().map(|a| (*a).clone()).collect(),
            shape,
            dtype,
            grid,
        ))
    }

    /// A unary elementwise operation.
    pub fn unary(&self, op: UnaryOp) -> Result<LazyArray> {
        let mut b = ExprBuilder::new();
        let x = b.input(0, self.dtype());
        let r = b.unary(op, x)?;
        LazyArray::map_expr(&[self], b.finish(r))
    }

    /// A binary elementwise operation with numpy broadcasting and type promotion.
    pub fn binary(&self, op: BinaryOp, other: &LazyArray) -> Result<LazyArray> {
        let mut b = ExprBuilder::new();
        let x = b.input(0, self.dtype());
        let y = b.input(1, other.dtype());
        let r = b.binary(op, x, y)?;
        LazyArray::map_expr(&[self, other], b.finish(r))
    }

    /// A binary operation with a scalar (`scalar_left` puts it first, as in `2 - x`).
    pub fn binary_scalar(
        &self,
        op: BinaryOp,
        s: impl Into<Scalar>,
        scalar_left: bool,
    ) -> Result<LazyArray> {
        let mut b = ExprBuilder::new();
        let x = b.input(0, self.dtype());
        let r = b.binary_scalar(op, x, s.into(), scalar_left)?;
        LazyArray::map_expr(&[self], b.finish(r))
    }

    /// `where(self, a, b)`: elements of `a` where `self` is true, else of `b`.
    pub fn select(&self, a: &LazyArray, b: &LazyArray) -> Result<LazyArray> {
        let mut e = ExprBuilder::new();
        let c = e.input(0, self.dtype());
        let x = e.input(1, a.dtype());
        let y = e.input(2, b.dtype());
        let r = e.select(c, x, y)?;
        LazyArray::map_expr(&[self, a, b], e.finish(r))
    }

    /// `where(self, a, s)` with a scalar for the false branch.
    pub fn select_scalar(&self, a: &LazyArray, s: impl Into<Scalar>) -> Result<LazyArray> {
        let mut e = ExprBuilder::new();
        let c = e.input(0, self.dtype());
        let x = e.input(1, a.dtype());
        let s = s.into();
        let y = e.constant(s, s.weak_dtype(a.dtype()));
        let r = e.select(c, x, y)?;
        LazyArray::map_expr(&[self, a], e.finish(r))
    }

    /// Converts to another dtype (numpy `astype`).
    pub fn cast(&self, dtype: DType) -> Result<LazyArray> {
        if dtype == self.dtype() {
            return Ok(self.clone());
        }
        self.unary(UnaryOp::Cast(dtype))
    }

    /// Replaces NaN with a value.
    pub fn fillna(&self, value: impl Into<Scalar>) -> Result<LazyArray> {
        if !self.dtype().is_float() {
            return Ok(self.clone());
        }
        let mut e = ExprBuilder::new();
        let x = e.input(0, self.dtype());
        let nan = e.unary(UnaryOp::IsNan, x)?;
        let v = value.into();
        let c = e.constant(v, v.weak_dtype(self.dtype()));
        let r = e.select(nan, c, x)?;
        LazyArray::map_expr(&[self], e.finish(r))
    }

    /// `isnan` (false everywhere for integers).
    pub fn isnan(&self) -> Result<LazyArray> {
        self.unary(UnaryOp::IsNan)
    }

    /// A float math function (integers are converted to float first).
    pub fn math(&self, f: FloatFn) -> Result<LazyArray> {
        self.unary(UnaryOp::Math(f))
    }

    /// `self + other`.
    pub fn add(&self, other: &LazyArray) -> Result<LazyArray> {
        self.binary(BinaryOp::Add, other)
    }

    /// `self - other`.
    pub fn sub(&self, other: &LazyArray) -> Result<LazyArray> {
        self.binary(BinaryOp::Sub, other)
    }

    /// `self * other`.
    pub fn mul(&self, other: &LazyArray) -> Result<LazyArray> {
        self.binary(BinaryOp::Mul, other)
    }

    /// `self / other` (true division).
    pub fn div(&self, other: &LazyArray) -> Result<LazyArray> {
        self.binary(BinaryOp::Div, other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_broadcast_from_the_right() {
        assert_eq!(
            broadcast_shapes(&[3, 1, 5], &[4, 1], "t").unwrap(),
            vec![3, 4, 5]
        );
        assert_eq!(broadcast_shapes(&[], &[2], "t").unwrap(), vec![2]);
        let e = broadcast_shapes(&[3], &[4], "add").unwrap_err().to_string();
        assert!(
            e.contains("add") && e.contains("[3]") && e.contains("[4]"),
            "{e}"
        );
    }
}
