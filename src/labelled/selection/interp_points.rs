//! `interp_points`: interpolation at points given by `DataArray` indexers over one
//! shared new dim (xarray's advanced `da.interp(lat=lats, lon=lons)` with indexers
//! over `station`). Multilinear: a weighted sum of `2^k` engine `gather`s, one per
//! corner of the cell around each point; nearest: one `gather`.

use super::interp::{InterpMethod, InterpOptions, OutOfRange, Plan, plan};
use super::interp_api::{index_numbers, label_number};
use crate::engine::{ArrayData, BinaryOp, ChunkGrid, DType, LazyArray, Scalar};
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::Label;
use crate::labelled::core::variable::Variable;
use crate::{Error, Result};

/// A 1-D array over the points, laid on axis 0 of an `ndim`-D array.
fn per_point<T: crate::engine::Storable>(
    v: Vec<T>,
    ndim: usize,
    chunks: &[usize],
) -> Result<LazyArray> {
    let n = v.len();
    let data = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), v)
        .map_err(|e| Error::internal("interp_points", e.to_string()))?;
    let mut a = LazyArray::from_data(ArrayData::new(data), ChunkGrid::new(vec![chunks.to_vec()])?)?;
    for _ in 1..ndim {
        a = a.expand_dims(a.ndim())?;
    }
    Ok(a)
}

/// `var` interpolated at the points (its indexed dims first, then the others).
fn interp_var(
    var: &Variable,
    plans: &[(&str, &Plan)],
    new_dim: &str,
    opts: &InterpOptions,
) -> Result<Variable> {
    let own: Vec<(&str, &Plan)> = plans
        .iter()
        .filter(|(d, _)| var.has_dim(d))
        .copied()
        .collect();
    let mut order: Vec<String> = own.iter().map(|(d, _)| d.to_string()).collect();
    let rest: Vec<String> = var
        .dims()
        .iter()
        .filter(|d| !order.contains(d))
        .cloned()
        .collect();
    order.extend(rest.iter().cloned());
    let moved = var.transpose(&order)?;
    let k = own.len();
    let nd = 1 + rest.len();
    let n = plans[0].1.lo.len();
    let corners: Vec<usize> = match opts.method {
        InterpMethod::Nearest => vec![0],
        InterpMethod::Linear => (0..1usize << k).collect(),
        InterpMethod::Cubic => {
            return Err(Error::invalid(format!(
                "interp_points interpolates with \"linear\" or \"nearest\"; cubic interpolation at points along {:?} is not supported (interpolate onto a grid with interp)",
                own.iter().map(|(d, _)| *d).collect::<Vec<_>>()
            )));
        }
    };
    let mut total: Option<LazyArray> = None;
    for c in corners {
        let idx: Vec<Vec<usize>> = own
            .iter()
            .enumerate()
            .map(|(a, (_, p))| {
                if c >> a & 1 == 1 {
                    p.hi.clone()
                } else {
                    p.lo.clone()
                }
            })
            .collect();
        let g = moved.data().gather(&idx)?;
        let chunks = g.chunks().axis_chunks(0).to_vec();
        let term = match opts.method {
            InterpMethod::Cubic => unreachable!("refused above"),
            InterpMethod::Nearest => g.cast(if var.dtype().is_float() {
                var.dtype()
            } else {
                DType::F64
            })?,
            InterpMethod::Linear => {
                let w: Vec<f64> = (0..n)
                    .map(|j| {
                        own.iter()
                            .enumerate()
                            .map(|(a, (_, p))| {
                                let s = p.off[j] / p.dx[j];
                                if c >> a & 1 == 1 { s } else { 1.0 - s }
                            })
                            .product()
                    })
                    .collect();
                g.cast(DType::F64)?
                    .binary(BinaryOp::Mul, &per_point(w, nd, &chunks)?)?
            }
        };
        total = Some(match total {
            None => term,
            Some(t) => t.binary(BinaryOp::Add, &term)?,
        });
    }
    let mut value = total.expect("at least one corner");
    if opts.out_of_range != OutOfRange::Extrapolate {
        let inside: Vec<bool> = (0..n)
            .map(|j| own.iter().all(|(_, p)| p.inside[j]))
            .collect();
        if inside.iter().any(|&i| !i) {
            let fill = match opts.out_of_range {
                OutOfRange::Value(v) => v,
                _ => f64::NAN,
            };
            let chunks = value.chunks().axis_chunks(0).to_vec();
            value = per_point(inside, nd, &chunks)?.select_scalar(&value, Scalar::Float(fill))?;
        }
    }
    let mut dims = vec![new_dim.to_string()];
    dims.extend(rest.iter().cloned());
    // xarray puts the points' dim after the others.
    let mut last = rest;
    last.push(new_dim.to_string());
    moved.with_dims_and_data(dims, value)?.transpose(&last)
}

