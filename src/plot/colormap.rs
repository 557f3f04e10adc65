//! Colormaps: a handful of matplotlib's, as control points interpolated linearly in RGB.

use crate::{Error, Result};

/// A colormap for maps and colour bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colormap {
    /// matplotlib's default sequential map (dark blue to yellow).
    Viridis,
    /// Red-blue diverging, red for high values (matplotlib's `RdBu_r`): for data
    /// spanning zero (anomalies, trends).
    RdBuR,
    /// Light to dark blue (matplotlib's `Blues`): precipitation-like amounts.
    Blues,
    /// White to black (matplotlib's `Greys`).
    Greys,
}

// matplotlib's viridis sampled at 9 equally spaced points.
const VIRIDIS: [[u8; 3]; 9] = [
    [68, 1, 84],
    [71, 45, 123],
    [59, 82, 139],
    [44, 114, 142],
    [33, 145, 140],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
];

// ColorBrewer RdBu (11 classes), reversed so that blue is low.
const RDBU_R: [[u8; 3]; 11] = [
    [5, 48, 97],
    [33, 102, 172],
    [67, 147, 195],
    [146, 197, 222],
    [209, 229, 240],
    [247, 247, 247],
    [253, 219, 199],
    [244, 165, 130],
    [214, 96, 77],
    [178, 24, 43],
    [103, 0, 31],
];

// ColorBrewer Blues (9 classes).
const BLUES: [[u8; 3]; 9] = [
    [247, 251, 255],
    [222, 235, 247],
    [198, 219, 239],
    [158, 202, 225],
    [107, 174, 214],
    [66, 146, 198],
    [33, 113, 181],
    [8, 81, 156],
    [8, 48, 107],
];

const GREYS: [[u8; 3]; 2] = [[255, 255, 255], [0, 0, 0]];

impl Colormap {
    /// Looks a colormap up by its matplotlib name (`"viridis"`, `"RdBu_r"`, `"Blues"`,
    /// `"Greys"`; case-insensitive).
    pub fn from_name(name: &str) -> Result<Colormap> {
        match name.to_ascii_lowercase().as_str() {
            "viridis" => Ok(Colormap::Viridis),
            "rdbu_r" => Ok(Colormap::RdBuR),
            "blues" => Ok(Colormap::Blues),
            "greys" | "grays" => Ok(Colormap::Greys),
            _ => Err(Error::invalid(format!(
                "unknown colormap {name:?}; available: viridis, RdBu_r, Blues, Greys"
            ))),
        }
    }

    fn stops(self) -> &'static [[u8; 3]] {
        match self {
            Colormap::Viridis => &VIRIDIS,
            Colormap::RdBuR => &RDBU_R,
            Colormap::Blues => &BLUES,
            Colormap::Greys => &GREYS,
        }
    }

    /// The colour at `t` in `[0, 1]` (clamped), as RGB.
    pub fn rgb(self, t: f64) -> [u8; 3] {
        let stops = self.stops();
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let pos = t * (stops.len() - 1) as f64;
        let i = (pos.floor() as usize).min(stops.len() - 2);
        let f = pos - i as f64;
        let (a, b) = (stops[i], stops[i + 1]);
        std::array::from_fn(|k| (a[k] as f64 + (b[k] as f64 - a[k] as f64) * f).round() as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_and_names() {
        assert_eq!(Colormap::Viridis.rgb(0.0), [68, 1, 84]);
        assert_eq!(Colormap::Viridis.rgb(1.0), [253, 231, 37]);
        assert_eq!(Colormap::RdBuR.rgb(0.5), [247, 247, 247]);
        assert_eq!(Colormap::Greys.rgb(0.5), [128, 128, 128]);
        assert_eq!(Colormap::from_name("RdBu_r").unwrap(), Colormap::RdBuR);
        assert!(Colormap::from_name("jet").is_err());
    }
}
