//! [`GroupBy`] and [`DatasetGroupBy`]: how an array or dataset is split into groups
//! (by a coordinate, a datetime component, bins or a resampling frequency).

use super::bins::{self, BinOptions};
use super::labels::{self, Groups};
use super::resample::{self, BinRule, Freq, ResampleOptions};
use crate::error::ensure;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::IndexValues;
use crate::labelled::core::variable::Variable;
use crate::time::{Calendar, Component};
use crate::{Error, Result};

/// How the groups were formed, which decides how the result's coordinates are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Group,
    Resample,
}

/// A data array split into groups along one dimension; reduce it, combine it with
/// per-group values, or map a closure over its groups.
#[derive(Clone, Debug)]
pub struct GroupBy {
    pub(super) obj: DataArray,
    pub(super) dim: String,
    pub(super) name: String,
    pub(super) groups: Groups,
    pub(super) kind: Kind,
}

/// The same grouping applied to every data variable of a dataset that has the
/// grouped dimension (the others are kept unchanged).
#[derive(Clone, Debug)]
pub struct DatasetGroupBy {
    pub(super) ds: Dataset,
    pub(super) template: GroupBy,
}

fn invalid(key: &str, reason: impl Into<String>) -> Error {
    Error::InvalidGroup {
        key: key.to_string(),
        reason: reason.into(),
    }
}

/// A 1-D coordinate's values: (dimension, variable, string labels if a string index).
fn coord_1d(obj: &DataArray, key: &str) -> Result<(String, Variable, Option<Vec<String>>)> {
    let c = obj
        .coords()
        .get(key)
        .ok_or_else(|| Error::UnknownVariable {
            name: key.to_string(),
            available: obj.coords().names(),
        })?;
    ensure!(
        c.var.ndim() == 1,
        invalid(
            key,
            format!(
                "the coordinate has dims {:?}; only 1-D coordinates group",
                c.var.dims()
            ),
        )
    );
    let strings = match c.index.as_ref().map(|i| i.values()) {
        Some(IndexValues::Str(s)) => Some(s.clone()),
        _ => None,
    };
    Ok((c.var.dims()[0].clone(), c.var.clone(), strings))
}

/// The instants and calendar of a datetime coordinate, or an error naming `what`.
fn times_of(var: &Variable, key: &str, what: &str) -> Result<(Vec<i64>, Calendar)> {
    let cal = var
        .encoding()
        .get("calendar")
        .and_then(|c| c.as_str())
        .ok_or_else(|| {
            invalid(
                key,
                format!(
                    "{what} needs a datetime coordinate, and this one holds {}",
                    var.dtype()
                ),
            )
        })?;
    let data = var
        .data()
        .compute()?
        .cast(crate::engine::DType::I64)
        .into_typed::<i64>()?;
    Ok((data.iter().copied().collect(), Calendar::parse(cal)?))
}

/// Groups by a datetime component such as `"time.month"`.
fn component_groups(
    obj: &DataArray,
    coord: &str,
    comp: &str,
    key: &str,
) -> Result<(String, Groups)> {
    let (dim, var, _) = coord_1d(obj, coord)?;
    let component = Component::parse(comp)?;
    let (times, cal) = times_of(&var, key, "grouping by a datetime component")?;
    let groups = if component == Component::Season {
        let keys: Vec<Option<String>> = times
            .iter()
            .map(|&t| {
                Component::Month
                    .of(cal, t)
                    .map(|m| crate::time::Season::of_month(m as u8).name().to_string())
            })
            .collect();
        labels::from_strings(&keys)
    } else {
        let keys: Vec<Option<i64>> = times.iter().map(|&t| component.of(cal, t)).collect();
        labels::from_ints(&keys)
    };
    Ok((dim, groups))
}

impl GroupBy {
    fn new(obj: &DataArray, dim: String, name: String, groups: Groups, kind: Kind) -> Result<Self> {
        let n = obj.variable().size_of(&dim).ok_or_else(|| {
            invalid(
                &name,
                format!(
                    "its dimension {dim:?} is not one of the array's dims {:?}",
                    obj.dims()
                ),
            )
        })?;
        ensure!(
            groups.codes.len() == n,
            invalid(
                &name,
                format!(
                    "it has {} values but dimension {dim:?} has length {n}",
                    groups.codes.len()
                ),
            )
        );
        Ok(GroupBy {
            obj: obj.clone(),
            dim,
            name,
            groups,
            kind,
        })
    }

    /// The grouped dimension.
    pub fn dim(&self) -> &str {
        &self.dim
    }

    /// The name of the dimension the groups become (`month`, `season`, `x_bins`, ...).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The group codes and labels.
    pub fn groups(&self) -> &Groups {
        &self.groups
    }

    /// The grouped array.
    pub fn obj(&self) -> &DataArray {
        &self.obj
    }

    pub(super) fn with_obj(&self, obj: &DataArray) -> Result<GroupBy> {
        GroupBy::new(
            obj,
            self.dim.clone(),
            self.name.clone(),
            self.groups.clone(),
            self.kind,
        )
    }
}

