//! Time in the labelled layer: date ranges as coordinates, rounding and formatting of
//! datetime arrays, dates out of arrays, calendar conversion and timedeltas.

mod calendar;
mod dt_ops;
mod range;
mod timedelta;
mod values;

pub use calendar::CalendarConversion;
pub use timedelta::TdAccessor;
pub(crate) use timedelta::{format as timedelta_text, is_timedelta, time_arithmetic};
