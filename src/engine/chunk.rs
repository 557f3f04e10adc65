//! [`ArrayData`]: an n-dimensional ndarray of any supported dtype behind one enum.
//!
//! Chunks travel through the engine as `ArrayData`; kernels unwrap it once with
//! [`with_dtype!`](crate::with_dtype) and work on `ArrayD<T>`.

use std::ops::Range;

use ndarray::{ArrayD, ArrayViewD, IxDyn, SliceInfoElem};

use super::dtype::{DType, Element, cast};
use crate::{Error, Result};

/// Element types that can be stored in [`ArrayData`] (every [`Element`]).
pub trait Storable: Element {
    /// Wraps a typed array.
    fn wrap(a: ArrayD<Self>) -> ArrayData;
    /// Borrows the typed array if the dtype matches.
    fn peek(d: &ArrayData) -> Option<&ArrayD<Self>>;
    /// Takes the typed array if the dtype matches.
    fn take(d: ArrayData) -> std::result::Result<ArrayD<Self>, ArrayData>;
}

/// [`ArrayData`] and its [`Storable`] impls, one variant per row of the dtype table.
macro_rules! define_array_data {
    ({} $(($V:ident, $t:ident, $($rest:tt)*)),* $(,)?) => {
        /// An owned n-dimensional array whose dtype is known at run time.
        #[derive(Clone, Debug, PartialEq)]
        #[allow(missing_docs)]
        pub enum ArrayData {
            $($V(ArrayD<$t>),)*
        }

        $(
            impl Storable for $t {
                fn wrap(a: ArrayD<Self>) -> ArrayData {
                    ArrayData::$V(a)
                }
                fn peek(d: &ArrayData) -> Option<&ArrayD<Self>> {
                    match d {
                        ArrayData::$V(a) => Some(a),
                        _ => None,
                    }
                }
                fn take(d: ArrayData) -> std::result::Result<ArrayD<Self>, ArrayData> {
                    match d {
                        ArrayData::$V(a) => Ok(a),
                        other => Err(other),
                    }
                }
            }
        )*
    };
}
crate::for_each_dtype!([define_array_data] {});

/// Applies `$body` to the typed array inside an [`ArrayData`], binding `$a` and type `$T`.
#[macro_export]
#[doc(hidden)]
macro_rules! match_data {
    ($data:expr, $a:ident : $T:ident => $body:expr) => {
        $crate::for_each_dtype!([$crate::__variant_match] {
            ($crate::engine::ArrayData) ($data) $a $T ($body)
        })
    };
}

/// The `match` behind [`match_data!`] and `match_buf!`: for an enum with one variant per
/// dtype (named as the table names them), one arm per row binding the payload and type.
#[macro_export]
#[doc(hidden)]
macro_rules! __variant_match {
    ({ ($E:path) ($data:expr) $a:ident $T:ident ($body:expr) }
     $(($V:ident, $t:ident, $($rest:tt)*)),* $(,)?) => {{
        use $E as __Enum;
        match $data {
            $(
                __Enum::$V($a) => {
                    #[allow(dead_code)]
                    type $T = $t;
                    $body
                }
            )*
        }
    }};
}

pub(crate) fn slice_info(region: &[Range<usize>]) -> Vec<SliceInfoElem> {
    region
        .iter()
        .map(|r| SliceInfoElem::Slice {
            start: r.start as isize,
            end: Some(r.end as isize),
            step: 1,
        })
        .collect()
}

impl ArrayData {
    /// Wraps a typed ndarray.
    pub fn new<T: Storable>(a: ArrayD<T>) -> Self {
        T::wrap(a)
    }

    /// The dtype of the elements.
    pub fn dtype(&self) -> DType {
        crate::match_data!(self, _a: T => T::DTYPE)
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        crate::match_data!(self, a: T => a.shape())
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        crate::match_data!(self, a: T => a.len())
    }

