//! Property tests of the engine: every operation, on random shapes (0-d to 4-d, with
//! empty and length-1 axes), random regular and irregular chunkings, random dtypes and
//! NaN patterns, is compared with the same computation done eagerly with ndarray on the
//! whole array, under both the optimized plan and the plain (unoptimized) one.
//!
//! The eager side ([`np`] and [`Eager`]) restates numpy's semantics independently of
//! the engine's code, together with the engine's documented choices where it departs
//! from numpy: casts follow Rust's `as` (floats truncate and saturate into integers,
//! NaN becomes 0, integers wrap), integer division by zero and negative integer powers
//! give 0, `fmin`/`fmax`/`atan2` of integers give floats, logical operations need bools.

use std::ops::RangeInclusive;

use ndarray::{ArrayD, ArrayViewD, Axis, Dimension, IxDyn, SliceInfoElem};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tessera::engine::optimize::optimize;
use tessera::engine::{
    ArrayData, AxisSlice, BinaryOp, ChunkGrid, Compute, DType, FloatFn, LazyArray, Op, ReduceKind,
    ReduceOptions, Scalar, UnaryOp,
};

use DType::{Bool, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64};

// ---------------------------------------------------------------------------------
// Random inputs.
// ---------------------------------------------------------------------------------

/// Strategies for shapes, chunkings and data.
mod generate {
    use super::*;

    /// Every dtype the inputs are drawn from.
    pub(crate) const DTYPES: &[DType] = &[F64, F32, I64, I32, I8, U8, U16, Bool];

    /// Dtypes for float-heavy inputs.
    pub(crate) const FLOATISH: &[DType] = &[F64, F64, F32, I32];

    /// An input array: dtype, shape, per-axis chunks and values (NaN where missing).
    ///
    /// Values are quarters in [-4, 4] for floats, integers in [-16, 16] (their absolute
    /// value for unsigned types) and `v > 0` for bools, so that sums are exact in every
    /// dtype.
    #[derive(Clone, Debug)]
    pub(crate) struct Arr {
        pub dtype: DType,
        pub shape: Vec<usize>,
        pub chunks: Vec<Vec<usize>>,
        pub vals: Vec<f64>,
    }

    fn axis_len(max: usize) -> impl Strategy<Value = usize> {
        prop_oneof![1 => Just(0usize), 2 => Just(1usize), 7 => 2..=max]
    }

    /// A shape with a number of dimensions in `ndims`, small enough to stay fast.
    pub(crate) fn shape(ndims: RangeInclusive<usize>) -> BoxedStrategy<Vec<usize>> {
        ndims
            .prop_flat_map(|nd| {
                let max = match nd {
                    0..=2 => 30,
                    3 => 10,
                    _ => 6,
                };
                prop::collection::vec(axis_len(max), nd)
            })
            .boxed()
    }

    /// Chunks of an axis of length `n`: regular, or cut at random positions.
    pub(crate) fn axis_chunks(n: usize) -> BoxedStrategy<Vec<usize>> {
        if n == 0 {
            return prop_oneof![Just(vec![]), Just(vec![0])].boxed();
        }
        let regular = (1..=n).prop_map(move |c| {
            let mut v = vec![c; n / c];
            if n % c != 0 {
                v.push(n % c);
            }
            v
        });
        let irregular =
            prop::collection::vec(prop::bool::weighted(0.3), n - 1).prop_map(move |cuts| {
                let mut v = vec![];
                let mut run = 1;
                for cut in cuts {
                    if cut {
                        v.push(run);
                        run = 0;
                    }
                    run += 1;
                }
                v.push(run);
                v
            });
        prop_oneof![regular, irregular].boxed()
    }

    /// Chunks for every axis of `shape`.
    pub(crate) fn grid(shape: &[usize]) -> BoxedStrategy<Vec<Vec<usize>>> {
        shape
            .iter()
            .map(|&n| axis_chunks(n))
            .collect::<Vec<_>>()
            .boxed()
    }

    fn element(raw: i32, dtype: DType) -> f64 {
        let v = raw as f64;
        match dtype {
            F32 | F64 => v / 4.0,
            Bool => (v > 0.0) as u8 as f64,
            U8 | U16 | U32 | U64 => v.abs(),
            _ => v,
        }
    }

    /// `n` values of `dtype`; floats get one of four NaN patterns (none, sparse, dense, all).
    pub(crate) fn values(n: usize, dtype: DType) -> BoxedStrategy<Vec<f64>> {
        let raw = prop::collection::vec(-16i32..=16, n);
        let nan = (0u8..4, prop::collection::vec(0u8..100, n));
        (raw, nan)
            .prop_map(move |(raw, (pattern, r))| {
                raw.iter()
                    .zip(&r)
                    .map(|(&v, &r)| {
                        let missing = dtype.is_float()
                            && match pattern {
                                0 => false,
                                1 => r < 10,
                                2 => r < 60,
                                _ => true,
                            };
                        if missing { f64::NAN } else { element(v, dtype) }
                    })
                    .collect()
            })
            .boxed()
    }

    /// An array of the given shape with random dtype, chunks and values.
    pub(crate) fn arr_with(shape: Vec<usize>, dtypes: &'static [DType]) -> BoxedStrategy<Arr> {
        let n = shape.iter().product();
        (prop::sample::select(dtypes), grid(&shape))
            .prop_flat_map(move |(dtype, chunks)| {
                let shape = shape.clone();
                values(n, dtype).prop_map(move |vals| Arr {
                    dtype,
                    shape: shape.clone(),
                    chunks: chunks.clone(),
                    vals,
                })
            })
            .boxed()
    }

    /// An array of random shape with `ndims` dimensions.
    pub(crate) fn arr(
        ndims: RangeInclusive<usize>,
        dtypes: &'static [DType],
    ) -> BoxedStrategy<Arr> {
        shape(ndims)
            .prop_flat_map(move |s| arr_with(s, dtypes))
            .boxed()
    }

    /// An array with the shape and chunks of `a` but its own dtype and values.
    pub(crate) fn twin(a: &Arr) -> BoxedStrategy<Arr> {
        let a = a.clone();
        let n = a.vals.len();
        prop::sample::select(DTYPES)
            .prop_flat_map(move |dtype| {
                let a = a.clone();
                values(n, dtype).prop_map(move |vals| Arr {
                    dtype,
                    vals,
                    ..a.clone()
                })
            })
            .boxed()
    }

    /// A shape that broadcasts to `full`: some leading axes dropped, some set to 1.
    pub(crate) fn operand_shape(full: Vec<usize>) -> BoxedStrategy<Vec<usize>> {
        let nd = full.len();
        (
            prop_oneof![2 => Just(0usize), 1 => 0..=nd],
            prop::collection::vec(prop::bool::weighted(0.3), nd),
        )
            .prop_map(move |(drop, ones)| {
                full[drop..]
                    .iter()
                    .zip(&ones[drop..])
                    .map(|(&n, &one)| if one { 1 } else { n })
                    .collect()
            })
            .boxed()
    }

    /// `dtypes.len()` arrays whose shapes broadcast together; operand `k` draws its
    /// dtype from `dtypes[k]`.
    pub(crate) fn broadcast_group(dtypes: Vec<&'static [DType]>) -> BoxedStrategy<Vec<Arr>> {
        shape(0..=4)
            .prop_flat_map(move |full| {
                dtypes
                    .iter()
                    .map(|&d| operand_shape(full.clone()).prop_flat_map(move |s| arr_with(s, d)))
                    .collect::<Vec<_>>()
            })
            .boxed()
    }

    /// A Python slice `start:stop:step` (bounds may be negative or past the end).
    pub(crate) fn py_slice() -> impl Strategy<Value = (Option<isize>, Option<isize>, isize)> {
        (
            prop::option::of(-12isize..12),
            prop::option::of(-12isize..12),
            prop::sample::select(vec![-3isize, -2, -1, 1, 1, 2, 3]),
        )
    }

    /// A Python scalar: a small int, a quarter or a bool.
    pub(crate) fn scalar() -> impl Strategy<Value = Scalar> {
        prop_oneof![
            (-3i64..=3).prop_map(Scalar::Int),
            (-8i32..=8).prop_map(|q| Scalar::Float(q as f64 / 4.0)),
            any::<bool>().prop_map(Scalar::Bool),
        ]
    }
}

use generate::{Arr, DTYPES, FLOATISH};

impl Arr {
    fn nd(&self) -> ArrayD<f64> {
        ArrayD::from_shape_vec(IxDyn(&self.shape), self.vals.clone()).expect("shape fits")
    }

    fn data(&self) -> ArrayData {
        let a = self.nd();
        match self.dtype {
            Bool => ArrayData::new(a.mapv(|v| v != 0.0)),
            I8 => ArrayData::new(a.mapv(|v| v as i8)),
            I16 => ArrayData::new(a.mapv(|v| v as i16)),
            I32 => ArrayData::new(a.mapv(|v| v as i32)),
            I64 => ArrayData::new(a.mapv(|v| v as i64)),
            U8 => ArrayData::new(a.mapv(|v| v as u8)),
            U16 => ArrayData::new(a.mapv(|v| v as u16)),
            U32 => ArrayData::new(a.mapv(|v| v as u32)),
            U64 => ArrayData::new(a.mapv(|v| v as u64)),
            F32 => ArrayData::new(a.mapv(|v| v as f32)),
            F64 => ArrayData::new(a),
        }
    }

    fn grid(&self) -> ChunkGrid {
        ChunkGrid::new(self.chunks.clone()).expect("generated chunks are valid")
    }

    fn lazy(&self) -> LazyArray {
        LazyArray::from_data(self.data(), self.grid()).expect("generated grid fits")
    }

    fn eager(&self) -> Eager {
        Eager {
            dtype: self.dtype,
            vals: self.nd(),
        }
    }

    /// The same array with values whose products stay exact: 0 and ±1, with ±2 and
    /// ±0.5 kept among the first 40 elements only (NaN stays NaN).
    fn prod_safe(&self) -> Arr {
        let vals = self
            .vals
            .iter()
            .enumerate()
            .map(|(i, &v)| match v.abs() {
                _ if v.is_nan() || v == 0.0 => v,
                m if i < 40 && m >= 2.0 => 2.0 * v.signum(),
                m if i < 40 && m < 1.0 => 0.5 * v.signum(),
                _ => v.signum(),
            })
            .collect();
        Arr {
            vals,
            ..self.clone()
        }
    }
}

