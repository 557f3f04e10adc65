//! How the arrays of a Zarr group are stored (format, codecs, chunks, bytes on the
//! store), for `tessera info`.

use serde_json::Value;
use zarrs::storage::StorePrefix;

use super::ZarrFormat;
use super::array::open_array;
use super::meta::read_group;
use crate::Result;
use crate::io::Consolidated;
use crate::io::store::open_store;

/// One stored array as its metadata and the store describe it.
#[derive(Clone, Debug)]
pub(crate) struct StoredArray {
    /// The array's name in the group.
    pub(crate) name: String,
    /// The group's Zarr format.
    pub(crate) format: ZarrFormat,
    /// The codecs in the order they apply on write (`["bytes", "zstd"]`, v2
    /// `["zstd"]` or `[]` when uncompressed), filters included.
    pub(crate) codecs: Vec<String>,
    /// The data type as the store spells it.
    pub(crate) stored_dtype: String,
    /// Store chunk shape.
    pub(crate) chunk: Vec<usize>,
    /// Bytes under the array's prefix (chunks and metadata), when the store can list.
    pub(crate) stored_bytes: Option<u64>,
}

/// The arrays of the group at `url`.
pub(crate) fn stored_arrays(url: &str) -> Result<Vec<StoredArray>> {
    let store = open_store(url, false)?;
    let group = read_group(&store, Consolidated::Auto)?;
    let mut out = vec![];
    for entry in &group.arrays {
        let info = open_array(&store, entry, group.format)?;
        let prefix = StorePrefix::new(format!("{}/", entry.name)).ok();
        let stored_bytes = prefix.and_then(|p| store.storage.size_prefix(&p).ok());
        out.push(StoredArray {
            name: info.name.clone(),
            format: group.format,
            codecs: codecs(group.format, &info.json),
            stored_dtype: info.stored_dtype.clone(),
            chunk: info.chunk.clone(),
            stored_bytes,
        });
    }
    Ok(out)
}

/// Codec names with their level where they have one (`zstd(3)`).
fn codecs(format: ZarrFormat, json: &Value) -> Vec<String> {
    let describe = |c: &Value, key: &str| -> Option<String> {
        let name = c.get(key)?.as_str()?.to_string();
        let conf = if format == ZarrFormat::V3 {
            c.get("configuration")
        } else {
            Some(c)
        };
        let level = conf
            .and_then(|k| k.get("level").or_else(|| k.get("clevel")))
            .and_then(Value::as_i64);
        let cname = conf.and_then(|k| k.get("cname")).and_then(Value::as_str);
        Some(match (cname, level) {
            (Some(cn), Some(l)) => format!("{name}({cn}, {l})"),
            (None, Some(l)) => format!("{name}({l})"),
            _ => name,
        })
    };
    let list = |v: Option<&Value>, key: &str| -> Vec<String> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| describe(c, key))
            .collect()
    };
    match format {
        ZarrFormat::V2 => {
            let mut all = list(json.get("filters"), "id");
            if let Some(c) = json.get("compressor").filter(|c| !c.is_null()) {
                all.extend(describe(c, "id"));
            }
            all
        }
        ZarrFormat::V3 => {
            let mut all = vec![];
            for c in json
                .get("codecs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                all.extend(describe(c, "name"));
                all.extend(list(
                    c.get("configuration").and_then(|k| k.get("codecs")),
                    "name",
                ));
            }
            all
        }
    }
}
