//! Median and quantiles over named dimensions: xarray's `DataArray.median` and
//! `DataArray.quantile` (numpy's default `"linear"` method), computed lazily by the
//! engine's order statistics (`LazyArray::median`, `quantile`, `group_median`,
//! `group_quantile`); this file turns dimension names into axes and sets the
//! coordinates and attributes.

use ndarray::{ArrayD, IxDyn};

use super::reduce::Dims;
use crate::engine::ops::quantile::check_quantiles;
use crate::engine::{ArrayData, LazyArray};
use crate::error::ensure;
use crate::labelled::core::coords::coord_from_values;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

impl DataArray {
    /// Median over `dims`, as xarray's `DataArray.median` (numpy `nanmedian` when
    /// `skipna` is true, the default for floats; with `skipna: Some(false)` a sample
    /// holding NaN gives NaN). All-NaN samples give NaN. The result is `float32` for
    /// `float32` data and `float64` otherwise; coordinates that lose a reduced
    /// dimension are dropped, the name and attributes kept.
    ///
    /// The data along `dims` must fit in one block (as in dask).
    pub fn median(&self, dims: impl Into<Dims>, skipna: Option<bool>) -> Result<DataArray> {
        let dims = self.stat_dims(dims.into(), "median")?;
        let axes = self.variable().axes(&dims)?;
        let data = self.data().median(&axes, skipna.unwrap_or(true))?;
        let kept = self.var_kept_dims(&dims);
        let var = Variable::new(kept, data)?.with_attrs(self.attrs().clone());
        let mut coords = self.coords().clone();
        coords.retain(|_, c| !c.var.dims().iter().any(|d| dims.contains(d)));
        Ok(DataArray::from_parts(
            self.name().map(str::to_string),
            var,
            coords,
        ))
    }

    /// Quantiles `q` (each in `[0, 1]`) over `dims`, as xarray's `DataArray.quantile`
    /// with a list of quantiles and numpy's default `"linear"` method: the result has
    /// a new leading dimension `"quantile"` with a coordinate holding `q`, dtype
    /// `float64`. NaN is skipped when `skipna` is true (the default for floats); with
    /// `skipna: Some(false)` a sample holding NaN gives NaN. All-NaN samples give NaN.
    /// Coordinates that lose a reduced dimension and scalar coordinates are dropped
    /// (as xarray does), the name and attributes kept.
    ///
    /// The data along `dims` must fit in one block (as in dask).
    ///
    /// ```
    /// use ndarray::{Array, IxDyn};
    /// use tessera::labelled::DataArray;
    ///
    /// let a = Array::from_shape_vec(IxDyn(&[2, 4]), vec![1.0, 2.0, 3.0, 4.0, 5.0, f64::NAN, 7.0, 9.0]).unwrap();
    /// let t = DataArray::from_ndarray("t", ["x", "time"], a, &[1, 2])?;
    /// let q = t.quantile(&[0.0, 0.5], "time", None)?;
    /// assert_eq!(q.dims(), &["quantile".to_string(), "x".to_string()]);
    /// assert_eq!(q.values::<f64>()?.into_raw_vec_and_offset().0, vec![1.0, 5.0, 2.5, 7.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn quantile(
        &self,
        q: &[f64],
        dims: impl Into<Dims>,
        skipna: Option<bool>,
    ) -> Result<DataArray> {
        check_quantiles(q)?;
        let dims = self.stat_dims(dims.into(), "quantile")?;
        let axes = self.variable().axes(&dims)?;
        let data = self.data().quantile(q, &axes, skipna.unwrap_or(true))?;
        let kept = self.var_kept_dims(&dims);
        let mut out_dims = vec!["quantile".to_string()];
        out_dims.extend(kept);
        let var = Variable::new(out_dims, data)?.with_attrs(self.attrs().clone());
        let mut out = DataArray::from_parts(
            self.name().map(str::to_string),
            var,
            self.quantile_coords(&dims),
        );
        let qvals = ArrayData::new(
            ArrayD::from_shape_vec(IxDyn(&[q.len()]), q.to_vec())
                .map_err(|e| Error::invalid(e.to_string()))?,
        );
        out = out.with_coord("quantile", coord_from_values("quantile", qvals)?)?;
        Ok(out)
    }

    /// One quantile `q` (in `[0, 1]`) over `dims`, as xarray's `DataArray.quantile`
    /// with a scalar `q`: like [`DataArray::quantile`] without the `"quantile"`
    /// dimension, with a scalar coordinate `"quantile"` holding `q` instead.
    pub fn quantile_scalar(
        &self,
        q: f64,
        dims: impl Into<Dims>,
        skipna: Option<bool>,
    ) -> Result<DataArray> {
        check_quantiles(&[q])?;
        let dims = self.stat_dims(dims.into(), "quantile")?;
        let axes = self.variable().axes(&dims)?;
        let data = self
            .data()
            .quantile(&[q], &axes, skipna.unwrap_or(true))?
            .squeeze(&[0])?;
        let kept = self.var_kept_dims(&dims);
        let var = Variable::new(kept, data)?.with_attrs(self.attrs().clone());
        let out = DataArray::from_parts(
            self.name().map(str::to_string),
            var,
            self.quantile_coords(&dims),
        );
        let scalar = LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(&[]), q), &[])?;
        out.with_coord("quantile", Variable::new(Vec::<String>::new(), scalar)?)
    }

    /// The reduced dimension names, resolved and checked.
    fn stat_dims(&self, dims: Dims, op: &str) -> Result<Vec<String>> {
        let dims = dims.resolve(self.variable())?;
        for (i, d) in dims.iter().enumerate() {
            ensure!(
                !dims[..i].contains(d),
                Error::DuplicateDimension {
                    dim: format!("{d:?}"),
                    op: format!("{op} over {dims:?}"),
                }
            );
        }
        if op == "quantile"
            && self
                .dims()
                .iter()
                .any(|d| d == "quantile" && !dims.contains(d))
        {
            return Err(Error::invalid(
                "quantile: the array already has a dimension named \"quantile\"",
            ));
        }
        Ok(dims)
    }

    fn var_kept_dims(&self, dims: &[String]) -> Vec<String> {
        self.dims()
            .iter()
            .filter(|d| !dims.contains(d))
            .cloned()
            .collect()
    }

    /// xarray's quantile keeps only coordinates with dimensions, none of them reduced.
    fn quantile_coords(&self, dims: &[String]) -> crate::labelled::core::coords::Coords {
        let mut coords = self.coords().clone();
        coords.retain(|_, c| c.var.ndim() > 0 && !c.var.dims().iter().any(|d| dims.contains(d)));
        coords
    }
}