// ---------------------------------------------------------------------------------
// numpy's semantics, restated.
// ---------------------------------------------------------------------------------

/// numpy's rules for dtypes and values, written independently of the engine.
mod np {
    use super::*;

    fn size(d: DType) -> usize {
        match d {
            Bool | I8 | U8 => 1,
            I16 | U16 => 2,
            I32 | U32 | F32 => 4,
            I64 | U64 | F64 => 8,
        }
    }

    fn signed(d: DType) -> bool {
        matches!(d, I8 | I16 | I32 | I64)
    }

    fn unsigned(d: DType) -> bool {
        matches!(d, U8 | U16 | U32 | U64)
    }

    /// `np.result_type(a, b)`.
    pub(crate) fn promote(a: DType, b: DType) -> DType {
        if a == b {
            return a;
        }
        match (a, b) {
            (Bool, x) | (x, Bool) => x,
            (F64, _) | (_, F64) => F64,
            (F32, x) | (x, F32) => {
                if size(x) <= 2 {
                    F32
                } else {
                    F64
                }
            }
            _ if signed(a) == signed(b) => {
                if size(a) >= size(b) {
                    a
                } else {
                    b
                }
            }
            _ => {
                let (s, u) = if signed(a) { (a, b) } else { (b, a) };
                match size(u) {
                    _ if size(s) > size(u) => s,
                    1 => I16,
                    2 => I32,
                    4 => I64,
                    _ => F64,
                }
            }
        }
    }

    /// The float type of a true division or a math function.
    pub(crate) fn float_of(d: DType) -> DType {
        if d == F32 { F32 } else { F64 }
    }

    /// numpy's broadcast of two shapes, `None` if they do not broadcast.
    pub(crate) fn broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
        let n = a.len().max(b.len());
        let at = |s: &[usize], i: usize| {
            if i + s.len() >= n {
                s[i + s.len() - n]
            } else {
                1
            }
        };
        (0..n)
            .map(|i| match (at(a, i), at(b, i)) {
                (x, y) if x == y => Some(x),
                (1, y) => Some(y),
                (x, 1) => Some(x),
                _ => None,
            })
            .collect()
    }

    /// The dtype a Python scalar has by itself.
    pub(crate) fn scalar_parts(s: Scalar) -> (f64, DType) {
        match s {
            Scalar::Bool(b) => (b as u8 as f64, Bool),
            Scalar::Int(v) => (v as f64, I64),
            Scalar::UInt(v) => (v as f64, U64),
            Scalar::Float(v) => (v, F64),
        }
    }

    /// NEP 50: a Python scalar next to an array adopts the array's dtype within its kind.
    pub(crate) fn weak(s: Scalar, array: DType) -> DType {
        match s {
            Scalar::Bool(_) => array,
            Scalar::Int(_) | Scalar::UInt(_) if array == Bool => I64,
            Scalar::Int(_) | Scalar::UInt(_) => array,
            Scalar::Float(_) if array.is_float() => array,
            Scalar::Float(_) => F64,
        }
    }

    /// An integer result wrapped into `to`.
    pub(crate) fn wrap(i: i64, to: DType) -> f64 {
        match to {
            Bool => (i != 0) as u8 as f64,
            I8 => i as i8 as f64,
            I16 => i as i16 as f64,
            I32 => i as i32 as f64,
            I64 => i as f64,
            U8 => i as u8 as f64,
            U16 => i as u16 as f64,
            U32 => i as u32 as f64,
            U64 => i as u64 as f64,
            F32 => i as f32 as f64,
            F64 => i as f64,
        }
    }

    /// Rounds a float result to `d`.
    pub(crate) fn round_to(d: DType, v: f64) -> f64 {
        if d == F32 { v as f32 as f64 } else { v }
    }

    /// `v` (a value of dtype `from`) converted to `to`: floats truncate and saturate
    /// into integers (NaN gives 0), integers wrap, anything non-zero is `true`.
    pub(crate) fn cast(v: f64, from: DType, to: DType) -> f64 {
        match to {
            F64 => v,
            F32 => v as f32 as f64,
            Bool => (v != 0.0) as u8 as f64,
            _ if from.is_float() => match to {
                I8 => v as i8 as f64,
                I16 => v as i16 as f64,
                I32 => v as i32 as f64,
                I64 => v as i64 as f64,
                U8 => v as u8 as f64,
                U16 => v as u16 as f64,
                U32 => v as u32 as f64,
                _ => v as u64 as f64,
            },
            _ => wrap(v as i64, to),
        }
    }

    /// (operand dtype, result dtype) of a unary operation, `None` if unsupported.
    pub(crate) fn unary_types(op: UnaryOp, d: DType) -> Option<(DType, DType)> {
        use UnaryOp::*;
        match op {
            Neg | Abs | Sign | Square => (d != Bool).then_some((d, d)),
            Not => (d == Bool).then_some((d, d)),
            IsNan | NotNan | IsFinite | IsInf => Some((d, Bool)),
            Math(_) => Some((float_of(d), float_of(d))),
            Cast(t) => Some((d, t)),
        }
    }

    /// Half-to-even rounding, as `np.round`.
    fn round_half_even(x: f64) -> f64 {
        if (x - x.trunc()).abs() == 0.5 {
            2.0 * (x / 2.0).round()
        } else {
            x.round()
        }
    }

    fn math(f: FloatFn, x: f64) -> f64 {
        use std::f64::consts::PI;
        match f {
            FloatFn::Sqrt => x.sqrt(),
            FloatFn::Exp => x.exp(),
            FloatFn::Expm1 => x.exp_m1(),
            FloatFn::Log => x.ln(),
            FloatFn::Log1p => x.ln_1p(),
            FloatFn::Log10 => x.log10(),
            FloatFn::Log2 => x.log2(),
            FloatFn::Sin => x.sin(),
            FloatFn::Cos => x.cos(),
            FloatFn::Tan => x.tan(),
            FloatFn::Arcsin => x.asin(),
            FloatFn::Arccos => x.acos(),
            FloatFn::Arctan => x.atan(),
            FloatFn::Sinh => x.sinh(),
            FloatFn::Cosh => x.cosh(),
            FloatFn::Tanh => x.tanh(),
            FloatFn::Floor => x.floor(),
            FloatFn::Ceil => x.ceil(),
            FloatFn::Round => round_half_even(x),
            FloatFn::Trunc => x.trunc(),
            FloatFn::Deg2Rad => x * PI / 180.0,
            FloatFn::Rad2Deg => x * 180.0 / PI,
        }
    }

    /// A unary operation on `v`, a value of the operand dtype `d`.
    pub(crate) fn unary(op: UnaryOp, d: DType, v: f64) -> f64 {
        use UnaryOp::*;
        let float = d.is_float();
        let i = v as i64;
        match op {
            Neg if float => -v,
            Neg => wrap(i.wrapping_neg(), d),
            Abs if float => v.abs(),
            Abs => wrap(i.wrapping_abs(), d),
            Sign if v > 0.0 => 1.0,
            Sign if v < 0.0 => -1.0,
            Sign => v,
            Square if float => round_to(d, v * v),
            Square => wrap(i.wrapping_mul(i), d),
            Not => (v == 0.0) as u8 as f64,
            IsNan => v.is_nan() as u8 as f64,
            NotNan => !v.is_nan() as u8 as f64,
            IsFinite => v.is_finite() as u8 as f64,
            IsInf => v.is_infinite() as u8 as f64,
            Math(f) => round_to(d, math(f, v)),
            Cast(t) => cast(v, d, t),
        }
    }

    /// (operand dtype, result dtype) of a binary operation, `None` if unsupported.
    pub(crate) fn binary_types(op: BinaryOp, a: DType, b: DType) -> Option<(DType, DType)> {
        use BinaryOp::*;
        let c = promote(a, b);
        match op {
            Eq | Ne | Lt | Le | Gt | Ge => Some((c, Bool)),
            And | Or | Xor => (c == Bool).then_some((Bool, Bool)),
            Div | Atan2 | Fmin | Fmax => Some((float_of(c), float_of(c))),
            _ if c == Bool => None,
            _ => Some((c, c)),
        }
    }

    fn float_op(op: BinaryOp, x: f64, y: f64) -> f64 {
        use BinaryOp::*;
        match op {
            Add => x + y,
            Sub => x - y,
            Mul => x * y,
            Div => x / y,
            FloorDiv => (x / y).floor(),
            Rem => x - y * (x / y).floor(),
            Pow => x.powf(y),
            Minimum | Maximum if x.is_nan() || y.is_nan() => f64::NAN,
            Minimum | Fmin => x.min(y),
            Maximum | Fmax => x.max(y),
            Atan2 => x.atan2(y),
            _ => unreachable!("{op:?} is not arithmetic"),
        }
    }

    fn int_op(op: BinaryOp, x: i64, y: i64) -> i64 {
        use BinaryOp::*;
        let floor_div = || (x as f64 / y as f64).floor() as i64;
        match op {
            Add => x.wrapping_add(y),
            Sub => x.wrapping_sub(y),
            Mul => x.wrapping_mul(y),
            FloorDiv | Rem if y == 0 => 0,
            FloorDiv => floor_div(),
            Rem => x - y * floor_div(),
            Pow if y < 0 => 0,
            Pow => x.wrapping_pow(y as u32),
            Minimum => x.min(y),
            Maximum => x.max(y),
            _ => unreachable!("{op:?} is not an integer operation"),
        }
    }

    /// A binary operation on `x` and `y`, values of the operand dtype `d`.
    pub(crate) fn binary(op: BinaryOp, d: DType, x: f64, y: f64) -> f64 {
        use BinaryOp::*;
        let (p, q) = (x != 0.0, y != 0.0);
        let b = |t: bool| t as u8 as f64;
        match op {
            Eq => b(x == y),
            Ne => b(x != y),
            Lt => b(x < y),
            Le => b(x <= y),
            Gt => b(x > y),
            Ge => b(x >= y),
            And => b(p & q),
            Or => b(p | q),
            Xor => b(p ^ q),
            _ if d.is_float() => round_to(d, float_op(op, x, y)),
            _ => wrap(int_op(op, x as i64, y as i64), d),
        }
    }

    /// The result dtype of a reduction.
    pub(crate) fn reduce_dtype(kind: ReduceKind, d: DType) -> DType {
        use ReduceKind::*;
        match kind {
            Sum | Prod if d.is_float() => d,
            Sum | Prod if unsigned(d) => U64,
            Sum | Prod => I64,
            Mean | Var | Std => float_of(d),
            Min | Max | First | Last => d,
            Count | ArgMin | ArgMax => I64,
            Any | All => Bool,
        }
    }

    pub(crate) fn is_arg(kind: ReduceKind) -> bool {
        matches!(kind, ReduceKind::ArgMin | ReduceKind::ArgMax)
    }

    /// Reductions defined along exactly one axis: argmin/argmax, first/last.
    pub(crate) fn one_axis(kind: ReduceKind) -> bool {
        is_arg(kind) || matches!(kind, ReduceKind::First | ReduceKind::Last)
    }

    /// The reduction of one lane of values of dtype `d` (in C order along the reduced
    /// axes); `None` where the engine reports an error: min/max of no integers,
    /// argmin/argmax of no (non-NaN, with skipna) values, first/last of no
    /// integers.
    pub(crate) fn reduce_lane(
        kind: ReduceKind,
        d: DType,
        opts: &ReduceOptions,
        lane: &[f64],
    ) -> Option<f64> {
        use ReduceKind::*;
        let float = d.is_float();
        let skip = opts.skipna && float;
        let first_nan = lane.iter().position(|v| v.is_nan());
        let valid: Vec<f64> = lane
            .iter()
            .copied()
            .filter(|v| !(skip && v.is_nan()))
            .collect();
        let n = valid.len() as f64;
        let too_few = float && valid.len() < opts.min_count;
        let extreme = |want_max: bool| -> Option<(usize, f64)> {
            let mut best: Option<(usize, f64)> = None;
            for (i, &v) in lane.iter().enumerate() {
                let better = match best {
                    None => true,
                    Some((_, b)) => (want_max && v > b) || (!want_max && v < b),
                };
                if !v.is_nan() && better {
                    best = Some((i, v));
                }
            }
            best
        };
        let v = match kind {
            Sum | Prod if too_few => f64::NAN,
            Sum => valid.iter().fold(0.0, |acc, v| acc + v),
            Prod => valid.iter().fold(1.0, |acc, v| acc * v),
            Mean if valid.is_empty() => f64::NAN,
            Mean => valid.iter().sum::<f64>() / n,
            Var | Std => {
                let ddof = opts.ddof as f64;
                let var = if n - ddof <= 0.0 {
                    f64::NAN
                } else {
                    let mean = valid.iter().sum::<f64>() / n;
                    valid.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - ddof)
                };
                if kind == Std { var.sqrt() } else { var }
            }
            Min | Max if !skip && first_nan.is_some() => f64::NAN,
            Min | Max => match extreme(kind == Max) {
                Some((_, v)) => v,
                None if float => f64::NAN,
                None => return None,
            },
            ArgMin | ArgMax => match (skip, first_nan) {
                (false, Some(i)) => i as f64,
                _ => extreme(kind == ArgMax)?.0 as f64,
            },
            First | Last => {
                let end = if kind == First {
                    valid.first()
                } else {
                    valid.last()
                };
                match end {
                    Some(&v) => v,
                    None if float => f64::NAN,
                    None => return None,
                }
            }
            Count => lane.iter().filter(|v| !v.is_nan()).count() as f64,
            Any => lane.iter().any(|&v| v != 0.0) as u8 as f64,
            All => lane.iter().all(|&v| v != 0.0) as u8 as f64,
        };
        Some(round_to(reduce_dtype(kind, d), v))
    }

    /// The positions `range(n)[start:stop:step]` takes (CPython's `slice.indices`).
    pub(crate) fn py_indices(
        n: usize,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Vec<usize> {
        let n = n as isize;
        let adjust = |v: isize, lo: isize, hi: isize| (if v < 0 { v + n } else { v }).clamp(lo, hi);
        let (mut i, end) = if step > 0 {
            (
                start.map_or(0, |s| adjust(s, 0, n)),
                stop.map_or(n, |s| adjust(s, 0, n)),
            )
        } else {
            (
                start.map_or(n - 1, |s| adjust(s, -1, n - 1)),
                stop.map_or(-1, |s| adjust(s, -1, n - 1)),
            )
        };
        let mut out = vec![];
        while (step > 0 && i < end) || (step < 0 && i > end) {
            out.push(i as usize);
            i += step;
        }
        out
    }
}

