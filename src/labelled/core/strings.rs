//! String-valued variables (station names, region labels, seasons): the data are I64
//! codes into a table of strings kept on the [`Variable`], so selection, reshaping
//! and reductions of positions work on numbers through the engine, and the strings
//! come back only when values are read. Code `-1` marks a missing string.

use std::collections::HashMap;
use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};

use super::variable::Variable;
use crate::engine::{DType, LazyArray};
use crate::error::ensure;
use crate::{Error, Result};

/// The code of a missing string.
pub(crate) const MISSING: i64 = -1;

impl Variable {
    /// A string variable of `shape` (row-major `values`), chunked as `chunks`.
    pub fn from_strings<S: Into<String>>(
        dims: impl IntoIterator<Item = S>,
        shape: &[usize],
        values: Vec<String>,
        chunks: &[usize],
    ) -> Result<Variable> {
        let (table, codes) = encode(&values);
        let codes = ArrayD::from_shape_vec(IxDyn(shape), codes).map_err(|_| {
            Error::invalid(format!(
                "{} strings for shape {shape:?} ({} elements)",
                values.len(),
                shape.iter().product::<usize>()
            ))
        })?;
        Ok(
            Variable::new(dims, LazyArray::from_ndarray(codes, chunks)?)?
                .with_categories(Arc::new(table)),
        )
    }

    /// True if the values are strings.
    pub fn is_strings(&self) -> bool {
        self.categories().is_some()
    }

    /// Computes a string variable's values (missing ones as empty strings).
    pub fn strings(&self) -> Result<ArrayD<String>> {
        let table = self.categories().ok_or_else(|| {
            Error::invalid(format!(
                "the {} variable {:?} holds no strings",
                self.dtype(),
                self.dims()
            ))
        })?;
        let codes = self
            .data()
            .compute()?
            .cast(DType::I64)
            .into_typed::<i64>()?;
        Ok(codes.mapv(|c| label(table, c).to_string()))
    }
}

/// The string of a code (empty when missing).
pub(crate) fn label(table: &[String], code: i64) -> &str {
    usize::try_from(code)
        .ok()
        .and_then(|c| table.get(c))
        .map_or("", String::as_str)
}

/// Distinct strings in first-seen order, and each value's code.
fn encode(values: &[String]) -> (Vec<String>, Vec<i64>) {
    let mut table: Vec<String> = vec![];
    let mut seen: HashMap<&str, i64> = HashMap::new();
    let codes = values
        .iter()
        .map(|v| {
            *seen.entry(v.as_str()).or_insert_with(|| {
                table.push(v.clone());
                table.len() as i64 - 1
            })
        })
        .collect();
    (table, codes)
}

/// Re-codes string variables into one shared table so their codes can be
/// concatenated or compared; numeric variables pass through. Mixing strings with
/// numbers is an error naming `what`.
pub(crate) fn unify(vars: &[&Variable], what: &str) -> Result<Vec<Variable>> {
    let strings = vars.iter().filter(|v| v.is_strings()).count();
    if strings == 0 {
        return Ok(vars.iter().map(|v| (*v).clone()).collect());
    }
    ensure!(
        strings == vars.len(),
        "{what}: cannot combine string values with numbers"
    );
    let first = vars[0].categories().expect("checked: strings");
    if vars.iter().all(|v| v.categories() == Some(first)) {
        return Ok(vars.iter().map(|v| (*v).clone()).collect());
    }
    let mut table: Vec<String> = first.to_vec();
    let mut code_of: HashMap<String, i64> = table
        .iter()
        .enumerate()
        .map(|(i, s)| (s.clone(), i as i64))
        .collect();
    let mut shared_table = |v: &Variable| -> Vec<i64> {
        v.categories()
            .expect("checked: strings")
            .iter()
            .map(|s| {
                *code_of.entry(s.clone()).or_insert_with(|| {
                    table.push(s.clone());
                    table.len() as i64 - 1
                })
            })
            .collect()
    };
    let maps: Vec<Vec<i64>> = vars.iter().map(|v| shared_table(v)).collect();
    let table = Arc::new(table);
    vars.iter()
        .zip(maps)
        .map(|(v, map)| {
            let data = v.data().lookup(map, MISSING)?;
            Ok(v.with_data(data)?.with_categories(table.clone()))
        })
        .collect()
}
