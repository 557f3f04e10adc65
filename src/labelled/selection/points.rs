//! Pointwise (vectorized) selection: `isel_points` / `sel_points` with 1-D
//! `DataArray` indexers that share one new dimension (xarray's
//! `da.isel(lat=ilat, lon=ilon)` with `ilat`, `ilon` over `station`). One engine
//! `gather` per variable; the indexers' coordinates come along.

use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::Label;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// How `sel_points` matches labels: exactly, or the nearest label within an
/// optional tolerance (a farther label is a [`Error::LabelNotFound`], xarray's
/// `KeyError`).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct PointOptions {
    /// Nearest instead of exact labels.
    pub nearest: bool,
    /// The largest distance to the nearest label (index units; microseconds on
    /// datetime indexes).
    pub tolerance: Option<f64>,
}

impl PointOptions {
    /// Exact labels.
    pub fn exact() -> Self {
        Self::default()
    }
    /// The nearest labels.
    pub fn nearest() -> Self {
        Self {
            nearest: true,
            tolerance: None,
        }
    }
    /// The same options with a tolerance for nearest lookups.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = Some(tolerance);
        self
    }
}

/// The shared dim of the indexers, checked 1-D and of one length.
fn points_dim(indexers: &[(&str, &DataArray)]) -> Result<(String, usize)> {
    let Some((_, first)) = indexers.first() else {
        return Err(Error::invalid(
            "pointwise selection needs at least one indexer",
        ));
    };
    let dims = first.dims().to_vec();
    for (d, ix) in indexers {
        if ix.dims().len() != 1 || ix.dims() != dims.as_slice() {
            return Err(Error::invalid(format!(
                "the indexer for {d:?} has dims {:?}; pointwise indexers must all be 1-D over one shared dim ({dims:?})",
                ix.dims()
            )));
        }
    }
    Ok((dims[0].clone(), first.shape()[0]))
}

/// `var` with the dims of `sel` (in that order) replaced by `new_dim`, placed where
/// the first of them was when they are adjacent, else first (as numpy and xarray).
fn gather_variable(var: &Variable, sel: &[(&str, &[usize])], new_dim: &str) -> Result<Variable> {
    let own: Vec<(&str, &[usize])> = sel
        .iter()
        .filter(|(d, _)| var.has_dim(d))
        .copied()
        .collect();
    if own.is_empty() {
        return Ok(var.clone());
    }
    let mut order: Vec<String> = own.iter().map(|(d, _)| d.to_string()).collect();
    let rest: Vec<String> = var
        .dims()
        .iter()
        .filter(|d| !order.contains(d))
        .cloned()
        .collect();
    order.extend(rest.iter().cloned());
    let moved = var.transpose(&order)?;
    let idx: Vec<Vec<usize>> = own.iter().map(|(_, p)| p.to_vec()).collect();
    let data = moved.data().gather(&idx)?;
    let mut dims = vec![new_dim.to_string()];
    dims.extend(rest.iter().cloned());
    let out = moved.with_dims_and_data(dims.clone(), data)?;
    let mut pos: Vec<usize> = own
        .iter()
        .map(|(d, _)| var.axis(d).expect("own dim"))
        .collect();
    pos.sort_unstable();
    let adjacent = pos.windows(2).all(|w| w[1] == w[0] + 1);
    if !adjacent || pos[0] == 0 {
        return Ok(out);
    }
    let mut target = rest.clone();
    target.insert(pos[0], new_dim.to_string());
    out.transpose(&target)
}

/// Positions of integer indexers (negative from the end), checked against the
/// dims' lengths.
fn positions_of(
    len_of: impl Fn(&str) -> Result<usize>,
    indexers: &[(&str, &DataArray)],
) -> Result<Vec<(String, Vec<usize>)>> {
    let mut positions = vec![];
    for (d, ix) in indexers {
        let len = len_of(d)?;
        let values = ix.values::<i64>()?;
        let p: Vec<usize> = values
            .iter()
            .map(|&i| {
                let q = if i < 0 { i + len as i64 } else { i };
                if q < 0 || q >= len as i64 {
                    Err(Error::IndexOutOfBounds(format!(
                        "index {i} is out of bounds for dimension {d:?} of length {len}"
                    )))
                } else {
                    Ok(q as usize)
                }
            })
            .collect::<Result<_>>()?;
        positions.push((d.to_string(), p));
    }
    Ok(positions)
}

