//! Getting values out of small results: `item` for one value, `to_vec` for a 1-d array.

use crate::engine::Storable;
use crate::labelled::core::dataarray::DataArray;
use crate::{Error, Result};

fn described(da: &DataArray) -> String {
    match da.name() {
        Some(n) => format!("{n:?} {:?} of shape {:?}", da.dims(), da.shape()),
        None => format!("an array {:?} of shape {:?}", da.dims(), da.shape()),
    }
}

impl DataArray {
    /// The single value of a size-1 array (xarray's `da.item()`), computed and
    /// converted to `T`; any other size is an error naming the shape.
    ///
    /// ```
    /// # use tessera::labelled::DataArray;
    /// # use ndarray::{ArrayD, IxDyn};
    /// let x = DataArray::from_ndarray("x", ["i"], ArrayD::from_shape_vec(IxDyn(&[3]), vec![1.0, 2.0, 6.0]).unwrap(), &[2])?;
    /// assert_eq!(x.mean("i")?.item::<f64>()?, 3.0);
    /// assert!(x.item::<f64>().is_err());
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn item<T: Storable>(&self) -> Result<T> {
        let n: usize = self.shape().iter().product();
        if n != 1 {
            return Err(Error::InvalidArgument(format!(
                "item() needs exactly one value, but {} holds {n}",
                described(self)
            )));
        }
        let v = self.values::<T>()?;
        Ok(*v.iter().next().expect("one value"))
    }

    /// The values of a 1-d array, computed and converted to `T` (`da.values.tolist()`);
    /// any other number of dimensions is an error naming them.
    pub fn to_vec<T: Storable>(&self) -> Result<Vec<T>> {
        if self.dims().len() != 1 {
            return Err(Error::InvalidArgument(format!(
                "to_vec() needs a 1-d array, but {} has {} dimensions (use values() for n-d)",
                described(self),
                self.dims().len()
            )));
        }
        Ok(self.values::<T>()?.into_iter().collect())
    }
}
