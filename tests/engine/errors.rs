//! Bad input gives an [`Error`], never an abort or a hang, and the thread pool stays
//! usable afterwards.
//!
//! Every failing case runs under a watchdog (a hang fails the test instead of
//! blocking CI), asserts on the error variant and on what its message tells the user,
//! and is followed by a normal computation on the same number of threads whose value
//! is checked.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use ndarray::{ArrayD, IxDyn};
use tessera::Error;
use tessera::engine::region_shape;
use tessera::engine::*;

/// Worker threads for every computation here: more than one, so that failures race
/// with other tasks.
const THREADS: usize = 4;

/// How long any single case may take before it counts as a hang.
const WATCHDOG: Duration = Duration::from_secs(30);

/// Runs `f` on its own thread and returns its value; fails the test if `f` does not
/// finish within [`WATCHDOG`] (a hang) or panics (bad input must not panic).
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(v) => v,
        Err(RecvTimeoutError::Timeout) => {
            panic!("{what}: did not finish within {WATCHDOG:?} (hang)")
        }
        Err(RecvTimeoutError::Disconnected) => {
            panic!("{what}: panicked instead of returning an Error")
        }
    }
}

/// A computation with many chunks on `threads` workers whose result is known, run
/// under the watchdog: proves the pool still works after a failure.
fn assert_pool_usable(threads: usize) {
    within("a normal computation after a failure", move || {
        // a[i, j] = 30 i + j; column sums are 30 * (0 + ... + 39) + 40 j.
        let a = LazyArray::from_ndarray(
            ArrayD::from_shape_fn(IxDyn(&[40, 30]), |i| (30 * i[0] + i[1]) as f64),
            &[7, 8],
        )
        .unwrap();
        let cols = a.sum(&[0]).unwrap();
        let doubled = LazyArray::map_blocks(&[&a], "double", DType::F64, |b| {
            Ok(ArrayData::new(b[0].as_typed::<f64>()?.mapv(|v| 2.0 * v)))
        })
        .unwrap()
        .reduce_all(ReduceKind::Sum, ReduceOptions::default())
        .unwrap();
        let out = Compute::new()
            .threads(threads)
            .memory_limit(1 << 20)
            .run(&[&cols, &doubled])
            .unwrap();
        let want: Vec<f64> = (0..30).map(|j| 30.0 * 780.0 + 40.0 * j as f64).collect();
        assert_eq!(out[0].to_f64_vec(), want);
        assert_eq!(out[1].to_f64_vec(), vec![2.0 * want.iter().sum::<f64>()]);
    });
}

/// Computes `arrays` with [`THREADS`] workers under the watchdog and returns the
/// error the computation must give; then checks the pool is still usable.
fn compute_error(what: &str, arrays: Vec<LazyArray>, memory_limit: usize) -> Error {
    let label = what.to_string();
    let result = within(what, move || {
        let refs: Vec<&LazyArray> = arrays.iter().collect();
        Compute::new()
            .threads(THREADS)
            .memory_limit(memory_limit)
            .run(&refs)
            .map(|_| ())
    });
    let err = match result {
        Ok(()) => panic!("{label}: computed without an error"),
        Err(e) => e,
    };
    assert_pool_usable(THREADS);
    err
}

/// Checks an error raised while building the graph (no computation starts), then
/// that computing still works.
fn build_error<T>(what: &str, r: tessera::Result<T>) -> Error {
    let err = match r {
        Ok(_) => panic!("{what}: was accepted"),
        Err(e) => e,
    };
    assert_pool_usable(THREADS);
    err
}

fn ones(shape: &[usize], chunk: &[usize]) -> LazyArray {
    LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(shape), 1.0f64), chunk).unwrap()
}

fn bools(shape: &[usize], chunk: &[usize]) -> LazyArray {
    LazyArray::from_ndarray(ArrayD::from_elem(IxDyn(shape), true), chunk).unwrap()
}

fn assert_mentions(err: &Error, parts: &[&str]) {
    let msg = err.to_string();
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} does not mention {p:?}");
    }
}

// ---------------------------------------------------------------------------
// Shape mismatches
// ---------------------------------------------------------------------------

