//! The tile interpreter: runs an [`Expr`] over a block, a few thousand elements at a time.
//!
//! Each instruction processes a whole tile in a tight typed loop, so a fused chain of
//! operations costs one pass over memory and a few passes over an L1-resident tile,
//! which is what lets a fused map + reduction approach a hand-written loop.

use ndarray::ArrayViewD;

use crate::engine::chunk::{ArrayData, Storable};
use crate::engine::dtype::{DType, Element, Float, FloatFn, Kind, Numeric, cast};
use crate::engine::expr::{BinaryOp, Expr, Instr, Scalar, UnaryOp};

/// Elements per tile: small enough for all registers of a typical chain to stay in L1/L2.
pub(crate) const TILE: usize = 2048;

/// Element types that can live in a [`Buf`].
pub(crate) trait Tileable: Storable {
    /// Borrows the typed vector.
    fn buf(b: &Buf) -> &Vec<Self>;
    /// Borrows the typed vector mutably.
    fn buf_mut(b: &mut Buf) -> &mut Vec<Self>;
    /// A new register of this type.
    fn new_buf(len: usize) -> Buf;
    /// Wraps a vector as a register.
    fn into_buf(v: Vec<Self>) -> Buf;
}

/// [`Buf`] and its [`Tileable`] impls, one variant per row of the dtype table.
macro_rules! define_buf {
    ({} $(($V:ident, $t:ident, $($rest:tt)*)),* $(,)?) => {
        /// A typed tile register.
        #[allow(missing_docs)]
        #[derive(Debug)]
        pub(crate) enum Buf {
            $($V(Vec<$t>),)*
        }

        $(
            impl Tileable for $t {
                fn buf(b: &Buf) -> &Vec<Self> {
                    match b {
                        Buf::$V(v) => v,
                        other => panic!("register holds {other:?}-typed data, expected {}", stringify!($t)),
                    }
                }
                fn buf_mut(b: &mut Buf) -> &mut Vec<Self> {
                    match b {
                        Buf::$V(v) => v,
                        _ => panic!("register type mismatch, expected {}", stringify!($t)),
                    }
                }
                fn new_buf(len: usize) -> Buf {
                    Buf::$V(vec![<$t>::default(); len])
                }
                fn into_buf(v: Vec<Self>) -> Buf {
                    Buf::$V(v)
                }
            }
        )*
    };
}
crate::for_each_dtype!([define_buf] {});

impl Buf {
    /// A zeroed register of `dtype` holding `len` elements.
    pub(crate) fn new(dtype: DType, len: usize) -> Buf {
        crate::with_dtype!(dtype, T => T::new_buf(len))
    }

    /// Wraps a typed vector.
    pub(crate) fn from_vec<T: Tileable>(v: Vec<T>) -> Buf {
        T::into_buf(v)
    }
}

/// Copies elements `start .. start + out.len()` (C order) of a view into `out`,
/// following any strides, including the zero strides of broadcasting.
pub(crate) fn fill_tile<T: Copy>(view: &ArrayViewD<'_, T>, start: usize, out: &mut [T]) {
    let len = out.len();
    if len == 0 {
        return;
    }
    if let Some(s) = view.as_slice() {
        out.copy_from_slice(&s[start..start + len]);
        return;
    }
    let shape = view.shape();
    let strides = view.strides();
    let n = shape.len();
    if n == 0 {
        out[0] = view[ndarray::IxDyn(&[])];
        return;
    }
    let mut idx = vec![0usize; n];
    let mut rem = start;
    for ax in (0..n).rev() {
        idx[ax] = rem % shape[ax];
        rem /= shape[ax];
    }
    let mut base: isize = idx.iter().zip(strides).map(|(&i, &s)| i as isize * s).sum();
    let inner = n - 1;
    let (inner_len, inner_stride) = (shape[inner], strides[inner]);
    let ptr = view.as_ptr();
    let mut filled = 0;
    while filled < len {
        let k = (inner_len - idx[inner]).min(len - filled);
        let dst = &mut out[filled..filled + k];
        // SAFETY: `base` is the offset of element `idx`, which lies inside the view, and
        // the `k` elements read along the inner axis stay inside it too.
        unsafe {
            let p = ptr.wrapping_offset(base);
            match inner_stride {
                1 => std::ptr::copy_nonoverlapping(p, dst.as_mut_ptr(), k),
                0 => dst.fill(*p),
                s => {
                    for (j, d) in dst.iter_mut().enumerate() {
                        *d = *p.wrapping_offset(j as isize * s);
                    }
                }
            }
        }
        filled += k;
        idx[inner] += k;
        base += k as isize * inner_stride;
        if idx[inner] == inner_len {
            base -= inner_len as isize * inner_stride;
            idx[inner] = 0;
            for ax in (0..inner).rev() {
                idx[ax] += 1;
                base += strides[ax];
                if idx[ax] < shape[ax] {
                    break;
                }
                base -= shape[ax] as isize * strides[ax];
                idx[ax] = 0;
            }
        }
    }
}

