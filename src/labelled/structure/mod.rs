//! Combining and reshaping labelled objects: alignment of indexes, `concat`,
//! `merge`, and renaming, expanding and squeezing dimensions.

pub(crate) mod align;
pub(crate) mod concat;
pub(crate) mod merge;
pub(crate) mod reshape;
pub(crate) mod rows;
pub(crate) mod stack;
pub(crate) mod to_array;

pub use align::{Join, align, align_all_datasets, align_datasets, align_pair};
pub use concat::{concat, concat_datasets};
pub use merge::{Compat, merge, merge_arrays};
pub use rows::{Cell, Table};

/// Small labelled arrays for the unit tests of this module's files.
#[cfg(test)]
pub(crate) mod test_arrays {
    use ndarray::{ArrayD, IxDyn};

    use crate::labelled::{DataArray, Variable};

    /// A 1-D float array along `dim` in chunks of 2, indexed by `labels`.
    pub(crate) fn array(name: &str, dim: &str, values: Vec<f64>, labels: Vec<f64>) -> DataArray {
        let n = values.len();
        DataArray::from_ndarray(
            name,
            [dim],
            ArrayD::from_shape_vec(IxDyn(&[n]), values).expect("shape"),
            &[2],
        )
        .expect("array")
        .with_coord_values(dim, labels)
        .expect("coord")
    }

    /// A variable's values, computed, as f64.
    pub(crate) fn values(v: &Variable) -> Vec<f64> {
        v.data().compute().expect("compute").to_f64_vec()
    }
}
