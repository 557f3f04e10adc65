//! Coordinates: named variables that label dimensions, in insertion order, with an
//! eager [`Index`] for each dimension coordinate (a 1-D coordinate named like its
//! dimension). Other coordinates (2-D lat/lon, scalars) stay lazy.

use std::sync::Arc;

use super::index::{Index, IndexValues};
use super::variable::Variable;
use crate::engine::{ArrayData, DType, LazyArray};
use crate::{Error, Result};

/// One coordinate: its variable, and its index if it is a dimension coordinate.
#[derive(Clone, Debug)]
pub struct Coord {
    /// The values.
    pub var: Variable,
    /// The index (dimension coordinates only).
    pub index: Option<Arc<Index>>,
}

/// An ordered set of coordinates.
#[derive(Clone, Debug, Default)]
pub struct Coords {
    items: Vec<(String, Coord)>,
}

/// Reads an index from a 1-D variable's values (computing them: coordinates are small).
pub(crate) fn index_from_variable(dim: &str, var: &Variable) -> Result<Index> {
    let values = if var.is_strings() {
        IndexValues::Str(var.strings()?.into_iter().collect())
    } else if let Some(cal) = var.encoding().get("calendar").and_then(|c| c.as_str()) {
        let data = var.data().compute()?.cast(DType::I64).into_typed::<i64>()?;
        IndexValues::Time {
            values: data.iter().copied().collect(),
            calendar: crate::time::Calendar::parse(cal)?,
        }
    } else {
        IndexValues::Num(var.data().compute()?.to_f64_vec())
    };
    Ok(Index::new(dim, values))
}

impl Coords {
    /// No coordinates.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a coordinate; a 1-D coordinate named like its dimension gets
    /// an index built from its values (except an opaque one, whose values cannot be
    /// read: it stays a coordinate without an index).
    pub fn insert(&mut self, name: impl Into<String>, var: Variable) -> Result<()> {
        let name = name.into();
        let index = if var.ndim() == 1 && var.dims()[0] == name && !var.is_opaque() {
            Some(Arc::new(index_from_variable(&name, &var)?))
        } else {
            None
        };
        self.insert_with_index(name, var, index);
        Ok(())
    }

    /// Adds a string-labelled dimension coordinate (strings have no engine dtype, so
    /// the variable holds positions and the index the labels).
    pub fn insert_strings(&mut self, dim: impl Into<String>, labels: Vec<String>) -> Result<()> {
        let dim = dim.into();
        let n = labels.len();
        let var = Variable::from_strings([dim.clone()], &[n], labels.clone(), &[n.max(1)])?;
        let index = Index::new(dim.clone(), IndexValues::Str(labels));
        self.insert_with_index(dim, var, Some(Arc::new(index)));
        Ok(())
    }

    /// Adds or replaces a coordinate with a known index.
    pub fn insert_with_index(&mut self, name: String, var: Variable, index: Option<Arc<Index>>) {
        let coord = Coord { var, index };
        match self.items.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = coord,
            None => self.items.push((name, coord)),
        }
    }

    /// Removes a coordinate.
    pub fn remove(&mut self, name: &str) -> Option<Coord> {
        let pos = self.items.iter().position(|(n, _)| n == name)?;
        Some(self.items.remove(pos).1)
    }

    /// A coordinate by name.
    pub fn get(&self, name: &str) -> Option<&Coord> {
        self.items.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// The index of a dimension, if it has a dimension coordinate.
    pub fn index(&self, dim: &str) -> Option<&Arc<Index>> {
        self.get(dim).and_then(|c| c.index.as_ref())
    }

    /// The index of a dimension, or an error saying which coordinates exist.
    pub fn require_index(&self, dim: &str) -> Result<&Arc<Index>> {
        self.index(dim).ok_or_else(|| Error::UnknownVariable {
            name: dim.to_string(),
            available: self.names(),
        })
    }

    /// Coordinate names in order.
    pub fn names(&self) -> Vec<String> {
        self.items.iter().map(|(n, _)| n.clone()).collect()
    }

    /// Iterates over (name, coordinate).
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Coord)> {
        self.items.iter().map(|(n, c)| (n, c))
    }

    /// Number of coordinates.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Keeps the coordinates for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &Coord) -> bool) {
        self.items.retain(|(n, c)| keep(n, c));
    }

    /// Applies `f` to every coordinate that has dimension `dim`.
    pub fn map_dim(
        &self,
        dim: &str,
        mut f: impl FnMut(&str, &Coord) -> Result<Option<Coord>>,
    ) -> Result<Coords> {
        let mut out = Coords::new();
        for (n, c) in &self.items {
            if c.var.has_dim(dim) {
                if let Some(c2) = f(n, c)? {
                    out.items.push((n.clone(), c2));
                }
            } else {
                out.items.push((n.clone(), c.clone()));
            }
        }
        Ok(out)
    }

    /// Coordinates with two or more dims reordered to follow `order` (xarray's
    /// `transpose_coords=True`).
    pub fn transposed(&self, order: &[String]) -> Result<Coords> {
        let mut out = Coords::new();
        for (n, c) in self.iter() {
            let var = if c.var.ndim() >= 2 {
                let own: Vec<String> = order.iter().filter(|d| c.var.has_dim(d)).cloned().collect();
                c.var.transpose(&own)?
            } else {
                c.var.clone()
            };
            out.insert_with_index(n.clone(), var, c.index.clone());
        }
        Ok(out)
    }

    /// The values of a coordinate as `f64` (computed).
    pub fn values_f64(&self, name: &str) -> Result<Vec<f64>> {
        let c = self.get(name).ok_or_else(|| Error::UnknownVariable {
            name: name.to_string(),
            available: self.names(),
        })?;
        Ok(c.var.data().compute()?.to_f64_vec())
    }
}

/// Builds a 1-D coordinate variable from values.
pub(crate) fn coord_from_values(dim: &str, data: ArrayData) -> Result<Variable> {
    let n = data.len();
    Variable::new(
        [dim.to_string()],
        LazyArray::from_data(data, crate::engine::ChunkGrid::regular(&[n], &[n.max(1)])?)?,
    )
}

/// True if two variables hold the same dims and values (NaN equal to NaN); computes
/// them unless they are the same lazy array. Used to find conflicting coordinates,
/// which are small.
pub(crate) fn same_values(a: &Variable, b: &Variable) -> Result<bool> {
    if a.data().id() == b.data().id() {
        return Ok(true);
    }
    if a.dims() != b.dims() || a.shape() != b.shape() || a.is_strings() != b.is_strings() {
        return Ok(false);
    }
    let unified = super::strings::unify(&[a, b], "comparison")?;
    let (a, b) = (&unified[0], &unified[1]);
    let out = crate::engine::Compute::new().run(&[a.data(), b.data()])?;
    let (x, y) = (out[0].to_f64_vec(), out[1].to_f64_vec());
    Ok(x.iter()
        .zip(&y)
        .all(|(p, q)| p == q || (p.is_nan() && q.is_nan())))
}