/// Per-task state for evaluating one expression tile by tile.
pub(crate) struct TileEval {
    expr: std::sync::Arc<Expr>,
    regs: Vec<Buf>,
}

impl TileEval {
    /// Allocates the registers once; they are reused for every tile and block.
    pub(crate) fn new(expr: std::sync::Arc<Expr>) -> Self {
        let regs = expr
            .dtypes()
            .iter()
            .zip(expr.instrs())
            .map(|(&d, i)| match *i {
                // Constants are also materialized so that any instruction can read them as
                // a register; binary operations use the scalar fast path instead.
                Instr::Const(s) => crate::with_dtype!(d, T => {
                    Buf::from_vec(vec![scalar_as::<T>(s); TILE])
                }),
                _ => Buf::new(d, TILE),
            })
            .collect();
        TileEval { expr, regs }
    }

    /// Evaluates elements `start .. start + len` (`len <= TILE`) of the block whose
    /// inputs are `inputs` (each already broadcast to the block's shape) and returns the
    /// result register; only its first `len` elements are meaningful.
    pub(crate) fn eval<'s>(
        &'s mut self,
        inputs: &'s [InputView<'_>],
        start: usize,
        len: usize,
    ) -> Src<'s> {
        let expr = self.expr.clone();
        let instrs = expr.instrs();
        // Contiguous inputs are read in place rather than copied into their register.
        fn src<'x>(
            instrs: &[Instr],
            inputs: &'x [InputView<'_>],
            done: &'x [Buf],
            i: usize,
            start: usize,
        ) -> Src<'x> {
            match instrs[i] {
                Instr::Input(k) if inputs[k].direct => Src::Data(inputs[k].data, start),
                _ => Src::Buf(&done[i]),
            }
        }
        for (i, instr) in instrs.iter().enumerate() {
            let (done, rest) = self.regs.split_at_mut(i);
            let done: &[Buf] = done;
            let out = &mut rest[0];
            let src = |i: usize| src(instrs, inputs, done, i, start);
            match *instr {
                Instr::Input(k) if inputs[k].direct => {}
                Instr::Input(k) => inputs[k].fill(start, len, out),
                Instr::Const(_) => {}
                Instr::Unary(op, a) => unary(op, src(a), out, len),
                Instr::Binary(op, a, b) => {
                    let ca = const_of(instrs, a);
                    let cb = const_of(instrs, b);
                    binary(op, (src(a), ca), (src(b), cb), out, len)
                }
                Instr::Where(c, a, b) => select(
                    src(c),
                    (src(a), const_of(instrs, a)),
                    (src(b), const_of(instrs, b)),
                    out,
                    len,
                ),
            }
        }
        let last = instrs.len() - 1;
        match instrs[last] {
            Instr::Input(k) if inputs[k].direct => Src::Data(inputs[k].data, start),
            _ => Src::Buf(&self.regs[last]),
        }
    }
}

/// Where an instruction's operand is read from: its register, or an input block
/// read in place.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Src<'a> {
    /// A tile register.
    Buf(&'a Buf),
    /// A contiguous input block, from element `start`.
    Data(&'a ArrayData, usize),
}

impl<'a> Src<'a> {
    /// The element type.
    pub(crate) fn dtype(self) -> DType {
        match self {
            Src::Buf(b) => buf_dtype(b),
            Src::Data(d, _) => d.dtype(),
        }
    }

    /// The first `len` elements of the tile.
    pub(crate) fn get<T: Tileable>(self, len: usize) -> &'a [T] {
        match self {
            Src::Buf(b) => &T::buf(b)[..len],
            Src::Data(d, start) => {
                let a = T::peek(d).expect("operand dtype was checked when the program was built");
                &a.as_slice().expect("direct inputs are contiguous")[start..start + len]
            }
        }
    }
}

