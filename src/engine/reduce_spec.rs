//! What a reduction computes: [`ReduceKind`], the role of each axis, and the output's
//! shape, dtype and chunking.
//!
//! Plain reductions (over a set of axes) and grouped reductions (along one axis, by
//! integer group labels: the primitive behind groupby, resample and coarsen) are the
//! same node with different [`AxisRole`]s, so they share one streaming executor path.

use std::sync::Arc;

use super::dtype::{DType, Kind};
use super::grid::ChunkGrid;
use super::group_chunks::GroupChunks;
use crate::{Error, Result};

/// The statistic a reduction computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceKind {
    /// Sum.
    Sum,
    /// Product.
    Prod,
    /// Arithmetic mean.
    Mean,
    /// Variance with `ddof`.
    Var,
    /// Standard deviation with `ddof`.
    Std,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
    /// Number of non-NaN values.
    Count,
    /// True if any value is non-zero.
    Any,
    /// True if all values are non-zero.
    All,
    /// Position of the minimum along the (single) reduced axis.
    ArgMin,
    /// Position of the maximum along the (single) reduced axis.
    ArgMax,
    /// The first value along the (single) reduced or grouped axis; the first non-NaN
    /// one when NaN is skipped (xarray's `groupby(...).first()`).
    First,
    /// The last value along the (single) reduced or grouped axis; the last non-NaN one
    /// when NaN is skipped.
    Last,
}

impl ReduceKind {
    /// numpy's result dtype for this reduction of an input of dtype `d`.
    pub fn out_dtype(self, d: DType) -> Result<DType> {
        Ok(match self {
            ReduceKind::Sum | ReduceKind::Prod => match d.kind() {
                Kind::Float => d,
                Kind::Unsigned => DType::U64,
                Kind::Signed | Kind::Bool => DType::I64,
            },
            ReduceKind::Mean | ReduceKind::Var | ReduceKind::Std => d.float_result(),
            ReduceKind::Min | ReduceKind::Max | ReduceKind::First | ReduceKind::Last => d,
            ReduceKind::Count | ReduceKind::ArgMin | ReduceKind::ArgMax => DType::I64,
            ReduceKind::Any | ReduceKind::All => DType::Bool,
        })
    }

    /// True for argmin/argmax, which need exactly one reduced axis.
    pub fn is_arg(self) -> bool {
        matches!(self, ReduceKind::ArgMin | ReduceKind::ArgMax)
    }

    /// True for first/last, whose result depends on the order along exactly one
    /// reduced or grouped axis.
    pub fn is_ordered(self) -> bool {
        matches!(self, ReduceKind::First | ReduceKind::Last)
    }
}

/// What happens to one input axis in a reduction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AxisRole {
    /// The axis is kept as it is.
    Keep,
    /// The axis is reduced away (or kept with length 1 under `keepdims`).
    Reduce,
    /// The axis is replaced by one of length `n_groups`; position `i` contributes to
    /// group `labels[i]`, or to none if the label is negative.
    Group {
        /// Group number of every position along the axis.
        labels: Arc<Vec<i64>>,
        /// Number of groups.
        n_groups: usize,
    },
}

/// A complete description of a reduction node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReduceSpec {
    /// The statistic.
    pub kind: ReduceKind,
    /// Skip NaN values (the `nan*` variants of numpy).
    pub skipna: bool,
    /// Delta degrees of freedom for var/std.
    pub ddof: usize,
    /// Results with fewer valid values than this become NaN (sum/prod/mean of floats).
    pub min_count: usize,
    /// Keep reduced axes with length 1.
    pub keepdims: bool,
    /// Role of each input axis.
    pub roles: Vec<AxisRole>,
    /// The grid the reduction iterates over (the reduced input's shape and chunks).
    pub in_grid: ChunkGrid,
    /// Dtype of the values reduced (the output of the fused pre-program).
    pub in_dtype: DType,
    /// The output chunking of every grouped axis (derived from its labels).
    group_chunks: Vec<Option<Arc<GroupChunks>>>,
}

