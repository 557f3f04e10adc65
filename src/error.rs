//! The one error type of the crate.
//!
//! Every variant says what went wrong in the user's terms (the axis, the shapes,
//! the dtype, the text they wrote) so that the message alone is enough to fix the
//! input. Nothing in tessera panics on bad input; it returns one of these.

use crate::engine::DType;

/// A lower-level error kept as the [`source`](std::error::Error::source) of an [`Error`].
#[cfg(feature = "zarr")]
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The `message` and `source` of an error caused by `cause`: `"context: cause"` (the
/// cause's text alone when `context` is empty), and the cause itself, so that the
/// message reads as before and [`source()`](std::error::Error::source) walks to it.
#[cfg(feature = "zarr")]
pub(crate) fn caused_by(context: &str, cause: impl Into<BoxError>) -> (String, Option<BoxError>) {
    let cause = cause.into();
    let message = if context.is_empty() {
        cause.to_string()
    } else {
        format!("{context}: {cause}")
    };
    (message, Some(cause))
}

/// Result alias used throughout tessera.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in tessera.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two shapes that must agree (or broadcast) do not.
    #[error("shape mismatch in {op}: {left:?} and {right:?} cannot be combined")]
    ShapeMismatch {
        /// The operation that was attempted.
        op: String,
        /// Shape of the first operand.
        left: Vec<usize>,
        /// Shape of the second operand.
        right: Vec<usize>,
    },

    /// An axis number is out of range for the array's number of dimensions.
    #[error("axis {axis} is out of range for an array with {ndim} dimension(s)")]
    AxisOutOfRange {
        /// The axis the user asked for.
        axis: isize,
        /// The number of dimensions the array has.
        ndim: usize,
    },

    /// An operation does not support the array's dtype.
    #[error("{op} does not support dtype {dtype}")]
    UnsupportedDType {
        /// The operation that was attempted.
        op: String,
        /// The dtype it was given.
        dtype: DType,
    },

    /// A value had a different dtype than the one asked for.
    #[error("dtype mismatch: expected {expected}, found {found}")]
    DTypeMismatch {
        /// The dtype that was required.
        expected: DType,
        /// The dtype that was found.
        found: DType,
    },

    /// A chunk specification does not add up to the array's shape.
    #[error("invalid chunks: {0}")]
    InvalidChunks(String),

    /// An index or slice is outside the array.
    #[error("index out of bounds: {0}")]
    IndexOutOfBounds(String),

    /// An argument is invalid for a reason described in the message.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// A chunk source failed to produce a chunk.
    #[error("reading chunk {chunk:?} of {source_name} failed: {message}")]
    SourceRead {
        /// Which source (a path, URL or description).
        source_name: String,
        /// The region that was requested.
        chunk: Vec<std::ops::Range<usize>>,
        /// What the source reported.
        message: String,
        /// The lower error that caused it (zarrs, object_store, serde_json, std::io), if any;
        /// [`source()`](std::error::Error::source) returns it.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },

    /// A user-supplied function panicked while running inside the executor.
    #[error("user function panicked in {context}: {message}")]
    UserPanic {
        /// Where it ran (for example `map_blocks`).
        context: String,
        /// The panic payload, when it was a string.
        message: String,
    },

    /// A user-supplied function returned an error or a wrongly shaped chunk.
    #[error("user function failed in {context}: {message}")]
    UserFunction {
        /// Where it ran (for example `map_blocks`).
        context: String,
        /// What went wrong.
        message: String,
    },

    /// A reduction had nothing to reduce where numpy raises (e.g. `nanargmin` of an all-NaN slice).
    #[error("{0}")]
    EmptyReduction(String),

    /// CF time units that cannot be parsed, such as `"fortnights after 2000"`.
    #[error("cannot parse time units {units:?}: {reason}")]
    InvalidTimeUnits {
        /// The units attribute as written.
        units: String,
        /// Why it was rejected.
        reason: String,
    },

    /// A calendar name that is not one of the CF calendars.
    #[error(
        "unknown calendar {0:?} (known: standard, gregorian, proleptic_gregorian, noleap, 365_day, all_leap, 366_day, 360_day, julian)"
    )]
    UnknownCalendar(String),

    /// A date or datetime string that cannot be parsed, or a date that does not exist in its calendar.
    #[error("invalid date {input:?}: {reason}")]
    InvalidDate {
        /// The text or date as given.
        input: String,
        /// Why it was rejected.
        reason: String,
    },

    /// A dimension name that the object does not have.
    #[error("unknown dimension {dim:?} (dims are {dims:?})")]
    UnknownDimension {
        /// The name the user wrote.
        dim: String,
        /// The dimensions that exist.
        dims: Vec<String>,
    },

    /// A variable or coordinate name that does not exist.
    #[error("no variable named {name:?} (variables are {available:?})")]
    UnknownVariable {
        /// The name the user wrote.
        name: String,
        /// The names that exist.
        available: Vec<String>,
    },

    /// A label that is not in an index.
    #[error("label {label} not found in index {dim:?}{hint}")]
    LabelNotFound {
        /// The label as written.
        label: String,
        /// The dimension searched.
        dim: String,
        /// Nearest existing labels, formatted as ` (nearest: ...)`, or empty.
        hint: String,
    },

    /// An index that must be sorted is not.
    #[error("index {dim:?} is not monotonic, so {op} is not possible; sort it first")]
    NonMonotonicIndex {
        /// The dimension.
        dim: String,
        /// What needed it sorted (a label slice, nearest lookup).
        op: String,
    },

    /// Objects whose indexes disagree where they must be equal.
    #[error("cannot align on {dim:?} with join={join}: {reason}")]
    Alignment {
        /// The dimension.
        dim: String,
        /// The join method.
        join: String,
        /// What differs.
        reason: String,
    },

    /// Two variables of the same name conflict in a merge.
    #[error("conflicting values for variable {name:?} in merge")]
    MergeConflict {
        /// The variable.
        name: String,
    },

    /// Writing a figure or report failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A store that cannot be opened, or a read, write or listing in it that failed.
    #[error("store error at {url} (key {key:?}): {message}")]
    Store {
        /// The store URL as the user wrote it.
        url: String,
        /// The key involved (empty for the store itself).
        key: String,
        /// What went wrong.
        message: String,
        /// The lower error that caused it (zarrs, object_store, serde_json, std::io), if any;
        /// [`source()`](std::error::Error::source) returns it.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },

    /// Zarr metadata that is missing, malformed or not supported.
    #[error("bad Zarr metadata in {url} at key {key:?}: {message}")]
    ZarrMetadata {
        /// The store URL.
        url: String,
        /// The metadata key (`zarr.json`, `x/.zarray`, ...).
        key: String,
        /// What is wrong with it.
        message: String,
        /// The lower error that caused it (zarrs, object_store, serde_json, std::io), if any;
        /// [`source()`](std::error::Error::source) returns it.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },

    /// A grouping key does not run along the grouped object's dimension.
    #[error("cannot group by {key:?}: {reason}")]
    InvalidGroup {
        /// What the user grouped by.
        key: String,
        /// Why it cannot be used (lengths, dims, dtype).
        reason: String,
    },

    /// A resampling frequency string that is not understood.
    #[error("unknown resample frequency {freq:?}; accepted: {accepted}")]
    UnknownFrequency {
        /// What the user wrote.
        freq: String,
        /// The accepted forms.
        accepted: String,
    },

    /// A variable whose CF attributes cannot be decoded or encoded.
    #[error("cannot CF-decode variable {variable:?}: {reason}")]
    CfVariable {
        /// The variable.
        variable: String,
        /// What was wrong, quoting the attribute as written.
        reason: String,
    },
    /// Drawing a figure failed inside the plotting backend.
    #[error("plot: {0}")]
    Plot(String),

    /// The same dimension (or axis) named twice where each may appear once.
    #[error("dimension {dim} given more than once in {op}")]
    DuplicateDimension {
        /// The repeated name, or `axis N` for positional operations.
        dim: String,
        /// The operation and what it was given.
        op: String,
    },

    /// An operation that needs numbers (or dates) was given something else.
    #[error("{op} needs numeric values, but {what} holds {found}")]
    NotNumeric {
        /// The operation that was attempted.
        op: String,
        /// The variable or coordinate involved.
        what: String,
        /// What it holds instead (a dtype, `strings`).
        found: String,
    },

    /// A path or URL that is not a dataset tessera can open: neither a Zarr store nor a
    /// netCDF/HDF5 file.
    #[error("cannot open {path} as a dataset: {reason}")]
    NotADataset {
        /// The path or URL as the user wrote it.
        path: String,
        /// What was found there instead.
        reason: String,
    },

    /// A file whose reader is behind a cargo feature this build does not have.
    #[error("{path} is a {format} file; build tessera with `--features {feature}` to open it")]
    FeatureRequired {
        /// The file.
        path: String,
        /// What kind of file it is (`netCDF/HDF5`).
        format: String,
        /// The cargo feature that reads it.
        feature: String,
    },

    /// A glob pattern that matched no file.
    #[error("no files match {pattern:?}")]
    NoFilesMatched {
        /// The pattern as the user wrote it.
        pattern: String,
    },

    /// One file of a multi-file dataset that does not fit with the others.
    #[error("cannot combine {path} with the other files: coordinate or variable {name:?} {reason}")]
    FileMismatch {
        /// The file that does not fit.
        path: String,
        /// The coordinate (or variable) that disagrees.
        name: String,
        /// How it disagrees, and with which file.
        reason: String,
    },

    /// A broken invariant inside tessera: a bug, never the user's input.
    #[error("internal error in {context}: {message} (a bug in tessera; please report it)")]
    Internal {
        /// The part of tessera whose invariant broke (an optimizer rule, the executor).
        context: String,
        /// What was found.
        message: String,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }

    /// Shorthand for [`Error::Internal`].
    pub(crate) fn internal(context: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Internal {
            context: context.into(),
            message: message.into(),
        }
    }
}

/// Returns early with an error: `bail!("text {x}")` gives [`Error::InvalidArgument`],
/// `bail!(expr)` returns any value that converts into [`Error`].
macro_rules! bail {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {
        return Err($crate::Error::InvalidArgument(format!($fmt $(, $arg)*)))
    };
    ($err:expr $(,)?) => {
        return Err($crate::Error::from($err))
    };
}

/// Checks a condition in one line: `ensure!(cond, "text {x}")` or `ensure!(cond, error)`
/// returns that error (as [`bail!`] builds it) when `cond` is false.
macro_rules! ensure {
    ($cond:expr, $($rest:tt)+) => {
        if !$cond {
            $crate::error::bail!($($rest)+);
        }
    };
}

pub(crate) use {bail, ensure};

#[cfg(test)]
mod tests {
    use super::*;

    fn positive(x: i64) -> Result<i64> {
        ensure!(x > 0, "x must be positive, got {x}");
        ensure!(x < 100, Error::internal("test", "too large"));
        Ok(x)
    }

    fn always_fails() -> Result<()> {
        bail!(Error::UnknownCalendar("julian2".into()))
    }

    #[test]
    fn ensure_and_bail_build_the_errors_they_name() {
        assert_eq!(positive(3).unwrap(), 3);
        assert_eq!(
            positive(-1).unwrap_err().to_string(),
            "invalid argument: x must be positive, got -1"
        );
        assert!(matches!(positive(200), Err(Error::Internal { .. })));
        assert!(matches!(always_fails(), Err(Error::UnknownCalendar(_))));
    }
}
