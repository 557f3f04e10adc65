//! Reductions over named dimensions, with xarray's defaults: NaN skipped for floats,
//! coordinates that lose a reduced dimension dropped.

use crate::engine::{BinaryOp, DType, ReduceKind, ReduceOptions};
use crate::error::ensure;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::IndexValues;
use crate::labelled::core::strings::MISSING;
use crate::labelled::core::variable::Variable;
use crate::time::NAT;
use crate::{Error, Result};

/// The dimensions a reduction runs over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dims {
    /// Every dimension.
    All,
    /// These dimensions.
    Names(Vec<String>),
}

impl From<&str> for Dims {
    fn from(d: &str) -> Self {
        Dims::Names(vec![d.to_string()])
    }
}
impl From<String> for Dims {
    fn from(d: String) -> Self {
        Dims::Names(vec![d])
    }
}
impl<const N: usize> From<[&str; N]> for Dims {
    fn from(d: [&str; N]) -> Self {
        Dims::Names(d.iter().map(|s| s.to_string()).collect())
    }
}
impl From<&[&str]> for Dims {
    fn from(d: &[&str]) -> Self {
        Dims::Names(d.iter().map(|s| s.to_string()).collect())
    }
}
impl From<Vec<String>> for Dims {
    fn from(d: Vec<String>) -> Self {
        Dims::Names(d)
    }
}

impl Dims {
    /// The names, resolved against the dims of `var` (checked).
    pub fn resolve(&self, var: &Variable) -> Result<Vec<String>> {
        match self {
            Dims::All => Ok(var.dims().to_vec()),
            Dims::Names(n) => {
                for (i, d) in n.iter().enumerate() {
                    var.axis(d)?;
                    ensure!(
                        !n[..i].contains(d),
                        Error::DuplicateDimension {
                            dim: format!("{d:?}"),
                            op: format!("the reduced dims {n:?}"),
                        }
                    );
                }
                Ok(n.clone())
            }
        }
    }
}

/// Options of a labelled reduction; `skipna: None` means xarray's default (skip for
/// floats).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReduceArgs {
    /// Skip NaN (default: true for floats).
    pub skipna: Option<bool>,
    /// Delta degrees of freedom (std/var).
    pub ddof: usize,
    /// Minimum number of valid values (sum/prod), else NaN.
    pub min_count: Option<usize>,
    /// Keep the attributes (default: true, as in current xarray).
    pub keep_attrs: Option<bool>,
}

impl DataArray {
    /// Any reduction over named dims. Datetime values (CF times) allow min, max, mean,
    /// count and argmin/argmax, skipping NaT as xarray does; the others are errors.
    pub fn reduce(
        &self,
        kind: ReduceKind,
        dims: impl Into<Dims>,
        args: ReduceArgs,
    ) -> Result<DataArray> {
        let dims = dims.into();
        if self.variable().is_datetime() {
            return self.reduce_datetimes(kind, dims, args);
        }
        self.reduce_values(kind, dims, args)
    }

    /// Reduces instants as floats with NaT as NaN (exact: µs since 1970 fit in 53 bits
    /// for ±285 years around the epoch), then turns min/max/mean back into instants of
    /// the same calendar.
    fn reduce_datetimes(
        &self,
        kind: ReduceKind,
        dims: Dims,
        args: ReduceArgs,
    ) -> Result<DataArray> {
        use crate::engine::BinaryOp;
        let back_to_instants = match kind {
            ReduceKind::Min | ReduceKind::Max | ReduceKind::Mean => true,
            ReduceKind::Count | ReduceKind::ArgMin | ReduceKind::ArgMax => false,
            _ => {
                return Err(Error::UnsupportedDType {
                    op: format!(
                        "{kind:?} of the datetime values of {}",
                        self.name()
                            .map_or("the array".into(), |n| format!("\"{n}\""))
                    ),
                    dtype: self.dtype(),
                });
            }
        };
        let nat = NAT as f64;
        let as_float = self.data().cast(DType::F64)?;
        let valid = as_float.binary_scalar(BinaryOp::Ne, nat, false)?;
        let as_float = valid.select_scalar(&as_float, f64::NAN)?;
        let floats = self.with_variable(
            Variable::new(self.dims().to_vec(), as_float)?.with_attrs(self.attrs().clone()),
        );
        let reduced = floats.reduce_values(kind, dims, args)?;
        if !back_to_instants {
            return Ok(reduced);
        }
        // NaN (no valid instant) casts to NaT exactly: i64::MIN is a power of two.
        let instants = reduced.data().fillna(nat)?.cast(DType::I64)?;
        let var = Variable::new(reduced.dims().to_vec(), instants)?
            .with_attrs(reduced.attrs().clone())
            .with_encoding(self.variable().encoding().clone());
        Ok(reduced.with_variable(var))
    }