// ---------------------------------------------------------------------------------
// The eager reference: whole arrays in memory, values as f64.
// ---------------------------------------------------------------------------------

/// An eagerly computed array: its dtype and its values as `f64` (exact for the small
/// values the tests use).
#[derive(Clone, Debug)]
struct Eager {
    dtype: DType,
    vals: ArrayD<f64>,
}

/// An expected result, or the reason the engine must report an error.
type Outcome = Result<Eager, String>;

/// Applies `f` to the elements of arrays broadcast together.
fn zip_map(arrs: &[&ArrayD<f64>], f: impl Fn(&[f64]) -> f64) -> Result<ArrayD<f64>, String> {
    let mut shape: Vec<usize> = vec![];
    for a in arrs {
        shape = np::broadcast(&shape, a.shape())
            .ok_or_else(|| format!("{shape:?} and {:?} do not broadcast", a.shape()))?;
    }
    let views: Vec<ArrayViewD<'_, f64>> = arrs
        .iter()
        .map(|a| a.broadcast(IxDyn(&shape)).expect("shapes broadcast"))
        .collect();
    let mut buf = vec![0.0; arrs.len()];
    Ok(ArrayD::from_shape_fn(IxDyn(&shape), |i| {
        for (b, v) in buf.iter_mut().zip(&views) {
            *b = v[i.slice()];
        }
        f(&buf)
    }))
}

impl Eager {
    fn constant(s: Scalar, dtype: DType) -> Eager {
        let (v, from) = np::scalar_parts(s);
        Eager {
            dtype,
            vals: ArrayD::from_elem(IxDyn(&[]), np::cast(v, from, dtype)),
        }
    }

    fn shape(&self) -> &[usize] {
        self.vals.shape()
    }

    fn cast(&self, to: DType) -> Eager {
        Eager {
            dtype: to,
            vals: self.vals.mapv(|v| np::cast(v, self.dtype, to)),
        }
    }

    fn unary(&self, op: UnaryOp) -> Outcome {
        let (operand, out) =
            np::unary_types(op, self.dtype).ok_or_else(|| format!("{op:?} of {}", self.dtype))?;
        let x = self.cast(operand);
        Ok(Eager {
            dtype: out,
            vals: x.vals.mapv(|v| np::unary(op, operand, v)),
        })
    }

    fn binary(&self, op: BinaryOp, other: &Eager) -> Outcome {
        let (operand, out) = np::binary_types(op, self.dtype, other.dtype)
            .ok_or_else(|| format!("{op:?} of {} and {}", self.dtype, other.dtype))?;
        let (x, y) = (self.cast(operand), other.cast(operand));
        let vals = zip_map(&[&x.vals, &y.vals], |v| np::binary(op, operand, v[0], v[1]))?;
        Ok(Eager { dtype: out, vals })
    }

    fn scalar(&self, op: BinaryOp, s: Scalar, scalar_left: bool) -> Outcome {
        let c = Eager::constant(s, np::weak(s, self.dtype));
        if scalar_left {
            c.binary(op, self)
        } else {
            self.binary(op, &c)
        }
    }

    /// `where(self, a, b)`.
    fn select(&self, a: &Eager, b: &Eager) -> Outcome {
        if self.dtype != Bool {
            return Err(format!("condition of dtype {}", self.dtype));
        }
        let d = np::promote(a.dtype, b.dtype);
        let (x, y) = (a.cast(d), b.cast(d));
        let vals = zip_map(&[&self.vals, &x.vals, &y.vals], |v| {
            if v[0] != 0.0 { v[1] } else { v[2] }
        })?;
        Ok(Eager { dtype: d, vals })
    }

    fn fillna(&self, s: Scalar) -> Eager {
        if !self.dtype.is_float() {
            return self.clone();
        }
        let fill = Eager::constant(s, np::weak(s, self.dtype));
        let d = np::promote(fill.dtype, self.dtype);
        let f = np::cast(fill.vals[[].as_slice()], fill.dtype, d);
        Eager {
            dtype: d,
            vals: self.vals.mapv(|v| {
                if v.is_nan() {
                    f
                } else {
                    np::cast(v, self.dtype, d)
                }
            }),
        }
    }

    fn reduce(&self, kind: ReduceKind, axes: &[usize], opts: ReduceOptions) -> Outcome {
        if self.dtype == Bool && matches!(kind, ReduceKind::Var | ReduceKind::Std) {
            return Err(format!("{kind:?} of bool"));
        }
        if np::one_axis(kind) && axes.len() != 1 {
            return Err(format!("{kind:?} over {} axes", axes.len()));
        }
        let sh = self.shape().to_vec();
        let nd = sh.len();
        let mut red = axes.to_vec();
        red.sort_unstable();
        red.dedup();
        let kept: Vec<usize> = (0..nd).filter(|a| !red.contains(a)).collect();
        let perm: Vec<usize> = kept.iter().chain(&red).copied().collect();
        let flat: Vec<f64> = self
            .vals
            .view()
            .permuted_axes(perm)
            .iter()
            .copied()
            .collect();
        let n_red: usize = red.iter().map(|&a| sh[a]).product();
        let n_out: usize = kept.iter().map(|&a| sh[a]).product();
        let out = (0..n_out)
            .map(|r| {
                np::reduce_lane(kind, self.dtype, &opts, &flat[r * n_red..(r + 1) * n_red])
                    .ok_or_else(|| format!("{kind:?} of an empty or all-NaN lane"))
            })
            .collect::<Result<Vec<f64>, String>>()?;
        let shape: Vec<usize> = if opts.keepdims {
            (0..nd)
                .map(|a| if red.contains(&a) { 1 } else { sh[a] })
                .collect()
        } else {
            kept.iter().map(|&a| sh[a]).collect()
        };
        Ok(Eager {
            dtype: np::reduce_dtype(kind, self.dtype),
            vals: ArrayD::from_shape_vec(IxDyn(&shape), out).expect("cells fit"),
        })
    }

