//! Arithmetic, comparisons and math on data arrays: operands are aligned by index
//! (inner join), then broadcast by dimension name. Results keep coordinates and
//! attributes (those the operands disagree on are dropped), as xarray does by default.

use std::ops;

use crate::Result;
use crate::engine::{BinaryOp, DType, FloatFn, Scalar, UnaryOp};
use crate::labelled::core::coords::{Coords, same_values};
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::variable::{Attrs, Variable};
use crate::labelled::structure::align::{Join, align_datasets, align_pair};
use crate::labelled::time::time_arithmetic;

/// Attributes of both operands, without the keys they disagree on (xarray's
/// `drop_conflicts`).
pub(crate) fn merged_attrs(a: &Attrs, b: &Attrs) -> Attrs {
    let mut out = a.clone();
    for (k, v) in b {
        match a.get(k) {
            Some(mine) if mine != v => {
                out.remove(k);
            }
            Some(_) => {}
            None => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// Coordinates of both operands; non-index coordinates the operands disagree on are
/// dropped, as xarray does.
fn merged_coords(a: &Coords, b: &Coords) -> Result<Coords> {
    let mut out = a.clone();
    for (n, c) in b.iter() {
        match out.get(n) {
            None => out.insert_with_index(n.clone(), c.var.clone(), c.index.clone()),
            Some(mine) if mine.index.is_none() && !same_values(&mine.var, &c.var)? => {
                out.remove(n);
            }
            Some(_) => {}
        }
    }
    Ok(out)
}

/// Dimensions both operands have must agree in length (those with an index were
/// aligned already; this catches the unindexed ones, naming the dimension).
fn check_sizes(a: &DataArray, b: &DataArray) -> Result<()> {
    for (d, &n) in a.dims().iter().zip(a.shape()) {
        if let Some(m) = b.variable().size_of(d)
            && m != n
        {
            return Err(crate::Error::ShapeMismatch {
                op: format!("arithmetic along dimension {d:?} (no index to align it)"),
                left: vec![n],
                right: vec![m],
            });
        }
    }
    Ok(())
}

impl DataArray {
    /// A binary operation with another data array (aligned, broadcast by name).
    pub fn binary(&self, op: BinaryOp, other: &DataArray) -> Result<DataArray> {
        if let Some(r) = time_arithmetic(self, op, other) {
            return r;
        }
        self.binary_numbers(op, other)
    }

    /// [`binary`](Self::binary) on the stored numbers, whatever they mean (datetimes
    /// and timedeltas as plain microseconds).
    pub(crate) fn binary_numbers(&self, op: BinaryOp, other: &DataArray) -> Result<DataArray> {
        let (a, b) = align_pair(self, other, Join::Inner)?;
        check_sizes(&a, &b)?;
        let mut dims: Vec<String> = a.dims().to_vec();
        dims.extend(b.dims().iter().filter(|d| !a.dims().contains(d)).cloned());
        let (x, y) = (
            a.variable().expand_to(&dims)?,
            b.variable().expand_to(&dims)?,
        );
        let data = x.binary(op, &y)?;
        let name = if a.name() == b.name() {
            a.name().map(str::to_string)
        } else {
            None
        };
        Ok(DataArray::from_parts(
            name,
            Variable::new(dims, data)?.with_attrs(merged_attrs(a.attrs(), b.attrs())),
            merged_coords(a.coords(), b.coords())?,
        ))
    }

    /// A binary operation with a scalar (`scalar_left` for `s op self`).
    pub fn binary_scalar(
        &self,
        op: BinaryOp,
        s: impl Into<Scalar>,
        scalar_left: bool,
    ) -> Result<DataArray> {
        let data = self.data().binary_scalar(op, s, scalar_left)?;
        Ok(self.with_variable(
            Variable::new(self.dims().to_vec(), data)?.with_attrs(self.attrs().clone()),
        ))
    }

    /// An elementwise unary operation.
    pub fn unary(&self, op: UnaryOp) -> Result<DataArray> {
        let data = self.data().unary(op)?;
        Ok(self.with_variable(
            Variable::new(self.dims().to_vec(), data)?.with_attrs(self.attrs().clone()),
        ))
    }

    /// A float math function.
    pub fn math(&self, f: FloatFn) -> Result<DataArray> {
        self.unary(UnaryOp::Math(f))
    }

    /// `abs`.
    pub fn abs(&self) -> Result<DataArray> {
        self.unary(UnaryOp::Abs)
    }

    /// `sqrt`.
    pub fn sqrt(&self) -> Result<DataArray> {
        self.math(FloatFn::Sqrt)
    }

    /// True where missing (NaN).
    pub fn isnull(&self) -> Result<DataArray> {
        self.unary(UnaryOp::IsNan)
    }

    /// True where not missing.
    pub fn notnull(&self) -> Result<DataArray> {
        self.unary(UnaryOp::NotNan)
    }

    /// Replaces NaN with a value.
    pub fn fillna(&self, value: impl Into<Scalar>) -> Result<DataArray> {
        let value = value.into();
        // Integers hold no NaN, but a float fill makes the result float, as in numpy.
        let data = match value {
            Scalar::Float(_) if !self.dtype().is_float() => self.data().cast(DType::F64)?,
            _ => self.data().fillna(value)?,
        };
        Ok(self.with_variable(self.variable().with_data(data)?))
    }

    /// Keeps values where `cond` is true, NaN (or `other`) elsewhere; `cond` is
    /// aligned and broadcast like any operand.
    pub fn where_(&self, cond: &DataArray, other: Option<Scalar>) -> Result<DataArray> {
        let (a, c) = align_pair(self, cond, Join::Inner)?;
        let mut dims: Vec<String> = a.dims().to_vec();
        dims.extend(c.dims().iter().filter(|d| !a.dims().contains(d)).cloned());
        let x = a.variable().expand_to(&dims)?;
        let m = c.variable().expand_to(&dims)?.cast(DType::Bool)?;
        let fill = other.unwrap_or(Scalar::Float(f64::NAN));
        let x = if !matches!(
            other,
            Some(Scalar::Int(_) | Scalar::UInt(_) | Scalar::Bool(_))
        ) && !x.dtype().is_float()
        {
            x.cast(DType::F64)?
        } else {
            x
        };
        let data = m.select_scalar(&x, fill)?;
        let data =
            data.broadcast_to(&dims.iter().map(|d| shape_of(&a, &c, d)).collect::<Vec<_>>())?;
        Ok(DataArray::from_parts(
            a.name().map(str::to_string),
            Variable::new(dims, data)?
                .with_attrs(a.attrs().clone())
                .with_encoding(a.variable().datetime_encoding()),
            merged_coords(a.coords(), c.coords())?,
        ))
    }
}

fn shape_of(a: &DataArray, b: &DataArray, d: &str) -> usize {
    a.variable()
        .size_of(d)
        .or_else(|| b.variable().size_of(d))
        .unwrap_or(1)
}

macro_rules! impl_ops {
    ($($tr:ident $method:ident $op:ident),*) => {$(
        impl ops::$tr<&DataArray> for &DataArray {
            type Output = Result<DataArray>;
            fn $method(self, rhs: &DataArray) -> Result<DataArray> {
                self.binary(BinaryOp::$op, rhs)
            }
        }
        impl ops::$tr<f64> for &DataArray {
            type Output = Result<DataArray>;
            fn $method(self, rhs: f64) -> Result<DataArray> {
                self.binary_scalar(BinaryOp::$op, rhs, false)
            }
        }
        impl ops::$tr<&DataArray> for f64 {
            type Output = Result<DataArray>;
            fn $method(self, rhs: &DataArray) -> Result<DataArray> {
                rhs.binary_scalar(BinaryOp::$op, self, true)
            }
        }
    )*};
}
impl_ops!(Add add Add, Sub sub Sub, Mul mul Mul, Div div Div);

impl Dataset {
    /// A binary operation between the data variables both datasets hold, after
    /// aligning their indexes (inner join), as `ds1 + ds2` does.
    pub fn binary(&self, op: BinaryOp, other: &Dataset) -> Result<Dataset> {
        let (a, b) = align_datasets(self, other, Join::Inner)?;
        let mut out = a.with_coords(merged_coords(a.coords(), b.coords())?);
        out.clear_data_vars();
        *out.attrs_mut() = merged_attrs(a.attrs(), b.attrs());
        for name in a.data_var_names() {
            if b.contains(&name) {
                out.insert_array(&a.get(&name)?.binary(op, &b.get(&name)?)?.rename(&name))?;
            }
        }
        Ok(out)
    }
}

impl Dataset {
    /// A binary operation between every data variable and a data array (`ds - da`,
    /// or `da - ds` with `reflected`); the array's attributes join the dataset's.
    pub fn binary_array(
        &self,
        op: BinaryOp,
        other: &DataArray,
        reflected: bool,
    ) -> Result<Dataset> {
        let mut out = self.map(|v| {
            if reflected {
                other.binary(op, v)
            } else {
                v.binary(op, other)
            }
        })?;
        *out.attrs_mut() = merged_attrs(self.attrs(), other.attrs());
        Ok(out)
    }

    /// A binary operation between every data variable and a scalar.
    pub fn binary_scalar(
        &self,
        op: BinaryOp,
        s: impl Into<Scalar>,
        scalar_left: bool,
    ) -> Result<Dataset> {
        let s = s.into();
        self.map(|v| v.binary_scalar(op, s, scalar_left))
    }
}
