//! `dropna`: drops the labels along a dimension whose values are missing (`how="any"`),
//! all missing (`"all"`), or that have fewer than `thresh` valid values. The count of
//! valid values per label is a reduction computed here (a small 1-d array), as in
//! xarray; the selection that follows stays lazy.

use std::fmt;
use std::str::FromStr;

use crate::engine::{ReduceKind, ReduceOptions};
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::select::Positions;
use crate::labelled::core::variable::Variable;
use crate::labelled::missing::push::require_dim;
use crate::{Error, Result};

/// Which labels `dropna` drops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// Labels with any missing value.
    Any,
    /// Labels whose values are all missing.
    All,
}

impl FromStr for How {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "any" => Ok(How::Any),
            "all" => Ok(How::All),
            other => Err(Error::InvalidArgument(format!(
                "invalid how option {other:?} for dropna (use \"any\" or \"all\")"
            ))),
        }
    }
}

impl fmt::Display for How {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            How::Any => "any",
            How::All => "all",
        })
    }
}

/// Valid values per position along `dim` of `var`, and the number of values per position.
fn counts(var: &Variable, dim: &str) -> Result<(Vec<f64>, usize)> {
    let axis = var.axis(dim)?;
    let others: Vec<usize> = (0..var.ndim()).filter(|&a| a != axis).collect();
    let size: usize = others.iter().map(|&a| var.shape()[a]).product();
    let count = var
        .data()
        .reduce(ReduceKind::Count, &others, ReduceOptions::default())?
        .compute()?
        .to_f64_vec();
    Ok((count, size))
}

/// The positions to keep, given summed counts and sizes.
fn kept(count: &[f64], size: usize, how: How, thresh: Option<usize>) -> Positions {
    let keep = |c: f64| match thresh {
        Some(t) => c >= t as f64,
        None => match how {
            How::Any => c == size as f64,
            How::All => c > 0.0,
        },
    };
    Positions::List(
        count
            .iter()
            .enumerate()
            .filter(|(_, c)| keep(**c))
            .map(|(i, _)| i)
            .collect(),
    )
}

impl DataArray {
    /// Drops the labels along `dim` with missing values (xarray's
    /// `da.dropna(dim, how=..., thresh=...)`): `thresh`, when given, keeps labels with at
    /// least that many valid values and overrides `how`.
    ///
    /// ```
    /// # use tessera::labelled::{DataArray, How};
    /// # use ndarray::{ArrayD, IxDyn};
    /// let nan = f64::NAN;
    /// let x = DataArray::from_ndarray("x", ["t"], ArrayD::from_shape_vec(IxDyn(&[4]), vec![1.0, nan, 3.0, nan]).unwrap(), &[2])?;
    /// assert_eq!(x.dropna("t", How::Any, None)?.to_vec::<f64>()?, vec![1.0, 3.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn dropna(&self, dim: &str, how: How, thresh: Option<usize>) -> Result<DataArray> {
        self.dim_len(dim)?;
        let (count, size) = counts(self.variable(), dim)?;
        self.isel_positions(dim, &kept(&count, size, how, thresh))
    }
}

impl Dataset {
    /// Drops the labels along `dim` with missing values in the data variables that have
    /// `dim` (xarray's `ds.dropna(dim, how, thresh)`, counts summed over the variables).
    pub fn dropna(&self, dim: &str, how: How, thresh: Option<usize>) -> Result<Dataset> {
        let n = require_dim(self, dim)?;
        let mut count = vec![0.0; n];
        let mut size = 0;
        for (_, v) in self.data_vars() {
            if v.has_dim(dim) {
                let (c, s) = counts(v, dim)?;
                count.iter_mut().zip(c).for_each(|(a, b)| *a += b);
                size += s;
            }
        }
        self.isel_positions(dim, &kept(&count, size, how, thresh))
    }
}
