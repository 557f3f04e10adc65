//! Group keys to group codes: every position along the grouped dimension gets the
//! number of its group (`-1`: in none), and the groups are numbered in the order
//! xarray sorts their labels (numbers ascending, strings lexicographically, so
//! seasons come out `DJF, JJA, MAM, SON`).

use std::collections::BTreeMap;

use crate::engine::{ArrayData, DType};
use crate::labelled::core::coords::{Coords, coord_from_values};
use crate::labelled::core::variable::{Attrs, Variable};
use crate::time::Calendar;
use crate::{Error, Result};

/// The labels of the groups, in group order.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupLabels {
    /// Integer labels (datetime components, integer coordinates).
    Int(Vec<i64>),
    /// Float labels.
    Float(Vec<f64>),
    /// String labels (seasons, string coordinates, bin intervals).
    Str(Vec<String>),
    /// Datetime labels (resample bins), microseconds in `calendar`.
    Time {
        /// The instants.
        values: Vec<i64>,
        /// Their calendar.
        calendar: Calendar,
        /// The encoding of the coordinate they came from (units, calendar).
        encoding: Attrs,
    },
}

impl GroupLabels {
    /// Number of groups.
    pub fn len(&self) -> usize {
        match self {
            GroupLabels::Int(v) => v.len(),
            GroupLabels::Float(v) => v.len(),
            GroupLabels::Str(v) => v.len(),
            GroupLabels::Time { values, .. } => values.len(),
        }
    }

    /// True if there are no groups.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The labels of the groups at `positions`, in that order.
    pub fn take(&self, positions: &[usize]) -> GroupLabels {
        fn pick<T: Clone>(v: &[T], p: &[usize]) -> Vec<T> {
            p.iter().map(|&i| v[i].clone()).collect()
        }
        match self {
            GroupLabels::Int(v) => GroupLabels::Int(pick(v, positions)),
            GroupLabels::Float(v) => GroupLabels::Float(pick(v, positions)),
            GroupLabels::Str(v) => GroupLabels::Str(pick(v, positions)),
            GroupLabels::Time {
                values,
                calendar,
                encoding,
            } => GroupLabels::Time {
                values: pick(values, positions),
                calendar: *calendar,
                encoding: encoding.clone(),
            },
        }
    }

    /// Adds these labels as the dimension coordinate `dim` (strings as a string
    /// index, datetimes with their calendar in the encoding).
    pub fn insert_into(&self, coords: &mut Coords, dim: &str) -> Result<()> {
        let n = self.len();
        let shaped = |data: ArrayData| coord_from_values(dim, data);
        let var = match self {
            GroupLabels::Str(v) => return coords.insert_strings(dim, v.clone()),
            GroupLabels::Int(v) => shaped(array1(v.clone(), n)?)?,
            GroupLabels::Float(v) => shaped(array1(v.clone(), n)?)?,
            GroupLabels::Time {
                values,
                calendar,
                encoding,
            } => {
                let mut enc = encoding.clone();
                enc.insert("calendar".into(), calendar.name().into());
                shaped(array1(values.clone(), n)?)?.with_encoding(enc)
            }
        };
        coords.insert(dim, var)
    }

    /// These labels as a 1-D variable along `dim` (strings are not engine data).
    pub fn variable(&self, dim: &str) -> Result<Option<Variable>> {
        let mut c = Coords::new();
        if matches!(self, GroupLabels::Str(_)) {
            return Ok(None);
        }
        self.insert_into(&mut c, dim)?;
        Ok(c.remove(dim).map(|c| c.var))
    }
}

fn array1<T: crate::engine::Storable>(v: Vec<T>, n: usize) -> Result<ArrayData> {
    Ok(ArrayData::new(
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), v)
            .map_err(|e| Error::invalid(e.to_string()))?,
    ))
}

/// Group codes and the sorted labels of the groups.
#[derive(Clone, Debug, PartialEq)]
pub struct Groups {
    /// Group number of every position (`-1`: no group).
    pub codes: Vec<i64>,
    /// The label of every group.
    pub labels: GroupLabels,
}

impl Groups {
    /// Number of groups.
    pub fn n_groups(&self) -> usize {
        self.labels.len()
    }

