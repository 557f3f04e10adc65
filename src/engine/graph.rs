//! The logical graph: a lazy array is an `Arc` node of array-level operations.
//!
//! The graph grows with the number of operations a user writes, never with the
//! number of chunks: chunk tasks are derived from a node's [`ChunkGrid`] while the
//! executor runs.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::dtype::DType;
use super::expr::Expr;
use super::grid::ChunkGrid;
use super::reduce_spec::ReduceSpec;
use super::source::ChunkSource;
use crate::Result;
use crate::engine::ArrayData;

/// The function of a [`Op::MapBlocks`] node: the block's index in the chunk grid and
/// the input blocks in, the output block out.
pub(crate) type BlockFn = dyn Fn(&[usize], &[ArrayData]) -> Result<ArrayData> + Send + Sync;

/// The function of an [`Op::Overlap`] node: a block extended by up to a halo along
/// one axis, the extent of the output block inside it along that axis, and the
/// position in the array of the extended block's first element along that axis.
pub(crate) type OverlapFn =
    dyn Fn(&ArrayData, std::ops::Range<usize>, usize) -> Result<ArrayData> + Send + Sync;

/// Selection of positions along one axis: element `i` of the result is input element
/// `start + i * step` (`step` may be negative; `start` is then the last element).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AxisSlice {
    /// The first input position taken.
    pub start: usize,
    /// Distance between taken positions.
    pub step: isize,
    /// Number of positions taken.
    pub len: usize,
}

impl AxisSlice {
    /// All of an axis of length `n`.
    pub fn full(n: usize) -> Self {
        AxisSlice {
            start: 0,
            step: 1,
            len: n,
        }
    }

    /// True if this takes all of an axis of length `n` in order.
    pub fn is_full(&self, n: usize) -> bool {
        self.start == 0 && self.step == 1 && self.len == n
    }

    /// Input position of output position `i`.
    pub fn pos(&self, i: usize) -> usize {
        (self.start as isize + i as isize * self.step) as usize
    }

    /// Applies another slice on top of this one.
    pub fn then(&self, next: &AxisSlice) -> AxisSlice {
        if next.len == 0 {
            return AxisSlice {
                start: 0,
                step: 1,
                len: 0,
            };
        }
        AxisSlice {
            start: self.pos(next.start),
            step: self.step * next.step,
            len: next.len,
        }
    }
}

/// How the scan of a cumulative operation combines values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScanKind {
    /// Cumulative sum.
    Sum,
    /// Cumulative product.
    Prod,
    /// Forward fill: the last non-NaN value so far (NaN before the first); the carry
    /// into a chunk is the last non-NaN value of the chunks before it.
    FFill,
}

