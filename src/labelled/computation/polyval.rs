//! Polynomials evaluated at coordinate values (`xr.polyval`): coefficients along a
//! `degree` dimension, as [`DataArray::polyfit`] writes them, combined with the values
//! by Horner's rule in lazy elementwise operations (one fused kernel per chunk).

use crate::engine::{BinaryOp, DType};
use crate::error::ensure;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::IndexValues;
use crate::labelled::core::select::Positions;
use crate::labelled::core::variable::Variable;
use crate::time::NAT;
use crate::{Error, Result};

/// Coefficients [`polyval`] evaluates: a data array, or a dataset whose every data
/// variable is one (such as [`DataArray::polyfit`]'s result).
pub trait PolyCoefficients {
    /// A data array for a data array, a dataset for a dataset.
    type Output;

    /// The polynomial(s) at `x` (already numbers), degrees along `degree_dim`.
    fn evaluate(&self, x: &DataArray, degree_dim: &str) -> Result<Self::Output>;
}

/// Evaluates the polynomial with coefficients along `degree` at the values of
/// `coord`, as `xr.polyval(coord, coeffs)`. Datetimes become nanoseconds since
/// 1970-01-01, the x that [`DataArray::polyfit`] fits against, so
/// `polyval(&da.coord(dim)?, &da.polyfit(dim, deg)?)` is the fitted curve. The
/// result has `coord`'s dims first, then the coefficients' other dims.
///
/// ```
/// use ndarray::{ArrayD, IxDyn};
/// use tessera::labelled::{DataArray, polyval};
///
/// let y = DataArray::from_ndarray("y", ["x"], ArrayD::from_shape_vec(IxDyn(&[4]), vec![1.0, 3.0, 5.0, 7.0]).unwrap(), &[2])?
///     .with_coord_values("x", vec![0.0, 1.0, 2.0, 3.0])?;
/// let fit = y.polyfit("x", 1)?;
/// let back = polyval(&y.coord("x")?, &fit)?.get("polyfit_coefficients")?.values::<f64>()?;
/// assert!((back[[3]] - 7.0).abs() < 1e-9);
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn polyval<C: PolyCoefficients>(coord: &DataArray, coeffs: &C) -> Result<C::Output> {
    polyval_dim(coord, coeffs, "degree")
}

/// [`polyval`] with the degrees along `degree_dim` (`degree_dim=`).
pub fn polyval_dim<C: PolyCoefficients>(
    coord: &DataArray,
    coeffs: &C,
    degree_dim: &str,
) -> Result<C::Output> {
    coeffs.evaluate(&numeric_x(coord)?, degree_dim)
}

/// The values of `coord` as numbers: datetimes as nanoseconds since 1970 (NaT as
/// NaN), integers as float64; its coordinates and attributes kept.
fn numeric_x(coord: &DataArray) -> Result<DataArray> {
    let var = coord.variable();
    ensure!(
        !var.is_strings(),
        Error::NotNumeric {
            op: "polyval (numbers or dates)".into(),
            what: format!("{:?}", coord.name().unwrap_or("the coordinate")),
            found: "strings".into(),
        }
    );
    let data = if var.is_datetime() {
        let t = var.data().cast(DType::F64)?;
        let valid = t.binary_scalar(BinaryOp::Ne, NAT as f64, false)?;
        valid
            .select_scalar(&t, f64::NAN)?
            .binary_scalar(BinaryOp::Mul, 1000.0, false)?
    } else if var.dtype().is_float() {
        var.data().clone()
    } else {
        var.data().cast(DType::F64)?
    };
    let numbers = Variable::new(var.dims().to_vec(), data)?.with_attrs(var.attrs().clone());
    Ok(DataArray::from_parts(
        coord.name().map(str::to_string),
        numbers,
        coord.coords().clone(),
    ))
}

impl PolyCoefficients for DataArray {
    type Output = DataArray;

    fn evaluate(&self, x: &DataArray, degree_dim: &str) -> Result<DataArray> {
        horner(self, x, degree_dim, &degrees(self.coords(), degree_dim)?)
    }
}

/// `c[max] + x (c[max-1] + x (…))` with `c[d]` the coefficients of degree `d`.
fn horner(c: &DataArray, x: &DataArray, degree_dim: &str, degrees: &[usize]) -> Result<DataArray> {
    let max_deg = degrees.iter().copied().max().unwrap_or(0);
    let coefficient = |d: usize| -> Result<DataArray> {
        if !c.dims().iter().any(|n| n == degree_dim) {
            // A variable without degrees is the same coefficient at every degree.
            return Ok(c.clone());
        }
        match degrees.iter().position(|&g| g == d) {
            Some(p) => c
                .isel_positions(degree_dim, &Positions::At(p))?
                .drop_vars(&[degree_dim]),
            // A degree the coefficients skip has coefficient 0 (xarray reindexes).
            None => c
                .isel_positions(degree_dim, &Positions::At(0))?
                .drop_vars(&[degree_dim])?
                .binary_scalar(BinaryOp::Mul, 0.0, false)?
                .fillna(0.0),
        }
    };
    // zeros_like(x) + c[max] puts x's dims and coordinates first, as xarray.
    let zeros = x.binary_scalar(BinaryOp::Mul, 0.0, false)?.fillna(0.0)?;
    let mut acc = zeros.binary(BinaryOp::Add, &coefficient(max_deg)?)?;
    for d in (0..max_deg).rev() {
        acc = acc
            .binary(BinaryOp::Mul, x)?
            .binary(BinaryOp::Add, &coefficient(d)?)?;
    }
    Ok(acc)
}

impl PolyCoefficients for Dataset {
    type Output = Dataset;

    /// Each data variable evaluated; the coefficients' coordinates (less the degrees)
    /// come first, then `x`'s, as xarray orders them.
    fn evaluate(&self, x: &DataArray, degree_dim: &str) -> Result<Dataset> {
        let mut out = Dataset::new();
        for (name, c) in self.coords().iter() {
            if !c.var.has_dim(degree_dim) && name != degree_dim {
                out.coords_mut()
                    .insert_with_index(name.clone(), c.var.clone(), c.index.clone());
            }
        }
        let degrees = degrees(self.coords(), degree_dim)?;
        for name in self.data_var_names() {
            let r = horner(&self.get(&name)?, x, degree_dim, &degrees)?.rename(&name);
            out.insert_array(&r)?;
        }
        *out.attrs_mut() = self.attrs().clone();
        Ok(out)
    }
}

/// The degree of each position along `degree_dim`, from its coordinate, which must
/// hold non-negative whole numbers.
fn degrees(coords: &Coords, degree_dim: &str) -> Result<Vec<usize>> {
    let Some(index) = coords.index(degree_dim) else {
        return Err(Error::invalid(format!(
            "polyval needs a {degree_dim:?} coordinate on the coefficients; they have {:?}",
            coords.names()
        )));
    };
    let IndexValues::Num(values) = index.values() else {
        return Err(Error::invalid(format!(
            "the {degree_dim:?} coordinate of polyval's coefficients must hold integers"
        )));
    };
    values
        .iter()
        .map(|&v| {
            if v >= 0.0 && v.fract() == 0.0 && v < u32::MAX as f64 {
                Ok(v as usize)
            } else {
                Err(Error::invalid(format!(
                    "the {degree_dim:?} coordinate of polyval's coefficients must hold non-negative integers; it has {v}"
                )))
            }
        })
        .collect()
}
