//! Property tests of the labelled layer: a lazy, chunked computation gives the same
//! result as the same calls on single-chunk arrays.
//!
//! Every case draws a random `DataArray` (1 to 3 named dims of length 1 to 7, a
//! numeric index per dim, ascending or descending, float64 data with NaNs, sometimes
//! 1-D and 2-D non-index coordinates), a second array sharing some of its dims (with
//! indexes that may be shifted, so that arithmetic aligns them with an inner join),
//! positive weights over the second array's dims, and a pipeline of one to three
//! operations. The pipeline runs twice: on inputs cut into random regular or
//! irregular chunks, and on the same inputs as one chunk each. After every step the
//! two results must agree on name, dims, shape, dtype, attributes, coordinates (names,
//! dims, indexes and values) and values (NaN positions exact, relative 1e-12); an
//! operation that fails must fail the same way on both sides.

use ndarray::{ArrayD, IxDyn};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tessera::engine::{ArrayData, BinaryOp, ChunkGrid, LazyArray, ReduceKind, Scalar};
use tessera::labelled::concat;
use tessera::labelled::{DataArray, Dims, Join, LabelSel, ReduceArgs, Variable};

/// Dimension names of the main array, and the extra dim the second array may have.
const NAMES: [&str; 3] = ["x", "y", "z"];
const EXTRA: &str = "w";

/// Index spacing per dimension name (so both arrays label a dim on one lattice).
fn spacing(dim: &str) -> f64 {
    match dim {
        "x" => 1.0,
        "y" => 10.0,
        "z" => 0.5,
        _ => 2.0,
    }
}

// ---------------------------------------------------------------------------------
// Random inputs.
// ---------------------------------------------------------------------------------

/// One dimension: its length, index labels and chunking.
#[derive(Clone, Debug)]
struct DimSpec {
    name: String,
    index: Vec<f64>,
    chunks: Vec<usize>,
}

/// A data array before it is built: dims, values (C order) and extras.
#[derive(Clone, Debug)]
struct ArraySpec {
    dims: Vec<DimSpec>,
    values: Vec<f64>,
    /// Positive weights of the same shape (used for the second array only).
    weights: Vec<f64>,
    /// Adds a 1-D non-index coordinate along the first dim, and a 2-D one over the
    /// first two dims.
    aux: bool,
}

impl ArraySpec {
    fn shape(&self) -> Vec<usize> {
        self.dims.iter().map(|d| d.index.len()).collect()
    }
}

fn regular(n: usize, c: usize) -> Vec<usize> {
    let mut out = vec![c; n / c];
    if n % c > 0 {
        out.push(n % c);
    }
    out
}

/// Regular chunks of a random length, or chunks cut at random places.
fn chunking(n: usize) -> BoxedStrategy<Vec<usize>> {
    let irregular = vec(any::<bool>(), n - 1).prop_map(move |cuts| {
        let mut out = vec![];
        let mut len = 1;
        for cut in cuts {
            if cut {
                out.push(len);
                len = 1;
            } else {
                len += 1;
            }
        }
        out.push(len);
        out
    });
    prop_oneof![(1..=n).prop_map(move |c| regular(n, c)), irregular].boxed()
}

fn dim_spec(name: &'static str) -> BoxedStrategy<DimSpec> {
    (1..=7usize, 0..3i32, any::<bool>())
        .prop_flat_map(move |(n, offset, descending)| {
            let mut index: Vec<f64> = (0..n)
                .map(|i| spacing(name) * (offset + i as i32) as f64)
                .collect();
            if descending {
                index.reverse();
            }
            chunking(n).prop_map(move |chunks| DimSpec {
                name: name.to_string(),
                index: index.clone(),
                chunks,
            })
        })
        .boxed()
}

/// Quarters in [-10, 10] (sums are exact), NaN one time in seven.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![1 => Just(f64::NAN), 6 => (-40i32..=40).prop_map(|v| v as f64 / 4.0)]
}

fn array_spec(names: Vec<&'static str>) -> BoxedStrategy<ArraySpec> {
    let dims: Vec<BoxedStrategy<DimSpec>> = names.into_iter().map(dim_spec).collect();
    (dims, any::<bool>())
        .prop_flat_map(|(dims, aux)| {
            let len: usize = dims.iter().map(|d| d.index.len()).product();
            (
                Just(dims),
                vec(value(), len),
                vec((1..=8i32).prop_map(|v| v as f64 / 2.0), len),
                Just(aux),
            )
        })
        .prop_map(|(dims, values, weights, aux)| ArraySpec {
            dims,
            values,
            weights,
            aux,
        })
        .boxed()
}

