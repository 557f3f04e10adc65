//! `reindex` / `reindex_like` with a method (pandas' `get_indexer`): exact labels,
//! the nearest label, the previous one (`ffill`/`pad`) or the next one
//! (`bfill`/`backfill`), within a tolerance, missing labels filled with NaN or a
//! value. One `take` (and one `select` where labels are missing) per variable.

use std::str::FromStr;

use super::interp_api::{index_numbers, label_number, target_coord};
use super::positions::{Fill, Sources, take_filled};
use crate::engine::Scalar;
use crate::labelled::core::coords::Coords;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::index::{Index, IndexValues, Label, Order};
use crate::labelled::structure::align::{array_as_dataset, array_from_dataset};
use crate::{Error, Result};

/// How a target label finds its source position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReindexMethod {
    /// The same label only (xarray's `method=None`).
    #[default]
    Exact,
    /// The nearest label (ties go to the larger label, as pandas).
    Nearest,
    /// The label before it in the index's order (`"pad"` / `"ffill"`).
    Ffill,
    /// The label after it in the index's order (`"backfill"` / `"bfill"`).
    Bfill,
}

impl FromStr for ReindexMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "exact" | "none" => Ok(ReindexMethod::Exact),
            "nearest" => Ok(ReindexMethod::Nearest),
            "pad" | "ffill" => Ok(ReindexMethod::Ffill),
            "backfill" | "bfill" => Ok(ReindexMethod::Bfill),
            other => Err(Error::invalid(format!(
                "unknown reindex method {other:?}; use \"nearest\", \"ffill\" (\"pad\") or \"bfill\" (\"backfill\")"
            ))),
        }
    }
}

/// Options of `reindex`: method, tolerance and fill value.
///
/// ```
/// use tessera::labelled::{ReindexMethod, ReindexOptions};
/// let o = ReindexOptions::new().method(ReindexMethod::Nearest).tolerance(0.5).fill_value(0.0);
/// assert_eq!(o.tolerance, Some(0.5));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct ReindexOptions {
    /// How labels are matched.
    pub method: ReindexMethod,
    /// The largest distance a matched label may be from the target (index units;
    /// microseconds on datetime indexes).
    pub tolerance: Option<f64>,
    /// The value of missing labels (NaN when `None`, and integers then become
    /// float64; a float value also makes integers float64, an integer one keeps them).
    pub fill_value: Option<Scalar>,
}

impl ReindexOptions {
    /// Exact labels, NaN where missing.
    pub fn new() -> Self {
        Self::default()
    }
    /// The same options with another method.
    pub fn method(mut self, method: ReindexMethod) -> Self {
        self.method = method;
        self
    }
    /// The same options with a tolerance.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = Some(tolerance);
        self
    }
    /// The same options with a fill value.
    pub fn fill_value(mut self, value: impl Into<Scalar>) -> Self {
        self.fill_value = Some(value.into());
        self
    }
}

/// Source positions on a string index: exact labels, or `ffill`/`bfill` in the
/// strings' (code point) order as pandas; `nearest` has no distance between strings
/// (xarray raises a `TypeError`), nor has `tolerance`.
fn string_sources(
    index: &Index,
    v: &[String],
    targets: &[Label],
    opts: &ReindexOptions,
) -> Result<Sources> {
    let dim = index.dim();
    let t: Vec<&str> = targets
        .iter()
        .map(|l| match l {
            Label::Str(s) => Ok(s.as_str()),
            other => Err(Error::invalid(format!(
                "label {other} cannot be looked up in the string index {dim:?}"
            ))),
        })
        .collect::<Result<_>>()?;
    if opts.method == ReindexMethod::Nearest
        || (opts.tolerance.is_some() && opts.method != ReindexMethod::Exact)
    {
        return Err(Error::NotNumeric {
            op: format!(
                "reindex with method {:?}{}",
                opts.method,
                if opts.tolerance.is_some() {
                    " and a tolerance"
                } else {
                    ""
                }
            ),
            what: format!("index {dim:?} (strings have no distance)"),
            found: "strings".into(),
        });
    }
    let desc = match (opts.method, index.order()) {
        (ReindexMethod::Exact, _) => false,
        (_, Order::Unsorted) => {
            return Err(Error::NonMonotonicIndex {
                dim: dim.to_string(),
                op: format!("reindex with method {:?}", opts.method),
            });
        }
        (_, o) => o == Order::Descending,
    };
    let n = v.len();
    let before = |a: &str, b: &str| if desc { a >= b } else { a <= b };
    Ok(t.iter()
        .map(|&s| {
            let exact = v.iter().position(|x| x == s);
            match opts.method {
                ReindexMethod::Ffill => exact.or_else(|| (0..n).rev().find(|&i| before(&v[i], s))),
                ReindexMethod::Bfill => exact.or_else(|| (0..n).find(|&i| before(s, &v[i]))),
                _ => exact,
            }
        })
        .collect())
}

