//! Element types: the runtime [`DType`], the [`Element`] trait kernels are generic over,
//! and the one table of dtypes that everything per-dtype is generated from.
//!
//! [`for_each_dtype!`](crate::for_each_dtype) lists the eleven dtypes once. From it come
//! the [`DType`] enum and its properties (size, kind, numpy names and typestrs, parsing),
//! the [`Element`]/`Numeric`/`Float` impls, and the dispatch macros
//! [`with_dtype!`](crate::with_dtype), [`with_numeric_dtype!`](crate::with_numeric_dtype)
//! and [`with_float_dtype!`](crate::with_float_dtype) that turn a runtime dtype into a
//! type parameter. Adding a dtype is adding a row.

use std::fmt;

/// The dtype table: each dtype once, in promotion order within each kind.
///
/// `for_each_dtype!([callback] { args })` expands to `callback! { { args } rows }`,
/// one row per dtype:
///
/// `(Variant, rust_type, Kind, "numpy name", "numpy typestr", ["other numpy codes"], "doc")`
///
/// The numpy name (`dtype.name`) is also the Zarr v3 `data_type`; the typestr
/// (`dtype.str`, little-endian) is the Zarr v2 `dtype`. The callback is written as path
/// tokens, so `[$crate::__dtype_match]` works from any module.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_dtype {
    ([$($callback:tt)*] $args:tt) => {
        $($callback)*! {
            $args
            (Bool, bool, Bool, "bool", "|b1", ["?"], "Booleans (one byte each)."),
            (I8, i8, Signed, "int8", "|i1", [], "Signed 8-bit integers."),
            (I16, i16, Signed, "int16", "<i2", [], "Signed 16-bit integers."),
            (I32, i32, Signed, "int32", "<i4", [], "Signed 32-bit integers."),
            (I64, i64, Signed, "int64", "<i8", [], "Signed 64-bit integers."),
            (U8, u8, Unsigned, "uint8", "|u1", [], "Unsigned 8-bit integers."),
            (U16, u16, Unsigned, "uint16", "<u2", [], "Unsigned 16-bit integers."),
            (U32, u32, Unsigned, "uint32", "<u4", [], "Unsigned 32-bit integers."),
            (U64, u64, Unsigned, "uint64", "<u8", [], "Unsigned 64-bit integers."),
            (F32, f32, Float, "float32", "<f4", [], "32-bit floats."),
            (F64, f64, Float, "float64", "<f8", [], "64-bit floats."),
        }
    };
}

/// The [`DType`] enum and its table-given properties.
macro_rules! define_dtype {
    ({} $(($V:ident, $t:ident, $kind:ident, $name:literal, $typestr:literal,
           [$($alias:literal),*], $doc:literal)),* $(,)?) => {
        /// The element type of an array, known at run time.
        ///
        /// Datetimes are carried as `I64` counts of microseconds (see [`crate::time`]); the
        /// labelled layer keeps the calendar beside the data.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum DType {
            $(#[doc = $doc] $V,)*
        }

        impl DType {
            /// Every dtype, in promotion order within each kind.
            pub const ALL: [DType; [$(stringify!($V)),*].len()] = [$(DType::$V),*];

            /// Size of one element in bytes.
            pub fn size(self) -> usize {
                match self {
                    $(DType::$V => std::mem::size_of::<$t>(),)*
                }
            }

            /// The family this dtype belongs to.
            pub fn kind(self) -> Kind {
                match self {
                    $(DType::$V => Kind::$kind,)*
                }
            }

            /// The numpy name of the dtype (`"float32"`, `"int16"`, ...), which is also
            /// its Zarr v3 `data_type`.
            pub fn name(self) -> &'static str {
                match self {
                    $(DType::$V => $name,)*
                }
            }

            /// numpy's little-endian typestr of the dtype (`"<f4"`, `"|b1"`, ...), which
            /// is also its Zarr v2 `dtype`.
            pub fn typestr(self) -> &'static str {
                match self {
                    $(DType::$V => $typestr,)*
                }
            }

            /// Parses a numpy dtype name (`"float32"`, `"f4"`, `"<f4"`, `"int16"`, `"bool"`, ...).
            pub fn from_name(name: &str) -> Option<DType> {
                let n = name.trim_start_matches(['<', '>', '|', '=']);
                $(
                    if n == $name || Some(n) == $typestr.get(1..) $(|| n == $alias)* {
                        return Some(DType::$V);
                    }
                )*
                None
            }

            /// Parses a numpy typestr: a byte order (`<`, `>`, `|` or `=`) and a type code
            /// (`"<f4"`, `">i8"`, `"|b1"`), as Zarr v2 writes `dtype`.
            pub fn from_typestr(typestr: &str) -> Option<DType> {
                let code = typestr.strip_prefix(['<', '>', '|', '='])?;
                $(
                    if Some(code) == $typestr.get(1..) {
                        return Some(DType::$V);
                    }
                )*
                None
            }
        }
    };
}
for_each_dtype!([define_dtype] {});

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
    /// True for `F32` and `F64`.
    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }

    /// True for signed and unsigned integers (not bool).
    pub fn is_integer(self) -> bool {
        matches!(self.kind(), Kind::Signed | Kind::Unsigned)
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
    Copy
    + Send
    + Sync
    + PartialOrd
    + PartialEq
    + fmt::Debug
    + Default
    + serde::Serialize
    + serde::de::DeserializeOwned
    + 'static
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
/// The trait impls of one numeric dtype of the table, by kind (`bool`'s are written out above).
macro_rules! impl_dtype_traits {
    ({} $(($V:ident, $t:ident, $kind:ident, $($rest:tt)*)),* $(,)?) => {
        $(impl_dtype_traits!(@ $kind, $t, $V);)*
    };
    (@ Bool, $t:ident, $V:ident) => {};
    (@ Float, $t:ident, $V:ident) => {
        impl_element_num!($t, $V, Float, $t::NAN, |x: $t| x.is_nan());
        impl_numeric_float!($t);
        impl_float!($t);
    };
    (@ $kind:ident, $t:ident, $V:ident) => {
        impl_element_num!($t, $V, $kind, 0, |_| false);
        impl_numeric_int!($t);
    };
}
for_each_dtype!([impl_dtype_traits] {});

/// Runs `$body` with `$T` bound to the Rust type of a runtime [`DType`].
///
/// This is the one place where a runtime dtype becomes a type parameter; kernels are
/// written once, generic over [`Element`]. The arms come from the dtype table.
#[macro_export]
#[doc(hidden)]
macro_rules! with_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        $crate::for_each_dtype!([$crate::__dtype_match] { all ($dtype) $T ($body) (()) })
    };
}

