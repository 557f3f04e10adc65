//! One pass over the data: workers pull block tasks, evaluate them, feed reductions'
//! partials or write output chunks.
//!
//! Outputs whose tasks iterate the same grid share a *segment*: each block is evaluated
//! for all of them with one memo, so their common reads happen once. Outputs over the
//! input grid of a reduction that another segment computes in its blocks join that
//! segment too, fed the reduction's input blocks as it reads them (a *fan*). A task is
//! a run of consecutive blocks (see `runs`), whose partials are merged in run order (see
//! `combine`), so reductions are bit-identical under any schedule. Tasks are numbered,
//! never materialized: a million-chunk pass allocates no per-chunk state.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::budget::Budget;
use super::combine::{ChunkKey, ChunkRuns, Combiner, Held};
use super::numa::pools::NodePools;
use super::numa::queue::NodeQueues;
use super::progress::ProgressSink;
use super::runs::{RunCosts, Runs};
use super::sink::ChunkSink;
use crate::engine::exec::accumulate::{Partial, new_partial};
use crate::engine::exec::eval::{Evaluator, panic_error};
use crate::engine::exec::profile::TaskRecord;
use crate::engine::graph::{LazyArray, Op};
use crate::engine::grid::ChunkGrid;
use crate::engine::reduce_spec::{AxisRole, ReduceSpec};
use crate::{Error, Result};

/// Outputs that iterate one grid together, and how its blocks are cut into runs.
struct Segment {
    grid: ChunkGrid,
    runs: Runs,
    roots: Vec<usize>,
    /// Roots fed from the input blocks of a reduction computed in each block.
    fan: Option<Fan>,
    first_unit: usize,
    bytes_per_element: usize,
    /// The runs this rank runs (all of them on one rank).
    share: Range<usize>,
}

/// Roots that iterate a finer grid than their segment's: the input grid of `anchor`, a
/// reduction computed where it is used, whose output chunks are the segment's blocks.
/// Each block computes its chunk of `anchor` from the anchor's input blocks, and feeds
/// the same blocks to these roots: data they share with the anchor is read once
/// (per-member means beside the ensemble mean's seasons, both of one store).
struct Fan {
    anchor: LazyArray,
    /// The anchor's reduction.
    reduce: ReduceRoot,
    roots: Vec<usize>,
    /// Per root of `roots`, the memoized nodes it is the last to use in a block: they
    /// are forgotten once it is fed (see [`Fan::order_and_release`]).
    release: Vec<Vec<usize>>,
}

impl Fan {
    /// The segment's blocks holding the anchor's input blocks in `ranges` (chunk
    /// indices per axis of the anchor's input grid): its kept axes' ranges, and the one
    /// chunk of a reduced axis kept with length 1.
    fn segment_ranges(&self, ranges: &[Range<usize>]) -> Vec<Range<usize>> {
        let spec = &self.reduce.spec;
        spec.roles
            .iter()
            .zip(ranges)
            .filter_map(|(role, r)| match role {
                AxisRole::Keep => Some(r.clone()),
                AxisRole::Reduce if spec.keepdims => Some(0..1),
                _ => None,
            })
            .collect()
    }

    /// Orders the fanned roots by the sources they read, and notes after which of them
    /// each memoized node (of `shared`) is no longer needed: a block then holds one
    /// store's input block and what is computed from it at a time (the precipitation
    /// member chunk, then the temperature one), not every store's at once.
    fn order_and_release(&mut self, roots: &[LazyArray], shared: &HashSet<usize>) {
        let below: Vec<(usize, Vec<usize>)> = self
            .roots
            .iter()
            .map(|&r| {
                let (ids, first_source) = nodes_below(&roots[r]);
                (first_source, ids)
            })
            .collect();
        let mut order: Vec<usize> = (0..self.roots.len()).collect();
        order.sort_by_key(|&k| below[k].0);
        self.roots = order.iter().map(|&k| self.roots[k]).collect();
        let mut last: HashMap<usize, usize> = HashMap::new();
        for (pos, &k) in order.iter().enumerate() {
            for &id in below[k].1.iter().filter(|id| shared.contains(id)) {
                last.insert(id, pos);
            }
        }
        self.release = vec![vec![]; self.roots.len()];
        for (id, pos) in last {
            self.release[pos].push(id);
        }
    }

