//! Groupby arithmetic (`x.groupby("time.month") - climatology`) and `map` over
//! groups.
//!
//! The per-group operand is taken back along the grouped dimension with one engine
//! `take` (position `i` gets the value of its group), so the result stays lazy and
//! fuses with what follows: an anomaly's std over time reads `x` once.

use super::GroupBy;
use super::labels::GroupLabels;
use crate::engine::{BinaryOp, LazyArray};
use crate::error::ensure;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::index::IndexValues;
use crate::labelled::core::variable::Variable;
use crate::labelled::selection::positions::{Fill, take_filled};
use crate::{Error, Result};

impl GroupBy {
    /// Where each group's label sits in `other`'s index along the group dimension
    /// (`None` for a group `other` lacks: xarray aligns `other` to the groups, so
    /// those members meet NaN).
    fn positions_in(&self, other: &DataArray) -> Result<Vec<Option<usize>>> {
        ensure!(
            other.variable().has_dim(&self.name),
            Error::InvalidGroup {
                key: self.name.clone(),
                reason: format!(
                    "incompatible dimensions for a grouped binary operation: {:?} is not a \
                     dimension of the other operand, whose dims are {:?}",
                    self.name,
                    other.dims()
                ),
            }
        );
        let index = other.coords().require_index(&self.name)?;
        let find = |i: usize| -> Option<usize> {
            match (&self.groups.labels, index.values()) {
                (GroupLabels::Int(v), IndexValues::Num(o)) => {
                    o.iter().position(|&x| x == v[i] as f64)
                }
                (GroupLabels::Float(v), IndexValues::Num(o)) => o.iter().position(|&x| x == v[i]),
                (GroupLabels::Str(v), IndexValues::Str(o)) => o.iter().position(|x| *x == v[i]),
                (GroupLabels::Time { values, .. }, IndexValues::Time { values: o, .. }) => {
                    o.iter().position(|&x| x == values[i])
                }
                _ => None,
            }
        };
        Ok((0..self.groups.n_groups()).map(find).collect())
    }

    /// `other` (which has the group dimension) taken back along the grouped
    /// dimension: every position gets its group's value (NaN where `other` has no
    /// value for the group). Its coordinates along the group dimension give way to
    /// the member labels and the grouped dimension's coordinate, in xarray's order.
    pub fn broadcast_groups(&self, other: &DataArray) -> Result<DataArray> {
        let pos = self.positions_in(other)?;
        if let Some(i) = self.groups.codes.iter().position(|&c| c < 0) {
            return Err(Error::InvalidGroup {
                key: self.name.clone(),
                reason: format!(
                    "position {i} along {:?} is in no group, so it has no value to combine with",
                    self.dim
                ),
            });
        }
        let take: Vec<Option<usize>> = self.groups.codes.iter().map(|&c| pos[c as usize]).collect();
        let var = take_filled(other.variable(), &self.name, &take, Fill::Missing)?;
        let dims: Vec<String> = var
            .dims()
            .iter()
            .map(|d| {
                if *d == self.name {
                    self.dim.clone()
                } else {
                    d.clone()
                }
            })
            .collect();
        let var = Variable::new(dims, var.data().clone())?.with_attrs(other.attrs().clone());
        let mut coords = other.coords().clone();
        coords.retain(|_, c| !c.var.has_dim(&self.name));
        if let Some(labels) = self.member_labels()? {
            coords.insert_with_index(self.name.clone(), labels, None);
        }
        if let Some(c) = self.obj.coords().get(&self.dim) {
            coords.insert_with_index(self.dim.clone(), c.var.clone(), c.index.clone());
        }
        DataArray::new(other.name().map(str::to_string), var, coords)
    }

    /// `x op other` where `other` holds one value per group (a climatology): each
    /// member is combined with its group's value, lazily. The group labels become a
    /// coordinate along the grouped dimension, as in xarray; the name is kept where
    /// both operands share it.
    pub fn binary(&self, op: BinaryOp, other: &DataArray) -> Result<DataArray> {
        self.combine(op, other, false)
    }

    /// `other op x` (xarray's reflected operators, `clim - g`): the result has the
    /// grouped array's dims, in the order `other`'s dims give them.
    pub fn binary_reflected(&self, op: BinaryOp, other: &DataArray) -> Result<DataArray> {
        self.combine(op, other, true)
    }

    fn combine(&self, op: BinaryOp, other: &DataArray, reflected: bool) -> Result<DataArray> {
        let wide = self.broadcast_groups(other)?;
        let out = if reflected {
            wide.binary(op, &self.obj)?
        } else {
            self.obj.binary(op, &wide)?
        };
        self.with_member_labels(out)
    }

    /// `x - other` per group (anomalies from a climatology).
    pub fn sub(&self, other: &DataArray) -> Result<DataArray> {
        self.binary(BinaryOp::Sub, other)
    }

    /// `x + other` per group.
    pub fn add(&self, other: &DataArray) -> Result<DataArray> {
        self.binary(BinaryOp::Add, other)
    }

    /// `x / other` per group.
    pub fn div(&self, other: &DataArray) -> Result<DataArray> {
        self.binary(BinaryOp::Div, other)
    }

    /// The group label of every member, a variable along the grouped dimension
    /// (`None` when grouping by the dimension itself, or for string labels:
    /// string-valued non-index coordinates do not exist yet).
    pub(super) fn member_labels(&self) -> Result<Option<Variable>> {
        if self.name == self.dim {
            return Ok(None);
        }
        let members: Vec<usize> = self.groups.codes.iter().map(|&c| c as usize).collect();
        self.groups.labels.take(&members).variable(&self.dim)
    }

