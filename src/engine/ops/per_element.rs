//! Element-by-element operations that elementwise expressions cannot spell: a Rust
//! function applied to each element, and a lookup of each integer code in a table.
//! Both are one block node each, fused with nothing but streaming like any map.

use std::sync::Arc;

use crate::Result;
use crate::engine::chunk::{ArrayData, Storable};
use crate::engine::graph::LazyArray;

impl LazyArray {
    /// Applies `f` to every element, read as `T` (the array is cast to `T` first if it
    /// is another dtype), giving an array of `U`: for per-element logic such as a
    /// calendar component of each time, where an elementwise expression has no word.
    ///
    /// ```
    /// use tessera::engine::LazyArray;
    /// let x = LazyArray::from_ndarray(ndarray::array![1i64, 2, 3].into_dyn(), &[2])?;
    /// let y = x.map_elements("square", |v: i64| (v * v) as f64)?;
    /// assert_eq!(y.compute()?.to_f64_vec(), vec![1.0, 4.0, 9.0]);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn map_elements<T, U>(
        &self,
        name: impl Into<String>,
        f: impl Fn(T) -> U + Send + Sync + 'static,
    ) -> Result<LazyArray>
    where
        T: Storable + Copy,
        U: Storable,
    {
        let input = self.cast(T::DTYPE)?;
        LazyArray::map_blocks(&[&input], name, U::DTYPE, move |blocks| {
            Ok(ArrayData::new(blocks[0].as_typed::<T>()?.mapv(&f)))
        })
    }

    /// Replaces every integer code `c` by `table[c]`, or by `missing` where `c` is
    /// negative or past the table's end (a gather from a small in-memory table: labels
    /// of positions, codes of one string table mapped into another).
    ///
    /// ```
    /// use tessera::engine::LazyArray;
    /// let codes = LazyArray::from_ndarray(ndarray::array![2i64, 0, -1, 7].into_dyn(), &[2])?;
    /// let labels = codes.lookup(vec![10.0, 20.0, 30.0], f64::NAN)?;
    /// let v = labels.compute()?.to_f64_vec();
    /// assert_eq!(&v[..2], &[30.0, 10.0]);
    /// assert!(v[2].is_nan() && v[3].is_nan());
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn lookup<T: Storable + Copy>(&self, table: Vec<T>, missing: T) -> Result<LazyArray> {
        let table = Arc::new(table);
        self.map_elements("lookup", move |c: i64| {
            usize::try_from(c)
                .ok()
                .and_then(|c| table.get(c).copied())
                .unwrap_or(missing)
        })
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};
    use proptest::prelude::*;

    use crate::engine::LazyArray;

    proptest! {
        #[test]
        fn lookup_equals_an_eager_gather(
            codes in proptest::collection::vec(-3i64..12, 0..40),
            table in proptest::collection::vec(-1e3f64..1e3, 0..10),
            chunk in 1usize..9,
        ) {
            let n = codes.len();
            let lazy = LazyArray::from_ndarray(
                ArrayD::from_shape_vec(IxDyn(&[n]), codes.clone()).unwrap(),
                &[chunk],
            ).unwrap();
            let got = lazy.lookup(table.clone(), -0.5).unwrap().compute().unwrap().to_f64_vec();
            let want: Vec<f64> = codes
                .iter()
                .map(|&c| if c >= 0 && (c as usize) < table.len() { table[c as usize] } else { -0.5 })
                .collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn map_elements_casts_then_applies_f(
            values in proptest::collection::vec(-100i32..100, 1..30),
            chunk in 1usize..7,
        ) {
            let n = values.len();
            let lazy = LazyArray::from_ndarray(
                ArrayD::from_shape_vec(IxDyn(&[n]), values.clone()).unwrap(),
                &[chunk],
            ).unwrap();
            let got = lazy.map_elements("abs", |v: i64| v.abs()).unwrap().compute().unwrap();
            let want: Vec<f64> = values.iter().map(|v| v.abs() as f64).collect();
            prop_assert_eq!(got.to_f64_vec(), want);
        }
    }
}
