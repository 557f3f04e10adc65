//! [`Variable`]: named dimensions over lazy engine data, with attributes and encoding.
//!
//! This is the only place where a dimension name becomes an axis number; everything
//! above works with names.

use std::fmt;
use std::sync::Arc;

use crate::engine::{DType, LazyArray};
use crate::error::{bail, ensure};
use crate::{Error, Result};

/// Attributes (and encodings): a JSON object, as they round-trip to Zarr and netCDF.
pub type Attrs = serde_json::Map<String, serde_json::Value>;

/// Dimension names plus lazy data, attributes and encoding. Cheap to clone.
#[derive(Clone)]
pub struct Variable {
    dims: Vec<String>,
    data: LazyArray,
    attrs: Attrs,
    encoding: Attrs,
    /// For string-valued variables: the strings the data's I64 codes point into.
    categories: Option<Arc<Vec<String>>>,
    /// For opaque variables (see [`Variable::opaque`]): the dtype as stored.
    stored_dtype: Option<Arc<str>>,
}

impl fmt::Debug for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Variable({:?}, {}, {:?})",
            self.dims,
            self.dtype(),
            self.shape()
        )
    }
}

impl Variable {
    /// A variable over `data` with one name per axis.
    pub fn new<S: Into<String>>(
        dims: impl IntoIterator<Item = S>,
        data: LazyArray,
    ) -> Result<Self> {
        let dims: Vec<String> = dims.into_iter().map(Into::into).collect();
        ensure!(
            dims.len() == data.ndim(),
            "{} dimension names {dims:?} for data with {} axes (shape {:?})",
            dims.len(),
            data.ndim(),
            data.shape()
        );
        for (i, d) in dims.iter().enumerate() {
            ensure!(
                !dims[..i].contains(d),
                Error::DuplicateDimension {
                    dim: format!("{d:?}"),
                    op: format!("the dims {dims:?}"),
                }
            );
        }
        Ok(Variable {
            dims,
            data,
            attrs: Attrs::new(),
            encoding: Attrs::new(),
            categories: None,
            stored_dtype: None,
        })
    }

    /// The same variable with attributes.
    pub fn with_attrs(mut self, attrs: Attrs) -> Self {
        self.attrs = attrs;
        self
    }

    /// The same variable with an encoding.
    pub fn with_encoding(mut self, encoding: Attrs) -> Self {
        self.encoding = encoding;
        self
    }

    /// The same variable holding strings: its data are I64 codes into `categories`
    /// (see [`Variable::from_strings`]).
    pub fn with_categories(mut self, categories: Arc<Vec<String>>) -> Self {
        self.categories = Some(categories);
        self
    }

    /// The strings a string-valued variable's codes point into (`None` for numbers).
    pub fn categories(&self) -> Option<&Arc<Vec<String>>> {
        self.categories.as_ref()
    }

    /// The same variable marked opaque: its values cannot be computed and it is
    /// listed with `stored_dtype`, the dtype as the store spells it (see
    /// [`Variable::opaque`]).
    pub fn with_stored_dtype(mut self, stored_dtype: impl Into<String>) -> Self {
        self.stored_dtype = Some(Arc::from(stored_dtype.into()));
        self
    }

    /// For an opaque variable (one tessera can list and select but not compute,
    /// such as a complex or structured array): the dtype as stored. `None` for
    /// ordinary variables.
    pub fn stored_dtype(&self) -> Option<&str> {
        self.stored_dtype.as_deref()
    }

    /// True for a variable whose values cannot be computed (see
    /// [`stored_dtype`](Variable::stored_dtype)).
    pub fn is_opaque(&self) -> bool {
        self.stored_dtype.is_some()
    }

    /// The same dims, attributes, encoding and string table over other data of the
    /// same kind (a selection or reshaping of this variable's data).
    pub fn with_data(&self, data: LazyArray) -> Result<Self> {
        let mut v = Variable::new(self.dims.clone(), data)?
            .with_attrs(self.attrs.clone())
            .with_encoding(self.encoding.clone());
        v.categories = self.categories.clone();
        v.stored_dtype = self.stored_dtype.clone();
        Ok(v)
    }

    /// Like [`with_data`](Self::with_data) with other dims (a dimension dropped or
    /// added by a selection or reshaping).
    pub fn with_dims_and_data<S: Into<String>>(
        &self,
        dims: impl IntoIterator<Item = S>,
        data: LazyArray,
    ) -> Result<Self> {
        let mut v = Variable::new(dims, data)?
            .with_attrs(self.attrs.clone())
            .with_encoding(self.encoding.clone());
        v.categories = self.categories.clone();
        v.stored_dtype = self.stored_dtype.clone();
        Ok(v)
    }