/// The main array: 1 to 3 of [`NAMES`], in a random order.
fn main_spec() -> BoxedStrategy<ArraySpec> {
    (Just(NAMES.to_vec()).prop_shuffle(), 1..=3usize)
        .prop_flat_map(|(names, nd)| array_spec(names[..nd].to_vec()))
        .boxed()
}

/// A second array over some of `main`'s dims (with their own lengths and offsets,
/// so indexes differ) and maybe [`EXTRA`], in a random order; at least one dim.
fn other_spec(main: &ArraySpec) -> BoxedStrategy<ArraySpec> {
    let names: Vec<&'static str> = main
        .dims
        .iter()
        .map(|d| *NAMES.iter().find(|n| **n == d.name).expect("a known name"))
        .collect();
    let k = names.len();
    (vec(any::<bool>(), k), any::<bool>())
        .prop_flat_map(move |(keep, extra)| {
            let mut chosen: Vec<&'static str> = names
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(n, _)| *n)
                .collect();
            if extra || chosen.is_empty() {
                chosen.push(EXTRA);
            }
            Just(chosen).prop_shuffle().prop_flat_map(array_spec)
        })
        .boxed()
}

/// A data array over the spec's values (or weights), chunked as drawn or as one chunk.
fn build(spec: &ArraySpec, name: &str, weights: bool, chunked: bool) -> DataArray {
    let shape = spec.shape();
    let grid = |axes: &[usize]| {
        if chunked {
            ChunkGrid::new(axes.iter().map(|&a| spec.dims[a].chunks.clone()).collect())
                .expect("valid chunks")
        } else {
            ChunkGrid::single(&axes.iter().map(|&a| shape[a]).collect::<Vec<_>>())
        }
    };
    let lazy = |values: Vec<f64>, axes: &[usize]| {
        let s: Vec<usize> = axes.iter().map(|&a| shape[a]).collect();
        let data = ArrayData::new(ArrayD::from_shape_vec(IxDyn(&s), values).expect("shape"));
        LazyArray::from_data(data, grid(axes)).expect("lazy data")
    };
    let values = if weights { &spec.weights } else { &spec.values };
    let all: Vec<usize> = (0..shape.len()).collect();
    let names: Vec<String> = spec.dims.iter().map(|d| d.name.clone()).collect();
    let mut da =
        DataArray::from_lazy(name, names.clone(), lazy(values.clone(), &all)).expect("data array");
    for d in &spec.dims {
        da = da
            .with_coord_values(&d.name, d.index.clone())
            .expect("index coordinate");
    }
    if spec.aux && !weights {
        let first = &spec.dims[0];
        let aux: Vec<f64> = first.index.iter().map(|v| 2.0 * v + 1.0).collect();
        let var = Variable::new([first.name.clone()], lazy(aux, &[0])).expect("aux");
        da = da
            .with_coord(&format!("{}_aux", first.name), var)
            .expect("1-D coordinate");
        if shape.len() >= 2 {
            let n = shape[0] * shape[1];
            let area: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
            let var = Variable::new(names[..2].to_vec(), lazy(area, &[0, 1])).expect("2-D");
            da = da.with_coord("area", var).expect("2-D coordinate");
        }
    }
    let mut attrs = tessera::labelled::Attrs::new();
    attrs.insert("units".into(), "K".into());
    attrs.insert("source".into(), name.into());
    da.with_attrs(attrs)
}

// ---------------------------------------------------------------------------------
// Operations.
// ---------------------------------------------------------------------------------

