//! Writing one data array without wrapping it in a dataset first: `da.to_zarr(..)`,
//! `da.to_netcdf(..)` (feature `netcdf`). As xarray, an unnamed array is stored as
//! `__xarray_dataarray_variable__` in netCDF; Zarr reserves names starting with `__`
//! (zarrs refuses them, zarr-python only warns), so an unnamed array is refused there
//! before anything is written.

use crate::io::WriteOptions;
use crate::labelled::{DataArray, Dataset};
use crate::{Error, Result};

/// The variable name xarray gives an unnamed array on write.
pub const UNNAMED_VARIABLE: &str = "__xarray_dataarray_variable__";

fn as_dataset(da: &DataArray) -> Result<Dataset> {
    da.to_dataset(Some(da.name().unwrap_or(UNNAMED_VARIABLE)))
}

impl DataArray {
    /// Writes the array (its coordinates, attributes and encoding) to a Zarr store, as
    /// `xarray.DataArray.to_zarr`; see [`Dataset::to_zarr`]. The array must be named
    /// (see the module docs).
    ///
    /// ```
    /// # use tessera::labelled::DataArray;
    /// # use tessera::io::{WriteMode, WriteOptions};
    /// # use ndarray::{ArrayD, IxDyn};
    /// let a = DataArray::from_ndarray("sst", ["x"], ArrayD::from_shape_vec(IxDyn(&[3]), vec![1.0, 2.0, 3.0]).unwrap(), &[2])?;
    /// a.to_zarr("memory://da-doc", &WriteOptions::mode(WriteMode::Overwrite))?;
    /// assert_eq!(tessera::open_zarr("memory://da-doc")?.get("sst")?.to_vec::<f64>()?, vec![1.0, 2.0, 3.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn to_zarr(&self, url: &str, opts: &WriteOptions) -> Result<()> {
        if self.name().is_none() {
            return Err(Error::InvalidArgument(format!(
                "cannot write an unnamed array to the Zarr store {url}: xarray's name for it, \
                 {UNNAMED_VARIABLE}, starts with the prefix `__` that Zarr reserves; \
                 name it first with rename(..)"
            )));
        }
        as_dataset(self)?.to_zarr(url, opts)
    }

    /// Writes the array to a netCDF file, as `xarray.DataArray.to_netcdf`; see
    /// [`Dataset::to_netcdf`].
    #[cfg(feature = "netcdf")]
    pub fn to_netcdf(
        &self,
        path: impl AsRef<std::path::Path>,
        opts: &crate::io::NetcdfWriteOptions,
    ) -> Result<()> {
        as_dataset(self)?.to_netcdf(path, opts)
    }
}
