//! Histograms along named dimensions with bins given as edges, with xhistogram's
//! (and numpy's) semantics: bins are half-open `[lo, hi)` except the last, which is
//! closed; values outside the edges and NaN are not counted.
//!
//! One engine reduction: the data gains a trailing bin axis by broadcasting against
//! the lower and upper edges, the membership test is fused into the sum, so each
//! chunk is read once and no one-hot array is ever materialised.

use super::reduce::Dims;
use crate::engine::{BinaryOp, DType, LazyArray, ReduceKind};
use crate::error::ensure;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

impl DataArray {
    /// `xhistogram.xarray.histogram(da, bins=[edges], dim=dims)`: the number of values
    /// in each bin over `dims` ([`Dims::All`]: every dim), as `int64` with dims the kept
    /// ones then `<name>_bin`, whose coordinate holds the bin centres. The result is
    /// named `histogram_<name>`. `edges` must increase strictly (at least two).
    ///
    /// ```
    /// use ndarray::array;
    /// use tessera::labelled::{DataArray, Dims};
    ///
    /// let v = DataArray::from_ndarray("v", ["x"], array![0.0, 1.0, 2.0, 3.0, f64::NAN, 7.0].into_dyn(), &[4])?;
    /// let h = v.histogram(&[0.0, 1.0, 2.5, 3.0], Dims::All)?;
    /// assert_eq!(h.dims(), ["v_bin"]);
    /// assert_eq!(h.values::<i64>()?.as_slice().unwrap(), &[1, 2, 1]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn histogram(&self, edges: &[f64], dims: impl Into<Dims>) -> Result<DataArray> {
        self.histogram_counts(edges, dims.into())
    }

    /// The histogram as a density (xhistogram's `density=True`): counts divided by the
    /// number of counted values and by the bin width, so that it integrates to 1 over
    /// the bins at every kept point (NaN where nothing was counted).
    pub fn histogram_density(&self, edges: &[f64], dims: impl Into<Dims>) -> Result<DataArray> {
        let counts = self.histogram_counts(edges, dims.into())?;
        let bin = counts.dims().len() - 1;
        let c = counts.data().cast(DType::F64)?;
        let total = c.reduce(
            ReduceKind::Sum,
            &[bin],
            crate::engine::ReduceOptions {
                keepdims: true,
                ..Default::default()
            },
        )?;
        let widths: Vec<f64> = edges.windows(2).map(|w| w[1] - w[0]).collect();
        let n = widths.len();
        let widths = LazyArray::from_ndarray(ndarray::Array1::from(widths).into_dyn(), &[n])?;
        let data = c.div(&total.mul(&widths)?)?;
        Ok(counts.with_variable(counts.variable().with_data(data)?))
    }

    fn histogram_counts(&self, edges: &[f64], dims: Dims) -> Result<DataArray> {
        ensure!(
            edges.len() >= 2 && edges.windows(2).all(|w| w[0] < w[1]),
            "histogram bins {edges:?} must be at least two strictly increasing edges"
        );
        ensure!(
            self.dtype() != DType::Bool && !self.variable().is_datetime(),
            Error::NotNumeric {
                op: "histogram".into(),
                what: self.name().map_or("the array".into(), |n| format!("{n:?}")),
                found: self.dtype().to_string(),
            }
        );
        let reduced = dims.resolve(self.variable())?;
        let nb = edges.len() - 1;
        let lo = LazyArray::from_ndarray(
            ndarray::Array1::from(edges[..nb].to_vec()).into_dyn(),
            &[nb],
        )?;
        // The last bin is closed: its upper edge moves up by one ulp.
        let mut upper = edges[1..].to_vec();
        upper[nb - 1] = next_up(upper[nb - 1]);
        let hi = LazyArray::from_ndarray(ndarray::Array1::from(upper).into_dyn(), &[nb])?;
        let x = self.data().expand_dims(self.dims().len())?;
        let inside = x
            .binary(BinaryOp::Ge, &lo)?
            .binary(BinaryOp::And, &x.binary(BinaryOp::Lt, &hi)?)?
            .cast(DType::I64)?;
        let axes = self.variable().axes(&reduced)?;
        let counts = if axes.is_empty() {
            inside
        } else {
            inside.reduce(
                ReduceKind::Sum,
                &axes,
                crate::engine::ReduceOptions {
                    skipna: false,
                    ..Default::default()
                },
            )?
        };
        let name = self.name().unwrap_or("variable");
        let bin_dim = format!("{name}_bin");
        let mut dims: Vec<String> = self
            .dims()
            .iter()
            .filter(|d| !reduced.contains(d))
            .cloned()
            .collect();
        ensure!(
            !dims.contains(&bin_dim),
            "histogram: the bin dimension {bin_dim:?} already exists on the array"
        );
        dims.push(bin_dim.clone());
        let mut coords: Coords = self.coords().clone();
        coords.retain(|_, c| !c.var.dims().iter().any(|d| reduced.contains(d)));
        let centres: Vec<f64> = edges.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
        // The bin coordinate carries the data's attributes (units), as xhistogram's.
        let centre_var = Variable::new(
            [bin_dim.clone()],
            LazyArray::from_ndarray(ndarray::Array1::from(centres).into_dyn(), &[nb])?,
        )?
        .with_attrs(self.attrs().clone());
        coords.insert(bin_dim, centre_var)?;
        Ok(DataArray::from_parts(
            Some(format!("histogram_{name}")),
            Variable::new(dims, counts)?,
            coords,
        ))
    }
}

/// The next float above `x` (finite `x`).
fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let bits = x.to_bits();
    f64::from_bits(if x > 0.0 { bits + 1 } else { bits - 1 })
}
