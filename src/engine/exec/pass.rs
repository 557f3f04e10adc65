//! One pass over the data: workers pull block tasks, evaluate them, feed reductions'
//! partials or write output chunks.
//!
//! Outputs whose tasks iterate the same grid share a *segment*: each task evaluates
//! one block for all of them with one memo, so their common reads happen once. Tasks
//! are numbered, never materialized: a million-chunk pass allocates no per-chunk state.

use std::collections::HashMap;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use super::budget::Budget;
use super::numa::pools::NodePools;
use super::numa::queue::NodeQueues;
use super::progress::ProgressSink;
use super::sink::ChunkSink;
use crate::distributed::Partition;
use crate::engine::exec::accumulate::{Partial, new_partial};
use crate::engine::exec::eval::{Evaluator, panic_error};
use crate::engine::exec::profile::TaskRecord;
use crate::engine::graph::{LazyArray, Op};
use crate::engine::grid::ChunkGrid;
use crate::engine::reduce_spec::{AxisRole, ReduceSpec};
use crate::{Error, Result};

/// Partials shared by workers, keyed by (root, output chunk).
type SharedPartials = HashMap<(usize, Vec<usize>), Slot>;

/// A shared partial: at rest with the number of blocks it has absorbed, or checked out
/// by a worker feeding it a block.
enum Slot {
    Idle(Box<dyn Partial>, usize),
    Busy,
}

/// Outputs that iterate one grid together, and the order blocks are visited in.
struct Segment {
    grid: ChunkGrid,
    /// Axes from outermost to innermost: kept axes before reduced ones, so that the
    /// blocks of one output chunk come together and its partials finish early.
    order: Vec<usize>,
    roots: Vec<usize>,
    first_unit: usize,
    n_units: usize,
    bytes_per_element: usize,
    /// This rank's share of the blocks (all of them on one rank).
    partition: Partition,
}

/// Per-root information for reductions.
struct ReduceRoot {
    spec: Arc<ReduceSpec>,
    pre: Arc<crate::engine::expr::Expr>,
}

/// Everything workers share during a pass.
pub(super) struct Pass<'a> {
    roots: &'a [LazyArray],
    sinks: &'a [Arc<dyn ChunkSink>],
    reduce: Vec<Option<ReduceRoot>>,
    segments: Vec<Segment>,
    total_units: usize,
    next: AtomicUsize,
    cancelled: AtomicBool,
    /// Whether workers start private partials before a shared one exists (set by
    /// `run`, which knows the number of workers).
    private_first: AtomicBool,
    error: Mutex<Option<Error>>,
    budget: &'a Budget,
    partials: Mutex<SharedPartials>,
    /// Signalled when a shared partial is checked back in.
    partial_returned: Condvar,
    progress: &'a ProgressSink,
    records: Option<Mutex<Vec<TaskRecord>>>,
    shared: Arc<std::collections::HashSet<usize>>,
    start: Instant,
    /// Tasks run away from their home NUMA node (set by `run`).
    remote_steals: AtomicUsize,
}

fn iteration_grid(root: &LazyArray) -> (ChunkGrid, Vec<usize>) {
    match root.op() {
        Op::Reduce { spec, .. } => {
            let mut order: Vec<usize> = (0..spec.roles.len())
                .filter(|&a| spec.roles[a] == AxisRole::Keep)
                .collect();
            order.extend((0..spec.roles.len()).filter(|&a| spec.roles[a] != AxisRole::Keep));
            (spec.in_grid.clone(), order)
        }
        _ => (root.chunks().clone(), (0..root.ndim()).collect()),
    }
}

/// The axes of an iteration grid that every output iterating it keeps: blocks that agree
/// along them feed the same output chunks, so ranks share the work along them.
fn kept_by_all(roots: &[LazyArray], members: &[usize]) -> Vec<usize> {
    let ndim = members
        .first()
        .map_or(0, |&r| iteration_grid(&roots[r]).0.ndim());
    (0..ndim)
        .filter(|&axis| {
            members.iter().all(|&r| match roots[r].op() {
                Op::Reduce { spec, .. } => spec.roles[axis] == AxisRole::Keep,
                _ => true,
            })
        })
        .collect()
}