    fn reduce_values(&self, kind: ReduceKind, dims: Dims, args: ReduceArgs) -> Result<DataArray> {
        let dims = dims.resolve(self.variable())?;
        let axes = self.variable().axes(&dims)?;
        ensure!(
            !kind.is_arg() || axes.len() == 1,
            "{kind:?} needs exactly one dimension, got {dims:?}"
        );
        let opts = ReduceOptions {
            skipna: args.skipna.unwrap_or(true),
            ddof: args.ddof,
            min_count: args.min_count.unwrap_or(0),
            keepdims: false,
        };
        let data = if axes.len() == self.dims().len() && !axes.is_empty() {
            self.data().reduce_all(kind, opts)?
        } else if axes.is_empty() {
            self.data().reduce(kind, &[], opts)?
        } else {
            self.data().reduce(kind, &axes, opts)?
        };
        let kept: Vec<String> = self
            .dims()
            .iter()
            .filter(|d| !dims.contains(d))
            .cloned()
            .collect();
        let mut var = Variable::new(kept, data)?;
        if args.keep_attrs.unwrap_or(true) {
            var = var.with_attrs(self.attrs().clone());
        }
        let mut coords = self.coords().clone();
        coords.retain(|_, c| !c.var.dims().iter().any(|d| dims.contains(d)));
        Ok(DataArray::from_parts(
            self.name().map(str::to_string),
            var,
            coords,
        ))
    }

    /// Sum (NaN skipped for floats).
    pub fn sum(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        self.reduce(ReduceKind::Sum, dims, ReduceArgs::default())
    }

    /// Mean (NaN skipped for floats).
    pub fn mean(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        self.reduce(ReduceKind::Mean, dims, ReduceArgs::default())
    }

    /// Minimum.
    pub fn min(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        self.reduce(ReduceKind::Min, dims, ReduceArgs::default())
    }

    /// Maximum.
    pub fn max(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        self.reduce(ReduceKind::Max, dims, ReduceArgs::default())
    }

    /// Standard deviation with `ddof`.
    pub fn std(&self, dims: impl Into<Dims>, ddof: usize) -> Result<DataArray> {
        self.reduce(
            ReduceKind::Std,
            dims,
            ReduceArgs {
                ddof,
                ..Default::default()
            },
        )
    }

    /// Variance with `ddof`.
    pub fn var(&self, dims: impl Into<Dims>, ddof: usize) -> Result<DataArray> {
        self.reduce(
            ReduceKind::Var,
            dims,
            ReduceArgs {
                ddof,
                ..Default::default()
            },
        )
    }

    /// Number of non-missing values.
    pub fn count(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        self.reduce(ReduceKind::Count, dims, ReduceArgs::default())
    }

    /// Product.
    pub fn prod(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        self.reduce(ReduceKind::Prod, dims, ReduceArgs::default())
    }

    /// True where any value is non-zero.
    pub fn any(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        self.reduce(ReduceKind::Any, dims, ReduceArgs::default())
    }

    /// True where all values are non-zero.
    pub fn all(&self, dims: impl Into<Dims>) -> Result<DataArray> {
        self.reduce(ReduceKind::All, dims, ReduceArgs::default())
    }

    /// Position of the minimum along one dimension.
    pub fn argmin(&self, dim: &str) -> Result<DataArray> {
        self.reduce(ReduceKind::ArgMin, dim, ReduceArgs::default())
    }