/// One step of a pipeline. Dims are drawn as numbers and taken modulo the number of
/// dims the array has when the step runs; `mask` bits pick a subset of them.
#[derive(Clone, Debug)]
enum Op {
    Isel {
        dim: usize,
        i: isize,
    },
    IselSlice {
        dim: usize,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    },
    IselList {
        dim: usize,
        picks: Vec<usize>,
    },
    /// An existing label, picked by position.
    SelExact {
        dim: usize,
        pick: usize,
    },
    /// Bounds at fractions of the label range (outside it too); `flip` passes them
    /// against the index's order (an empty selection).
    SelSlice {
        dim: usize,
        a: f64,
        b: f64,
        flip: bool,
    },
    /// The label nearest to a fraction of the label range (with `list`, also the
    /// one nearest to the mirrored fraction, as a list).
    SelNearest {
        dim: usize,
        at: f64,
        tolerance: Option<f64>,
        list: bool,
    },
    /// With the second array, broadcast by name and inner-joined.
    Binary {
        op: BinaryOp,
        swap: bool,
    },
    /// Where the second array is positive.
    Where {
        other: Option<f64>,
    },
    FillNa(f64),
    Reduce {
        kind: ReduceKind,
        dim: usize,
        mask: u8,
        all: bool,
        skipna: bool,
        ddof: usize,
        min_count: Option<usize>,
    },
    Median {
        mask: u8,
        all: bool,
        skipna: Option<bool>,
    },
    Quantile {
        q: Vec<f64>,
        mask: u8,
        all: bool,
        skipna: Option<bool>,
        scalar: bool,
    },
    /// Weighted by the second array's positive weights.
    WeightedMean {
        mask: u8,
    },
    /// Splits along a dim at a position and concatenates the pieces back (outer join).
    ConcatSplit {
        dim: usize,
        at: usize,
    },
    /// Stacks the array and twice the array along a new dim.
    ConcatNew,
    Transpose {
        keys: Vec<u8>,
    },
    /// Rechunks along a dim (the chunked side only).
    Rechunk {
        dim: usize,
        size: usize,
    },
}

fn selection_op() -> BoxedStrategy<Op> {
    let dim = 0..6usize;
    let at = -0.3f64..1.3;
    prop_oneof![
        (dim.clone(), -8isize..8).prop_map(|(dim, i)| Op::Isel { dim, i }),
        (
            dim.clone(),
            proptest::option::of(-9isize..9),
            proptest::option::of(-9isize..9),
            prop_oneof![Just(-3isize), Just(-2), Just(-1), Just(1), Just(2), Just(3)],
        )
            .prop_map(|(dim, start, stop, step)| Op::IselSlice {
                dim,
                start,
                stop,
                step
            }),
        (dim.clone(), vec(0..64usize, 0..6)).prop_map(|(dim, picks)| Op::IselList { dim, picks }),
        (dim.clone(), 0..64usize).prop_map(|(dim, pick)| Op::SelExact { dim, pick }),
        (
            dim.clone(),
            at.clone(),
            at.clone(),
            prop::bool::weighted(0.15)
        )
            .prop_map(|(dim, a, b, flip)| Op::SelSlice { dim, a, b, flip }),
        (
            dim.clone(),
            at,
            proptest::option::of(prop_oneof![Just(0.25), Just(1.0), Just(6.0)]),
            any::<bool>()
        )
            .prop_map(|(dim, at, tolerance, list)| Op::SelNearest {
                dim,
                at,
                tolerance,
                list
            }),
        (dim, 1..4usize).prop_map(|(dim, size)| Op::Rechunk { dim, size }),
    ]
    .boxed()
}

fn arithmetic_op() -> BoxedStrategy<Op> {
    prop_oneof![
        (
            prop_oneof![
                Just(BinaryOp::Add),
                Just(BinaryOp::Sub),
                Just(BinaryOp::Mul),
                Just(BinaryOp::Div)
            ],
            any::<bool>()
        )
            .prop_map(|(op, swap)| Op::Binary { op, swap }),
        proptest::option::of(-2.0f64..2.0).prop_map(|other| Op::Where { other }),
        (-3.0f64..3.0).prop_map(Op::FillNa),
    ]
    .boxed()
}

fn reduction_op() -> BoxedStrategy<Op> {
    let kind = prop_oneof![
        Just(ReduceKind::Sum),
        Just(ReduceKind::Mean),
        Just(ReduceKind::Std),
        Just(ReduceKind::Var),
        Just(ReduceKind::Min),
        Just(ReduceKind::Max),
        Just(ReduceKind::Count),
        Just(ReduceKind::Prod),
        Just(ReduceKind::ArgMin),
        Just(ReduceKind::ArgMax),
    ];
    let all = prop::bool::weighted(0.2);
    prop_oneof![
        4 => (
            kind,
            0..6usize,
            any::<u8>(),
            all,
            any::<bool>(),
            0..2usize,
            proptest::option::of(0..4usize)
        )
            .prop_map(|(kind, dim, mask, all, skipna, ddof, min_count)| Op::Reduce {
                kind,
                dim,
                mask,
                all,
                skipna,
                ddof,
                min_count
            }),
        1 => (any::<u8>(), all, proptest::option::of(any::<bool>()))
            .prop_map(|(mask, all, skipna)| Op::Median { mask, all, skipna }),
        1 => (
            vec(0.0f64..=1.0, 1..4),
            any::<u8>(),
            all,
            proptest::option::of(any::<bool>()),
            any::<bool>()
        )
            .prop_map(|(q, mask, all, skipna, scalar)| Op::Quantile {
                q,
                mask,
                all,
                skipna,
                scalar
            }),
        1 => any::<u8>().prop_map(|mask| Op::WeightedMean { mask }),
    ]
    .boxed()
}

