//! The sum of many large generated arrays (USECASES.md §3): K simulated satellite
//! swaths of N × N float32, each generated chunk by chunk and never whole, summed over
//! the stack and written to Zarr inside a memory budget.
//!
//! The reduction visits the blocks of one output chunk together (the stack axis
//! innermost), so an output chunk's partial is finished and written to the store as
//! soon as its K blocks are in: memory holds a few chunks per worker, not the result.
//! The result is then checked against an independent recomputation of a sample of
//! chunks, straight from the generator.
//!
//! ```sh
//! cargo run --release --example simulation_sum -- --arrays 16 --size 16384 --memory-limit 1GiB --json
//! ```

mod common;

use std::ops::Range;
use std::path::PathBuf;

use clap::Parser;
use common::{Report, parse_bytes};
use tessera::engine::LazyArray;
use tessera::io::{WriteMode, WriteOptions};
use tessera::labelled::{DataArray, Dataset};
use tessera::synthetic::Swath;

/// The simulation sum's command line.
#[derive(Parser, Debug)]
struct Args {
    /// Number of arrays summed.
    #[arg(long, default_value_t = 16)]
    arrays: usize,
    /// Each array is size × size float32.
    #[arg(long, default_value_t = 16_384)]
    size: usize,
    /// Chunks are chunk × chunk.
    #[arg(long, default_value_t = 4096)]
    chunk: usize,
    /// Memory budget, e.g. 1GiB.
    #[arg(long, default_value = "1GiB")]
    memory_limit: String,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Output chunks recomputed independently to check the result.
    #[arg(long, default_value_t = 4)]
    check_chunks: usize,
    /// Where the result goes (a Zarr store, replaced).
    #[arg(long, default_value = "target/examples-out/simulation_sum.zarr")]
    out: PathBuf,
    /// Seed of the generated noise.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Keep the result in memory instead of writing it (the setting dask's figures in
    /// BENCHMARKS.md were measured with).
    #[arg(long)]
    in_memory: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print one JSON line with the headline values last.
    #[arg(long)]
    json: bool,
}

fn main() {
    common::run(|| {
        let args = Args::parse();
        simulation_sum(&args)
    });
}

fn simulation_sum(args: &Args) -> Result<bool, String> {
    let report = Report::start();
    if args.arrays == 0 || args.size == 0 || args.chunk == 0 {
        return Err("--arrays, --size and --chunk must be positive".into());
    }
    let limit = parse_bytes(&args.memory_limit)?;
    let mut compute = tessera::Compute::new()
        .memory_limit(limit)
        .progress(!args.quiet && !args.json);
    if let Some(t) = args.threads {
        compute = compute.threads(t);
    }
    let swaths: Vec<Swath> = (0..args.arrays)
        .map(|k| Swath::new(k, args.size, args.seed))
        .collect();
    let sum = stacked_sum(&swaths, args.chunk).map_err(|e| e.to_string())?;
    let result = if args.in_memory {
        let data = compute.run(&[&sum]).map_err(|e| e.to_string())?.remove(0);
        let grid = sum.chunks().clone();
        LazyArray::from_data(data, grid).map_err(|e| e.to_string())?
    } else {
        write_zarr(sum, args, &compute).map_err(|e| e.to_string())?
    };
    // Only rank 0 reports the total (the other ranks' output is silenced): under MPI
    // the ranks share the sum's blocks, and only rank 0 receives the result.
    let total = compute
        .run_on_root(&[&result
            .cast(tessera::engine::DType::F64)
            .and_then(|r| r.sum(&[0, 1]))
            .map_err(|e| e.to_string())?])
        .map_err(|e| e.to_string())?
        .map_or(f64::NAN, |out| out[0].to_f64_vec()[0]);
    let (checked, max_abs_diff) =
        check_sample(&swaths, &result, args).map_err(|e| e.to_string())?;
    let gib = (args.arrays * args.size * args.size * 4) as f64 / (1u64 << 30) as f64;
    println!(
        "sum of {} arrays of {n} × {n} float32 ({gib:.1} GiB generated) in {:.1} s under {}: \
         total {total:.6e}; {checked} chunks recomputed, largest difference {max_abs_diff:.3e}; \
         result in {}",
        args.arrays,
        report.seconds(),
        args.memory_limit,
        if args.in_memory {
            "memory".to_string()
        } else {
            args.out.display().to_string()
        },
        n = args.size,
    );
    if args.json {
        let mut report = report;
        report.set("arrays", args.arrays);
        report.set("size", args.size);
        report.set("sum_total", total);
        report.set("checked_chunks", checked);
        report.set("max_abs_diff", max_abs_diff);
        report.set("memory_limit_mb", limit as f64 / (1 << 20) as f64);
        report.print_json();
    }
    // The generated values sum in float32 over at most a few dozen arrays of values
    // near 1: the recomputation in float64 agrees to float32 rounding.
    Ok(max_abs_diff <= 1e-5 * args.arrays as f64)
}

