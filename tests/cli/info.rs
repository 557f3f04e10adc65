//! `tessera info`: each Zarr fixture's dims, coordinates and data variables (dims,
//! dtype, shape) and attributes as xarray shows them, from the golden file written by
//! `scripts/golden_cli_info.py`; errors as one line on stderr, the library's text.

use std::process::Command;

use serde_json::Value;

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data-fixtures/golden/cli/info.json"
);
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data-fixtures");

pub(crate) fn tessera(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .output()
        .expect("running the tessera binary")
}

fn info_json(path: &str) -> Value {
    let out = tessera(&["info", path, "--json"]);
    assert!(
        out.status.success(),
        "tessera info {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("info --json prints JSON")
}

/// `{name: {dims, dtype, shape}}` of one section, order aside (xarray lists
/// coordinates from a set).
fn section(v: &Value) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = v
        .as_object()
        .unwrap()
        .iter()
        .map(|(n, x)| {
            (
                n.clone(),
                serde_json::json!({"dims": x["dims"], "dtype": x["dtype"], "shape": x["shape"]}),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn info_json_matches_xarray_on_every_fixture() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let fixtures = golden["fixtures"].as_object().unwrap();
    assert_eq!(fixtures.len(), 10);
    for (rel, want) in fixtures {
        let got = info_json(&format!("{FIXTURES}/{rel}"));
        assert_eq!(got["dims"], want["dims"], "{rel}: dims");
        for part in ["coords", "data_vars"] {
            assert_eq!(section(&got[part]), section(&want[part]), "{rel}: {part}");
        }
        for (k, v) in want["attrs"].as_object().unwrap() {
            assert_eq!(got["attrs"][k].as_f64(), v.as_f64(), "{rel}: attribute {k}");
            assert_eq!(
                got["attrs"][k].is_string(),
                v.is_string(),
                "{rel}: attribute {k}"
            );
        }
        // Store facts: every variable, chunks that tile it, bytes that add up.
        let store = &got["store"];
        assert!(
            store["format"].as_str().unwrap().starts_with("Zarr v"),
            "{rel}"
        );
        let vars = store["variables"].as_object().unwrap();
        assert_eq!(
            vars.len(),
            want["coords"].as_object().unwrap().len()
                + want["data_vars"].as_object().unwrap().len(),
            "{rel}: store facts per variable"
        );
        for (name, f) in vars {
            assert!(f["stored_bytes"].as_u64().unwrap() > 0, "{rel}/{name}");
            let chunks: Vec<u64> = serde_json::from_value(f["chunks"].clone()).unwrap();
            let n: u64 = f["nchunks"].as_u64().unwrap();
            assert!(
                n >= 1 && chunks.iter().all(|&c| c >= 1),
                "{rel}/{name}: {f}"
            );
        }
    }
}

#[test]
fn info_text_shows_the_repr_and_the_store() {
    let out = tessera(&["info", &format!("{FIXTURES}/zarr/v2_zstd.zarr")]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("<tessera.Dataset>\nDimensions:  (lat: 5, lon: 4, time: 12)"),
        "{text}"
    );
    assert!(text.contains("Store: Zarr v2,"), "{text}");
    assert!(text.contains("codecs [zstd(3)]"), "{text}");
}

#[test]
fn errors_are_one_line_with_the_library_text() {
    let dir = std::env::temp_dir().join(format!("tessera-cli-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("zarr.json"), b"{ not json").unwrap();
    let broken = dir.display().to_string();
    let missing = format!("{FIXTURES}/no-such-store.zarr");
    for path in [broken.as_str(), missing.as_str()] {
        let want = tessera::open_dataset(path).unwrap_err().to_string();
        let out = tessera(&["info", path]);
        assert_eq!(out.status.code(), Some(1), "{path}");
        assert!(out.stdout.is_empty());
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!("error: {want}\n")
        );
    }
    // A bad option is clap's usage error, exit code 2.
    let out = tessera(&["convert", "a", "b", "--memory-limit", "lots"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("byte size from \"lots\""), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