fn combine_op() -> BoxedStrategy<Op> {
    prop_oneof![
        (0..6usize, 0..9usize).prop_map(|(dim, at)| Op::ConcatSplit { dim, at }),
        Just(Op::ConcatNew),
        vec(any::<u8>(), 6).prop_map(|keys| Op::Transpose { keys }),
    ]
    .boxed()
}

fn any_op() -> BoxedStrategy<Op> {
    prop_oneof![
        selection_op(),
        arithmetic_op(),
        reduction_op(),
        combine_op()
    ]
    .boxed()
}

/// The inputs of one side of a case (chunked or single-chunk).
struct Side {
    main: DataArray,
    other: DataArray,
    weights: DataArray,
    chunked: bool,
}

impl Side {
    fn new(case: &Case, chunked: bool) -> Side {
        Side {
            main: build(&case.main, "t", false, chunked),
            other: build(&case.other, "u", false, chunked),
            weights: build(&case.other, "wt", true, chunked),
            chunked,
        }
    }
}

fn pick_dim(a: &DataArray, k: usize) -> Option<String> {
    let dims = a.dims();
    (!dims.is_empty()).then(|| dims[k % dims.len()].clone())
}

fn masked(a: &DataArray, mask: u8, all: bool) -> Dims {
    if all {
        return Dims::All;
    }
    Dims::Names(
        a.dims()
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, d)| d.clone())
            .collect(),
    )
}

/// The label at fraction `f` of the index's range (NaN bounds when it has no labels).
fn label_at(a: &DataArray, dim: &str, f: f64) -> f64 {
    let v = a.coords().values_f64(dim).unwrap_or_default();
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if v.is_empty() {
        0.0
    } else {
        lo + f * (hi - lo)
    }
}

fn descending(a: &DataArray, dim: &str) -> bool {
    let v = a.coords().values_f64(dim).unwrap_or_default();
    v.len() > 1 && v[0] > v[v.len() - 1]
}

