//! Evaluating any rectangular region of any node: the pull side of the executor.
//!
//! A task asks for the region of its output chunk; each operation translates the
//! region into the regions of its inputs, so only the data a task needs is read.
//! Nodes with several consumers in a plan are memoized for the duration of a task,
//! which is how several outputs computed together share their reads.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use ndarray::{Axis, IxDyn, SliceInfoElem};

use super::accumulate::{BlockLayout, Partial, Walker, new_partial};
use super::tile::{InputView, TILE, TileEval, eval_block};
use crate::engine::chunk::{ArrayData, Storable};
use crate::engine::dtype::{Element, cast};
use crate::engine::expr::Expr;
use crate::engine::graph::{LazyArray, Op, ScanKind};
use crate::engine::grid::{Region, region_shape};
use crate::engine::reduce_spec::{AxisRole, ReduceSpec};
use crate::engine::source::ChunkSource;
use crate::engine::source::assemble;
use crate::{Error, Result};

/// The region of an input that an output region of a broadcasting node needs.
pub(crate) fn broadcast_input_region(
    input_shape: &[usize],
    out_shape: &[usize],
    region: &[Range<usize>],
) -> Region {
    let off = out_shape.len() - input_shape.len();
    input_shape
        .iter()
        .enumerate()
        .map(|(j, &n)| {
            if n == 1 && out_shape[j + off] != 1 {
                0..1
            } else {
                region[j + off].clone()
            }
        })
        .collect()
}

/// Turns a panic payload into an error.
pub(crate) fn panic_error(context: &str, payload: Box<dyn std::any::Any + Send>) -> Error {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".into());
    Error::UserPanic {
        context: context.into(),
        message,
    }
}

/// Called with each input block of a reduction evaluated inside a task: its chunk
/// index in the reduction's input grid, and its region.
pub(crate) type EachBlock<'a> =
    dyn FnMut(&mut Evaluator, &[usize], &[Range<usize>]) -> Result<()> + 'a;

/// Evaluates regions of nodes within one task; holds the task's memo and programs.
#[derive(Default)]
pub(crate) struct Evaluator {
    shared: Arc<HashSet<usize>>,
    memo: HashMap<(usize, Region), Arc<ArrayData>>,
    programs: HashMap<usize, TileEval>,
}

impl Evaluator {
    /// An evaluator memoizing the nodes in `shared` (those with several consumers).
    pub(crate) fn new(shared: Arc<HashSet<usize>>) -> Self {
        Evaluator {
            shared,
            memo: HashMap::new(),
            programs: HashMap::new(),
        }
    }

    /// Forgets memoized data (call between tasks); compiled programs are kept.
    pub(crate) fn clear_memo(&mut self) {
        self.memo.clear();
    }

    /// Forgets the memoized data of every node at exactly `region`.
    pub(crate) fn forget_region(&mut self, region: &[Range<usize>]) {
        self.memo.retain(|(_, r), _| r.as_slice() != region);
    }

    /// Forgets the memoized data of node `id` at exactly `region`.
    pub(crate) fn forget(&mut self, id: usize, region: &[Range<usize>]) {
        self.memo.remove(&(id, region.to_vec()));
    }

    /// Memoizes `data` as `region` of `node`, for a later `eval` of the same region
    /// within this task (`node` must be among the memoized ones).
    pub(crate) fn remember(&mut self, node: &LazyArray, region: &[Range<usize>], data: ArrayData) {
        self.memo
            .insert((node.id(), region.to_vec()), Arc::new(data));
    }

    /// The data of `region` of `node`.
    pub(crate) fn eval(
        &mut self,
        node: &LazyArray,
        region: &[Range<usize>],
    ) -> Result<Arc<ArrayData>> {
        let memoize = self.shared.contains(&node.id());
        if memoize && let Some(hit) = self.memo.get(&(node.id(), region.to_vec())) {
            return Ok(hit.clone());
        }
        let out = self.compute(node, region)?;
        if memoize {
            self.memo.insert((node.id(), region.to_vec()), out.clone());
        }
        Ok(out)
    }