fn const_of(instrs: &[Instr], reg: usize) -> Option<Scalar> {
    match instrs[reg] {
        Instr::Const(s) => Some(s),
        _ => None,
    }
}

pub(crate) fn scalar_as<T: Element>(s: Scalar) -> T {
    match s {
        Scalar::Bool(b) => T::from_bool(b),
        Scalar::Int(v) => T::from_i64(v),
        Scalar::UInt(v) => T::from_u64(v),
        Scalar::Float(v) => T::from_f64(v),
    }
}

/// An input block seen as a view broadcast to the block's shape.
pub(crate) struct InputView<'a> {
    data: &'a ArrayData,
    shape: &'a [usize],
    direct: bool,
}

impl<'a> InputView<'a> {
    /// Wraps a block; `shape` is the block shape it broadcasts to (numpy rules).
    pub(crate) fn new(data: &'a ArrayData, shape: &'a [usize]) -> Self {
        let direct =
            data.shape() == shape && crate::match_data!(data, a: T => a.as_slice().is_some());
        InputView {
            data,
            shape,
            direct,
        }
    }

    fn fill(&self, start: usize, len: usize, out: &mut Buf) {
        let shape = ndarray::IxDyn(self.shape);
        crate::match_data!(self.data, a: T => {
            let v = a.broadcast(shape.clone()).expect("input was checked to broadcast to the block");
            fill_tile(&v, start, &mut T::buf_mut(out)[..len]);
        })
    }
}

#[inline(always)]
fn map1<A: Copy, O>(a: &[A], out: &mut [O], f: impl Fn(A) -> O) {
    for (o, &x) in out.iter_mut().zip(a) {
        *o = f(x);
    }
}

#[inline(always)]
fn map2<A: Copy, O>(
    a: (&[A], Option<A>),
    b: (&[A], Option<A>),
    out: &mut [O],
    f: impl Fn(A, A) -> O,
) {
    match (a.1, b.1) {
        (None, None) => {
            for ((o, &x), &y) in out.iter_mut().zip(a.0).zip(b.0) {
                *o = f(x, y);
            }
        }
        (None, Some(y)) => map1(a.0, out, |x| f(x, y)),
        (Some(x), None) => map1(b.0, out, |y| f(x, y)),
        (Some(x), Some(y)) => out.iter_mut().for_each(|o| *o = f(x, y)),
    }
}