/// Source positions of each target (pandas `get_indexer` with a method and tolerance).
pub(crate) fn sources(index: &Index, targets: &[Label], opts: &ReindexOptions) -> Result<Sources> {
    if let IndexValues::Str(v) = index.values() {
        return string_sources(index, v, targets, opts);
    }
    let x = index_numbers(index, "reindex")?;
    let t: Vec<f64> = targets
        .iter()
        .map(|l| label_number(index, l))
        .collect::<Result<_>>()?;
    let desc = match (opts.method, index.order()) {
        (ReindexMethod::Exact, _) => false,
        (_, Order::Unsorted) => {
            return Err(Error::NonMonotonicIndex {
                dim: index.dim().to_string(),
                op: format!("reindex with method {:?}", opts.method),
            });
        }
        (_, o) => o == Order::Descending,
    };
    let n = x.len();
    // "before" in the index's order: smaller labels ascending, larger descending.
    let before = |a: f64, b: f64| if desc { a >= b } else { a <= b };
    let ffill = |v: f64| (0..n).rev().find(|&i| before(x[i], v));
    let bfill = |v: f64| (0..n).find(|&i| before(v, x[i]));
    let out = t
        .iter()
        .map(|&v| {
            let exact = x.iter().position(|&xi| xi == v);
            let p = match opts.method {
                ReindexMethod::Exact => exact,
                ReindexMethod::Ffill => exact.or_else(|| ffill(v)),
                ReindexMethod::Bfill => exact.or_else(|| bfill(v)),
                ReindexMethod::Nearest => exact.or_else(|| match (ffill(v), bfill(v)) {
                    (Some(l), Some(r)) => {
                        let (dl, dr) = ((x[l] - v).abs(), (x[r] - v).abs());
                        let left_wins = if desc { dl <= dr } else { dl < dr };
                        Some(if left_wins { l } else { r })
                    }
                    (l, r) => l.or(r),
                }),
            };
            match (p, opts.tolerance) {
                (Some(i), Some(tol)) if (x[i] - v).abs() > tol => None,
                _ => p,
            }
        })
        .collect();
    Ok(out)
}

impl Dataset {
    /// Conforms `dim` to new labels (xarray's `ds.reindex({dim: labels}, method=...,
    /// tolerance=..., fill_value=...)`): each label takes the values at its match,
    /// or the fill value (NaN by default) where it has none.
    ///
    /// ```
    /// use ndarray::Array;
    /// use tessera::labelled::{DataArray, Dataset, ReindexMethod, ReindexOptions};
    ///
    /// let a = DataArray::from_ndarray("a", ["x"], Array::from_vec(vec![1.0, 2.0, 3.0]).into_dyn(), &[2])?
    ///     .with_coord_values("x", vec![0.0, 10.0, 20.0])?;
    /// let ds = Dataset::from_array(&a)?;
    /// let opts = ReindexOptions::new().method(ReindexMethod::Ffill);
    /// let r = ds.reindex("x", [5.0, 20.0, -1.0], &opts)?.get("a")?.values::<f64>()?;
    /// assert_eq!(&r.as_slice().unwrap()[..2], &[1.0, 3.0]);
    /// assert!(r[[2]].is_nan());
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn reindex<L: Into<Label>>(
        &self,
        dim: &str,
        labels: impl IntoIterator<Item = L>,
        opts: &ReindexOptions,
    ) -> Result<Dataset> {
        let labels: Vec<Label> = labels.into_iter().map(Into::into).collect();
        self.reindex_labels(dim, &labels, opts)
    }

