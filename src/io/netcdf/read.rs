//! Opening a netCDF file (or one of its groups) as a lazy [`Dataset`].

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use netcdf::AttributeValue;
use netcdf::types::NcVariableType;
use serde_json::{Number, Value};

use super::NetcdfSource;
use super::filters::filter_encodings;
use super::source::{dtype_of, engine_chunks, quiet_hdf5_errors};
use crate::engine::LazyArray;
use crate::error::caused_by;
use crate::io::OpenOptions;
use crate::io::decode::decode_opened;
use crate::labelled::cf::ATTRIBUTE_DTYPES;
use crate::labelled::{Attrs, Dataset, OpaqueSource, Variable};
use crate::{Error, Result};

/// String and char variables with more elements than this are not read while opening.
const MAX_EAGER_STRINGS: usize = 1 << 20;

/// Opens a netCDF-3 or netCDF-4 file and decodes it with CF conventions, like
/// `xarray.open_dataset(path, engine="netcdf4")`. Only metadata, dimension coordinates
/// and string variables are read; numeric variables stay lazy.
///
/// ```no_run
/// let ds = tessera::open_netcdf("sla.nc")?;
/// let sla = ds.get("sla")?;
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn open_netcdf(path: impl AsRef<std::path::Path>) -> Result<Dataset> {
    open_netcdf_with(path, &OpenOptions::default())
}

/// [`open_netcdf`] with options: a group, CF decoding, variables to drop.
///
/// ```no_run
/// use tessera::io::OpenOptions;
/// let obs = tessera::open_netcdf_with("tide.nc", &OpenOptions::default().group("obs"))?;
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn open_netcdf_with(path: impl AsRef<std::path::Path>, opts: &OpenOptions) -> Result<Dataset> {
    let path = path.as_ref().display().to_string();
    let raw = open_raw(&path, opts)?;
    decode_opened(raw, opts.decode.as_ref())
}

fn store_error(
    path: &str,
    key: &str,
    context: &str,
    cause: impl Into<crate::error::BoxError>,
) -> Error {
    let (message, source) = caused_by(context, cause);
    Error::Store {
        url: path.to_string(),
        key: key.to_string(),
        message,
        source,
    }
}

/// What the opening thread reads of one variable.
struct VarMeta {
    name: String,
    dims: Vec<String>,
    shape: Vec<usize>,
    vartype: NcVariableType,
    chunking: Option<Vec<usize>>,
    attrs: Attrs,
    /// The numpy type of each numeric attribute, which JSON does not keep.
    attr_dtypes: Attrs,
}

fn var_meta(path: &str, var: &netcdf::Variable<'_>) -> Result<VarMeta> {
    let name = var.name();
    let chunking = var
        .chunking()
        .map_err(|e| store_error(path, &name, "reading the chunking", e))?;
    let mut attrs = Attrs::new();
    let mut attr_dtypes = Attrs::new();
    for a in var.attributes() {
        let value = a.value().map_err(|e| {
            store_error(path, &name, &format!("reading attribute {:?}", a.name()), e)
        })?;
        if let Some(dtype) = numpy_type(&value) {
            attr_dtypes.insert(a.name().to_string(), dtype.into());
        }
        attrs.insert(a.name().to_string(), to_json(value));
    }
    Ok(VarMeta {
        dims: var.dimensions().iter().map(|d| d.name()).collect(),
        shape: var.dimensions().iter().map(|d| d.len()).collect(),
        vartype: var.vartype(),
        chunking,
        attrs,
        attr_dtypes,
        name,
    })
}

/// The names of a group's unlimited dims (its own, as netCDF4-python lists them).
fn unlimited<'a>(dims: impl Iterator<Item = netcdf::Dimension<'a>>) -> Vec<String> {
    dims.filter(|d| d.is_unlimited())
        .map(|d| d.name())
        .collect()
}

fn group_attrs<'a>(
    path: &str,
    attrs: impl Iterator<Item = netcdf::Attribute<'a>>,
) -> Result<Attrs> {
    let mut out = Attrs::new();
    for a in attrs {
        let value = a
            .value()
            .map_err(|e| store_error(path, "", &format!("reading attribute {:?}", a.name()), e))?;
        out.insert(a.name().to_string(), to_json(value));
    }
    Ok(out)
}