/// An array-level operation. Its inputs are the node's ([`LazyArray::inputs`]).
#[derive(Clone)]
pub enum Op {
    /// Data from a [`ChunkSource`].
    Source(Arc<dyn ChunkSource>),
    /// An elementwise program over the inputs, broadcast together (numpy rules).
    Map(Arc<Expr>),
    /// Strided selection along every axis.
    Slice(Vec<AxisSlice>),
    /// Integer indices along one axis.
    Take {
        /// The axis indexed.
        axis: usize,
        /// The positions taken, in order.
        indices: Arc<Vec<usize>>,
    },
    /// Pointwise (vectorized) indexing: the first `k` input axes are replaced by one
    /// axis of points, point `j` being input position `points[j * k..(j + 1) * k]`.
    /// A task reads, per input chunk its points fall in, only the box around them.
    Gather {
        /// How many leading input axes each point indexes.
        k: usize,
        /// The positions, `k` per point, point after point.
        points: Arc<Vec<usize>>,
    },
    /// Axis permutation: output axis `i` is input axis `perm[i]`.
    Transpose(Vec<usize>),
    /// Insertion and removal of length-1 axes: output axis `i` is input axis
    /// `map[i]`, or a new axis of length 1 where `None`.
    UnitAxes(Vec<Option<usize>>),
    /// numpy `broadcast_to` (the input's axes align with the trailing output axes).
    Broadcast,
    /// Concatenation of the inputs along an axis.
    Concat(usize),
    /// Same data with the node's chunk grid.
    Rechunk,
    /// A (grouped) reduction with the elementwise program that feeds it.
    Reduce {
        /// What is reduced and how.
        spec: Arc<ReduceSpec>,
        /// The program applied to the inputs before reducing (identity until fused).
        pre: Arc<Expr>,
    },
    /// A cumulative scan along an axis. After staging, input 1 holds the per-chunk totals.
    Scan {
        /// The axis scanned.
        axis: usize,
        /// Sum, product or forward fill.
        kind: ScanKind,
        /// Treat NaN as the identity (as `nancumsum`).
        skipna: bool,
    },
    /// A function of each output chunk's input region extended by a halo along one
    /// axis (rolling windows): a task reads its chunk and the halo, never more.
    Overlap {
        /// A name for errors and profiles.
        name: String,
        /// The axis the halo extends along.
        axis: usize,
        /// Halo elements before each chunk.
        before: usize,
        /// Halo elements after each chunk.
        after: usize,
        /// The function.
        f: Arc<OverlapFn>,
    },
    /// A user function applied to aligned blocks of the inputs: output block `i` (of
    /// the node's grid) is the function of the inputs' regions of chunk `i` of
    /// `in_grid`. Both grids have as many chunks per axis; their sizes differ where the
    /// function changes the block shape (`map_blocks` with a template).
    MapBlocks {
        /// A name for errors and profiles.
        name: String,
        /// The function.
        f: Arc<BlockFn>,
        /// The inputs' blocks, kept here so that a rewrite of the inputs (a dropped
        /// rechunk) cannot change which elements a block holds.
        in_grid: ChunkGrid,
    },
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Source(s) => write!(f, "Source({})", s.describe()),
            Op::Map(e) => write!(f, "Map({} instrs)", e.instrs().len()),
            Op::Slice(s) => write!(f, "Slice({s:?})"),
            Op::Take { axis, indices } => write!(f, "Take(axis {axis}, {} indices)", indices.len()),
            Op::Gather { k, points } => {
                write!(
                    f,
                    "Gather({} points over {k} axes)",
                    points.len() / (*k).max(1)
                )
            }
            Op::Transpose(p) => write!(f, "Transpose({p:?})"),
            Op::UnitAxes(m) => write!(f, "UnitAxes({m:?})"),
            Op::Broadcast => write!(f, "Broadcast"),
            Op::Concat(a) => write!(f, "Concat(axis {a})"),
            Op::Rechunk => write!(f, "Rechunk"),
            Op::Reduce { spec, pre } => {
                write!(f, "Reduce({:?}, {:?}", spec.kind, spec.roles_summary())?;
                if !pre.is_identity() {
                    write!(f, ", fused {} instrs", pre.instrs().len())?;
                }
                write!(f, ")")
            }
            Op::Scan { axis, kind, skipna } => {
                write!(f, "Scan({kind:?}, axis {axis}, skipna {skipna})")
            }
            Op::MapBlocks { name, .. } => write!(f, "MapBlocks({name})"),
            Op::Overlap {
                name,
                axis,
                before,
                after,
                ..
            } => {
                write!(f, "Overlap({name}, axis {axis}, halo -{before}/+{after})")
            }
        }
    }
}

/// One node of the logical graph.
pub(crate) struct Node {
    id: usize,
    pub(crate) op: Op,
    pub(crate) inputs: Vec<LazyArray>,
    pub(crate) shape: Vec<usize>,
    pub(crate) dtype: DType,
    pub(crate) grid: ChunkGrid,
}

/// A lazy n-dimensional array: a handle to a node of the logical graph.
///
/// Cloning is cheap (an `Arc`). Nothing is read or computed until
/// [`compute`](LazyArray::compute) or [`Compute::run`](crate::engine::Compute::run).
#[derive(Clone)]
pub struct LazyArray(pub(crate) Arc<Node>);

