//! Elementwise ergonomics in xarray's spelling: comparison and logic methods
//! (`da.gt(0.0)?`, `da.eq(&other)?`, `!&mask`, `&a & &b`), math method forms
//! (`lat.deg2rad()?.cos()?`), `clip`, `round`, and getting values out (`item`, `to_vec`).

pub(crate) mod compare;
pub(crate) mod math;
pub(crate) mod operators;
pub(crate) mod values;

pub use compare::Operand;
