//! Bins of a numeric coordinate (xarray's `groupby_bins`, pandas' `cut`): intervals
//! between consecutive edges, right-closed by default, labelled as pandas prints an
//! `Interval` (`"(0.0, 15.0]"`). Values outside every bin, and NaN, are in no group.

use super::labels::{GroupLabels, Groups};
use crate::{Error, Result};

/// How the bins of [`crate::labelled::DataArray::groupby_bins`] close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinOptions {
    /// Intervals include their right edge (pandas' default) rather than the left.
    pub right: bool,
    /// The first interval also includes its left edge (right-closed bins only).
    pub include_lowest: bool,
}

impl Default for BinOptions {
    fn default() -> Self {
        BinOptions {
            right: true,
            include_lowest: false,
        }
    }
}

/// Python's `repr` of a float, as pandas prints interval edges.
fn py_float(v: f64) -> String {
    let s = format!("{v:?}");
    match s.find('e') {
        // Python writes 1e+20 and 1e-07 where Rust writes 1e20 and 1e-7.
        Some(i) => {
            let (m, e) = s.split_at(i);
            let exp: i32 = e[1..].parse().unwrap_or(0);
            let sign = if exp < 0 { '-' } else { '+' };
            format!("{}e{sign}{:02}", m.trim_end_matches(".0"), exp.abs())
        }
        None => s,
    }
}

/// The group of every value among the bins between `edges` (strictly increasing).
pub(crate) fn bin_groups(
    key: &str,
    values: &[f64],
    edges: &[f64],
    opts: BinOptions,
) -> Result<Groups> {
    if edges.len() < 2
        || edges
            .windows(2)
            .any(|w| w[0].partial_cmp(&w[1]) != Some(std::cmp::Ordering::Less))
    {
        return Err(Error::InvalidGroup {
            key: key.to_string(),
            reason: format!(
                "bin edges must be at least two strictly increasing numbers, got {edges:?}"
            ),
        });
    }
    let n = edges.len() - 1;
    let codes = values
        .iter()
        .map(|&v| {
            if v.is_nan() {
                return -1;
            }
            // First edge >= v (right-closed) or > v (left-closed).
            let k = if opts.right {
                edges.partition_point(|&e| e < v)
            } else {
                edges.partition_point(|&e| e <= v)
            };
            let bin = if opts.right {
                if k == 0 {
                    (opts.include_lowest && v == edges[0]).then_some(0)
                } else {
                    (k <= n).then(|| k - 1)
                }
            } else {
                (k >= 1 && k <= n).then(|| k - 1)
            };
            bin.map_or(-1, |b| b as i64)
        })
        .collect();
    let labels = (0..n)
        .map(|i| {
            let (a, b) = (py_float(edges[i]), py_float(edges[i + 1]));
            if opts.right {
                format!("({a}, {b}]")
            } else {
                format!("[{a}, {b})")
            }
        })
        .collect();
    Ok(Groups {
        codes,
        labels: GroupLabels::Str(labels),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_closed_bins_like_pandas_cut() {
        let g = bin_groups(
            "x",
            &[0.0, 5.0, 15.0, 15.5, 40.5, 41.0, f64::NAN],
            &[0.0, 15.0, 40.5],
            BinOptions::default(),
        )
        .unwrap();
        assert_eq!(g.codes, vec![-1, 0, 0, 1, 1, -1, -1]);
        assert_eq!(
            g.labels,
            GroupLabels::Str(vec!["(0.0, 15.0]".into(), "(15.0, 40.5]".into()])
        );
        let left = BinOptions {
            right: false,
            include_lowest: false,
        };
        let g = bin_groups("x", &[0.0, 15.0], &[0.0, 15.0, 40.5], left).unwrap();
        assert_eq!(g.codes, vec![0, 1]);
        assert!(bin_groups("x", &[1.0], &[2.0, 1.0], left).is_err());
        assert_eq!(py_float(1e20), "1e+20");
        assert_eq!(py_float(0.25), "0.25");
    }
}
