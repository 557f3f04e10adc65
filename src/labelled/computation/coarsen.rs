//! Reductions over fixed, non-overlapping windows along named dimensions, as xarray's
//! `coarsen`: `da.coarsen(lat=4, lon=4).mean()` is
//! `da.coarsen(&[("lat", 4), ("lon", 4)])?.mean()`.
//!
//! Every window gets a group number along its dimension (positions cut off by
//! [`Boundary::Trim`] get none) and each reduction is one engine node grouping all
//! coarsened axes at once
//! ([`group_reduce_axes`](crate::engine::LazyArray::group_reduce_axes)). One node
//! for all axes is what makes 2-D windows exact: reducing one axis after the other
//! gives a mean of row means, wrong as soon as rows hold different numbers of NaNs
//! (and a std of stds is always wrong). Windows that follow the chunks reduce block
//! by block; windows that cut through chunks stream partial accumulators.
//!
//! [`Boundary::Pad`] pads nothing: xarray pads with NaN and its coarsen reductions
//! skip NaN (they take no `skipna`), so a short first or last window has exactly
//! the statistic of the values it does cover, NaN counts included. Integers are
//! promoted to float as NaN padding promotes them.
//!
//! Coordinates along coarsened dimensions are reduced too, by their mean unless
//! [`Coarsen::coord_func`] says otherwise (xarray's `coord_func`); datetimes average
//! to datetimes. Attributes are kept, as xarray's coarsen keeps them by default.
//!
//! ```
//! use ndarray::{ArrayD, IxDyn};
//! use tessera::labelled::{Boundary, DataArray};
//! let t = DataArray::from_ndarray(
//!     "t",
//!     ["lat", "lon"],
//!     ArrayD::from_shape_fn(IxDyn(&[4, 6]), |i| (i[0] * 6 + i[1]) as f64),
//!     &[2, 3],
//! )?
//! .with_coord_values("lon", vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0])?;
//! let m = t.coarsen(&[("lat", 2), ("lon", 4)])?.boundary(Boundary::Trim).mean()?;
//! assert_eq!(m.shape(), &[2, 1]);
//! assert_eq!(m.values::<f64>()?.into_raw_vec_and_offset().0, vec![4.5, 16.5]);
//! assert_eq!(m.coords().values_f64("lon")?, vec![1.5]);
//! # Ok::<(), tessera::Error>(())
//! ```

use std::str::FromStr;

mod variable;
mod windows;

use crate::engine::ReduceKind;
use crate::error::ensure;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::variable::Attrs;
use crate::{Error, Result};
use variable::{Stat, coarsen_variable};
use windows::{DimWindows, dim_windows};

/// What to do with a dimension whose length is not a multiple of its window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Boundary {
    /// Refuse with an error (xarray's default).
    #[default]
    Exact,
    /// Drop the positions left over: at the end with [`Side::Left`], at the start
    /// with [`Side::Right`].
    Trim,
    /// Complete the last ([`Side::Left`]) or first ([`Side::Right`]) window with
    /// missing values.
    Pad,
}

impl FromStr for Boundary {
    type Err = Error;

    /// `"exact"`, `"trim"` or `"pad"`, as xarray spells them.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "exact" => Ok(Boundary::Exact),
            "trim" => Ok(Boundary::Trim),
            "pad" => Ok(Boundary::Pad),
            other => Err(Error::invalid(format!(
                "{other:?} is not a coarsen boundary; use \"exact\", \"trim\" or \"pad\""
            ))),
        }
    }
}

/// Which end of a dimension the windows are counted from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Side {
    /// The first window starts at the first position (xarray's default).
    #[default]
    Left,
    /// The last window ends at the last position.
    Right,
}

impl FromStr for Side {
    type Err = Error;

    /// `"left"` or `"right"`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "left" => Ok(Side::Left),
            "right" => Ok(Side::Right),
            other => Err(Error::invalid(format!(
                "{other:?} is not a coarsen side; use \"left\" or \"right\""
            ))),
        }
    }
}

/// Windows over a [`DataArray`] or [`Dataset`], made by [`DataArray::coarsen`] or
/// [`Dataset::coarsen`]; set the options, then reduce.
#[derive(Clone, Debug)]
pub struct Coarsen<T> {
    obj: T,
    windows: Vec<(String, usize)>,
    boundary: Boundary,
    side: Side,
    keep_attrs: bool,
    coord_funcs: Vec<(String, ReduceKind)>,
}