fn operand<T: Tileable>(r: (Src<'_>, Option<Scalar>), len: usize) -> (&[T], Option<T>) {
    match r.1 {
        Some(s) => (&[], Some(scalar_as::<T>(s))),
        None => (r.0.get::<T>(len), None),
    }
}

fn unary(op: UnaryOp, a: Src<'_>, out: &mut Buf, len: usize) {
    match op {
        UnaryOp::Cast(d) => crate::with_dtype!(a.dtype(), S => crate::with_dtype!(d, D => {
            map1(a.get::<S>(len), &mut D::buf_mut(out)[..len], cast::<S, D>)
        })),
        UnaryOp::Not => map1(a.get::<bool>(len), &mut bool::buf_mut(out)[..len], |x| !x),
        UnaryOp::IsNan | UnaryOp::NotNan | UnaryOp::IsFinite | UnaryOp::IsInf => {
            let o = &mut bool::buf_mut(out)[..len];
            crate::with_dtype!(a.dtype(), T => {
                let s = a.get::<T>(len);
                if T::KIND != Kind::Float {
                    o.fill(matches!(op, UnaryOp::NotNan | UnaryOp::IsFinite));
                } else {
                    match op {
                        UnaryOp::IsNan => map1(s, o, |x| x.is_nan()),
                        UnaryOp::NotNan => map1(s, o, |x| !x.is_nan()),
                        UnaryOp::IsFinite => map1(s, o, |x| x.to_f64().is_finite()),
                        _ => map1(s, o, |x| x.to_f64().is_infinite()),
                    }
                }
            })
        }
        UnaryOp::Math(f) => crate::with_float_dtype!(a.dtype(), T => {
            math(f, a.get::<T>(len), &mut T::buf_mut(out)[..len])
        }, other => unreachable!("math functions run on floats")),
        UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign | UnaryOp::Square => {
            crate::with_numeric_dtype!(a.dtype(), T => {
                let (s, o) = (a.get::<T>(len), &mut T::buf_mut(out)[..len]);
                match op {
                    UnaryOp::Neg => map1(s, o, Numeric::neg),
                    UnaryOp::Abs => map1(s, o, Numeric::abs),
                    UnaryOp::Sign => map1(s, o, Numeric::sign),
                    _ => map1(s, o, |x| x.mul(x)),
                }
            }, bool => unreachable!("arithmetic on bool is rejected when the expression is built"))
        }
    }
}

macro_rules! math_arms {
    ($f:expr, $a:expr, $o:expr, $($v:ident),*) => {
        match $f { $(FloatFn::$v => map1($a, $o, |x| x.apply(FloatFn::$v)),)* }
    };
}

fn math<T: Float>(f: FloatFn, a: &[T], o: &mut [T]) {
    math_arms!(
        f, a, o, Sqrt, Exp, Expm1, Log, Log1p, Log10, Log2, Sin, Cos, Tan, Arcsin, Arccos, Arctan,
        Sinh, Cosh, Tanh, Floor, Ceil, Round, Trunc, Deg2Rad, Rad2Deg
    )
}

fn binary(
    op: BinaryOp,
    a: (Src<'_>, Option<Scalar>),
    b: (Src<'_>, Option<Scalar>),
    out: &mut Buf,
    len: usize,
) {
    // The operands' dtype: both have it (casts were inserted when building), and a
    // constant's register holds it too.
    let dt = a.0.dtype();
    if op.is_comparison() {
        let o = &mut bool::buf_mut(out)[..len];
        #[allow(clippy::bool_comparison)]
        return crate::with_dtype!(dt, T => {
            let (x, y) = (operand::<T>(a, len), operand::<T>(b, len));
            match op {
                BinaryOp::Eq => map2(x, y, o, |p, q| p == q),
                BinaryOp::Ne => map2(x, y, o, |p, q| p != q),
                BinaryOp::Lt => map2(x, y, o, |p, q| p < q),
                BinaryOp::Le => map2(x, y, o, |p, q| p <= q),
                BinaryOp::Gt => map2(x, y, o, |p, q| p > q),
                _ => map2(x, y, o, |p, q| p >= q),
            }
        });
    }
    if op.is_logical() {
        let (x, y) = (operand::<bool>(a, len), operand::<bool>(b, len));
        let o = &mut bool::buf_mut(out)[..len];
        return match op {
            BinaryOp::And => map2(x, y, o, |p, q| p & q),
            BinaryOp::Or => map2(x, y, o, |p, q| p | q),
            _ => map2(x, y, o, |p, q| p ^ q),
        };
    }
    if matches!(op, BinaryOp::Atan2 | BinaryOp::Fmin | BinaryOp::Fmax) {
        return crate::with_float_dtype!(dt, T => {
            let (x, y) = (operand::<T>(a, len), operand::<T>(b, len));
            let o = &mut T::buf_mut(out)[..len];
            match op {
                BinaryOp::Atan2 => map2(x, y, o, Float::atan2),
                BinaryOp::Fmin => map2(x, y, o, Float::fmin),
                _ => map2(x, y, o, Float::fmax),
            }
        }, other => unreachable!("float-only operation on a non-float"));
    }
    crate::with_numeric_dtype!(dt, T => {
        let (x, y) = (operand::<T>(a, len), operand::<T>(b, len));
        let o = &mut T::buf_mut(out)[..len];
        match op {
            BinaryOp::Add => map2(x, y, o, Numeric::add),
            BinaryOp::Sub => map2(x, y, o, Numeric::sub),
            BinaryOp::Mul => map2(x, y, o, Numeric::mul),
            BinaryOp::Div => map2(x, y, o, Numeric::div),
            BinaryOp::FloorDiv => map2(x, y, o, Numeric::floor_div),
            BinaryOp::Rem => map2(x, y, o, Numeric::rem),
            BinaryOp::Pow => map2(x, y, o, Numeric::pow),
            BinaryOp::Minimum => map2(x, y, o, Numeric::minimum),
            _ => map2(x, y, o, Numeric::maximum),
        }
    }, bool => unreachable!("arithmetic on bool is rejected when the expression is built"))
}

fn select(
    c: Src<'_>,
    a: (Src<'_>, Option<Scalar>),
    b: (Src<'_>, Option<Scalar>),
    out: &mut Buf,
    len: usize,
) {
    let cond = c.get::<bool>(len);
    crate::with_dtype!(buf_dtype(out), T => {
        let (x, y) = (operand::<T>(a, len), operand::<T>(b, len));
        let o = &mut T::buf_mut(out)[..len];
        for (j, (ov, &cv)) in o.iter_mut().zip(cond).enumerate() {
            let xv = x.1.unwrap_or_else(|| x.0[j]);
            let yv = y.1.unwrap_or_else(|| y.0[j]);
            *ov = if cv { xv } else { yv };
        }
    })
}

/// The dtype of a register.
pub(crate) fn buf_dtype(b: &Buf) -> DType {
    crate::match_buf!(b, _v: T => T::DTYPE)
}

/// Applies `$body` to the typed vector inside a [`Buf`], binding `$v` and type `$T`.
#[macro_export]
#[doc(hidden)]
macro_rules! match_buf {
    ($buf:expr, $v:ident : $T:ident => $body:expr) => {
        $crate::for_each_dtype!([$crate::__variant_match] {
            ($crate::engine::exec::tile::Buf) ($buf) $v $T ($body)
        })
    };
}

/// Evaluates an expression over a whole block into a new array of the block's shape.
pub(crate) fn eval_block<D: std::ops::Deref<Target = ArrayData>>(
    expr: &std::sync::Arc<Expr>,
    inputs: &[D],
    shape: &[usize],
) -> ArrayData {
    let views: Vec<InputView<'_>> = inputs.iter().map(|d| InputView::new(d, shape)).collect();
    let n: usize = shape.iter().product();
    let mut ev = TileEval::new(expr.clone());
    crate::with_dtype!(expr.out_dtype(), T => {
        let mut out: Vec<T> = Vec::with_capacity(n);
        let mut start = 0;
        while start < n {
            let len = TILE.min(n - start);
            let r = ev.eval(&views, start, len);
            out.extend_from_slice(r.get::<T>(len));
            start += len;
        }
        T::wrap(ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), out).expect("length matches shape"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::expr::ExprBuilder;
    use ndarray::{Array, IxDyn, array};

    #[test]
    fn fill_tile_follows_broadcast_and_transposed_strides() {
        let a = array![[1, 2, 3], [4, 5, 6]].into_dyn();
        let t = a.view().reversed_axes();
        let mut out = [0; 4];
        fill_tile(&t, 1, &mut out);
        assert_eq!(out, [4, 2, 5, 3]);
        let row = array![10, 20, 30].into_dyn();
        let b = row.broadcast(IxDyn(&[2, 3])).unwrap();
        let mut out = [0; 5];
        fill_tile(&b, 1, &mut out);
        assert_eq!(out, [20, 30, 10, 20, 30]);
    }

    #[test]
    fn evaluates_a_fused_program_over_tiles() {
        let mut b = ExprBuilder::new();
        let x = b.input(0, DType::F32);
        let y = b.input(1, DType::F32);
        let s = b.binary(BinaryOp::Mul, x, y).unwrap();
        let c = b
            .binary_scalar(BinaryOp::Add, s, 1.0.into(), false)
            .unwrap();
        let gt = b
            .binary_scalar(BinaryOp::Gt, c, 10.0.into(), false)
            .unwrap();
        let r = b.select(gt, c, x).unwrap();
        let e = b.finish(r);
        let n = TILE * 2 + 7;
        let xa = ArrayData::new(Array::from_shape_fn(IxDyn(&[n]), |i| i[0] as f32 * 0.01));
        let ya = ArrayData::new(Array::from_elem(IxDyn(&[1]), 3.0f32));
        let out = eval_block(&std::sync::Arc::new(e), &[&xa, &ya], &[n])
            .into_typed::<f32>()
            .unwrap();
        for (i, v) in out.iter().enumerate() {
            let xv = i as f32 * 0.01;
            let c = xv * 3.0 + 1.0;
            assert_eq!(*v, if c > 10.0 { c } else { xv });
        }
    }
}
