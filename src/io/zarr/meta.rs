//! Finding a group's arrays and their metadata: consolidated (`.zmetadata` in v2,
//! `consolidated_metadata` in the v3 root `zarr.json`) when present, listing otherwise.
//! Also the key helpers every Zarr module uses.

use serde_json::{Map, Value};
use zarrs::storage::{StoreKey, StorePrefix};

use super::ZarrFormat;
use crate::error::{BoxError, bail, caused_by, ensure};
use crate::io::Consolidated;
use crate::io::store::Store;
use crate::{Error, Result};

/// One array of the group, with its metadata JSON as stored (v2: `.zarray` with the
/// `.zattrs` under `"attributes"`; v3: `zarr.json`).
#[derive(Clone, Debug)]
pub(super) struct ArrayEntry {
    /// The array's name (its key prefix).
    pub name: String,
    /// The metadata document.
    pub json: Value,
}

/// A group: its format, attributes and arrays.
#[derive(Clone, Debug)]
pub(super) struct GroupMeta {
    /// Its Zarr format.
    pub format: ZarrFormat,
    /// The group attributes.
    pub attrs: Map<String, Value>,
    /// The arrays directly in the group, sorted by name.
    pub arrays: Vec<ArrayEntry>,
}

/// Why `name` cannot be the name of an array in a group, if it cannot: empty, `.`, `..`
/// or holding a `/` (which would put it elsewhere, or outside the store).
pub(super) fn bad_node_name(name: &str) -> Option<String> {
    if name.is_empty() || name == "." || name == ".." {
        Some(format!("{name:?} is not a valid array name"))
    } else if name.contains('/') || name.contains('\\') {
        Some(format!(
            "array name {name:?} holds a path separator: it would name a key outside the group"
        ))
    } else {
        None
    }
}

fn store_key(store: &Store, key: &str) -> Result<StoreKey> {
    StoreKey::new(key).map_err(|e| store.caused(key, "", e))
}

/// The bytes at `key`, or `None` when it does not exist.
pub(super) fn get(store: &Store, key: &str) -> Result<Option<Vec<u8>>> {
    let k = store_key(store, key)?;
    match store.storage.get(&k) {
        Ok(b) => Ok(b.map(|b| b.to_vec())),
        Err(e) => Err(store.caused(key, "", e)),
    }
}

/// Writes `value` at `key`.
pub(super) fn set(store: &Store, key: &str, value: Vec<u8>) -> Result<()> {
    let k = store_key(store, key)?;
    store
        .storage
        .set(&k, value.into())
        .map_err(|e| store.caused(key, "", e))
}

/// Writes a JSON document at `key`.
pub(super) fn set_json(store: &Store, key: &str, value: &Value) -> Result<()> {
    let text = serde_json::to_vec_pretty(value).map_err(|e| store.caused(key, "", e))?;
    set(store, key, text)
}

/// Parses the JSON object at `key`, or `None` when the key does not exist.
pub(super) fn get_json(store: &Store, key: &str) -> Result<Option<Map<String, Value>>> {
    let Some(bytes) = get(store, key)? else {
        return Ok(None);
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        Ok(other) => Err(meta_error(
            store,
            key,
            format!("expected a JSON object, found {other}"),
        )),
        Err(e) => Err(meta_caused(store, key, "invalid JSON", e)),
    }
}

/// A [`Error::ZarrMetadata`] for `key`.
pub(super) fn meta_error(store: &Store, key: &str, message: impl Into<String>) -> Error {
    Error::ZarrMetadata {
        url: store.url.clone(),
        key: key.to_string(),
        message: message.into(),
        source: None,
    }
}

/// A [`Error::ZarrMetadata`] for `key` caused by a lower error (serde_json, zarrs),
/// which stays its [`source()`](std::error::Error::source); the message is
/// `context: cause` (the cause alone when `context` is empty).
pub(super) fn meta_caused(
    store: &Store,
    key: &str,
    context: &str,
    cause: impl Into<BoxError>,
) -> Error {
    let (message, source) = caused_by(context, cause);
    Error::ZarrMetadata {
        url: store.url.clone(),
        key: key.to_string(),
        message,
        source,
    }
}