/// The median (`q` `None`) or quantiles `q` of each group of positions along `axis`
/// of `data`, as one engine node: position `i` belongs to group `codes[i]`
/// (negative: none). The groups take the place of `axis`, followed by a trailing axis
/// with one entry per `q` when `quantile_axis` is set. Empty groups give NaN.
pub(crate) fn grouped_stat(
    data: &LazyArray,
    axis: usize,
    codes: &[i64],
    n_groups: usize,
    q: Option<&[f64]>,
    quantile_axis: bool,
    skipna: Option<bool>,
) -> Result<LazyArray> {
    let skipna = skipna.unwrap_or(true);
    let Some(q) = q else {
        return data.group_median(axis, codes, n_groups, skipna);
    };
    let out = data.group_quantile(q, axis, codes, n_groups, skipna)?;
    if quantile_axis {
        Ok(out)
    } else if q.len() == 1 {
        out.squeeze(&[out.ndim() - 1])
    } else {
        Err(Error::invalid(
            "several quantiles need a quantile dimension",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ChunkGrid, DType};

    /// A (time, lat, lon) field with NaNs (one all-NaN time series), irregularly
    /// chunked.
    fn field() -> DataArray {
        let a = ArrayD::from_shape_fn(IxDyn(&[10, 5, 6]), |i| {
            let v = ((i[0] * 37 + i[1] * 11 + i[2] * 7) % 23) as f64 - 4.5;
            if (i[1], i[2]) == (1, 3) || (i[0] + i[1] + i[2]) % 9 == 0 {
                f64::NAN
            } else {
                v
            }
        });
        let grid = ChunkGrid::new(vec![vec![4, 3, 3], vec![2, 3], vec![4, 2]]).unwrap();
        let data = LazyArray::from_data(ArrayData::new(a), grid).unwrap();
        DataArray::from_lazy("t", ["time", "lat", "lon"], data).unwrap()
    }

    fn assert_close(got: &[f64], want: &[f64], what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            let ok = if w.is_nan() {
                g.is_nan()
            } else {
                (g - w).abs() <= 1e-9 * w.abs().max(1e-300)
            };
            assert!(ok, "{what}[{i}]: got {g}, expected {w}");
        }
    }

    #[test]
    fn agrees_across_chunkings_and_many_quantiles() {
        let t = field();
        let one = t.chunk(&[("time", 10), ("lat", 5), ("lon", 6)]).unwrap();
        let tiny = t.chunk(&[("time", 1), ("lat", 1), ("lon", 1)]).unwrap();
        let q: Vec<f64> = (0..=20).map(|i| i as f64 / 20.0).collect();
        for dims in [Dims::from("time"), Dims::from(["lat", "lon"]), Dims::All] {
            let a = t
                .quantile(&q, dims.clone(), None)
                .unwrap()
                .values::<f64>()
                .unwrap();
            for other in [&one, &tiny] {
                let b = other
                    .quantile(&q, dims.clone(), None)
                    .unwrap()
                    .values::<f64>()
                    .unwrap();
                assert_close(
                    &b.iter().copied().collect::<Vec<_>>(),
                    &a.iter().copied().collect::<Vec<_>>(),
                    "chunks",
                );
            }
            // q = 0.5 of the sorted path equals the median up to rounding.
            let med = t
                .median(dims.clone(), None)
                .unwrap()
                .values::<f64>()
                .unwrap();
            let half = a.index_axis(ndarray::Axis(0), 10);
            for (m, h) in med.iter().zip(half.iter()) {
                assert!(
                    (m.is_nan() && h.is_nan()) || (m - h).abs() < 1e-12,
                    "{m} vs {h}"
                );
            }
        }
    }

    #[test]
    fn small_samples_and_edge_cases() {
        let a =
            ArrayD::from_shape_vec(IxDyn(&[3, 2]), vec![1.0, f64::NAN, 3.0, f64::NAN, 2.0, 5.0])
                .unwrap();
        let x = DataArray::from_ndarray("x", ["s", "r"], a, &[1, 2]).unwrap();
        // More quantiles than samples along "r" (padding path).
        let q = x.quantile(&[0.0, 0.25, 0.5, 1.0], "r", None).unwrap();
        assert_eq!(q.shape(), &[4, 3]);
        let v = q.values::<f64>().unwrap();
        assert_close(
            &v.iter().copied().collect::<Vec<_>>(),
            &[1.0, 3.0, 2.0, 1.0, 3.0, 2.75, 1.0, 3.0, 3.5, 1.0, 3.0, 5.0],
            "padded",
        );
        // No reduced dims: every value is its own sample.
        let same = x.quantile_scalar(0.3, Dims::Names(vec![]), None).unwrap();
        assert_eq!(same.dims(), x.dims());
        let got: Vec<f64> = same.values::<f64>().unwrap().iter().copied().collect();
        assert_close(&got, &[1.0, f64::NAN, 3.0, f64::NAN, 2.0, 5.0], "identity");
        // Integers: median in float64.
        let i = ArrayD::from_shape_vec(IxDyn(&[4]), vec![4i32, 1, 3, 2]).unwrap();
        let i = DataArray::from_ndarray("i", ["n"], i, &[3]).unwrap();
        let m = i.median("n", None).unwrap();
        assert_eq!(m.dtype(), DType::F64);
        assert_eq!(m.values::<f64>().unwrap()[[]], 2.5);
        // Empty samples and no quantiles.
        let e = DataArray::from_ndarray(
            "e",
            ["s", "r"],
            ArrayD::<f64>::zeros(IxDyn(&[3, 0])),
            &[2, 1],
        )
        .unwrap();
        let m = e.median("r", None).unwrap().values::<f64>().unwrap();
        assert!(m.len() == 3 && m.iter().all(|v| v.is_nan()));
        assert_eq!(x.quantile(&[], "r", None).unwrap().shape(), &[0, 3]);
        // Errors.
        assert!(x.quantile(&[1.5], "r", None).is_err());
        assert!(x.quantile(&[f64::NAN], "r", None).is_err());
        assert!(x.median("nope", None).is_err());
        assert!(x.median(["r", "r"], None).is_err());
        let b = DataArray::from_ndarray("b", ["n"], ArrayD::from_elem(IxDyn(&[2]), true), &[2])
            .unwrap();
        assert!(b.median("n", None).is_err());
    }
}
