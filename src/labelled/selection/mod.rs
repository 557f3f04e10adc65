//! Selection, alignment and interpolation beyond one label on one dimension:
//! `interp`/`interp_like`, pointwise selection, `reindex` with a method, `sortby`,
//! `roll`, `pad`, `head`/`tail`/`thin`, `drop_sel` and the multi-dimension
//! selection builder. Each file adds one family of methods to `DataArray` and
//! `Dataset`.

mod builder;
pub(crate) mod interp;
mod interp_api;
mod interp_cubic;
mod interp_points;
mod points;
mod positional;
pub(crate) mod positions;
mod reindex;
mod reorder;

pub use builder::{Selectable, Selection};
pub use interp::{InterpMethod, InterpOptions, OutOfRange};
pub use points::PointOptions;
pub use reindex::{ReindexMethod, ReindexOptions};
pub use reorder::PadMode;
