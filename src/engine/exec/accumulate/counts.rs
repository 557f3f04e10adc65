//! Valid-element counts per cell, in the narrowest unsigned type that holds the most
//! elements one cell can receive.
//!
//! A mean over the four members of an ensemble counts in bytes: its partial is 9 bytes
//! a cell (an f64 sum and a `u8` count) instead of 16. That partial is the largest
//! thing a block computing an ensemble mean where it is used holds (10 M cells for a
//! 100-day chunk of a CONUS grid).

use crate::Result;
use crate::engine::dtype::Element;

/// Counts per cell (none when the reduction needs no count).
pub(super) enum Counts {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

/// Runs `$body` with `$c` bound to the counts vector, whatever its type.
macro_rules! each {
    ($counts:expr, $c:ident => $body:expr) => {
        match $counts {
            Counts::U8($c) => $body,
            Counts::U16($c) => $body,
            Counts::U32($c) => $body,
            Counts::U64($c) => $body,
        }
    };
}

/// The state of [`Counts`] as serde sees it: one of the four vectors is the counts.
pub(super) type CountParts = (Vec<u8>, Vec<u16>, Vec<u32>, Vec<u64>);

/// [`CountParts`] borrowed.
pub(super) type CountSlices<'a> = (&'a [u8], &'a [u16], &'a [u32], &'a [u64]);

impl Counts {
    /// Zero counts for `cells` cells (none when `cells` is 0), each to receive at most
    /// `most` elements.
    pub(super) fn new(cells: usize, most: u64) -> Self {
        if most <= u8::MAX as u64 {
            Counts::U8(vec![0; cells])
        } else if most <= u16::MAX as u64 {
            Counts::U16(vec![0; cells])
        } else if most <= u32::MAX as u64 {
            Counts::U32(vec![0; cells])
        } else {
            Counts::U64(vec![0; cells])
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        each!(self, c => c.is_empty())
    }

    pub(super) fn len(&self) -> usize {
        each!(self, c => c.len())
    }

    pub(super) fn nbytes(&self) -> usize {
        each!(self, c => std::mem::size_of_val(c.as_slice()))
    }

    /// Adds `n` to the count of `cell` (a no-op without counts).
    #[inline(always)]
    pub(super) fn add(&mut self, cell: usize, n: u64) {
        each!(self, c => if let Some(x) = c.get_mut(cell) {
            *x = x.plus(n);
        })
    }

    /// Counts the elements of `vals` (the valid ones when `skipna`) into the cells from
    /// `cell0` on, one each (a no-op without counts).
    pub(super) fn add_each<T: Element>(&mut self, cell0: usize, vals: &[T], skipna: bool) {
        if self.is_empty() {
            return;
        }
        each!(self, c => {
            let c = &mut c[cell0..cell0 + vals.len()];
            if skipna {
                c.iter_mut()
                    .zip(vals)
                    .for_each(|(c, v)| *c = c.plus(!v.is_nan() as u64));
            } else {
                c.iter_mut().for_each(|c| *c = c.plus(1));
            }
        })
    }

    /// The count of `cell`.
    pub(super) fn get(&self, cell: usize) -> u64 {
        each!(self, c => c[cell].widen())
    }

    /// Adds the counts of another partial of the same output chunk.
    pub(super) fn merge(&mut self, other: Counts) {
        match (self, other) {
            (Counts::U8(a), Counts::U8(b)) => add_all(a, &b),
            (Counts::U16(a), Counts::U16(b)) => add_all(a, &b),
            (Counts::U32(a), Counts::U32(b)) => add_all(a, &b),
            (Counts::U64(a), Counts::U64(b)) => add_all(a, &b),
            (a, b) => (0..a.len().min(b.len())).for_each(|i| a.add(i, b.get(i))),
        }
    }

    /// The counts as serde sees them.
    pub(super) fn parts(&self) -> CountSlices<'_> {
        match self {
            Counts::U8(c) => (c, &[], &[], &[]),
            Counts::U16(c) => (&[], c, &[], &[]),
            Counts::U32(c) => (&[], &[], c, &[]),
            Counts::U64(c) => (&[], &[], &[], c),
        }
    }

