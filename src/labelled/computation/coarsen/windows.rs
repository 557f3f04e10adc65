//! The windows along one dimension as group labels: window `k` is group `k`,
//! positions that [`Boundary::Trim`] cuts off belong to none (-1).

use super::{Boundary, Side};
use crate::{Error, Result};

/// The windows along one dimension: a group per window, -1 for trimmed positions.
pub(super) struct DimWindows {
    pub(super) dim: String,
    pub(super) labels: Vec<i64>,
    pub(super) n_groups: usize,
    /// A window is short (boundary pad): values become floats, as NaN padding makes them.
    pub(super) padded: bool,
}

pub(super) fn dim_windows(
    dim: &str,
    size: usize,
    window: usize,
    b: Boundary,
    side: Side,
) -> Result<DimWindows> {
    let excess = size % window;
    // Window k covers the positions i with (i + shift) / window == k.
    let (n_groups, shift) = match (b, side) {
        _ if excess == 0 => (size / window, 0),
        (Boundary::Exact, _) => {
            return Err(Error::invalid(format!(
                "cannot coarsen dimension {dim:?} of size {size} with window {window} and boundary \
                 exact: {size} is not a multiple of {window}; use boundary trim or pad"
            )));
        }
        (Boundary::Trim, Side::Left) => (size / window, 0),
        (Boundary::Trim, Side::Right) => (size / window, -(excess as i64)),
        (Boundary::Pad, Side::Left) => (size / window + 1, 0),
        (Boundary::Pad, Side::Right) => (size / window + 1, (window - excess) as i64),
    };
    let labels = (0..size as i64)
        .map(|i| {
            let k = (i + shift).div_euclid(window as i64);
            if i + shift < 0 || k >= n_groups as i64 {
                -1
            } else {
                k
            }
        })
        .collect();
    Ok(DimWindows {
        dim: dim.to_string(),
        labels,
        n_groups,
        padded: b == Boundary::Pad && excess != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(size: usize, w: usize, b: Boundary, s: Side) -> (Vec<i64>, usize) {
        let d = dim_windows("x", size, w, b, s).unwrap();
        (d.labels, d.n_groups)
    }

    #[test]
    fn windows_follow_boundary_and_side() {
        use Boundary::*;
        use Side::*;
        assert_eq!(labels(6, 2, Exact, Left), (vec![0, 0, 1, 1, 2, 2], 3));
        assert_eq!(labels(5, 2, Trim, Left), (vec![0, 0, 1, 1, -1], 2));
        assert_eq!(labels(5, 2, Trim, Right), (vec![-1, 0, 0, 1, 1], 2));
        assert_eq!(labels(5, 2, Pad, Left), (vec![0, 0, 1, 1, 2], 3));
        assert_eq!(labels(5, 2, Pad, Right), (vec![0, 1, 1, 2, 2], 3));
        assert_eq!(labels(3, 5, Pad, Right), (vec![0, 0, 0], 1));
        assert_eq!(labels(3, 5, Trim, Left), (vec![-1, -1, -1], 0));
        let e = dim_windows("lat", 5, 2, Exact, Left)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("\"lat\"") && e.contains("5") && e.contains("2"),
            "{e}"
        );
    }
}
