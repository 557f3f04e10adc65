//! Element types: the runtime [`DType`], the [`Element`] trait kernels are generic over,
//! and the one macro that turns a runtime dtype into a type parameter.

use std::fmt;

/// The element type of an array, known at run time.
///
/// Datetimes are carried as `I64` counts of microseconds (see [`crate::time`]); the
/// labelled layer keeps the calendar beside the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// Booleans (one byte each).
    Bool,
    /// Signed 8-bit integers.
    I8,
    /// Signed 16-bit integers.
    I16,
    /// Signed 32-bit integers.
    I32,
    /// Signed 64-bit integers.
    I64,
    /// Unsigned 8-bit integers.
    U8,
    /// Unsigned 16-bit integers.
    U16,
    /// Unsigned 32-bit integers.
    U32,
    /// Unsigned 64-bit integers.
    U64,
    /// 32-bit floats.
    F32,
    /// 64-bit floats.
    F64,
}

/// The broad family of a dtype, which decides casting and promotion rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `bool`.
    Bool,
    /// Signed integers.
    Signed,
    /// Unsigned integers.
    Unsigned,
    /// Floating point.
    Float,
}

impl DType {
    /// Every dtype, in promotion order within each kind.
    pub const ALL: [DType; 11] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F32,
        DType::F64,
    ];

    /// Size of one element in bytes.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 => 8,
        }
    }

    /// The family this dtype belongs to.
    pub fn kind(self) -> Kind {
        match self {
            DType::Bool => Kind::Bool,
            DType::I8 | DType::I16 | DType::I32 | DType::I64 => Kind::Signed,
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => Kind::Unsigned,
            DType::F32 | DType::F64 => Kind::Float,
        }
    }

    /// True for `F32` and `F64`.
    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }

    /// True for signed and unsigned integers (not bool).
    pub fn is_integer(self) -> bool {
        matches!(self.kind(), Kind::Signed | Kind::Unsigned)
    }

    /// The numpy name of the dtype (`"float32"`, `"int16"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// Parses a numpy dtype name (`"float32"`, `"f4"`, `"<f4"`, `"int16"`, `"bool"`, ...).
    pub fn from_name(name: &str) -> Option<DType> {
        let n = name.trim_start_matches(['<', '>', '|', '=']);
        Some(match n {
            "bool" | "b1" | "?" => DType::Bool,
            "int8" | "i1" => DType::I8,
            "int16" | "i2" => DType::I16,
            "int32" | "i4" => DType::I32,
            "int64" | "i8" => DType::I64,
            "uint8" | "u1" => DType::U8,
            "uint16" | "u2" => DType::U16,
            "uint32" | "u4" => DType::U32,
            "uint64" | "u8" => DType::U64,
            "float32" | "f4" => DType::F32,
            "float64" | "f8" => DType::F64,
            _ => return None,
        })
    }

    /// The smallest float type that holds this dtype's values as numpy would choose it
    /// for a true division or a math function (`f32` stays `f32`, small ints go to `f64`).
    pub fn float_result(self) -> DType {
        match self {
            DType::F32 => DType::F32,
            _ => DType::F64,
        }
    }

    fn signed_of_size(size: usize) -> DType {
        match size {
            1 => DType::I8,
            2 => DType::I16,
            4 => DType::I32,
            _ => DType::I64,
        }
    }

    /// numpy's result type for a binary operation between arrays of these two dtypes.
    pub fn promote(a: DType, b: DType) -> DType {
        use Kind::*;
        if a == b {
            return a;
        }
        match (a.kind(), b.kind()) {
            (Bool, _) => b,
            (_, Bool) => a,
            (Float, Float) => DType::F64,
            (Float, _) | (_, Float) => {
                let (f, other) = if a.is_float() { (a, b) } else { (b, a) };
                // int8/int16/uint8/uint16 fit exactly in float32; wider ints need float64.
                if f == DType::F32 && other.size() <= 2 {
                    DType::F32
                } else {
                    DType::F64
                }
            }
            (Signed, Signed) | (Unsigned, Unsigned) => {
                if a.size() >= b.size() {
                    a
                } else {
                    b
                }
            }
            (Signed, Unsigned) | (Unsigned, Signed) => {
                let (s, u) = if a.kind() == Signed { (a, b) } else { (b, a) };
                if s.size() > u.size() {
                    s
                } else if u.size() < 8 {
                    DType::signed_of_size(u.size() * 2)
                } else {
                    DType::F64
                }
            }
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A Rust element type that can live in a tessera array.
///
/// Implemented for `bool`, `i8..i64`, `u8..u64`, `f32`, `f64`. Conversions follow
/// numpy's C casting (`as` in Rust): integers wrap, floats saturate into integers.
pub trait Element:
    Copy + Send + Sync + PartialOrd + PartialEq + fmt::Debug + Default + 'static
{
    /// The runtime dtype of this type.
    const DTYPE: DType;
    /// Its family.
    const KIND: Kind;
    /// Widening conversion used by float accumulators.
    fn to_f64(self) -> f64;
    /// Conversion used by integer accumulators (wrapping for `u64`).
    fn to_i64(self) -> i64;
    /// Conversion to `u64` (wrapping for negative values).
    fn to_u64(self) -> u64;
    /// `x != 0`.
    fn truthy(self) -> bool;
    /// `v as Self`.
    fn from_f64(v: f64) -> Self;
    /// `v as Self`.
    fn from_i64(v: i64) -> Self;
    /// `v as Self`.
    fn from_u64(v: u64) -> Self;
    /// `v as u8 as Self`.
    fn from_bool(v: bool) -> Self;
    /// True only for a float NaN.
    fn is_nan(self) -> bool;
    /// The value a float array uses for missing data; the default value otherwise.
    fn nan_or_default() -> Self;
}

/// numpy-style cast of one value between element types.
#[inline(always)]
pub(crate) fn cast<S: Element, D: Element>(x: S) -> D {
    match D::KIND {
        Kind::Float => D::from_f64(x.to_f64()),
        Kind::Signed if S::KIND == Kind::Float => D::from_f64(x.to_f64()),
        Kind::Signed => D::from_i64(x.to_i64()),
        Kind::Unsigned if S::KIND == Kind::Float => D::from_f64(x.to_f64()),
        Kind::Unsigned => D::from_u64(x.to_u64()),
        Kind::Bool => D::from_bool(x.truthy()),
    }
}

macro_rules! impl_element_num {
    ($t:ty, $dt:ident, $kind:ident, $nan:expr, $isnan:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            const KIND: Kind = Kind::$kind;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn to_u64(self) -> u64 {
                self as u64
            }
            #[inline(always)]
            fn truthy(self) -> bool {
                self != (0 as $t)
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_u64(v: u64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_bool(v: bool) -> Self {
                v as u8 as $t
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                let f: fn($t) -> bool = $isnan;
                f(self)
            }
            #[inline(always)]
            fn nan_or_default() -> Self {
                $nan
            }
        }
    };
}

impl_element_num!(i8, I8, Signed, 0, |_| false);
impl_element_num!(i16, I16, Signed, 0, |_| false);
impl_element_num!(i32, I32, Signed, 0, |_| false);
impl_element_num!(i64, I64, Signed, 0, |_| false);
impl_element_num!(u8, U8, Unsigned, 0, |_| false);
impl_element_num!(u16, U16, Unsigned, 0, |_| false);
impl_element_num!(u32, U32, Unsigned, 0, |_| false);
impl_element_num!(u64, U64, Unsigned, 0, |_| false);
impl_element_num!(f32, F32, Float, f32::NAN, |x: f32| x.is_nan());
impl_element_num!(f64, F64, Float, f64::NAN, |x: f64| x.is_nan());

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    const KIND: Kind = Kind::Bool;
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    fn to_i64(self) -> i64 {
        self as i64
    }
    fn to_u64(self) -> u64 {
        self as u64
    }
    fn truthy(self) -> bool {
        self
    }
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    fn from_u64(v: u64) -> Self {
        v != 0
    }
    fn from_bool(v: bool) -> Self {
        v
    }
    fn is_nan(self) -> bool {
        false
    }
    fn nan_or_default() -> Self {
        false
    }
}

/// Arithmetic on numeric element types with numpy's semantics: integers wrap on
/// overflow, integer division by zero gives 0 (numpy warns and returns 0).
pub(crate) trait Numeric: Element {
    /// `a + b`.
    fn add(self, o: Self) -> Self;
    /// `a - b`.
    fn sub(self, o: Self) -> Self;
    /// `a * b`.
    fn mul(self, o: Self) -> Self;
    /// `a / b` (only used for floats; integer true division is promoted to float first).
    fn div(self, o: Self) -> Self;
    /// Python-style modulo (sign of the divisor), as `numpy.mod`.
    fn rem(self, o: Self) -> Self;
    /// Floor division, as `numpy.floor_divide`.
    fn floor_div(self, o: Self) -> Self;
    /// `a ** b`.
    fn pow(self, o: Self) -> Self;
    /// `-a`.
    fn neg(self) -> Self;
    /// `|a|`.
    fn abs(self) -> Self;
    /// Sign: -1, 0 or 1 (NaN stays NaN).
    fn sign(self) -> Self;
    /// numpy.minimum: NaN propagates.
    fn minimum(self, o: Self) -> Self;
    /// numpy.maximum: NaN propagates.
    fn maximum(self, o: Self) -> Self;
}

macro_rules! impl_numeric_int {
    ($($t:ty),*) => {$(
        impl Numeric for $t {
            #[inline(always)] fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline(always)] fn sub(self, o: Self) -> Self { self.wrapping_sub(o) }
            #[inline(always)] fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
            #[inline(always)] fn div(self, o: Self) -> Self { if o == 0 { 0 } else { self.wrapping_div(o) } }
            #[inline(always)] fn rem(self, o: Self) -> Self {
                if o == 0 { return 0; }
                let r = self.wrapping_rem(o);
                #[allow(unused_comparisons)]
                if r != 0 && ((r < 0) != (o < 0)) { r.wrapping_add(o) } else { r }
            }
            #[inline(always)] fn floor_div(self, o: Self) -> Self {
                if o == 0 { return 0; }
                let q = self.wrapping_div(o);
                #[allow(unused_comparisons)]
                if self.wrapping_rem(o) != 0 && ((self < 0) != (o < 0)) { q.wrapping_sub(1) } else { q }
            }
            #[inline(always)] fn pow(self, o: Self) -> Self {
                #[allow(unused_comparisons)]
                if o < 0 { return 0; }
                self.wrapping_pow(o as u32)
            }
            #[inline(always)] fn neg(self) -> Self { (0 as $t).wrapping_sub(self) }
            #[inline(always)] fn abs(self) -> Self {
                #[allow(unused_comparisons)]
                if self < 0 { (0 as $t).wrapping_sub(self) } else { self }
            }
            #[inline(always)] fn sign(self) -> Self {
                #[allow(unused_comparisons)]
                if self > 0 { 1 } else if self < 0 { (0 as $t).wrapping_sub(1) } else { 0 }
            }
            #[inline(always)] fn minimum(self, o: Self) -> Self { if o < self { o } else { self } }
            #[inline(always)] fn maximum(self, o: Self) -> Self { if o > self { o } else { self } }
        }
    )*};
}
impl_numeric_int!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! impl_numeric_float {
    ($($t:ty),*) => {$(
        impl Numeric for $t {
            #[inline(always)] fn add(self, o: Self) -> Self { self + o }
            #[inline(always)] fn sub(self, o: Self) -> Self { self - o }
            #[inline(always)] fn mul(self, o: Self) -> Self { self * o }
            #[inline(always)] fn div(self, o: Self) -> Self { self / o }
            #[inline(always)] fn rem(self, o: Self) -> Self {
                let r = self % o;
                if r != 0.0 && ((r < 0.0) != (o < 0.0)) { r + o } else { r }
            }
            #[inline(always)] fn floor_div(self, o: Self) -> Self { (self / o).floor() }
            #[inline(always)] fn pow(self, o: Self) -> Self { self.powf(o) }
            #[inline(always)] fn neg(self) -> Self { -self }
            #[inline(always)] fn abs(self) -> Self { self.abs() }
            #[inline(always)] fn sign(self) -> Self {
                if self > 0.0 { 1.0 } else if self < 0.0 { -1.0 } else { self }
            }
            #[inline(always)] fn minimum(self, o: Self) -> Self {
                if self.is_nan() || o.is_nan() { <$t>::NAN } else if o < self { o } else { self }
            }
            #[inline(always)] fn maximum(self, o: Self) -> Self {
                if self.is_nan() || o.is_nan() { <$t>::NAN } else if o > self { o } else { self }
            }
        }
    )*};
}
impl_numeric_float!(f32, f64);