/// Runs one step on one side. Steps that need a dim leave a 0-d array as it is.
fn apply(op: &Op, a: &DataArray, side: &Side) -> tessera::Result<DataArray> {
    let dim_of = |k: usize| pick_dim(a, k);
    match op {
        Op::Isel { dim, i } => match dim_of(*dim) {
            // In range (negative from the end) unless the dim is empty.
            Some(d) => a.isel(&d, i % (a.dim_len(&d)?.max(1) as isize)),
            None => Ok(a.clone()),
        },
        Op::IselSlice {
            dim,
            start,
            stop,
            step,
        } => match dim_of(*dim) {
            Some(d) => a.isel_slice(&d, *start, *stop, *step),
            None => Ok(a.clone()),
        },
        Op::IselList { dim, picks } => match dim_of(*dim) {
            Some(d) => {
                let n = a.dim_len(&d)?.max(1);
                let picks: Vec<usize> = picks.iter().map(|p| p % n).collect();
                a.isel_list(&d, &picks)
            }
            None => Ok(a.clone()),
        },
        Op::SelExact { dim, pick } => match dim_of(*dim) {
            Some(d) => {
                let labels = a.coords().values_f64(&d).unwrap_or_default();
                let label = if labels.is_empty() {
                    0.0
                } else {
                    labels[pick % labels.len()]
                };
                a.sel(&d, label)
            }
            None => Ok(a.clone()),
        },
        Op::SelSlice {
            dim,
            a: fa,
            b: fb,
            flip,
        } => match dim_of(*dim) {
            Some(d) => {
                let (x, y) = (label_at(a, &d, *fa), label_at(a, &d, *fb));
                let (lo, hi) = (x.min(y), x.max(y));
                let (start, stop) = if descending(a, &d) != *flip {
                    (hi, lo)
                } else {
                    (lo, hi)
                };
                a.sel_slice(&d, start, stop)
            }
            None => Ok(a.clone()),
        },
        Op::SelNearest {
            dim,
            at,
            tolerance,
            list,
        } => match dim_of(*dim) {
            Some(d) if *list => {
                let labels = vec![
                    label_at(a, &d, *at).into(),
                    label_at(a, &d, 1.0 - at).into(),
                ];
                a.sel_with(&d, &LabelSel::NearestList(labels, *tolerance))
            }
            Some(d) => a.sel_nearest(&d, label_at(a, &d, *at), *tolerance),
            None => Ok(a.clone()),
        },
        Op::Binary { op, swap } => {
            if *swap {
                side.other.binary(*op, a)
            } else {
                a.binary(*op, &side.other)
            }
        }
        Op::Where { other } => {
            let cond = side.other.binary_scalar(BinaryOp::Gt, 0.0, false)?;
            a.where_(&cond, other.map(Scalar::Float))
        }
        Op::FillNa(v) => a.fillna(*v),
        Op::Reduce {
            kind,
            dim,
            mask,
            all,
            skipna,
            ddof,
            min_count,
        } => {
            let dims = if kind.is_arg() {
                match dim_of(*dim) {
                    Some(d) => Dims::from(d),
                    None => return Ok(a.clone()),
                }
            } else {
                masked(a, *mask, *all)
            };
            let sums = matches!(kind, ReduceKind::Sum | ReduceKind::Prod);
            let args = ReduceArgs {
                skipna: Some(*skipna),
                ddof: *ddof,
                min_count: if sums { *min_count } else { None },
                keep_attrs: None,
            };
            a.reduce(*kind, dims, args)
        }
        Op::Median { mask, all, skipna } => a.median(masked(a, *mask, *all), *skipna),
        Op::Quantile {
            q,
            mask,
            all,
            skipna,
            scalar,
        } => {
            let dims = masked(a, *mask, *all);
            if *scalar {
                a.quantile_scalar(q[0], dims, *skipna)
            } else {
                a.quantile(q, dims, *skipna)
            }
        }
        Op::WeightedMean { mask } => a.weighted(&side.weights)?.mean(masked(a, *mask, false)),
        Op::ConcatSplit { dim, at } => match dim_of(*dim) {
            Some(d) => {
                let n = a.dim_len(&d)?;
                let at = (at % (n + 1)) as isize;
                let head = a.isel_slice(&d, None, Some(at), 1)?;
                let tail = a.isel_slice(&d, Some(at), None, 1)?;
                concat(&[&head, &tail], &d, Join::Outer)
            }
            None => Ok(a.clone()),
        },
        Op::ConcatNew => {
            let twice = a.binary_scalar(BinaryOp::Mul, 2.0, false)?;
            concat(&[a, &twice], "member", Join::Outer)
        }
        Op::Transpose { keys } => {
            let mut order: Vec<(u8, usize, String)> = a
                .dims()
                .iter()
                .enumerate()
                .map(|(i, d)| (keys[i % keys.len()], i, d.clone()))
                .collect();
            order.sort();
            let order: Vec<String> = order.into_iter().map(|(_, _, d)| d).collect();
            a.transpose(&order)
        }
        Op::Rechunk { dim, size } => match (side.chunked, dim_of(*dim)) {
            (true, Some(d)) => a.chunk(&[(&d, *size)]),
            _ => Ok(a.clone()),
        },
    }
}

// ---------------------------------------------------------------------------------
// Comparison.
// ---------------------------------------------------------------------------------

