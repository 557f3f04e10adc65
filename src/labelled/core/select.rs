//! Positional selection along one named dimension, shared by `DataArray` and
//! `Dataset`: `isel` applies [`Positions`] to every variable and coordinate with the
//! dimension; `sel` turns labels into positions through the index first.

use std::sync::Arc;

use super::coords::{Coord, Coords};
use super::index::Label;
use super::variable::Variable;
use crate::engine::AxisSlice;
use crate::error::ensure;
use crate::{Error, Result};

/// Which positions of a dimension to keep.
#[derive(Clone, Debug, PartialEq)]
pub enum Positions {
    /// One position; the dimension is dropped (its coordinates become scalars).
    At(usize),
    /// A strided range.
    Slice(AxisSlice),
    /// Arbitrary positions, in order (repeats allowed).
    List(Vec<usize>),
}

impl Positions {
    /// Python-style `start:stop:step` on a dimension of length `n`.
    pub fn python(
        n: usize,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Result<Self> {
        Ok(Positions::Slice(AxisSlice::python(n, start, stop, step)?))
    }

    /// Python-style single index (negative counts from the end).
    pub fn index(n: usize, i: isize) -> Result<Self> {
        let p = if i < 0 { i + n as isize } else { i };
        if p < 0 || p as usize >= n {
            return Err(Error::IndexOutOfBounds(format!(
                "index {i} for a dimension of length {n}"
            )));
        }
        Ok(Positions::At(p as usize))
    }

    fn as_list(&self) -> Vec<usize> {
        match self {
            Positions::At(p) => vec![*p],
            Positions::Slice(s) => (0..s.len).map(|i| s.pos(i)).collect(),
            Positions::List(l) => l.clone(),
        }
    }
}

/// Applies positions along `dim` to a variable (unchanged if it lacks the dim).
pub(crate) fn select_variable(var: &Variable, dim: &str, pos: &Positions) -> Result<Variable> {
    let Some(axis) = var.dims().iter().position(|d| d == dim) else {
        return Ok(var.clone());
    };
    let n = var.shape()[axis];
    let data = var.data();
    let out = match pos {
        Positions::At(p) => {
            ensure!(
                *p < n,
                Error::IndexOutOfBounds(format!("index {p} on {dim:?} of length {n}"))
            );
            let mut spec: Vec<AxisSlice> =
                var.shape().iter().map(|&m| AxisSlice::full(m)).collect();
            spec[axis] = AxisSlice {
                start: *p,
                step: 1,
                len: 1,
            };
            let dims: Vec<String> = var.dims().iter().filter(|d| *d != dim).cloned().collect();
            let squeezed = data.slice(&spec)?.squeeze(&[axis])?;
            return var.with_dims_and_data(dims, squeezed);
        }
        Positions::Slice(s) => {
            let mut spec: Vec<AxisSlice> =
                var.shape().iter().map(|&m| AxisSlice::full(m)).collect();
            spec[axis] = *s;
            data.slice(&spec)?
        }
        Positions::List(l) => data.take(axis, l)?,
    };
    var.with_data(out)
}

/// Applies positions along `dim` to coordinates, keeping indexes in step.
pub(crate) fn select_coords(coords: &Coords, dim: &str, pos: &Positions) -> Result<Coords> {
    coords.map_dim(dim, |_, c| {
        let var = select_variable(&c.var, dim, pos)?;
        let index = match (&c.index, pos) {
            (Some(_), Positions::At(_)) | (None, _) => None,
            (Some(ix), _) => Some(Arc::new(ix.take(&pos.as_list()))),
        };
        Ok(Some(Coord { var, index }))
    })
}

/// How a label selection is made.
#[derive(Clone, Debug, PartialEq)]
pub enum LabelSel {
    /// An exact label (a partial date selects the whole period and keeps the dim).
    Exact(Label),
    /// The nearest label, optionally within a tolerance (in index units; for
    /// datetime indexes, microseconds).
    Nearest(Label, Option<f64>),
    /// Labels between two bounds, both included.
    Slice(Option<Label>, Option<Label>),
    /// Several exact labels.
    List(Vec<Label>),
    /// The nearest label to each of several, optionally within a tolerance.
    NearestList(Vec<Label>, Option<f64>),
}

/// Positions for a label selection on `dim`.
pub(crate) fn label_positions(coords: &Coords, dim: &str, sel: &LabelSel) -> Result<Positions> {
    let index = coords.index(dim).ok_or_else(|| {
        Error::invalid(format!(
            "dimension {dim:?} has no index (no coordinate named {dim:?}); use isel or assign_coords"
        ))
    })?;
    Ok(match sel {
        LabelSel::Exact(l) => {
            let found = index.get(l)?;
            let partial_date = matches!(
                (index.values(), l),
                (super::index::IndexValues::Time { .. }, Label::Str(_))
            );
            if partial_date && names_a_period(l, index) {
                Positions::List(found)
            } else if found.len() == 1 {
                Positions::At(found[0])
            } else {
                Positions::List(found)
            }
        }
        LabelSel::Nearest(l, tol) => Positions::At(index.nearest(l, *tol)?),
        LabelSel::NearestList(ls, tol) => Positions::List(
            ls.iter()
                .map(|l| index.nearest(l, *tol))
                .collect::<Result<_>>()?,
        ),
        LabelSel::Slice(a, b) => {
            let r = index.slice(a.as_ref(), b.as_ref())?;
            Positions::Slice(AxisSlice {
                start: r.start,
                step: 1,
                len: r.len(),
            })
        }
        LabelSel::List(ls) => {
            let mut out = vec![];
            for l in ls {
                out.push(index.get_one(l)?);
            }
            Positions::List(out)
        }
    })
}

/// True when a date string is coarser than the index's resolution, so that it names
/// a period to select (pandas' partial-string indexing): `"2000-01"` on a daily index,
/// but not `"2000-01-29"`, which is then one exact label.
fn names_a_period(l: &Label, index: &super::index::Index) -> bool {
    use crate::time::Precision;
    let (Label::Str(s), super::index::IndexValues::Time { values, .. }) = (l, index.values())
    else {
        return false;
    };
    let Ok((_, precision, _)) = crate::time::parse_datetime(s) else {
        return false;
    };
    let steps = [
        (Precision::Day, 86_400_000_000i64),
        (Precision::Hour, 3_600_000_000),
        (Precision::Minute, 60_000_000),
        (Precision::Second, 1_000_000),
    ];
    let resolution = steps
        .iter()
        .find(|(_, unit)| {
            values
                .iter()
                .all(|&t| t == crate::time::NAT || t.rem_euclid(*unit) == 0)
        })
        .map_or(Precision::Fraction, |(p, _)| *p);
    precision < resolution
}

/// The position and label selection methods `DataArray` and `Dataset` share, written
/// once over each type's `isel_positions`, `dim_size` (a dimension's length, or
/// [`Error::UnknownDimension`]) and `coords`.
macro_rules! selection_methods {
    ($ty:ty) => {
        impl $ty {
            /// One position (negative counts from the end); the dimension is dropped.
            pub fn isel(&self, dim: &str, i: isize) -> Result<Self> {
                let n = self.dim_size(dim)?;
                let pos = Positions::index(n, i).map_err(|_| {
                    Error::IndexOutOfBounds(format!(
                        "index {i} is out of bounds for dimension {dim:?} of length {n}"
                    ))
                })?;
                self.isel_positions(dim, &pos)
            }

            /// A Python-style slice of positions.
            pub fn isel_slice(
                &self,
                dim: &str,
                start: Option<isize>,
                stop: Option<isize>,
                step: isize,
            ) -> Result<Self> {
                let n = self.dim_size(dim)?;
                self.isel_positions(dim, &Positions::python(n, start, stop, step)?)
            }

            /// Arbitrary positions, in the order given.
            pub fn isel_list(&self, dim: &str, positions: &[usize]) -> Result<Self> {
                let n = self.dim_size(dim)?;
                if let Some(p) = positions.iter().find(|&&p| p >= n) {
                    return Err(Error::IndexOutOfBounds(format!(
                        "index {p} is out of bounds for dimension {dim:?} of length {n}"
                    )));
                }
                self.isel_positions(dim, &Positions::List(positions.to_vec()))
            }

            /// Selection by labels, of any kind.
            pub fn sel_with(&self, dim: &str, sel: &LabelSel) -> Result<Self> {
                self.dim_size(dim)?;
                let pos = label_positions(self.coords(), dim, sel)?;
                self.isel_positions(dim, &pos)
            }

            /// An exact label (a partial date string like `"2000-01"` selects that
            /// period and keeps the dimension).
            pub fn sel(&self, dim: &str, label: impl Into<Label>) -> Result<Self> {
                self.sel_with(dim, &LabelSel::Exact(label.into()))
            }

            /// The nearest label, within `tolerance` if given.
            pub fn sel_nearest(
                &self,
                dim: &str,
                label: impl Into<Label>,
                tolerance: Option<f64>,
            ) -> Result<Self> {
                self.sel_with(dim, &LabelSel::Nearest(label.into(), tolerance))
            }

            /// Labels from `start` to `stop`, both included (on a descending index,
            /// `start` is the larger label).
            pub fn sel_slice(
                &self,
                dim: &str,
                start: impl Into<Label>,
                stop: impl Into<Label>,
            ) -> Result<Self> {
                self.sel_with(dim, &LabelSel::Slice(Some(start.into()), Some(stop.into())))
            }

            /// Several exact labels.
            pub fn sel_list<L: Into<Label>>(
                &self,
                dim: &str,
                labels: impl IntoIterator<Item = L>,
            ) -> Result<Self> {
                self.sel_with(
                    dim,
                    &LabelSel::List(labels.into_iter().map(Into::into).collect()),
                )
            }
        }
    };
}
pub(crate) use selection_methods;