/// Float-only math, as numpy's ufuncs on float arrays.
pub(crate) trait Float: Numeric {
    /// Applies a one-argument math function.
    fn apply(self, f: FloatFn) -> Self;
    /// `atan2(self, o)`.
    fn atan2(self, o: Self) -> Self;
    /// `fmin`: NaN ignored unless both are NaN.
    fn fmin(self, o: Self) -> Self;
    /// `fmax`: NaN ignored unless both are NaN.
    fn fmax(self, o: Self) -> Self;
}

/// One-argument float functions.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatFn {
    Sqrt,
    Exp,
    Expm1,
    Log,
    Log1p,
    Log10,
    Log2,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Floor,
    Ceil,
    Round,
    Trunc,
    Deg2Rad,
    Rad2Deg,
}

macro_rules! impl_float {
    ($($t:ty),*) => {$(
        impl Float for $t {
            #[inline(always)]
            fn apply(self, f: FloatFn) -> Self {
                match f {
                    FloatFn::Sqrt => self.sqrt(),
                    FloatFn::Exp => self.exp(),
                    FloatFn::Expm1 => self.exp_m1(),
                    FloatFn::Log => self.ln(),
                    FloatFn::Log1p => self.ln_1p(),
                    FloatFn::Log10 => self.log10(),
                    FloatFn::Log2 => self.log2(),
                    FloatFn::Sin => self.sin(),
                    FloatFn::Cos => self.cos(),
                    FloatFn::Tan => self.tan(),
                    FloatFn::Arcsin => self.asin(),
                    FloatFn::Arccos => self.acos(),
                    FloatFn::Arctan => self.atan(),
                    FloatFn::Sinh => self.sinh(),
                    FloatFn::Cosh => self.cosh(),
                    FloatFn::Tanh => self.tanh(),
                    FloatFn::Floor => self.floor(),
                    FloatFn::Ceil => self.ceil(),
                    // numpy rounds half to even.
                    FloatFn::Round => self.round_ties_even(),
                    FloatFn::Trunc => self.trunc(),
                    FloatFn::Deg2Rad => self.to_radians(),
                    FloatFn::Rad2Deg => self.to_degrees(),
                }
            }
            #[inline(always)] fn atan2(self, o: Self) -> Self { <$t>::atan2(self, o) }
            #[inline(always)] fn fmin(self, o: Self) -> Self { <$t>::min(self, o) }
            #[inline(always)] fn fmax(self, o: Self) -> Self { <$t>::max(self, o) }
        }
    )*};
}
impl_float!(f32, f64);

