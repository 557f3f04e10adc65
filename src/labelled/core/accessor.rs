//! The datetime accessor (`da.dt.year`, ...) and virtual names (`ds["time.month"]`).
//!
//! A time variable is an `I64` variable of microseconds whose encoding names its
//! calendar (what [`cf::decode_cf`](crate::labelled::cf::decode_cf) produces). Components are
//! computed lazily, block by block, with [`Component::of`]; a missing time (NaT)
//! gives [`NAT`] (`i64::MIN`) where xarray gives NaN.
//!
//! ```
//! use ndarray::{Array, IxDyn};
//! use tessera::labelled::{Attrs, DataArray, Variable};
//! use tessera::engine::LazyArray;
//! use tessera::time::{Calendar, CfDatetime};
//!
//! let cal = Calendar::NoLeap;
//! let t = cal.to_micros(&CfDatetime::date(2001, 7, 4))?;
//! let mut enc = Attrs::new();
//! enc.insert("calendar".into(), "noleap".into());
//! let data = LazyArray::from_ndarray(Array::from_vec(vec![t]).into_dyn(), &[1])?;
//! let var = Variable::new(["time"], data)?.with_encoding(enc);
//! let da = DataArray::new(Some("t".into()), var, Default::default())?;
//! assert_eq!(da.dt()?.month()?.values::<i64>()?[[0]], 7);
//! assert_eq!(da.dt()?.season()?, vec!["JJA".to_string()]);
//! assert_eq!(da.virtual_coord("t.dayofyear")?.values::<i64>()?[[0]], 185);
//! # Ok::<(), tessera::Error>(())
//! ```

use super::dataarray::DataArray;
use super::dataset::Dataset;
use super::variable::Variable;
use crate::engine::DType;
use crate::time::{Calendar, Component, NAT, Season};
use crate::{Error, Result};

/// Datetime components of a time [`DataArray`] (xarray's `.dt`).
pub struct DtAccessor<'a> {
    da: &'a DataArray,
    calendar: Calendar,
}

impl DataArray {
    /// The datetime accessor; fails unless this array holds CF-decoded times.
    pub fn dt(&self) -> Result<DtAccessor<'_>> {
        let cal = self
            .variable()
            .encoding()
            .get("calendar")
            .and_then(|c| c.as_str());
        match cal {
            Some(c) if self.dtype() == DType::I64 => Ok(DtAccessor {
                da: self,
                calendar: Calendar::parse(c)?,
            }),
            _ => Err(Error::invalid(format!(
                "the .dt accessor needs datetime values; {} is {} without a calendar in its encoding",
                self.name()
                    .map_or("this array".to_string(), |n| format!("{n:?}")),
                self.dtype()
            ))),
        }
    }

    /// A virtual variable such as `"time.month"`: a component of the time
    /// coordinate (or variable) before the dot. `"time.season"` gives season
    /// indexes (0 DJF, 1 MAM, 2 JJA, 3 SON); [`DtAccessor::season`] gives the labels.
    pub fn virtual_coord(&self, name: &str) -> Result<DataArray> {
        let (var, comp) = split_virtual(name)?;
        let base = if self.name() == Some(var) && self.coords().get(var).is_none() {
            self.clone()
        } else {
            self.coord(var)?
        };
        base.dt()?.component(Component::parse(comp)?)
    }
}

impl Dataset {
    /// A virtual variable such as `"time.month"` (see [`DataArray::virtual_coord`]).
    pub fn virtual_coord(&self, name: &str) -> Result<DataArray> {
        let (var, comp) = split_virtual(name)?;
        self.get(var)?.dt()?.component(Component::parse(comp)?)
    }
}

fn split_virtual(name: &str) -> Result<(&str, &str)> {
    name.rsplit_once('.').ok_or_else(|| {
        Error::invalid(format!(
            "{name:?} is not a virtual variable name; expected \"<time variable>.<component>\" such as \"time.month\""
        ))
    })
}

impl DtAccessor<'_> {
    /// The calendar of the times.
    pub fn calendar(&self) -> Calendar {
        self.calendar
    }

    /// The array the accessor reads.
    pub(crate) fn array(&self) -> &DataArray {
        self.da
    }

    /// A component as a lazy `I64` array with the same dims and coordinates, named
    /// like the component (`NaT` → `i64::MIN`).
    pub fn component(&self, c: Component) -> Result<DataArray> {
        let cal = self.calendar;
        let name = format!("{c:?}").to_lowercase();
        let data = self
            .da
            .data()
            .map_elements(format!("dt.{name}"), move |t: i64| {
                c.of(cal, t).unwrap_or(NAT)
            })?;
        let var = Variable::new(self.da.dims().to_vec(), data)?;
        DataArray::new(Some(name), var, self.da.coords().clone())
    }

    /// Years.
    pub fn year(&self) -> Result<DataArray> {
        self.component(Component::Year)
    }

    /// Months, 1-12.
    pub fn month(&self) -> Result<DataArray> {
        self.component(Component::Month)
    }

    /// Days of the month.
    pub fn day(&self) -> Result<DataArray> {
        self.component(Component::Day)
    }

    /// Hours, 0-23.
    pub fn hour(&self) -> Result<DataArray> {
        self.component(Component::Hour)
    }

    /// Minutes, 0-59.
    pub fn minute(&self) -> Result<DataArray> {
        self.component(Component::Minute)
    }

    /// Seconds, 0-59.
    pub fn second(&self) -> Result<DataArray> {
        self.component(Component::Second)
    }

    /// Days of the week, Monday = 0 (cftime's `dayofwk` in non-standard calendars).
    pub fn dayofweek(&self) -> Result<DataArray> {
        self.component(Component::DayOfWeek)
    }

    /// The same as [`dayofweek`](Self::dayofweek).
    pub fn weekday(&self) -> Result<DataArray> {
        self.dayofweek()
    }

    /// Days of the year, from 1.
    pub fn dayofyear(&self) -> Result<DataArray> {
        self.component(Component::DayOfYear)
    }

    /// Season labels (`"DJF"`, `"MAM"`, `"JJA"`, `"SON"`; `""` for NaT), in
    /// row-major order. Labelled arrays hold numbers, so this computes; the lazy
    /// form is `component(Component::Season)`, indexes into [`Season`].
    pub fn season(&self) -> Result<Vec<String>> {
        let idx = self.component(Component::Season)?.values::<i64>()?;
        Ok(idx
            .iter()
            .map(|&i| match i {
                0 => Season::DJF.name().to_string(),
                1 => Season::MAM.name().to_string(),
                2 => Season::JJA.name().to_string(),
                3 => Season::SON.name().to_string(),
                _ => String::new(),
            })
            .collect())
    }
}
