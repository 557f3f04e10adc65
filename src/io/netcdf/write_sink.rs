//! [`NetcdfSink`]: the executor's output chunks of one variable, written into the open
//! file. All sinks of a file share it behind one mutex (netCDF-C is not thread-safe,
//! and the `netcdf` crate serialises its calls anyway); the computation of the chunks
//! runs in parallel, only the writes queue.

use std::ffi::{CString, c_char};
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use netcdf::types::{NcTypeDescriptor, NcVariableType};

use super::source::quiet_hdf5_errors;
use super::write::write_error;
use super::write_encoding::Values;
use crate::engine::{ArrayData, ChunkSink, DType};
use crate::{Error, Result};

/// One byte of an `NC_CHAR` array.
#[repr(transparent)]
#[derive(Clone, Copy)]
struct NcChar(u8);

// SAFETY: one byte, laid out as netCDF's `char`.
unsafe impl NcTypeDescriptor for NcChar {
    fn type_descriptor() -> NcVariableType {
        NcVariableType::Char
    }
}

/// One `NC_STRING` element: a pointer to a NUL-terminated string that outlives the
/// put call (netCDF-C copies it).
#[repr(transparent)]
struct NcStr(*const c_char);

// SAFETY: a `char *`, which is how netCDF-C passes `NC_STRING` values.
unsafe impl NcTypeDescriptor for NcStr {
    fn type_descriptor() -> NcVariableType {
        NcVariableType::String
    }
}

/// The open file all sinks of one write share.
pub(super) type SharedFile = Arc<Mutex<netcdf::FileMut>>;

/// Writes output chunks of one variable at their region.
pub(super) struct NetcdfSink {
    pub file: SharedFile,
    /// The file name, for errors.
    pub path: String,
    /// The variable's path in the file (`group/name`).
    pub var_path: String,
    /// The variable's name, for errors.
    pub name: String,
    pub values: Values,
}

impl NetcdfSink {
    fn fail(&self, region: &[Range<usize>], message: impl std::fmt::Display) -> Error {
        write_error(
            &self.path,
            &self.name,
            format!("writing region {region:?}: {message}"),
        )
    }

    /// Puts `values` at `extents` under the file lock; a panic inside the `netcdf`
    /// crate becomes an error.
    fn put<T: NcTypeDescriptor>(
        &self,
        region: &[Range<usize>],
        values: &[T],
        extents: Vec<Range<usize>>,
    ) -> Result<()> {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let put = catch_unwind(AssertUnwindSafe(|| -> std::result::Result<(), String> {
            let mut var = file
                .variable_mut(&self.var_path)
                .ok_or_else(|| "the variable is missing from the file".to_string())?;
            let extents: Vec<netcdf::Extent> = extents.into_iter().map(Into::into).collect();
            var.put_values(values, extents).map_err(|e| e.to_string())
        }));
        match put {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.fail(region, e)),
            Err(_) => Err(self.fail(region, "the netCDF library failed")),
        }
    }

    /// Numbers in the stored dtype, written from the chunk itself when it has it.
    fn numeric(&self, region: &[Range<usize>], data: &ArrayData, stored: DType) -> Result<()> {
        if data.dtype() != stored {
            return self.numeric(region, &self.coerce(region, data, stored)?, stored);
        }
        crate::with_numeric_dtype!(stored, T => {
            let a = data.as_typed::<T>()?.as_standard_layout();
            self.put(region, a.as_slice().unwrap_or(&[]), region.to_vec())
        }, bool => Err(self.fail(region, "booleans are stored as int8")))
    }

    /// A cast to the stored dtype that changes no value (netCDF-3's `coerce_nc3_dtype`
    /// refuses, as xarray does, values that do not fit).
    fn coerce(
        &self,
        region: &[Range<usize>],
        data: &ArrayData,
        stored: DType,
    ) -> Result<ArrayData> {
        let cast = data.clone().cast(stored);
        if data.dtype() != DType::Bool && cast.clone().cast(data.dtype()) != *data {
            return Err(self.fail(
                region,
                format!(
                    "values of dtype {} do not fit in {stored}, the largest integer type of this \
                     file format; write netCDF-4, or set the encoding dtype to a float",
                    data.dtype()
                ),
            ));
        }
        Ok(cast)
    }

    fn strings(&self, region: &[Range<usize>], data: &ArrayData, table: &[String]) -> Result<()> {
        let codes = data.clone().cast(DType::I64).into_typed::<i64>()?;
        // NUL cannot be inside a C string: cut at the first one, as C readers would.
        let owned: Vec<CString> = codes
            .iter()
            .map(|&c| {
                let s = label(table, c).as_bytes();
                let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
                CString::new(&s[..end]).unwrap_or_default()
            })
            .collect();
        let ptrs: Vec<NcStr> = owned.iter().map(|s| NcStr(s.as_ptr())).collect();
        self.put(region, &ptrs, region.to_vec())
    }

    fn chars(
        &self,
        region: &[Range<usize>],
        data: &ArrayData,
        table: &[String],
        width: usize,
    ) -> Result<()> {
        let codes = data.clone().cast(DType::I64).into_typed::<i64>()?;
        let mut bytes = vec![NcChar(0); codes.len() * width];
        for (i, &c) in codes.iter().enumerate() {
            let s = label(table, c).as_bytes();
            for (j, &b) in s.iter().take(width).enumerate() {
                bytes[i * width + j] = NcChar(b);
            }
        }
        let mut extents = region.to_vec();
        extents.push(0..width);
        self.put(region, &bytes, extents)
    }
}

/// The string of a code (empty for the missing code, -1).
fn label(table: &[String], code: i64) -> &str {
    usize::try_from(code)
        .ok()
        .and_then(|c| table.get(c))
        .map_or("", String::as_str)
}

impl ChunkSink for NetcdfSink {
    fn write(&self, region: &[Range<usize>], data: &ArrayData) -> Result<()> {
        if region.iter().any(|r| r.is_empty()) {
            // netCDF-C is not asked for zero counts.
            return Ok(());
        }
        quiet_hdf5_errors();
        match &self.values {
            Values::Numeric(stored) => self.numeric(region, data, *stored),
            Values::Strings(table) => self.strings(region, data, table),
            Values::Chars(table, width) => self.chars(region, data, table, *width),
        }
    }
}
