//! Credentials never appear in `Display`, `Debug` or error messages, and keys cannot
//! leave the store root (`..`, absolute or nested names in consolidated metadata, or
//! variable names written by `to_zarr`).

use std::fs;

use crate::hostile_metadata::TempStore;
use tessera::Error;
use tessera::io::{Consolidated, OpenOptions, WriteMode, WriteOptions};

const SECRETS: [&str; 4] = ["s3cr3tPass", "AKIAFAKEKEY", "SIGsecret123", "tokenXYZ987"];

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows the secret {s:?}: {text}");
    }
}

fn check_error(url: &str, err: &Error) {
    assert_clean(url, &err.to_string());
    assert_clean(url, &format!("{err:?}"));
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        assert_clean(url, &s.to_string());
        source = s.source();
    }
}

#[test]
fn urls_with_credentials_are_redacted_in_every_error() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    let mut urls = vec![
        // user information and query tokens; schemes tessera does not know
        "ftp://user:s3cr3tPass@host/x.zarr".to_string(),
        "memory2://AKIAFAKEKEY:s3cr3tPass@bucket/x.zarr?sig=SIGsecret123".to_string(),
    ];
    if cfg!(feature = "cloud") {
        urls.extend([
            // an S3 URL carrying keys is refused before any request
            "s3://AKIAFAKEKEY:s3cr3tPass@bucket/x.zarr".to_string(),
            "gs://AKIAFAKEKEY:s3cr3tPass@bucket/x.zarr".to_string(),
            // nothing listens on port 9 of loopback: connection refused
            "http://user:s3cr3tPass@127.0.0.1:9/x.zarr?sig=SIGsecret123&token=tokenXYZ987"
                .to_string(),
            "https://127.0.0.1:9/c/x.zarr?sv=2020-01-01&sig=SIGsecret123".to_string(),
        ]);
    }
    for url in &urls {
        let err = tessera::open_zarr(url).expect_err(url);
        check_error(url, &err);
        let err = tessera::open_dataset(url).expect_err(url);
        check_error(url, &err);
        let err = tessera::labelled::Dataset::new()
            .to_zarr(url, &WriteOptions::mode(WriteMode::Overwrite))
            .expect_err(url);
        check_error(url, &err);
        eprintln!("{url}\n  -> {err}");
    }
}

#[test]
fn consolidated_metadata_cannot_name_keys_outside_the_store() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    // a sibling directory the hostile metadata points at
    let outside = TempStore::new("outside-secret");
    outside.write("0", vec![7u8; 8]);
    let parent_name = outside.0.file_name().unwrap().to_str().unwrap().to_string();
    let zarray = r#"{"zarr_format": 2, "shape": [1], "chunks": [1], "dtype": "<f8", "compressor": null, "filters": null, "fill_value": 0, "order": "C"}"#;
    for (i, name) in ["..", ".", "", "/abs", "../outside", "a/../../x", "../"]
        .into_iter()
        .chain([format!("../{parent_name}").as_str()])
        .enumerate()
    {
        let s = TempStore::new(&format!("escape{i}"));
        let meta = format!(
            r#"{{"zarr_consolidated_format": 1, "metadata": {{".zgroup": {{"zarr_format": 2}},
                "{name}/.zarray": {zarray}, "{name}/.zattrs": {{"_ARRAY_DIMENSIONS": ["x"]}}}}}}"#
        );
        s.write(".zgroup", r#"{"zarr_format": 2}"#);
        s.write(".zmetadata", &meta);
        let opts = OpenOptions {
            consolidated: Consolidated::On,
            ..OpenOptions::raw()
        };
        match tessera::open_zarr_with(s.url(), &opts) {
            Err(err) => {
                assert!(
                    matches!(&err, Error::ZarrMetadata { key, .. } if key == ".zmetadata"),
                    "{name:?}: {err:?}"
                );
            }
            // Names in subgroups (`a/../../x` is no plain name, so it is refused above;
            // nothing else may open an array outside)
            Ok(ds) => assert!(
                ds.data_var_names().is_empty() && ds.coords().names().is_empty(),
                "{name:?} opened {ds}"
            ),
        }
        // v3: the same names inline in the root zarr.json
        let s3 = TempStore::new(&format!("escape3-{i}"));
        s3.write(
            "zarr.json",
            format!(
                r#"{{"zarr_format": 3, "node_type": "group", "consolidated_metadata": {{"kind": "inline", "must_understand": false,
                "metadata": {{"{name}": {{"zarr_format": 3, "node_type": "array", "shape": [1], "data_type": "float64",
                "chunk_grid": {{"name": "regular", "configuration": {{"chunk_shape": [1]}}}},
                "chunk_key_encoding": {{"name": "v2", "configuration": {{"separator": "."}}}},
                "fill_value": 0, "codecs": [{{"name": "bytes", "configuration": {{"endian": "little"}}}}],
                "dimension_names": ["x"]}}}}}}}}"#
            ),
        );
        match tessera::open_zarr_with(s3.url(), &opts) {
            Err(err) => assert!(
                matches!(&err, Error::ZarrMetadata { key, .. } if key == "zarr.json"),
                "{name:?}: {err:?}"
            ),
            Ok(ds) => assert!(ds.data_var_names().is_empty(), "{name:?} opened {ds}"),
        }
    }
    assert_eq!(fs::read(outside.0.join("0")).unwrap(), vec![7u8; 8]);
}

#[test]
fn variable_names_cannot_write_outside_the_store() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    let parent = TempStore::new("write-escape");
    let url = parent.0.join("x.zarr");
    for name in ["../evil", "a/b", "..", "."] {
        let mut ds = tessera::labelled::Dataset::new();
        let v = tessera::labelled::Variable::new(
            ["t"],
            tessera::engine::LazyArray::from_ndarray(
                ndarray::ArrayD::<f64>::zeros(ndarray::IxDyn(&[3])),
                &[3],
            )
            .unwrap(),
        )
        .unwrap();
        ds.insert(name, v).unwrap();
        let err = ds
            .to_zarr(
                url.to_str().unwrap(),
                &WriteOptions::mode(WriteMode::Overwrite),
            )
            .expect_err(name);
        assert!(
            err.to_string().contains("path separator")
                || err.to_string().contains("not a valid array name"),
            "{name}: {err}"
        );
        assert!(!parent.0.join("evil").exists());
    }
}
