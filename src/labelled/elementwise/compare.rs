//! Comparisons as methods (`da.gt(0.0)?`, `da.le(&other)?`) and boolean logic as
//! operators on references (`!&mask`, `&a & &b`, `&a | &b`, `&a ^ &b`), booleans only.

use std::ops;

use crate::engine::{BinaryOp, DType, Scalar, UnaryOp};
use crate::labelled::core::dataarray::DataArray;
use crate::{Error, Result};

/// The right operand of a comparison method: a scalar (`1.0`, `3`, `true`) or another
/// data array (aligned and broadcast by name, as any arithmetic operand).
#[derive(Clone, Copy, Debug)]
pub enum Operand<'a> {
    /// A constant (a Python scalar: it adopts the array's dtype where it fits).
    Scalar(Scalar),
    /// Another array.
    Array(&'a DataArray),
}

macro_rules! operand_from_scalar {
    ($($t:ty),*) => {$(
        impl From<$t> for Operand<'_> {
            fn from(v: $t) -> Self {
                Operand::Scalar(v.into())
            }
        }
    )*};
}
operand_from_scalar!(f64, f32, i64, i32, bool, Scalar);

impl<'a> From<&'a DataArray> for Operand<'a> {
    fn from(v: &'a DataArray) -> Self {
        Operand::Array(v)
    }
}

impl DataArray {
    /// `self op other` with `other` a scalar or an array.
    pub fn binary_with<'a>(
        &self,
        op: BinaryOp,
        other: impl Into<Operand<'a>>,
    ) -> Result<DataArray> {
        match other.into() {
            Operand::Scalar(s) => self.binary_scalar(op, s, false),
            Operand::Array(a) => self.binary(op, a),
        }
    }

    /// `self == other` elementwise (xarray's `da == other`; NaN equals nothing).
    ///
    /// ```
    /// # use tessera::labelled::DataArray;
    /// # use ndarray::{ArrayD, IxDyn};
    /// let mask = DataArray::from_ndarray("mask", ["x"], ArrayD::from_shape_vec(IxDyn(&[3]), vec![1.0, 0.0, 1.0]).unwrap(), &[2])?;
    /// let ocean = mask.eq(1.0)?;
    /// assert_eq!(ocean.to_vec::<bool>()?, vec![true, false, true]);
    /// assert_eq!((!&ocean)?.to_vec::<bool>()?, vec![false, true, false]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn eq<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray> {
        self.binary_with(BinaryOp::Eq, other)
    }

    /// `self != other` elementwise (NaN differs from everything).
    #[allow(clippy::should_implement_trait)]
    pub fn ne<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray> {
        self.binary_with(BinaryOp::Ne, other)
    }

    /// `self > other` elementwise.
    #[allow(clippy::should_implement_trait)]
    pub fn gt<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray> {
        self.binary_with(BinaryOp::Gt, other)
    }

    /// `self >= other` elementwise.
    #[allow(clippy::should_implement_trait)]
    pub fn ge<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray> {
        self.binary_with(BinaryOp::Ge, other)
    }

    /// `self < other` elementwise.
    #[allow(clippy::should_implement_trait)]
    pub fn lt<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray> {
        self.binary_with(BinaryOp::Lt, other)
    }

    /// `self <= other` elementwise.
    #[allow(clippy::should_implement_trait)]
    pub fn le<'a>(&self, other: impl Into<Operand<'a>>) -> Result<DataArray> {
        self.binary_with(BinaryOp::Le, other)
    }

    /// Logical not of a boolean array (`~mask`); any other dtype is an error naming it.
    pub fn logical_not(&self) -> Result<DataArray> {
        require_bool(self, "logical not (`!`)")?;
        self.unary(UnaryOp::Not)
    }

    /// A logical operation between two boolean arrays (aligned, broadcast by name).
    fn logical(&self, op: BinaryOp, other: &DataArray, what: &str) -> Result<DataArray> {
        require_bool(self, what)?;
        require_bool(other, what)?;
        self.binary(op, other)
    }
}

fn require_bool(da: &DataArray, what: &str) -> Result<()> {
    if da.dtype() == DType::Bool {
        return Ok(());
    }
    Err(Error::UnsupportedDType {
        op: format!(
            "{what} on {} (booleans only; compare first, e.g. `da.gt(0.0)?`)",
            da.name()
                .map_or_else(|| "an unnamed array".to_string(), |n| format!("{n:?}"))
        ),
        dtype: da.dtype(),
    })
}

impl ops::Not for &DataArray {
    type Output = Result<DataArray>;
    fn not(self) -> Result<DataArray> {
        self.logical_not()
    }
}

macro_rules! impl_logic {
    ($($tr:ident $method:ident $op:ident $sym:literal),*) => {$(
        impl ops::$tr<&DataArray> for &DataArray {
            type Output = Result<DataArray>;
            fn $method(self, rhs: &DataArray) -> Result<DataArray> {
                self.logical(BinaryOp::$op, rhs, concat!("logical `", $sym, "`"))
            }
        }
    )*};
}
impl_logic!(BitAnd bitand And "&", BitOr bitor Or "|", BitXor bitxor Xor "^");

#[cfg(test)]
mod tests {
    use crate::labelled::structure::test_arrays::array;

    #[test]
    fn comparisons_and_logic() {
        let a = array(
            "a",
            "x",
            vec![1.0, f64::NAN, 3.0, 4.0],
            vec![0.0, 1.0, 2.0, 3.0],
        );
        let b = array("b", "x", vec![2.0, 2.0, 2.0, 2.0], vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(
            a.gt(&b).unwrap().to_vec::<bool>().unwrap(),
            [false, false, true, true]
        );
        assert_eq!(
            a.ne(3.0).unwrap().to_vec::<bool>().unwrap(),
            [true, true, false, true]
        );
        let m = (&a.ge(2.0).unwrap() & &a.lt(4.0).unwrap()).unwrap();
        assert_eq!(m.to_vec::<bool>().unwrap(), [false, false, true, false]);
        let e = (!&a).unwrap_err().to_string();
        assert!(e.contains("\"a\"") && e.contains("float64"), "{e}");
        assert!((&a | &b).is_err());
    }
}