/// The coordinates after a pointwise selection: those on the indexed dims gathered
/// (no longer indexes), the others kept, then the indexers' own coordinates.
fn gathered_coords(
    coords: &Coords,
    sel: &[(&str, &[usize])],
    new_dim: &str,
    indexers: &[(&str, &DataArray)],
) -> Result<Coords> {
    let mut out = Coords::new();
    for (name, c) in coords.iter() {
        if sel.iter().any(|(d, _)| c.var.has_dim(d)) {
            out.insert_with_index(name.clone(), gather_variable(&c.var, sel, new_dim)?, None);
        } else {
            out.insert_with_index(name.clone(), c.var.clone(), c.index.clone());
        }
    }
    for (_, ix) in indexers {
        for (name, c) in ix.coords().iter() {
            if out.get(name).is_none() {
                out.insert_with_index(name.clone(), c.var.clone(), c.index.clone());
            }
        }
    }
    Ok(out)
}

/// Label indexers turned into position indexers (same dims and coordinates) by
/// looking each value up in its dim's index.
fn label_positions(
    coords: &Coords,
    len_of: impl Fn(&str) -> Result<usize>,
    indexers: &[(&str, &DataArray)],
    opts: &PointOptions,
) -> Result<Vec<(String, DataArray)>> {
    points_dim(indexers)?;
    let mut pos_arrays = vec![];
    for (d, ix) in indexers {
        len_of(d)?;
        let index = coords.index(d).ok_or_else(|| {
            Error::invalid(format!(
                "dimension {d:?} has no index (no coordinate named {d:?})"
            ))
        })?;
        let labels: Vec<Label> = if ix.variable().encoding().contains_key("calendar") {
            ix.values::<i64>()?
                .iter()
                .map(|&t| Label::Time(t))
                .collect()
        } else {
            ix.values::<f64>()?.iter().map(|&v| Label::Num(v)).collect()
        };
        let p: Vec<i64> = labels
            .iter()
            .map(|l| {
                if opts.nearest {
                    index.nearest(l, opts.tolerance)
                } else {
                    index.get_one(l)
                }
                .map(|q| q as i64)
            })
            .collect::<Result<_>>()?;
        let n = p.len();
        let arr = DataArray::new(
            None,
            ix.variable()
                .with_data(crate::engine::LazyArray::from_ndarray(
                    ndarray::Array::from_vec(p).into_dyn(),
                    &[n.max(1)],
                )?)?,
            ix.coords().clone(),
        )?;
        pos_arrays.push((d.to_string(), arr));
    }
    Ok(pos_arrays)
}

fn refs(pos: &[(String, DataArray)]) -> Vec<(&str, &DataArray)> {
    pos.iter().map(|(d, a)| (d.as_str(), a)).collect()
}

