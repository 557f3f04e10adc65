//! User functions over labelled arrays, run per chunk on the engine:
//! [`ApplyUfunc`] (xarray's `apply_ufunc` with `dask="parallelized"`) and
//! [`DataArray::map_blocks`](crate::labelled::DataArray::map_blocks).

mod apply;
mod map_blocks;

pub use apply::ApplyUfunc;