    /// The positions of each group's members, in order.
    pub fn members(&self) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); self.n_groups()];
        for (i, &c) in self.codes.iter().enumerate() {
            if c >= 0 {
                out[c as usize].push(i);
            }
        }
        out
    }
}

/// Codes for keys with a total order (`None`: no group).
fn factorize<K: Ord + Clone>(keys: &[Option<K>]) -> (Vec<i64>, Vec<K>) {
    let mut map: BTreeMap<K, i64> = BTreeMap::new();
    for k in keys.iter().flatten() {
        map.entry(k.clone()).or_insert(0);
    }
    for (i, v) in map.values_mut().enumerate() {
        *v = i as i64;
    }
    let codes = keys
        .iter()
        .map(|k| k.as_ref().map_or(-1, |k| map[k]))
        .collect();
    (codes, map.into_keys().collect())
}

/// Groups of integer keys.
pub(crate) fn from_ints(keys: &[Option<i64>]) -> Groups {
    let (codes, labels) = factorize(keys);
    Groups {
        codes,
        labels: GroupLabels::Int(labels),
    }
}

/// Groups of float keys; NaN belongs to no group, as in xarray.
pub(crate) fn from_floats(keys: &[f64]) -> Groups {
    let bits: Vec<Option<OrdF64>> = keys
        .iter()
        .map(|&k| (!k.is_nan()).then_some(OrdF64(k)))
        .collect();
    let (codes, labels) = factorize(&bits);
    Groups {
        codes,
        labels: GroupLabels::Float(labels.into_iter().map(|k| k.0).collect()),
    }
}

/// Groups of string keys.
pub(crate) fn from_strings(keys: &[Option<String>]) -> Groups {
    let (codes, labels) = factorize(keys);
    Groups {
        codes,
        labels: GroupLabels::Str(labels),
    }
}

/// Groups of datetime keys (each distinct instant its own group).
pub(crate) fn from_times(keys: &[Option<i64>], calendar: Calendar, encoding: Attrs) -> Groups {
    let (codes, labels) = factorize(keys);
    Groups {
        codes,
        labels: GroupLabels::Time {
            values: labels,
            calendar,
            encoding,
        },
    }
}

/// Groups of the values of a 1-D coordinate variable.
pub(crate) fn from_values(var: &Variable, strings: Option<&[String]>) -> Result<Groups> {
    if let Some(s) = strings {
        let keys: Vec<Option<String>> = s.iter().cloned().map(Some).collect();
        return Ok(from_strings(&keys));
    }
    let data = var.data().compute()?;
    if let Some(cal) = var.encoding().get("calendar").and_then(|c| c.as_str()) {
        let t = data.cast(DType::I64).into_typed::<i64>()?;
        let keys: Vec<Option<i64>> = t
            .iter()
            .map(|&x| (x != crate::time::NAT).then_some(x))
            .collect();
        return Ok(from_times(
            &keys,
            Calendar::parse(cal)?,
            var.encoding().clone(),
        ));
    }
    if var.dtype().is_float() {
        Ok(from_floats(&data.to_f64_vec()))
    } else {
        let t = data.cast(DType::I64).into_typed::<i64>()?;
        let keys: Vec<Option<i64>> = t.iter().map(|&x| Some(x)).collect();
        Ok(from_ints(&keys))
    }
}

/// An `f64` that is never NaN, so it can be ordered.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
#[allow(clippy::derive_ord_xor_partial_ord)]
impl Ord for OrdF64 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_sorted_labels() {
        let g = from_strings(&[
            Some("MAM".into()),
            Some("DJF".into()),
            None,
            Some("SON".into()),
            Some("JJA".into()),
            Some("DJF".into()),
        ]);
        assert_eq!(g.codes, vec![2, 0, -1, 3, 1, 0]);
        assert_eq!(
            g.labels,
            GroupLabels::Str(vec!["DJF".into(), "JJA".into(), "MAM".into(), "SON".into()])
        );
        let f = from_floats(&[2.5, f64::NAN, -1.0, 2.5]);
        assert_eq!(f.codes, vec![1, -1, 0, 1]);
        assert_eq!(f.members(), vec![vec![2], vec![0, 3]]);
    }
}