    /// Input blocks of the anchor per block of the segment (at most).
    fn blocks_per_block(&self) -> usize {
        let spec = &self.reduce.spec;
        (0..spec.roles.len())
            .filter(|&a| spec.roles[a] == AxisRole::Reduce)
            .map(|a| spec.in_grid.axis_chunks(a).len())
            .product()
    }
}

/// The ids of the nodes below `root` (itself included), and the least id of a source
/// among them (`usize::MAX`: none).
fn nodes_below(root: &LazyArray) -> (Vec<usize>, usize) {
    let nodes = root.reachable();
    let first_source = nodes
        .iter()
        .filter(|n| matches!(n.op(), Op::Source(_)))
        .map(LazyArray::id)
        .min()
        .unwrap_or(usize::MAX);
    (nodes.iter().map(LazyArray::id).collect(), first_source)
}

/// The roots of one segment: those iterating `grid`, and those fanned in.
struct Members {
    grid: ChunkGrid,
    roots: Vec<usize>,
    fan: Option<Fan>,
}

impl Members {
    /// Bytes a block task evaluates per element of the segment's grid: the fanned
    /// roots evaluate one input block of the anchor at a time.
    fn bytes_per_element(&self, roots: &[LazyArray]) -> usize {
        let pick = |members: &[usize]| -> Vec<LazyArray> {
            members.iter().map(|&r| roots[r].clone()).collect()
        };
        let own = bytes_per_element_together(&pick(&self.roots), &[]);
        let fanned = self.fan.as_ref().map_or(0, |f| {
            let span = reduced_block_span(&f.reduce.spec);
            // The anchor's input blocks are the fanned roots' own: counted with the
            // anchor (in `own`), not again.
            let anchor_inputs: Vec<usize> = f.anchor.inputs().iter().map(LazyArray::id).collect();
            span * bytes_per_element_together(&pick(&f.roots), &anchor_inputs)
        });
        own + fanned
    }

    /// Bytes of the partials one run holds per output chunk it feeds.
    fn partial_bytes(&self, roots: &[LazyArray]) -> usize {
        let own: usize = self
            .roots
            .iter()
            .map(|&r| run_partial_bytes(&roots[r]))
            .sum();
        let fanned = self.fan.as_ref().map_or(0, |f| {
            f.blocks_per_block()
                * f.roots
                    .iter()
                    .map(|&r| run_partial_bytes(&roots[r]))
                    .sum::<usize>()
        });
        own + fanned
    }
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
    /// The earliest failed run so far (`usize::MAX`: none). After a failure no new run
    /// starts, but runs before it still finish, so that the error reported is the one
    /// of the first failing block in task order, whatever the number of workers.
    first_failed_unit: AtomicUsize,
    /// The error of the earliest failed run.
    error: Mutex<Option<(usize, Error)>>,
    budget: &'a Budget,
    combiner: Combiner,
    /// Output chunks whose runs other ranks share, merged over this rank's runs.
    split: Mutex<Vec<(ChunkKey, Held)>>,
    progress: &'a ProgressSink,
    records: Option<Mutex<Vec<TaskRecord>>>,
    shared: Arc<HashSet<usize>>,
    start: Instant,
    /// Tasks run away from their home NUMA node (set by `run`).
    remote_steals: AtomicUsize,
}

/// The grid a root's tasks iterate, its axes from outermost to innermost, and how many
/// of the first ones it keeps: kept axes come before reduced ones, so that the blocks
/// of one output chunk come together and its partial finishes early.
fn iteration_grid(root: &LazyArray) -> (ChunkGrid, Vec<usize>, usize) {
    match root.op() {
        Op::Reduce { spec, .. } => {
            let mut order: Vec<usize> = (0..spec.roles.len())
                .filter(|&a| spec.roles[a] == AxisRole::Keep)
                .collect();
            let leading = order.len();
            order.extend((0..spec.roles.len()).filter(|&a| spec.roles[a] != AxisRole::Keep));
            (spec.in_grid.clone(), order, leading)
        }
        _ => (
            root.chunks().clone(),
            (0..root.ndim()).collect(),
            root.ndim(),
        ),
    }
}

