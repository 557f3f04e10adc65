//! Opaque variables: stored arrays tessera can describe but not compute with (complex
//! numbers, structured records, string arrays too large to read while opening, data
//! behind a codec this build lacks). A reader gives them a [`Variable`] whose data is
//! an [`OpaqueSource`], so they can be listed, shown with their stored dtype,
//! selected and dropped like any other variable, and the error comes only when
//! values are asked for, naming the variable and its dtype. One odd variable thus
//! never stops a whole store from opening.
//!
//! The engine needs some dtype for the lazy graph: the source reports the variable's
//! own dtype when the engine has it (a `float32` array behind an unknown codec) and
//! `U8` as a placeholder otherwise; [`Variable::stored_dtype`] keeps the real name for
//! listing and the repr.

use std::ops::Range;
use std::sync::Arc;

use super::variable::Variable;
use crate::engine::source::check_region;
use crate::engine::{ArrayData, ChunkGrid, ChunkSource, DType, LazyArray};
use crate::{Error, Result};

/// A chunk source whose reads fail with an error naming the variable, its stored
/// dtype and why it cannot be read: the data of an opaque variable
/// ([`Variable::opaque`]). Its engine dtype is the variable's own where the engine has
/// it, a `U8` placeholder otherwise.
#[derive(Debug)]
pub struct OpaqueSource {
    name: String,
    stored_dtype: String,
    reason: String,
    location: String,
    dtype: DType,
    shape: Vec<usize>,
    grid: ChunkGrid,
}

impl OpaqueSource {
    /// A source for variable `name` of `shape`, chunked like the store (`chunk`),
    /// stored as `stored_dtype` (as the file spells it) at `location` (a URL or path),
    /// which cannot be read because of `reason`. `dtype` is what the engine sees:
    /// the real dtype when the engine has it, a placeholder otherwise.
    pub fn new(
        name: &str,
        stored_dtype: &str,
        reason: &str,
        location: &str,
        dtype: DType,
        shape: &[usize],
        chunk: &[usize],
    ) -> Result<Self> {
        let chunk: Vec<usize> = chunk
            .iter()
            .zip(shape)
            .map(|(&c, &n)| c.min(n).max(1))
            .collect();
        Ok(OpaqueSource {
            name: name.to_string(),
            stored_dtype: stored_dtype.to_string(),
            reason: reason.to_string(),
            location: location.to_string(),
            dtype,
            shape: shape.to_vec(),
            grid: ChunkGrid::regular(shape, &chunk)?,
        })
    }
}

impl ChunkSource for OpaqueSource {
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn dtype(&self) -> DType {
        self.dtype
    }
    fn chunks(&self) -> &ChunkGrid {
        &self.grid
    }
    fn read(&self, region: &[Range<usize>]) -> Result<ArrayData> {
        check_region(self, region)?;
        Err(Error::SourceRead {
            source_name: self.describe(),
            chunk: region.to_vec(),
            message: format!(
                "variable {:?} (dtype {}) cannot be computed: {}",
                self.name, self.stored_dtype, self.reason
            ),
            source: None,
        })
    }
    fn describe(&self) -> String {
        format!(
            "variable {:?} ({}) in {}",
            self.name, self.stored_dtype, self.location
        )
    }
}

impl Variable {
    /// A variable that can be listed, shown and selected but not computed (complex
    /// or structured data, strings too many to read while opening, a codec this
    /// build lacks): its data is an [`OpaqueSource`], whose reads fail with an error
    /// naming the variable and its dtype, and
    /// [`stored_dtype`](Variable::stored_dtype) is the source's stored dtype.
    pub fn opaque<S: Into<String>>(
        dims: impl IntoIterator<Item = S>,
        source: OpaqueSource,
    ) -> Result<Variable> {
        let stored = source.stored_dtype.clone();
        Ok(
            Variable::new(dims, LazyArray::from_source(Arc::new(source)))?
                .with_stored_dtype(stored),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labelled::Dataset;

    fn spectrum() -> Variable {
        let src = OpaqueSource::new(
            "spectrum",
            "complex64",
            "the engine has no complex numbers",
            "memory://x",
            DType::U8,
            &[4, 6],
            &[2, 6],
        )
        .unwrap();
        Variable::opaque(["time", "freq"], src).unwrap()
    }

    #[test]
    fn opaque_variables_list_select_and_fail_only_when_computed() {
        let v = spectrum();
        assert_eq!(v.stored_dtype(), Some("complex64"));
        assert!(v.is_opaque());
        let mut ds = Dataset::new();
        ds.insert("spectrum", v).unwrap();
        let repr = ds.to_string();
        assert!(
            repr.contains("spectrum") && repr.contains("complex64"),
            "{repr}"
        );
        let sel = ds.isel_slice("time", Some(1), Some(3), 1).unwrap();
        let s = sel.get("spectrum").unwrap();
        assert_eq!(s.shape(), &[2, 6]);
        assert_eq!(s.variable().stored_dtype(), Some("complex64"));
        let err = s.compute().unwrap_err().to_string();
        assert!(
            err.contains("\"spectrum\"") && err.contains("complex64"),
            "{err}"
        );
    }
}
