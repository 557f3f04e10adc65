//! Least-squares polynomial fits along a dimension (`polyfit`) and the
//! linear trend, in one pass over the data: the normal-equation sums Σ uᵏ and Σ uᵏ y
//! over each point's valid values are reductions of fused elementwise expressions,
//! and a tiny solve per point follows, lazily. No design matrix is ever built.

use ndarray::{ArrayD, IxDyn};

use crate::engine::{ArrayData, BinaryOp, ChunkGrid, DType, LazyArray};
use crate::error::ensure;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::IndexValues;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// µs per day, for trends against datetime coordinates.
const MICROS_PER_DAY: f64 = 86_400_000_000.0;

/// The slope and intercept of a straight-line fit, made by [`DataArray::linear_trend`].
#[derive(Clone, Debug)]
pub struct Trend {
    /// Change per unit of the coordinate (per day for datetime coordinates).
    pub slope: DataArray,
    /// Value at coordinate 0 (at the first time for datetime coordinates).
    pub intercept: DataArray,
}

/// How the coordinate along a fitted dimension becomes numbers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimeAxis {
    /// Nanoseconds since 1970-01-01, as xarray's polyfit uses.
    NanosSinceEpoch,
    /// Days since the first element.
    DaysSinceFirst,
}

impl DataArray {
    /// Fits a polynomial of degree `deg` along `dim` at every other point, skipping
    /// missing values, as xarray's `polyfit(dim, deg, skipna=True)`: a dataset with
    /// `polyfit_coefficients` over (`degree`, other dims), highest degree first. x is
    /// the coordinate (datetimes as nanoseconds since 1970, as in xarray) or, without
    /// one, the positions. Points with fewer than `deg + 1` valid values give NaN.
    pub fn polyfit(&self, dim: &str, deg: usize) -> Result<Dataset> {
        let x = self.fit_x(dim, TimeAxis::NanosSinceEpoch)?;
        let coeffs = self.fit(dim, deg, &x)?;
        // Highest degree first, stacked along a new leading `degree` dim.
        let stacked: Vec<LazyArray> = coeffs
            .iter()
            .rev()
            .map(|c| c.data().expand_dims(0))
            .collect::<Result<_>>()?;
        let refs: Vec<&LazyArray> = stacked.iter().collect();
        let data = LazyArray::concat(&refs, 0)?;
        let mut dims = vec!["degree".to_string()];
        dims.extend(coeffs[0].dims().iter().cloned());
        let mut ds = Dataset::new();
        let degrees: Vec<i64> = (0..=deg as i64).rev().collect();
        ds.insert_coord(
            "degree",
            Variable::new(
                ["degree"],
                LazyArray::from_ndarray(
                    ArrayD::from_shape_vec(IxDyn(&[deg + 1]), degrees).expect("length"),
                    &[deg + 1],
                )?,
            )?,
        )?;
        // Only the other dims' indexes come along, as in xarray.
        for (name, c) in coeffs[0].coords().iter() {
            if c.index.is_some() {
                ds.insert_coord(name.as_str(), c.var.clone())?;
            }
        }
        ds.insert("polyfit_coefficients", Variable::new(dims, data)?)?;
        Ok(ds)
    }

    /// Slope and intercept of the least-squares line along `dim` at every other point
    /// (missing values skipped). x is the coordinate; for datetime coordinates it is
    /// days since the first element, so the slope is per day.
    pub fn linear_trend(&self, dim: &str) -> Result<Trend> {
        let x = self.fit_x(dim, TimeAxis::DaysSinceFirst)?;
        let mut c = self.fit(dim, 1, &x)?;
        let slope = c.pop().expect("two coefficients").rename("slope");
        let intercept = c.pop().expect("two coefficients").rename("intercept");
        Ok(Trend { slope, intercept })
    }