    /// Position of the maximum along one dimension.
    pub fn argmax(&self, dim: &str) -> Result<DataArray> {
        self.reduce(ReduceKind::ArgMax, dim, ReduceArgs::default())
    }
}

impl Dataset {
    /// Applies a reduction `f` to every data variable over the dims of `dims` it has
    /// (variables with none of them are kept as they are), as `Dataset.reduce` does.
    pub fn reduce_each(
        &self,
        dims: &Dims,
        f: impl Fn(&DataArray, Dims) -> Result<DataArray>,
    ) -> Result<Dataset> {
        let all: Vec<String> = self.dims().into_iter().map(|(d, _)| d).collect();
        if let Dims::Names(names) = dims {
            if let Some(d) = names.iter().find(|d| !all.contains(d)) {
                return Err(Error::UnknownDimension {
                    dim: d.clone(),
                    dims: all,
                });
            }
        }
        self.map(|da| {
            let own = match dims {
                Dims::All => da.dims().to_vec(),
                Dims::Names(n) => n
                    .iter()
                    .filter(|d| da.dims().contains(d))
                    .cloned()
                    .collect(),
            };
            if own.is_empty() {
                // xarray leaves variables without the reduced dims untouched.
                return Ok(da.clone());
            }
            f(da, Dims::Names(own))
        })
    }

    /// A reduction of every data variable (see [`Dataset::reduce_each`]).
    pub fn reduce(
        &self,
        kind: ReduceKind,
        dims: impl Into<Dims>,
        args: ReduceArgs,
    ) -> Result<Dataset> {
        self.reduce_each(&dims.into(), |da, d| da.reduce(kind, d, args))
    }
}

impl DataArray {
    /// The label of the minimum along `dim` (NaN/NaT where every value is missing).
    pub fn idxmin(&self, dim: &str) -> Result<DataArray> {
        self.idx_extreme(dim, ReduceKind::ArgMin, f64::INFINITY)
    }

    /// The label of the maximum along `dim` (NaN/NaT where every value is missing).
    pub fn idxmax(&self, dim: &str) -> Result<DataArray> {
        self.idx_extreme(dim, ReduceKind::ArgMax, f64::NEG_INFINITY)
    }

    fn idx_extreme(&self, dim: &str, kind: ReduceKind, fill: f64) -> Result<DataArray> {
        self.variable().axis(dim)?;
        let index = self
            .coords()
            .index(dim)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "idxmin/idxmax: dimension {dim:?} has no index; assign a coordinate or use argmin/argmax"
                ))
            })?
            .clone();
        // NaN never wins: fill it with the value that always loses, then mask the
        // slices that had no valid value at all.
        let filled = if self.dtype().is_float() {
            self.fillna(fill)?
        } else {
            self.clone()
        };
        let pos = filled.reduce(kind, dim, ReduceArgs::default())?;
        let valid = self.count(dim)?;
        // A slice with no valid value has no label: its position becomes a code that
        // is in no table.
        let has_value = valid.data().binary_scalar(BinaryOp::Gt, 0, false)?;
        let positions = has_value.select_scalar(&pos.data().cast(DType::I64)?, -1)?;
        let data = match index.values() {
            IndexValues::Num(v) => positions.lookup(v.clone(), f64::NAN)?,
            IndexValues::Time { values, .. } => positions.lookup(values.clone(), NAT)?,
            // Positions are codes into the index's own labels.
            IndexValues::Str(labels) => {
                positions.lookup((0..labels.len() as i64).collect(), MISSING)?
            }
        };
        let coord = self.coords().get(dim).map(|c| c.var.clone());
        let mut var = Variable::new(pos.dims().to_vec(), data)?.with_attrs(self.attrs().clone());
        if let Some(c) = coord {
            var = var.with_encoding(c.encoding().clone());
        }
        if let IndexValues::Str(labels) = index.values() {
            var = var.with_categories(std::sync::Arc::new(labels.clone()));
        }
        Ok(DataArray::from_parts(
            Some(dim.to_string()),
            var,
            pos.coords().clone(),
        ))
    }
}