    /// True if the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes occupied by the elements.
    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype().size()
    }

    /// An array of `T::default()` (zeros, `false`).
    pub fn zeros(dtype: DType, shape: &[usize]) -> Self {
        // `from_elem` builds with `vec![zero; n]`, which asks the allocator for zeroed
        // memory: a large array's pages stay untouched until written, so an in-memory
        // result is first touched by the tasks that write its chunks, on their NUMA
        // nodes, not all by the calling thread (and no memset of the whole result).
        crate::with_dtype!(dtype, T => T::wrap(ArrayD::<T>::from_elem(IxDyn(shape), T::default())))
    }

    /// An array filled with one value.
    pub fn full<T: Storable>(shape: &[usize], value: T) -> Self {
        T::wrap(ArrayD::from_elem(IxDyn(shape), value))
    }

    /// Borrows the typed array; errors if `T` is not the dtype.
    pub fn as_typed<T: Storable>(&self) -> Result<&ArrayD<T>> {
        T::peek(self).ok_or(Error::DTypeMismatch {
            expected: T::DTYPE,
            found: self.dtype(),
        })
    }

    /// Takes the typed array; errors if `T` is not the dtype (use [`ArrayData::cast`] first).
    pub fn into_typed<T: Storable>(self) -> Result<ArrayD<T>> {
        T::take(self).map_err(|d| Error::DTypeMismatch {
            expected: T::DTYPE,
            found: d.dtype(),
        })
    }

    /// Converts to another dtype with numpy's casting rules (a copy unless already `dtype`).
    pub fn cast(self, dtype: DType) -> ArrayData {
        if self.dtype() == dtype {
            return self;
        }
        crate::match_data!(&self, a: S => crate::with_dtype!(dtype, D => D::wrap(a.mapv(cast::<S, D>))))
    }

    /// Values converted to `f64` in logical (C) order; convenient for tests and plots.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        crate::match_data!(self, a: T => a.iter().map(|v| v.to_f64()).collect())
    }

    /// A copy of a rectangular region.
    pub fn slice_region(&self, region: &[Range<usize>]) -> ArrayData {
        if region
            .iter()
            .zip(self.shape())
            .all(|(r, &n)| r.start == 0 && r.end == n)
        {
            return self.clone();
        }
        let info = slice_info(region);
        crate::match_data!(self, a: T => T::wrap(a.slice(info.as_slice()).to_owned()))
    }

    /// The data of a rectangular region, moving `self` when the region is all of it.
    pub fn into_region(self, region: &[Range<usize>]) -> ArrayData {
        if region
            .iter()
            .zip(self.shape())
            .all(|(r, &n)| r.start == 0 && r.end == n)
        {
            self
        } else {
            self.slice_region(region)
        }
    }

    /// Copies `src` into the rectangular `region` of `self` (dtypes are cast if they differ).
    pub fn assign_region(&mut self, region: &[Range<usize>], src: &ArrayData) -> Result<()> {
        let dtype = self.dtype();
        let src_shape: Vec<usize> = region.iter().map(|r| r.end - r.start).collect();
        if src.shape() != src_shape.as_slice() {
            return Err(Error::ShapeMismatch {
                op: "assign chunk".into(),
                left: src_shape,
                right: src.shape().to_vec(),
            });
        }
        let info = slice_info(region);
        crate::match_data!(self, dst: T => {
            let casted;
            let typed: &ArrayD<T> = match T::peek(src) {
                Some(t) => t,
                None => {
                    casted = src.clone().cast(dtype);
                    T::peek(&casted).expect("cast produced the requested dtype")
                }
            };
            dst.slice_mut(info.as_slice()).assign(typed);
        });
        Ok(())
    }

    /// Reorders axes without copying.
    pub fn permuted(self, perm: &[usize]) -> ArrayData {
        crate::match_data!(self, a: T => T::wrap(a.permuted_axes(IxDyn(perm))))
    }

    /// Returns the same data with a new shape of equal size (copies if not contiguous).
    pub fn reshaped(self, shape: &[usize]) -> Result<ArrayData> {
        crate::match_data!(self, a: T => {
            let a = if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() };
            let from = a.shape().to_vec();
            a.into_shape_with_order(IxDyn(shape))
                .map(T::wrap)
                .map_err(|_| Error::ShapeMismatch { op: "reshape".into(), left: from, right: shape.to_vec() })
        })
    }

    /// A read-only typed view, if the dtype matches.
    pub fn view<T: Storable>(&self) -> Option<ArrayViewD<'_, T>> {
        T::peek(self).map(|a| a.view())
    }
}

impl<T: Storable> From<ArrayD<T>> for ArrayData {
    fn from(a: ArrayD<T>) -> Self {
        T::wrap(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn region_copy_and_assign_round_trip() {
        let a = ArrayData::new(array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]].into_dyn());
        let part = a.slice_region(&[0..2, 1..3]);
        assert_eq!(part.to_f64_vec(), vec![2.0, 3.0, 5.0, 6.0]);
        let mut z = ArrayData::zeros(DType::F32, &[2, 3]);
        z.assign_region(&[0..2, 1..3], &part).unwrap();
        assert_eq!(z.to_f64_vec(), vec![0.0, 2.0, 3.0, 0.0, 5.0, 6.0]);
        assert!(z.assign_region(&[0..1, 0..3], &part).is_err());
    }

    #[test]
    fn typed_access_checks_dtype() {
        let a = ArrayData::new(array![1i16, 2].into_dyn());
        assert!(a.as_typed::<f32>().is_err());
        assert_eq!(
            a.clone().cast(DType::F64).into_typed::<f64>().unwrap()[[1]],
            2.0
        );
    }
}
