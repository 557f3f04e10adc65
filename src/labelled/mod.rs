//! The labelled layer (the xarray part): [`Variable`], [`DataArray`], [`Dataset`],
//! coordinates with eager indexes, label selection, alignment, arithmetic by
//! dimension name, reductions and weighted reductions. It only builds engine graphs;
//! it never touches chunk bytes.

pub(crate) mod accessor;
pub(crate) mod align;
pub(crate) mod arith;
pub(crate) mod calculus;
pub(crate) mod cf;
pub(crate) mod coarsen;
pub(crate) mod combine;
pub(crate) mod coords;
pub(crate) mod dataarray;
pub(crate) mod dataset;
pub(crate) mod groupby;
pub(crate) mod index;
pub(crate) mod polyfit;
pub(crate) mod polyval;
pub(crate) mod quantile;
pub(crate) mod reduce;
mod repr;
pub(crate) mod reshape;
pub(crate) mod rolling;
pub(crate) mod select;
pub(crate) mod strings;
pub(crate) mod variable;
pub(crate) mod weighted;

pub use accessor::DtAccessor;
pub use align::{Join, align_datasets};
pub use arith::align_pair;
pub use calculus::DiffLabel;
pub use cf::{DecodeOptions, decode_cf, decode_variable, encode_cf, encode_variable};
pub use coarsen::{Boundary, Coarsen, Coarsenable, Side};
pub use combine::{Compat, concat, concat_datasets, merge, merge_arrays};
pub use coords::{Coord, Coords};
pub use dataarray::DataArray;
pub use dataset::Dataset;
pub use groupby::{
    BinOptions, BinRule, BinSide, DatasetGroupBy, Freq, GroupBy, GroupLabels, Groups,
    ResampleOptions,
};
pub use index::{Index, IndexValues, Label, Order};
pub use polyfit::Trend;
pub use polyval::{PolyCoefficients, polyval, polyval_dim};
pub use reduce::{Dims, ReduceArgs};
pub use rolling::Rolling;
pub use select::{LabelSel, Positions};
pub use variable::{Attrs, Variable};
pub use weighted::Weighted;
