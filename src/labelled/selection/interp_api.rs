//! `interp`, `interp_many` and `interp_like` on [`Dataset`] and [`DataArray`]
//! (xarray's orthogonal `interp`: each dimension in turn, so multilinear
//! interpolation is sequential 1-D linear interpolation).
//!
//! Numeric variables along the dimension are interpolated (integers become
//! float64), string coordinates take the nearest label, datetime variables along
//! the dimension are dropped, and the dimension's coordinate becomes the targets.

use std::sync::Arc;

use super::interp::{InterpOptions, apply, interpolable, plan};
use crate::engine::{ArrayData, ChunkGrid, LazyArray};
use crate::labelled::core::coords::{Coord, Coords};
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::{Index, IndexValues, Label};
use crate::labelled::core::variable::{Attrs, Variable};
use crate::labelled::structure::align::{array_as_dataset, array_from_dataset};
use crate::{Error, Result};

/// The coordinate values of an index as numbers (instants as microseconds).
pub(crate) fn index_numbers(index: &Index, op: &str) -> Result<Vec<f64>> {
    match index.values() {
        IndexValues::Num(v) => Ok(v.clone()),
        IndexValues::Time { values, .. } => Ok(values.iter().map(|&t| t as f64).collect()),
        IndexValues::Str(_) => Err(Error::NotNumeric {
            op: op.to_string(),
            what: format!("index {:?}", index.dim()),
            found: "strings".into(),
        }),
    }
}

/// A target label as a number on `index`'s scale (a date string on a datetime index
/// is its first instant).
pub(crate) fn label_number(index: &Index, label: &Label) -> Result<f64> {
    match (index.values(), label) {
        (IndexValues::Num(_), Label::Num(v)) => Ok(*v),
        (IndexValues::Time { .. }, Label::Time(t)) => Ok(*t as f64),
        (IndexValues::Time { calendar, .. }, Label::Str(s)) => {
            Ok(crate::time::parse_datetime_str(s, *calendar)?.0 as f64)
        }
        _ => Err(Error::invalid(format!(
            "target {label} cannot be placed on the index {:?} ({})",
            index.dim(),
            match index.values() {
                IndexValues::Num(_) => "numbers",
                IndexValues::Time { .. } => "datetimes",
                IndexValues::Str(_) => "strings",
            }
        ))),
    }
}

/// The new dimension coordinate holding `targets` (numbers, or instants with the old
/// coordinate's calendar).
pub(crate) fn target_coord(
    dim: &str,
    index: &Index,
    old: &Variable,
    targets: &[f64],
    attrs: &Attrs,
) -> Result<Coord> {
    let m = targets.len();
    let grid = ChunkGrid::regular(&[m], &[m.max(1)])?;
    let (var, values) = match index.values() {
        IndexValues::Time { calendar, .. } => {
            let t: Vec<i64> = targets.iter().map(|&v| v as i64).collect();
            let data = ArrayData::new(
                ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[m]), t.clone())
                    .map_err(|e| Error::internal("interp", e.to_string()))?,
            );
            let var = Variable::new([dim], LazyArray::from_data(data, grid)?)?
                .with_encoding(old.datetime_encoding());
            (
                var,
                IndexValues::Time {
                    values: t,
                    calendar: *calendar,
                },
            )
        }
        _ => {
            let data = ArrayData::new(
                ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[m]), targets.to_vec())
                    .map_err(|e| Error::internal("interp", e.to_string()))?,
            );
            let var = Variable::new([dim], LazyArray::from_data(data, grid)?)?;
            (var, IndexValues::Num(targets.to_vec()))
        }
    };
    Ok(Coord {
        var: var.with_attrs(attrs.clone()),
        index: Some(Arc::new(Index::new(dim, values))),
    })
}

/// One variable interpolated along `dim`: `None` when it must be dropped (instants
/// along the dim).
fn interp_var(
    var: &Variable,
    dim: &str,
    p: &super::interp::Plan,
    nearest: &super::interp::Plan,
    opts: &InterpOptions,
) -> Result<Option<Variable>> {
    if !var.has_dim(dim) {
        return Ok(Some(var.clone()));
    }
    if interpolable(var) {
        return Ok(Some(apply(var, dim, p, opts.out_of_range)?));
    }
    if var.is_strings() {
        let axis = var.axis(dim)?;
        return Ok(Some(var.with_data(var.data().take(axis, &nearest.lo)?)?));
    }
    Ok(None)
}

impl Dataset {
    /// Interpolates along `dim` onto `targets` (xarray's `ds.interp({dim: targets})`):
    /// numbers on a numeric coordinate, [`Label::Time`] instants or date strings on a
    /// datetime one. The coordinate may be ascending, descending or unsorted.
    ///
    /// ```
    /// use ndarray::{Array, IxDyn};
    /// use tessera::labelled::{DataArray, Dataset, InterpOptions};
    ///
    /// let a = DataArray::from_ndarray("a", ["x"], Array::from_vec(vec![0.0, 10.0, 20.0]).into_dyn(), &[2])?
    ///     .with_coord_values("x", vec![0.0, 1.0, 2.0])?;
    /// let ds = Dataset::from_array(&a)?;
    /// let out = ds.interp("x", [0.5, 1.75, 3.0], &InterpOptions::linear())?;
    /// let v = out.get("a")?.values::<f64>()?;
    /// assert_eq!(&v.as_slice().unwrap()[..2], &[5.0, 17.5]);
    /// assert!(v[[2]].is_nan());
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn interp<L: Into<Label>>(
        &self,
        dim: &str,
        targets: impl IntoIterator<Item = L>,
        opts: &InterpOptions,
    ) -> Result<Dataset> {
        let labels: Vec<Label> = targets.into_iter().map(Into::into).collect();
        self.interp_labels(dim, &labels, opts, None)
    }