    /// The x values of a fit along `dim`.
    fn fit_x(&self, dim: &str, time: TimeAxis) -> Result<Vec<f64>> {
        let n = self.dim_len(dim)?;
        Ok(match self.coords().index(dim).map(|ix| ix.values()) {
            Some(IndexValues::Num(v)) => v.clone(),
            Some(IndexValues::Time { values, .. }) => {
                let first = values.first().copied().unwrap_or(0);
                values
                    .iter()
                    .map(|&t| match time {
                        TimeAxis::NanosSinceEpoch => t as f64 * 1000.0,
                        TimeAxis::DaysSinceFirst => (t - first) as f64 / MICROS_PER_DAY,
                    })
                    .collect()
            }
            Some(IndexValues::Str(_)) => {
                return Err(Error::NotNumeric {
                    op: format!("a fit along {dim:?} (numbers or dates)"),
                    what: "its coordinate".into(),
                    found: "strings".into(),
                });
            }
            None => (0..n).map(|i| i as f64).collect(),
        })
    }

    /// Coefficients (lowest degree first) of the fit against `x` along `dim`.
    fn fit(&self, dim: &str, deg: usize, x: &[f64]) -> Result<Vec<DataArray>> {
        let axis = self.variable().axis(dim)?;
        let n = x.len();
        ensure!(
            n > deg,
            "a degree-{deg} fit along {dim:?} needs at least {} points; it has {n}",
            deg + 1
        );
        ensure!(
            x.iter().all(|v| v.is_finite()),
            "the coordinate along {dim:?} has missing or infinite values; a fit needs finite x"
        );
        // Centred and scaled x keeps the normal equations well conditioned (x may be
        // nanoseconds since 1970, ~1e18).
        let x0 = x.iter().sum::<f64>() / n as f64;
        let scale = x
            .iter()
            .map(|v| (v - x0).abs())
            .fold(0.0, f64::max)
            .max(f64::MIN_POSITIVE);
        let u: Vec<f64> = x.iter().map(|v| (v - x0) / scale).collect();
        let y = self.data().cast(DType::F64)?;
        let valid = y.unary(crate::engine::UnaryOp::NotNan)?.cast(DType::F64)?;
        let y0 = y.fillna(0.0)?;
        let mut shape = vec![1; self.dims().len()];
        shape[axis] = n;
        let power = |k: usize| -> Result<LazyArray> {
            let p: Vec<f64> = u.iter().map(|v| v.powi(k as i32)).collect();
            LazyArray::from_data(
                ArrayData::new(ArrayD::from_shape_vec(IxDyn(&shape), p).expect("length")),
                ChunkGrid::single(&shape),
            )
        };
        let mut sums = vec![];
        for k in 0..=2 * deg {
            sums.push(valid.binary(BinaryOp::Mul, &power(k)?)?.sum(&[axis])?);
        }
        for k in 0..=deg {
            sums.push(y0.binary(BinaryOp::Mul, &power(k)?)?.sum(&[axis])?);
        }
        let grid = sums[0].chunks().clone();
        let sums: Vec<LazyArray> = sums
            .iter()
            .map(|s| {
                if s.chunks() == &grid {
                    Ok(s.clone())
                } else {
                    s.rechunk(grid.clone())
                }
            })
            .collect::<Result<_>>()?;
        let refs: Vec<&LazyArray> = sums.iter().collect();
        let back = to_x_basis(deg, x0, scale);
        let kept: Vec<String> = self.dims().iter().filter(|d| *d != dim).cloned().collect();
        let mut coords = Coords::new();
        for (name, c) in self.coords().iter() {
            if !c.var.dims().iter().any(|d| d == dim) {
                coords.insert_with_index(name.clone(), c.var.clone(), c.index.clone());
            }
        }
        (0..=deg)
            .map(|j| {
                let data = LazyArray::solve_normal_equations(&refs, deg, back[j].clone())?;
                DataArray::new(
                    self.name().map(str::to_string),
                    Variable::new(kept.clone(), data)?,
                    coords.clone(),
                )
            })
            .collect()
    }
}

/// `m[j][k]`: the weight of u-basis coefficient `k` in the x-basis coefficient `j`,
/// from p(x) = Σₖ bₖ ((x − x0)/s)ᵏ expanded binomially.
fn to_x_basis(deg: usize, x0: f64, s: f64) -> Vec<Vec<f64>> {
    let binom =
        |n: usize, k: usize| (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64);
    (0..=deg)
        .map(|j| {
            (0..=deg)
                .map(|k| {
                    if k < j {
                        0.0
                    } else {
                        binom(k, j) * (-x0).powi((k - j) as i32) / s.powi(k as i32)
                    }
                })
                .collect()
        })
        .collect()
}
