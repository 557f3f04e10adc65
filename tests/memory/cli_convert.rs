//! `tessera convert` of a 256 MiB (time, y, x) float32 store chunked one time step at a
//! time (4 MiB chunks) into whole-time-series chunks (64, 64, 64) under a 32 MiB
//! budget: the plan goes through an intermediate store, and the heap, as the counting
//! allocator sees it, grows by less than the budget. The 4 GiB version of this
//! conversion is `scripts/convert_bench.sh` (BENCHMARKS.md, "Converting to
//! analysis-ready Zarr"). Run with `--nocapture` to see the peak and time.

use std::ops::Range;
use std::time::Instant;

use crate::support::counting_alloc::{MIB, current, peak, reset_peak, serial};
use ndarray::{ArrayD, IxDyn};
use tessera::cli::{ConvertArgs, parse_chunks};
use tessera::engine::{ArrayData, ChunkGrid, DType, LazyArray};
use tessera::io::{Compressor, WriteMode, WriteOptions};
use tessera::labelled::{Dataset, Variable};

const NT: usize = 64;
const NY: usize = 1024;
const NX: usize = 1024;

fn value(t: usize, y: usize, x: usize) -> f32 {
    (t * 7 + y * 3 + x % 251) as f32
}

#[test]
fn a_time_rechunk_of_256_mib_stays_within_32_mib() {
    let _turn = serial();
    let dir = std::env::temp_dir().join(format!("tessera-cli-mem-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.zarr").display().to_string();
    let output = dir.join("out.zarr").display().to_string();
    let grid = ChunkGrid::regular(&[NT, NY, NX], &[1, NY, NX]).unwrap();
    let data = LazyArray::from_fn("cube", DType::F32, grid, |_, r: &[Range<usize>]| {
        let shape: Vec<usize> = r.iter().map(|x| x.len()).collect();
        let a = ArrayD::from_shape_fn(IxDyn(&shape), |i| {
            value(r[0].start + i[0], r[1].start + i[1], r[2].start + i[2])
        });
        Ok(ArrayData::new(a))
    });
    let mut ds = Dataset::new();
    ds.insert("v", Variable::new(["time", "y", "x"], data).unwrap())
        .unwrap();
    let mut opts = WriteOptions::mode(WriteMode::Create);
    opts.compressor = Compressor::Zstd(1);
    ds.to_zarr(&input, &opts).unwrap();

    let budget = 32 * MIB;
    let args = ConvertArgs {
        input: input.clone(),
        output: output.clone(),
        chunks: parse_chunks("time=64,y=64,x=64").unwrap(),
        variables: vec![],
        compressor: Compressor::Zstd(1),
        memory_limit: budget as u64,
        append_dim: None,
        zarr_version: 3,
        threads: Some(2),
        quiet: true,
    };
    let base = current();
    reset_peak();
    let t0 = Instant::now();
    let report = tessera::cli::convert(&args).unwrap();
    let seconds = t0.elapsed().as_secs_f64();
    let growth = peak().saturating_sub(base);
    eprintln!(
        "convert of a 256 MiB store (1, {NY}, {NX}) -> (64, 64, 64) chunks, budget 32 MiB, 2 threads: \
         peak heap growth {:.1} MiB, {seconds:.1} s, {}",
        growth as f64 / MIB as f64,
        report.summary()
    );
    assert_eq!(report.two_pass, vec!["v".to_string()]);
    assert!(
        growth <= budget,
        "peak heap growth {growth} bytes over the {budget}-byte budget"
    );
    // A sample of values, read back through a different chunking.
    let back = tessera::open_zarr(&output).unwrap();
    let v = back.get("v").unwrap();
    let part = v.isel("y", 700).unwrap().compute().unwrap().to_f64_vec();
    assert_eq!(part.len(), NT * NX);
    for (k, got) in part.iter().enumerate().step_by(101) {
        assert_eq!(*got, value(k / NX, 700, k % NX) as f64);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
