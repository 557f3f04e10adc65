//! Reordering along a dimension: `roll` (numpy's roll, coordinates rolled or not),
//! `sortby` (by one or several 1-D coordinates, ascending or descending) and `pad`
//! (constant, edge, reflect, wrap; coordinates padded as xarray pads them). Each is
//! one `take` per variable (plus one `select` for constant padding).

use std::str::FromStr;

use super::positions::{Fill, dim_len, take_dataset};
use crate::engine::Scalar;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::select::Positions;
use crate::labelled::structure::align::{array_as_dataset, array_from_dataset};
use crate::{Error, Result};

/// How `pad` fills the new positions (numpy's `np.pad` modes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PadMode {
    /// A constant (NaN when `None`; integers then become float64, as they do under
    /// a float constant; an integer constant keeps them integers).
    Constant(Option<Scalar>),
    /// The edge value repeated.
    Edge,
    /// Mirrored about the edge, the edge not repeated.
    Reflect,
    /// Wrapped around from the other end.
    Wrap,
}

impl FromStr for PadMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "constant" => Ok(PadMode::Constant(None)),
            "edge" => Ok(PadMode::Edge),
            "reflect" => Ok(PadMode::Reflect),
            "wrap" => Ok(PadMode::Wrap),
            other => Err(Error::invalid(format!(
                "unknown pad mode {other:?}; tessera pads with \"constant\", \"edge\", \"reflect\" or \"wrap\""
            ))),
        }
    }
}

/// Source positions of a padded axis of length `n`.
pub(crate) fn pad_sources(
    n: usize,
    before: usize,
    after: usize,
    mode: PadMode,
) -> Result<Vec<Option<usize>>> {
    if n == 0 && !matches!(mode, PadMode::Constant(_)) {
        return Err(Error::invalid(format!(
            "cannot pad an empty dimension with mode {mode:?}"
        )));
    }
    let n_i = n as isize;
    Ok((0..before + n + after)
        .map(|j| {
            let i = j as isize - before as isize;
            match mode {
                PadMode::Constant(_) => (0..n_i).contains(&i).then_some(i as usize),
                PadMode::Edge => Some(i.clamp(0, n_i - 1) as usize),
                PadMode::Wrap => Some(i.rem_euclid(n_i) as usize),
                PadMode::Reflect if n == 1 => Some(0),
                PadMode::Reflect => {
                    let period = 2 * (n_i - 1);
                    let k = i.rem_euclid(period);
                    Some(if k >= n_i { period - k } else { k } as usize)
                }
            }
        })
        .collect())
}

