//! Eager indexes of dimension coordinates: how labels become positions.
//!
//! An index knows whether it is sorted ascending, descending or not at all, and
//! answers exact lookups, nearest lookups with a tolerance, and inclusive label
//! slices (pandas semantics, which also work on descending latitude).

use std::fmt;
use std::ops::Range;

use crate::error::ensure;
use crate::{Error, Result};

/// A label used to select along an index.
#[derive(Clone, Debug, PartialEq)]
pub enum Label {
    /// A number (matches float and integer indexes).
    Num(f64),
    /// A string (matches string indexes; on datetime indexes, a date such as
    /// `"2000-01"` or `"2000-01-01T12"`).
    Str(String),
    /// A datetime instant in the index's calendar (microseconds since 1970-01-01).
    Time(i64),
}

impl From<f64> for Label {
    fn from(v: f64) -> Self {
        Label::Num(v)
    }
}
impl From<i64> for Label {
    fn from(v: i64) -> Self {
        Label::Num(v as f64)
    }
}
impl From<i32> for Label {
    fn from(v: i32) -> Self {
        Label::Num(v as f64)
    }
}
impl From<&str> for Label {
    fn from(v: &str) -> Self {
        Label::Str(v.to_string())
    }
}
impl From<String> for Label {
    fn from(v: String) -> Self {
        Label::Str(v)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Num(v) => write!(f, "{v}"),
            Label::Str(s) => write!(f, "{s:?}"),
            Label::Time(t) => write!(f, "time {t}"),
        }
    }
}

/// The values of an index.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexValues {
    /// Numbers (integer coordinates are kept as `f64`, exact up to 2^53).
    Num(Vec<f64>),
    /// Datetimes: microseconds since 1970-01-01 in `calendar`.
    Time {
        /// The instants.
        values: Vec<i64>,
        /// The CF calendar they are counted in.
        calendar: crate::time::Calendar,
    },
    /// Strings.
    Str(Vec<String>),
}

/// How an index is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Strictly or non-strictly increasing.
    Ascending,
    /// Decreasing.
    Descending,
    /// Neither.
    Unsorted,
}

/// An eager index over one dimension.
#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    dim: String,
    values: IndexValues,
    order: Order,
}

fn order_of<T: PartialOrd>(v: &[T]) -> Order {
    if v.windows(2).all(|w| w[0] <= w[1]) {
        Order::Ascending
    } else if v.windows(2).all(|w| w[0] >= w[1]) {
        Order::Descending
    } else {
        Order::Unsorted
    }
}

impl Index {
    /// An index of `dim` over these values.
    pub fn new(dim: impl Into<String>, values: IndexValues) -> Self {
        let order = match &values {
            IndexValues::Num(v) => order_of(v),
            IndexValues::Time { values, .. } => order_of(values),
            IndexValues::Str(v) => order_of(v),
        };
        Index {
            dim: dim.into(),
            values,
            order,
        }
    }

    /// The dimension it indexes.
    pub fn dim(&self) -> &str {
        &self.dim
    }

    /// The values.
    pub fn values(&self) -> &IndexValues {
        &self.values
    }

