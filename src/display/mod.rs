//! Rich display for notebooks: HTML reprs laid out as xarray's `_repr_html_` and
//! dask's chunk summary, and the evcxr kernel's display protocol.
//!
//! [`Dataset`](crate::Dataset), [`DataArray`](crate::DataArray),
//! [`Variable`](crate::Variable) and [`LazyArray`](crate::LazyArray) get `to_html()`
//! (a self-contained fragment: inline CSS, no scripts, every user string escaped) and
//! `evcxr_display()`, which the evcxr Jupyter kernel calls on the value of a cell.
//! With the `plot` feature, [`Plot`](crate::plot::Plot), [`LinePlot`](crate::plot::LinePlot)
//! and [`MapPanel`](crate::plot::MapPanel) get `to_png()` and an `evcxr_display()` that
//! shows the figure inline, and a [`Profile`](crate::engine::Profile) shows its task
//! stream. The text repr (`Display`) is unchanged.
//!
//! With the `dashboard` feature, [`Dashboard`] serves the same task stream live, with
//! progress, memory and the plan, while a computation runs
//! ([`Compute::dashboard`](crate::Compute::dashboard), `TESSERA_DASHBOARD`).
//!
//! ```
//! use tessera::prelude::*;
//! let da = DataArray::from_ndarray("t", ["x"], ndarray::arr1(&[1.0, 2.0]).into_dyn(), &[1])?;
//! let html = da.to_html();
//! assert!(html.contains("tessera.DataArray") && html.contains("<details"));
//! # Ok::<(), Error>(())
//! ```

pub(crate) mod bytes;
mod chunks;
#[cfg(feature = "dashboard")]
pub(crate) mod dashboard;
#[cfg(not(feature = "dashboard"))]
#[path = "dashboard/disabled.rs"]
pub(crate) mod dashboard;
pub(crate) mod escape;
mod evcxr;
mod labelled;
#[cfg(feature = "plot")]
mod plot;
mod profile;
mod style;

#[cfg(feature = "dashboard")]
pub use dashboard::Dashboard;
pub use evcxr::evcxr_html;
