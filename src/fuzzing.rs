//! Entry points of the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer), also replayed
//! over the whole corpus by `tests/reliability/fuzz_corpus.rs` on the stable toolchain.
//! Not part of the API: each function takes arbitrary bytes and must return without
//! panicking, aborting, hanging or allocating without bound, whatever the bytes are.
//!
//! The stores are fresh in-memory stores (nothing touches the file system); arrays are
//! computed only when they hold at most [`MAX_COMPUTED`] elements.

use std::sync::{Arc, OnceLock};

use zarrs::storage::StoreKey;
use zarrs::storage::store::MemoryStore;

use crate::io::store::Store;
use crate::io::{Consolidated, OpenOptions};
use crate::labelled::{DataArray, Dataset, DecodeOptions, Freq, Variable, decode_cf};
use crate::time::{Calendar, TimeUnits, parse_datetime, parse_datetime_str};

/// Arrays with more elements than this are opened but not computed.
pub const MAX_COMPUTED: usize = 1 << 14;

/// A fresh in-memory store holding `files` (key, bytes).
fn store(files: &[(&str, &[u8])]) -> Store {
    let storage = Arc::new(MemoryStore::new());
    for (key, bytes) in files {
        if let Ok(k) = StoreKey::new(*key) {
            // A memory store's `set` cannot fail for a valid key.
            let _ =
                zarrs::storage::WritableStorageTraits::set(&*storage, &k, bytes.to_vec().into());
        }
    }
    Store {
        url: "memory://fuzz".into(),
        storage,
        read_only: false,
    }
}

/// The parts of `data` between NUL bytes (JSON text never holds a raw NUL).
fn parts(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == 0).collect()
}

/// Opens the store (consolidated or by listing), prints it, computes its small
/// variables, and does the same after CF decoding.
fn exercise(store: &Store, consolidated: bool) {
    let opts = OpenOptions {
        consolidated: if consolidated {
            Consolidated::On
        } else {
            Consolidated::Off
        },
        ..OpenOptions::raw()
    };
    let Ok(raw) = crate::io::zarr::open_raw_store(store, &opts) else {
        return;
    };
    compute_all(&raw);
    if let Ok(decoded) = decode_cf(&raw, &DecodeOptions::default()) {
        compute_all(&decoded);
    }
}

/// Prints `ds` and computes (and reduces) every variable of at most [`MAX_COMPUTED`] elements.
fn compute_all(ds: &Dataset) {
    let _ = ds.to_string();
    let names: Vec<String> = ds
        .data_var_names()
        .into_iter()
        .chain(ds.coords().names())
        .collect();
    for name in names {
        let Ok(da) = ds.get(&name) else { continue };
        if da.shape().iter().try_fold(1usize, |n, &d| n.checked_mul(d)) > Some(MAX_COMPUTED) {
            continue;
        }
        let _ = da.compute();
        let _ = da.to_string();
        if let Ok(s) = da.sum(crate::labelled::Dims::All) {
            let _ = s.compute();
        }
    }
}