/// Bytes a task touches per element of its block: every node below the root that is
/// evaluated (conservative for broadcast inputs). A reduction below the root (one
/// computed where it is used, see `aligned`) also holds a partial per cell, and reads
/// its input blocks, which span its reduced axes' chunks, one at a time. A block of a
/// concatenation lies in one of its inputs (its chunks along the axis are theirs), so
/// only the costliest input counts: a stack of 16 arrays costs one array per block.
fn bytes_per_element(root: &LazyArray) -> usize {
    let mut seen = std::collections::HashSet::new();
    node_bytes(root, root.id(), 1, &mut seen).max(1)
}

fn node_bytes(
    n: &LazyArray,
    root: usize,
    scale: usize,
    seen: &mut std::collections::HashSet<usize>,
) -> usize {
    /// Accumulator bytes per cell, the largest partial (moments: count, mean, M2).
    const PARTIAL_BYTES: usize = 24;
    if !seen.insert(n.id()) || seen.len() > 64 {
        return 0;
    }
    let (own, below) = match n.op() {
        Op::Reduce { spec, .. } if n.id() != root => (
            scale * (n.dtype().size() + PARTIAL_BYTES),
            scale * reduced_block_span(spec),
        ),
        Op::Reduce { .. } => (0, scale),
        _ => (scale * n.dtype().size(), scale),
    };
    let inputs = n.inputs().iter().map(|i| node_bytes(i, root, below, seen));
    own + match n.op() {
        Op::Concat(_) => inputs.max().unwrap_or(0),
        _ => inputs.sum(),
    }
}

/// How many input elements a reduction's block holds per output cell: the longest
/// chunk along each reduced axis.
fn reduced_block_span(spec: &ReduceSpec) -> usize {
    spec.roles
        .iter()
        .enumerate()
        .filter(|(_, r)| **r == AxisRole::Reduce)
        .map(|(a, _)| {
            spec.in_grid
                .axis_chunks(a)
                .iter()
                .copied()
                .max()
                .unwrap_or(1)
        })
        .product()
}

impl<'a> Pass<'a> {
    /// Plans a pass over `roots`, writing each to the sink of the same index.
    pub(super) fn new(
        roots: &'a [LazyArray],
        sinks: &'a [Arc<dyn ChunkSink>],
        budget: &'a Budget,
        progress: &'a ProgressSink,
        profile: bool,
        shared: Arc<std::collections::HashSet<usize>>,
    ) -> Self {
        let mut segments: Vec<Segment> = vec![];
        let mut reduce = vec![];
        for (i, r) in roots.iter().enumerate() {
            reduce.push(match r.op() {
                Op::Reduce { spec, pre } => Some(ReduceRoot {
                    spec: spec.clone(),
                    pre: pre.clone(),
                }),
                _ => None,
            });
            let (grid, order) = iteration_grid(r);
            let bpe = bytes_per_element(r);
            match segments.iter_mut().find(|s| s.grid == grid) {
                Some(s) => {
                    s.roots.push(i);
                    s.bytes_per_element += bpe;
                }
                None => segments.push(Segment {
                    n_units: grid.n_chunks(),
                    partition: Partition::new(&grid, vec![]),
                    grid,
                    order,
                    roots: vec![i],
                    first_unit: 0,
                    bytes_per_element: bpe,
                }),
            }
        }
        for s in &mut segments {
            s.partition = Partition::new(&s.grid, kept_by_all(roots, &s.roots));
        }
        let mut total = 0;
        for s in &mut segments {
            s.first_unit = total;
            total += s.n_units;
        }
        Pass {
            roots,
            sinks,
            reduce,
            segments,
            total_units: total,
            next: AtomicUsize::new(0),
            cancelled: AtomicBool::new(false),
            private_first: AtomicBool::new(false),
            error: Mutex::new(None),
            budget,
            partials: Mutex::new(HashMap::new()),
            partial_returned: Condvar::new(),
            progress,
            records: profile.then(|| Mutex::new(vec![])),
            shared,
            start: Instant::now(),
            remote_steals: AtomicUsize::new(0),
        }
    }

    /// Estimated bytes the whole pass reads and writes.
    pub(super) fn total_bytes(&self) -> usize {
        self.segments
            .iter()
            .map(|s| s.grid.shape().iter().product::<usize>() * s.bytes_per_element)
            .sum()
    }

