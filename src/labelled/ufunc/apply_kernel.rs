//! The block function of [`ApplyUfunc`](super::ApplyUfunc): input views in, every
//! output packed into one block out.
//!
//! The packed block's axes are the loop axes, then `R` slots (`R` the most core dims
//! an output has; slot `j` as long as the longest output's core dim `j`), then padding
//! of length 1 up to the input blocks' number of axes, then one axis with an entry per
//! output. Output `k` sits at index `k` of the last axis, its core dims at the start of
//! the first slots (the rest is NaN, cut away). Outputs thus take the space of their
//! core dims only, never that of the input's core dims.

use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, Axis, IxDyn, Slice};

use super::apply::position;
use crate::engine::{ArrayData, ChunkGrid, LazyArray};
use crate::{Error, Result};

/// The user function: one view per input in, one array per output out.
pub(super) type MultiFn = dyn Fn(&[ArrayViewD<'_, f64>]) -> Result<Vec<ArrayD<f64>>> + Send + Sync;

/// Where an input's axes sit in the layout.
pub(super) struct InputAxes {
    /// Per loop dim, whether the input has it.
    pub(super) has_loop: Vec<bool>,
    /// The layout axes of its core dims, in its order.
    pub(super) core: Vec<usize>,
}

/// The core sizes of every output, and the packing they get.
#[derive(Clone)]
pub(super) struct OutputSlots {
    sizes: Vec<Vec<usize>>,
    slots: Vec<usize>,
}

impl OutputSlots {
    pub(super) fn new(sizes: Vec<Vec<usize>>) -> OutputSlots {
        let rank = sizes.iter().map(Vec::len).max().unwrap_or(0);
        let slots = (0..rank)
            .map(|j| {
                sizes
                    .iter()
                    .filter_map(|s| s.get(j))
                    .copied()
                    .max()
                    .unwrap_or(1)
            })
            .collect();
        OutputSlots { sizes, slots }
    }

    /// Axes after the loop axes that the packing needs (the slots and the output axis).
    pub(super) fn ndim(&self) -> usize {
        self.slots.len() + 1
    }

    /// The packed grid: the loop chunks, then one chunk per slot, padding and outputs
    /// axis, `ndim` axes in all.
    pub(super) fn grid(&self, loop_chunks: &[Vec<usize>], ndim: usize) -> Result<ChunkGrid> {
        let mut chunks = loop_chunks.to_vec();
        chunks.extend(self.slots.iter().map(|&n| vec![n]));
        let pad = ndim - loop_chunks.len() - self.ndim();
        chunks.extend(std::iter::repeat_n(vec![1], pad));
        chunks.push(vec![self.sizes.len()]);
        ChunkGrid::new(chunks)
    }

    /// Output `k`, cut lazily out of the packed array: loop dims then its core dims.
    pub(super) fn cut(&self, packed: &LazyArray, nl: usize, k: usize) -> Result<LazyArray> {
        let shape = packed.shape();
        let last = shape.len() - 1;
        let mut ranges: Vec<std::ops::Range<usize>> = shape.iter().map(|&n| 0..n).collect();
        let mut drop = vec![];
        for (a, range) in ranges.iter_mut().enumerate().take(last).skip(nl) {
            match self.sizes[k].get(a - nl) {
                Some(&n) => *range = 0..n,
                None => {
                    *range = 0..1;
                    drop.push(a);
                }
            }
        }
        ranges[last] = k..k + 1;
        drop.push(last);
        packed.slice_ranges(&ranges)?.squeeze(&drop)
    }

    /// The place of output `k` in a packed block (loop axes then its core axes).
    fn place<'a>(&self, block: &'a mut ArrayD<f64>, nl: usize, k: usize) -> ArrayViewMutD<'a, f64> {
        let mut v = block.view_mut();
        let last = v.ndim() - 1;
        v.index_axis_inplace(Axis(last), k);
        for a in (nl..last).rev() {
            match self.sizes[k].get(a - nl) {
                Some(&n) => v.slice_axis_inplace(Axis(a), Slice::from(0..n)),
                None => v.index_axis_inplace(Axis(a), 0),
            }
        }
        v
    }
}

/// The block function: views of the inputs in, the outputs packed out.
pub(super) struct Kernel {
    pub(super) name: String,
    pub(super) f: Arc<MultiFn>,
    pub(super) views: Vec<InputAxes>,
    pub(super) slots: OutputSlots,
    pub(super) n_loop: usize,
    pub(super) vectorize: bool,
}