impl DataArray {
    /// Windows of `windows[i].1` positions along dimension `windows[i].0`; reduce them
    /// with [`Coarsen::mean`] and friends (xarray's `da.coarsen(lat=4, lon=4)`).
    ///
    /// ```
    /// use ndarray::{ArrayD, IxDyn};
    /// use tessera::labelled::{Boundary, DataArray, Side};
    /// let n = DataArray::from_ndarray(
    ///     "n",
    ///     ["x"],
    ///     ArrayD::from_shape_vec(IxDyn(&[5]), vec![1i32, 2, 3, 4, 5]).unwrap(),
    ///     &[3],
    /// )?;
    /// // Windows of 2 counted from the end; the first is completed with a missing
    /// // value, so the integers become floats, as in xarray.
    /// let s = n.coarsen(&[("x", 2)])?.boundary(Boundary::Pad).side(Side::Right).sum()?;
    /// assert_eq!(s.values::<f64>()?.into_raw_vec_and_offset().0, vec![1.0, 5.0, 9.0]);
    /// // Exact windows refuse a length that is not a multiple of the window.
    /// assert!(n.coarsen(&[("x", 2)])?.sum().is_err());
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn coarsen(&self, windows: &[(&str, usize)]) -> Result<Coarsen<DataArray>> {
        Coarsen::new(self.clone(), windows, &sizes(self))
    }
}

/// A data array's dims with their lengths.
fn sizes(da: &DataArray) -> Vec<(String, usize)> {
    da.dims()
        .iter()
        .cloned()
        .zip(da.shape().iter().copied())
        .collect()
}

impl Dataset {
    /// [`DataArray::coarsen`] for every variable that has one of the dimensions; the
    /// others are kept as they are.
    ///
    /// ```
    /// use ndarray::{ArrayD, IxDyn};
    /// use tessera::labelled::{DataArray, Dataset};
    /// let t = DataArray::from_ndarray("t", ["time", "x"], ArrayD::from_elem(IxDyn(&[4, 3]), 2.0), &[2, 3])?;
    /// let h = DataArray::from_ndarray("h", ["x"], ArrayD::from_elem(IxDyn(&[3]), 7.0), &[3])?;
    /// let mut ds = Dataset::from_array(&t)?;
    /// ds.insert_array(&h)?;
    /// let daily = ds.coarsen(&[("time", 2)])?.max()?;
    /// assert_eq!(daily.get("t")?.shape(), &[2, 3]);
    /// assert_eq!(daily.get("h")?.shape(), &[3]); // no time: unchanged
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn coarsen(&self, windows: &[(&str, usize)]) -> Result<Coarsen<Dataset>> {
        Coarsen::new(self.clone(), windows, &self.dims())
    }
}

impl<T> Coarsen<T> {
    fn new(obj: T, windows: &[(&str, usize)], sizes: &[(String, usize)]) -> Result<Self> {
        for (i, &(dim, window)) in windows.iter().enumerate() {
            ensure!(
                sizes.iter().any(|(d, _)| d == dim),
                Error::UnknownDimension {
                    dim: dim.to_string(),
                    dims: sizes.iter().map(|(d, _)| d.clone()).collect(),
                }
            );
            ensure!(
                window != 0,
                "coarsen window along {dim:?} is 0; windows must be at least 1"
            );
            ensure!(
                !windows[..i].iter().any(|(d, _)| *d == dim),
                Error::DuplicateDimension {
                    dim: format!("{dim:?}"),
                    op: "coarsen windows".into(),
                }
            );
        }
        Ok(Coarsen {
            obj,
            windows: windows.iter().map(|&(d, w)| (d.to_string(), w)).collect(),
            boundary: Boundary::Exact,
            side: Side::Left,
            keep_attrs: true,
            coord_funcs: vec![],
        })
    }

    /// What to do with lengths that are not a multiple of the window (default exact).
    pub fn boundary(mut self, boundary: Boundary) -> Self {
        self.boundary = boundary;
        self
    }

    /// Which end windows are counted from (default left).
    pub fn side(mut self, side: Side) -> Self {
        self.side = side;
        self
    }

    /// Keep the attributes (default true, as xarray's coarsen).
    pub fn keep_attrs(mut self, keep: bool) -> Self {
        self.keep_attrs = keep;
        self
    }

    /// Reduces coordinate `coord` with `kind` instead of the mean (xarray's
    /// `coord_func={"time": "min"}`).
    pub fn coord_func(mut self, coord: &str, kind: ReduceKind) -> Self {
        self.coord_funcs.retain(|(c, _)| c != coord);
        self.coord_funcs.push((coord.to_string(), kind));
        self
    }

    fn dim_windows(&self, sizes: &[(String, usize)]) -> Result<Vec<DimWindows>> {
        self.windows
            .iter()
            .map(|(dim, w)| {
                let size = sizes.iter().find(|(d, _)| d == dim).ok_or_else(|| {
                    Error::UnknownDimension {
                        dim: dim.clone(),
                        dims: sizes.iter().map(|(d, _)| d.clone()).collect(),
                    }
                })?;
                dim_windows(dim, size.1, *w, self.boundary, self.side)
            })
            .collect()
    }

