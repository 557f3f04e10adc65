//! Replays the fuzz corpus (`fuzz/corpus/<target>/`) and every input that once crashed a
//! target (`fuzz/regressions/<target>/`) through the same entry functions the libFuzzer
//! targets call (`tessera::fuzzing`), on the stable toolchain: none may panic.

use std::path::Path;

type Entry = fn(&[u8]);

const TARGETS: [(&str, Entry); 5] = [
    ("zarr_v2_metadata", tessera::fuzzing::zarr_v2_metadata),
    ("zarr_v3_metadata", tessera::fuzzing::zarr_v3_metadata),
    ("zarr_chunk", tessera::fuzzing::zarr_chunk),
    ("cf_attributes", tessera::fuzzing::cf_attributes),
    ("user_strings", tessera::fuzzing::user_strings),
];

fn replay(dir: &Path, entry: Entry) -> usize {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut files: Vec<_> = listing.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        let outcome = std::panic::catch_unwind(|| entry(&data));
        assert!(outcome.is_ok(), "{} panicked", file.display());
    }
    files.len()
}

#[test]
fn the_fuzz_corpus_replays_without_panics() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (target, entry) in TARGETS {
        let corpus = replay(&root.join("corpus").join(target), entry);
        let crashes = replay(&root.join("regressions").join(target), entry);
        eprintln!("{target}: {corpus} corpus inputs, {crashes} former crashes replayed");
        assert!(corpus > 0, "no corpus for {target}");
    }
}
