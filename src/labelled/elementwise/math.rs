//! Math in method form (`lat.deg2rad()?.cos()?`), `clip` and `round` with numpy's
//! semantics: `round` halves to even and scales by `10^decimals`; `clip` propagates NaN.

use crate::Result;
use crate::engine::{BinaryOp, FloatFn, Scalar};
use crate::error::ensure;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::missing::fill::map_vars;

macro_rules! math_methods {
    ($($name:ident $f:ident $doc:literal),*) => {
        impl DataArray {$(
            #[doc = $doc]
            pub fn $name(&self) -> Result<DataArray> {
                self.math(FloatFn::$f)
            }
        )*}
        impl Dataset {$(
            #[doc = $doc]
            #[doc = " Applied to every data variable."]
            pub fn $name(&self) -> Result<Dataset> {
                map_vars(self, |v| v.math(FloatFn::$f))
            }
        )*}
    };
}

math_methods!(
    sin Sin "`np.sin` (radians).",
    cos Cos "`np.cos` (radians).",
    tan Tan "`np.tan` (radians).",
    arcsin Arcsin "`np.arcsin`.",
    arccos Arccos "`np.arccos`.",
    arctan Arctan "`np.arctan`.",
    exp Exp "`np.exp`.",
    log Log "`np.log` (natural logarithm).",
    log10 Log10 "`np.log10`.",
    floor Floor "`np.floor`.",
    ceil Ceil "`np.ceil`.",
    deg2rad Deg2Rad "`np.deg2rad`: degrees to radians.",
    rad2deg Rad2Deg "`np.rad2deg`: radians to degrees."
);

impl DataArray {
    /// Rounds to `decimals` places as numpy and xarray do (`da.round(decimals)`): halves
    /// go to the even neighbour, after scaling by `10^decimals` in the array's float type
    /// (so `2.675.round(2)` is 2.67, as numpy). Negative `decimals` round to tens,
    /// hundreds, ...; integers are unchanged for `decimals >= 0`.
    ///
    /// ```
    /// # use tessera::labelled::DataArray;
    /// # use ndarray::{ArrayD, IxDyn};
    /// let x = DataArray::from_ndarray("x", ["i"], ArrayD::from_shape_vec(IxDyn(&[3]), vec![0.5, 1.5, 2.25]).unwrap(), &[3])?;
    /// assert_eq!(x.round(0)?.to_vec::<f64>()?, vec![0.0, 2.0, 2.0]);
    /// assert_eq!(x.round(1)?.to_vec::<f64>()?, vec![0.5, 1.5, 2.2]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn round(&self, decimals: i32) -> Result<DataArray> {
        let dtype = self.dtype();
        if !dtype.is_float() {
            if decimals >= 0 {
                return Ok(self.clone());
            }
            let f = 10f64.powi(-decimals);
            let r = self
                .binary_scalar(BinaryOp::Div, f, false)?
                .math(FloatFn::Round)?
                .binary_scalar(BinaryOp::Mul, f, false)?;
            return r.astype(dtype);
        }
        if decimals == 0 {
            return self.math(FloatFn::Round);
        }
        if decimals > 0 {
            let f = 10f64.powi(decimals);
            self.binary_scalar(BinaryOp::Mul, f, false)?
                .math(FloatFn::Round)?
                .binary_scalar(BinaryOp::Div, f, false)
        } else {
            let f = 10f64.powi(-decimals);
            self.binary_scalar(BinaryOp::Div, f, false)?
                .math(FloatFn::Round)?
                .binary_scalar(BinaryOp::Mul, f, false)
        }
    }

    /// Limits values to `[min, max]` (either bound optional), as `da.clip(min, max)`:
    /// NaN stays NaN; with `min > max` every value becomes `max`, as numpy.
    pub fn clip(&self, min: Option<f64>, max: Option<f64>) -> Result<DataArray> {
        ensure!(
            min.is_some() || max.is_some(),
            "clip needs min or max (both were None)"
        );
        let mut out = self.clone();
        if let Some(lo) = min {
            out = out.binary_scalar(BinaryOp::Maximum, scalar_like(&out, lo), false)?;
        }
        if let Some(hi) = max {
            out = out.binary_scalar(BinaryOp::Minimum, scalar_like(&out, hi), false)?;
        }
        Ok(out)
    }
}

/// A whole-number bound of an integer array stays an integer (numpy's weak scalars).
fn scalar_like(da: &DataArray, v: f64) -> Scalar {
    if !da.dtype().is_float() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        Scalar::Int(v as i64)
    } else {
        Scalar::Float(v)
    }
}

impl Dataset {
    /// [`DataArray::round`] of every data variable.
    pub fn round(&self, decimals: i32) -> Result<Dataset> {
        map_vars(self, |v| v.round(decimals))
    }

    /// [`DataArray::clip`] of every data variable.
    pub fn clip(&self, min: Option<f64>, max: Option<f64>) -> Result<Dataset> {
        map_vars(self, |v| v.clip(min, max))
    }

    /// True where missing, per data variable.
    pub fn isnull(&self) -> Result<Dataset> {
        map_vars(self, |v| v.isnull())
    }

    /// True where not missing, per data variable.
    pub fn notnull(&self) -> Result<Dataset> {
        map_vars(self, |v| v.notnull())
    }
}
