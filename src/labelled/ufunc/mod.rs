//! User functions over labelled arrays, run per chunk on the engine:
//! [`ApplyUfunc`] (xarray's `apply_ufunc` with `dask="parallelized"`).

mod apply;

pub use apply::ApplyUfunc;
