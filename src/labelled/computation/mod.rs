//! Computing with labelled objects: arithmetic by dimension name, reductions and
//! weighted reductions, rolling and coarsening windows, groupby and resample,
//! differences and derivatives, polynomial fits. Each builds engine graphs on the
//! `core` types.

pub(crate) mod arith;
pub(crate) mod calculus;
pub(crate) mod coarsen;
pub(crate) mod dataset_parity;
pub(crate) mod groupby;
pub(crate) mod histogram;
pub(crate) mod polyfit;
pub(crate) mod polyval;
pub(crate) mod quantile;
pub(crate) mod reduce;
pub(crate) mod rolling;
pub(crate) mod stats;
pub(crate) mod weighted;

pub use calculus::DiffLabel;
pub use coarsen::{Boundary, Coarsen, Coarsenable, Side};
pub use dataset_parity::{DatasetRolling, DatasetWeighted};
pub use groupby::{
    BinOptions, BinRule, BinSide, DatasetGroupBy, Freq, GroupBy, GroupLabels, Groups,
    ResampleOptions,
};
pub use polyfit::Trend;
pub use polyval::{PolyCoefficients, polyval, polyval_dim};
pub use reduce::{Dims, ReduceArgs};
pub use rolling::Rolling;
pub use stats::{corr, cov, dot};
pub use weighted::Weighted;