/// Which Zarr format the store's root group has, if any.
pub(super) fn root_format(store: &Store) -> Result<Option<ZarrFormat>> {
    if get(store, "zarr.json")?.is_some() {
        Ok(Some(ZarrFormat::V3))
    } else if get(store, ".zgroup")?.is_some() || get(store, ".zmetadata")?.is_some() {
        Ok(Some(ZarrFormat::V2))
    } else {
        Ok(None)
    }
}

/// Reads the root group's metadata and its arrays.
pub(super) fn read_group(store: &Store, consolidated: Consolidated) -> Result<GroupMeta> {
    match root_format(store)? {
        Some(ZarrFormat::V3) => read_v3(store, consolidated),
        Some(ZarrFormat::V2) => read_v2(store, consolidated),
        None => Err(meta_error(
            store,
            "zarr.json",
            "no Zarr group here (neither zarr.json nor .zgroup exists)",
        )),
    }
}

fn read_v3(store: &Store, consolidated: Consolidated) -> Result<GroupMeta> {
    let root = get_json(store, "zarr.json")?.unwrap_or_default();
    ensure!(
        root.get("node_type").and_then(Value::as_str) == Some("group"),
        meta_error(
            store,
            "zarr.json",
            "the root node is not a group (node_type must be \"group\")",
        )
    );
    let attrs = object_field(store, "zarr.json", &root, "attributes")?;
    let inline = root
        .get("consolidated_metadata")
        .and_then(|c| c.get("metadata"))
        .and_then(Value::as_object);
    let mut arrays = vec![];
    match (inline, consolidated) {
        (Some(meta), Consolidated::On | Consolidated::Auto) => {
            for (name, json) in meta {
                if json.get("node_type").and_then(Value::as_str) != Some("array") {
                    continue;
                }
                // Nested arrays are children of subgroups (written `group/array`);
                // anything else that is no plain name would leave the store.
                let nested = name.split('/').count() > 1
                    && name.split('/').all(|p| bad_node_name(p).is_none());
                if nested {
                    continue;
                }
                if let Some(why) = bad_node_name(name) {
                    bail!(meta_error(
                        store,
                        "zarr.json",
                        format!("consolidated metadata: {why}")
                    ));
                }
                arrays.push(ArrayEntry {
                    name: name.clone(),
                    json: json.clone(),
                });
            }
        }
        (None, Consolidated::On) => bail!(meta_error(
            store,
            "zarr.json",
            "consolidated metadata was required but the root has none",
        )),
        _ => {
            for name in children(store)? {
                let key = format!("{name}/zarr.json");
                if let Some(json) = get_json(store, &key)?
                    && json.get("node_type").and_then(Value::as_str) == Some("array")
                {
                    arrays.push(ArrayEntry {
                        name,
                        json: Value::Object(json),
                    });
                }
            }
        }
    }
    arrays.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(GroupMeta {
        format: ZarrFormat::V3,
        attrs,
        arrays,
    })
}

