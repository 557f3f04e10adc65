//! What kind of values a stored data type holds, and how it reaches the engine: as an
//! engine dtype unchanged; float16 widened to float32; numpy `datetime64`/
//! `timedelta64` as int64 counts of a CF unit (so CF time decoding turns datetimes
//! into the labelled layer's instants, as xarray shows them); strings (`<U`, `|S`,
//! `|O` with vlen-utf8/vlen-bytes, v3 `string`, `fixed_length_utf32`, `bytes`) read
//! while opening; everything else (complex, structured, ...) opaque.
//!
//! Some of these zarrs cannot decode under their own name (v2 `<M8[ns]`, `|S5`), but
//! their bytes are plain int64s or raw bytes, so the metadata handed to zarrs names
//! that storage type instead ([`Interpreted::zarrs_json`]).

use serde_json::{Value, json};

use super::ZarrFormat;
use crate::engine::DType;

/// How one stored data type is read.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// An engine dtype, read as stored.
    Number,
    /// IEEE half precision, widened to float32 on read (the engine has no float16).
    Float16,
    /// numpy `datetime64` (`delta: false`) or `timedelta64` counts, read as int64 and
    /// divided by `divide` (nanoseconds become microseconds, the finest unit the
    /// labelled layer's times have); `unit` is the CF name of the result's unit.
    Time {
        /// A duration rather than an instant.
        delta: bool,
        /// The CF unit after division.
        unit: &'static str,
        /// Stored counts per result count (1 or 1000).
        divide: i64,
    },
    /// Strings, read while opening into a string variable.
    Strings {
        /// Fixed-width UTF-32 (numpy `<U`) rather than bytes or UTF-8.
        utf32: bool,
    },
    /// Values tessera cannot compute with; the reason says why.
    Opaque(String),
}

/// A stored data type as tessera reads it.
#[derive(Clone, Debug)]
pub(crate) struct Interpreted {
    /// The kind of values.
    pub kind: Kind,
    /// The engine dtype of the variable (a placeholder for strings and opaque data).
    pub dtype: DType,
    /// The data type as the store spells it (`<U11`, `complex64`), for listings.
    pub stored: String,
    /// The metadata to give zarrs (the stored one, or one naming the storage type).
    pub zarrs_json: Value,
}

/// Interprets the data type of an array's metadata document.
pub(crate) fn interpret(format: ZarrFormat, json: &Value) -> Interpreted {
    let field = match format {
        ZarrFormat::V2 => "dtype",
        ZarrFormat::V3 => "data_type",
    };
    let raw = json.get(field).cloned().unwrap_or(Value::Null);
    let (name, config) = match &raw {
        Value::String(s) => (s.clone(), None),
        Value::Object(o) => (
            o.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            o.get("configuration").cloned(),
        ),
        // numpy structured dtypes are lists of fields in v2
        other => (other.to_string(), None),
    };
    let mut out = Interpreted {
        kind: Kind::Number,
        dtype: DType::U8,
        stored: match format {
            ZarrFormat::V2 if raw.is_array() => format!("structured {name}"),
            ZarrFormat::V2 => numpy_name(&name),
            ZarrFormat::V3 => name.clone(),
        },
        zarrs_json: json.clone(),
    };
    if format == ZarrFormat::V2 {
        drop_identity_filters(&mut out.zarrs_json);
    }
    decode_zfpy_from_its_header(&mut out.zarrs_json);
    if let Some(d) = format.parse_data_type(&name) {
        out.dtype = d;
        return out;
    }
    let opaque = |why: &str| Kind::Opaque(why.to_string());
    out.kind = match format {
        ZarrFormat::V2 => {
            let body = name.get(1..).unwrap_or("");
            match name.chars().next() {
                _ if raw.is_array() => opaque("structured (record) data types are not supported"),
                Some('<' | '>' | '|') if body == "f2" => Kind::Float16,
                Some('<' | '|') if body.starts_with('U') => {
                    // zarrs wants a string fill for fixed-width text; v2 often has null.
                    if !json.get("fill_value").is_some_and(Value::is_string) {
                        set_fill(&mut out.zarrs_json, json!(""));
                    }
                    Kind::Strings { utf32: true }
                }
                Some('|') if body.starts_with('S') => {
                    // Fixed-width bytes: zarrs reads them as raw bits of the same width,
                    // which take their fill as bytes (missing chunks read as empty).
                    let width: usize = body[1..].parse().unwrap_or(0);
                    set_type(&mut out.zarrs_json, "dtype", json!(format!("|V{width}")));
                    set_fill(&mut out.zarrs_json, json!(vec![0u8; width]));
                    Kind::Strings { utf32: false }
                }
                Some('|') if body == "O" => object_kind(json),
                Some('<' | '>') if body.starts_with("M8[") || body.starts_with("m8[") => {
                    let unit = body[3..].trim_end_matches(']');
                    match time_kind(body.starts_with('m'), unit, 1) {
                        Some(k) => {
                            let int = if name.starts_with('>') { ">i8" } else { "<i8" };
                            set_type(&mut out.zarrs_json, "dtype", json!(int));
                            let fill = time_fill(json.get("fill_value"));
                            set_fill(&mut out.zarrs_json, fill);
                            k
                        }
                        None => opaque(&format!("numpy time unit {unit:?} is not supported")),
                    }
                }
                Some(_) if body.starts_with('c') => opaque("tessera has no complex numbers"),
                _ => opaque("tessera has no such data type"),
            }
        }
        ZarrFormat::V3 => match name.as_str() {
            "float16" => Kind::Float16,
            "string" => Kind::Strings { utf32: false },
            "bytes" | "variable_length_bytes" => Kind::Strings { utf32: false },
            "fixed_length_utf32" => Kind::Strings { utf32: true },
            "numpy.datetime64" | "numpy.timedelta64" => {
                let conf = config.unwrap_or(Value::Null);
                let unit = conf.get("unit").and_then(Value::as_str).unwrap_or("");
                let scale = conf
                    .get("scale_factor")
                    .and_then(Value::as_i64)
                    .unwrap_or(1);
                match time_kind(name.ends_with("timedelta64"), unit, scale) {
                    Some(k) => {
                        set_type(&mut out.zarrs_json, "data_type", json!("int64"));
                        let fill = time_fill(json.get("fill_value"));
                        set_fill(&mut out.zarrs_json, fill);
                        k
                    }
                    None => opaque(&format!(
                        "numpy time unit {unit:?} (scale factor {scale}) is not supported"
                    )),
                }
            }
            n if n.starts_with("complex") => opaque("tessera has no complex numbers"),
            _ => opaque("tessera has no such data type"),
        },
    };
    out.dtype = match out.kind {
        Kind::Float16 => DType::F32,
        Kind::Time { .. } | Kind::Strings { .. } => DType::I64,
        Kind::Number | Kind::Opaque(_) => DType::U8,
    };
    out
}

