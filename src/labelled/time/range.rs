//! [`DateRange`] as a labelled time coordinate.

use crate::Result;
use crate::engine::LazyArray;
use crate::labelled::{Attrs, Coords, DataArray, Variable};
use crate::time::DateRange;

impl DateRange {
    /// The dates as a 1-D time [`Variable`] along `dim` (`I64` microseconds with the
    /// calendar in its encoding, like a decoded CF time), in one chunk.
    ///
    /// ```
    /// use tessera::time::DateRange;
    /// let t = DateRange::new().start("2000-01-01").end("2000-12-30").freq("MS")
    ///     .calendar("360_day").to_dataarray("time")?;
    /// assert_eq!(t.shape(), &[12]);
    /// assert_eq!(t.to_strings()?[11], "2000-12-01T00:00:00");
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn to_variable(&self, dim: &str) -> Result<Variable> {
        let cal = self.resolved_calendar()?;
        let values = self.values()?;
        let n = values.len();
        let data =
            LazyArray::from_ndarray(ndarray::Array1::from_vec(values).into_dyn(), &[n.max(1)])?;
        let mut enc = Attrs::new();
        enc.insert("calendar".into(), cal.name().into());
        Ok(Variable::new([dim], data)?.with_encoding(enc))
    }

    /// The dates as a [`DataArray`] named `dim`, with itself as the dimension
    /// coordinate (what `xr.DataArray(xr.date_range(...), dims=dim)` gives).
    pub fn to_dataarray(&self, dim: &str) -> Result<DataArray> {
        let var = self.to_variable(dim)?;
        let mut coords = Coords::new();
        coords.insert(dim, var.clone())?;
        DataArray::new(Some(dim.to_string()), var, coords)
    }
}