/// What the largest segment of a pass over `roots` reserves: bytes of one block task
/// (roots that iterate one grid share a segment, whose blocks are evaluated for all of
/// them at once) and bytes of one run's partials.
///
/// Fans are left out: this sizes the budget before staging is decided, when a
/// reduction that would anchor one may yet be staged (a small one always is).
pub(super) fn segment_needs(roots: &[LazyArray]) -> (usize, usize) {
    grid_segments(roots).iter().fold((0, 0), |(task, part), m| {
        (
            task.max(block_bytes(m, roots)),
            part.max(m.partial_bytes(roots)),
        )
    })
}

/// The roots (by index) that iterate each grid: one segment of a pass per grid. Then
/// the roots of a grid that is the input grid of a reduction computed where it is used
/// in another segment's blocks join that segment, fanned in (see [`Fan`]).
///
/// A fan reads once what two segments would read twice, but its blocks are larger: it
/// is taken only when as many of them fit in the budget `limit` at once as the blocks
/// of either segment alone (up to one per worker), so that it never costs parallelism.
/// (Under 512 MiB on the CONUS precipitation grid, one fan block at a time took 11-15 s
/// where the two segments took 9-10 s, the member means' two blocks at a time.) The
/// fans declined are returned beside the segments, for the plan to say why a store is
/// read twice within a pass.
fn segments_of(
    roots: &[LazyArray],
    limit: usize,
    workers: usize,
) -> (Vec<Members>, Vec<DeclinedFan>) {
    let mut segments = grid_segments(roots);
    let mut declined = vec![];
    let mut s = 0;
    while s < segments.len() {
        // Segment `s` has no fan yet: one is only ever given to the segment visited.
        if let Some((anchor, reduce, j)) = fan_into(roots, &segments, s) {
            let fanned = Members {
                grid: segments[s].grid.clone(),
                roots: segments[s].roots.clone(),
                fan: Some(Fan {
                    anchor,
                    reduce,
                    roots: segments[j].roots.clone(),
                    release: vec![],
                }),
            };
            let at_once = |m: &Members| (limit / block_bytes(m, roots).max(1)).max(1);
            let apart = at_once(&segments[s]).max(at_once(&segments[j]));
            let wanted = apart.min(workers.max(1));
            let fit = at_once(&fanned);
            if fit >= wanted {
                segments[s] = fanned;
                segments.remove(j);
                if j < s {
                    s -= 1;
                }
            } else {
                declined.push(DeclinedFan {
                    roots: [segments[s].roots.clone(), segments[j].roots.clone()],
                    block_bytes: block_bytes(&fanned, roots),
                    fit,
                    wanted,
                });
            }
        }
        s += 1;
    }
    (segments, declined)
}

/// The roots (by index) of each segment of a pass over `roots` under a budget of
/// `limit` on `workers`, fanned roots included, and the fans declined.
pub(super) fn segment_roots(
    roots: &[LazyArray],
    limit: usize,
    workers: usize,
) -> (Vec<Vec<usize>>, Vec<DeclinedFan>) {
    let (segments, declined) = segments_of(roots, limit, workers);
    let members = segments
        .into_iter()
        .map(|m| {
            let mut rs = m.roots;
            rs.extend(m.fan.into_iter().flat_map(|f| f.roots));
            rs
        })
        .collect();
    (members, declined)
}

/// Two segments of a pass that a fan would have joined, reading their common stores
/// once, had it not cost parallelism under the budget (see [`segments_of`]).
pub(super) struct DeclinedFan {
    /// The roots (by index) of the two segments.
    pub(super) roots: [Vec<usize>; 2],
    /// Bytes of one block of the fan.
    pub(super) block_bytes: usize,
    /// How many such blocks fit in the budget at once.
    pub(super) fit: usize,
    /// How many had to fit: the blocks of either segment at once, up to one per worker.
    pub(super) wanted: usize,
}