    /// The group label of every member as a coordinate along the grouped dimension.
    fn with_member_labels(&self, out: DataArray) -> Result<DataArray> {
        if out.coords().get(&self.name).is_some() {
            return Ok(out);
        }
        match self.member_labels()? {
            Some(var) => {
                let mut coords = out.coords().clone();
                coords.insert_with_index(self.name.clone(), var, None);
                DataArray::new(
                    out.name().map(str::to_string),
                    out.variable().clone(),
                    coords,
                )
            }
            None => Ok(out),
        }
    }

    /// Applies `f` to every group (a lazy selection of its members) and combines the
    /// results as xarray's `map`: if every result lacks the grouped dimension they
    /// are stacked along the group dimension; if every result keeps it with the
    /// group's length they are put back in the original order along it.
    pub fn map(&self, f: impl Fn(&DataArray) -> Result<DataArray>) -> Result<DataArray> {
        let members = self.groups.members();
        let mut results = Vec::with_capacity(members.len());
        for m in members.iter().filter(|m| !m.is_empty()) {
            results.push(f(&self.obj.isel_list(&self.dim, m)?)?);
        }
        let first = results
            .first()
            .ok_or_else(|| Error::EmptyReduction("map over no groups".into()))?;
        if results.iter().all(|r| !r.variable().has_dim(&self.dim)) {
            let mut dims = vec![self.name.clone()];
            dims.extend(first.dims().iter().cloned());
            let data: Vec<&LazyArray> = results.iter().map(|r| r.data()).collect();
            let stacked = LazyArray::stack(&data, 0)?;
            let kept: Vec<usize> = members
                .iter()
                .enumerate()
                .filter(|(_, m)| !m.is_empty())
                .map(|(i, _)| i)
                .collect();
            let mut coords = first.coords().clone();
            self.groups
                .labels
                .take(&kept)
                .insert_into(&mut coords, &self.name)?;
            return DataArray::new(
                first.name().map(str::to_string),
                Variable::new(dims, stacked)?.with_attrs(first.attrs().clone()),
                coords,
            );
        }
        let same_len = results
            .iter()
            .zip(members.iter().filter(|m| !m.is_empty()))
            .all(|(r, m)| r.variable().size_of(&self.dim) == Some(m.len()));
        ensure!(
            same_len && results.iter().all(|r| r.dims() == first.dims()),
            "map: every group result must either drop {:?} or keep it with the group's length and the same dims",
            self.dim
        );
        let axis = first.variable().axis(&self.dim)?;
        let data: Vec<&LazyArray> = results.iter().map(|r| r.data()).collect();
        let joined = LazyArray::concat(&data, axis)?;
        // Members in concatenated order -> back to original positions.
        let order: Vec<usize> = members.iter().flatten().copied().collect();
        let mut inverse = vec![0; order.len()];
        for (k, &p) in order.iter().enumerate() {
            inverse[p] = k;
        }
        ensure!(
            order.len() == self.groups.codes.len(),
            "map with results along the grouped dimension needs every position in a group"
        );
        let data = joined.take(axis, &inverse)?;
        let var = Variable::new(first.dims().to_vec(), data)?.with_attrs(first.attrs().clone());
        let mut coords = first.coords().clone();
        coords.retain(|_, c| !c.var.has_dim(&self.dim));
        for (n, c) in self.obj.coords().iter() {
            if c.var.has_dim(&self.dim) {
                coords.insert_with_index(n.clone(), c.var.clone(), c.index.clone());
            }
        }
        DataArray::new(first.name().map(str::to_string), var, coords)
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};

    use crate::labelled::DataArray;

    fn sample() -> DataArray {
        let v = vec![1.0, 2.0, 4.0, 8.0, f64::NAN, 32.0, 64.0, 128.0];
        DataArray::from_ndarray(
            "v",
            ["x", "y"],
            ArrayD::from_shape_vec(IxDyn(&[4, 2]), v).unwrap(),
            &[3, 1],
        )
        .unwrap()
        .with_coord_values("x", vec![2.0, 1.0, 2.0, 1.0])
        .unwrap()
    }

    fn flat(a: &DataArray) -> Vec<f64> {
        a.values::<f64>().unwrap().iter().copied().collect()
    }

    #[test]
    fn map_reducing_closure_matches_the_grouped_reduction() {
        let g = sample().groupby("x").unwrap();
        let mapped = g.map(|d| d.mean("x")).unwrap();
        assert_eq!(mapped.dims(), ["x", "y"]);
        assert_eq!(flat(&mapped), flat(&g.mean().unwrap()));
        assert_eq!(flat(&g.mean().unwrap()), vec![34.0, 68.0, 1.0, 17.0]);
    }

    #[test]
    fn map_transform_and_anomaly_keep_the_original_order() {
        let x = sample();
        let g = x.groupby("x").unwrap();
        let centred = g
            .map(|d| d.binary(crate::engine::BinaryOp::Sub, &d.mean("x")?))
            .unwrap();
        let anomaly = g.sub(&g.mean().unwrap()).unwrap();
        let (a, b) = (flat(&centred), flat(&anomaly));
        assert_eq!(a.len(), 8);
        for (p, q) in a.iter().zip(&b) {
            assert!((p.is_nan() && q.is_nan()) || p == q, "{a:?} vs {b:?}");
        }
        assert_eq!(b[..2], [0.0, -15.0]);
        assert_eq!(b[3], -60.0);
        // The group labels become a coordinate along x, as in xarray.
        assert!(anomaly.coords().get("x").is_some());
    }
}
