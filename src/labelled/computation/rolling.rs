//! Rolling windows along a named dimension (`da.rolling(time=365, center=True)`), each
//! task reading its chunk and a halo of neighbouring data only.

use crate::engine::RollingKind;
use crate::error::ensure;
use crate::labelled::core::dataarray::DataArray;
use crate::{Error, Result};

/// A rolling window over a data array, made by [`DataArray::rolling`].
#[derive(Clone, Debug)]
pub struct Rolling {
    da: DataArray,
    dim: String,
    window: usize,
    center: bool,
    min_periods: Option<usize>,
}

impl DataArray {
    /// Windows of `window` positions along `dim`, trailing unless
    /// [`center`](Rolling::center) is set; a window needs `window` valid values unless
    /// [`min_periods`](Rolling::min_periods) says fewer (xarray's defaults). A window
    /// longer than the dimension is allowed, as in xarray: with the default
    /// `min_periods` no window is full, so every value is NaN.
    pub fn rolling(&self, dim: &str, window: usize) -> Result<Rolling> {
        self.dim_len(dim)?;
        ensure!(
            window != 0,
            "rolling window of {window} along {dim:?}: the window must be at least 1"
        );
        Ok(Rolling {
            da: self.clone(),
            dim: dim.to_string(),
            window,
            center: false,
            min_periods: None,
        })
    }
}

impl Rolling {
    /// Centres each window on its label (`[i - window/2, i + (window-1)/2]`).
    pub fn center(mut self, center: bool) -> Self {
        self.center = center;
        self
    }

    /// The fewest valid values a window needs (default: the window length).
    pub fn min_periods(mut self, n: usize) -> Self {
        self.min_periods = Some(n);
        self
    }

    pub(crate) fn reduce_kind(&self, kind: RollingKind) -> Result<DataArray> {
        if let Some(m) = self.min_periods.filter(|&m| m == 0 || m > self.window) {
            return Err(Error::invalid(format!(
                "min_periods {m} must be between 1 and the window length {}",
                self.window
            )));
        }
        let axis = self.da.variable().axis(&self.dim)?;
        let data = self.da.data().rolling(
            axis,
            self.window,
            self.center,
            self.min_periods.unwrap_or(self.window),
            kind,
        )?;
        Ok(self.da.with_variable(self.da.variable().with_data(data)?))
    }

    /// Mean of each window's valid values.
    pub fn mean(&self) -> Result<DataArray> {
        self.reduce_kind(RollingKind::Mean)
    }

    /// Sum of each window's valid values.
    pub fn sum(&self) -> Result<DataArray> {
        self.reduce_kind(RollingKind::Sum)
    }

    /// Number of valid values in each window.
    pub fn count(&self) -> Result<DataArray> {
        self.reduce_kind(RollingKind::Count)
    }

    /// Standard deviation of each window's valid values (`ddof` 0 in xarray's default).
    pub fn std(&self, ddof: usize) -> Result<DataArray> {
        self.reduce_kind(RollingKind::Std(ddof))
    }

    /// Variance of each window's valid values.
    pub fn var(&self, ddof: usize) -> Result<DataArray> {
        self.reduce_kind(RollingKind::Var(ddof))
    }

    /// Smallest valid value of each window.
    pub fn min(&self) -> Result<DataArray> {
        self.reduce_kind(RollingKind::Min)
    }

    /// Largest valid value of each window.
    pub fn max(&self) -> Result<DataArray> {
        self.reduce_kind(RollingKind::Max)
    }
}
