//! Byte counts in binary units (`3.905 MiB`), for the command-line tools and the plan
//! text. (dask's chunk summary keeps its own spelling, `kiB` and two decimals.)

/// How the last shown decimal is reached.
#[derive(Clone, Copy)]
pub(crate) enum Round {
    /// To the nearest.
    Nearest,
    /// Up: at least the count shown, as a budget that must suffice is written.
    Up,
}

/// `bytes` in B, KiB, MiB, ... with `decimals` decimals (none for plain bytes).
pub(crate) fn binary_units(bytes: u64, decimals: usize, round: Round) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        return format!("{bytes} B");
    }
    if let Round::Up = round {
        let scale = 10f64.powi(decimals as i32);
        v = (v * scale).ceil() / scale;
    }
    format!("{v:.decimals$} {}", UNITS[u])
}

#[cfg(test)]
mod tests {
    use super::{Round, binary_units};

    #[test]
    fn nearest_and_up() {
        assert_eq!(binary_units(12, 3, Round::Nearest), "12 B");
        assert_eq!(binary_units(4 << 20, 3, Round::Nearest), "4.000 MiB");
        // 362.03 MiB: a budget of 362.0 MiB would not suffice.
        assert_eq!(binary_units(379_626_240, 1, Round::Nearest), "362.0 MiB");
        assert_eq!(binary_units(379_626_240, 1, Round::Up), "362.1 MiB");
        assert_eq!(binary_units(3 << 30, 1, Round::Up), "3.0 GiB");
    }
}
