//! The labelled layer (the xarray part): [`Variable`], [`DataArray`], [`Dataset`],
//! coordinates with eager indexes, label selection, alignment, arithmetic by
//! dimension name, reductions and weighted reductions. It only builds engine graphs;
//! it never touches chunk bytes.

pub mod accessor;
pub mod align;
pub mod arith;
pub mod calculus;
pub mod cf;
pub mod coarsen;
pub mod combine;
pub mod coords;
pub mod dataarray;
pub mod dataset;
pub mod groupby;
pub mod index;
pub mod polyfit;
pub mod polyval;
pub mod quantile;
pub mod reduce;
mod repr;
pub mod reshape;
pub mod rolling;
pub mod select;
pub mod strings;
pub mod variable;
pub mod weighted;

pub use accessor::DtAccessor;
pub use align::Join;
pub use calculus::DiffLabel;
pub use coarsen::{Boundary, Coarsen, Coarsenable, Side};
pub use coords::{Coord, Coords};
pub use dataarray::DataArray;
pub use dataset::Dataset;
pub use index::{Index, IndexValues, Label};
pub use polyval::{PolyCoefficients, polyval, polyval_dim};
pub use reduce::{Dims, ReduceArgs};
pub use select::{LabelSel, Positions};
pub use variable::{Attrs, Variable};
pub use weighted::Weighted;