    fn group_reduce(
        &self,
        kind: ReduceKind,
        axis: usize,
        labels: &[i64],
        n_groups: usize,
        opts: ReduceOptions,
    ) -> Outcome {
        if np::is_arg(kind) {
            return Err(format!("grouped {kind:?}"));
        }
        if self.dtype == Bool && matches!(kind, ReduceKind::Var | ReduceKind::Std) {
            return Err(format!("{kind:?} of bool"));
        }
        let sh = self.shape().to_vec();
        let nd = sh.len();
        let others: Vec<usize> = (0..nd).filter(|&a| a != axis).collect();
        let perm: Vec<usize> = others.iter().chain(&[axis]).copied().collect();
        let flat: Vec<f64> = self
            .vals
            .view()
            .permuted_axes(perm)
            .iter()
            .copied()
            .collect();
        let len = sh[axis];
        let n_rest: usize = others.iter().map(|&a| sh[a]).product();
        let mut out = Vec::with_capacity(n_rest * n_groups);
        for r in 0..n_rest {
            let row = &flat[r * len..(r + 1) * len];
            for g in 0..n_groups {
                let lane: Vec<f64> = row
                    .iter()
                    .zip(labels)
                    .filter(|&(_, &l)| l == g as i64)
                    .map(|(&v, _)| v)
                    .collect();
                out.push(
                    np::reduce_lane(kind, self.dtype, &opts, &lane)
                        .ok_or_else(|| format!("{kind:?} of an empty or all-NaN group"))?,
                );
            }
        }
        let mut tmp_shape: Vec<usize> = others.iter().map(|&a| sh[a]).collect();
        tmp_shape.push(n_groups);
        let tmp = ArrayD::from_shape_vec(IxDyn(&tmp_shape), out).expect("cells fit");
        // Output axis `i` is axis `i` of `tmp` before `axis`, its last axis at `axis`.
        let back: Vec<usize> = (0..nd)
            .map(|i| match i.cmp(&axis) {
                std::cmp::Ordering::Less => i,
                std::cmp::Ordering::Equal => nd - 1,
                std::cmp::Ordering::Greater => i - 1,
            })
            .collect();
        Ok(Eager {
            dtype: np::reduce_dtype(kind, self.dtype),
            vals: tmp.permuted_axes(back),
        })
    }

    fn scan(&self, prod: bool, axis: usize, skipna: bool) -> Eager {
        let dtype = np::reduce_dtype(ReduceKind::Sum, self.dtype);
        let skip = skipna && self.dtype.is_float();
        let identity = if prod { 1.0 } else { 0.0 };
        let mut vals = self.vals.clone();
        for mut lane in vals.lanes_mut(Axis(axis)) {
            let mut run = identity;
            for v in lane.iter_mut() {
                let x = if skip && v.is_nan() { identity } else { *v };
                run = if prod { run * x } else { run + x };
                *v = np::round_to(dtype, run);
            }
        }
        Eager { dtype, vals }
    }

    fn take(&self, axis: usize, idx: &[usize]) -> Eager {
        Eager {
            dtype: self.dtype,
            vals: self.vals.select(Axis(axis), idx),
        }
    }

    fn slice_py(
        &self,
        axis: usize,
        (start, stop, step): (Option<isize>, Option<isize>, isize),
    ) -> Eager {
        self.take(axis, &np::py_indices(self.shape()[axis], start, stop, step))
    }

    fn transpose(&self, perm: &[usize]) -> Eager {
        Eager {
            dtype: self.dtype,
            vals: self.vals.clone().permuted_axes(perm.to_vec()),
        }
    }

    fn expand_dims(&self, axis: usize) -> Eager {
        Eager {
            dtype: self.dtype,
            vals: self.vals.clone().insert_axis(Axis(axis)),
        }
    }

    fn squeeze(&self, axes: &[usize]) -> Eager {
        let mut axes = axes.to_vec();
        axes.sort_unstable_by(|a, b| b.cmp(a));
        let mut vals = self.vals.clone();
        for a in axes {
            vals = vals.index_axis_move(Axis(a), 0);
        }
        Eager {
            dtype: self.dtype,
            vals,
        }
    }

    fn broadcast_to(&self, shape: &[usize]) -> Outcome {
        if np::broadcast(self.shape(), shape).as_deref() != Some(shape) {
            return Err(format!(
                "{:?} does not broadcast to {shape:?}",
                self.shape()
            ));
        }
        Ok(Eager {
            dtype: self.dtype,
            vals: self
                .vals
                .broadcast(IxDyn(shape))
                .expect("checked")
                .to_owned(),
        })
    }

    fn concat(parts: &[Eager], axis: usize) -> Eager {
        let d = parts
            .iter()
            .fold(parts[0].dtype, |d, p| np::promote(d, p.dtype));
        let cast: Vec<Eager> = parts.iter().map(|p| p.cast(d)).collect();
        let views: Vec<_> = cast.iter().map(|p| p.vals.view()).collect();
        Eager {
            dtype: d,
            vals: ndarray::concatenate(Axis(axis), &views).expect("shapes agree"),
        }
    }

    fn stack(parts: &[Eager], axis: usize) -> Eager {
        let expanded: Vec<Eager> = parts.iter().map(|p| p.expand_dims(axis)).collect();
        Eager::concat(&expanded, axis)
    }

    /// `f` applied to every block of `grid`, as `map_blocks` does.
    fn blockwise(&self, grid: &ChunkGrid, f: impl Fn(ArrayViewD<'_, f64>) -> ArrayD<f64>) -> Eager {
        let mut out = self.vals.clone();
        for c in 0..grid.n_chunks() {
            let info: Vec<SliceInfoElem> = grid
                .chunk_region(&grid.unravel(c))
                .into_iter()
                .map(|r| SliceInfoElem::Slice {
                    start: r.start as isize,
                    end: Some(r.end as isize),
                    step: 1,
                })
                .collect();
            let block = f(self.vals.slice(info.as_slice()));
            out.slice_mut(info.as_slice()).assign(&block);
        }
        Eager {
            dtype: F64,
            vals: out,
        }
    }
}

// ---------------------------------------------------------------------------------
// Comparing lazy results with eager ones.
// ---------------------------------------------------------------------------------

fn close(got: f64, want: f64, tol: f64) -> bool {
    if got.is_nan() || want.is_nan() {
        return got.is_nan() && want.is_nan();
    }
    if got.is_infinite() || want.is_infinite() {
        return got == want;
    }
    (got - want).abs() <= tol * want.abs().max(1.0)
}

/// Checks dtype, shape and values: NaN equals NaN; floats agree to a relative 1e-9
/// (f64) or 1e-4 (f32); integers and bools exactly.
fn assert_close(got: &ArrayData, want: &Eager) -> Result<(), String> {
    if got.dtype() != want.dtype {
        return Err(format!("dtype {} but expected {}", got.dtype(), want.dtype));
    }
    if got.shape() != want.shape() {
        return Err(format!(
            "shape {:?} but expected {:?}",
            got.shape(),
            want.shape()
        ));
    }
    let tol = match want.dtype {
        F64 => 1e-9,
        F32 => 1e-4,
        _ => 0.0,
    };
    let got = got.to_f64_vec();
    for (i, (&g, &w)) in got.iter().zip(want.vals.iter()).enumerate() {
        if !close(g, w, tol) {
            return Err(format!(
                "element {i} (C order) is {g} but expected {w}\n got: {got:?}\nwant: {:?}",
                want.vals.iter().collect::<Vec<_>>()
            ));
        }
    }
    Ok(())
}

/// The plans every result is computed with: optimized on the default pool, and the
/// plain graph on one thread.
fn plans() -> [(&'static str, Compute); 3] {
    [
        ("optimized", Compute::new()),
        ("plain", Compute::new().without_optimizer().threads(1)),
        // Every task is over budget (and runs alone); nested reductions read chunk for
        // chunk are computed where they are used rather than staged.
        ("tiny budget", Compute::new().memory_limit(1)),
    ]
}

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

/// Lazy op vs eager op: `built` (the engine's graph, or its refusal) must match `want`
/// (the eager result, or the reason an error is due) under every plan. An error may
/// come while building or while computing.
fn check(
    what: &str,
    built: tessera::Result<LazyArray>,
    want: Outcome,
) -> Result<(), TestCaseError> {
    let lazy = match (built, &want) {
        (Err(_), Err(_)) => return Ok(()),
        (Err(e), Ok(_)) => return Err(fail(format!("{what}: building failed: {e}"))),
        (Ok(l), _) => l,
    };
    if let Ok(w) = &want {
        if lazy.shape() != w.shape() || lazy.dtype() != w.dtype {
            return Err(fail(format!(
                "{what}: lazy array is {} {:?}, expected {} {:?}",
                lazy.dtype(),
                lazy.shape(),
                w.dtype,
                w.shape()
            )));
        }
        prop_assert_eq!(lazy.chunks().shape(), lazy.shape().to_vec());
    }
    for (plan, compute) in plans() {
        let got = compute.run(&[&lazy]).map(|mut v| v.remove(0));
        match (got, &want) {
            (Ok(g), Ok(w)) => assert_close(&g, w)
                .map_err(|m| fail(format!("{what} [{plan}]: {m}\n{}", lazy.explain())))?,
            (Err(_), Err(_)) => {}
            (Ok(g), Err(why)) => {
                return Err(fail(format!(
                    "{what} [{plan}]: expected an error ({why}), got {:?}",
                    g.to_f64_vec()
                )));
            }
            (Err(e), Ok(_)) => {
                return Err(fail(format!("{what} [{plan}]: {e}\n{}", lazy.explain())));
            }
        }
    }
    Ok(())
}

/// Several results computed in one pass (sharing their subgraphs) under every plan.
fn check_together(what: &str, outs: &[(LazyArray, Eager)]) -> Result<(), TestCaseError> {
    let lazies: Vec<&LazyArray> = outs.iter().map(|o| &o.0).collect();
    for (plan, compute) in plans() {
        let got = compute
            .run(&lazies)
            .map_err(|e| fail(format!("{what} [{plan}]: {e}")))?;
        prop_assert_eq!(got.len(), outs.len());
        for (k, (g, (l, w))) in got.iter().zip(outs).enumerate() {
            assert_close(g, w)
                .map_err(|m| fail(format!("{what} [{plan}], output {k}: {m}\n{}", l.explain())))?;
        }
    }
    Ok(())
}

/// Unwraps the result of building a graph that must build.
fn built(what: &str, r: tessera::Result<LazyArray>) -> Result<LazyArray, TestCaseError> {
    r.map_err(|e| fail(format!("{what}: building failed: {e}")))
}

/// Unwraps an eager result that must exist.
fn eager(what: &str, r: Outcome) -> Result<Eager, TestCaseError> {
    r.map_err(|e| fail(format!("{what}: no eager result: {e}")))
}

// ---------------------------------------------------------------------------------
// Operation lists.
// ---------------------------------------------------------------------------------

const MATH: [FloatFn; 22] = [
    FloatFn::Sqrt,
    FloatFn::Exp,
    FloatFn::Expm1,
    FloatFn::Log,
    FloatFn::Log1p,
    FloatFn::Log10,
    FloatFn::Log2,
    FloatFn::Sin,
    FloatFn::Cos,
    FloatFn::Tan,
    FloatFn::Arcsin,
    FloatFn::Arccos,
    FloatFn::Arctan,
    FloatFn::Sinh,
    FloatFn::Cosh,
    FloatFn::Tanh,
    FloatFn::Floor,
    FloatFn::Ceil,
    FloatFn::Round,
    FloatFn::Trunc,
    FloatFn::Deg2Rad,
    FloatFn::Rad2Deg,
];

const ALL_DTYPES: [DType; 11] = [Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64];

/// Every unary operation: arithmetic, tests, math functions and casts to every dtype.
fn unary_ops() -> Vec<UnaryOp> {
    use UnaryOp::*;
    let mut ops = vec![Neg, Abs, Sign, Square, Not, IsNan, NotNan, IsFinite, IsInf];
    ops.extend(MATH.iter().map(|&f| Math(f)));
    ops.extend(ALL_DTYPES.iter().map(|&d| Cast(d)));
    ops
}

/// Every binary operation.
const BINARY_OPS: [BinaryOp; 21] = {
    use BinaryOp::*;
    [
        Add, Sub, Mul, Div, FloorDiv, Rem, Pow, Minimum, Maximum, Fmin, Fmax, Atan2, Eq, Ne, Lt,
        Le, Gt, Ge, And, Or, Xor,
    ]
};

const REDUCE_KINDS: [ReduceKind; 14] = [
    ReduceKind::Sum,
    ReduceKind::Prod,
    ReduceKind::Mean,
    ReduceKind::Var,
    ReduceKind::Std,
    ReduceKind::Min,
    ReduceKind::Max,
    ReduceKind::Count,
    ReduceKind::Any,
    ReduceKind::All,
    ReduceKind::ArgMin,
    ReduceKind::ArgMax,
    ReduceKind::First,
    ReduceKind::Last,
];

/// The array a reduction of `kind` is tested on: products get [`Arr::prod_safe`] values.
fn input_for(kind: ReduceKind, a: &Arr) -> Arr {
    if kind == ReduceKind::Prod {
        a.prod_safe()
    } else {
        a.clone()
    }
}

/// The axes whose bits are set in `mask` (at least one when there are axes).
fn axes_of(mask: u8, nd: usize) -> Vec<usize> {
    let axes: Vec<usize> = (0..nd).filter(|a| mask & (1 << a) != 0).collect();
    if axes.is_empty() && nd > 0 {
        vec![mask as usize % nd]
    } else {
        axes
    }
}

/// The axes a reduction of `kind` runs over: one for argmin/argmax, else [`axes_of`].
fn axes_for(kind: ReduceKind, mask: u8, nd: usize) -> Vec<usize> {
    if np::one_axis(kind) && nd > 0 {
        vec![mask as usize % nd]
    } else {
        axes_of(mask, nd)
    }
}

/// A reduction over `axes`, or over the one value of a 0-d array (`reduce_all`: a
/// plain `reduce` over no axes is the identity, see `reduce_over_no_axes`).
fn reduce_lazy(
    l: &LazyArray,
    kind: ReduceKind,
    axes: &[usize],
    opts: ReduceOptions,
) -> tessera::Result<LazyArray> {
    if l.ndim() == 0 {
        l.reduce_all(kind, opts)
    } else {
        l.reduce(kind, axes, opts)
    }
}

/// Indices into an axis of length `n` drawn from seeds (none if the axis is empty).
fn indices_of(seeds: &[usize], n: usize) -> Vec<usize> {
    if n == 0 {
        vec![]
    } else {
        seeds.iter().map(|s| s % n).collect()
    }
}

/// A permutation of `0..n` drawn from a seed.
fn perm_of(seed: u64, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    let mut s = seed;
    for i in (1..n).rev() {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        p.swap(i, (s >> 33) as usize % (i + 1));
    }
    p
}

type PySlice = (Option<isize>, Option<isize>, isize);

/// `AxisSlice`s taking the positions of Python slices, one per axis.
fn axis_slices(shape: &[usize], specs: &[PySlice]) -> Vec<AxisSlice> {
    shape
        .iter()
        .zip(specs)
        .map(|(&n, &(start, stop, step))| {
            let idx = np::py_indices(n, start, stop, step);
            AxisSlice {
                start: idx.first().copied().unwrap_or(0),
                step,
                len: idx.len(),
            }
        })
        .collect()
}

/// Python slices applied axis by axis with `slice_axis`.
fn slice_each(l: &LazyArray, specs: &[PySlice]) -> tessera::Result<LazyArray> {
    let mut l = l.clone();
    for (axis, &(start, stop, step)) in specs.iter().enumerate().take(l.ndim()) {
        l = l.slice_axis(axis, start, stop, step)?;
    }
    Ok(l)
}

fn slice_each_eager(e: &Eager, specs: &[PySlice]) -> Eager {
    let mut e = e.clone();
    for (axis, &s) in specs.iter().enumerate().take(e.vals.ndim()) {
        e = e.slice_py(axis, s);
    }
    e
}

/// 256 cases per property; `PROPTEST_CASES=n` asks for a deeper (or quicker) run.
fn config() -> ProptestConfig {
    let default = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            default.cases
        } else {
            256
        },
        failure_persistence: None,
        ..default
    }
}