    fn eval_owned(&mut self, node: &LazyArray, region: &[Range<usize>]) -> Result<ArrayData> {
        let a = self.eval(node, region)?;
        Ok(Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone()))
    }

    fn compute(&mut self, node: &LazyArray, region: &[Range<usize>]) -> Result<Arc<ArrayData>> {
        if let Op::Source(s) = node.op() {
            let data = s.read_shared(region)?;
            check_read(s.as_ref(), region, &data)?;
            return Ok(data);
        }
        self.compute_owned(node, region).map(Arc::new)
    }

    fn compute_owned(&mut self, node: &LazyArray, region: &[Range<usize>]) -> Result<ArrayData> {
        let shape = region_shape(region);
        if shape.contains(&0) {
            return Ok(ArrayData::zeros(node.dtype(), &shape));
        }
        let inputs = node.inputs();
        match node.op() {
            Op::Source(s) => {
                let data = s.read(region)?;
                check_read(s.as_ref(), region, &data)?;
                Ok(data)
            }
            Op::Map(expr) => {
                let blocks = self.input_blocks(inputs, node.shape(), region)?;
                Ok(eval_block(expr, &blocks, &shape))
            }
            Op::Rechunk => self.eval_owned(&inputs[0], region),
            Op::Transpose(perm) => {
                let mut in_region = vec![0..0; perm.len()];
                for (i, &p) in perm.iter().enumerate() {
                    in_region[p] = region[i].clone();
                }
                Ok(self.eval_owned(&inputs[0], &in_region)?.permuted(perm))
            }
            Op::UnitAxes(map) => {
                let mut in_region = vec![0..1; inputs[0].ndim()];
                for (i, m) in map.iter().enumerate() {
                    if let Some(a) = m {
                        in_region[*a] = region[i].clone();
                    }
                }
                self.eval_owned(&inputs[0], &in_region)?.reshaped(&shape)
            }
            Op::Broadcast => {
                let in_region = broadcast_input_region(inputs[0].shape(), node.shape(), region);
                let data = self.eval(&inputs[0], &in_region)?;
                Ok(crate::match_data!(&*data, a: T => {
                    T::wrap(a.broadcast(IxDyn(&shape)).expect("broadcast was validated").to_owned())
                }))
            }
            Op::Slice(spec) => {
                let in_region: Region = spec
                    .iter()
                    .zip(region)
                    .map(|(s, r)| {
                        let (a, b) = (s.pos(r.start), s.pos(r.end - 1));
                        a.min(b)..a.max(b) + 1
                    })
                    .collect();
                let data = self.eval(&inputs[0], &in_region)?;
                if spec.iter().all(|s| s.step == 1) {
                    return Ok(Arc::try_unwrap(data).unwrap_or_else(|a| (*a).clone()));
                }
                let info: Vec<SliceInfoElem> = spec
                    .iter()
                    .map(|s| SliceInfoElem::Slice {
                        start: 0,
                        end: None,
                        step: s.step,
                    })
                    .collect();
                Ok(crate::match_data!(&*data, a: T => T::wrap(a.slice(info.as_slice()).to_owned())))
            }
            Op::Take { axis, indices } => {
                self.take(&inputs[0], *axis, &indices[region[*axis].clone()], region)
            }
            Op::Gather { k, points } => self.gather(&inputs[0], *k, points, region),
            Op::Concat(axis) => {
                let mut out = ArrayData::zeros(node.dtype(), &shape);
                let mut offset = 0;
                for input in inputs {
                    let n = input.shape()[*axis];
                    let lo = region[*axis].start.max(offset);
                    let hi = region[*axis].end.min(offset + n);
                    if lo < hi {
                        let mut in_region = region.to_vec();
                        in_region[*axis] = lo - offset..hi - offset;
                        let mut out_region: Region = shape.iter().map(|&n| 0..n).collect();
                        out_region[*axis] = lo - region[*axis].start..hi - region[*axis].start;
                        out.assign_region(&out_region, &*self.eval(input, &in_region)?)?;
                    }
                    offset += n;
                }
                Ok(out)
            }
            Op::Reduce { spec, pre } => self.reduce_region(node, spec, pre, region),
            Op::Scan { axis, kind, skipna } => self.scan(node, *axis, *kind, *skipna, region),
            Op::Overlap {
                name,
                axis,
                before,
                after,
                f,
            } => {
                let grid = node.chunks().clone();
                let n = node.shape()[*axis];
                assemble(&grid, node.dtype(), region, |idx| {
                    let creg = grid.chunk_region(idx);
                    let own = creg[*axis].clone();
                    let mut ext = creg.clone();
                    ext[*axis] = own.start.saturating_sub(*before)..(own.end + after).min(n);
                    let block = self.eval_owned(&inputs[0], &ext)?;
                    let inner = own.start - ext[*axis].start..own.end - ext[*axis].start;
                    catch_unwind(AssertUnwindSafe(|| f(&block, inner, ext[*axis].start)))
                        .map_err(|p| panic_error(&format!("overlap {name}"), p))?
                        .map(Arc::new)
                })
            }
            Op::MapBlocks { name, f, in_grid } => {
                // Output block `idx` comes from input block `idx`, whatever their sizes;
                // `assemble` cuts the requested region out of the output blocks.
                let grid = node.chunks().clone();
                assemble(&grid, node.dtype(), region, |idx| {
                    let in_region = in_grid.chunk_region(idx);
                    let blocks = inputs
                        .iter()
                        .map(|i| self.eval_owned(i, &in_region))
                        .collect::<Result<Vec<_>>>()?;
                    catch_unwind(AssertUnwindSafe(|| f(idx, &blocks)))
                        .map_err(|p| panic_error(&format!("map_blocks {name}"), p))?
                        .map(Arc::new)
                })
            }
        }
    }

    /// Input blocks of a broadcasting node for an output region.
    pub(crate) fn input_blocks(
        &mut self,
        inputs: &[LazyArray],
        out_shape: &[usize],
        region: &[Range<usize>],
    ) -> Result<Vec<Arc<ArrayData>>> {
        inputs
            .iter()
            .map(|i| {
                let r = broadcast_input_region(i.shape(), out_shape, region);
                self.eval(i, &r)
            })
            .collect()
    }

    fn take(
        &mut self,
        input: &LazyArray,
        axis: usize,
        idx: &[usize],
        region: &[Range<usize>],
    ) -> Result<ArrayData> {
        let lo = *idx.iter().min().expect("non-empty region");
        let hi = *idx.iter().max().expect("non-empty region") + 1;
        let grid = input.chunks();
        let mut out_shape = region_shape(region);
        out_shape[axis] = idx.len();
        let mut out = ArrayData::zeros(input.dtype(), &out_shape);
        // Read each input chunk that holds selected positions once, over the span of
        // the positions it holds.
        for c in grid.chunks_overlapping(axis, &(lo..hi)) {
            let (cs, ce) = (grid.axis_offsets(axis)[c], grid.axis_offsets(axis)[c + 1]);
            let inside: Vec<(usize, usize)> = idx
                .iter()
                .enumerate()
                .filter(|&(_, &p)| p >= cs && p < ce)
                .map(|(j, &p)| (j, p))
                .collect();
            let Some(span_lo) = inside.iter().map(|&(_, p)| p).min() else {
                continue;
            };
            let span_hi = inside.iter().map(|&(_, p)| p).max().expect("non-empty") + 1;
            let mut in_region = region.to_vec();
            in_region[axis] = span_lo..span_hi;
            let piece = self.eval(input, &in_region)?;
            crate::match_data!(&mut out, o: T => {
                let p = piece.as_typed::<T>()?;
                for &(j, pos) in &inside {
                    o.index_axis_mut(Axis(axis), j).assign(&p.index_axis(Axis(axis), pos - span_lo));
                }
            });
        }
        Ok(out)
    }

    /// Points `region[0]` of a gather over the first `k` axes: the points are grouped
    /// by the input chunk they fall in, and each group reads the box around its points.
    fn gather(
        &mut self,
        input: &LazyArray,
        k: usize,
        points: &[usize],
        region: &[Range<usize>],
    ) -> Result<ArrayData> {
        let grid = input.chunks();
        let mut groups: std::collections::BTreeMap<Vec<usize>, Vec<usize>> = Default::default();
        for j in region[0].clone() {
            let p = &points[j * k..(j + 1) * k];
            let key: Vec<usize> = (0..k).map(|a| grid.chunk_of(a, p[a])).collect();
            groups.entry(key).or_default().push(j);
        }
        let out_shape = region_shape(region);
        let mut out = ArrayData::zeros(input.dtype(), &out_shape);
        for members in groups.values() {
            let mut in_region: Region = (0..k)
                .map(|a| {
                    let lo = members
                        .iter()
                        .map(|&j| points[j * k + a])
                        .min()
                        .expect("a member");
                    let hi = members
                        .iter()
                        .map(|&j| points[j * k + a])
                        .max()
                        .expect("a member");
                    lo..hi + 1
                })
                .collect();
            in_region.extend(region[1..].iter().cloned());
            let piece = self.eval(input, &in_region)?;
            crate::match_data!(&mut out, o: T => {
                let p = piece.as_typed::<T>()?;
                for &j in members {
                    let mut view = p.view();
                    for a in 0..k {
                        view = view.index_axis_move(Axis(0), points[j * k + a] - in_region[a].start);
                    }
                    o.index_axis_mut(Axis(0), j - region[0].start).assign(&view);
                }
            });
        }
        Ok(out)
    }

    /// The compiled tile program for a node's expression (cached per node).
    pub(crate) fn program(&mut self, node_id: usize, expr: &Arc<Expr>) -> &mut TileEval {
        self.programs
            .entry(node_id)
            .or_insert_with(|| TileEval::new(expr.clone()))
    }

    /// Feeds the block `block` of a reduction's input into `partial`, which covers the
    /// input region `outer` along kept axes (the block itself, or several blocks). The
    /// fused pre-program runs tile by tile straight into the accumulators.
    pub(crate) fn feed_block(
        &mut self,
        node: &LazyArray,
        spec: &ReduceSpec,
        pre: &Arc<Expr>,
        block: &[Range<usize>],
        outer: &[Range<usize>],
        partial: &mut dyn Partial,
    ) -> Result<()> {
        let in_shape = spec.in_grid.shape();
        let blocks = self.input_blocks(node.inputs(), &in_shape, block)?;
        let layout = BlockLayout::within(spec, block, outer);
        let shape = layout.shape().to_vec();
        let views: Vec<InputView<'_>> = blocks.iter().map(|b| InputView::new(b, &shape)).collect();
        let n = layout.len();
        let mut walker = Walker::new(&layout);
        let program = self.program(node.id(), pre);
        let mut start = 0;
        while start < n {
            let len = TILE.min(n - start);
            let vals = program.eval(&views, start, len);
            partial.feed(&mut walker, vals, len);
            start += len;
        }
        Ok(())
    }

    /// A reduction evaluated inside a task, for when it was not staged separately.
    fn reduce_region(
        &mut self,
        node: &LazyArray,
        spec: &ReduceSpec,
        pre: &Arc<Expr>,
        region: &[Range<usize>],
    ) -> Result<ArrayData> {
        // Its input blocks are fed one at a time: kept in the memo, all of them would
        // stay until the task ends (the reduced axes' whole span of the input).
        self.reduce_region_with(node, spec, pre, region, &mut |ev, _, block| {
            ev.forget_region(block);
            Ok(())
        })
    }

    /// [`reduce_region`](Self::reduce_region), calling `each_block` after each input
    /// block is fed with the block's chunk index in `spec.in_grid` and its region:
    /// other computations over the same blocks then find their shared inputs in the
    /// memo, read once.
    pub(crate) fn reduce_region_with(
        &mut self,
        node: &LazyArray,
        spec: &ReduceSpec,
        pre: &Arc<Expr>,
        region: &[Range<usize>],
        each_block: &mut EachBlock<'_>,
    ) -> Result<ArrayData> {
        // The input region over whole reduced axes and the grouped ones' feeding
        // chunks; the partial's shape (those chunks' groups); and the cut of the
        // requested groups.
        let in_shape = spec.in_grid.shape();
        let (mut outer, mut cells_shape, mut cut) = (vec![], vec![], vec![]);
        let mut out_axis = 0;
        for (axis, role) in spec.roles.iter().enumerate() {
            match role {
                AxisRole::Keep => {
                    outer.push(region[out_axis].clone());
                    cells_shape.push(region[out_axis].len());
                    cut.push(0..region[out_axis].len());
                    out_axis += 1;
                }
                AxisRole::Reduce => {
                    outer.push(0..in_shape[axis]);
                    if spec.keepdims {
                        cells_shape.push(1);
                        cut.push(0..1);
                        out_axis += 1;
                    }
                }
                AxisRole::Group { .. } => {
                    // Only the output chunks holding the requested groups, and the
                    // input chunks that feed them.
                    let (inputs, groups) = spec.group_inputs(axis, &region[out_axis]);
                    cells_shape.push(groups.len());
                    cut.push(
                        region[out_axis].start - groups.start..region[out_axis].end - groups.start,
                    );
                    outer.push(inputs);
                    out_axis += 1;
                }
            }
        }
        let mut partial = new_partial(spec, cells_shape.iter().product());
        let in_grid = spec.in_grid.restrict(&outer);
        for b in 0..in_grid.n_chunks() {
            let local = in_grid.chunk_region(&in_grid.unravel(b));
            let block: Region = local
                .iter()
                .zip(&outer)
                .map(|(l, r)| l.start + r.start..l.end + r.start)
                .collect();
            self.feed_block(node, spec, pre, &block, &outer, partial.as_mut())?;
            let idx: Vec<usize> = block
                .iter()
                .enumerate()
                .map(|(axis, r)| spec.in_grid.chunk_of(axis, r.start))
                .collect();
            each_block(self, &idx, &block)?;
        }
        Ok(partial.finish(spec, &cells_shape)?.into_region(&cut))
    }

    fn scan(
        &mut self,
        node: &LazyArray,
        axis: usize,
        kind: ScanKind,
        skipna: bool,
        region: &[Range<usize>],
    ) -> Result<ArrayData> {
        let x = &node.inputs()[0];
        let grid = x.chunks();
        let c0 = grid.chunk_of(axis, region[axis].start);
        let start = grid.axis_offsets(axis)[c0];
        let mut in_region = region.to_vec();
        in_region[axis] = start..region[axis].end;
        let data = self.eval(x, &in_region)?;
        // Carry in: the combined totals of all chunks before c0 (staged as input 1), or
        // everything before `start` when no totals were staged.
        let carry = if start == 0 {
            None
        } else if let Some(totals) = node.inputs().get(1) {
            let mut t_region = region.to_vec();
            t_region[axis] = 0..c0;
            Some(self.eval(totals, &t_region)?)
        } else {
            let mut before = region.to_vec();
            before[axis] = 0..start;
            Some(Arc::new(self.eval(x, &before)?.as_ref().clone()))
        };
        let out_dtype = node.dtype();
        let scanned = crate::match_data!(&*data, a: T => {
            let carry_f = carry.as_ref().map(|c| c.clone().as_ref().clone().cast(out_dtype));
            scan_typed::<T>(a, axis, kind, skipna, carry_f.as_ref(), out_dtype)
        });
        let mut cut: Region = region_shape(region).iter().map(|&n| 0..n).collect();
        cut[axis] = region[axis].start - start..region[axis].end - start;
        Ok(scanned.into_region(&cut))
    }
}

