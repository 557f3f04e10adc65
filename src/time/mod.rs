//! CF time: units, the six CF calendars, decoding/encoding and datetime components.
//!
//! Times are instants stored as `i64` microseconds since 1970-01-01 in their own
//! calendar, so `noleap` or `360_day` model years never pass through a Gregorian
//! conversion and years far outside numpy's nanosecond range still work.
//!
//! ```
//! use tessera::time::{Calendar, TimeUnits, decode_f64};
//! let units = TimeUnits::parse("days since 2000-01-01")?;
//! let t = decode_f64(&[58.0, 59.0], &units, Calendar::NoLeap)?;
//! assert_eq!(Calendar::NoLeap.from_micros(t[1]).to_string(), "2000-03-01T00:00:00");
//! # Ok::<(), tessera::Error>(())
//! ```

mod calendar;
mod components;
pub(crate) mod count_guard;
mod datetime;
mod decode;
mod period;
mod range;
mod rounding;
mod strftime;
mod units;

pub use calendar::Calendar;
pub use components::{Component, Season};
pub use datetime::{CfDatetime, Precision, parse_datetime};
pub use decode::{NAT, choose_units, decode_f64, decode_i64, encode_f64, encode_i64};
pub use period::{add_months, month_start, parse_datetime_str, year_start};
pub use range::{DateRange, Inclusive};
pub(crate) use rounding::fixed_step;
pub use rounding::{RoundMode, round_instant};
pub use strftime::strftime;
pub use units::{TimeUnit, TimeUnits};
