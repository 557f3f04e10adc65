//! Variance and standard deviation from shifted moments.

use std::any::Any;

use super::layout::Walker;
use super::partial::{Acc, Partial, partial_common, wrap_out};
use crate::engine::chunk::ArrayData;
use crate::engine::exec::tile::{Src, Tileable};
use std::marker::PhantomData;

use crate::Result;
use crate::engine::dtype::{Element, Kind};
use crate::engine::reduce_spec::{ReduceKind, ReduceSpec};

/// Count and the first two moments per cell, as sums of values shifted by the cell's
/// first valid value (`s1 = sum(x - k)`, `s2 = sum((x - k)^2)`): no division per
/// element, so rows vectorize, and with `k` a sample of the data the shift keeps the
/// cancellation in `s2 - s1^2/n` as small as Welford's. Partials merge with Chan et
/// al.'s formula.
pub(super) struct MomentAcc<T> {
    n: Vec<f64>,
    k: Vec<f64>,
    s1: Vec<f64>,
    s2: Vec<f64>,
    skipna: bool,
    _t: PhantomData<T>,
}

impl<T: Element> MomentAcc<T> {
    pub(super) fn new(cells: usize, skipna: bool) -> Self {
        MomentAcc {
            n: vec![0.0; cells],
            k: vec![0.0; cells],
            s1: vec![0.0; cells],
            s2: vec![0.0; cells],
            skipna: skipna && T::KIND == Kind::Float,
            _t: PhantomData,
        }
    }
    /// (count, mean, sum of squared deviations) of cell `c`.
    fn moments(&self, c: usize) -> (f64, f64, f64) {
        let n = self.n[c];
        if n == 0.0 {
            return (0.0, 0.0, 0.0);
        }
        let m = self.s1[c] / n;
        let m2 = self.s2[c] - self.s1[c] * m;
        // Rounding may leave a tiny negative; NaN must stay NaN (so no `max`).
        (n, self.k[c] + m, if m2 < 0.0 { 0.0 } else { m2 })
    }
    fn combine(&mut self, c: usize, nb: f64, mb: f64, m2b: f64) {
        if nb == 0.0 {
            return;
        }
        let (na, ma, m2a) = self.moments(c);
        let n = na + nb;
        let delta = mb - ma;
        // Stored with the mean as the shift: s1 = 0, s2 = m2.
        self.n[c] = n;
        self.k[c] = ma + delta * nb / n;
        self.s1[c] = 0.0;
        self.s2[c] = m2a + m2b + delta * delta * na * nb / n;
        if na == 0.0 {
            self.k[c] = mb;
            self.s2[c] = m2b;
        }
    }
    #[allow(clippy::type_complexity)]
    fn state(&self) -> (&Vec<f64>, &Vec<f64>, &Vec<f64>, &Vec<f64>) {
        (&self.n, &self.k, &self.s1, &self.s2)
    }
    fn set_state(
        &mut self,
        (n, k, s1, s2): (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>),
    ) -> Result<()> {
        for len in [k.len(), s1.len(), s2.len(), n.len()] {
            super::partial::same_cells(self.n.len(), len)?;
        }
        (self.n, self.k, self.s1, self.s2) = (n, k, s1, s2);
        Ok(())
    }
    fn merge_same(&mut self, o: Self) {
        for c in 0..self.n.len() {
            let (n, m, m2) = o.moments(c);
            self.combine(c, n, m, m2);
        }
    }
}

impl<T: Element> Acc<T> for MomentAcc<T> {
    #[inline(always)]
    fn one(&mut self, c: usize, v: T, _pos: usize) {
        let x = v.to_f64();
        if self.skipna && x.is_nan() {
            return;
        }
        if self.n[c] == 0.0 {
            self.k[c] = x;
        }
        let d = x - self.k[c];
        self.n[c] += 1.0;
        self.s1[c] += d;
        self.s2[c] += d * d;
    }
    fn same(&mut self, c: usize, vals: &[T], _pos0: usize) {
        let valid = |v: &&T| !(self.skipna && v.is_nan());
        let (mut n, mut s) = (0.0, 0.0);
        for v in vals.iter().filter(valid) {
            n += 1.0;
            s += v.to_f64();
        }
        if n == 0.0 {
            return;
        }
        let m = s / n;
        let m2: f64 = vals
            .iter()
            .filter(valid)
            .map(|v| (v.to_f64() - m) * (v.to_f64() - m))
            .sum();
        self.combine(c, n, m, m2);
    }
    fn consecutive(&mut self, c0: usize, vals: &[T], _pos: usize) {
        let len = vals.len();
        let n = &mut self.n[c0..c0 + len];
        let k = &mut self.k[c0..c0 + len];
        let s1 = &mut self.s1[c0..c0 + len];
        let s2 = &mut self.s2[c0..c0 + len];
        // Branch-free per element (bit selects, not jumps) so the loop vectorizes.
        let skipna = self.skipna;
        for j in 0..len {
            let x = vals[j].to_f64();
            let valid = !skipna || !x.is_nan();
            k[j] = select(n[j] == 0.0 && valid, x, k[j]);
            let d = select(valid, x - k[j], 0.0);
            s1[j] += d;
            s2[j] += d * d;
            n[j] += select(valid, 1.0, 0.0);
        }
    }
}

/// `if cond { a } else { b }` as bit operations, which LLVM keeps branch-free.
#[inline(always)]
fn select(cond: bool, a: f64, b: f64) -> f64 {
    let m = (cond as u64).wrapping_neg();
    f64::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
}

impl<T: Tileable> Partial for MomentAcc<T> {
    partial_common!();
    fn finish(self: Box<Self>, spec: &ReduceSpec, shape: &[usize]) -> Result<ArrayData> {
        let ddof = spec.ddof as f64;
        let v: Vec<f64> = self
            .n
            .iter()
            .enumerate()
            .map(|(c, &n)| {
                let m2 = self.moments(c).2;
                let var = if n - ddof <= 0.0 {
                    f64::NAN
                } else {
                    m2 / (n - ddof)
                };
                if spec.kind == ReduceKind::Std {
                    var.sqrt()
                } else {
                    var
                }
            })
            .collect();
        Ok(wrap_out(v, spec.out_dtype(), shape))
    }
    fn nbytes(&self) -> usize {
        self.n.len() * 32
    }
}