// ---------------------------------------------------------------------------------
// Elementwise operations.
// ---------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Every unary operation, math function, `isnan` and cast, on every dtype
    /// (unsupported ones must be refused).
    #[test]
    fn unary_math_isnan_cast(a in generate::arr(0..=4, DTYPES)) {
        let (l, e) = (a.lazy(), a.eager());
        for op in unary_ops() {
            let lazy = match op {
                UnaryOp::Cast(d) => l.cast(d),
                UnaryOp::Math(f) => l.math(f),
                UnaryOp::IsNan => l.isnan(),
                _ => l.unary(op),
            };
            check(&format!("{op:?} of {}", a.dtype), lazy, e.unary(op))?;
        }
    }

    /// Every binary operation between arrays of different shapes and dtypes (numpy
    /// broadcasting and promotion); unsupported dtype pairs must be refused.
    #[test]
    fn binary_broadcast(ab in generate::broadcast_group(vec![DTYPES, DTYPES])) {
        let (a, b) = (&ab[0], &ab[1]);
        let (la, lb, ea, eb) = (a.lazy(), b.lazy(), a.eager(), b.eager());
        for op in BINARY_OPS {
            check(
                &format!("{op:?} of {} {:?} and {} {:?}", a.dtype, a.shape, b.dtype, b.shape),
                la.binary(op, &lb),
                ea.binary(op, &eb),
            )?;
        }
    }

    /// Every binary operation with a Python scalar on either side (NEP 50 weak typing).
    #[test]
    fn binary_scalar(
        a in generate::arr(0..=3, DTYPES),
        s in generate::scalar(),
        left in any::<bool>(),
    ) {
        let (l, e) = (a.lazy(), a.eager());
        for op in BINARY_OPS {
            check(
                &format!("{op:?} of {} and {s:?} (scalar left: {left})", a.dtype),
                l.binary_scalar(op, s, left),
                e.scalar(op, s, left),
            )?;
        }
    }

    /// `where` with three broadcast operands, with a scalar branch, and with a condition
    /// computed in the same fused program.
    #[test]
    fn where_select(
        cab in generate::broadcast_group(vec![&[Bool], DTYPES, DTYPES]),
        s in generate::scalar(),
    ) {
        let (c, a, b) = (&cab[0], &cab[1], &cab[2]);
        let (lc, la, lb) = (c.lazy(), a.lazy(), b.lazy());
        let (ec, ea, eb) = (c.eager(), a.eager(), b.eager());
        check("where(c, a, b)", lc.select(&la, &lb), ec.select(&ea, &eb))?;
        let sd = np::weak(s, a.dtype);
        check(
            "where(c, a, scalar)",
            lc.select_scalar(&la, s),
            ec.select(&ea, &Eager::constant(s, sd)),
        )?;
        // where(a < b, a, b): the comparison fuses with the select.
        let lazy = la.binary(BinaryOp::Lt, &lb).and_then(|m| m.select(&la, &lb));
        let want = ea.binary(BinaryOp::Lt, &eb).and_then(|m| m.select(&ea, &eb));
        check("where(a < b, a, b)", lazy, want)?;
    }

    /// `fillna` with scalars of each kind (integers and bools pass through unchanged).
    #[test]
    fn fillna(a in generate::arr(0..=4, DTYPES), s in generate::scalar()) {
        let what = format!("fillna({s:?}) of {}", a.dtype);
        check(&what, a.lazy().fillna(s), Ok(a.eager().fillna(s)))?;
    }
}

