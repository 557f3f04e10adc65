//! Bad stores give typed errors naming the URL and key, never panics.

use std::fs;
use std::path::Path;

use crate::support::zarr_fixtures::{Cleanup, copy_fixture, temp_dir};
use proptest::prelude::*;
use tessera::Error;
use tessera::io::{Consolidated, OpenOptions};

fn listing() -> OpenOptions {
    OpenOptions {
        consolidated: Consolidated::Off,
        ..OpenOptions::raw()
    }
}

fn open(path: &Path) -> tessera::Result<tessera::labelled::Dataset> {
    tessera::open_zarr_with(path.to_str().unwrap(), &listing())
}

fn edit(path: &Path, f: impl Fn(String) -> String) {
    let text = fs::read_to_string(path).unwrap();
    fs::write(path, f(text)).unwrap();
}

#[test]
fn corrupt_json_names_the_key() {
    let dir = copy_fixture("v2_zstd.zarr", "corrupt");
    let _cleanup = Cleanup(dir.parent().unwrap().to_path_buf());
    fs::write(dir.join("temp/.zarray"), b"{\"shape\": [12, 5").unwrap();
    let err = open(&dir).unwrap_err();
    assert!(
        matches!(&err, Error::ZarrMetadata { key, url, .. } if key == "temp/.zarray" && url.contains("corrupt")),
        "{err}"
    );
    assert!(err.to_string().contains("invalid JSON"), "{err}");
    let dir = copy_fixture("v2_blosc_lz4.zarr", "corrupt-consolidated");
    let _cleanup = Cleanup(dir.parent().unwrap().to_path_buf());
    fs::write(dir.join(".zmetadata"), b"[1, 2]").unwrap();
    let err = tessera::open_zarr_with(dir.to_str().unwrap(), &OpenOptions::raw()).unwrap_err();
    assert!(
        matches!(&err, Error::ZarrMetadata { key, .. } if key == ".zmetadata"),
        "{err}"
    );
}

#[test]
fn unknown_codec_is_named() {
    let dir = copy_fixture("v3_zstd_unconsolidated.zarr", "codec");
    let _cleanup = Cleanup(dir.parent().unwrap().to_path_buf());
    edit(&dir.join("precip/zarr.json"), |t| {
        t.replace("\"zstd\"", "\"snappy9\"")
    });
    // The store opens (one array must not stop the rest); reading the array whose
    // codec is unknown names the codec and the variable.
    let ds = open(&dir).unwrap();
    let err = ds.get("precip").unwrap().compute().unwrap_err().to_string();
    assert!(
        err.contains("\"precip\"") && err.contains("snappy9"),
        "{err}"
    );
    assert!(ds.get("temp").unwrap().compute().is_ok());
}

#[test]
fn truncated_and_wrong_size_chunks_fail_on_read() {
    let dir = copy_fixture("v3_zstd_unconsolidated.zarr", "chunks");
    let _cleanup = Cleanup(dir.parent().unwrap().to_path_buf());
    let chunk = dir.join("temp/c/0/0/0");
    let bytes = fs::read(&chunk).unwrap();
    fs::write(&chunk, &bytes[..bytes.len() / 2]).unwrap();
    // a float64 chunk where a float32 one belongs: twice the bytes
    fs::copy(dir.join("precip/c/1/0/0"), dir.join("temp/c/1/0/0")).unwrap();
    let ds = open(&dir).unwrap();
    let t = ds.get("temp").unwrap();
    for (range, key) in [(0..4, "temp/c/0/0/0"), (4..8, "temp/c/1/0/0")] {
        let part = t
            .isel_slice(
                "time",
                Some(range.start as isize),
                Some(range.end as isize),
                1,
            )
            .unwrap();
        let err = part.compute().unwrap_err();
        assert!(matches!(err, Error::SourceRead { .. }), "{err}");
        assert!(err.to_string().contains(key), "{err}");
    }
    // the intact chunks still read
    t.isel_slice("time", Some(8), Some(12), 1)
        .unwrap()
        .compute()
        .unwrap();
}