fn read_v2(store: &Store, consolidated: Consolidated) -> Result<GroupMeta> {
    let zmeta = if consolidated == Consolidated::Off {
        None
    } else {
        get_json(store, ".zmetadata")?
    };
    let mut arrays = vec![];
    let attrs;
    if let Some(z) = zmeta {
        let meta = object_field(store, ".zmetadata", &z, "metadata")?;
        attrs = match meta.get(".zattrs") {
            Some(Value::Object(a)) => a.clone(),
            _ => Map::new(),
        };
        for (key, json) in &meta {
            let Some(name) = key.strip_suffix("/.zarray") else {
                continue;
            };
            if name.split('/').count() > 1 && name.split('/').all(|p| bad_node_name(p).is_none()) {
                continue;
            }
            if let Some(why) = bad_node_name(name) {
                bail!(meta_error(
                    store,
                    ".zmetadata",
                    format!("consolidated metadata key {key:?}: {why}")
                ));
            }
            let zattrs = meta.get(&format!("{name}/.zattrs")).cloned();
            arrays.push(v2_entry(store, name, json.clone(), zattrs)?);
        }
    } else {
        if consolidated == Consolidated::On {
            return Err(meta_error(
                store,
                ".zmetadata",
                "consolidated metadata was required but .zmetadata does not exist",
            ));
        }
        attrs = get_json(store, ".zattrs")?.unwrap_or_default();
        for name in children(store)? {
            let key = format!("{name}/.zarray");
            if let Some(json) = get_json(store, &key)? {
                let zattrs = get_json(store, &format!("{name}/.zattrs"))?.map(Value::Object);
                arrays.push(v2_entry(store, &name, Value::Object(json), zattrs)?);
            }
        }
    }
    arrays.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(GroupMeta {
        format: ZarrFormat::V2,
        attrs,
        arrays,
    })
}

fn v2_entry(store: &Store, name: &str, zarray: Value, zattrs: Option<Value>) -> Result<ArrayEntry> {
    let Value::Object(mut json) = zarray else {
        return Err(meta_error(
            store,
            &format!("{name}/.zarray"),
            "expected a JSON object",
        ));
    };
    match zattrs {
        None => {}
        Some(Value::Object(a)) => {
            json.insert("attributes".into(), Value::Object(a));
        }
        Some(_) => bail!(meta_error(
            store,
            &format!("{name}/.zattrs"),
            "expected a JSON object",
        )),
    }
    Ok(ArrayEntry {
        name: name.to_string(),
        json: Value::Object(json),
    })
}

fn object_field(
    store: &Store,
    key: &str,
    doc: &Map<String, Value>,
    field: &str,
) -> Result<Map<String, Value>> {
    match doc.get(field) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(meta_error(
            store,
            key,
            format!("{field:?} must be a JSON object"),
        )),
    }
}

/// The names of the root's child prefixes.
fn children(store: &Store) -> Result<Vec<String>> {
    let listed = store
        .storage
        .list_dir(&StorePrefix::root())
        .map_err(|e| store.caused("", "cannot list the store", e))?;
    Ok(listed
        .prefixes()
        .iter()
        .map(|p| p.as_str().trim_end_matches('/').to_string())
        .collect())
}

/// Erases everything in the store (overwrite mode).
pub(super) fn erase_all(store: &Store) -> Result<()> {
    store
        .storage
        .erase_prefix(&StorePrefix::root())
        .map_err(|e| store.caused("", "cannot erase the store", e))
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;
    use crate::io::store::open_store;

    #[test]
    fn broken_metadata_keeps_the_json_error_as_its_source() {
        let store = open_store("memory://meta-tests/broken-json", true).unwrap();
        set(
            &store,
            "zarr.json",
            b"{\"zarr_format\": 3, \"node_type\": ".to_vec(),
        )
        .unwrap();
        let err = crate::open_zarr("memory://meta-tests/broken-json").unwrap_err();
        assert!(
            matches!(&err, Error::ZarrMetadata { key, .. } if key == "zarr.json"),
            "{err:?}"
        );
        assert!(err.to_string().contains("invalid JSON"), "{err}");
        let source = err.source().expect("the JSON error is kept");
        let json = source
            .downcast_ref::<serde_json::Error>()
            .expect("the source is serde_json's error");
        assert!(json.is_eof(), "{json}");
        assert!(err.to_string().contains(&json.to_string()), "{err}");
    }

    #[test]
    fn a_store_that_cannot_be_created_keeps_the_io_error() {
        // A file where a directory should be: creating the store fails in std::fs.
        let dir = std::env::temp_dir().join(format!("tessera-meta-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = open_store(file.join("x.zarr").to_str().unwrap(), true).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(&err, Error::Store { .. }), "{err:?}");
        let io = err
            .source()
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .expect("the io::Error is kept");
        assert!(err.to_string().contains(&io.to_string()), "{err}");
    }
}
