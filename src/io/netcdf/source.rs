//! [`NetcdfSource`]: one variable of a netCDF file as an engine [`ChunkSource`]. Its
//! engine chunks are the variable's HDF5 chunks (netCDF-4), or blocks of about
//! [`CONTIGUOUS_BLOCK_BYTES`] along the first axis for contiguous and netCDF-3
//! variables. A read is one hyperslab read of exactly the region; netCDF-C serialises
//! its calls behind the `netcdf` crate's process-wide lock, so reads from many executor
//! threads are safe, and everything after the read runs in parallel.

use std::ops::Range;
use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};

use crate::engine::source::check_region;
use crate::engine::{ArrayData, ChunkGrid, ChunkSource, DType, region_shape};
use crate::error::{BoxError, caused_by};
use crate::{Error, Result};

/// The engine chunk size, in bytes, of variables stored without HDF5 chunks.
pub(crate) const CONTIGUOUS_BLOCK_BYTES: usize = 16 << 20;

/// One numeric variable of an open netCDF file, read region by region.
pub(crate) struct NetcdfSource {
    file: Arc<netcdf::File>,
    path: String,
    /// The variable's full path in the file (`group/sub/name`, or `name` at the root).
    var_path: String,
    shape: Vec<usize>,
    dtype: DType,
    grid: ChunkGrid,
}

impl std::fmt::Debug for NetcdfSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NetcdfSource({})", self.describe())
    }
}

/// The dtype of a netCDF numeric type; `None` for strings, chars and user types.
pub(crate) fn dtype_of(t: &netcdf::types::NcVariableType) -> Option<DType> {
    use netcdf::types::{FloatType, IntType, NcVariableType as V};
    Some(match t {
        V::Int(IntType::I8) => DType::I8,
        V::Int(IntType::U8) => DType::U8,
        V::Int(IntType::I16) => DType::I16,
        V::Int(IntType::U16) => DType::U16,
        V::Int(IntType::I32) => DType::I32,
        V::Int(IntType::U32) => DType::U32,
        V::Int(IntType::I64) => DType::I64,
        V::Int(IntType::U64) => DType::U64,
        V::Float(FloatType::F32) => DType::F32,
        V::Float(FloatType::F64) => DType::F64,
        _ => return None,
    })
}

/// The engine chunk shape of a variable: its HDF5 chunks, or blocks of whole rows of
/// about [`CONTIGUOUS_BLOCK_BYTES`] along the first axis.
pub(crate) fn engine_chunks(shape: &[usize], dtype: DType, stored: Option<&[usize]>) -> Vec<usize> {
    let chunk: Vec<usize> = match stored {
        Some(c) if c.len() == shape.len() => c.to_vec(),
        _ => {
            let row: usize = shape.iter().skip(1).product::<usize>() * dtype.size();
            let rows = (CONTIGUOUS_BLOCK_BYTES / row.max(1)).max(1);
            shape
                .iter()
                .enumerate()
                .map(|(i, &n)| if i == 0 { rows.min(n) } else { n })
                .collect()
        }
    };
    chunk
        .iter()
        .zip(shape)
        .map(|(&c, &n)| c.min(n.max(1)).max(1))
        .collect()
}

impl NetcdfSource {
    /// A source over the variable `var_path` of `file` (opened from `path`).
    pub(crate) fn new(
        file: Arc<netcdf::File>,
        path: &str,
        var_path: String,
        shape: Vec<usize>,
        dtype: DType,
        chunk: &[usize],
    ) -> Result<Self> {
        let grid = ChunkGrid::regular(&shape, chunk)?;
        Ok(NetcdfSource {
            file,
            path: path.to_string(),
            var_path,
            shape,
            dtype,
            grid,
        })
    }

    fn fail(&self, region: &[Range<usize>], cause: BoxError) -> Error {
        let (message, source) = caused_by("", cause);
        Error::SourceRead {
            source_name: self.describe(),
            chunk: region.to_vec(),
            message,
            source,
        }
    }
}

/// Turns off HDF5's printing of error stacks on this thread, once. Debian's thread-safe
/// HDF5 keeps the setting per thread, so on an executor thread netCDF-C's probes for
/// optional attributes (`_Quantize...`) would print `HDF5-DIAG` noise to stderr; the
/// errors themselves still reach netCDF-C and come back as `netcdf::Error`.
pub(crate) fn quiet_hdf5_errors() {
    thread_local! {
        static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    QUIET.with(|q| {
        if !q.get() {
            let _lock = hdf5_metno_sys::LOCK.lock();
            // SAFETY: H5Eset_auto2 with the default stack and no handler only changes
            // this thread's error-printing setting; the HDF5 lock is held.
            unsafe {
                hdf5_metno_sys::h5e::H5Eset_auto2(
                    hdf5_metno_sys::h5e::H5E_DEFAULT,
                    None,
                    std::ptr::null_mut(),
                );
            }
            q.set(true);
        }
    });
}

impl ChunkSource for NetcdfSource {
    fn stored(&self) -> bool {
        true
    }
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
        let shape = region_shape(region);
        if shape.contains(&0) {
            // netCDF-C is not asked for zero counts.
            return Ok(ArrayData::zeros(self.dtype, &shape));
        }
        quiet_hdf5_errors();
        let var = self.file.variable(&self.var_path).ok_or_else(|| {
            self.fail(
                region,
                format!("variable {:?} is gone", self.var_path).into(),
            )
        })?;
        let extents: Vec<netcdf::Extent> = region.iter().cloned().map(Into::into).collect();
        crate::with_numeric_dtype!(self.dtype, T => {
            let v: Vec<T> = var
                .get_values::<T, _>(extents)
                .map_err(|e| self.fail(region, e.into()))?;
            let a = ArrayD::from_shape_vec(IxDyn(&shape), v).map_err(|e| self.fail(region, e.into()))?;
            Ok(ArrayData::new(a))
        }, bool => Err(self.fail(region, "netCDF has no boolean type".into())))
    }
    fn describe(&self) -> String {
        format!("{}:{}", self.path, self.var_path)
    }
}
