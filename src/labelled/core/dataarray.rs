//! [`DataArray`]: one variable with its coordinates and a name.

use ndarray::ArrayD;

use super::coords::{Coord, Coords};
use super::index::Label;
use super::select::{LabelSel, Positions, label_positions, select_coords, select_variable};
use super::variable::{Attrs, Variable};
use crate::engine::{ArrayData, ChunkGrid, Compute, DType, LazyArray, Storable};
use crate::{Error, Result};

super::select::selection_methods!(DataArray);

/// A labelled, lazy n-dimensional array: xarray's `DataArray`.
///
/// ```
/// use ndarray::{Array, IxDyn};
/// use tessera::labelled::DataArray;
///
/// let t = DataArray::from_ndarray("t", ["lat", "lon"], Array::from_elem(IxDyn(&[3, 4]), 1.5f64), &[3, 2])?
///     .with_coord_values("lat", vec![60.0, 0.0, -60.0])?
///     .with_coord_values("lon", vec![0.0, 90.0, 180.0, 270.0])?;
/// let north = t.sel("lat", 60.0)?;
/// assert_eq!(north.dims(), &["lon".to_string()]);
/// let mean = t.mean(["lat", "lon"])?.values::<f64>()?;
/// assert_eq!(mean[[]], 1.5);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct DataArray {
    name: Option<String>,
    var: Variable,
    coords: Coords,
}

impl DataArray {
    /// A data array from a variable and coordinates (checked against its dims and sizes).
    pub fn new(name: Option<String>, var: Variable, coords: Coords) -> Result<Self> {
        for (n, c) in coords.iter() {
            for (d, &len) in c.var.dims().iter().zip(c.var.shape()) {
                match var.size_of(d) {
                    Some(m) if m == len => {}
                    Some(m) => {
                        return Err(Error::ShapeMismatch {
                            op: format!("coordinate {n:?} along {d:?}"),
                            left: vec![len],
                            right: vec![m],
                        });
                    }
                    None => {
                        return Err(Error::UnknownDimension {
                            dim: d.clone(),
                            dims: var.dims().to_vec(),
                        });
                    }
                }
            }
        }
        Ok(DataArray { name, var, coords })
    }

    /// A data array over an ndarray with regular chunks of at most `chunk` per axis.
    pub fn from_ndarray<T: Storable, S: Into<String>>(
        name: &str,
        dims: impl IntoIterator<Item = S>,
        data: ArrayD<T>,
        chunk: &[usize],
    ) -> Result<Self> {
        let var = Variable::new(dims, LazyArray::from_ndarray(data, chunk)?)?;
        DataArray::new(Some(name.to_string()), var, Coords::new())
    }

    /// A data array over lazy data.
    pub fn from_lazy<S: Into<String>>(
        name: &str,
        dims: impl IntoIterator<Item = S>,
        data: LazyArray,
    ) -> Result<Self> {
        DataArray::new(
            Some(name.to_string()),
            Variable::new(dims, data)?,
            Coords::new(),
        )
    }

    /// Adds a coordinate variable.
    pub fn with_coord(mut self, name: &str, var: Variable) -> Result<Self> {
        self.coords.insert(name, var)?;
        DataArray::new(self.name, self.var, self.coords)
    }