/// Bytes one block task of `members` evaluates.
fn block_bytes(members: &Members, roots: &[LazyArray]) -> usize {
    members
        .grid
        .max_chunk_len()
        .saturating_mul(members.bytes_per_element(roots))
}

/// The roots (by index) that iterate each grid, without fans.
fn grid_segments(roots: &[LazyArray]) -> Vec<Members> {
    let mut segments: Vec<Members> = vec![];
    for (i, r) in roots.iter().enumerate() {
        let grid = iteration_grid(r).0;
        match segments.iter_mut().find(|m| m.grid == grid) {
            Some(m) => m.roots.push(i),
            None => segments.push(Members {
                grid,
                roots: vec![i],
                fan: None,
            }),
        }
    }
    segments
}

/// A reduction below the roots of segment `s`, whose output chunks are that segment's
/// blocks and whose input grid is another unfanned segment's (`j`): that segment's
/// roots can be fed the reduction's input blocks. Only the reductions left below a
/// pass's roots are met here, those computed where they are used (the others were
/// staged); one that groups cannot be, its blocks feed several output chunks.
fn fan_into(
    roots: &[LazyArray],
    segments: &[Members],
    s: usize,
) -> Option<(LazyArray, ReduceRoot, usize)> {
    let grid = &segments[s].grid;
    let below = super::stage::nested_reductions(
        &segments[s]
            .roots
            .iter()
            .map(|&r| roots[r].clone())
            .collect::<Vec<_>>(),
    );
    below.into_iter().find_map(|n| {
        let Op::Reduce { spec, pre } = n.op() else {
            return None;
        };
        if n.chunks() != grid
            || spec
                .roles
                .iter()
                .any(|r| matches!(r, AxisRole::Group { .. }))
        {
            return None;
        }
        let j = segments
            .iter()
            .enumerate()
            .position(|(j, m)| j != s && m.fan.is_none() && m.grid == spec.in_grid)?;
        let reduce = ReduceRoot {
            spec: spec.clone(),
            pre: pre.clone(),
        };
        Some((n.clone(), reduce, j))
    })
}

/// Bytes of the partial one run of `root` holds for an output chunk (0 when it
/// reduces nothing).
fn run_partial_bytes(root: &LazyArray) -> usize {
    partial_bytes_per_cell(root) * root.chunks().max_chunk_len()
}

/// Bytes of a reduction's partial per output cell (0 for a root that reduces nothing).
fn partial_bytes_per_cell(root: &LazyArray) -> usize {
    match root.op() {
        Op::Reduce { spec, .. } => new_partial(spec, 1).nbytes(),
        _ => 0,
    }
}

/// Bytes a task touches per element of its block, evaluating `roots` together: every
/// node below them that is evaluated (conservative for broadcast inputs), a node they
/// share counted once (the task memoizes it), and nothing below `skip` (nodes whose
/// blocks are counted elsewhere). A reduction below a root (one computed where it is
/// used, see `aligned`) also holds a partial per cell, and reads its input blocks,
/// which span its reduced axes' chunks, one at a time. A block of a concatenation lies
/// in one of its inputs (its chunks along the axis are theirs), so only the costliest
/// input counts: a stack of 16 arrays costs one array per block.
fn bytes_per_element_together(roots: &[LazyArray], skip: &[usize]) -> usize {
    let mut seen: HashSet<usize> = skip.iter().copied().collect();
    let limit = seen.len() + 64 * roots.len();
    roots
        .iter()
        .map(|r| node_bytes(r, r.id(), 1, &mut seen, limit))
        .sum::<usize>()
        .max(1)
}

