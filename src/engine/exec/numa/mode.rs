//! [`NumaMode`]: whether and how the executor splits its workers over NUMA nodes, from
//! `TESSERA_NUMA` or [`Compute::numa`](crate::engine::Compute::numa).

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// The environment variable read when [`Compute::numa`](crate::engine::Compute::numa)
/// is not set.
pub const NUMA_ENV: &str = "TESSERA_NUMA";

/// How the executor uses the machine's NUMA nodes.
///
/// ```
/// use tessera::engine::numa::NumaMode;
/// assert_eq!("mock:2".parse::<NumaMode>()?, NumaMode::Mock(2));
/// assert_eq!("auto".parse::<NumaMode>()?, NumaMode::Auto);
/// assert!("mock:0".parse::<NumaMode>().is_err());
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NumaMode {
    /// One pool, no pinning, rayon's work stealing over every worker.
    Off,
    /// One pool per NUMA node with threads bound to the node's CPUs, when the machine
    /// has two or more nodes; exactly [`Off`](Self::Off) on one node. The default.
    #[default]
    Auto,
    /// The CPUs split into this many fake nodes, each with its own bound pool (to
    /// test and measure the NUMA executor on any machine).
    Mock(usize),
}

impl NumaMode {
    /// The mode `TESSERA_NUMA` asks for ([`Auto`](Self::Auto) when unset or empty).
    pub fn from_env() -> Result<NumaMode> {
        match std::env::var(NUMA_ENV) {
            Ok(v) if !v.trim().is_empty() => v.parse().map_err(|_| {
                Error::invalid(format!(
                    "{NUMA_ENV}={v:?} is not a NUMA mode: expected off, auto or mock:N with N at least 1"
                ))
            }),
            _ => Ok(NumaMode::Auto),
        }
    }
}

impl FromStr for NumaMode {
    type Err = Error;

    fn from_str(s: &str) -> Result<NumaMode> {
        let t = s.trim().to_ascii_lowercase();
        let bad = || {
            Error::invalid(format!(
                "NUMA mode {s:?}: expected off, auto or mock:N with N from 1 to 1024"
            ))
        };
        match t.as_str() {
            "off" => Ok(NumaMode::Off),
            "auto" => Ok(NumaMode::Auto),
            _ => {
                let n: usize = t
                    .strip_prefix("mock:")
                    .ok_or_else(bad)?
                    .trim()
                    .parse()
                    .map_err(|_| bad())?;
                if (1..=1024).contains(&n) {
                    Ok(NumaMode::Mock(n))
                } else {
                    Err(bad())
                }
            }
        }
    }
}

impl fmt::Display for NumaMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumaMode::Off => f.write_str("off"),
            NumaMode::Auto => f.write_str("auto"),
            NumaMode::Mock(n) => write!(f, "mock:{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for (s, m) in [
            ("off", NumaMode::Off),
            (" AUTO ", NumaMode::Auto),
            ("mock:4", NumaMode::Mock(4)),
            ("mock: 2", NumaMode::Mock(2)),
        ] {
            assert_eq!(s.parse::<NumaMode>().unwrap(), m);
            assert_eq!(m.to_string().parse::<NumaMode>().unwrap(), m);
        }
        for bad in [
            "on",
            "mock",
            "mock:",
            "mock:0",
            "mock:-1",
            "mock:x",
            "mock:5000",
            "",
        ] {
            let e = bad.parse::<NumaMode>().unwrap_err();
            assert!(matches!(e, Error::InvalidArgument(_)), "{bad}");
            assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
        }
    }
}