// ---------------------------------------------------------------------------------
// Moving data: slices, take, transpose, unit axes, broadcast, concat, stack, rechunk.
// ---------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Python slices with positive and negative steps, as one `slice`, as a chain of
    /// `slice_axis`, and a slice of a slice (composed by the optimizer).
    #[test]
    fn slicing(
        a in generate::arr(0..=4, DTYPES),
        first in prop::collection::vec(generate::py_slice(), 4),
        second in prop::collection::vec(generate::py_slice(), 4),
        how in 0u8..3,
    ) {
        let (l, e) = (a.lazy(), a.eager());
        let want = slice_each_eager(&e, &first);
        let lazy = match how {
            0 => slice_each(&l, &first),
            _ => l.slice(&axis_slices(&a.shape, &first)),
        };
        if how < 2 {
            check("slice", lazy, Ok(want))?;
        } else {
            let lazy = built("slice", lazy)?;
            let specs = axis_slices(want.shape(), &second);
            check(
                "slice of slice",
                lazy.slice(&specs),
                Ok(slice_each_eager(&want, &second)),
            )?;
        }
        if let Some(&n) = a.shape.first() {
            // A selection past the end is refused.
            let mut bad: Vec<AxisSlice> = a.shape.iter().map(|&n| AxisSlice::full(n)).collect();
            bad[0] = AxisSlice { start: n, step: 1, len: 1 };
            check("slice out of bounds", l.slice(&bad), Err("out of bounds".into()))?;
        }
    }

    /// `take` with repeated, unordered and no indices; an index past the end is refused.
    #[test]
    fn take(
        a in generate::arr(1..=4, DTYPES),
        axis_seed in any::<usize>(),
        seeds in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let axis = axis_seed % a.shape.len();
        let n = a.shape[axis];
        let idx = indices_of(&seeds, n);
        let l = a.lazy();
        let what = format!("take {idx:?} on axis {axis}");
        check(&what, l.take(axis, &idx), Ok(a.eager().take(axis, &idx)))?;
        check("take out of bounds", l.take(axis, &[n]), Err("out of bounds".into()))?;
    }

    /// Axis permutations.
    #[test]
    fn transpose(
        (a, perm) in generate::arr(0..=4, DTYPES).prop_flat_map(|a| {
            let p: Vec<usize> = (0..a.shape.len()).collect();
            (Just(a), Just(p).prop_shuffle())
        }),
    ) {
        let what = format!("transpose {perm:?}");
        check(&what, a.lazy().transpose(&perm), Ok(a.eager().transpose(&perm)))?;
    }

    /// `expand_dims`, `squeeze` (of length-1 axes; others are refused) and
    /// `broadcast_to` (new leading axes, stretched length-1 axes).
    #[test]
    fn unit_axes_and_broadcast_to(
        a in generate::arr(0..=3, DTYPES),
        at in any::<usize>(),
        squeeze_mask in any::<u8>(),
        leading in prop::collection::vec(0usize..=3, 0..=2),
        stretch in prop::collection::vec(prop::option::of(0usize..=3), 3),
    ) {
        let (l, e) = (a.lazy(), a.eager());
        let nd = a.shape.len();
        let at = at % (nd + 1);
        check(&format!("expand_dims({at})"), l.expand_dims(at), Ok(e.expand_dims(at)))?;
        let ones: Vec<usize> = (0..nd)
            .filter(|&k| a.shape[k] == 1 && squeeze_mask & (1 << k) != 0)
            .collect();
        check(&format!("squeeze({ones:?})"), l.squeeze(&ones), Ok(e.squeeze(&ones)))?;
        if let Some(k) = (0..nd).find(|&k| a.shape[k] != 1) {
            check("squeeze of a longer axis", l.squeeze(&[k]), Err("not length 1".into()))?;
        }
        let mut target = leading.clone();
        target.extend(a.shape.iter().zip(&stretch).map(|(&n, s)| match s {
            Some(m) if n == 1 => *m,
            _ => n,
        }));
        let what = format!("broadcast_to({target:?})");
        check(&what, l.broadcast_to(&target), e.broadcast_to(&target))?;
        if let Some(k) = (0..nd).find(|&k| a.shape[k] > 1) {
            let mut bad = a.shape.clone();
            bad[k] += 1;
            let refused = Err("does not broadcast".into());
            check("broadcast_to a longer axis", l.broadcast_to(&bad), refused)?;
        }
    }

    /// `concat` of pieces of different lengths, chunkings and dtypes (promoted).
    #[test]
    fn concat(
        (axis, parts) in generate::shape(1..=3).prop_flat_map(|base| {
            let nd = base.len();
            (0..nd, prop::collection::vec(0usize..=5, 1..=3)).prop_flat_map(move |(axis, lens)| {
                let base = base.clone();
                let parts: Vec<_> = lens
                    .into_iter()
                    .map(|len| {
                        let mut s = base.clone();
                        s[axis] = len;
                        generate::arr_with(s, DTYPES)
                    })
                    .collect();
                (Just(axis), parts)
            })
        }),
    ) {
        let lazies: Vec<LazyArray> = parts.iter().map(Arr::lazy).collect();
        let refs: Vec<&LazyArray> = lazies.iter().collect();
        let eagers: Vec<Eager> = parts.iter().map(Arr::eager).collect();
        let what = format!("concat on axis {axis}");
        check(&what, LazyArray::concat(&refs, axis), Ok(Eager::concat(&eagers, axis)))?;
    }

    /// `stack` of equally shaped arrays along a new axis.
    #[test]
    fn stack(
        (axis, parts) in generate::shape(0..=3).prop_flat_map(|s| {
            let nd = s.len();
            (
                0..=nd,
                prop::collection::vec(generate::arr_with(s, DTYPES), 1..=3),
            )
        }),
    ) {
        let lazies: Vec<LazyArray> = parts.iter().map(Arr::lazy).collect();
        let refs: Vec<&LazyArray> = lazies.iter().collect();
        let eagers: Vec<Eager> = parts.iter().map(Arr::eager).collect();
        let what = format!("stack on axis {axis}");
        check(&what, LazyArray::stack(&refs, axis), Ok(Eager::stack(&eagers, axis)))?;
    }

    /// `rechunk` to another random grid (and a rechunk of a rechunk): the grid is the
    /// one asked for, the data unchanged, and reductions across the new chunks agree.
    #[test]
    fn rechunk(
        (a, g1, g2) in generate::arr(0..=4, DTYPES).prop_flat_map(|a| {
            let g = generate::grid(&a.shape);
            (Just(a), g.clone(), g)
        }),
        mask in any::<u8>(),
    ) {
        let (g1, g2) = (ChunkGrid::new(g1).unwrap(), ChunkGrid::new(g2).unwrap());
        let r1 = built("rechunk", a.lazy().rechunk(g1.clone()))?;
        prop_assert_eq!(r1.chunks(), &g1);
        check("rechunk", Ok(r1.clone()), Ok(a.eager()))?;
        let r2 = built("rechunk of rechunk", r1.rechunk(g2.clone()))?;
        prop_assert_eq!(r2.chunks(), &g2);
        check("rechunk of rechunk", Ok(r2.clone()), Ok(a.eager()))?;
        let axes = axes_of(mask, a.shape.len());
        let opts = ReduceOptions::skipna();
        check(
            "sum after rechunk",
            reduce_lazy(&r2, ReduceKind::Sum, &axes, opts),
            a.eager().reduce(ReduceKind::Sum, &axes, opts),
        )?;
    }
}

// ---------------------------------------------------------------------------------
// Reductions and scans.
// ---------------------------------------------------------------------------------

/// A grouped reduction along `axis_seed % ndim` with labels drawn from `label_seeds`
/// (in `-1..n_groups`), against the eager one.
#[allow(clippy::too_many_arguments)]
fn check_group_reduce(
    kind: ReduceKind,
    a: &Arr,
    axis_seed: usize,
    n_groups: usize,
    label_seeds: &[u8],
    skipna: bool,
    ddof: usize,
    min_count: usize,
) -> Result<(), TestCaseError> {
    let axis = axis_seed % a.shape.len();
    let labels: Vec<i64> = label_seeds[..a.shape[axis]]
        .iter()
        .map(|&s| (s as usize % (n_groups + 1)) as i64 - 1)
        .collect();
    let opts = ReduceOptions {
        skipna,
        ddof,
        min_count,
        keepdims: false,
    };
    check(
        &format!(
            "grouped {kind:?} of {} along {axis} into {n_groups} groups by {labels:?} {opts:?}",
            a.dtype
        ),
        a.lazy()
            .group_reduce(kind, axis, labels.clone(), n_groups, opts),
        a.eager().group_reduce(kind, axis, &labels, n_groups, opts),
    )
}

proptest! {
    #![proptest_config(config())]

    /// Every reduction kind, with and without skipna, over random sets of axes (all of
    /// them via `reduce_all` too), with keepdims, ddof and min_count. Empty and all-NaN
    /// lanes give NaN, or the error the engine documents (min/max of no integers,
    /// argmin/argmax of no values); argmin/argmax and first/last need exactly one axis.
    #[test]
    fn reductions(
        a in generate::arr(0..=4, DTYPES),
        mask in any::<u8>(),
        skipna in any::<bool>(),
        keepdims in any::<bool>(),
        ddof in 0usize..=2,
        min_count in 0usize..=2,
        use_reduce_all in any::<bool>(),
    ) {
        let nd = a.shape.len();
        let opts = ReduceOptions { skipna, ddof, min_count, keepdims };
        for kind in REDUCE_KINDS {
            let a = input_for(kind, &a);
            let axes = axes_for(kind, mask, nd);
            let l = a.lazy();
            let lazy = if axes.len() == nd && (use_reduce_all || nd == 0) {
                l.reduce_all(kind, opts)
            } else {
                l.reduce(kind, &axes, opts)
            };
            check(
                &format!("{kind:?} of {} over {axes:?} {opts:?}", a.dtype),
                lazy,
                a.eager().reduce(kind, &axes, opts),
            )?;
        }
    }

    /// Grouped reductions along one axis with random labels (negative: no group), some
    /// groups empty; argmin/argmax are refused.
    #[test]
    fn group_reduce(
        a in generate::arr(1..=4, DTYPES),
        axis_seed in any::<usize>(),
        n_groups in 1usize..=4,
        label_seeds in prop::collection::vec(any::<u8>(), 30),
        skipna in any::<bool>(),
        ddof in 0usize..=1,
        min_count in 0usize..=2,
    ) {
        for kind in REDUCE_KINDS {
            let a = input_for(kind, &a);
            let labels = &label_seeds;
            check_group_reduce(kind, &a, axis_seed, n_groups, labels, skipna, ddof, min_count)?;
        }
    }

    /// Grouped reductions into no groups at all (every label negative): the grouped axis
    /// becomes empty.
    #[test]
    fn group_reduce_into_no_groups(
        a in generate::arr(1..=4, DTYPES),
        axis_seed in any::<usize>(),
        skipna in any::<bool>(),
    ) {
        for kind in REDUCE_KINDS {
            check_group_reduce(kind, &a, axis_seed, 0, &[0; 30], skipna, 0, 0)?;
        }
    }

    /// Reductions over an empty list of axes reduce nothing: each element is its own
    /// lane, as numpy's `axis=()`.
    #[test]
    fn reduce_over_no_axes(a in generate::arr(0..=4, DTYPES), skipna in any::<bool>()) {
        use ReduceKind::*;
        for kind in [Sum, Prod, Mean, Min, Max, Count, Any, All] {
            // NaN-skipping sums and products are covered below.
            let skipna = skipna && !matches!(kind, Sum | Prod);
            let opts = ReduceOptions { skipna, ..Default::default() };
            check(
                &format!("{kind:?} of {} over no axes {opts:?}", a.dtype),
                a.lazy().reduce(kind, &[], opts),
                a.eager().reduce(kind, &[], opts),
            )?;
        }
    }

    /// numpy: `var(x, axis=())` is 0 (NaN with ddof >= 1) and `nansum(x, axis=())` turns
    /// NaN into 0, like `reduce_all` of a 0-d array does in the engine.
    #[test]
    fn reduce_over_no_axes_var_std_nansum(a in generate::arr(0..=4, FLOATISH), ddof in 0usize..=1) {
        use ReduceKind::*;
        for kind in [Var, Std, Sum, Prod] {
            let opts = ReduceOptions { skipna: true, ddof, ..Default::default() };
            check(
                &format!("{kind:?} of {} over no axes {opts:?}", a.dtype),
                a.lazy().reduce(kind, &[], opts),
                a.eager().reduce(kind, &[], opts),
            )?;
        }
    }

    /// `cumsum` and `cumprod` along any axis, NaN propagating or skipped.
    #[test]
    fn scans(
        a in generate::arr(1..=4, DTYPES),
        axis_seed in any::<usize>(),
        skipna in any::<bool>(),
    ) {
        let axis = axis_seed % a.shape.len();
        check(
            &format!("cumsum of {} along {axis}, skipna {skipna}", a.dtype),
            a.lazy().cumsum(axis, skipna),
            Ok(a.eager().scan(false, axis, skipna)),
        )?;
        let p = a.prod_safe();
        check(
            &format!("cumprod of {} along {axis}, skipna {skipna}", a.dtype),
            p.lazy().cumprod(axis, skipna),
            Ok(p.eager().scan(true, axis, skipna)),
        )?;
    }
}