    /// Dimension names.
    pub fn dims(&self) -> &[String] {
        &self.dims
    }

    /// The lazy data.
    pub fn data(&self) -> &LazyArray {
        &self.data
    }

    /// Attributes.
    pub fn attrs(&self) -> &Attrs {
        &self.attrs
    }

    /// Mutable attributes.
    pub fn attrs_mut(&mut self) -> &mut Attrs {
        &mut self.attrs
    }

    /// Whether the variable holds CF instants (the labelled layer's datetime form:
    /// `I64` microseconds with a `calendar` in the encoding).
    pub(crate) fn is_datetime(&self) -> bool {
        self.dtype() == DType::I64 && self.encoding.contains_key("calendar")
    }

    /// The part of the encoding that makes I64 values CF instants (`calendar`, `units`),
    /// which operations that keep the values instants carry over; empty otherwise.
    pub(crate) fn datetime_encoding(&self) -> Attrs {
        if !self.is_datetime() {
            return Attrs::new();
        }
        self.encoding
            .iter()
            .filter(|(k, _)| matches!(k.as_str(), "calendar" | "units"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Encoding (how the variable is stored: dtype, scale, fill value, chunks, units).
    pub fn encoding(&self) -> &Attrs {
        &self.encoding
    }

    /// Shape.
    pub fn shape(&self) -> &[usize] {
        self.data.shape()
    }

    /// Element type.
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.dims.len()
    }

    /// Length of a dimension, if present.
    pub fn size_of(&self, dim: &str) -> Option<usize> {
        self.dims
            .iter()
            .position(|d| d == dim)
            .map(|a| self.shape()[a])
    }

    /// The axis number of a dimension.
    pub fn axis(&self, dim: &str) -> Result<usize> {
        self.dims
            .iter()
            .position(|d| d == dim)
            .ok_or_else(|| Error::UnknownDimension {
                dim: dim.to_string(),
                dims: self.dims.clone(),
            })
    }

    /// Axis numbers of several dimensions.
    pub fn axes(&self, dims: &[String]) -> Result<Vec<usize>> {
        dims.iter().map(|d| self.axis(d)).collect()
    }

    /// True if the variable has this dimension.
    pub fn has_dim(&self, dim: &str) -> bool {
        self.dims.iter().any(|d| d == dim)
    }

    /// Reorders dimensions; `order` must name each dimension once.
    pub fn transpose(&self, order: &[String]) -> Result<Self> {
        ensure!(
            order.len() == self.ndim(),
            "transpose order {order:?} must list each of {:?} once",
            self.dims
        );
        let perm = self.axes(order)?;
        if let Some(d) = order
            .iter()
            .enumerate()
            .find_map(|(i, d)| order[..i].contains(d).then_some(d))
        {
            bail!(Error::DuplicateDimension {
                dim: format!("{d:?}"),
                op: format!(
                    "the transpose order {order:?} (list each of {:?} once)",
                    self.dims
                ),
            });
        }
        Ok(Variable {
            dims: order.to_vec(),
            data: self.data.transpose(&perm)?,
            attrs: self.attrs.clone(),
            encoding: self.encoding.clone(),
            categories: self.categories.clone(),
            stored_dtype: self.stored_dtype.clone(),
        })
    }

    /// Lays the variable out over `target` dims (a superset, in the result's order):
    /// missing dims become length-1 axes, ready for numpy broadcasting.
    pub fn expand_to(&self, target: &[String]) -> Result<LazyArray> {
        for d in &self.dims {
            ensure!(
                target.contains(d),
                Error::UnknownDimension {
                    dim: d.clone(),
                    dims: target.to_vec(),
                }
            );
        }
        let present: Vec<String> = target.iter().filter(|d| self.has_dim(d)).cloned().collect();
        let mut data = self.transpose(&present)?.data;
        for (i, d) in target.iter().enumerate() {
            if !self.has_dim(d) {
                data = data.expand_dims(i)?;
            }
        }
        Ok(data)
    }

    /// Renames dimensions present in `names` (others are kept).
    pub fn rename_dims(&self, names: &[(String, String)]) -> Self {
        let mut v = self.clone();
        for d in &mut v.dims {
            if let Some((_, to)) = names.iter().find(|(from, _)| from == d) {
                *d = to.clone();
            }
        }
        v
    }
}
