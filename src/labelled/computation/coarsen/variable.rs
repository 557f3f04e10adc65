//! One variable coarsened: numbers through one grouped engine node, CF instants as
//! shifted floats turned back into instants.

use super::windows::DimWindows;
use crate::engine::{BinaryOp, DType, LazyArray, ReduceKind, ReduceOptions};
use crate::error::ensure;
use crate::labelled::core::index::{Index, IndexValues};
use crate::labelled::core::variable::{Attrs, Variable};
use crate::time::NAT;
use crate::{Error, Result};

/// The statistic of each window.
#[derive(Clone, Copy)]
pub(super) struct Stat {
    pub(super) kind: ReduceKind,
    pub(super) ddof: usize,
}

/// One variable coarsened along the windows' dims it has (unchanged if none).
pub(super) fn coarsen_variable(
    var: &Variable,
    wins: &[DimWindows],
    stat: Stat,
    keep_attrs: bool,
    index: Option<&Index>,
    what: &str,
) -> Result<Variable> {
    let attrs = if keep_attrs {
        var.attrs().clone()
    } else {
        Attrs::new()
    };
    let own: Vec<&DimWindows> = wins.iter().filter(|w| var.has_dim(&w.dim)).collect();
    if own.is_empty() {
        return Ok(var.clone().with_attrs(attrs));
    }
    ensure!(
        !var.is_strings(),
        Error::NotNumeric {
            op: format!("coarsen with {:?}", stat.kind),
            what: what.to_string(),
            found: "strings (drop it first)".into(),
        }
    );
    let groups = own
        .iter()
        .map(|w| Ok((var.axis(&w.dim)?, w.labels.clone(), w.n_groups)))
        .collect::<Result<Vec<_>>>()?;
    let opts = ReduceOptions {
        skipna: true,
        ddof: stat.ddof,
        ..Default::default()
    };
    let (data, encoding) = if var.is_datetime() {
        let data = coarsen_instants(var.data(), groups, stat.kind, opts, index, what)?;
        (data, var.encoding().clone())
    } else {
        let mut x = var.data().clone();
        if own.iter().any(|w| w.padded) && !x.dtype().is_float() {
            x = x.cast(DType::F64)?;
        }
        (x.group_reduce_axes(stat.kind, groups, opts)?, Attrs::new())
    };
    Ok(Variable::new(var.dims().to_vec(), data)?
        .with_attrs(attrs)
        .with_encoding(encoding))
}

/// Coarsens CF instants: mean, min and max stay instants, counts are counts, NaT is
/// skipped. Values are shifted by the index's first instant before averaging, so
/// window sums stay far below 2^53 µs and means are exact to the microsecond.
fn coarsen_instants(
    x: &LazyArray,
    groups: Vec<(usize, Vec<i64>, usize)>,
    kind: ReduceKind,
    opts: ReduceOptions,
    index: Option<&Index>,
    what: &str,
) -> Result<LazyArray> {
    if !matches!(
        kind,
        ReduceKind::Mean | ReduceKind::Min | ReduceKind::Max | ReduceKind::Count
    ) {
        return Err(Error::UnsupportedDType {
            op: format!("coarsen {kind:?} of the datetimes of {what}"),
            dtype: x.dtype(),
        });
    }
    let offset = match index.map(Index::values) {
        Some(IndexValues::Time { values, .. }) => {
            values.iter().copied().find(|&t| t != NAT).unwrap_or(0)
        }
        _ => 0,
    } as f64;
    let nat = NAT as f64;
    let as_float = x.cast(DType::F64)?;
    let valid = as_float.binary_scalar(BinaryOp::Ne, nat, false)?;
    let shifted = as_float.binary_scalar(BinaryOp::Sub, offset, false)?;
    let reduced = valid
        .select_scalar(&shifted, f64::NAN)?
        .group_reduce_axes(kind, groups, opts)?;
    if kind == ReduceKind::Count {
        return Ok(reduced);
    }
    // NaN (a window of NaT only) casts to NaT exactly: i64::MIN is a power of two.
    reduced
        .binary_scalar(BinaryOp::Add, offset, false)?
        .fillna(nat)?
        .cast(DType::I64)
}
