//! Weighted reductions with xarray's semantics: weights of missing values are left
//! out of the denominator, so an area-weighted mean over a land-masked ocean field is
//! the mean over the ocean.

use super::reduce::Dims;
use crate::engine::{BinaryOp, DType, ReduceKind};
use crate::error::ensure;
use crate::labelled::core::dataarray::DataArray;
use crate::{Error, Result};

/// A data array paired with weights: `da.weighted(&w)?.mean(["lat", "lon"])`.
///
/// ```
/// use ndarray::{Array, IxDyn, array};
/// use tessera::labelled::DataArray;
///
/// // A missing value leaves its weight out of the denominator, as in xarray.
/// let sst = DataArray::from_ndarray("sst", ["lat"], array![10.0, f64::NAN, 30.0].into_dyn(), &[3])?;
/// let w = DataArray::from_ndarray("w", ["lat"], array![1.0, 5.0, 3.0].into_dyn(), &[3])?;
/// let mean = sst.weighted(&w)?.mean("lat")?.values::<f64>()?;
/// assert_eq!(mean[[]], (10.0 + 90.0) / 4.0);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Weighted {
    data: DataArray,
    weights: DataArray,
}

impl DataArray {
    /// Weighted reductions. Weights may not contain NaN (checked now: weights are
    /// usually small, such as cos(latitude)); fill them with 0 first.
    pub fn weighted(&self, weights: &DataArray) -> Result<Weighted> {
        let any_nan = weights.isnull()?.any(Dims::All)?.values::<bool>()?;
        ensure!(
            !any_nan.iter().any(|&b| b),
            "weights {:?} contain missing values; replace them with weights.fillna(0.0)",
            weights.name().unwrap_or("weights")
        );
        Ok(Weighted {
            data: self.clone(),
            weights: weights.clone(),
        })
    }
}

impl Weighted {
    /// A result named and attributed like the weighted data, as xarray returns it.
    fn like_data(&self, r: DataArray) -> DataArray {
        r.rename_opt(self.data.name())
            .with_attrs(self.data.attrs().clone())
    }

    fn dims(&self, dims: impl Into<Dims>) -> Result<Dims> {
        let dims = dims.into();
        if let Dims::Names(ns) = &dims {
            for d in ns {
                ensure!(
                    self.data.dims().contains(d) || self.weights.dims().contains(d),
                    Error::UnknownDimension {
                        dim: d.clone(),
                        dims: self.data.dims().to_vec(),
                    }
                );
            }
        }
        Ok(dims)
    }

    /// The reduced dims split into those of the data that the weights lack (`free`)
    /// and the rest.
    fn split_dims(&self, dims: Dims) -> (Vec<String>, Vec<String>) {
        let names = match dims {
            Dims::Names(ns) => ns,
            Dims::All => {
                let mut ns = self.data.dims().to_vec();
                ns.extend(
                    self.weights
                        .dims()
                        .iter()
                        .filter(|d| !self.data.dims().contains(d))
                        .cloned(),
                );
                ns
            }
        };
        names
            .into_iter()
            .partition(|d| self.data.dims().contains(d) && !self.weights.dims().contains(d))
    }

    /// Σ over `dims` of `q(data) * weights`. The weights are constant along the
    /// `free` dims, so those are summed first by `inner` (which sums `q(data)` over
    /// them) and only that smaller result meets the weights: Σ_lat Σ_lon w(lat) x is
    /// Σ_lat w(lat) Σ_lon x. The pass over the data is then a plain sum, with no
    /// broadcast product per element.
    fn total(
        &self,
        dims: impl Into<Dims>,
        per_element: impl Fn(&DataArray) -> Result<DataArray>,
        inner: impl Fn(&DataArray, Vec<String>) -> Result<DataArray>,
    ) -> Result<DataArray> {
        let (free, rest) = self.split_dims(self.dims(dims)?);
        let partial = if free.is_empty() {
            per_element(&self.data)?
        } else {
            inner(&self.data, free)?
        };
        let prod = partial.binary(BinaryOp::Mul, &self.weights)?;
        Ok(self.like_data(if rest.is_empty() {
            prod
        } else {
            prod.sum(rest)?
        }))
    }

    /// Sum of the weights of the non-missing values.
    pub fn sum_of_weights(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        let wdtype = self.weights.dtype();
        self.total(
            dims,
            |x| x.notnull()?.astype(wdtype),
            |x, free| x.count(free)?.astype(wdtype),
        )
    }

    /// Weighted sum (missing values contribute nothing).
    pub fn sum(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        // The partial sums keep the product's precision (float32 data, float64
        // weights: float64 sums, as xarray's dot gives).
        let dtype = DType::promote(self.data.dtype(), self.weights.dtype());
        self.total(
            dims,
            |x| x.fillna(0.0),
            |x, free| x.astype(dtype)?.sum(free),
        )
    }

    /// Weighted mean: weighted sum over the sum of weights of non-missing values.
    pub fn mean(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        let dims = self.dims(dims)?;
        let num = self.sum(dims.clone())?;
        let den = self.sum_of_weights(dims)?;
        let zero = den.binary_scalar(BinaryOp::Eq, 0.0, false)?;
        let mean = num.binary(BinaryOp::Div, &den)?;
        // No valid value: NaN, as xarray.
        Ok(self.like_data(mean.where_(&zero.unary(crate::engine::UnaryOp::Not)?, None)?))
    }

    /// Weighted variance (population, as xarray's `weighted().var()`).
    pub fn var(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        let dims = self.dims(dims)?;
        let mean = self.mean(dims.clone())?;
        let dev = self.data.binary(BinaryOp::Sub, &mean)?;
        let sq = dev.binary(BinaryOp::Mul, &dev)?;
        Weighted {
            data: sq,
            weights: self.weights.clone(),
        }
        .mean(dims)
    }

    /// Weighted standard deviation.
    pub fn std(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        Ok(self.like_data(self.var(dims)?.sqrt()?))
    }

    /// Any of the plain reductions, for symmetry with xarray's API.
    pub fn reduce(&self, kind: ReduceKind, dims: impl Into<Dims>) -> Result<DataArray> {
        match kind {
            ReduceKind::Sum => self.sum(dims),
            ReduceKind::Mean => self.mean(dims),
            ReduceKind::Var => self.var(dims),
            ReduceKind::Std => self.std(dims),
            other => Err(Error::invalid(format!("weighted {other:?} is not defined"))),
        }
    }
}

impl DataArray {
    pub(crate) fn rename_opt(self, name: Option<&str>) -> Self {
        match name {
            Some(n) => self.rename(n),
            None => self,
        }
    }
}