impl ReduceSpec {
    /// Validates the spec against its input.
    pub fn new(
        kind: ReduceKind,
        roles: Vec<AxisRole>,
        in_grid: ChunkGrid,
        in_dtype: DType,
    ) -> Result<Self> {
        if roles.len() != in_grid.ndim() {
            return Err(Error::invalid(format!(
                "reduction roles for {} axes given for an array with {}",
                roles.len(),
                in_grid.ndim()
            )));
        }
        let shape = in_grid.shape();
        for (axis, r) in roles.iter().enumerate() {
            if let AxisRole::Group { labels, n_groups } = r {
                if labels.len() != shape[axis] {
                    return Err(Error::ShapeMismatch {
                        op: format!("group labels for axis {axis}"),
                        left: vec![labels.len()],
                        right: vec![shape[axis]],
                    });
                }
                if let Some(bad) = labels.iter().find(|&&l| l >= *n_groups as i64) {
                    return Err(Error::invalid(format!(
                        "group label {bad} on axis {axis} is not below the number of groups {n_groups}"
                    )));
                }
            }
        }
        if kind.is_arg() {
            let n_reduced = roles.iter().filter(|r| **r == AxisRole::Reduce).count();
            let grouped = roles.iter().any(|r| matches!(r, AxisRole::Group { .. }));
            if n_reduced != 1 || grouped {
                return Err(Error::invalid(format!(
                    "{kind:?} needs exactly one reduced axis and no grouping"
                )));
            }
        }
        if kind.is_ordered() {
            let n_ordered = roles.iter().filter(|r| **r != AxisRole::Keep).count();
            if n_ordered != 1 {
                return Err(Error::invalid(format!(
                    "{kind:?} needs exactly one reduced or grouped axis, not {n_ordered}"
                )));
            }
        }
        kind.out_dtype(in_dtype)?;
        let group_chunks = roles
            .iter()
            .enumerate()
            .map(|(axis, r)| match r {
                AxisRole::Group { labels, n_groups } => Some(Arc::new(GroupChunks::new(
                    labels,
                    in_grid.axis_chunks(axis),
                    *n_groups,
                ))),
                _ => None,
            })
            .collect();
        Ok(ReduceSpec {
            kind,
            skipna: false,
            ddof: 0,
            min_count: 0,
            keepdims: false,
            roles,
            in_grid,
            in_dtype,
            group_chunks,
        })
    }

    /// How grouped axis `axis` is chunked in the output (`None` for other axes).
    pub(crate) fn group_chunks(&self, axis: usize) -> Option<&GroupChunks> {
        self.group_chunks.get(axis)?.as_deref()
    }

    fn grouped(&self, axis: usize) -> &GroupChunks {
        self.group_chunks(axis)
            .expect("every grouped axis has its output chunks")
    }

    /// The groups of the output chunks fed by input positions `inputs` along grouped
    /// axis `axis`: the cells a partial for those inputs holds.
    pub fn group_cells(
        &self,
        axis: usize,
        inputs: &std::ops::Range<usize>,
    ) -> std::ops::Range<usize> {
        let g = self.grouped(axis);
        if inputs.is_empty() {
            return 0..0;
        }
        let first = g.of_input(self.in_grid.chunk_of(axis, inputs.start));
        let last = g.of_input(self.in_grid.chunk_of(axis, inputs.end - 1));
        g.groups(first).start..g.groups(last).end
    }