impl Kernel {
    pub(super) fn apply(&self, blocks: &[ArrayData]) -> Result<ArrayData> {
        let nl = self.n_loop;
        let in_shape = blocks[0].shape().to_vec();
        let loop_shape = &in_shape[..nl];
        let typed = blocks
            .iter()
            .map(|b| b.as_typed::<f64>())
            .collect::<Result<Vec<_>>>()?;
        let views: Vec<ArrayViewD<'_, f64>> = typed
            .iter()
            .zip(&self.views)
            .map(|(b, ax)| input_view(b.view(), ax, nl))
            .collect();
        let mut shape = loop_shape.to_vec();
        shape.extend(&self.slots.slots);
        shape.extend(std::iter::repeat_n(1, in_shape.len() - shape.len() - 1));
        shape.push(self.slots.sizes.len());
        let mut out = ArrayD::<f64>::from_elem(IxDyn(&shape), f64::NAN);
        if self.vectorize {
            let n: usize = loop_shape.iter().product();
            for lin in 0..n {
                let idx = unravel(lin, loop_shape);
                let cores: Vec<ArrayViewD<'_, f64>> = views
                    .iter()
                    .map(|v| {
                        let mut v = v.view();
                        for &i in &idx {
                            let i = if v.len_of(Axis(0)) == 1 { 0 } else { i };
                            v.index_axis_inplace(Axis(0), i);
                        }
                        v
                    })
                    .collect();
                let results = self.call(&cores)?;
                for (k, r) in results.into_iter().enumerate() {
                    let mut slot = self.slots.place(&mut out, nl, k);
                    for &i in &idx {
                        slot.index_axis_inplace(Axis(0), i);
                    }
                    let want = slot.shape().to_vec();
                    slot.assign(&self.fit(r, &want, k, "the output core dims")?);
                }
            }
        } else {
            let results = self.call(&views)?;
            for (k, r) in results.into_iter().enumerate() {
                let mut slot = self.slots.place(&mut out, nl, k);
                let want = slot.shape().to_vec();
                slot.assign(&self.fit(
                    r,
                    &want,
                    k,
                    "the block's loop dims then the output core dims",
                )?);
            }
        }
        Ok(ArrayData::new(out))
    }

    /// The function's results, one per output, or an error saying how many came back.
    fn call(&self, views: &[ArrayViewD<'_, f64>]) -> Result<Vec<ArrayD<f64>>> {
        let results = (self.f)(views)?;
        let n = self.slots.sizes.len();
        if results.len() != n {
            return Err(Error::UserFunction {
                context: format!("apply_ufunc {}", self.name),
                message: format!("returned {} arrays for {n} outputs", results.len()),
            });
        }
        Ok(results)
    }

    /// Output `k`'s result, broadcast to `want` if it can be, else an error.
    fn fit(&self, r: ArrayD<f64>, want: &[usize], k: usize, what: &str) -> Result<ArrayD<f64>> {
        if r.shape() == want {
            return Ok(r);
        }
        match r.broadcast(IxDyn(want)) {
            Some(b) => Ok(b.to_owned()),
            None => Err(Error::UserFunction {
                context: format!("apply_ufunc {}", self.name),
                message: format!(
                    "returned an array of shape {:?} for output {k}, expected {want:?} ({what})",
                    r.shape()
                ),
            }),
        }
    }
}

/// An input's view: loop axes (length 1 where it lacks them), then its core axes.
fn input_view<'a>(b: ArrayViewD<'a, f64>, ax: &InputAxes, nl: usize) -> ArrayViewD<'a, f64> {
    let mut v = b;
    for (i, &has) in ax.has_loop.iter().enumerate() {
        if !has {
            v.slice_axis_inplace(Axis(i), Slice::from(0..1));
        }
    }
    // Core axes not the input's and padding: index 0 (broadcast copies), last first.
    let ndim = v.ndim();
    for a in (nl..ndim).rev() {
        if !ax.core.contains(&a) {
            v.index_axis_inplace(Axis(a), 0);
        }
    }
    // The remaining core axes are in layout order; put them in the input's order.
    let mut sorted = ax.core.clone();
    sorted.sort_unstable();
    let mut perm: Vec<usize> = (0..nl).collect();
    perm.extend(ax.core.iter().map(|a| nl + position(&sorted, a)));
    v.permuted_axes(IxDyn(&perm))
}

fn unravel(mut lin: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for (i, &n) in shape.iter().enumerate().rev() {
        idx[i] = lin % n;
        lin /= n;
    }
    idx
}