/// Runs `$body` with `$T` bound to the Rust type of a runtime [`DType`].
///
/// This is the one place where a runtime dtype becomes a type parameter; kernels are
/// written once, generic over [`Element`].
#[macro_export]
#[doc(hidden)]
macro_rules! with_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {{
        use $crate::engine::DType as __D;
        match $dtype {
            __D::Bool => {
                type $T = bool;
                $body
            }
            __D::I8 => {
                type $T = i8;
                $body
            }
            __D::I16 => {
                type $T = i16;
                $body
            }
            __D::I32 => {
                type $T = i32;
                $body
            }
            __D::I64 => {
                type $T = i64;
                $body
            }
            __D::U8 => {
                type $T = u8;
                $body
            }
            __D::U16 => {
                type $T = u16;
                $body
            }
            __D::U32 => {
                type $T = u32;
                $body
            }
            __D::U64 => {
                type $T = u64;
                $body
            }
            __D::F32 => {
                type $T = f32;
                $body
            }
            __D::F64 => {
                type $T = f64;
                $body
            }
        }
    }};
}

/// Like [`with_dtype!`] for numeric dtypes; `bool` runs `$on_bool` instead.
#[macro_export]
#[doc(hidden)]
macro_rules! with_numeric_dtype {
    ($dtype:expr, $T:ident => $body:expr, bool => $on_bool:expr) => {{
        use $crate::engine::DType as __D;
        match $dtype {
            __D::Bool => $on_bool,
            __D::I8 => {
                type $T = i8;
                $body
            }
            __D::I16 => {
                type $T = i16;
                $body
            }
            __D::I32 => {
                type $T = i32;
                $body
            }
            __D::I64 => {
                type $T = i64;
                $body
            }
            __D::U8 => {
                type $T = u8;
                $body
            }
            __D::U16 => {
                type $T = u16;
                $body
            }
            __D::U32 => {
                type $T = u32;
                $body
            }
            __D::U64 => {
                type $T = u64;
                $body
            }
            __D::F32 => {
                type $T = f32;
                $body
            }
            __D::F64 => {
                type $T = f64;
                $body
            }
        }
    }};
}

