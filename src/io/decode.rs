//! What every reader does after building the raw dataset of a store or file: CF
//! decoding and the promotion of variables listed in `coordinates` attributes.

use serde_json::Value;

use crate::Result;
use crate::labelled::cf::{DecodeOptions, decode_cf};
use crate::labelled::{Dataset, Variable};

/// Decodes a raw dataset as `xarray.open_dataset` does (`None`: `decode_cf=False`, the
/// raw dataset unchanged).
pub(crate) fn decode_opened(raw: Dataset, decode: Option<&DecodeOptions>) -> Result<Dataset> {
    match decode {
        None => Ok(raw),
        Some(decode) => {
            let mut out = promote_coordinates(&decode_cf(&raw, decode)?)?;
            *out.encoding_mut() = raw.encoding().clone();
            Ok(out)
        }
    }
}

/// Variables named in a `coordinates` attribute (of a data variable or the dataset)
/// become coordinates, as xarray's `decode_coords=True`; the attribute moves to the
/// variable's encoding. A no-op when CF decoding already did it.
fn promote_coordinates(ds: &Dataset) -> Result<Dataset> {
    let listed = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_str)
            .map(|s| s.split_whitespace().map(String::from).collect())
            .unwrap_or_default()
    };
    let mut names: Vec<String> = listed(ds.attrs().get("coordinates"));
    for (_, var) in ds.data_vars() {
        names.extend(listed(var.attrs().get("coordinates")));
    }
    let data_names = ds.data_var_names();
    names.retain(|n| data_names.contains(n));
    // Many variables list the same coordinates: keep each name once, in order.
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    let mut out = ds.clone();
    if !names.is_empty() {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        out = ds.drop_vars(&refs)?;
        for n in &names {
            if let Some((_, var)) = ds.data_vars().find(|(k, _)| *k == n) {
                out.insert_coord(n.clone(), var.clone())?;
            }
        }
    }
    let with_attr: Vec<(String, Variable)> = out
        .data_vars()
        .filter(|(_, v)| v.attrs().contains_key("coordinates"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (name, var) in with_attr {
        let mut attrs = var.attrs().clone();
        let mut encoding = var.encoding().clone();
        if let Some(c) = attrs.remove("coordinates") {
            encoding.insert("coordinates".into(), c);
        }
        out.insert(name, var.with_attrs(attrs).with_encoding(encoding))?;
    }
    out.attrs_mut().remove("coordinates");
    Ok(out)
}