/// numpy's name for a v2 typestr (`<c8` is `complex64`, `<M8[ns]` is
/// `datetime64[ns]`); strings keep their typestr (`<U11`), as numpy prints them.
fn numpy_name(typestr: &str) -> String {
    let body = typestr.trim_start_matches(['<', '>', '|', '=']);
    let (kind, rest) = body.split_at(body.chars().next().map_or(0, char::len_utf8));
    let bits = rest.parse::<usize>().ok().map(|n| n * 8);
    match (kind, bits) {
        ("f", Some(b)) => format!("float{b}"),
        ("c", Some(b)) => format!("complex{b}"),
        ("i", Some(b)) => format!("int{b}"),
        ("u", Some(b)) => format!("uint{b}"),
        ("b", Some(8)) => "bool".into(),
        ("M", _) => format!("datetime64{}", rest.trim_start_matches('8')),
        ("m", _) => format!("timedelta64{}", rest.trim_start_matches('8')),
        _ => typestr.to_string(),
    }
}

/// Removes v2 filters whose decoding is the identity and which zarrs 0.23 knows only
/// under their v3 name: `bitround` (it rounds mantissas when writing; reading returns
/// the stored values unchanged).
fn drop_identity_filters(json: &mut Value) {
    if let Some(Value::Array(filters)) = json.get_mut("filters") {
        filters.retain(|f| f.get("id").and_then(Value::as_str) != Some("bitround"));
        if filters.is_empty() {
            json["filters"] = Value::Null;
        }
    }
}

/// numcodecs' zfpy writes a full zfp header before every chunk, and decoding follows
/// that header whatever the configuration says. zarr-python 3 records only `mode` for
/// it in v3 metadata (and numcodecs never passes `mode` to zfp), which zarrs rejects, so
/// the configuration handed to zarrs is replaced by the one form it always accepts.
fn decode_zfpy_from_its_header(json: &mut Value) {
    let reversible = json!({"mode": 5, "tolerance": -1.0, "rate": -1.0, "precision": -1});
    if let Some(c) = json.get_mut("compressor")
        && c.get("id").and_then(Value::as_str) == Some("zfpy")
    {
        let mut config = reversible.clone();
        config["id"] = json!("zfpy");
        *c = config;
    }
    if let Some(Value::Array(codecs)) = json.get_mut("codecs") {
        for c in codecs {
            if c.get("name").and_then(Value::as_str) == Some("numcodecs.zfpy") {
                c["configuration"] = reversible.clone();
            }
        }
    }
}