    /// Adds a 1-D dimension coordinate from values.
    pub fn with_coord_values(self, dim: &str, values: Vec<f64>) -> Result<Self> {
        let n = values.len();
        let data = ArrayData::new(
            ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), values)
                .map_err(|e| Error::invalid(e.to_string()))?,
        );
        let var = Variable::new(
            [dim],
            LazyArray::from_data(data, ChunkGrid::regular(&[n], &[n.max(1)])?)?,
        )?;
        self.with_coord(dim, var)
    }

    /// Adds a string-labelled dimension coordinate.
    pub fn with_coord_strings(mut self, dim: &str, labels: Vec<String>) -> Result<Self> {
        self.coords.insert_strings(dim, labels)?;
        DataArray::new(self.name, self.var, self.coords)
    }

    /// The name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The same array with another name.
    pub fn rename(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// The variable.
    pub fn variable(&self) -> &Variable {
        &self.var
    }

    /// The coordinates.
    pub fn coords(&self) -> &Coords {
        &self.coords
    }

    /// The lazy engine array.
    pub fn data(&self) -> &LazyArray {
        self.var.data()
    }

    /// Dimension names.
    pub fn dims(&self) -> &[String] {
        self.var.dims()
    }

    /// Shape.
    pub fn shape(&self) -> &[usize] {
        self.var.shape()
    }

    /// Element type.
    pub fn dtype(&self) -> DType {
        self.var.dtype()
    }

    /// Attributes.
    pub fn attrs(&self) -> &Attrs {
        self.var.attrs()
    }

    /// The same array with other attributes.
    pub fn with_attrs(&self, attrs: Attrs) -> Self {
        self.with_variable(self.var.clone().with_attrs(attrs))
    }

    /// The same array with new lazy data of the same dims (coordinates kept).
    pub(crate) fn with_variable(&self, var: Variable) -> Self {
        DataArray {
            name: self.name.clone(),
            var,
            coords: self.coords.clone(),
        }
    }

    pub(crate) fn from_parts(name: Option<String>, var: Variable, coords: Coords) -> Self {
        DataArray { name, var, coords }
    }

    /// Computes the values as an ndarray of `T` (cast if needed).
    pub fn values<T: Storable>(&self) -> Result<ArrayD<T>> {
        self.data().compute()?.cast(T::DTYPE).into_typed::<T>()
    }

    /// Computes the data.
    pub fn compute(&self) -> Result<ArrayData> {
        self.data().compute()
    }

    /// Computes with explicit settings.
    pub fn compute_with(&self, compute: &Compute) -> Result<ArrayData> {
        Ok(compute.run(&[self.data()])?.pop().expect("one output"))
    }

    /// Computes and keeps the data in memory behind the same lazy interface.
    pub fn persist(&self) -> Result<Self> {
        Ok(self.with_variable(self.var.with_data(self.data().persist()?)?))
    }

    /// Computes several arrays in one pass over their data.
    pub fn compute_many(arrays: &[&DataArray], compute: &Compute) -> Result<Vec<ArrayData>> {
        let data: Vec<&LazyArray> = arrays.iter().map(|a| a.data()).collect();
        compute.run(&data)
    }

    /// The plan [`compute_many`](Self::compute_many) would follow, as text: its passes,
    /// what each reads from stores, and why a store is read more than once (see
    /// [`Compute::explain`]).
    pub fn explain_many(arrays: &[&DataArray], compute: &Compute) -> Result<String> {
        let data: Vec<&LazyArray> = arrays.iter().map(|a| a.data()).collect();
        compute.explain(&data)
    }

    /// Computes several arrays in one pass over their data (reads shared) and keeps
    /// the results in memory as data arrays, with their coordinates.
    pub fn persist_many(arrays: &[&DataArray], compute: &Compute) -> Result<Vec<DataArray>> {
        let done = Self::compute_many(arrays, compute)?;
        arrays
            .iter()
            .zip(done)
            .map(|(a, data)| {
                let lazy = LazyArray::from_data(data, a.data().chunks().clone())?;
                Ok(a.with_variable(a.var.with_data(lazy)?))
            })
            .collect()
    }

    /// Selection by position along a dimension.
    pub fn isel_positions(&self, dim: &str, pos: &Positions) -> Result<Self> {
        self.var.axis(dim)?;
        Ok(DataArray {
            name: self.name.clone(),
            var: select_variable(&self.var, dim, pos)?,
            coords: select_coords(&self.coords, dim, pos)?,
        })
    }

    /// Length of a dimension.
    pub fn dim_len(&self, dim: &str) -> Result<usize> {
        Ok(self.shape()[self.var.axis(dim)?])
    }

    fn dim_size(&self, dim: &str) -> Result<usize> {
        self.dim_len(dim)
    }

    /// Reorders dimensions.
    pub fn transpose<S: AsRef<str>>(&self, order: &[S]) -> Result<Self> {
        let order: Vec<String> = order.iter().map(|s| s.as_ref().to_string()).collect();
        Ok(DataArray::from_parts(
            self.name.clone(),
            self.var.transpose(&order)?,
            self.coords.transposed(&order)?,
        ))
    }

    /// Rechunks by dimension name (`[("time", 100)]`); other dims keep their chunks.
    pub fn chunk(&self, chunks: &[(&str, usize)]) -> Result<Self> {
        let mut grid: Vec<Vec<usize>> = self.data().chunks().chunks().to_vec();
        for (dim, size) in chunks {
            let axis = self.var.axis(dim)?;
            grid[axis] = crate::engine::grid::split_regular(self.shape()[axis], *size);
        }
        let data = self.data().rechunk(ChunkGrid::new(grid)?)?;
        Ok(self.with_variable(self.var.with_data(data)?))
    }

    /// Converts to another dtype.
    pub fn astype(&self, dtype: DType) -> Result<Self> {
        Ok(self.with_variable(self.var.with_data(self.data().cast(dtype)?)?))
    }

    /// Removes coordinates by name.
    pub fn drop_vars(&self, names: &[&str]) -> Result<Self> {
        let mut coords = self.coords.clone();
        for n in names {
            if coords.remove(n).is_none() {
                return Err(Error::UnknownVariable {
                    name: n.to_string(),
                    available: coords.names(),
                });
            }
        }
        Ok(DataArray::from_parts(
            self.name.clone(),
            self.var.clone(),
            coords,
        ))
    }

    /// Adds or replaces coordinates; as in xarray, a replaced coordinate moves to the
    /// end of the coordinate list.
    pub fn assign_coords(&self, coords: Vec<(&str, Variable)>) -> Result<Self> {
        let mut out = self.clone();
        for (n, v) in coords {
            out.coords.remove(n);
            out = out.with_coord(n, v)?;
        }
        Ok(out)
    }

    /// A coordinate as a data array (with the coordinates that share its dims).
    pub fn coord(&self, name: &str) -> Result<DataArray> {
        let c: &Coord = self
            .coords
            .get(name)
            .ok_or_else(|| Error::UnknownVariable {
                name: name.to_string(),
                available: self.coords.names(),
            })?;
        let mut coords = self.coords.clone();
        coords.retain(|_, other| other.var.dims().iter().all(|d| c.var.has_dim(d)));
        Ok(DataArray::from_parts(
            Some(name.to_string()),
            c.var.clone(),
            coords,
        ))
    }
}