    /// For groups `groups` of grouped axis `axis`: the input positions of the output
    /// chunks that hold them, and those chunks' groups.
    pub fn group_inputs(
        &self,
        axis: usize,
        groups: &std::ops::Range<usize>,
    ) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let g = self.grouped(axis);
        let outs = g.overlapping(groups);
        if outs.is_empty() {
            return (0..0, groups.start..groups.start);
        }
        let offsets = self.in_grid.axis_offsets(axis);
        let inputs = offsets[g.inputs(outs.start).start]..offsets[g.inputs(outs.end - 1).end];
        (
            inputs,
            g.groups(outs.start).start..g.groups(outs.end - 1).end,
        )
    }

    /// Output dtype.
    pub fn out_dtype(&self) -> DType {
        let d = self
            .kind
            .out_dtype(self.in_dtype)
            .expect("validated in ReduceSpec::new");
        if self.min_count > 0 && matches!(self.kind, ReduceKind::Sum | ReduceKind::Prod) {
            d.float_result()
        } else {
            d
        }
    }

    /// Output chunk grid (and so shape).
    pub fn out_grid(&self) -> ChunkGrid {
        let mut chunks = vec![];
        for (axis, r) in self.roles.iter().enumerate() {
            match r {
                AxisRole::Keep => chunks.push(self.in_grid.axis_chunks(axis).to_vec()),
                AxisRole::Reduce if self.keepdims => chunks.push(vec![1]),
                AxisRole::Reduce => {}
                AxisRole::Group { .. } => chunks.push(self.grouped(axis).sizes()),
            }
        }
        ChunkGrid::new(chunks).expect("derived grid is valid")
    }

    /// The single reduced axis, for argmin/argmax.
    pub fn arg_axis(&self) -> Option<usize> {
        self.roles.iter().position(|r| *r == AxisRole::Reduce)
    }

    /// A compact description of the roles, for plans.
    pub fn roles_summary(&self) -> String {
        self.roles
            .iter()
            .map(|r| match r {
                AxisRole::Keep => "k".to_string(),
                AxisRole::Reduce => "r".to_string(),
                AxisRole::Group { n_groups, .. } => format!("g{n_groups}"),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// For an input block index, the index of the output chunk it contributes to.
    pub fn out_chunk_of_block(&self, block: &[usize]) -> Vec<usize> {
        let mut out = vec![];
        for (axis, r) in self.roles.iter().enumerate() {
            match r {
                AxisRole::Keep => out.push(block[axis]),
                AxisRole::Reduce if self.keepdims => out.push(0),
                AxisRole::Reduce => {}
                AxisRole::Group { .. } => out.push(self.grouped(axis).of_input(block[axis])),
            }
        }
        out
    }

    /// True if some output chunk has no input block (a reduced or grouped axis of
    /// length 0): such chunks are finished without being fed.
    pub fn has_unfed_out_chunks(&self) -> bool {
        self.roles
            .iter()
            .enumerate()
            .any(|(axis, r)| *r != AxisRole::Keep && self.in_grid.axis_chunks(axis).is_empty())
    }

    /// The input chunks feeding output chunk `out_idx`, as a range of chunk indices
    /// along each input axis.
    pub(crate) fn blocks_along(&self, out_idx: &[usize]) -> Vec<std::ops::Range<usize>> {
        let mut out_axis = 0;
        let mut along = vec![];
        for (axis, r) in self.roles.iter().enumerate() {
            along.push(match r {
                AxisRole::Keep => {
                    out_axis += 1;
                    out_idx[out_axis - 1]..out_idx[out_axis - 1] + 1
                }
                AxisRole::Reduce => {
                    out_axis += usize::from(self.keepdims);
                    0..self.in_grid.axis_chunks(axis).len()
                }
                AxisRole::Group { .. } => {
                    out_axis += 1;
                    self.grouped(axis).inputs(out_idx[out_axis - 1])
                }
            });
        }
        along
    }

    /// How many input blocks feed output chunk `out_idx`.
    pub fn blocks_of_out_chunk(&self, out_idx: &[usize]) -> usize {
        self.blocks_along(out_idx).iter().map(|r| r.len()).product()
    }
}