/// v2 object arrays: strings when their object codec is vlen-utf8 or vlen-bytes
/// (what xarray writes); pickled or JSON objects are opaque.
fn object_kind(json: &Value) -> Kind {
    let ids: Vec<&str> = json
        .get("filters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| f.get("id").and_then(Value::as_str))
        .collect();
    if ids
        .iter()
        .any(|id| matches!(*id, "vlen-utf8" | "vlen-bytes"))
    {
        Kind::Strings { utf32: false }
    } else {
        Kind::Opaque(format!(
            "object arrays need the vlen-utf8 or vlen-bytes codec (filters {ids:?})"
        ))
    }
}

fn time_kind(delta: bool, unit: &str, scale: i64) -> Option<Kind> {
    if scale != 1 {
        return None;
    }
    let (unit, divide) = match unit {
        "ns" => ("microseconds", 1000),
        "us" => ("microseconds", 1),
        "ms" => ("milliseconds", 1),
        "s" => ("seconds", 1),
        "m" => ("minutes", 1),
        "h" => ("hours", 1),
        "D" => ("days", 1),
        "W" => ("weeks", 1),
        _ => return None,
    };
    Some(Kind::Time {
        delta,
        unit,
        divide,
    })
}

/// The int64 fill of a time array: NaT (`i64::MIN`) unless a number is stored.
fn time_fill(v: Option<&Value>) -> Value {
    match v.and_then(Value::as_i64) {
        Some(x) => json!(x),
        None => json!(i64::MIN),
    }
}

fn set_type(json: &mut Value, field: &str, value: Value) {
    if let Value::Object(o) = json {
        o.insert(field.into(), value);
    }
}

fn set_fill(json: &mut Value, value: Value) {
    if let Value::Object(o) = json {
        o.insert("fill_value".into(), value);
    }
}

/// A float16 (IEEE binary16) bit pattern as f32, exactly.
pub(crate) fn f16_to_f32(bits: u16) -> f32 {
    let sign = ((bits >> 15) as u32) << 31;
    let exp = ((bits >> 10) & 0x1f) as u32;
    let frac = (bits & 0x3ff) as u32;
    let out = match (exp, frac) {
        (0, 0) => sign,
        // subnormal: frac * 2^-24
        (0, f) => return (f as f32) * f32::powi(2.0, -24) * sign_of(bits),
        (0x1f, 0) => sign | 0x7f80_0000,
        (0x1f, f) => sign | 0x7fc0_0000 | (f << 13),
        (e, f) => sign | ((e + 127 - 15) << 23) | (f << 13),
    };
    f32::from_bits(out)
}

fn sign_of(bits: u16) -> f32 {
    if bits & 0x8000 != 0 { -1.0 } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float16_widens_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x8001), -(2f32.powi(-24)));
        assert!(f16_to_f32(0x7e00).is_nan());
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
    }

    #[test]
    fn data_types_map_to_kinds() {
        let v2 = |dtype: Value| interpret(ZarrFormat::V2, &json!({ "dtype": dtype }));
        assert_eq!(v2(json!("<f4")).kind, Kind::Number);
        assert_eq!(v2(json!("<f2")).dtype, DType::F32);
        assert_eq!(v2(json!("<U11")).kind, Kind::Strings { utf32: true });
        let s = v2(json!("|S5"));
        assert_eq!(s.zarrs_json["dtype"], "|V5");
        let t = v2(json!("<M8[ns]"));
        assert_eq!(
            t.kind,
            Kind::Time {
                delta: false,
                unit: "microseconds",
                divide: 1000
            }
        );
        assert_eq!(t.zarrs_json["dtype"], "<i8");
        assert!(matches!(v2(json!("<c8")).kind, Kind::Opaque(_)));
        assert!(matches!(v2(json!([["a", "<f4"]])).kind, Kind::Opaque(_)));
        assert!(matches!(v2(json!("|O")).kind, Kind::Opaque(_)));
        let v3 = |dt: Value| interpret(ZarrFormat::V3, &json!({ "data_type": dt }));
        assert_eq!(v3(json!("string")).kind, Kind::Strings { utf32: false });
        let d = v3(
            json!({"name": "numpy.timedelta64", "configuration": {"unit": "s", "scale_factor": 1}}),
        );
        assert_eq!(
            d.kind,
            Kind::Time {
                delta: true,
                unit: "seconds",
                divide: 1
            }
        );
        assert_eq!(v3(json!("complex128")).stored, "complex128");
        assert_eq!(v2(json!("<c8")).stored, "complex64");
        assert_eq!(v2(json!("<M8[ns]")).stored, "datetime64[ns]");
        assert_eq!(v2(json!("<U11")).stored, "<U11");
        assert_eq!(v2(json!("<U11")).zarrs_json["fill_value"], "");
        let br = interpret(
            ZarrFormat::V2,
            &json!({"dtype": "<f4", "filters": [{"id": "bitround", "keepbits": 10}]}),
        );
        assert_eq!(br.zarrs_json["filters"], Value::Null);
    }
}
