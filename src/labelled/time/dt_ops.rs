//! Rounding and formatting through the datetime accessor: `.dt().floor("D")`,
//! `ceil`, `round`, `strftime`.

use crate::Result;
use crate::labelled::{DataArray, DtAccessor, Variable};
use crate::time::{NAT, RoundMode, round_instant, strftime};

impl DtAccessor<'_> {
    /// The times rounded down to a fixed frequency (`"D"`, `"6h"`, `"15min"`), lazily,
    /// keeping dims, coordinates, name and calendar. Calendar periods (`"MS"`) are an
    /// error, as in xarray.
    ///
    /// ```
    /// use tessera::time::DateRange;
    /// let t = DateRange::new().start("2000-01-01T05").periods(3).freq("10h").to_dataarray("time")?;
    /// let f = t.dt()?.floor("D")?;
    /// assert_eq!(f.to_strings()?, ["2000-01-01T00:00:00", "2000-01-01T00:00:00", "2000-01-02T00:00:00"]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn floor(&self, freq: &str) -> Result<DataArray> {
        self.rounded(freq, RoundMode::Floor)
    }

    /// The times rounded up to a fixed frequency (see [`floor`](Self::floor)).
    pub fn ceil(&self, freq: &str) -> Result<DataArray> {
        self.rounded(freq, RoundMode::Ceil)
    }

    /// The times rounded to the nearest multiple of a fixed frequency, exact halves
    /// to the even multiple (see [`floor`](Self::floor)).
    pub fn round(&self, freq: &str) -> Result<DataArray> {
        self.rounded(freq, RoundMode::Round)
    }

    fn rounded(&self, freq: &str, mode: RoundMode) -> Result<DataArray> {
        let step = crate::time::fixed_step(freq)?;
        let da = self.array();
        let name = format!("dt.{mode:?}").to_lowercase();
        let data = da
            .data()
            .map_elements(name, move |t: i64| round_instant(t, step, mode))?;
        Ok(da.with_variable(da.variable().with_data(data)?))
    }

    /// The times formatted with a strftime `format` (`"%Y-%m-%d %H:%M"`; see
    /// [`strftime`](crate::time::strftime) for the codes) as a string array with the same
    /// dims and coordinates (`"NaT"` for missing times); computes the times.
    ///
    /// ```
    /// use tessera::time::DateRange;
    /// let t = DateRange::new().start("2000-01-30").periods(2).calendar("360_day").to_dataarray("time")?;
    /// let s = t.dt()?.strftime("%d %b %Y")?;
    /// assert_eq!(s.to_strings()?, ["30 Jan 2000", "01 Feb 2000"]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn strftime(&self, format: &str) -> Result<DataArray> {
        let da = self.array();
        let cal = self.calendar();
        let times = da.values::<i64>()?;
        let strings = times
            .iter()
            .map(|&t| {
                if t == NAT {
                    Ok("NaT".to_string())
                } else {
                    strftime(cal, t, format)
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let chunks: Vec<usize> = da.shape().iter().map(|&n| n.max(1)).collect();
        let var = Variable::from_strings(da.dims().to_vec(), da.shape(), strings, &chunks)?;
        DataArray::new(da.name().map(str::to_string), var, da.coords().clone())
    }
}