#[test]
fn binary_op_of_shapes_that_do_not_broadcast_is_a_shape_mismatch() {
    let a = ones(&[3, 4], &[2, 2]);
    let b = ones(&[5], &[5]);
    let err = build_error("[3, 4] + [5]", a.add(&b));
    match &err {
        Error::ShapeMismatch { left, right, .. } => {
            assert_eq!((left.as_slice(), right.as_slice()), (&[3, 4][..], &[5][..]));
        }
        other => panic!("expected ShapeMismatch, got {other:?}"),
    }
    assert_mentions(&err, &["[3, 4]", "[5]", "elementwise"]);

    // Broadcasting that does work stays allowed: [3, 4] + [4].
    let ok = a.add(&ones(&[4], &[4])).unwrap().compute().unwrap();
    assert_eq!(ok.to_f64_vec(), vec![2.0; 12]);

    let err = build_error("broadcast_to", a.broadcast_to(&[3, 5]));
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err:?}");
    assert_mentions(&err, &["broadcast_to", "[3, 4]", "[3, 5]"]);
}

#[test]
fn concat_of_mismatched_shapes_is_a_shape_mismatch() {
    let a = ones(&[2, 3], &[1, 3]);
    let b = ones(&[2, 4], &[1, 4]);
    let err = build_error("concat [2, 3] with [2, 4]", LazyArray::concat(&[&a, &b], 0));
    match &err {
        Error::ShapeMismatch { op, left, right } => {
            assert!(op.contains("concat") && op.contains("axis 0"), "{op}");
            assert_eq!(
                (left.as_slice(), right.as_slice()),
                (&[2, 3][..], &[2, 4][..])
            );
        }
        other => panic!("expected ShapeMismatch, got {other:?}"),
    }
    // Different numbers of dimensions.
    let c = ones(&[2], &[2]);
    let err = build_error("concat 2-d with 1-d", LazyArray::concat(&[&a, &c], 0));
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err:?}");
    // Nothing to concatenate, and an axis that does not exist.
    let err = build_error("concat of nothing", LazyArray::concat(&[], 0));
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_mentions(&err, &["concat"]);
    let err = build_error("concat along axis 2", LazyArray::concat(&[&a, &a], 2));
    assert!(
        matches!(err, Error::AxisOutOfRange { axis: 2, ndim: 2 }),
        "{err:?}"
    );
    let err = build_error("stack of different shapes", LazyArray::stack(&[&a, &b], 0));
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err:?}");
}

#[test]
fn bad_chunk_specifications_are_invalid_chunks() {
    let data = || ArrayD::from_elem(IxDyn(&[6, 4]), 0.5f32);
    let err = build_error(
        "chunk spec with too few axes",
        LazyArray::from_ndarray(data(), &[2]),
    );
    assert!(matches!(err, Error::InvalidChunks(_)), "{err:?}");
    assert_mentions(&err, &["[2]", "1 axes", "2"]);

    let err = build_error("chunk length 0", LazyArray::from_ndarray(data(), &[2, 0]));
    assert!(matches!(err, Error::InvalidChunks(_)), "{err:?}");
    assert_mentions(&err, &["axis 1"]);

    // Explicit chunks that do not add up to the shape.
    let grid = ChunkGrid::new(vec![vec![2, 2], vec![4]]).unwrap();
    let err = build_error(
        "chunks adding up to 4 on an axis of 6",
        LazyArray::from_data(ArrayData::new(data()), grid),
    );
    assert!(matches!(err, Error::InvalidChunks(_)), "{err:?}");
    assert_mentions(&err, &["axis 0", "4", "6"]);

    let err = build_error(
        "a zero-length chunk among others",
        ChunkGrid::new(vec![vec![3, 0, 3]]),
    );
    assert!(matches!(err, Error::InvalidChunks(_)), "{err:?}");

    let a = LazyArray::from_ndarray(data(), &[2, 2]).unwrap();
    let err = build_error(
        "rechunk to a grid of another shape",
        a.rechunk(ChunkGrid::regular(&[5, 4], &[5, 4]).unwrap()),
    );
    assert!(matches!(err, Error::InvalidChunks(_)), "{err:?}");

    // map_blocks needs one grid for all inputs.
    let b = LazyArray::from_ndarray(data(), &[3, 4]).unwrap();
    let err = build_error(
        "map_blocks over different grids",
        LazyArray::map_blocks(&[&a, &b], "f", DType::F32, |b| Ok(b[0].clone())),
    );
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_mentions(&err, &["chunk grid"]);
    let err = build_error(
        "map_blocks without inputs",
        LazyArray::map_blocks(&[], "f", DType::F32, |b| Ok(b[0].clone())),
    );
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
}

