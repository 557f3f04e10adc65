//! netCDF-3 and netCDF-4 files through the system libnetcdf (feature `netcdf`).
//!
//! [`open_netcdf`] builds the dataset `xarray.open_dataset(path, engine="netcdf4",
//! decode_cf=False)` shows (stored dtypes and values, every attribute as JSON, variables
//! named like a dimension as coordinates) and then decodes it with the same
//! [`decode_cf`](crate::labelled::cf::decode_cf) the Zarr reader uses. Numeric variables
//! are lazy, one [`NetcdfSource`] each; string and char variables (labels such as
//! station names) are read while opening. Variables of other types (compound, enum,
//! vlen, opaque), and string variables of more than a million elements, open as
//! [opaque variables](crate::labelled::Variable::opaque): listed, shown and selected
//! like the others, an error naming them only when computed.
//!
//! [`Dataset::to_netcdf`](crate::labelled::Dataset::to_netcdf) writes one (netCDF-4 or
//! netCDF-3), with xarray's encodings, computing chunks in parallel under the budget.

mod cloexec;
mod filters;
mod read;
mod source;
mod write;
mod write_attrs;
mod write_encoding;
mod write_options;
mod write_sink;

pub use read::{open_netcdf, open_netcdf_with};
pub(crate) use source::NetcdfSource;
pub use write_options::{NetcdfFormat, NetcdfWriteOptions};