// ---------------------------------------------------------------------------------
// User functions, persist, several outputs.
// ---------------------------------------------------------------------------------

/// Subtracts the block's smallest non-NaN value: a result that depends on where the
/// block boundaries are.
fn minus_block_min(x: ArrayViewD<'_, f64>) -> ArrayD<f64> {
    let m = x
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::INFINITY, f64::min);
    let m = if m.is_finite() { m } else { 0.0 };
    x.mapv(|v| v - m)
}

proptest! {
    #![proptest_config(config())]

    /// `map_blocks` over one array (as stored, and after a slice re-chunks it) and over
    /// two arrays sharing a grid; a function returning the wrong shape is an error.
    #[test]
    fn map_blocks(
        (a, b) in generate::arr(0..=4, DTYPES).prop_flat_map(|a| {
            let t = generate::twin(&a);
            (Just(a), t)
        }),
        specs in prop::collection::vec(generate::py_slice(), 4),
    ) {
        let f = |blocks: &[ArrayData]| -> tessera::Result<ArrayData> {
            let x = blocks[0].clone().cast(F64).into_typed::<f64>()?;
            Ok(ArrayData::new(minus_block_min(x.view())))
        };
        let l = a.lazy();
        let e = a.eager().cast(F64);
        check(
            "map_blocks",
            LazyArray::map_blocks(&[&l], "minus_block_min", F64, f),
            Ok(e.blockwise(&a.grid(), minus_block_min)),
        )?;

        let sliced = built("slice", slice_each(&l, &specs))?;
        let grid = sliced.chunks().clone();
        check(
            "map_blocks of a slice",
            LazyArray::map_blocks(&[&sliced], "minus_block_min", F64, f),
            Ok(slice_each_eager(&e, &specs).blockwise(&grid, minus_block_min)),
        )?;

        let two = |blocks: &[ArrayData]| -> tessera::Result<ArrayData> {
            let x = blocks[0].clone().cast(F64).into_typed::<f64>()?;
            let y = blocks[1].clone().cast(F64).into_typed::<f64>()?;
            Ok(ArrayData::new(x * 2.0 + y))
        };
        let want = e
            .scalar(BinaryOp::Mul, Scalar::Float(2.0), false)
            .and_then(|x| x.binary(BinaryOp::Add, &b.eager().cast(F64)));
        let lazy = LazyArray::map_blocks(&[&l, &b.lazy()], "2a+b", F64, two);
        check("map_blocks of two arrays", lazy, want)?;

        let bad = |_: &[ArrayData]| -> tessera::Result<ArrayData> {
            Ok(ArrayData::zeros(F64, &[7, 7, 7, 7, 7]))
        };
        // The function only runs (and fails) if there is a block.
        let want = if a.grid().n_chunks() == 0 {
            Ok(e.clone())
        } else {
            Err("wrong block shape".to_string())
        };
        let lazy = LazyArray::map_blocks(&[&l], "bad", F64, bad);
        check("map_blocks returning the wrong shape", lazy, want)?;
    }

    /// `persist` keeps the chunks and the values, and later operations on the persisted
    /// array agree (with either plan doing the persisting).
    #[test]
    fn persist(a in generate::arr(0..=4, DTYPES), mask in any::<u8>(), skipna in any::<bool>()) {
        let x = built("a * 3", a.lazy().binary_scalar(BinaryOp::Mul, Scalar::Int(3), false))?;
        let e = eager("a * 3", a.eager().scalar(BinaryOp::Mul, Scalar::Int(3), false))?;
        for (plan, compute) in plans() {
            let p = compute.persist(&x).map_err(|err| fail(format!("persist [{plan}]: {err}")))?;
            prop_assert_eq!(p.chunks(), x.chunks());
            check("persisted", Ok(p.clone()), Ok(e.clone()))?;
            let axes = axes_of(mask, a.shape.len());
            let opts = ReduceOptions { skipna, ..Default::default() };
            check(
                "mean of persisted",
                reduce_lazy(&p, ReduceKind::Mean, &axes, opts),
                e.reduce(ReduceKind::Mean, &axes, opts),
            )?;
        }
        let p = built("LazyArray::persist", x.persist())?;
        check("LazyArray::persist", Ok(p), Ok(e))?;
    }

    /// Several outputs sharing a subexpression, computed in one pass.
    #[test]
    fn several_outputs(a in generate::arr(1..=4, DTYPES), mask in any::<u8>()) {
        let axes = axes_of(mask, a.shape.len());
        let opts = ReduceOptions::skipna();
        let x = built("2a + 1", a.lazy()
            .binary_scalar(BinaryOp::Mul, Scalar::Int(2), false)
            .and_then(|x| x.binary_scalar(BinaryOp::Add, Scalar::Int(1), false)))?;
        let e = eager("2a + 1", a.eager()
            .scalar(BinaryOp::Mul, Scalar::Int(2), false)
            .and_then(|x| x.scalar(BinaryOp::Add, Scalar::Int(1), false)))?;
        let mut outs = vec![(x.clone(), e.clone())];
        for kind in [ReduceKind::Sum, ReduceKind::Mean, ReduceKind::Std, ReduceKind::Count] {
            let what = format!("{kind:?}");
            outs.push((
                built(&what, x.reduce(kind, &axes, opts))?,
                eager(&what, e.reduce(kind, &axes, opts))?,
            ));
        }
        outs.push((built("cumsum", x.cumsum(0, true))?, e.scan(false, 0, true)));
        check_together("several outputs", &outs)?;
    }

    /// The seasons of an ensemble mean beside statistics of the per-member means: a
    /// grouped mean along axis 1 of the mean along axis 0, with reductions along axis
    /// 1 that keep axis 0. Under the tiny budget the inner mean is computed where it is
    /// used, and its input blocks feed the other reductions in the same blocks.
    #[test]
    fn a_grouped_mean_of_a_mean_beside_reductions_of_its_input(
        a in generate::arr(2..=4, generate::FLOATISH),
        label_seeds in prop::collection::vec(any::<u8>(), 30),
        n_groups in 1usize..4,
        skipna in any::<bool>(),
    ) {
        let opts = ReduceOptions { skipna, ..Default::default() };
        let x = built("cast", a.lazy().cast(F64))?;
        let e = a.eager().cast(F64);
        let labels: Vec<i64> = label_seeds[..a.shape[1]]
            .iter()
            .map(|&s| (s as usize % n_groups) as i64)
            .collect();
        let inner = built("mean over 0", x.reduce(ReduceKind::Mean, &[0], opts))?;
        let e_inner = eager("mean over 0", e.reduce(ReduceKind::Mean, &[0], opts))?;
        let members = built("mean over 1", x.reduce(ReduceKind::Mean, &[1], opts))?;
        let e_members = eager("mean over 1", e.reduce(ReduceKind::Mean, &[1], opts))?;
        let outs = vec![
            (
                built("grouped", inner.group_reduce(ReduceKind::Mean, 0, labels.clone(), n_groups, opts))?,
                eager("grouped", e_inner.group_reduce(ReduceKind::Mean, 0, &labels, n_groups, opts))?,
            ),
            (
                built("spread", members.reduce(ReduceKind::Std, &[0], opts))?,
                eager("spread", e_members.reduce(ReduceKind::Std, &[0], opts))?,
            ),
            (
                built("sum over 1", x.reduce(ReduceKind::Sum, &[1], opts))?,
                eager("sum over 1", e.reduce(ReduceKind::Sum, &[1], opts))?,
            ),
        ];
        check_together("a grouped mean of a mean", &outs)?;
    }
}

// ---------------------------------------------------------------------------------
// The optimizer: fused chains, slice push-down, random pipelines.
// ---------------------------------------------------------------------------------

/// One step of a random pipeline on `f64` data; seeds become axes and indices once the
/// shape the step meets is known.
#[derive(Clone, Debug)]
enum Step {
    /// `x * (m / 2) + k / 4`.
    Affine(i8, i8),
    /// abs, neg, tanh, sin or arctan.
    Unary(u8),
    Slice(Vec<PySlice>),
    Take(usize, Vec<usize>),
    Transpose(u64),
    Rechunk(Vec<usize>),
    ExpandDims(usize),
    /// (kind, axes mask, keepdims, skipna).
    Reduce(u8, u8, bool, bool),
    /// `x - x.mean(axis, keepdims, skipna)`: a nested reduction broadcast back.
    Anomaly(usize, bool),
    Cumsum(usize, bool),
    /// `x + x[0:1]` along an axis.
    AddFirst(usize),
    /// `concat([x, x[::-1]])` along an axis.
    ConcatReversed(usize),
    /// `where(x > 0, x, x / 2)`.
    Leaky,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (-3i8..=3, -4i8..=4).prop_map(|(m, k)| Step::Affine(m, k)),
        any::<u8>().prop_map(Step::Unary),
        prop::collection::vec(generate::py_slice(), 5).prop_map(Step::Slice),
        (any::<usize>(), prop::collection::vec(any::<usize>(), 0..6))
            .prop_map(|(a, i)| Step::Take(a, i)),
        any::<u64>().prop_map(Step::Transpose),
        prop::collection::vec(any::<usize>(), 5).prop_map(Step::Rechunk),
        any::<usize>().prop_map(Step::ExpandDims),
        (any::<u8>(), any::<u8>(), any::<bool>(), any::<bool>())
            .prop_map(|(k, m, kd, s)| Step::Reduce(k, m, kd, s)),
        (any::<usize>(), any::<bool>()).prop_map(|(a, s)| Step::Anomaly(a, s)),
        (any::<usize>(), any::<bool>()).prop_map(|(a, s)| Step::Cumsum(a, s)),
        any::<usize>().prop_map(Step::AddFirst),
        any::<usize>().prop_map(Step::ConcatReversed),
        Just(Step::Leaky),
    ]
}