impl DataArray {
    /// Interpolates at points (xarray's `da.interp(lat=lats, lon=lons)` with
    /// `DataArray` indexers over one shared dim, e.g. `station`): the indexed dims are
    /// replaced by that dim, placed last; their coordinates hold the targets and the
    /// indexers' coordinates come along. Linear is multilinear in the indexed dims.
    ///
    /// ```
    /// use ndarray::{Array, IxDyn};
    /// use tessera::labelled::{DataArray, InterpOptions};
    ///
    /// let t = DataArray::from_ndarray("t", ["lat", "lon"],
    ///     Array::from_shape_fn((2, 2), |(i, j)| (10 * i + j) as f64).into_dyn(), &[1, 1])?
    ///     .with_coord_values("lat", vec![0.0, 1.0])?
    ///     .with_coord_values("lon", vec![0.0, 1.0])?;
    /// let lat = DataArray::from_ndarray("lat", ["s"], Array::from_vec(vec![0.5, 0.25]).into_dyn(), &[2])?;
    /// let lon = DataArray::from_ndarray("lon", ["s"], Array::from_vec(vec![0.5, 1.0]).into_dyn(), &[2])?;
    /// let v = t.interp_points(&[("lat", &lat), ("lon", &lon)], &InterpOptions::linear())?;
    /// assert_eq!(v.values::<f64>()?.as_slice().unwrap(), &[5.5, 3.5]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn interp_points(
        &self,
        indexers: &[(&str, &DataArray)],
        opts: &InterpOptions,
    ) -> Result<DataArray> {
        let (new_dim, plans, targets) =
            point_plans(self.coords(), |d| self.dim_len(d), indexers, opts)?;
        let refs: Vec<(&str, &Plan)> = plans.iter().map(|(d, p)| (d.as_str(), p)).collect();
        let var = interp_var(self.variable(), &refs, &new_dim, opts)?;
        let coords = point_coords(self.coords(), &refs, &new_dim, opts, indexers, &targets)?;
        DataArray::new(self.name().map(str::to_string), var, coords)
    }
}

impl Dataset {
    /// [`DataArray::interp_points`] on every numeric data variable with an indexed
    /// dim (xarray's `ds.interp(lat=lats, lon=lons)` with indexers over one shared
    /// dim); the other variables are kept as they are.
    pub fn interp_points(
        &self,
        indexers: &[(&str, &DataArray)],
        opts: &InterpOptions,
    ) -> Result<Dataset> {
        let len_of = |d: &str| {
            self.dim_len(d).ok_or_else(|| Error::UnknownDimension {
                dim: d.to_string(),
                dims: self.dims().into_iter().map(|(d, _)| d).collect(),
            })
        };
        let (new_dim, plans, targets) = point_plans(self.coords(), len_of, indexers, opts)?;
        let refs: Vec<(&str, &Plan)> = plans.iter().map(|(d, p)| (d.as_str(), p)).collect();
        let mut out = Dataset::new();
        for (name, var) in self.data_vars() {
            if !refs.iter().any(|(d, _)| var.has_dim(d)) {
                out.insert(name.clone(), var.clone())?;
            } else if super::interp::interpolable(var) {
                out.insert(name.clone(), interp_var(var, &refs, &new_dim, opts)?)?;
            }
        }
        *out.coords_mut() = point_coords(self.coords(), &refs, &new_dim, opts, indexers, &targets)?;
        *out.attrs_mut() = self.attrs().clone();
        Ok(out)
    }
}