    /// Runs the pass on `workers` threads of `pool`, or on the NUMA node pools when
    /// given (then `workers` is their total): each task on its home node's queue.
    pub(super) fn run(
        &self,
        pool: &rayon::ThreadPool,
        workers: usize,
        nodes: Option<&NodePools>,
    ) -> Result<Vec<TaskRecord>> {
        self.progress.start(self.total_units, self.total_bytes());
        // Private partials first when a set per worker, and the shared ones, take at
        // most half the budget.
        let partial_bytes: usize = (0..self.roots.len())
            .filter_map(|r| {
                let red = self.reduce[r].as_ref()?;
                let cells = self.roots[r].chunks().max_chunk_len();
                Some(new_partial(&red.spec, 1).nbytes() * cells)
            })
            .sum();
        self.private_first.store(
            partial_bytes.saturating_mul(workers + 1) <= self.budget.limit() / 2,
            Ordering::Relaxed,
        );
        match nodes {
            None => pool.scope(|s| {
                for w in 0..workers.max(1) {
                    s.spawn(move |_| self.worker(w, None));
                }
            }),
            Some(nodes) => {
                let queues = NodeQueues::new(
                    self.segments
                        .iter()
                        .map(|s| s.first_unit..s.first_unit + s.n_units),
                    &nodes.steal_order,
                );
                nodes.run_workers(&|w, node| self.worker(w, Some((&queues, node))));
                self.remote_steals.store(queues.steals(), Ordering::Relaxed);
            }
        }
        if let Some(e) = self.error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            self.progress.abandon();
            return Err(e);
        }
        self.finish_empty_reductions()?;
        self.progress.finish();
        Ok(self
            .records
            .as_ref()
            .map(|r| std::mem::take(&mut *r.lock().unwrap_or_else(|e| e.into_inner())))
            .unwrap_or_default())
    }

    /// Tasks that ran away from their home NUMA node in the last `run`.
    pub(super) fn remote_steals(&self) -> usize {
        self.remote_steals.load(Ordering::Relaxed)
    }

    fn fail(&self, e: Error) {
        let mut slot = self.error.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(e);
        }
        self.cancelled.store(true, Ordering::Relaxed);
        self.budget.wake_all();
        self.partial_returned.notify_all();
    }

    fn lock_partials(&self) -> MutexGuard<'_, SharedPartials> {
        // A worker that panicked while holding the lock left a consistent map: slots
        // are replaced whole.
        self.partials.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait_for_partial<'g>(
        &self,
        map: MutexGuard<'g, SharedPartials>,
    ) -> MutexGuard<'g, SharedPartials> {
        self.partial_returned
            .wait(map)
            .unwrap_or_else(|e| e.into_inner())
    }

    fn locate(&self, unit: usize) -> (&Segment, Vec<usize>) {
        let seg = self
            .segments
            .iter()
            .find(|s| unit < s.first_unit + s.n_units)
            .expect("unit below the total belongs to a segment");
        let mut rem = unit - seg.first_unit;
        let gs = seg.grid.grid_shape();
        let mut idx = vec![0; gs.len()];
        for &axis in seg.order.iter().rev() {
            idx[axis] = rem % gs[axis];
            rem /= gs[axis];
        }
        (seg, idx)
    }

    fn worker(&self, wid: usize, queues: Option<(&NodeQueues, usize)>) {
        let mut ev = Evaluator::new(self.shared.clone());
        let mut local: Vec<LocalPartial> = vec![];
        loop {
            if self.cancelled.load(Ordering::Relaxed) {
                break;
            }
            let unit = match queues {
                Some((q, node)) => match q.next(node) {
                    Some(u) => u,
                    None => break,
                },
                None => self.next.fetch_add(1, Ordering::Relaxed),
            };
            if unit >= self.total_units {
                break;
            }
            let (seg, idx) = self.locate(unit);
            if !seg.partition.owns(&seg.grid, &idx) {
                // Another rank's block.
                self.progress.advance(1, 0);
                continue;
            }
            let region = seg.grid.chunk_region(&idx);
            let elements: usize = region.iter().map(|r| r.len()).product();
            let bytes = elements * seg.bytes_per_element;
            self.budget.acquire(bytes, &self.cancelled);
            let t0 = self.start.elapsed();
            let result = catch_unwind(AssertUnwindSafe(|| {
                self.process(seg, &idx, &region, &mut ev, &mut local)
            }));
            ev.clear_memo();
            self.budget.release(bytes);
            match result {
                Ok(Ok(())) => {}
                Ok(Err(e)) => self.fail(e),
                Err(p) => self.fail(panic_error("a chunk task", p)),
            }
            if let Some(rec) = &self.records {
                let t1 = self.start.elapsed();
                rec.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(TaskRecord {
                        worker: wid,
                        start: t0.as_secs_f64(),
                        end: t1.as_secs_f64(),
                        bytes,
                        label: format!("{idx:?}"),
                    });
            }
            self.progress.task(wid, self.start, t0, bytes, &idx);
            self.progress.advance(1, bytes);
        }
        if !self.cancelled.load(Ordering::Relaxed) {
            for lp in local.drain(..) {
                if let Err(e) = self.flush(lp) {
                    self.fail(e);
                }
            }
        }
    }

    fn process(
        &self,
        seg: &Segment,
        idx: &[usize],
        region: &[Range<usize>],
        ev: &mut Evaluator,
        local: &mut Vec<LocalPartial>,
    ) -> Result<()> {
        for &r in &seg.roots {
            let root = &self.roots[r];
            let Some(red) = &self.reduce[r] else {
                let data = ev.eval(root, region)?;
                self.sinks[r].write(region, &data)?;
                continue;
            };
            if root.is_empty() {
                // Nothing to accumulate into (e.g. grouped into zero groups).
                continue;
            }
            let out_idx = red.spec.out_chunk_of_block(idx);
            let pos = match local
                .iter()
                .position(|p| p.root == r && p.out_idx == out_idx)
            {
                Some(p) => p,
                None => {
                    // Keep a few partials per worker; hand older ones to the shared map.
                    if local.iter().filter(|p| p.root == r).count() >= 4 {
                        let oldest = local
                            .iter()
                            .position(|p| p.root == r)
                            .expect("counted above");
                        self.flush(local.remove(oldest))?;
                    }
                    // Workers feed private partials (merged later, without
                    // contention) while the budget has room, else they take turns on
                    // the shared one. Where every worker's partials fit easily, the
                    // first private one flushed becomes the shared one, so no partial
                    // is allocated for nothing (a grouped partial can be a tenth of
                    // the data); otherwise the first is the shared one, held before
                    // any private one, so that the fallback never adds to a budget
                    // the private ones have filled.
                    let cells = self.out_cells(r, &out_idx);
                    // Partial sizes are linear in their cells: size one without
                    // allocating it.
                    let bytes = new_partial(&red.spec, 1).nbytes() * cells;
                    let key = (r, out_idx);
                    let shared_first = !self.private_first.load(Ordering::Relaxed)
                        && !self.lock_partials().contains_key(&key);
                    let out_idx = key.1;
                    if shared_first || !self.budget.try_hold(bytes) {
                        self.feed_shared(r, red, out_idx, region, ev)?;
                        continue;
                    }
                    let partial = new_partial(&red.spec, cells);
                    local.push(LocalPartial {
                        root: r,
                        out_idx,
                        partial,
                        blocks: 0,
                        bytes,
                    });
                    local.len() - 1
                }
            };
            let lp = &mut local[pos];
            ev.feed_block(
                root,
                &red.spec,
                &red.pre,
                region,
                region,
                lp.partial.as_mut(),
            )?;
            lp.blocks += 1;
            if lp.blocks == red.spec.blocks_of_out_chunk(&lp.out_idx) {
                let lp = local.remove(pos);
                self.finish_chunk(lp.root, &lp.out_idx, lp.partial, lp.bytes)?;
            }
        }
        Ok(())
    }

    fn out_cells(&self, root: usize, out_idx: &[usize]) -> usize {
        self.roots[root]
            .chunks()
            .chunk_region(out_idx)
            .iter()
            .map(|r| r.len())
            .product()
    }

    /// Feeds one block into the shared partial of its output chunk (created if it
    /// does not exist yet), waiting while another worker holds it.
    fn feed_shared(
        &self,
        r: usize,
        red: &ReduceRoot,
        out_idx: Vec<usize>,
        region: &[Range<usize>],
        ev: &mut Evaluator,
    ) -> Result<()> {
        let key = (r, out_idx);
        let mut map = self.lock_partials();
        let (mut partial, blocks) = loop {
            if self.cancelled.load(Ordering::Relaxed) {
                return Ok(());
            }
            match map.get_mut(&key) {
                Some(Slot::Busy) => map = self.wait_for_partial(map),
                Some(slot) => match std::mem::replace(slot, Slot::Busy) {
                    Slot::Idle(p, b) => break (p, b),
                    Slot::Busy => unreachable!("matched Idle above"),
                },
                None => {
                    map.insert(key.clone(), Slot::Busy);
                    drop(map);
                    let p = new_partial(&red.spec, self.out_cells(r, &key.1));
                    self.budget.hold(p.nbytes());
                    map = self.lock_partials();
                    break (p, 0);
                }
            }
        };
        drop(map);
        let fed = ev.feed_block(
            &self.roots[r],
            &red.spec,
            &red.pre,
            region,
            region,
            partial.as_mut(),
        );
        // Check the partial back in even on error, so no one waits for it forever.
        let blocks = blocks + fed.is_ok() as usize;
        self.check_in(key, partial, blocks)?;
        fed
    }

    /// Returns a partial to the shared map, or finishes its chunk if it is complete.
    fn check_in(
        &self,
        key: (usize, Vec<usize>),
        partial: Box<dyn Partial>,
        blocks: usize,
    ) -> Result<()> {
        let total = self.reduce[key.0]
            .as_ref()
            .expect("partials exist only for reductions")
            .spec
            .blocks_of_out_chunk(&key.1);
        let mut map = self.lock_partials();
        if blocks == total {
            map.remove(&key);
            drop(map);
            self.partial_returned.notify_all();
            let bytes = partial.nbytes();
            return self.finish_chunk(key.0, &key.1, partial, bytes);
        }
        map.insert(key, Slot::Idle(partial, blocks));
        drop(map);
        self.partial_returned.notify_all();
        Ok(())
    }

    /// Merges a worker's partial into the shared one of its output chunk, finishing the
    /// chunk when every block has been absorbed.
    fn flush(&self, lp: LocalPartial) -> Result<()> {
        let key = (lp.root, lp.out_idx.clone());
        let mut map = self.lock_partials();
        let (partial, blocks) = loop {
            match map.get_mut(&key) {
                Some(Slot::Busy) if self.cancelled.load(Ordering::Relaxed) => return Ok(()),
                Some(Slot::Busy) => map = self.wait_for_partial(map),
                Some(slot) => match std::mem::replace(slot, Slot::Busy) {
                    Slot::Idle(mut existing, b) => {
                        existing.merge(lp.partial);
                        self.budget.unhold(lp.bytes);
                        break (existing, b + lp.blocks);
                    }
                    Slot::Busy => unreachable!("matched Idle above"),
                },
                None => {
                    map.insert(key.clone(), Slot::Busy);
                    break (lp.partial, lp.blocks);
                }
            }
        };
        drop(map);
        self.check_in(key, partial, blocks)
    }

    fn finish_chunk(
        &self,
        root: usize,
        out_idx: &[usize],
        partial: Box<dyn Partial>,
        bytes: usize,
    ) -> Result<()> {
        let node = &self.roots[root];
        let spec = &self.reduce[root].as_ref().expect("a reduction root").spec;
        let region = node.chunks().chunk_region(out_idx);
        let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
        let data = partial.finish(spec, &shape);
        self.budget.unhold(bytes);
        self.sinks[root].write(&region, &data?)
    }

    /// Output chunks that no block feeds (reductions over an empty axis) are
    /// finished empty.
    fn finish_empty_reductions(&self) -> Result<()> {
        if !crate::distributed::is_root() {
            return Ok(());
        }
        for (r, red) in self.reduce.iter().enumerate() {
            let Some(red) = red else { continue };
            if !red.spec.has_unfed_out_chunks() {
                continue;
            }
            let grid = self.roots[r].chunks();
            for c in 0..grid.n_chunks() {
                let idx = grid.unravel(c);
                if red.spec.blocks_of_out_chunk(&idx) > 0 {
                    continue;
                }
                let cells = grid.chunk_region(&idx).iter().map(|r| r.len()).product();
                self.finish_chunk(r, &idx, new_partial(&red.spec, cells), 0)?;
            }
        }
        Ok(())
    }
}

struct LocalPartial {
    root: usize,
    out_idx: Vec<usize>,
    partial: Box<dyn Partial>,
    blocks: usize,
    bytes: usize,
}