// ---------------------------------------------------------------------------
// Axes and indices out of range
// ---------------------------------------------------------------------------

#[test]
fn axes_out_of_range_are_reported_with_the_axis_and_ndim() {
    let a = ones(&[4, 6], &[2, 3]);
    let cases: Vec<(&str, tessera::Result<LazyArray>)> = vec![
        ("sum over axis 2", a.sum(&[2])),
        ("mean over axes 0 and 7", a.mean(&[0, 7])),
        ("take on axis 2", a.take(2, &[0])),
        ("transpose [0, 2]", a.transpose(&[0, 2])),
        ("slice_axis on axis 2", a.slice_axis(2, None, None, 1)),
        ("cumsum along axis 2", a.cumsum(2, false)),
        (
            "group_reduce along axis 2",
            a.group_reduce(ReduceKind::Sum, 2, vec![0; 6], 1, ReduceOptions::default()),
        ),
        ("squeeze axis 5", a.squeeze(&[5])),
        ("expand_dims at 3", a.expand_dims(3)),
    ];
    for (what, r) in cases {
        let err = build_error(what, r);
        match err {
            Error::AxisOutOfRange { axis, ndim } => {
                let want_ndim = if what.starts_with("expand_dims") {
                    3
                } else {
                    2
                };
                assert_eq!(ndim, want_ndim, "{what}");
                assert!(axis >= ndim as isize, "{what}: axis {axis}");
                assert_mentions(
                    &err,
                    &[&format!("axis {axis}"), &format!("{ndim} dimension")],
                );
            }
            other => panic!("{what}: expected AxisOutOfRange, got {other:?}"),
        }
    }
}

#[test]
fn bad_permutations_slices_and_indices_are_errors() {
    let a = ones(&[4, 6], &[2, 3]);
    let err = build_error("transpose with a repeated axis", a.transpose(&[0, 0]));
    assert!(matches!(err, Error::DuplicateDimension { .. }), "{err:?}");
    assert_mentions(&err, &["axis 0 given more than once", "[0, 0]"]);

    let err = build_error("transpose with too few axes", a.transpose(&[1]));
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_mentions(&err, &["[1]"]);

    let err = build_error("take index 6 of 6", a.take(1, &[0, 6]));
    assert!(matches!(err, Error::IndexOutOfBounds(_)), "{err:?}");
    assert_mentions(&err, &["index 6", "axis 1", "length 6"]);

    let err = build_error("slice past the end", a.slice_ranges(&[0..4, 2..9]));
    assert!(matches!(err, Error::IndexOutOfBounds(_)), "{err:?}");
    assert_mentions(&err, &["axis 1", "length 6"]);

    let err = build_error(
        "slice with one entry for 2 axes",
        a.slice(&[AxisSlice::full(4)]),
    );
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");

    let err = build_error("slice step 0", a.slice_axis(0, None, None, 0));
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_mentions(&err, &["step"]);

    let err = build_error("squeeze of an axis of length 4", a.squeeze(&[0]));
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_mentions(&err, &["squeeze", "axis 0", "4"]);

    let err = build_error(
        "group labels of the wrong length",
        a.group_reduce(ReduceKind::Sum, 1, vec![0; 5], 1, ReduceOptions::default()),
    );
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err:?}");
}

// ---------------------------------------------------------------------------
// Dtypes
// ---------------------------------------------------------------------------