impl DataArray {
    /// Groups along a dimension by a 1-D coordinate (`"x"`, a non-index coordinate
    /// such as `"station_type"`, strings included) or by a datetime component of
    /// one (`"time.month"`, `"time.season"`, `"time.year"`, `"time.dayofyear"`,
    /// `"time.hour"`, `"time.day"`, ...). Groups are sorted by label as in xarray;
    /// NaN keys belong to no group.
    pub fn groupby(&self, key: &str) -> Result<GroupBy> {
        if self.coords().get(key).is_none()
            && let Some((coord, comp)) = key.split_once('.')
        {
            let (dim, groups) = component_groups(self, coord, comp, key)?;
            return GroupBy::new(self, dim, comp.to_string(), groups, Kind::Group);
        }
        let (dim, var, strings) = coord_1d(self, key)?;
        let groups = labels::from_values(&var, strings.as_deref())?;
        GroupBy::new(self, dim, key.to_string(), groups, Kind::Group)
    }

    /// Groups by the values of another 1-D array along one of this array's dims
    /// (xarray's `groupby(DataArray)`); the groups are named after `key`'s name
    /// (`"group"` if it has none). Its length must match the dimension's.
    pub fn groupby_array(&self, key: &DataArray) -> Result<GroupBy> {
        let name = key.name().unwrap_or("group").to_string();
        ensure!(
            key.dims().len() == 1,
            invalid(
                &name,
                format!("it has dims {:?}; only 1-D keys group", key.dims()),
            )
        );
        let groups = labels::from_values(key.variable(), None)?;
        GroupBy::new(self, key.dims()[0].clone(), name, groups, Kind::Group)
    }

    /// Groups a numeric 1-D coordinate into the bins between `edges` (pandas `cut`:
    /// right-closed unless `opts.right` is false). The groups are named
    /// `"<coord>_bins"` and labelled like pandas intervals, `"(0.0, 15.0]"`.
    pub fn groupby_bins(&self, coord: &str, edges: &[f64], opts: BinOptions) -> Result<GroupBy> {
        let (dim, var, strings) = coord_1d(self, coord)?;
        ensure!(
            strings.is_none() && !var.encoding().contains_key("calendar"),
            Error::NotNumeric {
                op: "groupby_bins".into(),
                what: format!("coordinate {coord:?}"),
                found: if strings.is_some() {
                    "strings"
                } else {
                    "datetimes"
                }
                .into(),
            }
        );
        let values = var.data().compute()?.to_f64_vec();
        let groups = bins::bin_groups(coord, &values, edges, opts)?;
        GroupBy::new(self, dim, format!("{coord}_bins"), groups, Kind::Group)
    }

    /// Resamples along the datetime dimension `dim` to `freq`, a pandas offset alias
    /// (`"1D"`, `"6h"`, `"MS"`, `"ME"`, `"QS-DEC"`, `"YS"`, `"YE"`, ...), with
    /// pandas' bins, closed sides and labels, in the coordinate's own calendar.
    pub fn resample(&self, dim: &str, freq: &str) -> Result<GroupBy> {
        self.resample_with(dim, freq, &ResampleOptions::default())
    }

    /// [`DataArray::resample`] with pandas' `closed`, `label` and `offset`
    /// overrides.
    pub fn resample_with(&self, dim: &str, freq: &str, opts: &ResampleOptions) -> Result<GroupBy> {
        let (cdim, var, _) = coord_1d(self, dim)?;
        ensure!(
            cdim == dim,
            invalid(dim, format!("{dim:?} is not a dimension coordinate"),)
        );
        let rule = BinRule::new(Freq::parse(freq)?, opts)?;
        let (times, cal) = times_of(&var, dim, "resample")?;
        let groups = resample::resample_groups(&times, rule, cal, var.encoding().clone())?;
        GroupBy::new(self, cdim, dim.to_string(), groups, Kind::Resample)
    }
}

impl Dataset {
    fn group_template(
        &self,
        f: impl FnOnce(&DataArray) -> Result<GroupBy>,
    ) -> Result<DatasetGroupBy> {
        // Group on a coordinate-only array with the dataset's dims: the keys are coordinates.
        let dims = self.dims();
        let probe = self
            .data_vars()
            .map(|(n, _)| n.clone())
            .find(|n| self.get(n).is_ok_and(|d| d.dims().len() == dims.len()))
            .or_else(|| self.data_var_names().into_iter().next())
            .ok_or_else(|| Error::invalid("cannot group a dataset with no data variables"))?;
        let template = f(&self.get(&probe)?)?;
        Ok(DatasetGroupBy {
            ds: self.clone(),
            template,
        })
    }

    /// [`DataArray::groupby`] for every data variable.
    pub fn groupby(&self, key: &str) -> Result<DatasetGroupBy> {
        self.group_template(|a| a.groupby(key))
    }

    /// [`DataArray::groupby_bins`] for every data variable.
    pub fn groupby_bins(
        &self,
        coord: &str,
        edges: &[f64],
        opts: BinOptions,
    ) -> Result<DatasetGroupBy> {
        self.group_template(|a| a.groupby_bins(coord, edges, opts))
    }

    /// [`DataArray::resample`] for every data variable.
    pub fn resample(&self, dim: &str, freq: &str) -> Result<DatasetGroupBy> {
        self.group_template(|a| a.resample(dim, freq))
    }

    /// [`DataArray::resample_with`] for every data variable.
    pub fn resample_with(
        &self,
        dim: &str,
        freq: &str,
        opts: &ResampleOptions,
    ) -> Result<DatasetGroupBy> {
        self.group_template(|a| a.resample_with(dim, freq, opts))
    }
}