/// The swaths stacked and summed over the stack, lazily.
fn stacked_sum(swaths: &[Swath], chunk: usize) -> tessera::Result<LazyArray> {
    let arrays = swaths
        .iter()
        .map(|s| s.lazy(chunk))
        .collect::<tessera::Result<Vec<_>>>()?;
    let refs: Vec<&LazyArray> = arrays.iter().collect();
    LazyArray::stack(&refs, 0)?.sum(&[0])
}

/// Writes the sum to the Zarr store of `--out`, chunk by chunk as the executor
/// finishes them, and returns the stored array, read back lazily.
fn write_zarr(
    sum: LazyArray,
    args: &Args,
    compute: &tessera::Compute,
) -> tessera::Result<LazyArray> {
    let mut ds = Dataset::new();
    ds.insert_array(&DataArray::from_lazy("sum", ["y", "x"], sum)?)?;
    let url = args.out.display().to_string();
    let opts = WriteOptions {
        mode: WriteMode::Overwrite,
        compute: compute.clone(),
        ..WriteOptions::default()
    };
    ds.to_zarr(&url, &opts)?;
    Ok(tessera::open_zarr(&url)?.get("sum")?.data().clone())
}

/// Recomputes `--check-chunks` output chunks straight from the generator (in float64)
/// and returns how many were checked and the largest difference from the result.
fn check_sample(
    swaths: &[Swath],
    stored: &LazyArray,
    args: &Args,
) -> tessera::Result<(usize, f64)> {
    let per_side = args.size.div_ceil(args.chunk);
    let n_chunks = per_side * per_side;
    let wanted = args.check_chunks.min(n_chunks);
    let mut max_diff = 0f64;
    for s in 0..wanted {
        // Spread over the grid: first, last, and evenly between.
        let c = if wanted == 1 {
            0
        } else {
            s * (n_chunks - 1) / (wanted - 1)
        };
        let (ci, cj) = (c / per_side, c % per_side);
        let rows = span(ci, args.chunk, args.size);
        let cols = span(cj, args.chunk, args.size);
        let mut expected = ndarray::Array2::<f64>::zeros((rows.len(), cols.len()));
        for sw in swaths {
            expected += &sw.block(rows.clone(), cols.clone()).mapv(f64::from);
        }
        let got = stored.slice_ranges(&[rows, cols])?.compute()?.to_f64_vec();
        for (g, e) in got.iter().zip(expected.iter()) {
            max_diff = max_diff.max((g - e).abs());
        }
    }
    Ok((wanted, max_diff))
}

/// Positions of chunk `i` along an axis of length `n` in chunks of `chunk`.
fn span(i: usize, chunk: usize, n: usize) -> Range<usize> {
    i * chunk..((i + 1) * chunk).min(n)
}