    /// Interpolation along one dim; the new coordinate gets `attrs`, or the old one's.
    fn interp_labels(
        &self,
        dim: &str,
        labels: &[Label],
        opts: &InterpOptions,
        attrs: Option<&Attrs>,
    ) -> Result<Dataset> {
        if self.dim_len(dim).is_none() {
            return Err(Error::UnknownDimension {
                dim: dim.to_string(),
                dims: self.dims().into_iter().map(|(d, _)| d).collect(),
            });
        }
        let index = self.coords().index(dim).ok_or_else(|| {
            Error::invalid(format!(
                "cannot interpolate along {dim:?}: it has no coordinate (assign_coords first)"
            ))
        })?;
        let x = index_numbers(index, &format!("interpolation along {dim:?}"))?;
        let t: Vec<f64> = labels
            .iter()
            .map(|l| label_number(index, l))
            .collect::<Result<_>>()?;
        let p = plan(dim, &x, &t, opts.method)?;
        let nearest = plan(dim, &x, &t, super::interp::InterpMethod::Nearest)?;
        let old = self
            .coords()
            .get(dim)
            .expect("an index has a coordinate")
            .var
            .clone();
        let mut out = Dataset::new();
        for (name, var) in self.data_vars() {
            if let Some(v) = interp_var(var, dim, &p, &nearest, opts)? {
                out.insert(name.clone(), v)?;
            }
        }
        let mut coords = Coords::new();
        for (name, c) in self.coords().iter() {
            if name == dim {
                continue;
            }
            if !c.var.has_dim(dim) {
                coords.insert_with_index(name.clone(), c.var.clone(), c.index.clone());
            } else if let Some(v) = interp_var(&c.var, dim, &p, &nearest, opts)? {
                coords.insert_with_index(name.clone(), v, None);
            }
        }
        let new = target_coord(dim, index, &old, &t, attrs.unwrap_or(old.attrs()))?;
        coords.insert_with_index(dim.to_string(), new.var, new.index);
        *out.coords_mut() = coords;
        *out.attrs_mut() = self.attrs().clone();
        Ok(out)
    }

    /// Interpolates along several dimensions in turn (xarray's orthogonal
    /// `ds.interp(lat=[..], lon=[..])`; linear in each is multilinear).
    pub fn interp_many(
        &self,
        targets: &[(&str, Vec<Label>)],
        opts: &InterpOptions,
    ) -> Result<Dataset> {
        let mut out = self.clone();
        for (dim, labels) in targets {
            out = out.interp_labels(dim, labels, opts, None)?;
        }
        Ok(out)
    }

    /// Interpolates onto the labels of `other`'s indexes, for the dims both have
    /// (xarray's `ds.interp_like(other)`; pass `other.coords()`).
    pub fn interp_like(&self, other: &Coords, opts: &InterpOptions) -> Result<Dataset> {
        let mut out = self.clone();
        for (name, c) in other.iter() {
            let Some(ix) = &c.index else { continue };
            if self.dim_len(name).is_none() {
                continue;
            }
            if let IndexValues::Str(_) = ix.values() {
                return Err(Error::NotNumeric {
                    op: "interp_like".into(),
                    what: format!("index {name:?} of the other object"),
                    found: "strings".into(),
                });
            }
            out = out.interp_labels(name, &ix.labels(), opts, Some(c.var.attrs()))?;
        }
        Ok(out)
    }
}

impl DataArray {
    /// Interpolates along `dim` onto `targets`; see [`Dataset::interp`].
    ///
    /// ```
    /// use ndarray::{Array, IxDyn};
    /// use tessera::labelled::{DataArray, InterpOptions};
    ///
    /// let a = DataArray::from_ndarray("a", ["lat"], Array::from_vec(vec![3i32, 1, 5]).into_dyn(), &[2])?
    ///     .with_coord_values("lat", vec![60.0, 30.0, 0.0])?; // descending
    /// let v = a.interp("lat", [45.0, 15.0, 70.0], &InterpOptions::linear().extrapolate())?;
    /// assert_eq!(v.values::<f64>()?.as_slice().unwrap(), &[2.0, 3.0, 3.6666666666666665]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn interp<L: Into<Label>>(
        &self,
        dim: &str,
        targets: impl IntoIterator<Item = L>,
        opts: &InterpOptions,
    ) -> Result<DataArray> {
        self.var_axis_check(dim)?;
        let ds = array_as_dataset(self)?.interp(dim, targets, opts)?;
        array_from_dataset(&ds, self.name())
    }

    /// Interpolates along several dimensions in turn; see [`Dataset::interp_many`].
    pub fn interp_many(
        &self,
        targets: &[(&str, Vec<Label>)],
        opts: &InterpOptions,
    ) -> Result<DataArray> {
        for (d, _) in targets {
            self.var_axis_check(d)?;
        }
        let ds = array_as_dataset(self)?.interp_many(targets, opts)?;
        array_from_dataset(&ds, self.name())
    }

    /// Interpolates onto the labels of `other`'s indexes; see [`Dataset::interp_like`].
    pub fn interp_like(&self, other: &Coords, opts: &InterpOptions) -> Result<DataArray> {
        let ds = array_as_dataset(self)?.interp_like(other, opts)?;
        array_from_dataset(&ds, self.name())
    }

    fn var_axis_check(&self, dim: &str) -> Result<()> {
        self.variable().axis(dim).map(|_| ())
    }
}