impl Dataset {
    /// Rolls `dim` by `shift` positions (xarray's `ds.roll({dim: shift},
    /// roll_coords=...)`): element `i` moves to `(i + shift) mod n`. With
    /// `roll_coords`, the coordinates along the dim move too.
    ///
    /// Moving longitudes 0..360 to -180..180 is a roll and new labels:
    ///
    /// ```
    /// use ndarray::Array;
    /// use tessera::labelled::{DataArray, Dataset};
    ///
    /// let a = DataArray::from_ndarray("a", ["lon"], Array::from_vec(vec![0.0, 1.0, 2.0, 3.0]).into_dyn(), &[2])?
    ///     .with_coord_values("lon", vec![0.0, 90.0, 180.0, 270.0])?;
    /// let r = a.roll(&[("lon", 2)], true)?;
    /// let lon: Vec<f64> = r.coord("lon")?.values::<f64>()?.iter().map(|&l| if l >= 180.0 { l - 360.0 } else { l }).collect();
    /// let r = r.with_coord_values("lon", lon)?;
    /// assert_eq!(r.values::<f64>()?.as_slice().unwrap(), &[2.0, 3.0, 0.0, 1.0]);
    /// assert_eq!(r.sel("lon", -90.0)?.values::<f64>()?[[]], 3.0);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn roll(&self, shifts: &[(&str, isize)], roll_coords: bool) -> Result<Dataset> {
        let mut out = self.clone();
        for &(dim, shift) in shifts {
            let n = dim_len(&out, dim)?;
            if n == 0 {
                continue;
            }
            let src: Vec<Option<usize>> = (0..n as isize)
                .map(|i| Some((i - shift).rem_euclid(n as isize) as usize))
                .collect();
            let coord_fill = roll_coords.then_some(Fill::Missing);
            out = take_dataset(&out, dim, &src, Fill::Missing, coord_fill)?;
        }
        Ok(out)
    }

    /// Pads `dim` with `before` and `after` new positions (xarray's `ds.pad({dim:
    /// (before, after)}, mode=...)`). Data variables follow `mode`; coordinates are
    /// padded with NaN in constant mode and follow the mode otherwise, as xarray
    /// does (so a reflected or wrapped index holds repeated labels).
    pub fn pad(&self, widths: &[(&str, usize, usize)], mode: PadMode) -> Result<Dataset> {
        let mut out = self.clone();
        for &(dim, before, after) in widths {
            let n = dim_len(&out, dim)?;
            let src = pad_sources(n, before, after, mode)?;
            let fill = match mode {
                PadMode::Constant(Some(v)) => Fill::Value(v),
                _ => Fill::Missing,
            };
            out = take_dataset(&out, dim, &src, fill, Some(Fill::Missing))?;
        }
        Ok(out)
    }

    /// Sorts along the dims of 1-D variables (xarray's `ds.sortby([names],
    /// ascending=...)`): the first name is the primary key, ties keep their order
    /// (and are reversed when descending, as xarray reverses the ascending order);
    /// NaN sorts last, ascending or descending, as in xarray.
    pub fn sortby(&self, names: &[&str], ascending: bool) -> Result<Dataset> {
        let mut by_dim: Vec<(String, Vec<Vec<f64>>)> = vec![];
        for name in names {
            let var = self.get(name)?;
            if var.dims().len() != 1 {
                return Err(Error::invalid(format!(
                    "sortby needs 1-D variables; {name:?} has dims {:?}",
                    var.dims()
                )));
            }
            let key = if let Some(ix) = self.coords().index(name) {
                match ix.values() {
                    crate::labelled::IndexValues::Str(v) => {
                        let mut order: Vec<usize> = (0..v.len()).collect();
                        order.sort_by(|&a, &b| v[a].cmp(&v[b]));
                        let mut rank = vec![0.0; v.len()];
                        for (r, &i) in order.iter().enumerate() {
                            rank[i] = r as f64;
                        }
                        rank
                    }
                    _ => super::interp_api::index_numbers(ix, "sortby")?,
                }
            } else {
                var.data().compute()?.to_f64_vec()
            };
            let dim = var.dims()[0].clone();
            match by_dim.iter_mut().find(|(d, _)| *d == dim) {
                Some((_, keys)) => keys.push(key),
                None => by_dim.push((dim, vec![key])),
            }
        }
        let mut out = self.clone();
        for (dim, keys) in by_dim {
            let n = keys[0].len();
            let mut order: Vec<usize> = (0..n).collect();
            // Descending as xarray: the ascending order of (every key's "not NaN",
            // then the keys), reversed, so NaN stays last (ties come out reversed).
            let valid_first = |a: usize, b: usize| {
                keys.iter()
                    .map(|k| (!k[a].is_nan()).cmp(&!k[b].is_nan()))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            };
            order.sort_by(|&a, &b| {
                let by_key = || {
                    keys.iter()
                        .map(|k| nan_last(k[a], k[b]))
                        .find(|o| o.is_ne())
                        .unwrap_or(std::cmp::Ordering::Equal)
                };
                if ascending {
                    by_key()
                } else {
                    valid_first(a, b).then_with(by_key)
                }
            });
            if !ascending {
                order.reverse();
            }
            out = out.isel_positions(&dim, &Positions::List(order))?;
        }
        Ok(out)
    }
}

fn nan_last(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => a.total_cmp(&b),
    }
}

impl DataArray {
    /// Rolls along dims; see [`Dataset::roll`].
    pub fn roll(&self, shifts: &[(&str, isize)], roll_coords: bool) -> Result<DataArray> {
        for (d, _) in shifts {
            self.variable().axis(d)?;
        }
        array_from_dataset(
            &array_as_dataset(self)?.roll(shifts, roll_coords)?,
            self.name(),
        )
    }

    /// Pads dims; see [`Dataset::pad`].
    ///
    /// ```
    /// use ndarray::Array;
    /// use tessera::labelled::{DataArray, PadMode};
    /// let a = DataArray::from_ndarray("a", ["x"], Array::from_vec(vec![1.0, 2.0, 3.0]).into_dyn(), &[2])?;
    /// let p = a.pad(&[("x", 2, 1)], PadMode::Reflect)?;
    /// assert_eq!(p.values::<f64>()?.as_slice().unwrap(), &[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn pad(&self, widths: &[(&str, usize, usize)], mode: PadMode) -> Result<DataArray> {
        for (d, _, _) in widths {
            self.variable().axis(d)?;
        }
        array_from_dataset(&array_as_dataset(self)?.pad(widths, mode)?, self.name())
    }

    /// Sorts by 1-D coordinates; see [`Dataset::sortby`].
    pub fn sortby(&self, names: &[&str], ascending: bool) -> Result<DataArray> {
        array_from_dataset(
            &array_as_dataset(self)?.sortby(names, ascending)?,
            self.name(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_sources_follow_numpy() {
        let s = |m| pad_sources(3, 2, 2, m).unwrap();
        let some = |v: &[usize]| v.iter().map(|&i| Some(i)).collect::<Vec<_>>();
        assert_eq!(s(PadMode::Edge), some(&[0, 0, 0, 1, 2, 2, 2]));
        assert_eq!(s(PadMode::Wrap), some(&[1, 2, 0, 1, 2, 0, 1]));
        assert_eq!(s(PadMode::Reflect), some(&[2, 1, 0, 1, 2, 1, 0]));
        assert_eq!(s(PadMode::Constant(None))[..3], [None, None, Some(0)]);
    }
}