/// Zarr v2: NUL-separated `a/.zarray`, `a/.zattrs`, `.zmetadata` and `a/0` (a chunk),
/// opened by listing and, when a `.zmetadata` part is present, consolidated.
pub fn zarr_v2_metadata(data: &[u8]) {
    let p = parts(data);
    let get = |i: usize| p.get(i).copied().unwrap_or(b"");
    let mut files: Vec<(&str, &[u8])> = vec![
        (".zgroup", br#"{"zarr_format": 2}"#),
        ("a/.zarray", get(0)),
        ("a/.zattrs", get(1)),
    ];
    if p.len() > 2 {
        files.push((".zmetadata", get(2)));
    }
    if p.len() > 3 {
        files.push(("a/0", get(3)));
        files.push(("a/0.0", get(3)));
    }
    let s = store(&files);
    exercise(&s, false);
    if p.len() > 2 {
        exercise(&s, true);
    }
}

/// Zarr v3: NUL-separated `a/zarr.json`, the root `zarr.json` (a plain group when
/// empty) and a chunk at `a/c/0` and `a/c/0/0`.
pub fn zarr_v3_metadata(data: &[u8]) {
    let p = parts(data);
    let get = |i: usize| p.get(i).copied().unwrap_or(b"");
    let root = match get(1) {
        b"" => &br#"{"zarr_format": 3, "node_type": "group"}"#[..],
        r => r,
    };
    let chunk = get(2);
    let s = store(&[
        ("zarr.json", root),
        ("a/zarr.json", get(0)),
        ("a/c/0", chunk),
        ("a/c/0/0", chunk),
    ]);
    exercise(&s, false);
    exercise(&s, true);
}

/// The codec chains the chunk target decodes through: v2 `.zarray` or v3 `zarr.json`
/// documents of a 6 x 5 array in one chunk.
const CHAINS: &[(bool, &str)] = &[
    (false, r#""compressor": null, "filters": null"#),
    (
        false,
        r#""compressor": {"id": "zstd", "level": 1}, "filters": null"#,
    ),
    (
        false,
        r#""compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}, "filters": null"#,
    ),
    (
        false,
        r#""compressor": {"id": "gzip", "level": 1}, "filters": null"#,
    ),
    (
        false,
        r#""compressor": {"id": "zlib", "level": 1}, "filters": null"#,
    ),
    (
        false,
        r#""compressor": {"id": "bz2", "level": 1}, "filters": null"#,
    ),
    (
        false,
        r#""compressor": null, "filters": [{"id": "fletcher32"}]"#,
    ),
    (
        false,
        r#""compressor": {"id": "zstd", "level": 1}, "filters": [{"id": "adler32"}]"#,
    ),
    (
        true,
        r#"{"name": "bytes", "configuration": {"endian": "little"}}"#,
    ),
    (
        true,
        r#"{"name": "bytes", "configuration": {"endian": "big"}}, {"name": "zstd", "configuration": {"level": 1, "checksum": true}}"#,
    ),
    (
        true,
        r#"{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}"#,
    ),
    (
        true,
        r#"{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 1}}"#,
    ),
    (
        true,
        r#"{"name": "transpose", "configuration": {"order": [1, 0]}}, {"name": "bytes", "configuration": {"endian": "little"}}, {"name": "blosc", "configuration": {"cname": "zstd", "clevel": 1, "shuffle": "bitshuffle", "typesize": 4, "blocksize": 0}}"#,
    ),
    (
        true,
        r#"{"name": "sharding_indexed", "configuration": {"chunk_shape": [3, 5], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 1, "checksum": false}}], "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}], "index_location": "end"}}"#,
    ),
];

/// The data types the chunk target tries (v2 typestr, v3 name).
const TYPES: &[(&str, &str)] = &[
    ("<f4", "float32"),
    ("<f8", "float64"),
    ("<i2", "int16"),
    ("|u1", "uint8"),
    ("<i8", "int64"),
    ("<f2", "float16"),
];

/// Chunk bytes through a codec chain: byte 0 picks the chain, byte 1 the data type,
/// the rest is the stored chunk.
pub fn zarr_chunk(data: &[u8]) {
    let (Some(&c), Some(&t)) = (data.first(), data.get(1)) else {
        return;
    };
    let chunk = &data[2..];
    let (v3, codecs) = CHAINS[c as usize % CHAINS.len()];
    let (typestr, name) = TYPES[t as usize % TYPES.len()];
    let s = if v3 {
        let meta = format!(
            r#"{{"zarr_format": 3, "node_type": "array", "shape": [6, 5], "data_type": "{name}",
            "chunk_grid": {{"name": "regular", "configuration": {{"chunk_shape": [6, 5]}}}},
            "chunk_key_encoding": {{"name": "default", "configuration": {{"separator": "/"}}}},
            "fill_value": 0, "codecs": [{codecs}], "dimension_names": ["y", "x"]}}"#
        );
        store(&[
            ("zarr.json", br#"{"zarr_format": 3, "node_type": "group"}"#),
            ("a/zarr.json", meta.as_bytes()),
            ("a/c/0/0", chunk),
        ])
    } else {
        let meta = format!(
            r#"{{"zarr_format": 2, "shape": [6, 5], "chunks": [6, 5], "dtype": "{typestr}",
            "fill_value": 0, "order": "C", {codecs}}}"#
        );
        store(&[
            (".zgroup", br#"{"zarr_format": 2}"#),
            ("a/.zarray", meta.as_bytes()),
            ("a/.zattrs", br#"{"_ARRAY_DIMENSIONS": ["y", "x"]}"#),
            ("a/0.0", chunk),
        ])
    };
    exercise(&s, false);
}

/// CF attributes: the bytes as a JSON object of attributes (`units`, `calendar`,
/// `scale_factor`, `add_offset`, `_FillValue`, `missing_value`, `valid_range`, … of any
/// JSON type) on an int16 data variable, an int64 and a float64 time-like coordinate,
/// decoded and computed.
pub fn cf_attributes(data: &[u8]) {
    let Ok(serde_json::Value::Object(attrs)) = serde_json::from_slice(data) else {
        return;
    };
    let build = || -> crate::Result<Dataset> {
        let mut ds = Dataset::new();
        let ints = ndarray::ArrayD::from_shape_vec(
            ndarray::IxDyn(&[6]),
            vec![0i64, 1, -1, i64::MAX, i64::MIN, 1 << 40],
        )
        .map_err(|e| crate::Error::invalid(e.to_string()))?;
        let floats = ndarray::ArrayD::from_shape_vec(
            ndarray::IxDyn(&[6]),
            vec![0.0f64, 0.5, -1e300, f64::NAN, f64::INFINITY, 1e18],
        )
        .map_err(|e| crate::Error::invalid(e.to_string()))?;
        let packed = ndarray::ArrayD::from_shape_vec(
            ndarray::IxDyn(&[6]),
            vec![0i16, 1, -1, i16::MAX, i16::MIN, 100],
        )
        .map_err(|e| crate::Error::invalid(e.to_string()))?;
        let var = |a: crate::LazyArray| Variable::new(["t"], a);
        ds.insert_coord(
            "t",
            var(crate::LazyArray::from_ndarray(ints, &[4])?)?.with_attrs(attrs.clone()),
        )?;
        ds.insert(
            "f",
            var(crate::LazyArray::from_ndarray(floats, &[4])?)?.with_attrs(attrs.clone()),
        )?;
        ds.insert(
            "p",
            var(crate::LazyArray::from_ndarray(packed, &[4])?)?.with_attrs(attrs.clone()),
        )?;
        Ok(ds)
    };
    let Ok(ds) = build() else { return };
    for opts in [
        DecodeOptions::default(),
        DecodeOptions {
            mask_valid_range: true,
            ..DecodeOptions::default()
        },
    ] {
        if let Ok(decoded) = decode_cf(&ds, &opts) {
            compute_all(&decoded);
        }
    }
    for v in attrs.values() {
        if let Some(s) = v.as_str() {
            let _ = TimeUnits::parse(s);
            let _ = Calendar::parse(s);
        }
    }
}

/// A small daily time series (noleap calendar when `noleap`) for `sel` by strings.
fn series(noleap: bool) -> crate::Result<DataArray> {
    let days = ndarray::ArrayD::from_shape_fn(ndarray::IxDyn(&[800]), |i| i[0] as i64);
    let values = ndarray::ArrayD::from_shape_fn(ndarray::IxDyn(&[800]), |i| i[0] as f64);
    let mut attrs = serde_json::Map::new();
    attrs.insert("units".into(), "days since 1999-12-01".into());
    if noleap {
        attrs.insert("calendar".into(), "noleap".into());
    }
    let mut ds = Dataset::new();
    ds.insert_coord(
        "time",
        Variable::new(["time"], crate::LazyArray::from_ndarray(days, &[100])?)?.with_attrs(attrs),
    )?;
    ds.insert(
        "x",
        Variable::new(["time"], crate::LazyArray::from_ndarray(values, &[100])?)?,
    )?;
    decode_cf(&ds, &DecodeOptions::default())?.get("x")
}

/// Strings users type: datetimes (parsed in every calendar, and used to `sel` a daily
/// series: exact, slice, nearest), time units, calendars, frequencies (`resample`),
/// URLs (redaction).
pub fn user_strings(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let _ = parse_datetime(text);
    for cal in [
        "standard",
        "proleptic_gregorian",
        "noleap",
        "all_leap",
        "360_day",
        "julian",
    ] {
        if let Ok(cal) = Calendar::parse(cal) {
            let _ = parse_datetime_str(text, cal);
        }
    }
    let _ = TimeUnits::parse(text);
    let _ = Calendar::parse(text);
    let _ = Freq::parse(text);
    let _ = crate::io::redact::redact(text);
    let _ = crate::io::redact::scrub(text, text);
    let (first, second) = text.split_once('|').unwrap_or((text, text));
    // Bins finer than about two hours over the series' 800 days make more than 10^4
    // bins (one-second bins make 69 million): as in xarray, resample builds every bin,
    // which proves nothing more and held the target to a few inputs a second.
    let few_bins = match Freq::parse(first) {
        Ok(Freq::Tick(step)) => step >= 800 * 86_400_000_000 / 10_000,
        _ => true,
    };
    // Built once per process: the series do not depend on the input.
    static SERIES: OnceLock<Vec<DataArray>> = OnceLock::new();
    let all = SERIES.get_or_init(|| {
        [false, true]
            .into_iter()
            .filter_map(|n| series(n).ok())
            .collect()
    });
    for x in all {
        let _ = x.sel("time", first);
        let _ = x.sel_slice("time", first, second);
        let _ = x.sel_nearest("time", first, None);
        if few_bins
            && let Ok(r) = x.resample("time", first)
            && let Ok(m) = r.mean()
        {
            let _ = m.compute();
        }
    }
}
