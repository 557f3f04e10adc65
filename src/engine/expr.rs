//! Elementwise expressions: the per-element program inside a map node.
//!
//! An [`Expr`] is a small SSA program over its inputs (`Input(k)` reads the k-th input
//! array). Building a binary operation works out numpy's result dtype once and inserts
//! the casts, so the interpreter only ever sees operands of equal dtype. Fusion is
//! composition of these programs ([`ExprBuilder::append`]), never a new kernel.

use std::hash::{Hash, Hasher};

use super::dtype::{DType, FloatFn, Kind};
use crate::{Error, Result};

/// A constant inside an expression.
#[derive(Clone, Copy, Debug)]
pub enum Scalar {
    /// A boolean.
    Bool(bool),
    /// A signed integer (a Python `int`: adopts an integer array's dtype).
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A float (a Python `float`: adopts a float array's dtype).
    Float(f64),
}

impl PartialEq for Scalar {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Scalar::Bool(a), Scalar::Bool(b)) => a == b,
            (Scalar::Int(a), Scalar::Int(b)) => a == b,
            (Scalar::UInt(a), Scalar::UInt(b)) => a == b,
            (Scalar::Float(a), Scalar::Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}
impl Eq for Scalar {}
impl Hash for Scalar {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Scalar::Bool(v) => (0u8, *v as u64).hash(state),
            Scalar::Int(v) => (1u8, *v as u64).hash(state),
            Scalar::UInt(v) => (2u8, *v).hash(state),
            Scalar::Float(v) => (3u8, v.to_bits()).hash(state),
        }
    }
}

impl Scalar {
    /// The value as `f64`.
    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(v) => v as f64,
            Scalar::UInt(v) => v as f64,
            Scalar::Float(v) => v,
        }
    }

    /// The dtype a constant takes next to an array of `array` dtype (numpy's NEP 50:
    /// Python scalars are "weak" and adopt the array's dtype within the same kind).
    pub fn weak_dtype(self, array: DType) -> DType {
        match (self, array.kind()) {
            (Scalar::Bool(_), _) => array,
            (Scalar::Int(_) | Scalar::UInt(_), Kind::Bool) => DType::I64,
            (Scalar::Int(_) | Scalar::UInt(_), _) => array,
            (Scalar::Float(_), Kind::Float) => array,
            (Scalar::Float(_), _) => DType::F64,
        }
    }
}

impl From<f64> for Scalar {
    fn from(v: f64) -> Self {
        Scalar::Float(v)
    }
}
impl From<f32> for Scalar {
    fn from(v: f32) -> Self {
        Scalar::Float(v as f64)
    }
}
impl From<i64> for Scalar {
    fn from(v: i64) -> Self {
        Scalar::Int(v)
    }
}
impl From<i32> for Scalar {
    fn from(v: i32) -> Self {
        Scalar::Int(v as i64)
    }
}
impl From<bool> for Scalar {
    fn from(v: bool) -> Self {
        Scalar::Bool(v)
    }
}

/// Operations on one operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `|x|`.
    Abs,
    /// -1, 0 or 1.
    Sign,
    /// `x * x`.
    Square,
    /// Logical not (bool).
    Not,
    /// NaN test (always false for integers).
    IsNan,
    /// Not NaN (`notnull`).
    NotNan,
    /// Finite test.
    IsFinite,
    /// Infinity test.
    IsInf,
    /// A float math function; integers are converted to float first.
    Math(FloatFn),
    /// Conversion to another dtype.
    Cast(DType),
}

/// Operations on two operands.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    /// True division (integers give floats, as numpy).
    Div,
    FloorDiv,
    /// Modulo with the sign of the divisor.
    Rem,
    Pow,
    /// NaN-propagating minimum.
    Minimum,
    /// NaN-propagating maximum.
    Maximum,
    /// NaN-ignoring minimum.
    Fmin,
    /// NaN-ignoring maximum.
    Fmax,
    Atan2,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Xor,
}

impl BinaryOp {
    /// True for comparisons, which produce booleans.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }

    /// True for the logical operations on booleans.
    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor)
    }

    /// (dtype both operands are cast to, result dtype) for operands of these dtypes.
    pub fn types(self, a: DType, b: DType) -> Result<(DType, DType)> {
        let common = DType::promote(a, b);
        let err = || Error::UnsupportedDType {
            op: format!("{self:?}"),
            dtype: common,
        };
        Ok(match self {
            _ if self.is_comparison() => (common, DType::Bool),
            _ if self.is_logical() => {
                if common != DType::Bool {
                    return Err(err());
                }
                (DType::Bool, DType::Bool)
            }
            BinaryOp::Div | BinaryOp::Atan2 | BinaryOp::Fmin | BinaryOp::Fmax => {
                let f = common.float_result();
                (f, f)
            }
            _ if common == DType::Bool => return Err(err()),
            _ => (common, common),
        })
    }
}

