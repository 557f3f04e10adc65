//! `ffill` / `bfill` along a dimension, with xarray's `limit`: one engine forward-fill
//! scan (the carry into a chunk is the last valid value before it), a second scan of
//! the positions of valid values where a limit is set, and a reversal for `bfill`.

use ndarray::{ArrayD, IxDyn};

use crate::engine::{ArrayData, BinaryOp, ChunkGrid, LazyArray, UnaryOp};
use crate::error::ensure;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// The positions `0..n` along `axis` of `like`, shaped to broadcast against it and
/// chunked as it is along that axis (a small index array).
pub(crate) fn positions(like: &LazyArray, axis: usize) -> Result<LazyArray> {
    let n = like.shape()[axis];
    let trailing = like.ndim() - axis - 1;
    let mut shape = vec![n];
    shape.extend(std::iter::repeat_n(1, trailing));
    let a = ArrayD::from_shape_vec(IxDyn(&shape), (0..n).map(|i| i as f64).collect())
        .expect("shape matches length");
    let mut grid = vec![like.chunks().axis_chunks(axis).to_vec()];
    grid.extend(std::iter::repeat_n(vec![1], trailing));
    LazyArray::from_data(ArrayData::new(a), ChunkGrid::new(grid)?)
}

/// `x` reversed along `axis`.
pub(crate) fn reversed(x: &LazyArray, axis: usize) -> Result<LazyArray> {
    let n = x.shape()[axis];
    x.take(axis, &(0..n).rev().collect::<Vec<_>>())
}

/// Forward fill of `x` along `axis`, at most `limit` steps past a valid value.
pub(crate) fn forward_fill(x: &LazyArray, axis: usize, limit: Option<usize>) -> Result<LazyArray> {
    if !x.dtype().is_float() {
        return Ok(x.clone());
    }
    let filled = x.ffill(axis)?;
    let Some(limit) = limit else {
        return Ok(filled);
    };
    // Distance from the last valid value: positions where valid, forward filled.
    let pos = positions(x, axis)?;
    let valid = x.unary(UnaryOp::NotNan)?;
    let valid_pos = valid.select_scalar(&pos.broadcast_to(x.shape())?, f64::NAN)?;
    let last = valid_pos.ffill(axis)?;
    let within =
        pos.binary(BinaryOp::Sub, &last)?
            .binary_scalar(BinaryOp::Le, limit as f64, false)?;
    within.select_scalar(&filled, f64::NAN)
}

/// Backward fill: the forward fill of the reversed array, reversed back.
pub(crate) fn backward_fill(x: &LazyArray, axis: usize, limit: Option<usize>) -> Result<LazyArray> {
    if !x.dtype().is_float() {
        return Ok(x.clone());
    }
    reversed(&forward_fill(&reversed(x, axis)?, axis, limit)?, axis)
}

fn check_limit(limit: Option<usize>) -> Result<()> {
    ensure!(
        limit != Some(0),
        Error::InvalidArgument("limit must be greater than 0 (got 0)".into())
    );
    Ok(())
}

fn fill_variable(
    var: &Variable,
    dim: &str,
    limit: Option<usize>,
    forward: bool,
) -> Result<Variable> {
    let axis = var.axis(dim)?;
    let data = if forward {
        forward_fill(var.data(), axis, limit)?
    } else {
        backward_fill(var.data(), axis, limit)?
    };
    var.with_data(data)
}

impl DataArray {
    /// Fills NaN with the last valid value before it along `dim` (xarray's
    /// `da.ffill(dim, limit)`), filling at most `limit` consecutive NaNs. Lazy: the
    /// fill carries across chunk boundaries without loading the whole dimension.
    ///
    /// ```
    /// # use tessera::labelled::DataArray;
    /// # use ndarray::{ArrayD, IxDyn};
    /// let nan = f64::NAN;
    /// let x = DataArray::from_ndarray("x", ["t"], ArrayD::from_shape_vec(IxDyn(&[6]), vec![nan, 1.0, nan, nan, nan, 5.0]).unwrap(), &[2])?;
    /// let f = x.ffill("t", Some(2))?.to_vec::<f64>()?;
    /// assert!(f[0].is_nan() && f[4].is_nan()); // before the first value; past the limit
    /// assert_eq!((&f[1..4], f[5]), (&[1.0, 1.0, 1.0][..], 5.0));
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn ffill(&self, dim: &str, limit: Option<usize>) -> Result<DataArray> {
        check_limit(limit)?;
        Ok(self.with_variable(fill_variable(self.variable(), dim, limit, true)?))
    }

    /// Fills NaN with the next valid value after it along `dim` (xarray's `bfill`).
    pub fn bfill(&self, dim: &str, limit: Option<usize>) -> Result<DataArray> {
        check_limit(limit)?;
        Ok(self.with_variable(fill_variable(self.variable(), dim, limit, false)?))
    }
}

impl Dataset {
    /// [`DataArray::ffill`] of every data variable that has `dim`.
    pub fn ffill(&self, dim: &str, limit: Option<usize>) -> Result<Dataset> {
        self.fill(dim, limit, true)
    }

    /// [`DataArray::bfill`] of every data variable that has `dim`.
    pub fn bfill(&self, dim: &str, limit: Option<usize>) -> Result<Dataset> {
        self.fill(dim, limit, false)
    }

    fn fill(&self, dim: &str, limit: Option<usize>, forward: bool) -> Result<Dataset> {
        check_limit(limit)?;
        require_dim(self, dim)?;
        let mut out = self.clone();
        out.clear_data_vars();
        for (n, v) in self.data_vars() {
            let v = if v.has_dim(dim) {
                fill_variable(v, dim, limit, forward)?
            } else {
                v.clone()
            };
            out.insert(n.clone(), v)?;
        }
        Ok(out)
    }
}

/// An unknown dimension of a dataset, named with the ones it has.
pub(crate) fn require_dim(ds: &Dataset, dim: &str) -> Result<usize> {
    ds.dim_len(dim).ok_or_else(|| Error::UnknownDimension {
        dim: dim.to_string(),
        dims: ds.dims().into_iter().map(|(d, _)| d).collect(),
    })
}