/// The points' dim, a plan per indexed dim and the targets as numbers.
type PointPlans = (String, Vec<(String, Plan)>, Vec<Vec<f64>>);

fn point_plans(
    coords: &Coords,
    len_of: impl Fn(&str) -> Result<usize>,
    indexers: &[(&str, &DataArray)],
    opts: &InterpOptions,
) -> Result<PointPlans> {
    let Some((_, first)) = indexers.first() else {
        return Err(Error::invalid("interp_points needs at least one indexer"));
    };
    let new_dim = first.dims().first().cloned().unwrap_or_default();
    let mut plans = vec![];
    let mut targets = vec![];
    for (d, ix) in indexers {
        if ix.dims() != [new_dim.clone()] {
            return Err(Error::invalid(format!(
                "the indexer for {d:?} has dims {:?}; pointwise indexers must all be 1-D over one shared dim ([{new_dim:?}])",
                ix.dims()
            )));
        }
        len_of(d)?;
        let index = coords.index(d).ok_or_else(|| {
            Error::invalid(format!(
                "cannot interpolate along {d:?}: it has no coordinate"
            ))
        })?;
        let x = index_numbers(index, &format!("interpolation along {d:?}"))?;
        let t: Vec<f64> = if ix.variable().encoding().contains_key("calendar") {
            ix.values::<i64>()?
                .iter()
                .map(|&v| label_number(index, &Label::Time(v)))
                .collect::<Result<_>>()?
        } else {
            ix.values::<f64>()?.iter().copied().collect()
        };
        plans.push((d.to_string(), plan(d, &x, &t, opts.method)?));
        targets.push(t);
    }
    Ok((new_dim, plans, targets))
}

/// The coordinates after interpolating at points: those on the indexed dims
/// interpolated, the indexed dims' coordinates holding the targets (after the
/// others, as xarray), then the indexers' coordinates.
fn point_coords(
    coords: &Coords,
    refs: &[(&str, &Plan)],
    new_dim: &str,
    opts: &InterpOptions,
    indexers: &[(&str, &DataArray)],
    targets: &[Vec<f64>],
) -> Result<Coords> {
    let mut out = Coords::new();
    for (name, c) in coords.iter() {
        if indexers.iter().any(|(d, _)| *d == name) {
            continue;
        } else if !refs.iter().any(|(d, _)| c.var.has_dim(d)) {
            out.insert_with_index(name.clone(), c.var.clone(), c.index.clone());
        } else if super::interp::interpolable(&c.var) {
            out.insert_with_index(name.clone(), interp_var(&c.var, refs, new_dim, opts)?, None);
        }
    }
    for (k, (d, _)) in indexers.iter().enumerate() {
        let Some(c) = coords.get(d) else {
            continue;
        };
        let n = targets[k].len();
        let data = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), targets[k].clone())
            .map_err(|e| Error::internal("interp_points", e.to_string()))?;
        let lazy =
            LazyArray::from_data(ArrayData::new(data), ChunkGrid::regular(&[n], &[n.max(1)])?)?;
        let var = if c.var.is_datetime() {
            c.var
                .with_dims_and_data([new_dim.to_string()], lazy.cast(DType::I64)?)?
        } else {
            Variable::new([new_dim.to_string()], lazy)?
        };
        out.insert_with_index(d.to_string(), var.with_attrs(Default::default()), None);
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
