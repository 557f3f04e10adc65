//! `Dataset::to_array` (xarray's `to_dataarray`): the data variables stacked along a
//! new first dimension labelled with their names; `DataArray::to_dataset`: one array
//! as a one-variable dataset, or split along a dimension into one variable per label.

use crate::engine::LazyArray;
use crate::error::ensure;
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;
use crate::labelled::core::select::Positions;
use crate::labelled::core::variable::{Attrs, Variable};
use crate::labelled::structure::rows::python_repr;
use crate::{Error, Result};

impl Dataset {
    /// The data variables as one array along a new first dimension `dim` whose labels
    /// are the variables' names (xarray's `ds.to_dataarray(dim)`); variables are
    /// broadcast against each other and their dtypes promoted; the array takes the
    /// dataset's attributes.
    ///
    /// ```
    /// # use tessera::labelled::{DataArray, Dataset};
    /// # use ndarray::{ArrayD, IxDyn};
    /// let a = DataArray::from_ndarray("a", ["x"], ArrayD::from_shape_vec(IxDyn(&[2]), vec![1.0, 2.0]).unwrap(), &[2])?;
    /// let mut ds = Dataset::from_array(&a)?;
    /// ds.insert_array(&(&a * 10.0)?.rename("b"))?;
    /// let arr = ds.to_array("variable")?;
    /// assert_eq!(arr.dims(), ["variable", "x"]);
    /// assert_eq!(arr.values::<f64>()?.into_raw_vec_and_offset().0, vec![1.0, 2.0, 10.0, 20.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn to_array(&self, dim: &str) -> Result<DataArray> {
        let names = self.data_var_names();
        ensure!(
            !names.is_empty(),
            Error::InvalidArgument("to_array needs at least one data variable".into())
        );
        let mut dims: Vec<String> = vec![];
        for (_, v) in self.data_vars() {
            for d in v.dims() {
                if !dims.contains(d) {
                    dims.push(d.clone());
                }
            }
        }
        ensure!(
            !dims.iter().any(|d| d == dim),
            Error::DuplicateDimension {
                dim: format!("{dim:?}"),
                op: format!("to_array: the variables already have it ({dims:?})"),
            }
        );
        let shape: Vec<usize> = dims
            .iter()
            .map(|d| self.dim_len(d).expect("a variable's dim"))
            .collect();
        let parts = self
            .data_vars()
            .map(|(_, v)| v.expand_to(&dims)?.broadcast_to(&shape))
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&LazyArray> = parts.iter().collect();
        let data = LazyArray::stack(&refs, 0)?;
        let mut all = vec![dim.to_string()];
        all.extend(dims);
        let mut coords = self.coords().clone();
        coords.insert_strings(dim, names)?;
        Ok(DataArray::from_parts(
            None,
            Variable::new(all, data)?.with_attrs(self.attrs().clone()),
            coords,
        ))
    }

    /// Another name for [`to_array`](Self::to_array) (xarray's newer spelling).
    pub fn to_dataarray(&self, dim: &str) -> Result<DataArray> {
        self.to_array(dim)
    }
}

impl DataArray {
    /// A dataset holding this array as its one data variable, named `name` or the
    /// array's own name (xarray's `da.to_dataset(name=...)`); unnamed with no name
    /// given is an error.
    pub fn to_dataset(&self, name: Option<&str>) -> Result<Dataset> {
        let name = name.or(self.name()).ok_or_else(|| {
            Error::InvalidArgument(
                "cannot convert an unnamed array to a dataset without a name".into(),
            )
        })?;
        Dataset::from_array(&self.clone().rename(name))
    }

    /// A dataset with one variable per label along `dim`, named by the label
    /// (xarray's `da.to_dataset(dim=...)`); the variables lose `dim` and their
    /// attributes, the dataset keeps the array's.
    pub fn to_dataset_dim(&self, dim: &str) -> Result<Dataset> {
        let n = self.dim_len(dim)?;
        // Named as Python prints the labels: `10.0` for a float, `10` for an integer.
        let labels: Vec<String> = match self
            .coords()
            .get(dim)
            .filter(|_| self.coords().index(dim).is_some())
        {
            Some(c) if c.var.dtype().is_float() && !c.var.is_datetime() => c
                .var
                .data()
                .compute()?
                .to_f64_vec()
                .into_iter()
                .map(python_repr)
                .collect(),
            Some(_) => {
                let ix = self.coords().index(dim).expect("checked above");
                (0..n)
                    .map(|i| ix.label_text(i).trim_matches('"').to_string())
                    .collect()
            }
            None => (0..n).map(|i| i.to_string()).collect(),
        };
        let mut ds = Dataset::new();
        for (i, label) in labels.iter().enumerate() {
            let part = self.isel_positions(dim, &Positions::At(i))?;
            ds.insert(
                label.clone(),
                part.variable().clone().with_attrs(Attrs::new()),
            )?;
        }
        // The array's coordinates stay as they are (those along `dim` too), but `dim`'s own.
        for (k, c) in self.coords().iter() {
            if k != dim {
                ds.coords_mut()
                    .insert_with_index(k.clone(), c.var.clone(), c.index.clone());
            }
        }
        let mut out = ds;
        *out.attrs_mut() = self.attrs().clone();
        Ok(out)
    }
}
