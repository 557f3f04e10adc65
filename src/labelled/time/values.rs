//! Dates out of a datetime array: [`DataArray::to_datetimes`] and
//! [`DataArray::to_strings`].

use crate::Result;
use crate::labelled::DataArray;
use crate::time::{CfDatetime, NAT};

impl DataArray {
    /// The dates of a datetime array in row-major order (`None` for NaT); computes.
    /// Fails unless the array holds CF-decoded times.
    ///
    /// ```
    /// use tessera::time::DateRange;
    /// let t = DateRange::new().start("2001-02-27").periods(3).calendar("noleap").to_dataarray("time")?;
    /// let d = t.to_datetimes()?;
    /// assert_eq!((d[2].unwrap().month, d[2].unwrap().day), (3, 1));
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn to_datetimes(&self) -> Result<Vec<Option<CfDatetime>>> {
        let cal = self.dt()?.calendar();
        let values = self.values::<i64>()?;
        Ok(values
            .iter()
            .map(|&t| (t != NAT).then(|| cal.from_micros(t)))
            .collect())
    }

    /// The values as strings, row-major: ISO 8601 dates for datetimes (`"NaT"` for
    /// missing times), pandas-style durations for timedeltas (`"1 days 06:00:00"`),
    /// the labels of a string array, numbers otherwise; computes.
    pub fn to_strings(&self) -> Result<Vec<String>> {
        if self.dt().is_ok() {
            return Ok(self
                .to_datetimes()?
                .into_iter()
                .map(|d| d.map_or_else(|| "NaT".to_string(), |d| d.to_string()))
                .collect());
        }
        if super::is_timedelta(self.variable()) {
            let v = self.values::<i64>()?;
            return Ok(v.iter().map(|&t| super::timedelta::format(t)).collect());
        }
        if let Some(table) = self.variable().categories() {
            let codes = self.values::<i64>()?;
            return Ok(codes
                .iter()
                .map(|&c| {
                    usize::try_from(c)
                        .ok()
                        .and_then(|c| table.get(c).cloned())
                        .unwrap_or_default()
                })
                .collect());
        }
        let data = self.compute()?;
        Ok(data.to_f64_vec().iter().map(|x| x.to_string()).collect())
    }
}