impl DataArray {
    /// Pointwise selection by positions (xarray's `da.isel(lat=ilat, lon=ilon)` with
    /// integer `DataArray` indexers over one shared dim, e.g. `station`): the indexed
    /// dims are replaced by that dim, and the indexers' coordinates come along.
    ///
    /// ```
    /// use ndarray::{Array, IxDyn};
    /// use tessera::labelled::DataArray;
    ///
    /// let t = DataArray::from_ndarray("t", ["time", "lat", "lon"],
    ///     Array::from_shape_fn((2, 3, 4), |(t, i, j)| (100 * t + 10 * i + j) as f64).into_dyn(), &[1, 2, 2])?
    ///     .with_coord_values("lat", vec![10.0, 20.0, 30.0])?
    ///     .with_coord_values("lon", vec![0.0, 1.0, 2.0, 3.0])?;
    /// let ilat = DataArray::from_ndarray("ilat", ["station"], Array::from_vec(vec![2i64, 0]).into_dyn(), &[2])?
    ///     .with_coord_strings("station", vec!["a".into(), "b".into()])?;
    /// let ilon = DataArray::from_ndarray("ilon", ["station"], Array::from_vec(vec![3i64, 1]).into_dyn(), &[2])?;
    /// let s = t.isel_points(&[("lat", &ilat), ("lon", &ilon)])?;
    /// assert_eq!(s.dims(), &["time", "station"]);
    /// assert_eq!(s.values::<f64>()?.as_slice().unwrap(), &[23.0, 1.0, 123.0, 101.0]);
    /// assert_eq!(s.coord("lat")?.values::<f64>()?.as_slice().unwrap(), &[30.0, 10.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn isel_points(&self, indexers: &[(&str, &DataArray)]) -> Result<DataArray> {
        let (new_dim, _) = points_dim(indexers)?;
        let positions = positions_of(|d| self.dim_len(d), indexers)?;
        if self.dims().contains(&new_dim) {
            return Err(Error::invalid(format!(
                "the indexers' dim {new_dim:?} is already a dim of the array {:?}",
                self.dims()
            )));
        }
        let sel: Vec<(&str, &[usize])> = positions
            .iter()
            .map(|(d, p)| (d.as_str(), p.as_slice()))
            .collect();
        let var = gather_variable(self.variable(), &sel, &new_dim)?;
        let coords = gathered_coords(self.coords(), &sel, &new_dim, indexers)?;
        DataArray::new(self.name().map(str::to_string), var, coords)
    }

    /// Pointwise selection by labels (xarray's `da.sel(lat=lats, lon=lons,
    /// method="nearest", tolerance=..)` with `DataArray` indexers over one shared
    /// dim): each indexer's values are looked up in its dim's index, then as
    /// [`isel_points`](Self::isel_points). A label farther than the tolerance is a
    /// [`Error::LabelNotFound`] naming it.
    pub fn sel_points(
        &self,
        indexers: &[(&str, &DataArray)],
        opts: &PointOptions,
    ) -> Result<DataArray> {
        let pos = label_positions(self.coords(), |d| self.dim_len(d), indexers, opts)?;
        self.isel_points(&refs(&pos))
    }
}

impl Dataset {
    /// [`DataArray::isel_points`] on every data variable and coordinate (xarray's
    /// `ds.isel(lat=ilat, lon=ilon)` with indexers over one shared dim); variables
    /// without the indexed dims are kept as they are.
    pub fn isel_points(&self, indexers: &[(&str, &DataArray)]) -> Result<Dataset> {
        let (new_dim, _) = points_dim(indexers)?;
        let len_of = |d: &str| {
            self.dim_len(d).ok_or_else(|| Error::UnknownDimension {
                dim: d.to_string(),
                dims: self.dims().into_iter().map(|(d, _)| d).collect(),
            })
        };
        let positions = positions_of(len_of, indexers)?;
        if self.dim_len(&new_dim).is_some() {
            return Err(Error::invalid(format!(
                "the indexers' dim {new_dim:?} is already a dim of the dataset {:?}",
                self.dims()
            )));
        }
        let sel: Vec<(&str, &[usize])> = positions
            .iter()
            .map(|(d, p)| (d.as_str(), p.as_slice()))
            .collect();
        let mut out = Dataset::new();
        for (name, var) in self.data_vars() {
            out.insert(name.clone(), gather_variable(var, &sel, &new_dim)?)?;
        }
        *out.coords_mut() = gathered_coords(self.coords(), &sel, &new_dim, indexers)?;
        *out.attrs_mut() = self.attrs().clone();
        Ok(out)
    }

    /// [`DataArray::sel_points`] on every data variable and coordinate.
    pub fn sel_points(
        &self,
        indexers: &[(&str, &DataArray)],
        opts: &PointOptions,
    ) -> Result<Dataset> {
        let len_of = |d: &str| {
            self.dim_len(d).ok_or_else(|| Error::UnknownDimension {
                dim: d.to_string(),
                dims: self.dims().into_iter().map(|(d, _)| d).collect(),
            })
        };
        let pos = label_positions(self.coords(), len_of, indexers, opts)?;
        self.isel_points(&refs(&pos))
    }
}
