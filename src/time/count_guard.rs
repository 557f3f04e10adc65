//! Refuses date sequences and resampling bins too many to hold in memory before they
//! are allocated: a frequency typed `"us"` instead of `"D"` over ten years asks for
//! 3·10^14 values, which would otherwise abort the process when the allocation fails.

use crate::{Error, Result};

/// `Ok` when `count` 8-byte values (and the arrays built from them, a few times that)
/// fit in this machine's memory; otherwise an error saying what asked for them.
pub(crate) fn ensure_fits(count: u128, what: impl FnOnce() -> String) -> Result<()> {
    let memory = crate::engine::physical_memory().unwrap_or(16 << 30) as u128;
    let limit = memory / 8 / 4;
    if count > limit {
        return Err(Error::invalid(format!(
            "{} gives {count} values: more than this machine's memory holds ({limit} at \
             most); use a coarser frequency or fewer periods",
            what()
        )));
    }
    Ok(())
}