fn open_raw(path: &str, opts: &OpenOptions) -> Result<Dataset> {
    quiet_hdf5_errors();
    let file = netcdf::open(path).map_err(|e| store_error(path, "", "cannot open as netCDF", e))?;
    super::cloexec::keep_from_children(path);
    let file = Arc::new(file);
    let group = opts.group_path();
    // The netcdf crate unwraps some library errors; a damaged file must not panic here.
    let read = catch_unwind(AssertUnwindSafe(
        || -> Result<(Attrs, Vec<VarMeta>, Vec<String>)> {
            match &group {
                None => {
                    let attrs = group_attrs(path, file.attributes())?;
                    let vars = file
                        .variables()
                        .map(|v| var_meta(path, &v))
                        .collect::<Result<_>>()?;
                    Ok((attrs, vars, unlimited(file.dimensions())))
                }
                Some(g) => {
                    let grp = file
                        .group(g)
                        .map_err(|e| store_error(path, g, "opening the group", e))?
                        .ok_or_else(|| store_error(path, g, "", "no such group in the file"))?;
                    let attrs = group_attrs(path, grp.attributes())?;
                    let vars = grp
                        .variables()
                        .map(|v| var_meta(path, &v))
                        .collect::<Result<_>>()?;
                    Ok((attrs, vars, unlimited(grp.dimensions())))
                }
            }
        },
    ))
    .map_err(|_| {
        store_error(
            path,
            "",
            "",
            "the netCDF library failed while reading metadata",
        )
    })??;
    let (attrs, vars, unlimited_dims) = read;
    opts.check_chunk_dims(vars.iter().flat_map(|m| m.dims.iter().map(String::as_str)))?;
    let var_paths: Vec<String> = vars
        .iter()
        .map(|meta| match &group {
            Some(g) => format!("{g}/{}", meta.name),
            None => meta.name.clone(),
        })
        .collect();
    let filters = filter_encodings(path, &var_paths);
    let mut ds = Dataset::new();
    *ds.attrs_mut() = attrs;
    ds.encoding_mut()
        .insert("unlimited_dims".into(), serde_json::json!(unlimited_dims));
    ds.encoding_mut().insert("source".into(), path.into());
    for ((meta, var_path), filters) in vars.into_iter().zip(var_paths).zip(filters) {
        if opts.drop_variables.contains(&meta.name) {
            continue;
        }
        let var = match dtype_of(&meta.vartype) {
            Some(dtype) => {
                let chunk: Vec<usize> = engine_chunks(&meta.shape, dtype, meta.chunking.as_deref())
                    .iter()
                    .zip(&meta.dims)
                    .map(|(&c, d)| opts.engine_chunk(d, c))
                    .collect();
                let source = NetcdfSource::new(
                    file.clone(),
                    path,
                    var_path,
                    meta.shape.clone(),
                    dtype,
                    &chunk,
                )?;
                Variable::new(meta.dims.clone(), LazyArray::from_source(Arc::new(source)))?
            }
            None => match read_strings(&file, path, &var_path, &meta)? {
                Some(v) => v,
                // Compound, enum, vlen and opaque types, and huge string variables:
                // listed and selectable, an error only when computed.
                None => opaque(path, &meta)?,
            },
        };
        // How the file stores the variable, as xarray's netCDF4 backend records it, so
        // that `to_netcdf` writes it back the same way.
        let mut encoding = filters;
        encoding.insert("contiguous".into(), Value::Bool(meta.chunking.is_none()));
        encoding.insert(
            "chunksizes".into(),
            meta.chunking
                .as_ref()
                .map_or(Value::Null, |c| serde_json::json!(c)),
        );
        if !meta.attr_dtypes.is_empty() {
            encoding.insert(ATTRIBUTE_DTYPES.into(), Value::Object(meta.attr_dtypes));
        }
        let var = var.with_attrs(meta.attrs).with_encoding(encoding);
        if meta.dims.len() == 1 && meta.dims[0] == meta.name {
            ds.insert_coord(meta.name, var)?;
        } else {
            ds.insert(meta.name, var)?;
        }
    }
    Ok(ds)
}

/// A variable of a type the engine cannot compute with (see [`Variable::opaque`]).
fn opaque(path: &str, meta: &VarMeta) -> Result<Variable> {
    let (stored, reason) = match &meta.vartype {
        NcVariableType::Compound(_) => ("compound", "tessera has no record types"),
        NcVariableType::Enum(_) => ("enum", "tessera does not read netCDF enum types yet"),
        NcVariableType::Vlen(_) => ("vlen", "tessera has no ragged arrays"),
        NcVariableType::Opaque(_) => ("opaque", "tessera does not read netCDF opaque types"),
        NcVariableType::String | NcVariableType::Char => (
            "object",
            "more strings than are read while opening (1,048,576)",
        ),
        _ => ("unknown", "tessera does not read this netCDF type"),
    };
    let chunk = meta
        .chunking
        .clone()
        .unwrap_or_else(|| meta.shape.iter().map(|&n| n.max(1)).collect());
    let source = OpaqueSource::new(
        &meta.name,
        stored,
        reason,
        path,
        crate::engine::DType::U8,
        &meta.shape,
        &chunk,
    )?;
    Variable::opaque(meta.dims.clone(), source)
}

