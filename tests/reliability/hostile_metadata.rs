//! Metadata that lies about sizes, names or types: each store gives a typed error naming
//! the key before anything large is allocated, or opens lazily and fails when read,
//! never a panic, an abort or a silently wrong result.

use std::fs;
use std::path::{Path, PathBuf};

use tessera::Error;
use tessera::io::{Consolidated, OpenOptions};

/// A fresh directory, removed on drop.
pub(crate) struct TempStore(pub PathBuf);

impl TempStore {
    pub(crate) fn new(label: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("tessera-reliab-{}-{label}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempStore(dir)
    }

    pub(crate) fn url(&self) -> &str {
        self.0.to_str().unwrap()
    }

    pub(crate) fn write(&self, key: &str, bytes: impl AsRef<[u8]>) {
        let path = self.0.join(key);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

impl Drop for TempStore {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn listing() -> OpenOptions {
    OpenOptions {
        consolidated: Consolidated::Off,
        ..OpenOptions::raw()
    }
}

fn open(dir: &Path) -> tessera::Result<tessera::labelled::Dataset> {
    tessera::open_zarr_with(dir.to_str().unwrap(), &listing())
}

/// A v2 store with one array `a` whose `.zarray` is `zarray` and dims `dims`.
fn v2(label: &str, zarray: &str, dims: &str) -> TempStore {
    let s = TempStore::new(label);
    s.write(".zgroup", r#"{"zarr_format": 2}"#);
    s.write("a/.zarray", zarray);
    s.write("a/.zattrs", format!(r#"{{"_ARRAY_DIMENSIONS": {dims}}}"#));
    s
}

fn zarray(shape: &str, chunks: &str, dtype: &str) -> String {
    format!(
        r#"{{"zarr_format": 2, "shape": {shape}, "chunks": {chunks}, "dtype": "{dtype}",
            "compressor": null, "filters": null, "fill_value": 0, "order": "C"}}"#
    )
}

/// A v3 store with one array `a`.
fn v3(label: &str, shape: &str, chunks: &str, dtype: &str, dims: &str) -> TempStore {
    let s = TempStore::new(label);
    s.write("zarr.json", r#"{"zarr_format": 3, "node_type": "group"}"#);
    s.write(
        "a/zarr.json",
        format!(
            r#"{{"zarr_format": 3, "node_type": "array", "shape": {shape}, "data_type": "{dtype}",
                "chunk_grid": {{"name": "regular", "configuration": {{"chunk_shape": {chunks}}}}},
                "chunk_key_encoding": {{"name": "default", "configuration": {{"separator": "/"}}}},
                "fill_value": 0, "codecs": [{{"name": "bytes", "configuration": {{"endian": "little"}}}}],
                "dimension_names": {dims}}}"#
        ),
    );
    s
}

/// The error of opening `s`, checked to be a metadata error at `key` containing `words`.
fn meta_err(s: &TempStore, key: &str, words: &[&str]) -> Error {
    let err = open(&s.0).expect_err("the store must not open");
    let text = err.to_string();
    assert!(
        matches!(&err, Error::ZarrMetadata { key: k, url, .. } if k == key && url == s.url()),
        "{err:?}"
    );
    for w in words {
        assert!(text.contains(w), "{w:?} not in {text}");
    }
    err
}

#[test]
fn absurd_shapes_and_chunks_are_refused_at_open() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    // 10^15 x 10^15 elements overflow any address space
    let s = v2(
        "overflow",
        &zarray("[1000000000000000, 1000000000000000]", "[10, 10]", "<f8"),
        r#"["y", "x"]"#,
    );
    meta_err(&s, "a/.zarray", &["too large"]);
    let s = v3(
        "overflow3",
        "[1000000000000000, 1000000000000000]",
        "[10, 10]",
        "float64",
        r#"["y", "x"]"#,
    );
    meta_err(&s, "a/zarr.json", &["too large"]);
    // one chunk of 10^12 elements: 8 TB to decode
    let s = v2(
        "bigchunk",
        &zarray("[10]", "[1000000000000]", "<f8"),
        r#"["x"]"#,
    );
    meta_err(&s, "a/.zarray", &["chunk", "1000000000000"]);
    let s = v3(
        "bigchunk3",
        "[10, 10]",
        "[1000000, 1000000]",
        "float64",
        r#"["y", "x"]"#,
    );
    meta_err(&s, "a/zarr.json", &["chunk"]);
    // zero, negative, fractional, missing and mismatched chunk shapes
    for (i, chunks) in ["[0]", "[-4]", "[2.5]", "null", "[2, 2]", "\"big\""]
        .iter()
        .enumerate()
    {
        let s = v2(
            &format!("chunks{i}"),
            &zarray("[10]", chunks, "<f8"),
            r#"["x"]"#,
        );
        meta_err(&s, "a/.zarray", &[]);
        let s = v3(
            &format!("chunks3-{i}"),
            "[10]",
            chunks,
            "float64",
            r#"["x"]"#,
        );
        meta_err(&s, "a/zarr.json", &[]);
    }
    // negative and non-integer shapes
    for (i, shape) in ["[-10]", "[1e3]", "[\"10\"]", "10"].iter().enumerate() {
        let s = v2(
            &format!("shape{i}"),
            &zarray(shape, "[5]", "<f8"),
            r#"["x"]"#,
        );
        meta_err(&s, "a/.zarray", &["shape"]);
    }
}

#[test]
fn a_huge_but_addressable_array_opens_lazily_and_refuses_a_whole_compute() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    // 10^15 elements in chunks of 10^6 is 10^9 chunks: the grid alone would take 8 GB.
    let s = v2(
        "manychunks",
        &zarray("[1000000000000000]", "[1000000]", "<f8"),
        r#"["x"]"#,
    );
    meta_err(&s, "a/.zarray", &["1000000000 chunks along axis 0"]);
    // 10^13 float64 elements (80 TB) in chunks of 10^7 (80 MB): a valid lazy array, as
    // xarray opens it.
    let s = v2(
        "huge",
        &zarray("[10000000000000]", "[10000000]", "<f8"),
        r#"["x"]"#,
    );
    let ds = open(&s.0).unwrap();
    let a = ds.get("a").unwrap();
    assert_eq!(a.shape(), vec![10_000_000_000_000]);
    // a small selection reads (the fill value: no chunk is stored)
    let head = a
        .isel_slice("x", Some(0), Some(3), 1)
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!(head.to_f64_vec(), vec![0.0; 3]);
    // loading all of it is refused before anything is allocated, not attempted
    let err = a.compute().unwrap_err();
    assert!(
        err.to_string().contains("80000000000000 bytes")
            && err
                .to_string()
                .contains("larger than this machine's memory"),
        "{err}"
    );
}

#[test]
fn wrong_dims_and_unknown_dtypes() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    let s = v2("dims", &zarray("[10, 4]", "[5, 2]", "<f8"), r#"["x"]"#);
    meta_err(&s, "a/.zarray", &["1 dimension names"]);
    let s = v2("dims-type", &zarray("[10]", "[5]", "<f8"), r#"[3]"#);
    meta_err(&s, "a/.zarray", &["_ARRAY_DIMENSIONS"]);
    let s = v3(
        "dims3",
        "[10, 4]",
        "[5, 2]",
        "float64",
        r#"["x", "y", "z"]"#,
    );
    meta_err(&s, "a/zarr.json", &["3 dimension names"]);
    // A dtype that does not exist: the array opens as opaque (the others still open)
    // and reading it names the dtype and the array.
    for (label, s) in [
        (
            "v2",
            v2("dtype", &zarray("[10]", "[5]", "<q17"), r#"["x"]"#),
        ),
        ("v3", v3("dtype3", "[10]", "[5]", "float17", r#"["x"]"#)),
    ] {
        let ds = open(&s.0).unwrap_or_else(|e| panic!("{label}: {e}"));
        let err = ds.get("a").unwrap().compute().unwrap_err().to_string();
        assert!(
            err.contains("\"a\"") && (err.contains("q17") || err.contains("float17")),
            "{label}: {err}"
        );
    }
}

#[test]
fn chunks_of_the_wrong_length_name_their_key() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    // uncompressed: no codec checks the size but the bytes codec must
    for (label, s, key) in [
        (
            "v2",
            v2("short", &zarray("[10]", "[5]", "<f8"), r#"["x"]"#),
            "a/0",
        ),
        (
            "v3",
            v3("short3", "[10]", "[5]", "float64", r#"["x"]"#),
            "a/c/0",
        ),
    ] {
        for (i, len) in [0usize, 7, 39, 41, 80].into_iter().enumerate() {
            s.write(key, vec![1u8; len]);
            let err = open(&s.0)
                .unwrap()
                .get("a")
                .unwrap()
                .compute()
                .expect_err(&format!(
                    "{label}: a chunk of {len} bytes for 40 must fail ({i})"
                ));
            assert!(matches!(err, Error::SourceRead { .. }), "{label}: {err:?}");
            assert!(err.to_string().contains(key), "{label}: {err}");
        }
    }
    // compressed chunks that do not decompress, or decompress to the wrong size
    let s = v2(
        "zstd",
        &zarray("[10]", "[5]", "<f8").replace(
            "\"compressor\": null",
            "\"compressor\": {\"id\": \"zstd\", \"level\": 1}",
        ),
        r#"["x"]"#,
    );
    s.write("a/0", b"not zstd at all");
    let err = open(&s.0).unwrap().get("a").unwrap().compute().unwrap_err();
    assert!(err.to_string().contains("a/0"), "{err}");
}