impl UnaryOp {
    /// (dtype the operand is cast to, result dtype) for an operand of dtype `a`.
    pub fn types(self, a: DType) -> Result<(DType, DType)> {
        let err = || Error::UnsupportedDType {
            op: format!("{self:?}"),
            dtype: a,
        };
        Ok(match self {
            UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign | UnaryOp::Square => {
                if a == DType::Bool {
                    return Err(err());
                }
                (a, a)
            }
            UnaryOp::Not => {
                if a != DType::Bool {
                    return Err(err());
                }
                (a, a)
            }
            UnaryOp::IsNan | UnaryOp::NotNan | UnaryOp::IsFinite | UnaryOp::IsInf => {
                (a, DType::Bool)
            }
            UnaryOp::Math(_) => {
                let f = a.float_result();
                (f, f)
            }
            UnaryOp::Cast(d) => (a, d),
        })
    }
}

/// One instruction; operands are indices of earlier instructions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Instr {
    /// The k-th input array.
    Input(usize),
    /// A constant, already of the instruction's dtype.
    Const(Scalar),
    /// A unary operation.
    Unary(UnaryOp, usize),
    /// A binary operation on two operands of equal dtype.
    Binary(BinaryOp, usize, usize),
    /// `where(cond, a, b)` with `a` and `b` of equal dtype.
    Where(usize, usize, usize),
}

/// An SSA program computing one value per element from its inputs; the last
/// instruction is the result.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expr {
    instrs: Vec<Instr>,
    dtypes: Vec<DType>,
    n_inputs: usize,
}

impl Expr {
    /// The identity on one input of this dtype.
    pub fn identity(dtype: DType) -> Expr {
        Expr {
            instrs: vec![Instr::Input(0)],
            dtypes: vec![dtype],
            n_inputs: 1,
        }
    }

    /// Instructions in order.
    pub(crate) fn instrs(&self) -> &[Instr] {
        &self.instrs
    }

    /// Result dtype of each instruction.
    pub fn dtypes(&self) -> &[DType] {
        &self.dtypes
    }

    /// Number of inputs the program reads.
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// The result dtype.
    pub fn out_dtype(&self) -> DType {
        *self
            .dtypes
            .last()
            .expect("an expression has at least one instruction")
    }

    /// True if the program just returns input 0.
    pub fn is_identity(&self) -> bool {
        self.instrs.len() == 1 && self.instrs[0] == Instr::Input(0)
    }
}

/// Builds an [`Expr`] instruction by instruction, inserting casts where dtypes differ.
#[derive(Default)]
pub struct ExprBuilder {
    instrs: Vec<Instr>,
    dtypes: Vec<DType>,
    inputs: Vec<usize>,
}

