//! Stores written by xarray/zarr-python (v2 blosc-lz4 and zstd, v3 zstd, consolidated
//! or not, packed int16, NaN fill, times in several units and calendars, a missing
//! chunk) open in tessera exactly as `xr.open_zarr(..., decode_cf=False)` shows them.

use crate::support::zarr_fixtures::{FIXTURES, check, expected};
use tessera::io::{Consolidated, OpenOptions};

fn open_raw(store: &str, opts: OpenOptions) -> tessera::labelled::Dataset {
    tessera::open_zarr_with(&format!("{FIXTURES}/{store}"), &opts)
        .unwrap_or_else(|e| panic!("opening {store}: {e}"))
}

#[test]
fn every_fixture_reads_raw_as_xarray() {
    let exp = expected();
    let stores = exp.as_object().unwrap();
    assert!(stores.len() >= 8, "fixtures missing");
    let mut values = 0;
    for (store, want) in stores {
        values += check(&open_raw(store, OpenOptions::raw()), &want["raw"], store);
    }
    assert!(values > 1000, "only {values} values compared");
}

#[test]
fn listing_and_consolidated_metadata_agree() {
    let exp = expected();
    for store in ["v2_blosc_lz4.zarr", "v3_zstd.zarr"] {
        for c in [Consolidated::Off, Consolidated::On] {
            let opts = OpenOptions {
                consolidated: c,
                ..OpenOptions::raw()
            };
            check(&open_raw(store, opts), &exp[store]["raw"], store);
        }
    }
    let err = tessera::open_zarr_with(
        &format!("{FIXTURES}/v2_zstd.zarr"),
        &OpenOptions {
            consolidated: Consolidated::On,
            ..OpenOptions::raw()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains(".zmetadata"), "{err}");
}

#[test]
fn file_urls_and_bare_paths_are_the_same_store() {
    let exp = expected();
    let url = format!("file://{FIXTURES}/v2_zstd.zarr");
    let ds = tessera::open_zarr_with(&url, &OpenOptions::raw()).unwrap();
    check(&ds, &exp["v2_zstd.zarr"]["raw"], &url);
    let err = tessera::open_zarr("memory://never-written")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no Zarr group") && err.contains("memory://never-written"),
        "{err}"
    );
}

#[test]
fn missing_chunk_reads_as_fill_value() {
    // v2_zstd.zarr lost temp's chunk 1.0.0 (times 4..8, lat 0..3): NaN fill.
    let ds = open_raw("v2_zstd.zarr", OpenOptions::raw());
    let t = ds.get("temp").unwrap().values::<f32>().unwrap();
    assert!(t[[5, 1, 2]].is_nan());
    assert!(!t[[5, 4, 2]].is_nan());
    assert!(!t[[8, 1, 2]].is_nan());
}

#[test]
fn user_chunks_are_whole_store_chunks() {
    let ds = open_raw("v3_zstd.zarr", OpenOptions::raw().chunk("time", 9));
    let t = ds.get("temp").unwrap();
    // store chunks are 4 along time: 9 rounds down to 8
    assert_eq!(t.data().chunks().axis_chunks(0), &[8, 4]);
    assert_eq!(t.data().chunks().axis_chunks(1), &[3, 2]);
    let exp = expected();
    check(&ds, &exp["v3_zstd.zarr"]["raw"], "v3 chunked");
    let err = tessera::open_zarr_with(
        &format!("{FIXTURES}/v3_zstd.zarr"),
        &OpenOptions::raw().chunk("depth", 2),
    )
    .unwrap_err();
    assert!(err.to_string().contains("depth"), "{err}");
}

#[test]
fn every_fixture_decodes_as_xarray() {
    let exp = expected();
    for (store, want) in exp.as_object().unwrap() {
        let ds = tessera::open_zarr(&format!("{FIXTURES}/{store}")).unwrap();
        check(&ds, &want["decoded"], store);
    }
}
