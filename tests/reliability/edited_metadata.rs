//! Stores written by tessera and then edited by xarray, and the reverse, stay valid for
//! both: each reads what the other wrote, values, dims and attributes alike. xarray's
//! side is `scripts/edit_check.py`; skipped, with the reason printed, without python3,
//! xarray and zarr (CI has them).

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tessera::io::{OpenOptions, WriteMode, WriteOptions};

use crate::support::zarr_fixtures::{Cleanup, check, describe, python_with_xarray, temp_dir};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/edit_check.py");

/// Runs `edit_check.py <command> <store> <args>` and returns the store as xarray then
/// reads it.
fn xarray(command: &str, store: &Path, args: &[&str]) -> Value {
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg(command)
        .arg(store)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "edit_check.py {command} {}: {}",
        store.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("edit_check.py prints JSON")
}

fn raw(store: &Path) -> tessera::labelled::Dataset {
    tessera::open_zarr_with(store.to_str().unwrap(), &OpenOptions::raw())
        .unwrap_or_else(|e| panic!("tessera cannot open {}: {e}", store.display()))
}

/// Appends `n` days from `start` (written by xarray elsewhere) along `time`, with tessera.
fn append_with_tessera(dir: &Path, store: &Path, format: &str, start: &str, n: &str) {
    let more = dir.join(format!("more-{start}.zarr"));
    xarray("write", &more, &[format, start, n]);
    let more = tessera::open_zarr(more.to_str().unwrap()).unwrap();
    let temp_only = more.drop_vars(&["lat"]).unwrap();
    let opts = WriteOptions {
        mode: WriteMode::Append,
        append_dim: Some("time".into()),
        ..WriteOptions::default()
    };
    temp_only.to_zarr(store.to_str().unwrap(), &opts).unwrap();
}

#[test]
fn a_store_tessera_wrote_and_xarray_edited_reads_alike_and_takes_tessera_appends() {
    if let Err(why) = python_with_xarray() {
        println!("skipping: {why}");
        return;
    }
    let dir = temp_dir("edited-by-xarray");
    let _cleanup = Cleanup(dir.clone());
    for format in ["2", "3"] {
        let source = dir.join(format!("source-v{format}.zarr"));
        xarray("write", &source, &[format]);
        // tessera writes the store…
        let store = dir.join(format!("tessera-v{format}.zarr"));
        let opts = WriteOptions {
            zarr_format: format.parse().unwrap(),
            ..WriteOptions::default()
        };
        tessera::open_zarr(source.to_str().unwrap())
            .unwrap()
            .to_zarr(store.to_str().unwrap(), &opts)
            .unwrap();
        // …xarray appends, adds a variable and attributes, consolidates…
        let edited = xarray("edit", &store, &[]);
        assert_eq!(edited["dims"]["time"], 7, "{edited}");
        assert_eq!(edited["attrs"]["edited_by"], "xarray");
        check(
            &raw(&store),
            &edited,
            &format!("v{format} after xarray's edit"),
        );
        // …and tessera appends again: both read the same nine days.
        append_with_tessera(&dir, &store, format, "2000-01-08", "2");
        let after = xarray("dump", &store, &[]);
        assert_eq!(after["dims"]["time"], 9, "{after}");
        check(
            &raw(&store),
            &after,
            &format!("v{format} after tessera's append"),
        );
    }
}

#[test]
fn a_store_xarray_wrote_and_tessera_edited_reads_alike_in_xarray() {
    if let Err(why) = python_with_xarray() {
        println!("skipping: {why}");
        return;
    }
    let dir = temp_dir("edited-by-tessera");
    let _cleanup = Cleanup(dir.clone());
    for format in ["2", "3"] {
        let store = dir.join(format!("xarray-v{format}.zarr"));
        xarray("write", &store, &[format]);
        append_with_tessera(&dir, &store, format, "2000-01-05", "3");
        // A new variable beside the others, with its attributes.
        let mut extra = tessera::labelled::Dataset::new();
        let values = ndarray::Array::from(vec![1i32, 2, 3]).into_dyn();
        let var = tessera::labelled::Variable::new(
            ["lat"],
            tessera::engine::LazyArray::from_ndarray(values, &[3]).unwrap(),
        )
        .unwrap()
        .with_attrs(
            serde_json::json!({"note": "by tessera"})
                .as_object()
                .unwrap()
                .clone(),
        );
        extra.insert("extra", var).unwrap();
        extra
            .to_zarr(
                store.to_str().unwrap(),
                &WriteOptions::mode(WriteMode::Append),
            )
            .unwrap();
        let seen = xarray("dump", &store, &[]);
        assert_eq!(seen["dims"]["time"], 7, "{seen}");
        assert_eq!(
            seen["vars"]["extra"]["attrs"]["note"], "by tessera",
            "{seen}"
        );
        check(
            &raw(&store),
            &seen,
            &format!("v{format} after tessera's edits"),
        );
        // xarray's own reading equals tessera's description of the store.
        let ours = describe(&raw(&store));
        assert_eq!(ours["dims"], seen["dims"]);
    }
}