fn node_bytes(
    n: &LazyArray,
    root: usize,
    scale: usize,
    seen: &mut HashSet<usize>,
    limit: usize,
) -> usize {
    /// Accumulator bytes per cell, the largest partial (moments: count, mean, M2);
    /// taken for every kind, as it also covers the finished block beside the partial.
    const PARTIAL_BYTES: usize = 24;
    if !seen.insert(n.id()) || seen.len() > limit {
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
    let inputs = n
        .inputs()
        .iter()
        .map(|i| node_bytes(i, root, below, seen, limit));
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
    /// Plans a pass over `roots` on `workers` workers, writing each to the sink of the
    /// same index.
    pub(super) fn new(
        roots: &'a [LazyArray],
        sinks: &'a [Arc<dyn ChunkSink>],
        budget: &'a Budget,
        progress: &'a ProgressSink,
        profile: bool,
        shared: Arc<HashSet<usize>>,
        workers: usize,
    ) -> Self {
        let reduce: Vec<Option<ReduceRoot>> = roots
            .iter()
            .map(|r| match r.op() {
                Op::Reduce { spec, pre } => Some(ReduceRoot {
                    spec: spec.clone(),
                    pre: pre.clone(),
                }),
                _ => None,
            })
            .collect();
        let mut segments = vec![];
        let mut total = 0;
        for mut members in segments_of(roots, budget.limit(), workers).0 {
            if let Some(fan) = &mut members.fan {
                fan.order_and_release(roots, &shared);
            }
            let s = Self::segment(roots, &reduce, members, budget, total);
            total += s.runs.n_units();
            segments.push(s);
        }
        // A fan's anchor is computed by the pass itself and looked up by its consumers.
        let anchors: Vec<usize> = segments
            .iter()
            .filter_map(|s| s.fan.as_ref().map(|f| f.anchor.id()))
            .collect();
        let shared = if anchors.is_empty() {
            shared
        } else {
            let mut ids = (*shared).clone();
            ids.extend(anchors);
            Arc::new(ids)
        };
        Pass {
            roots,
            sinks,
            reduce,
            segments,
            total_units: total,
            next: AtomicUsize::new(0),
            first_failed_unit: AtomicUsize::new(usize::MAX),
            error: Mutex::new(None),
            budget,
            combiner: Combiner::default(),
            split: Mutex::new(vec![]),
            progress,
            records: profile.then(|| Mutex::new(vec![])),
            shared,
            start: Instant::now(),
            remote_steals: AtomicUsize::new(0),
        }
    }

    /// The segment of `members` over `grid`, its runs numbered from `first_unit`. Its
    /// blocks are visited in the order of its first reduction (of its first root when
    /// none reduces), whose output chunks' blocks thus come together.
    fn segment(
        roots: &[LazyArray],
        reduce: &[Option<ReduceRoot>],
        plan: Members,
        budget: &Budget,
        first_unit: usize,
    ) -> Segment {
        let members = &plan.roots;
        // A reduction's partials live from its output chunk's first block to its last:
        // visiting in the order of the one with the most partial state finishes its
        // chunks one by one, and only the smaller ones keep theirs for longer. (An
        // ensemble mean staged beside per-member means, visited members outermost,
        // held the partials of the whole array: six times the size of its result.)
        let state = |r: usize| {
            partial_bytes_per_cell(&roots[r]).saturating_mul(roots[r].shape().iter().product())
        };
        let lead = members
            .iter()
            .copied()
            .filter(|&r| reduce[r].is_some())
            .rev()
            .max_by_key(|&r| state(r))
            .unwrap_or(members[0]);
        let (_, order, leading) = iteration_grid(&roots[lead]);
        let bytes_per_element = plan.bytes_per_element(roots);
        let costs = RunCosts {
            partial_bytes: plan.partial_bytes(roots),
            block_bytes: plan.grid.max_chunk_len() * bytes_per_element,
            budget: budget.limit(),
        };
        let runs = Runs::new(plan.grid.grid_shape(), order, leading, &costs);
        Segment {
            share: crate::distributed::share(runs.n_units()),
            runs,
            grid: plan.grid,
            roots: plan.roots,
            fan: plan.fan,
            first_unit,
            bytes_per_element,
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
        let blocks = self.segments.iter().map(|s| s.runs.n_blocks()).sum();
        self.progress.start(blocks, self.total_bytes());
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
                        .map(|s| s.first_unit..s.first_unit + s.runs.n_units()),
                    &nodes.steal_order,
                );
                nodes.run_workers(&|w, node| self.worker(w, Some((&queues, node))));
                self.remote_steals.store(queues.steals(), Ordering::Relaxed);
            }
        }
        if let Some((_, e)) = self.error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            self.progress.abandon();
            return Err(e);
        }
        self.merge_split_chunks()?;
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

    /// Records the failure of run `unit`, keeping the earliest one's error.
    fn fail(&self, unit: usize, e: Error) {
        let mut slot = self.error.lock().unwrap_or_else(|e| e.into_inner());
        if slot.as_ref().is_none_or(|(first, _)| unit < *first) {
            *slot = Some((unit, e));
        }
        self.first_failed_unit.fetch_min(unit, Ordering::Relaxed);
        self.budget.wake_all();
    }

    /// Whether a run has failed: no new run starts.
    fn failed(&self) -> bool {
        self.first_failed_unit.load(Ordering::Relaxed) != usize::MAX
    }

    /// Whether run `unit` can no longer change the outcome: a run at or after it failed.
    fn moot(&self, unit: usize) -> bool {
        unit >= self.first_failed_unit.load(Ordering::Relaxed)
    }

    /// The segment of run `unit`, and the run's number within it.
    fn locate(&self, unit: usize) -> (&Segment, usize) {
        let seg = self
            .segments
            .iter()
            .find(|s| unit < s.first_unit + s.runs.n_units())
            .expect("unit below the total belongs to a segment");
        (seg, unit - seg.first_unit)
    }

    fn worker(&self, wid: usize, queues: Option<(&NodeQueues, usize)>) {
        let mut ev = Evaluator::new(self.shared.clone());
        loop {
            if self.failed() {
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
            let (seg, run) = self.locate(unit);
            let blocks = seg.runs.blocks(run);
            if !seg.share.contains(&run) {
                self.progress.advance(blocks.len(), 0);
                continue;
            }
            // A run already claimed finishes unless a run at or before it failed. Without
            // NUMA queues runs are claimed in order, so every run before the first failure
            // has run when the pass reports it, and the error is the same on any number
            // of workers; with them it is the earliest of the runs started.
            let mut parts: Vec<RunPartial> = vec![];
            for pos in blocks {
                if self.moot(unit) {
                    break;
                }
                let idx = seg.runs.block_index(pos);
                if let Err(e) = self.block(wid, unit, seg, &idx, &mut ev, &mut parts) {
                    self.fail(unit, e);
                }
            }
            if self.failed() {
                break;
            }
            for part in parts {
                if let Err(e) = self.hand_in(seg, run, part) {
                    self.fail(unit, e);
                }
            }
        }
    }

    /// Evaluates one block for every root of its segment, within the budget.
    fn block(
        &self,
        wid: usize,
        unit: usize,
        seg: &Segment,
        idx: &[usize],
        ev: &mut Evaluator,
        parts: &mut Vec<RunPartial>,
    ) -> Result<()> {
        let region = seg.grid.chunk_region(idx);
        let elements: usize = region.iter().map(|r| r.len()).product();
        let bytes = elements * seg.bytes_per_element;
        self.budget.acquire(bytes, || self.moot(unit));
        if self.moot(unit) {
            self.budget.release(bytes);
            return Ok(());
        }
        let t0 = self.start.elapsed();
        let result = catch_unwind(AssertUnwindSafe(|| {
            self.process(seg, idx, &region, ev, parts)
        }));
        ev.clear_memo();
        self.budget.release(bytes);
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
        self.progress.task(wid, self.start, t0, bytes, idx);
        self.progress.advance(1, bytes);
        result.unwrap_or_else(|p| Err(panic_error("a chunk task", p)))
    }

    fn process(
        &self,
        seg: &Segment,
        idx: &[usize],
        region: &[Range<usize>],
        ev: &mut Evaluator,
        parts: &mut Vec<RunPartial>,
    ) -> Result<()> {
        if let Some(fan) = &seg.fan {
            self.process_fan(fan, region, ev, parts)?;
        }
        for &r in &seg.roots {
            self.feed(r, idx, region, ev, parts)?;
        }
        Ok(())
    }

    /// Computes the block's chunk of the fan's anchor from the anchor's input blocks,
    /// feeding each of them to the fanned roots as it comes (then forgetting it), and
    /// leaves the chunk in the memo for the segment's roots.
    fn process_fan(
        &self,
        fan: &Fan,
        region: &[Range<usize>],
        ev: &mut Evaluator,
        parts: &mut Vec<RunPartial>,
    ) -> Result<()> {
        let ReduceRoot { spec, pre } = &fan.reduce;
        let chunk =
            ev.reduce_region_with(&fan.anchor, spec, pre, region, &mut |ev, idx, block| {
                if spec.in_grid.chunk_region(idx) != block {
                    return Err(Error::internal(
                        "executor",
                        "a fanned block is not a chunk of its grid",
                    ));
                }
                for (k, &r) in fan.roots.iter().enumerate() {
                    self.feed(r, idx, block, ev, parts)?;
                    for &id in fan.release.get(k).into_iter().flatten() {
                        ev.forget(id, block);
                    }
                }
                ev.forget_region(block);
                Ok(())
            })?;
        ev.remember(&fan.anchor, region, chunk);
        Ok(())
    }

    /// Evaluates block `idx` (at `region`) of root `r`'s iteration grid: written to its
    /// sink, or fed to the run's partial of its output chunk.
    fn feed(
        &self,
        r: usize,
        idx: &[usize],
        region: &[Range<usize>],
        ev: &mut Evaluator,
        parts: &mut Vec<RunPartial>,
    ) -> Result<()> {
        let root = &self.roots[r];
        let Some(red) = &self.reduce[r] else {
            let data = ev.eval(root, region)?;
            return self.sinks[r].write(region, &data);
        };
        if root.is_empty() {
            // Nothing to accumulate into (e.g. grouped into zero groups).
            return Ok(());
        }
        let out_idx = red.spec.out_chunk_of_block(idx);
        let pos = match parts
            .iter()
            .position(|p| p.root == r && p.out_idx == out_idx)
        {
            Some(p) => p,
            None => {
                let cells = self.out_cells(r, &out_idx);
                let partial = new_partial(&red.spec, cells);
                let bytes = partial.nbytes();
                self.budget.hold(bytes);
                parts.push(RunPartial {
                    root: r,
                    out_idx,
                    held: Held { partial, bytes },
                });
                parts.len() - 1
            }
        };
        ev.feed_block(
            root,
            &red.spec,
            &red.pre,
            region,
            region,
            parts[pos].held.partial.as_mut(),
        )
    }

    fn out_cells(&self, root: usize, out_idx: &[usize]) -> usize {
        self.roots[root]
            .chunks()
            .chunk_region(out_idx)
            .iter()
            .map(|r| r.len())
            .product()
    }

    /// Hands a run's partial to the merge of its output chunk, and finishes the chunk
    /// when that was its last run.
    fn hand_in(&self, seg: &Segment, run: usize, part: RunPartial) -> Result<()> {
        let spec = &self.reduce[part.root]
            .as_ref()
            .expect("partials exist only for reductions")
            .spec;
        let key = (part.root, part.out_idx);
        let runs_of = || {
            let along = spec.blocks_along(&key.1);
            let along = match &seg.fan {
                Some(fan) if fan.roots.contains(&key.0) => fan.segment_ranges(&along),
                _ => along,
            };
            let all = seg.runs.units_of(&along);
            let here: Vec<usize> = all
                .iter()
                .copied()
                .filter(|u| seg.share.contains(u))
                .collect();
            ChunkRuns {
                elsewhere: here.len() < all.len(),
                here,
            }
        };
        let Some(merged) =
            self.combiner
                .submit(key.clone(), run, part.held, runs_of, self.budget)?
        else {
            return Ok(());
        };
        if merged.elsewhere {
            lock(&self.split).push((key, merged.held));
            return Ok(());
        }
        self.finish_chunk(key.0, &key.1, merged.held.partial, merged.held.bytes)
    }

    /// Finishes the output chunks whose runs several ranks shared: every rank sends its
    /// partial of each, and the first rank holding one merges them in rank order (the
    /// order of their runs) and writes the chunk. Called by every rank (nothing on one).
    fn merge_split_chunks(&self) -> Result<()> {
        if !crate::distributed::is_distributed() {
            return Ok(());
        }
        let mine = std::mem::take(&mut *lock(&self.split));
        let wire: Vec<(usize, Vec<usize>, Vec<u8>)> = mine
            .iter()
            .map(|((root, idx), held)| (*root, idx.clone(), held.partial.to_bytes()))
            .collect();
        for (_, held) in mine {
            self.budget.unhold(held.bytes);
        }
        let encoded = bincode::serialize(&wire)
            .map_err(|e| Error::internal("executor", format!("partials to send: {e}")))?;
        drop(wire);
        let mut parts: std::collections::BTreeMap<ChunkKey, Vec<(usize, Vec<u8>)>> =
            Default::default();
        for (rank, bytes) in crate::distributed::all_gather_bytes(encoded)?
            .into_iter()
            .enumerate()
        {
            let list: Vec<(usize, Vec<usize>, Vec<u8>)> = bincode::deserialize(&bytes)
                .map_err(|e| Error::internal("executor", format!("partials received: {e}")))?;
            for (root, idx, part) in list {
                parts.entry((root, idx)).or_default().push((rank, part));
            }
        }
        for ((root, idx), from) in parts {
            if from[0].0 != crate::distributed::rank() {
                continue;
            }
            let spec = &self.reduce[root]
                .as_ref()
                .ok_or_else(|| {
                    Error::internal("executor", "a partial of a root that reduces nothing")
                })?
                .spec;
            let cells = self.out_cells(root, &idx);
            let mut whole: Option<Box<dyn Partial>> = None;
            for (_, bytes) in from {
                let mut p = new_partial(spec, cells);
                p.load_bytes(&bytes)?;
                match whole.as_mut() {
                    None => whole = Some(p),
                    Some(w) => w.merge(p),
                }
            }
            if let Some(w) = whole {
                self.finish_chunk(root, &idx, w, 0)?;
            }
        }
        Ok(())
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A worker that panicked while holding the lock left a whole vector behind.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A partial one run feeds, for one output chunk of one root.
struct RunPartial {
    root: usize,
    out_idx: Vec<usize>,
    held: Held,
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{Fan, ReduceRoot};
    use crate::engine::graph::{LazyArray, Op};

    /// Fanned roots reading two sources are fed one source's at a time, and each
    /// source's block is let go after the last root that reads it.
    #[test]
    fn fanned_roots_are_grouped_by_source_and_let_go_after_their_last_reader() {
        let member = |v: f64| {
            LazyArray::from_ndarray(ndarray::ArrayD::from_elem(vec![3, 8, 2], v), &[1, 4, 2])
                .unwrap()
        };
        let (pcp, t) = (member(1.0), member(2.0));
        let roots = vec![
            t.mean(&[1]).unwrap(),
            pcp.sum(&[1]).unwrap(),
            t.max(&[1]).unwrap(),
            pcp.mean(&[1]).unwrap(),
        ];
        let anchor = t.mean(&[0]).unwrap();
        let Op::Reduce { spec, pre } = anchor.op() else {
            unreachable!("a mean is a reduction")
        };
        let mut fan = Fan {
            anchor: anchor.clone(),
            reduce: ReduceRoot {
                spec: spec.clone(),
                pre: pre.clone(),
            },
            roots: vec![0, 1, 2, 3],
            release: vec![],
        };
        let shared: HashSet<usize> = [pcp.id(), t.id()].into();
        fan.order_and_release(&roots, &shared);
        // `pcp` was made first: its roots come first, in their order.
        assert_eq!(fan.roots, vec![1, 3, 0, 2]);
        assert_eq!(
            fan.release,
            vec![vec![], vec![pcp.id()], vec![], vec![t.id()]]
        );
    }
}