/// Like [`with_dtype!`] for numeric dtypes; `bool` runs `$on_bool` instead.
#[macro_export]
#[doc(hidden)]
macro_rules! with_numeric_dtype {
    ($dtype:expr, $T:ident => $body:expr, bool => $on_bool:expr) => {
        $crate::for_each_dtype!([$crate::__dtype_match] { numeric ($dtype) $T ($body) ($on_bool) })
    };
}

/// Like [`with_dtype!`] for float dtypes; anything else runs `$other`.
#[macro_export]
#[doc(hidden)]
macro_rules! with_float_dtype {
    ($dtype:expr, $T:ident => $body:expr, other => $other:expr) => {
        $crate::for_each_dtype!([$crate::__dtype_match] { float ($dtype) $T ($body) ($other) })
    };
}

/// The `match` behind the `with_*dtype!` macros: one arm per row of the dtype table.
#[macro_export]
#[doc(hidden)]
macro_rules! __dtype_match {
    ({ $which:ident ($dtype:expr) $T:ident ($body:expr) ($other:expr) }
     $(($V:ident, $t:ident, $kind:ident, $($rest:tt)*)),* $(,)?) => {{
        use $crate::engine::DType as __D;
        match $dtype {
            $(__D::$V => $crate::__dtype_arm!($which $kind, $T = $t, $body, $other),)*
        }
    }};
}

/// One arm of [`__dtype_match!`]: `$body` with `$T` bound, or `$other` for the dtypes
/// that `with_numeric_dtype!` (bool) or `with_float_dtype!` (non-floats) leave out.
#[macro_export]
#[doc(hidden)]
macro_rules! __dtype_arm {
    (numeric Bool, $T:ident = $t:ident, $body:expr, $other:expr) => {
        $other
    };
    (float Signed, $T:ident = $t:ident, $body:expr, $other:expr) => {
        $other
    };
    (float Unsigned, $T:ident = $t:ident, $body:expr, $other:expr) => {
        $other
    };
    (float Bool, $T:ident = $t:ident, $body:expr, $other:expr) => {
        $other
    };
    ($which:ident $kind:ident, $T:ident = $t:ident, $body:expr, $other:expr) => {{
        type $T = $t;
        $body
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
    fn the_table_agrees_with_the_element_types() {
        for d in DType::ALL {
            crate::with_dtype!(d, T => {
                assert_eq!(T::DTYPE, d);
                assert_eq!(T::KIND, d.kind());
                assert_eq!(std::mem::size_of::<T>(), d.size());
            });
            assert_eq!(DType::from_typestr(d.typestr()), Some(d));
            let numeric = crate::with_numeric_dtype!(d, T => T::DTYPE == d, bool => false);
            assert_eq!(numeric, d != DType::Bool);
            let float = crate::with_float_dtype!(d, T => T::DTYPE == d, other => false);
            assert_eq!(float, d.is_float());
        }
        assert_eq!(DType::ALL.len(), 11);
        assert_eq!(DType::from_typestr(">f8"), Some(DType::F64));
        assert_eq!(DType::from_typestr("f8"), None);
        assert_eq!(DType::from_typestr("<U4"), None);
        assert_eq!(DType::from_name("?"), Some(DType::Bool));
        assert_eq!(DType::from_name("u8"), Some(DType::U64));
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