    /// Sortedness.
    pub fn order(&self) -> Order {
        self.order
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        match &self.values {
            IndexValues::Num(v) => v.len(),
            IndexValues::Time { values, .. } => values.len(),
            IndexValues::Str(v) => v.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every label, in order (to select or align by another object's index).
    pub fn labels(&self) -> Vec<Label> {
        match &self.values {
            IndexValues::Num(v) => v.iter().map(|&x| Label::Num(x)).collect(),
            IndexValues::Time { values, .. } => values.iter().map(|&t| Label::Time(t)).collect(),
            IndexValues::Str(v) => v.iter().map(|s| Label::Str(s.clone())).collect(),
        }
    }

    /// The label at a position, for messages and reprs.
    pub fn label_text(&self, i: usize) -> String {
        match &self.values {
            IndexValues::Num(v) => format!("{}", v[i]),
            IndexValues::Time { values, calendar } => time_text(*calendar, values[i]),
            IndexValues::Str(v) => format!("{:?}", v[i]),
        }
    }

    /// A new index with the labels at these positions.
    pub fn take(&self, positions: &[usize]) -> Index {
        let values = match &self.values {
            IndexValues::Num(v) => IndexValues::Num(positions.iter().map(|&p| v[p]).collect()),
            IndexValues::Time { values, calendar } => IndexValues::Time {
                values: positions.iter().map(|&p| values[p]).collect(),
                calendar: *calendar,
            },
            IndexValues::Str(v) => {
                IndexValues::Str(positions.iter().map(|&p| v[p].clone()).collect())
            }
        };
        Index::new(self.dim.clone(), values)
    }

    /// Numeric key of a label for ordered comparisons on numeric and time indexes:
    /// a single instant/number, or for partial dates the covered range.
    fn key_range(&self, label: &Label) -> Result<(f64, f64)> {
        match (&self.values, label) {
            (IndexValues::Num(_), Label::Num(v)) => Ok((*v, *v)),
            (IndexValues::Time { .. }, Label::Time(t)) => Ok((*t as f64, *t as f64)),
            (IndexValues::Time { calendar, .. }, Label::Str(s)) => {
                let (a, b) = crate::time::parse_datetime_str(s, *calendar)?;
                // The range is half-open in microseconds; make it closed.
                Ok((a as f64, (b - 1) as f64))
            }
            _ => Err(self.mismatch(label)),
        }
    }

    fn mismatch(&self, label: &Label) -> Error {
        let kind = match self.values {
            IndexValues::Num(_) => "numeric",
            IndexValues::Time { .. } => "datetime",
            IndexValues::Str(_) => "string",
        };
        Error::invalid(format!(
            "label {label} cannot be looked up in the {kind} index {:?}",
            self.dim
        ))
    }

    fn num_at(&self, i: usize) -> f64 {
        match &self.values {
            IndexValues::Num(v) => v[i],
            IndexValues::Time { values, .. } => values[i] as f64,
            IndexValues::Str(_) => f64::NAN,
        }
    }

    fn not_found(&self, label: &Label) -> Error {
        let hint = match (&self.values, label) {
            (IndexValues::Str(v), Label::Str(s)) => {
                let mut close: Vec<&String> = v
                    .iter()
                    .filter(|c| c.starts_with(&s[..s.len().min(1)]))
                    .take(3)
                    .collect();
                if close.is_empty() {
                    close = v.iter().take(3).collect();
                }
                format!(" (labels include {close:?})")
            }
            _ => match self.nearest_pos(label) {
                Ok(p) => format!(" (nearest: {})", self.label_text(p)),
                Err(_) => String::new(),
            },
        };
        Error::LabelNotFound {
            label: label.to_string(),
            dim: self.dim.clone(),
            hint,
        }
    }

    /// Positions selected by one label: one position, or for a partial date on a
    /// time index every position inside the period.
    pub fn get(&self, label: &Label) -> Result<Vec<usize>> {
        if let (IndexValues::Str(v), Label::Str(s)) = (&self.values, label) {
            return v
                .iter()
                .position(|x| x == s)
                .map(|p| vec![p])
                .ok_or_else(|| self.not_found(label));
        }
        let (lo, hi) = self.key_range(label)?;
        let found: Vec<usize> = (0..self.len())
            .filter(|&i| {
                let x = self.num_at(i);
                x >= lo && x <= hi
            })
            .collect();
        ensure!(!found.is_empty(), self.not_found(label));
        Ok(found)
    }

    /// The single position of an exact label.
    pub fn get_one(&self, label: &Label) -> Result<usize> {
        let p = self.get(label)?;
        if p.len() == 1 {
            Ok(p[0])
        } else {
            Err(Error::invalid(format!(
                "label {label} selects {} positions of {:?}; use a slice or a list",
                p.len(),
                self.dim
            )))
        }
    }

    fn nearest_pos(&self, label: &Label) -> Result<usize> {
        let (lo, hi) = self.key_range(label)?;
        let target = (lo + hi) / 2.0;
        (0..self.len())
            .min_by(|&a, &b| {
                let (da, db) = (
                    (self.num_at(a) - target).abs(),
                    (self.num_at(b) - target).abs(),
                );
                // Ties go to the larger label, as pandas' nearest indexer.
                da.partial_cmp(&db)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then(self.num_at(b).total_cmp(&self.num_at(a)))
                    .then(a.cmp(&b))
            })
            .ok_or_else(|| Error::LabelNotFound {
                label: label.to_string(),
                dim: self.dim.clone(),
                hint: " (the index is empty)".into(),
            })
    }

    /// The position of the label nearest to `label`, within `tolerance` if given.
    pub fn nearest(&self, label: &Label, tolerance: Option<f64>) -> Result<usize> {
        ensure!(
            !matches!(self.values, IndexValues::Str(_)),
            Error::NotNumeric {
                op: format!("nearest lookup of {label}"),
                what: format!("index {:?}", self.dim),
                found: "strings (select exact labels instead)".into(),
            }
        );
        ensure!(
            self.order != Order::Unsorted,
            Error::NonMonotonicIndex {
                dim: self.dim.clone(),
                op: "nearest lookup".into(),
            }
        );
        let p = self.nearest_pos(label)?;
        if let Some(tol) = tolerance {
            let (lo, hi) = self.key_range(label)?;
            let d = (self.num_at(p) - (lo + hi) / 2.0).abs();
            if d > tol {
                return Err(Error::LabelNotFound {
                    label: label.to_string(),
                    dim: self.dim.clone(),
                    hint: format!(" within tolerance {tol} (nearest: {})", self.label_text(p)),
                });
            }
        }
        Ok(p)
    }

    /// Positions between two labels, both ends included (pandas semantics). On a
    /// descending index, `start` is the larger label.
    pub fn slice(&self, start: Option<&Label>, stop: Option<&Label>) -> Result<Range<usize>> {
        let n = self.len();
        if let IndexValues::Str(v) = &self.values {
            let a = match start {
                Some(l) => self.get_one(l)?,
                None => 0,
            };
            let b = match stop {
                Some(l) => self.get_one(l)? + 1,
                None => n,
            };
            let _ = v;
            return Ok(a..b.max(a));
        }
        let desc = match self.order {
            Order::Ascending => false,
            Order::Descending => true,
            Order::Unsorted => {
                return Err(Error::NonMonotonicIndex {
                    dim: self.dim.clone(),
                    op: "a label slice".into(),
                });
            }
        };
        let lo = start.map(|l| self.key_range(l)).transpose()?;
        let hi = stop.map(|l| self.key_range(l)).transpose()?;
        let inside = |i: usize| {
            let x = self.num_at(i);
            if desc {
                lo.is_none_or(|(_, h)| x <= h) && hi.is_none_or(|(l, _)| x >= l)
            } else {
                lo.is_none_or(|(l, _)| x >= l) && hi.is_none_or(|(_, h)| x <= h)
            }
        };
        let a = (0..n).find(|&i| inside(i)).unwrap_or(n);
        let b = (a..n).rev().find(|&i| inside(i)).map_or(a, |i| i + 1);
        Ok(a..b)
    }

    /// The index restricted to a range of positions, with a step.
    pub fn slice_positions(&self, start: usize, step: isize, len: usize) -> Index {
        let pos: Vec<usize> = (0..len)
            .map(|i| (start as isize + i as isize * step) as usize)
            .collect();
        self.take(&pos)
    }

    /// True if both indexes hold the same labels in the same order.
    pub fn equals(&self, other: &Index) -> bool {
        self.values == other.values
    }
}

/// An instant as people read it: the date alone at midnight, `NaT` when missing.
pub(crate) fn time_text(calendar: crate::time::Calendar, t: i64) -> String {
    if t == crate::time::NAT {
        return "NaT".into();
    }
    let text = calendar.from_micros(t).to_string();
    match text.strip_suffix("T00:00:00") {
        Some(date) => date.to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lat() -> Index {
        Index::new("lat", IndexValues::Num(vec![60.0, 30.0, 0.0, -30.0, -60.0]))
    }

    #[test]
    fn descending_slices_are_inclusive() {
        let i = lat();
        assert_eq!(i.order(), Order::Descending);
        assert_eq!(
            i.slice(Some(&30.0.into()), Some(&(-30.0).into())).unwrap(),
            1..4
        );
        assert_eq!(i.slice(Some(&45.0.into()), None).unwrap(), 1..5);
        // Bounds in ascending order on a descending index select nothing (pandas).
        assert!(
            i.slice(Some(&(-30.0).into()), Some(&30.0.into()))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn nearest_respects_tolerance_and_errors_name_the_label() {
        let i = lat();
        assert_eq!(i.nearest(&40.0.into(), None).unwrap(), 1);
        let e = i.nearest(&44.0.into(), Some(5.0)).unwrap_err().to_string();
        assert!(
            e.contains("44") && e.contains("tolerance") && e.contains("lat"),
            "{e}"
        );
        let e = i.get(&(10.0).into()).unwrap_err().to_string();
        assert!(e.contains("nearest: 0"), "{e}");
    }

    #[test]
    fn unsorted_indexes_refuse_slices() {
        let i = Index::new("x", IndexValues::Num(vec![3.0, 1.0, 2.0]));
        assert!(matches!(
            i.slice(Some(&1.0.into()), None),
            Err(Error::NonMonotonicIndex { .. })
        ));
        assert_eq!(i.get(&2.0.into()).unwrap(), vec![2]);
    }

    #[test]
    fn string_indexes_look_up_exactly() {
        let i = Index::new(
            "station",
            IndexValues::Str(vec!["a".into(), "b".into(), "c".into()]),
        );
        assert_eq!(i.get_one(&"b".into()).unwrap(), 1);
        assert_eq!(i.slice(Some(&"b".into()), None).unwrap(), 1..3);
        assert!(i.get(&"z".into()).is_err());
    }
}