    /// Replaces the counts with those [`parts`](Counts::parts) gave for a partial of the
    /// same reduction and output chunk.
    pub(super) fn set_parts(&mut self, (a, b, c, d): CountParts) -> Result<()> {
        let got = match self {
            Counts::U8(_) => Counts::U8(a),
            Counts::U16(_) => Counts::U16(b),
            Counts::U32(_) => Counts::U32(c),
            Counts::U64(_) => Counts::U64(d),
        };
        super::partial::same_cells(self.len(), got.len())?;
        *self = got;
        Ok(())
    }

    /// `f(sum, count)` of each cell, in order.
    pub(super) fn zip_map<S: Copy, O>(&self, sums: &[S], f: impl Fn(S, u64) -> O) -> Vec<O> {
        each!(self, c => c.iter().zip(sums).map(|(&n, &s)| f(s, n.widen())).collect())
    }
}

fn add_all<C: Tally>(a: &mut [C], b: &[C]) {
    a.iter_mut()
        .zip(b)
        .for_each(|(a, &b)| *a = a.plus(b.widen()));
}

/// A count type of [`Counts`].
trait Tally: Copy {
    fn plus(self, n: u64) -> Self;
    fn widen(self) -> u64;
}

macro_rules! tally {
    ($($t:ty),*) => {$(
        impl Tally for $t {
            #[inline(always)]
            fn plus(self, n: u64) -> Self {
                // `n` fits: no cell receives more than the type was chosen to hold.
                self + n as $t
            }
            #[inline(always)]
            fn widen(self) -> u64 {
                self as u64
            }
        }
    )*};
}
tally!(u8, u16, u32, u64);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::LazyArray;

    /// NaN-skipping means over as many elements a cell as each count type
    /// holds and one more, fed in several chunks and merged, NaN every seventh.
    #[test]
    fn means_across_each_count_type_boundary_are_exact() {
        for n in [255usize, 256, 65_535, 65_536, 70_001] {
            let vals: Vec<f64> = (0..2 * n)
                .map(|i| {
                    if i % 7 == 3 {
                        f64::NAN
                    } else {
                        (i % 13) as f64 - 4.0
                    }
                })
                .collect();
            let a = ndarray::ArrayD::from_shape_vec(vec![n, 2], vals.clone()).unwrap();
            let lazy = LazyArray::from_ndarray(a, &[n / 3 + 1, 2]).unwrap();
            let got = lazy.nanmean(&[0]).unwrap().compute().unwrap().to_f64_vec();
            for col in 0..2 {
                let valid: Vec<f64> = (0..n)
                    .map(|i| vals[2 * i + col])
                    .filter(|v| !v.is_nan())
                    .collect();
                let want = valid.iter().sum::<f64>() / valid.len() as f64;
                assert!(
                    (got[col] - want).abs() < 1e-12,
                    "n {n}: {} against {want}",
                    got[col]
                );
            }
        }
    }

    #[test]
    fn the_type_is_the_narrowest_that_holds_the_most_a_cell_receives() {
        let bytes = |most| Counts::new(10, most).nbytes();
        assert_eq!(bytes(4), 10);
        assert_eq!(bytes(255), 10);
        assert_eq!(bytes(256), 20);
        assert_eq!(bytes(65_536), 40);
        assert_eq!(bytes(1 << 40), 80);
        let mut c = Counts::new(3, 255);
        c.add_each(0, &[1.0, f64::NAN, 2.0], true);
        c.add_each(0, &[1.0, 1.0, 1.0], false);
        c.add(2, 253);
        assert_eq!((c.get(0), c.get(1), c.get(2)), (2, 1, 255));
        let mut d = Counts::new(3, 255);
        d.set_parts((vec![1, 2, 0], vec![], vec![], vec![]))
            .unwrap();
        assert!(
            d.set_parts((vec![], vec![1, 2, 3], vec![], vec![]))
                .is_err()
        );
        c.merge(d);
        assert_eq!((c.get(0), c.get(1), c.get(2)), (3, 3, 255));
    }
}