/// Applies a step to the lazy array and to its eager twin; `None` if the step does not
/// apply to this shape.
fn apply_step(s: &Step, l: &LazyArray, e: &Eager) -> Option<(tessera::Result<LazyArray>, Outcome)> {
    use BinaryOp::{Add, Gt, Mul, Sub};
    let nd = l.ndim();
    let shape = l.shape().to_vec();
    let axis = |seed: usize| (nd > 0).then(|| seed % nd);
    Some(match s {
        Step::Affine(m, k) => {
            let (m, k) = (
                Scalar::Float(*m as f64 / 2.0),
                Scalar::Float(*k as f64 / 4.0),
            );
            (
                l.binary_scalar(Mul, m, false)
                    .and_then(|x| x.binary_scalar(Add, k, false)),
                e.scalar(Mul, m, false)
                    .and_then(|x| x.scalar(Add, k, false)),
            )
        }
        Step::Unary(u) => {
            let ops = [
                UnaryOp::Abs,
                UnaryOp::Neg,
                UnaryOp::Math(FloatFn::Tanh),
                UnaryOp::Math(FloatFn::Sin),
                UnaryOp::Math(FloatFn::Arctan),
            ];
            let op = ops[*u as usize % ops.len()];
            (l.unary(op), e.unary(op))
        }
        Step::Slice(specs) => (slice_each(l, specs), Ok(slice_each_eager(e, specs))),
        Step::Take(seed, raw) => {
            let axis = axis(*seed)?;
            let n = shape[axis];
            let idx = indices_of(raw, n);
            (l.take(axis, &idx), Ok(e.take(axis, &idx)))
        }
        Step::Transpose(seed) => {
            let perm = perm_of(*seed, nd);
            (l.transpose(&perm), Ok(e.transpose(&perm)))
        }
        Step::Rechunk(seeds) => {
            let sizes: Vec<usize> = shape
                .iter()
                .zip(seeds)
                .map(|(&n, s)| 1 + s % n.max(1))
                .collect();
            (l.rechunk_regular(&sizes), Ok(e.clone()))
        }
        Step::ExpandDims(seed) => {
            if nd >= 5 {
                return None;
            }
            let at = seed % (nd + 1);
            (l.expand_dims(at), Ok(e.expand_dims(at)))
        }
        Step::Reduce(k, mask, keepdims, skipna) => {
            let kinds = [
                ReduceKind::Sum,
                ReduceKind::Mean,
                ReduceKind::Max,
                ReduceKind::Min,
                ReduceKind::Std,
                ReduceKind::Count,
            ];
            let kind = kinds[*k as usize % kinds.len()];
            let axes = axes_of(*mask, nd);
            let opts = ReduceOptions {
                skipna: *skipna,
                keepdims: *keepdims,
                ..Default::default()
            };
            let lazy = reduce_lazy(l, kind, &axes, opts);
            (
                lazy.and_then(|x| x.cast(F64)),
                e.reduce(kind, &axes, opts).map(|x| x.cast(F64)),
            )
        }
        Step::Anomaly(seed, skipna) => {
            let axis = axis(*seed)?;
            let opts = ReduceOptions {
                skipna: *skipna,
                keepdims: true,
                ..Default::default()
            };
            (
                l.reduce(ReduceKind::Mean, &[axis], opts)
                    .and_then(|m| l.binary(Sub, &m)),
                e.reduce(ReduceKind::Mean, &[axis], opts)
                    .and_then(|m| e.binary(Sub, &m)),
            )
        }
        Step::Cumsum(seed, skipna) => {
            let axis = axis(*seed)?;
            (l.cumsum(axis, *skipna), Ok(e.scan(false, axis, *skipna)))
        }
        Step::AddFirst(seed) => {
            let axis = axis(*seed)?;
            let first = (Some(0), Some(1), 1);
            (
                l.slice_axis(axis, first.0, first.1, first.2)
                    .and_then(|f| l.add(&f)),
                e.binary(Add, &e.slice_py(axis, first)),
            )
        }
        Step::ConcatReversed(seed) => {
            let axis = axis(*seed)?;
            if l.len() > 800 {
                return None;
            }
            let rev = (None, None, -1);
            (
                l.slice_axis(axis, rev.0, rev.1, rev.2)
                    .and_then(|r| LazyArray::concat(&[l, &r], axis)),
                Ok(Eager::concat(&[e.clone(), e.slice_py(axis, rev)], axis)),
            )
        }
        Step::Leaky => {
            let half = Scalar::Float(0.5);
            let zero = Scalar::Float(0.0);
            (
                l.binary_scalar(Gt, zero, false).and_then(|c| {
                    l.binary_scalar(Mul, half, false)
                        .and_then(|h| c.select(l, &h))
                }),
                e.scalar(Gt, zero, false)
                    .and_then(|c| e.scalar(Mul, half, false).and_then(|h| c.select(e, &h))),
            )
        }
    })
}

proptest! {
    #![proptest_config(config())]

    /// `(a * 2 + 1).sqrt()` fused into a reduction of any kind.
    #[test]
    fn fused_map_reduce(
        a in generate::arr(0..=4, DTYPES),
        mask in any::<u8>(),
        skipna in any::<bool>(),
        keepdims in any::<bool>(),
    ) {
        let nd = a.shape.len();
        let (two, one) = (Scalar::Int(2), Scalar::Int(1));
        let x = a.lazy()
            .binary_scalar(BinaryOp::Mul, two, false)
            .and_then(|x| x.binary_scalar(BinaryOp::Add, one, false))
            .and_then(|x| x.math(FloatFn::Sqrt));
        let ex = a.eager()
            .scalar(BinaryOp::Mul, two, false)
            .and_then(|x| x.scalar(BinaryOp::Add, one, false))
            .and_then(|x| x.unary(UnaryOp::Math(FloatFn::Sqrt)));
        let x = built("sqrt(2a + 1)", x)?;
        let ex = eager("sqrt(2a + 1)", ex)?;
        let opts = ReduceOptions { skipna, keepdims, ..Default::default() };
        for kind in REDUCE_KINDS {
            let axes = axes_for(kind, mask, nd);
            let lazy = reduce_lazy(&x, kind, &axes, opts);
            let what = format!("{kind:?} of sqrt(2a + 1) over {axes:?}");
            check(&what, lazy, ex.reduce(kind, &axes, opts))?;
        }
    }

    /// Slices and takes of broadcasting maps (pushed below the map to its inputs, which
    /// are not sliced along their broadcast axes) and slices of transposes.
    #[test]
    fn pushdown_through_maps(
        ab in generate::broadcast_group(vec![DTYPES, DTYPES]),
        specs in prop::collection::vec(generate::py_slice(), 4),
        take_seed in any::<usize>(),
        take_raw in prop::collection::vec(any::<usize>(), 0..6),
        perm_seed in any::<u64>(),
    ) {
        let (a, b) = (&ab[0], &ab[1]);
        let two = Scalar::Int(2);
        let m = built("2a + b", a.lazy()
            .binary_scalar(BinaryOp::Mul, two, false)
            .and_then(|x| x.add(&b.lazy())))?;
        let em = eager("2a + b", a.eager()
            .scalar(BinaryOp::Mul, two, false)
            .and_then(|x| x.binary(BinaryOp::Add, &b.eager())))?;
        let nd = m.ndim();

        let sliced = built("slice of map", m.slice(&axis_slices(m.shape(), &specs)))?;
        let esliced = slice_each_eager(&em, &specs);
        if matches!(sliced.op(), Op::Slice(_)) {
            let optimized =
                optimize(std::slice::from_ref(&sliced)).map_err(|e| fail(e.to_string()))?;
            prop_assert!(
                !matches!(optimized[0].op(), Op::Slice(_)),
                "the slice was not pushed below the map:\n{}",
                optimized[0].explain()
            );
        }
        check("slice of map", Ok(sliced.clone()), Ok(esliced.clone()))?;
        if nd > 0 {
            let opts = ReduceOptions::skipna();
            check(
                "sum of slice of map",
                sliced.reduce(ReduceKind::Sum, &[0], opts),
                esliced.reduce(ReduceKind::Sum, &[0], opts),
            )?;
            let axis = take_seed % nd;
            let n = m.shape()[axis];
            let idx = indices_of(&take_raw, n);
            check("take of map", m.take(axis, &idx), Ok(em.take(axis, &idx)))?;
        }
        let perm = perm_of(perm_seed, nd);
        let t = built("transpose of map", m.transpose(&perm))?;
        let et = em.transpose(&perm);
        check(
            "slice of transpose",
            t.slice(&axis_slices(t.shape(), &specs)),
            Ok(slice_each_eager(&et, &specs)),
        )?;
    }

    /// Random pipelines of maps, slices, takes, transposes, rechunks, reductions
    /// (nested ones included), scans, broadcasts and concats; every intermediate array
    /// is an output of one multi-output computation.
    #[test]
    fn random_pipelines(
        a in generate::arr(0..=3, FLOATISH),
        steps in prop::collection::vec(step(), 1..=5),
    ) {
        let mut l = built("cast", a.lazy().cast(F64))?;
        let mut e = a.eager().cast(F64);
        let mut outs = vec![(l.clone(), e.clone())];
        for s in &steps {
            let Some((lazy, want)) = apply_step(s, &l, &e) else { continue };
            l = built(&format!("{s:?}"), lazy)?;
            e = eager(&format!("{s:?}"), want)?;
            outs.push((l.clone(), e.clone()));
        }
        check_together(&format!("pipeline {steps:?}"), &outs)?;
        // Alone, the last array's nested reductions are not outputs: each is staged,
        // or computed block by block where its chunks are read once.
        check(&format!("the end of pipeline {steps:?} alone"), Ok(l), Ok(e))?;
    }
}
