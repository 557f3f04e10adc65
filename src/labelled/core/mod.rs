//! The labelled types: [`Variable`], [`DataArray`], [`Dataset`], their coordinates
//! and eager indexes, positional and label selection, string-valued variables, the
//! datetime accessor and the repr. Nothing here imports `structure` or
//! `computation`; they build on these types.

pub(crate) mod accessor;
pub(crate) mod coords;
pub(crate) mod dataarray;
pub(crate) mod dataset;
pub(crate) mod index;
pub(crate) mod opaque;
pub(crate) mod repr;
pub(crate) mod select;
pub(crate) mod strings;
pub(crate) mod variable;

// The HTML repr (`crate::display`) shows what the text repr shows.
pub(crate) use repr::{dtype_text, in_memory, index_previews, scalar_preview, values_text};

pub use accessor::DtAccessor;
pub use coords::{Coord, Coords};
pub use dataarray::DataArray;
pub use dataset::Dataset;
pub use index::{Index, IndexValues, Label, Order};
pub use opaque::OpaqueSource;
pub use select::{LabelSel, Positions};
pub use variable::{Attrs, Variable};