/// Reads a string variable, or a char variable whose last dimension holds the
/// characters (as xarray joins them), into a string [`Variable`]. `None` for other
/// types and for variables too large to read while opening.
fn read_strings(
    file: &netcdf::File,
    path: &str,
    var_path: &str,
    meta: &VarMeta,
) -> Result<Option<Variable>> {
    let n: usize = meta.shape.iter().product();
    if n > MAX_EAGER_STRINGS {
        return Ok(None);
    }
    let fail = |e: netcdf::Error| store_error(path, var_path, "reading strings", e);
    let (dims, shape, values) = match meta.vartype {
        NcVariableType::String => {
            let var = file
                .variable(var_path)
                .ok_or_else(|| store_error(path, var_path, "", "variable not found"))?;
            let mut values = Vec::with_capacity(n);
            let mut idx = vec![0usize; meta.shape.len()];
            for _ in 0..n {
                values.push(var.get_string(&idx[..]).map_err(fail)?);
                for axis in (0..idx.len()).rev() {
                    idx[axis] += 1;
                    if idx[axis] < meta.shape[axis] {
                        break;
                    }
                    idx[axis] = 0;
                }
            }
            (meta.dims.clone(), meta.shape.clone(), values)
        }
        NcVariableType::Char => {
            let var = file
                .variable(var_path)
                .ok_or_else(|| store_error(path, var_path, "", "variable not found"))?;
            let bytes = if n == 0 {
                Vec::new()
            } else {
                var.get_raw_values(..).map_err(fail)?
            };
            let width = meta.shape.last().copied().unwrap_or(1).max(1);
            // `_Encoding` names the charset (CF); Latin-1 bytes are code points.
            let latin1 = meta
                .attrs
                .get("_Encoding")
                .and_then(Value::as_str)
                .is_some_and(|e| {
                    let e = e.to_ascii_lowercase().replace(['-', '_'], "");
                    e == "latin1" || e == "iso88591"
                });
            let values: Vec<String> = bytes
                .chunks(width)
                .map(|c| {
                    let end = c.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                    if latin1 {
                        c[..end].iter().map(|&b| char::from(b)).collect()
                    } else {
                        String::from_utf8_lossy(&c[..end]).into_owned()
                    }
                })
                .collect();
            let k = meta.shape.len().saturating_sub(1);
            let shape = meta.shape[..k].to_vec();
            let count: usize = shape.iter().product();
            if values.len() != count {
                return Ok(None);
            }
            (meta.dims[..k].to_vec(), shape, values)
        }
        _ => return Ok(None),
    };
    let chunks: Vec<usize> = shape.iter().map(|&s| s.max(1)).collect();
    Ok(Some(Variable::from_strings(dims, &shape, values, &chunks)?))
}

/// The numpy name of a numeric attribute's type; `None` for strings.
fn numpy_type(value: &AttributeValue) -> Option<&'static str> {
    use AttributeValue as A;
    Some(match value {
        A::Uchar(_) | A::Uchars(_) => "uint8",
        A::Schar(_) | A::Schars(_) => "int8",
        A::Ushort(_) | A::Ushorts(_) => "uint16",
        A::Short(_) | A::Shorts(_) => "int16",
        A::Uint(_) | A::Uints(_) => "uint32",
        A::Int(_) | A::Ints(_) => "int32",
        A::Ulonglong(_) | A::Ulonglongs(_) => "uint64",
        A::Longlong(_) | A::Longlongs(_) => "int64",
        A::Float(_) | A::Floats(_) => "float32",
        A::Double(_) | A::Doubles(_) => "float64",
        A::Str(_) | A::Strs(_) => return None,
    })
}

/// An attribute as JSON: numbers, strings, arrays of them; non-finite floats as the
/// strings `"NaN"`, `"Infinity"`, `"-Infinity"` (as Zarr stores them).
fn to_json(value: AttributeValue) -> Value {
    fn float(f: f64) -> Value {
        match Number::from_f64(f) {
            Some(n) => Value::Number(n),
            None if f.is_nan() => Value::String("NaN".into()),
            None if f > 0.0 => Value::String("Infinity".into()),
            None => Value::String("-Infinity".into()),
        }
    }
    fn list<T>(v: Vec<T>, f: impl Fn(T) -> Value) -> Value {
        Value::Array(v.into_iter().map(f).collect())
    }
    use AttributeValue as A;
    match value {
        A::Uchar(x) => x.into(),
        A::Uchars(v) => list(v, Value::from),
        A::Schar(x) => x.into(),
        A::Schars(v) => list(v, Value::from),
        A::Ushort(x) => x.into(),
        A::Ushorts(v) => list(v, Value::from),
        A::Short(x) => x.into(),
        A::Shorts(v) => list(v, Value::from),
        A::Uint(x) => x.into(),
        A::Uints(v) => list(v, Value::from),
        A::Int(x) => x.into(),
        A::Ints(v) => list(v, Value::from),
        A::Ulonglong(x) => x.into(),
        A::Ulonglongs(v) => list(v, Value::from),
        A::Longlong(x) => x.into(),
        A::Longlongs(v) => list(v, Value::from),
        A::Float(x) => float(f64::from(x)),
        A::Floats(v) => list(v, |x| float(f64::from(x))),
        A::Double(x) => float(x),
        A::Doubles(v) => list(v, float),
        A::Str(s) => Value::String(s),
        A::Strs(v) => list(v, Value::String),
    }
}