fn scan_typed<T: Element + crate::engine::chunk::Storable>(
    a: &ndarray::ArrayD<T>,
    axis: usize,
    kind: ScanKind,
    skipna: bool,
    carry: Option<&ArrayData>,
    out_dtype: crate::engine::dtype::DType,
) -> ArrayData {
    // Scan in f64 for floats and i64 otherwise, then convert to the output dtype.
    crate::with_dtype!(out_dtype, O => {
        let identity: O = match kind {
            ScanKind::Sum => O::from_i64(0),
            ScanKind::Prod => O::from_i64(1),
            // Nothing valid seen yet (integers hold no NaN, so never need the identity).
            ScanKind::FFill => O::from_f64(f64::NAN),
        };
        let combine = |acc: O, v: O| -> O {
            if kind == ScanKind::FFill {
                return if v.is_nan() { acc } else { v };
            }
            let (x, y) = (acc.to_f64(), v.to_f64());
            if O::DTYPE.is_float() {
                O::from_f64(match kind { ScanKind::Sum => x + y, _ => x * y })
            } else {
                let (x, y) = (acc.to_i64(), v.to_i64());
                O::from_i64(match kind { ScanKind::Sum => x.wrapping_add(y), _ => x.wrapping_mul(y) })
            }
        };
        let mut out = a.mapv(|v| {
            let o: O = cast(v);
            if skipna && o.is_nan() { identity } else { o }
        });
        // Prefix of the carry totals over the scanned axis.
        let mut running = out.index_axis(Axis(axis), 0).mapv(|_| identity);
        if let Some(c) = carry {
            let c = c.as_typed::<O>().expect("carry was cast to the output dtype");
            for lane in c.axis_iter(Axis(axis)) {
                ndarray::Zip::from(&mut running).and(&lane).for_each(|r, &v| {
                    let v = if skipna && v.is_nan() { identity } else { v };
                    *r = combine(*r, v);
                });
            }
        }
        for mut lane in out.axis_iter_mut(Axis(axis)) {
            ndarray::Zip::from(&mut lane).and(&mut running).for_each(|v, r| {
                *r = combine(*r, *v);
                *v = *r;
            });
        }
        O::wrap(out)
    })
}
/// Every source, built-in or the user's, must hand back exactly the region it was
/// asked for: the kernels rely on it, so a wrong block is an error here, not a panic
/// deeper down.
fn check_read(src: &dyn ChunkSource, region: &[Range<usize>], data: &ArrayData) -> Result<()> {
    let want = region_shape(region);
    if data.shape() == want.as_slice() && data.dtype() == src.dtype() {
        return Ok(());
    }
    Err(Error::SourceRead {
        source_name: src.describe(),
        chunk: region.to_vec(),
        message: format!(
            "returned a {} block of shape {:?}, expected {} {:?}",
            data.dtype(),
            data.shape(),
            src.dtype(),
            want
        ),
        source: None,
    })
}
