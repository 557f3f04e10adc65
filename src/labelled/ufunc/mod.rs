//! User functions over labelled arrays, run per chunk on the engine:
//! [`ApplyUfunc`] (xarray's `apply_ufunc` with `dask="parallelized"`),
//! [`DataArray::map_blocks`](crate::labelled::DataArray::map_blocks) and
//! [`DataArray::map_blocks_template`](crate::labelled::DataArray::map_blocks_template).

mod apply;
mod apply_kernel;
mod map_blocks;

pub use apply::ApplyUfunc;