/// The next node id, unique in the process even where it holds several copies of this
/// crate, each with its own counter: the evcxr kernel links a copy into the library of
/// every cell, and nodes made in different cells meet in one graph (colliding ids mixed
/// them up). A copy's ids start at its counter's address shifted left by 16 bits: two
/// copies lie at least a page apart, so their ranges start at least 2^28 ids apart.
fn next_id() -> usize {
    static NEXT_ID: AtomicUsize = AtomicUsize::new(0);
    let base = (&raw const NEXT_ID).addr() << 16;
    base.wrapping_add(NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

impl LazyArray {
    /// Makes a node; the caller has validated shapes and dtypes.
    pub(crate) fn from_parts(
        op: Op,
        inputs: Vec<LazyArray>,
        shape: Vec<usize>,
        dtype: DType,
        grid: ChunkGrid,
    ) -> LazyArray {
        debug_assert_eq!(grid.shape(), shape, "grid and shape disagree for {op:?}");
        LazyArray(Arc::new(Node {
            id: next_id(),
            op,
            inputs,
            shape,
            dtype,
            grid,
        }))
    }

    /// A unique id of this node.
    pub fn id(&self) -> usize {
        self.0.id
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.0.shape.len()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.0.shape.iter().product()
    }

    /// True if the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// The chunk grid.
    pub fn chunks(&self) -> &ChunkGrid {
        &self.0.grid
    }

    /// Bytes of the whole array if it were materialized.
    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype().size()
    }

    /// The operation of this node.
    pub fn op(&self) -> &Op {
        &self.0.op
    }

    /// The input nodes.
    pub fn inputs(&self) -> &[LazyArray] {
        &self.0.inputs
    }

    /// The same operation on other inputs (for graph rewrites).
    pub(crate) fn with_inputs(&self, inputs: Vec<LazyArray>) -> LazyArray {
        if inputs
            .iter()
            .zip(self.inputs())
            .all(|(a, b)| a.id() == b.id())
        {
            return self.clone();
        }
        LazyArray::from_parts(
            self.0.op.clone(),
            inputs,
            self.0.shape.clone(),
            self.0.dtype,
            self.0.grid.clone(),
        )
    }

    /// Number of nodes reachable from this one (each counted once).
    pub fn graph_size(&self) -> usize {
        self.reachable().len()
    }

    /// The nodes reachable from this one, itself included, each once.
    pub(crate) fn reachable(&self) -> Vec<LazyArray> {
        let mut seen = std::collections::HashSet::new();
        let mut found = vec![];
        let mut stack = vec![self.clone()];
        while let Some(n) = stack.pop() {
            if seen.insert(n.id()) {
                stack.extend(n.inputs().iter().cloned());
                found.push(n);
            }
        }
        found
    }

    /// A text rendering of the graph below this node, one node per line.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        let mut seen = HashMap::new();
        explain_into(self, 0, &mut seen, &mut out);
        out
    }
}

fn explain_into(n: &LazyArray, depth: usize, seen: &mut HashMap<usize, usize>, out: &mut String) {
    let pad = "  ".repeat(depth);
    if let Some(&label) = seen.get(&n.id()) {
        let _ = writeln!(out, "{pad}@{label}");
        return;
    }
    let label = seen.len();
    seen.insert(n.id(), label);
    let _ = writeln!(
        out,
        "{pad}@{label} {:?} {} {:?} chunks {:?}",
        n.op(),
        n.dtype(),
        n.shape(),
        n.chunks()
            .chunks()
            .iter()
            .map(|c| c.len())
            .collect::<Vec<_>>()
    );
    for i in n.inputs() {
        explain_into(i, depth + 1, seen, out);
    }
}

impl fmt::Debug for LazyArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "LazyArray<{} {:?}, {} chunks, {:?}>",
            self.dtype(),
            self.shape(),
            self.chunks().n_chunks(),
            self.op()
        )
    }
}

/// Rewrites a graph bottom-up: `f` sees each node after its inputs were rewritten and
/// returns a replacement (or `None` to keep it). Shared nodes are visited once.
pub(crate) fn transform_up(
    root: &LazyArray,
    f: &mut dyn FnMut(&LazyArray) -> Result<Option<LazyArray>>,
) -> Result<LazyArray> {
    let mut memo = HashMap::new();
    transform_rec(root, f, &mut memo)
}

/// [`transform_up`] over several roots at once, so nodes they share stay shared.
pub(crate) fn transform_roots(
    roots: &[LazyArray],
    f: &mut dyn FnMut(&LazyArray) -> Result<Option<LazyArray>>,
) -> Result<Vec<LazyArray>> {
    let mut memo = HashMap::new();
    roots
        .iter()
        .map(|r| transform_rec(r, f, &mut memo))
        .collect()
}

fn transform_rec(
    n: &LazyArray,
    f: &mut dyn FnMut(&LazyArray) -> Result<Option<LazyArray>>,
    memo: &mut HashMap<usize, LazyArray>,
) -> Result<LazyArray> {
    if let Some(done) = memo.get(&n.id()) {
        return Ok(done.clone());
    }
    let inputs = n
        .inputs()
        .iter()
        .map(|i| transform_rec(i, f, memo))
        .collect::<Result<Vec<_>>>()?;
    let rebuilt = n.with_inputs(inputs);
    let out = f(&rebuilt)?.unwrap_or(rebuilt);
    memo.insert(n.id(), out.clone());
    Ok(out)
}