#[test]
fn where_with_a_non_boolean_condition_is_a_dtype_mismatch() {
    let x = ones(&[3, 4], &[3, 2]);
    let err = build_error("where(float, ...)", x.select(&x, &x));
    assert!(
        matches!(
            err,
            Error::DTypeMismatch {
                expected: DType::Bool,
                found: DType::F64
            }
        ),
        "{err:?}"
    );
    assert_mentions(&err, &["bool", "float64"]);
    let err = build_error("where(float, ..., scalar)", x.select_scalar(&x, 0.0));
    assert!(matches!(err, Error::DTypeMismatch { .. }), "{err:?}");

    // A boolean condition is accepted and computes.
    let c = bools(&[3, 4], &[3, 2]);
    let out = c.select_scalar(&x, 0.0).unwrap().compute().unwrap();
    assert_eq!(out.to_f64_vec(), vec![1.0; 12]);
}

#[test]
fn operations_that_do_not_support_a_dtype_say_which() {
    let b = bools(&[3, 4], &[3, 2]);
    let x = ones(&[3, 4], &[3, 2]);
    let cases: Vec<(&str, tessera::Result<LazyArray>, &str, DType)> = vec![
        ("bool + bool", b.add(&b), "Add", DType::Bool),
        ("bool * bool", b.mul(&b), "Mul", DType::Bool),
        ("-bool", b.unary(UnaryOp::Neg), "Neg", DType::Bool),
        ("not float", x.unary(UnaryOp::Not), "Not", DType::F64),
        (
            "float and float",
            x.binary(BinaryOp::And, &x),
            "And",
            DType::F64,
        ),
        ("std of bool", b.std(&[0], 0), "Std", DType::Bool),
    ];
    for (what, r, op_name, dtype) in cases {
        let err = build_error(what, r);
        match &err {
            Error::UnsupportedDType { op, dtype: d } => {
                assert_eq!(op, op_name, "{what}");
                assert_eq!(*d, dtype, "{what}");
            }
            other => panic!("{what}: expected UnsupportedDType, got {other:?}"),
        }
        assert_mentions(&err, &[op_name, dtype.name()]);
    }

    // Asking a computed result for the wrong element type.
    let data = x.compute().unwrap();
    let err = data.into_typed::<f32>().unwrap_err();
    assert!(
        matches!(
            err,
            Error::DTypeMismatch {
                expected: DType::F32,
                found: DType::F64
            }
        ),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------
// Failing sources
// ---------------------------------------------------------------------------

/// How [`FlakySource`] misbehaves on its bad row.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// `read` returns an error.
    Err,
    /// `read` panics.
    Panic,
    /// `read` returns a block of the wrong shape.
    WrongShape,
    /// `read` returns a block of the wrong dtype.
    WrongDType,
}

/// A float64 source of ones, chunked along axis 0, that fails on any region
/// containing row `bad_row`.
#[derive(Debug)]
struct FlakySource {
    shape: Vec<usize>,
    grid: ChunkGrid,
    bad_row: usize,
    fault: Fault,
}

impl FlakySource {
    fn new(rows: usize, cols: usize, rows_per_chunk: usize, bad_row: usize, fault: Fault) -> Self {
        FlakySource {
            shape: vec![rows, cols],
            grid: ChunkGrid::regular(&[rows, cols], &[rows_per_chunk, cols]).unwrap(),
            bad_row,
            fault,
        }
    }
}

impl ChunkSource for FlakySource {
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn dtype(&self) -> DType {
        DType::F64
    }
    fn chunks(&self) -> &ChunkGrid {
        &self.grid
    }
    fn read(&self, region: &[Range<usize>]) -> tessera::Result<ArrayData> {
        let shape = region_shape(region);
        if !region[0].contains(&self.bad_row) {
            return Ok(ArrayData::new(ArrayD::from_elem(IxDyn(&shape), 1.0f64)));
        }
        match self.fault {
            Fault::Err => Err(Error::SourceRead {
                source_name: self.describe(),
                chunk: region.to_vec(),
                message: "checksum mismatch".into(),
                source: None,
            }),
            Fault::Panic => panic!("flaky disk fell over at row {}", self.bad_row),
            Fault::WrongShape => {
                let mut bad = shape.clone();
                bad[1] += 1;
                Ok(ArrayData::new(ArrayD::from_elem(IxDyn(&bad), 1.0f64)))
            }
            Fault::WrongDType => Ok(ArrayData::new(ArrayD::from_elem(IxDyn(&shape), 1i32))),
        }
    }
    fn describe(&self) -> String {
        "flaky.bin".into()
    }
}

fn flaky(fault: Fault) -> LazyArray {
    // 64 rows in 16 chunks of 4; row 37 is in chunk 9 (rows 36..40).
    LazyArray::from_source(Arc::new(FlakySource::new(64, 8, 4, 37, fault)))
}

#[test]
fn a_source_read_error_surfaces_with_the_source_and_chunk() {
    let a = flaky(Fault::Err);
    // As an output of its own, through a reduction, and through a reduction nested
    // in another computation (staged first), with a budget that makes tasks wait.
    let doubled = a.binary_scalar(BinaryOp::Mul, 2.0, false).unwrap();
    let total = a.sum(&[0]).unwrap();
    let anomaly = a.sub(&a.mean(&[0]).unwrap()).unwrap();
    let cases = [
        ("elementwise over a failing source", doubled),
        ("sum over a failing source", total),
        ("anomaly of a failing source", anomaly),
    ];
    for (what, arr) in cases {
        for limit in [1 << 30, 1] {
            let err = compute_error(what, vec![arr.clone()], limit);
            match &err {
                Error::SourceRead {
                    source_name,
                    chunk,
                    message,
                    ..
                } => {
                    assert_eq!(source_name, "flaky.bin", "{what}");
                    assert_eq!(chunk, &vec![36..40, 0..8], "{what}");
                    assert_eq!(message, "checksum mismatch", "{what}");
                }
                other => panic!("{what}: expected SourceRead, got {other:?}"),
            }
            assert_mentions(&err, &["flaky.bin", "36..40", "checksum mismatch"]);
        }
    }
}

#[test]
fn one_failing_output_fails_the_whole_run_without_hanging() {
    let bad = flaky(Fault::Err);
    let good = ones(&[64, 8], &[4, 8]).sum(&[0]).unwrap();
    let bad = bad.sum(&[1]).unwrap();
    let err = compute_error("a good and a bad output", vec![good.clone(), bad], 1 << 20);
    assert!(matches!(err, Error::SourceRead { .. }), "{err:?}");
    // The good output alone still computes.
    let out = within("the good output alone", move || {
        Compute::new().threads(THREADS).run(&[&good]).unwrap()
    });
    assert_eq!(out[0].to_f64_vec(), vec![64.0; 8]);
}

#[test]
fn a_panicking_source_becomes_a_user_panic() {
    let a = flaky(Fault::Panic);
    for arr in [a.clone(), a.sum(&[0]).unwrap()] {
        let err = compute_error("a panicking source", vec![arr], 1 << 20);
        match &err {
            Error::UserPanic { message, .. } => {
                assert!(
                    message.contains("flaky disk fell over at row 37"),
                    "{message}"
                );
            }
            other => panic!("expected UserPanic, got {other:?}"),
        }
    }
}

#[test]
fn a_source_returning_a_wrong_block_is_an_error_not_an_abort() {
    // The evaluator checks every block a source returns against the region it asked
    // for, so a wrong block is a SourceRead error naming the source, wherever it is
    // used, and the pool keeps working.
    for fault in [Fault::WrongShape, Fault::WrongDType] {
        let a = flaky(fault);
        for (name, arr) in [
            ("as the output", a.clone()),
            ("through a sum", a.sum(&[0]).unwrap()),
            (
                "through an elementwise add",
                a.binary_scalar(BinaryOp::Add, 1.0, false).unwrap(),
            ),
        ] {
            let what = format!("a source returning a block with {fault:?} {name}");
            let label = what.clone();
            let result = within(&what, move || {
                Compute::new()
                    .threads(THREADS)
                    .memory_limit(1 << 20)
                    .run(&[&arr])
            });
            match result {
                Err(e @ Error::SourceRead { .. }) => {
                    let msg = e.to_string();
                    assert!(
                        msg.contains("flaky") && msg.contains("expected"),
                        "{label}: {msg}"
                    );
                }
                Ok(_) => panic!("{label}: computed without an error"),
                Err(other) => panic!("{label}: unexpected error {other:?}"),
            }
            assert_pool_usable(THREADS);
        }
    }
}

#[test]
fn a_generator_error_or_wrong_chunk_surfaces_as_an_error() {
    let grid = ChunkGrid::regular(&[40, 10], &[4, 10]).unwrap();
    let failing = LazyArray::from_fn("sensor-feed", DType::F32, grid.clone(), |idx, region| {
        if idx[0] == 5 {
            return Err(Error::SourceRead {
                source_name: "sensor-feed".into(),
                chunk: region.to_vec(),
                message: "station offline".into(),
                source: None,
            });
        }
        Ok(ArrayData::zeros(DType::F32, &region_shape(region)))
    });
    let err = compute_error(
        "a generator returning Err",
        vec![failing.sum(&[0]).unwrap()],
        1 << 20,
    );
    assert!(matches!(err, Error::SourceRead { .. }), "{err:?}");
    assert_mentions(&err, &["sensor-feed", "20..24", "station offline"]);

    let wrong = LazyArray::from_fn("short-rows", DType::F32, grid, |idx, region| {
        let mut shape = region_shape(region);
        if idx[0] == 3 {
            shape[1] -= 1;
        }
        Ok(ArrayData::zeros(DType::F32, &shape))
    });
    let err = compute_error("a generator returning a short chunk", vec![wrong], 1 << 20);
    assert!(matches!(err, Error::SourceRead { .. }), "{err:?}");
    assert_mentions(&err, &["short-rows", "shape [4, 9]", "[4, 10]"]);
}

// ---------------------------------------------------------------------------
// Panics in user closures
// ---------------------------------------------------------------------------

#[test]
fn a_panic_in_map_blocks_becomes_a_user_panic() {
    let a = ones(&[64, 8], &[4, 8]);
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let boom = LazyArray::map_blocks(&[&a], "calibrate", DType::F64, move |b| {
        if s.fetch_add(1, Ordering::SeqCst) == 6 {
            panic!("calibration table missing");
        }
        Ok(b[0].clone())
    })
    .unwrap();
    // Directly, through a fused elementwise chain and a reduction, and nested.
    let cases = [
        boom.clone(),
        boom.binary_scalar(BinaryOp::Mul, 3.0, false)
            .unwrap()
            .sum(&[0])
            .unwrap(),
        boom.sub(&boom.mean(&[0]).unwrap()).unwrap(),
    ];
    for arr in cases {
        for limit in [1 << 30, 1] {
            seen.store(0, Ordering::SeqCst);
            let err = compute_error("a panicking map_blocks", vec![arr.clone()], limit);
            match &err {
                Error::UserPanic { context, message } => {
                    assert!(context.contains("map_blocks calibrate"), "{context}");
                    assert_eq!(message, "calibration table missing");
                }
                other => panic!("expected UserPanic, got {other:?}"),
            }
            assert_mentions(&err, &["calibrate", "calibration table missing"]);
        }
    }
}

#[test]
fn a_panic_with_a_non_string_payload_is_still_an_error() {
    let a = ones(&[16, 4], &[2, 4]);
    let boom = LazyArray::map_blocks(&[&a], "odd", DType::F64, |_| {
        std::panic::panic_any(42u32);
    })
    .unwrap();
    let err = compute_error("panic_any(42)", vec![boom], 1 << 20);
    assert!(matches!(err, Error::UserPanic { .. }), "{err:?}");
}

#[test]
fn map_blocks_errors_and_wrong_blocks_are_user_function_errors() {
    let a = ones(&[16, 4], &[2, 4]);
    let wrong_shape = LazyArray::map_blocks(&[&a], "trim", DType::F64, |b| {
        Ok(b[0].slice_region(&[0..1, 0..4]))
    })
    .unwrap();
    let err = compute_error(
        "map_blocks returning a smaller block",
        vec![wrong_shape],
        1 << 20,
    );
    match &err {
        Error::UserFunction { context, message } => {
            assert!(context.contains("trim"), "{context}");
            assert!(
                message.contains("[1, 4]") && message.contains("[2, 4]"),
                "{message}"
            );
        }
        other => panic!("expected UserFunction, got {other:?}"),
    }

    let wrong_dtype = LazyArray::map_blocks(&[&a], "as-f32", DType::F64, |b| {
        Ok(b[0].clone().cast(DType::F32))
    })
    .unwrap();
    let err = compute_error(
        "map_blocks returning float32 for float64",
        vec![wrong_dtype],
        1 << 20,
    );
    assert!(matches!(err, Error::UserFunction { .. }), "{err:?}");
    assert_mentions(&err, &["as-f32", "float32", "float64"]);

    let failing = LazyArray::map_blocks(&[&a], "validate", DType::F64, |_| {
        Err(Error::InvalidArgument("value out of physical range".into()))
    })
    .unwrap();
    let err = compute_error(
        "map_blocks returning Err",
        vec![failing.sum(&[0]).unwrap()],
        1 << 20,
    );
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_mentions(&err, &["value out of physical range"]);
}

/// With several workers, many failing chunks report the first failing one in task
/// order, not whichever failed first in time: the same input gives the same message on
/// any number of threads. The first failing chunk fails last, to tempt a race.
#[test]
fn the_error_reported_is_the_first_failing_chunk_in_order() {
    let grid = ChunkGrid::regular(&[64, 8], &[2, 8]).unwrap();
    let a = LazyArray::from_fn("checked", DType::F64, grid, |idx, region| {
        if idx[0] == 5 {
            std::thread::sleep(Duration::from_millis(30));
        }
        if idx[0] >= 5 {
            return Err(Error::InvalidArgument(format!("bad chunk {idx:?}")));
        }
        Ok(ArrayData::zeros(DType::F64, &region_shape(region)))
    });
    for arr in [a.clone(), a.sum(&[0]).unwrap(), a.mul(&a).unwrap()] {
        for _ in 0..5 {
            let err = compute_error("many failing chunks", vec![arr.clone()], 1 << 30);
            assert_eq!(err.to_string(), "invalid argument: bad chunk [5, 0]");
        }
    }
}

#[test]
fn a_panic_in_a_from_fn_generator_becomes_a_user_panic() {
    let grid = ChunkGrid::regular(&[48, 16], &[3, 16]).unwrap();
    let a = LazyArray::from_fn("synthetic", DType::F64, grid, |idx, region| {
        if idx[0] == 11 {
            panic!("generator exploded at chunk {idx:?}");
        }
        Ok(ArrayData::zeros(DType::F64, &region_shape(region)))
    });
    let cases = [
        a.clone(),
        a.sum(&[0]).unwrap(),
        a.sub(&a.mean(&[0]).unwrap()).unwrap(),
        a.cumsum(0, false).unwrap(),
    ];
    for arr in cases {
        for limit in [1 << 30, 1] {
            let err = compute_error("a panicking generator", vec![arr.clone()], limit);
            match &err {
                Error::UserPanic { message, .. } => {
                    assert_eq!(message, "generator exploded at chunk [11, 0]");
                }
                other => panic!("expected UserPanic, got {other:?}"),
            }
            assert_mentions(&err, &["generator exploded at chunk [11, 0]"]);
        }
    }
}

#[test]
fn many_failures_in_a_row_leave_the_pool_working() {
    let grid = ChunkGrid::regular(&[32, 4], &[1, 4]).unwrap();
    for round in 0..25 {
        let bad = round % 32;
        let a = LazyArray::from_fn("rounds", DType::F64, grid.clone(), move |idx, region| {
            if idx[0] == bad {
                panic!("round {bad}");
            }
            Ok(ArrayData::zeros(DType::F64, &region_shape(region)))
        });
        let err = within("a failing round", move || {
            Compute::new()
                .threads(THREADS)
                .memory_limit(64)
                .run(&[&a.sum(&[0]).unwrap()])
                .unwrap_err()
        });
        match err {
            Error::UserPanic { message, .. } => assert_eq!(message, format!("round {bad}")),
            other => panic!("expected UserPanic, got {other:?}"),
        }
    }
    assert_pool_usable(THREADS);
    // Another thread count gets its own pool, which works too.
    assert_pool_usable(2);
}

#[test]
fn mismatched_outputs_and_sinks_are_an_invalid_argument() {
    let a = ones(&[4], &[2]);
    let sink: Arc<dyn ChunkSink> = Arc::new(MemorySink::new(DType::F64, &[4]));
    let err = build_error(
        "2 outputs, 1 sink",
        Compute::new().threads(THREADS).run_into(&[&a, &a], &[sink]),
    );
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_mentions(&err, &["2 outputs", "1 sinks"]);
}