fn close(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

fn computed(v: &Variable) -> tessera::Result<Vec<f64>> {
    Ok(v.data().compute()?.to_f64_vec())
}

/// Checks that two computed variables agree (both failing the same way counts too).
fn same_values(what: &str, a: &Variable, b: &Variable) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.dims(), b.dims(), "{}: dims", what);
    prop_assert_eq!(a.shape(), b.shape(), "{}: shape", what);
    prop_assert_eq!(a.dtype(), b.dtype(), "{}: dtype", what);
    match (computed(a), computed(b)) {
        (Ok(x), Ok(y)) => {
            let bad: Vec<(usize, f64, f64)> = x
                .iter()
                .zip(&y)
                .enumerate()
                .filter(|(_, (p, q))| !close(**p, **q))
                .map(|(i, (p, q))| (i, *p, *q))
                .take(5)
                .collect();
            prop_assert!(
                bad.is_empty(),
                "{}: values differ at (flat position, chunked, single chunk) {:?}\nchunked      {:?}\nsingle chunk {:?}",
                what,
                bad,
                x,
                y
            );
        }
        (Err(e), Err(f)) => prop_assert_eq!(
            std::mem::discriminant(&e),
            std::mem::discriminant(&f),
            "{}: computing failed differently: {} / {}",
            what,
            e,
            f
        ),
        (x, y) => prop_assert!(
            false,
            "{}: only one side computes: chunked {:?}, single chunk {:?}",
            what,
            x.err(),
            y.err()
        ),
    }
    Ok(())
}

/// The one comparison of the file: two data arrays hold the same labelled values
/// (with their coordinates in the same order, if `coord_order`).
fn assert_same(
    what: &str,
    a: &DataArray,
    b: &DataArray,
    coord_order: bool,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.name(), b.name(), "{}: name", what);
    prop_assert_eq!(a.attrs(), b.attrs(), "{}: attrs", what);
    let (mut x, mut y) = (a.coords().names(), b.coords().names());
    if !coord_order {
        x.sort();
        y.sort();
    }
    prop_assert_eq!(x, y, "{}: coords", what);
    for (name, c) in a.coords().iter() {
        let d = b.coords().get(name).expect("same names");
        prop_assert_eq!(
            c.index.as_deref(),
            d.index.as_deref(),
            "{}: index {}",
            what,
            name
        );
        same_values(&format!("{what}: coordinate {name}"), &c.var, &d.var)?;
    }
    same_values(&format!("{what}: data"), a.variable(), b.variable())
}

// ---------------------------------------------------------------------------------
// Cases.
// ---------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Case {
    main: ArraySpec,
    other: ArraySpec,
    ops: Vec<Op>,
}

/// A case whose pipeline draws mostly from `family`.
fn case(family: fn() -> BoxedStrategy<Op>) -> BoxedStrategy<Case> {
    main_spec()
        .prop_flat_map(move |main| {
            let ops = vec(prop_oneof![3 => family(), 1 => any_op()], 1..=3);
            (Just(main.clone()), other_spec(&main), ops)
        })
        .prop_map(|(main, other, ops)| Case { main, other, ops })
        .boxed()
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let chunked = Side::new(case, true);
    let single = Side::new(case, false);
    assert_same("input", &chunked.main, &single.main, true)?;
    let (mut a, mut b) = (chunked.main.clone(), single.main.clone());
    for (step, op) in case.ops.iter().enumerate() {
        let what = format!("step {step} {op:?}");
        match (apply(op, &a, &chunked), apply(op, &b, &single)) {
            (Ok(x), Ok(y)) => {
                assert_same(&what, &x, &y, true)?;
                if matches!(op, Op::ConcatSplit { .. }) {
                    // Splitting and concatenating back changes nothing (concat lists
                    // index coordinates first, as xarray does).
                    assert_same(&format!("{what} against its input"), &x, &a, false)?;
                }
                (a, b) = (x, y);
            }
            (Err(e), Err(f)) => {
                prop_assert_eq!(
                    e.to_string(),
                    f.to_string(),
                    "{}: the two sides fail differently",
                    what
                );
                return Ok(());
            }
            (x, y) => prop_assert!(
                false,
                "{}: only one side fails: chunked {:?}, single chunk {:?}",
                what,
                x.err(),
                y.err()
            ),
        }
    }
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        // PROPTEST_CASES=5000 for a deeper run.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(48),
        // Nothing is written next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn selection_is_the_same_on_chunked_and_single_chunk_arrays(case in case(selection_op)) {
        check(&case)?;
    }

    #[test]
    fn arithmetic_is_the_same_on_chunked_and_single_chunk_arrays(case in case(arithmetic_op)) {
        check(&case)?;
    }

    #[test]
    fn reductions_are_the_same_on_chunked_and_single_chunk_arrays(case in case(reduction_op)) {
        check(&case)?;
    }

    #[test]
    fn concat_and_transpose_are_the_same_on_chunked_and_single_chunk_arrays(
        case in case(combine_op)
    ) {
        check(&case)?;
    }
}