    fn reindex_labels(
        &self,
        dim: &str,
        labels: &[Label],
        opts: &ReindexOptions,
    ) -> Result<Dataset> {
        if self.dim_len(dim).is_none() {
            return Err(Error::UnknownDimension {
                dim: dim.to_string(),
                dims: self.dims().into_iter().map(|(d, _)| d).collect(),
            });
        }
        let index = self.coords().index(dim).ok_or_else(|| {
            Error::invalid(format!(
                "cannot reindex {dim:?}: it has no coordinate (assign_coords first)"
            ))
        })?;
        let src = sources(index, labels, opts)?;
        let fill = opts.fill_value.map_or(Fill::Missing, Fill::Value);
        let mut out = Dataset::new();
        for (name, var) in self.data_vars() {
            out.insert(name.clone(), take_filled(var, dim, &src, fill)?)?;
        }
        let old = self
            .coords()
            .get(dim)
            .expect("an index has a coordinate")
            .var
            .clone();
        let attrs = old.attrs().clone();
        let mut coords = Coords::new();
        for (name, c) in self.coords().iter() {
            if name == dim {
                if let IndexValues::Str(_) = index.values() {
                    let strings: Vec<String> = labels
                        .iter()
                        .map(|l| match l {
                            Label::Str(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect();
                    coords.insert_strings(dim, strings)?;
                    if let Some(c) = coords.get(dim).cloned() {
                        coords.insert_with_index(
                            dim.to_string(),
                            c.var.with_attrs(attrs.clone()),
                            c.index,
                        );
                    }
                } else {
                    let t: Vec<f64> = labels
                        .iter()
                        .map(|l| label_number(index, l))
                        .collect::<Result<_>>()?;
                    let new = target_coord(dim, index, &old, &t, &attrs)?;
                    coords.insert_with_index(dim.to_string(), new.var, new.index);
                }
            } else if c.var.has_dim(dim) {
                coords.insert_with_index(name.clone(), take_filled(&c.var, dim, &src, fill)?, None);
            } else {
                coords.insert_with_index(name.clone(), c.var.clone(), c.index.clone());
            }
        }
        *out.coords_mut() = coords;
        *out.attrs_mut() = self.attrs().clone();
        Ok(out)
    }

    /// Reindexes every dim that `other` indexes and this dataset has (xarray's
    /// `ds.reindex_like(other)`; pass `other.coords()`).
    pub fn reindex_like(&self, other: &Coords, opts: &ReindexOptions) -> Result<Dataset> {
        let mut out = self.clone();
        for (name, c) in other.iter() {
            let Some(ix) = &c.index else { continue };
            if self.dim_len(name).is_none() {
                continue;
            }
            out = out.reindex_labels(name, &ix.labels(), opts)?;
        }
        Ok(out)
    }
}

impl DataArray {
    /// Conforms `dim` to new labels; see [`Dataset::reindex`].
    pub fn reindex<L: Into<Label>>(
        &self,
        dim: &str,
        labels: impl IntoIterator<Item = L>,
        opts: &ReindexOptions,
    ) -> Result<DataArray> {
        self.variable().axis(dim)?;
        let ds = array_as_dataset(self)?.reindex(dim, labels, opts)?;
        array_from_dataset(&ds, self.name())
    }

    /// Reindexes onto `other`'s indexes; see [`Dataset::reindex_like`].
    pub fn reindex_like(&self, other: &Coords, opts: &ReindexOptions) -> Result<DataArray> {
        let ds = array_as_dataset(self)?.reindex_like(other, opts)?;
        array_from_dataset(&ds, self.name())
    }
}