/// Like [`with_dtype!`] for float dtypes; anything else runs `$other`.
#[macro_export]
#[doc(hidden)]
macro_rules! with_float_dtype {
    ($dtype:expr, $T:ident => $body:expr, other => $other:expr) => {{
        use $crate::engine::DType as __D;
        match $dtype {
            __D::F32 => {
                type $T = f32;
                $body
            }
            __D::F64 => {
                type $T = f64;
                $body
            }
            _ => $other,
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_follows_numpy() {
        use DType::*;
        assert_eq!(DType::promote(F32, F64), F64);
        assert_eq!(DType::promote(F32, I16), F32);
        assert_eq!(DType::promote(F32, I32), F64);
        assert_eq!(DType::promote(I32, U8), I32);
        assert_eq!(DType::promote(I8, U8), I16);
        assert_eq!(DType::promote(I64, U64), F64);
        assert_eq!(DType::promote(U16, U32), U32);
        assert_eq!(DType::promote(Bool, I8), I8);
    }

    #[test]
    fn casts_match_c_semantics() {
        assert_eq!(cast::<i32, i8>(300), 44);
        assert_eq!(cast::<f64, i32>(-2.7), -2);
        assert_eq!(cast::<f64, u8>(f64::NAN), 0);
        assert!(cast::<f32, bool>(0.5));
        assert_eq!(cast::<bool, f32>(true), 1.0);
        assert_eq!(cast::<u64, i64>(u64::MAX), -1);
        assert_eq!(cast::<i64, u32>(-1), u32::MAX);
    }

    #[test]
    fn integer_modulo_and_floor_division_follow_python() {
        assert_eq!(Numeric::rem(-7i32, 3), 2);
        assert_eq!(Numeric::floor_div(-7i32, 3), -3);
        assert_eq!(Numeric::rem(7i32, 0), 0);
        assert_eq!(Numeric::rem(-7.0f64, 3.0), 2.0);
    }

    #[test]
    fn names_round_trip() {
        for d in DType::ALL {
            assert_eq!(DType::from_name(d.name()), Some(d));
        }
        assert_eq!(DType::from_name("<f4"), Some(DType::F32));
        assert_eq!(DType::from_name("complex64"), None);
    }
}