impl ExprBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, i: Instr, d: DType) -> usize {
        self.instrs.push(i);
        self.dtypes.push(d);
        self.instrs.len() - 1
    }

    /// Dtype of a register.
    pub fn dtype(&self, reg: usize) -> DType {
        self.dtypes[reg]
    }

    /// Reads input `k` (of dtype `dtype`); repeated calls return the same register.
    pub fn input(&mut self, k: usize, dtype: DType) -> usize {
        if let Some(&reg) = self.inputs.get(k)
            && reg != usize::MAX
        {
            return reg;
        }
        if self.inputs.len() <= k {
            self.inputs.resize(k + 1, usize::MAX);
        }
        let reg = self.push(Instr::Input(k), dtype);
        self.inputs[k] = reg;
        reg
    }

    /// A constant of the given dtype.
    pub fn constant(&mut self, s: Scalar, dtype: DType) -> usize {
        self.push(Instr::Const(s), dtype)
    }

    /// Casts a register to `dtype` (no instruction if it already has it).
    pub fn cast(&mut self, reg: usize, dtype: DType) -> usize {
        if self.dtypes[reg] == dtype {
            return reg;
        }
        self.push(Instr::Unary(UnaryOp::Cast(dtype), reg), dtype)
    }

    /// A unary operation with numpy's dtype rules.
    pub fn unary(&mut self, op: UnaryOp, a: usize) -> Result<usize> {
        let (operand, out) = op.types(self.dtypes[a])?;
        if let UnaryOp::Cast(_) = op {
            return Ok(self.cast(a, out));
        }
        let a = self.cast(a, operand);
        Ok(self.push(Instr::Unary(op, a), out))
    }

    /// A binary operation with numpy's dtype rules.
    pub fn binary(&mut self, op: BinaryOp, a: usize, b: usize) -> Result<usize> {
        let (operand, out) = op.types(self.dtypes[a], self.dtypes[b])?;
        let a = self.cast(a, operand);
        let b = self.cast(b, operand);
        Ok(self.push(Instr::Binary(op, a, b), out))
    }

    /// A binary operation between a register and a weakly typed constant.
    pub fn binary_scalar(
        &mut self,
        op: BinaryOp,
        a: usize,
        s: Scalar,
        scalar_left: bool,
    ) -> Result<usize> {
        let sd = s.weak_dtype(self.dtypes[a]);
        let c = self.constant(s, sd);
        if scalar_left {
            self.binary(op, c, a)
        } else {
            self.binary(op, a, c)
        }
    }

    /// `where(cond, a, b)`.
    pub fn select(&mut self, cond: usize, a: usize, b: usize) -> Result<usize> {
        if self.dtypes[cond] != DType::Bool {
            return Err(Error::DTypeMismatch {
                expected: DType::Bool,
                found: self.dtypes[cond],
            });
        }
        let common = DType::promote(self.dtypes[a], self.dtypes[b]);
        let a = self.cast(a, common);
        let b = self.cast(b, common);
        Ok(self.push(Instr::Where(cond, a, b), common))
    }

    /// Appends a whole program whose input `k` is read from register `args[k]`;
    /// returns the register of its result. This is how fusion composes programs.
    pub fn append(&mut self, e: &Expr, args: &[usize]) -> usize {
        let mut map = Vec::with_capacity(e.instrs.len());
        for (instr, &d) in e.instrs.iter().zip(&e.dtypes) {
            let reg = match *instr {
                Instr::Input(k) => self.cast(args[k], d),
                Instr::Const(s) => self.push(Instr::Const(s), d),
                Instr::Unary(op, a) => self.push(Instr::Unary(op, map[a]), d),
                Instr::Binary(op, a, b) => self.push(Instr::Binary(op, map[a], map[b]), d),
                Instr::Where(c, a, b) => self.push(Instr::Where(map[c], map[a], map[b]), d),
            };
            map.push(reg);
        }
        *map.last()
            .expect("an expression has at least one instruction")
    }

    /// Finishes the program with `result` as its output.
    pub fn finish(mut self, result: usize) -> Expr {
        if result != self.instrs.len() - 1 {
            // Make the result the last instruction with a no-op cast to itself.
            let d = self.dtypes[result];
            self.instrs.push(Instr::Unary(UnaryOp::Cast(d), result));
            self.dtypes.push(d);
        }
        let n_inputs = self.inputs.len();
        Expr {
            instrs: self.instrs,
            dtypes: self.dtypes,
            n_inputs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_inserts_casts_to_the_common_dtype() {
        let mut b = ExprBuilder::new();
        let x = b.input(0, DType::F32);
        let y = b.input(1, DType::I32);
        let r = b.binary(BinaryOp::Add, x, y).unwrap();
        let e = b.finish(r);
        assert_eq!(e.out_dtype(), DType::F64);
        assert_eq!(e.instrs().len(), 5);
    }

    #[test]
    fn weak_scalars_keep_the_array_dtype() {
        let mut b = ExprBuilder::new();
        let x = b.input(0, DType::F32);
        let r = b
            .binary_scalar(BinaryOp::Mul, x, 2.0.into(), false)
            .unwrap();
        assert_eq!(b.dtype(r), DType::F32);
        let mut b = ExprBuilder::new();
        let x = b.input(0, DType::I16);
        let r = b
            .binary_scalar(BinaryOp::Mul, x, 0.5.into(), false)
            .unwrap();
        assert_eq!(b.dtype(r), DType::F64);
    }

    #[test]
    fn comparisons_give_bool_and_logic_needs_bool() {
        let mut b = ExprBuilder::new();
        let x = b.input(0, DType::F64);
        let y = b.input(1, DType::F64);
        let c = b.binary(BinaryOp::Lt, x, y).unwrap();
        assert_eq!(b.dtype(c), DType::Bool);
        assert!(b.binary(BinaryOp::And, x, y).is_err());
        assert!(b.unary(UnaryOp::Not, x).is_err());
    }

    #[test]
    fn append_composes_programs() {
        let mut inner = ExprBuilder::new();
        let x = inner.input(0, DType::F64);
        let r = inner.unary(UnaryOp::Neg, x).unwrap();
        let inner = inner.finish(r);
        let mut outer = ExprBuilder::new();
        let a = outer.input(0, DType::F64);
        let neg = outer.append(&inner, &[a]);
        let r = outer.binary(BinaryOp::Add, neg, a).unwrap();
        let e = outer.finish(r);
        assert_eq!(e.n_inputs(), 1);
        assert_eq!(e.instrs().len(), 3);
    }
}
