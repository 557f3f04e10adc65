//! The labelled layer (the xarray part): [`Variable`], [`DataArray`], [`Dataset`],
//! coordinates with eager indexes, label selection, alignment, arithmetic by
//! dimension name, reductions and weighted reductions. It only builds engine graphs;
//! it never touches chunk bytes.
//!
//! The modules follow xarray's split by role: `core` holds the types (variables,
//! arrays, datasets, coordinates and indexes, selection, repr), `structure` combines
//! and reshapes them (align, concat, merge, reshape), `computation` computes with
//! them (arithmetic, reductions, windows, groupby, calculus, fits), and `cf` decodes
//! and encodes CF conventions. `core` imports neither of the other two.

pub(crate) mod cf;
pub(crate) mod computation;
pub(crate) mod core;
pub(crate) mod elementwise;
pub(crate) mod missing;
pub(crate) mod structure;
pub(crate) mod time;
pub(crate) mod ufunc;

pub use self::computation::{
    BinOptions, BinRule, BinSide, Boundary, Coarsen, Coarsenable, DatasetGroupBy, DiffLabel, Dims,
    Freq, GroupBy, GroupLabels, Groups, PolyCoefficients, ReduceArgs, ResampleOptions, Rolling,
    Side, Trend, Weighted, polyval, polyval_dim,
};
pub use self::computation::{DatasetRolling, DatasetWeighted, corr, cov, dot};
pub use self::core::{
    Attrs, Coord, Coords, DataArray, Dataset, DtAccessor, Index, IndexValues, Label, LabelSel,
    OpaqueSource, Order, Positions, Variable,
};
pub use self::elementwise::Operand;
pub use self::missing::{FillMethod, How, InterpolateNa};
pub use self::structure::{Cell, Table};
pub use self::structure::{
    Compat, Join, align, align_all_datasets, align_datasets, align_pair, concat, concat_datasets,
    merge, merge_arrays,
};
pub use self::time::{CalendarConversion, TdAccessor};
pub use self::ufunc::ApplyUfunc;
pub use cf::{DecodeOptions, decode_cf, decode_variable, encode_cf, encode_variable};
pub(crate) mod selection;
pub use self::selection::{
    InterpMethod, InterpOptions, OutOfRange, PadMode, PointOptions, ReindexMethod, ReindexOptions,
    Selectable, Selection,
};