#[test]
fn dimension_names_missing_or_inconsistent() {
    let dir = copy_fixture("v2_zstd.zarr", "dims");
    let _cleanup = Cleanup(dir.parent().unwrap().to_path_buf());
    edit(&dir.join("count/.zattrs"), |t| {
        t.replace("_ARRAY_DIMENSIONS", "_DIMS")
    });
    let err = open(&dir).unwrap_err().to_string();
    assert!(
        err.contains("count/.zarray") && err.contains("_ARRAY_DIMENSIONS"),
        "{err}"
    );
    let attrs = dir.join("count/.zattrs");
    fs::write(&attrs, r#"{"_ARRAY_DIMENSIONS": ["extra", "lat", "lon"]}"#).unwrap();
    let err = open(&dir).unwrap_err().to_string();
    assert!(err.contains("3 dimension names"), "{err}");
    // lat has 5 elements, lon 4: swapped names clash with the other arrays
    fs::write(&attrs, r#"{"_ARRAY_DIMENSIONS": ["lon", "lat"]}"#).unwrap();
    let err = open(&dir).unwrap_err().to_string();
    assert!(
        err.contains("inconsistent") && err.contains("count"),
        "{err}"
    );
}

#[test]
fn not_a_store() {
    let empty = temp_dir("empty");
    let _cleanup = Cleanup(empty.clone());
    let err = open(&empty).unwrap_err().to_string();
    assert!(err.contains("no Zarr group"), "{err}");
    let err = tessera::open_zarr("/nonexistent/tessera/x.zarr").unwrap_err();
    assert!(
        matches!(&err, Error::Store { url, .. } if url == "/nonexistent/tessera/x.zarr"),
        "{err}"
    );
    let err = tessera::open_zarr("ftp://host/x.zarr")
        .unwrap_err()
        .to_string();
    assert!(err.contains("ftp"), "{err}");
}

fn valid_meta() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(crate::support::zarr_fixtures::FIXTURES);
    vec![
        (
            "v2".into(),
            fs::read(root.join("v2_zstd.zarr/packed/.zarray")).unwrap(),
        ),
        (
            "v3".into(),
            fs::read(root.join("v3_zstd.zarr/packed/zarr.json")).unwrap(),
        ),
    ]
}

fn try_meta(dir: &Path, v3: bool, bytes: &[u8]) {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir.join("a")).unwrap();
    if v3 {
        fs::write(
            dir.join("zarr.json"),
            br#"{"zarr_format": 3, "node_type": "group"}"#,
        )
        .unwrap();
        fs::write(dir.join("a/zarr.json"), bytes).unwrap();
    } else {
        fs::write(dir.join(".zgroup"), br#"{"zarr_format": 2}"#).unwrap();
        fs::write(
            dir.join("a/.zattrs"),
            br#"{"_ARRAY_DIMENSIONS": ["t", "y", "x"]}"#,
        )
        .unwrap();
        fs::write(dir.join("a/.zarray"), bytes).unwrap();
    }
    // Err or Ok, never a panic; a small read too when it opens.
    if let Ok(ds) = open(dir)
        && let Ok(a) = ds.get("a")
        && a.shape().iter().product::<usize>() < 1 << 16
    {
        let _ = a.compute();
    }
}

proptest! {
    #![proptest_config(crate::support::proptest_regressions::with_cases(96))]

    #[test]
    fn metadata_bytes_never_panic(
        which in 0usize..2,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        junk in proptest::collection::vec(any::<u8>(), 0..64),
        raw in any::<bool>(),
    ) {
        let (name, mut bytes) = valid_meta().swap_remove(which);
        if raw {
            bytes = junk;
        } else {
            for (i, b) in flips {
                let n = bytes.len();
                bytes[i.index(n)] = b;
            }
        }
        let dir = std::env::temp_dir().join(format!("tessera-zarr-{}-fuzz-{name}", std::process::id()));
        let _cleanup = Cleanup(dir.clone());
        try_meta(&dir, name == "v3", &bytes);
    }
}