    /// Coarsens every coordinate with a coarsened dim; `untouched_attrs` says whether
    /// the others keep their attributes (a dataset drops them with `keep_attrs(false)`).
    fn coords(
        &self,
        coords: &Coords,
        wins: &[DimWindows],
        untouched_attrs: bool,
    ) -> Result<Coords> {
        if let Some((c, _)) = self
            .coord_funcs
            .iter()
            .find(|(c, _)| coords.get(c).is_none())
        {
            return Err(Error::UnknownVariable {
                name: c.clone(),
                available: coords.names(),
            });
        }
        let mut out = Coords::new();
        for (name, c) in coords.iter() {
            if !wins.iter().any(|w| c.var.has_dim(&w.dim)) {
                let var = if untouched_attrs {
                    c.var.clone()
                } else {
                    c.var.clone().with_attrs(Attrs::new())
                };
                out.insert_with_index(name.clone(), var, c.index.clone());
                continue;
            }
            let kind = self
                .coord_funcs
                .iter()
                .find(|(n, _)| n == name)
                .map_or(ReduceKind::Mean, |f| f.1);
            let what = format!("coordinate {name:?}");
            let stat = Stat { kind, ddof: 0 };
            let var = coarsen_variable(
                &c.var,
                wins,
                stat,
                self.keep_attrs,
                c.index.as_deref(),
                &what,
            )?;
            out.insert(name.clone(), var)?;
        }
        Ok(out)
    }
}

/// What can be coarsened: [`DataArray`] and [`Dataset`].
pub trait Coarsenable: Sized + sealed::Sealed {
    /// Applies the windows of `c` to `self` with one reduction (use the methods of
    /// [`Coarsen`] instead).
    #[doc(hidden)]
    fn coarsen_by(&self, c: &Coarsen<Self>, kind: ReduceKind, ddof: usize) -> Result<Self>;
}

mod sealed {
    #[allow(unnameable_types)] // sealed on purpose: outside crates cannot implement it
    pub trait Sealed {}
    impl Sealed for super::DataArray {}
    impl Sealed for super::Dataset {}
}

impl Coarsenable for DataArray {
    fn coarsen_by(&self, c: &Coarsen<Self>, kind: ReduceKind, ddof: usize) -> Result<Self> {
        let wins = c.dim_windows(&sizes(self))?;
        let stat = Stat { kind, ddof };
        let var = coarsen_variable(self.variable(), &wins, stat, c.keep_attrs, None, "the data")?;
        // xarray keeps a data array's coordinates without coarsened dims as they are.
        let coords = c.coords(self.coords(), &wins, true)?;
        DataArray::new(self.name().map(str::to_string), var, coords)
    }
}

impl Coarsenable for Dataset {
    fn coarsen_by(&self, c: &Coarsen<Self>, kind: ReduceKind, ddof: usize) -> Result<Self> {
        let wins = c.dim_windows(&self.dims())?;
        let mut out = Dataset::new();
        *out.coords_mut() = c.coords(self.coords(), &wins, c.keep_attrs)?;
        for (name, var) in self.data_vars() {
            let what = format!("variable {name:?}");
            let stat = Stat { kind, ddof };
            out.insert(
                name.clone(),
                coarsen_variable(var, &wins, stat, c.keep_attrs, None, &what)?,
            )?;
        }
        if c.keep_attrs {
            *out.attrs_mut() = self.attrs().clone();
        }
        Ok(out)
    }
}

impl<T: Coarsenable> Coarsen<T> {
    /// Any reduction of each window (NaN skipped for floats, as xarray's coarsen).
    pub fn reduce(&self, kind: ReduceKind) -> Result<T> {
        self.run(kind, 0)
    }

    fn run(&self, kind: ReduceKind, ddof: usize) -> Result<T> {
        let funcs = self.coord_funcs.iter().map(|f| f.1);
        if let Some(k) = std::iter::once(kind).chain(funcs).find(|k| k.is_arg()) {
            return Err(Error::invalid(format!(
                "{k:?} is not a coarsen reduction: it gives positions, not values"
            )));
        }
        self.obj.coarsen_by(self, kind, ddof)
    }

    /// Mean of each window.
    pub fn mean(&self) -> Result<T> {
        self.reduce(ReduceKind::Mean)
    }

    /// Sum of each window (0 where a window has no valid value).
    pub fn sum(&self) -> Result<T> {
        self.reduce(ReduceKind::Sum)
    }

    /// Product of each window.
    pub fn prod(&self) -> Result<T> {
        self.reduce(ReduceKind::Prod)
    }

    /// Smallest value of each window.
    pub fn min(&self) -> Result<T> {
        self.reduce(ReduceKind::Min)
    }

    /// Largest value of each window.
    pub fn max(&self) -> Result<T> {
        self.reduce(ReduceKind::Max)
    }

    /// Number of valid values in each window.
    pub fn count(&self) -> Result<T> {
        self.reduce(ReduceKind::Count)
    }

    /// Standard deviation of each window with `ddof` (xarray's is 0).
    pub fn std(&self, ddof: usize) -> Result<T> {
        self.run(ReduceKind::Std, ddof)
    }

    /// Variance of each window with `ddof`.
    pub fn var(&self, ddof: usize) -> Result<T> {
        self.run(ReduceKind::Var, ddof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_as_xarray_spells_them() {
        assert_eq!("pad".parse::<Boundary>().unwrap(), Boundary::Pad);
        assert_eq!("right".parse::<Side>().unwrap(), Side::Right);
        let e = "wrap".parse::<Boundary>().unwrap_err().to_string();
        assert!(e.contains("wrap") && e.contains("trim"), "{e}");
        assert!("middle".parse::<Side>().is_err());
    }
}
