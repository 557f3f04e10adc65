//! A batch of many short simulations as delayed tasks (USECASES.md §4): one costly
//! function over 100,000 parameter sets, which as PBS job-array jobs overloads the
//! scheduler and the shared file system, and with dask's `delayed` makes the scheduler
//! the bottleneck (875 µs a task for 10^4 tasks, 9.1 ms for 10^5, measured here).
//!
//! Each task runs a toy ecosystem model (a noisy logistic map, 20 steps) for one growth
//! rate and returns (final, mean, max). The results are gathered in task order into a
//! Dataset on a `run` dimension and written to Zarr. The checksum (the sum of every
//! returned value, added in task order) is the same for any thread count.
//!
//! ```sh
//! cargo run --release --example batch -- --tasks 100000 --json
//! ```

mod common;

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use common::Report;
use tessera::delayed::{Delayed, compute_spread, delayed};
use tessera::io::{WriteMode, WriteOptions};
use tessera::labelled::{DataArray, Dataset};

/// The batch's command line.
#[derive(Parser, Debug)]
struct Args {
    /// Number of simulations.
    #[arg(long, default_value_t = 100_000)]
    tasks: usize,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Where the results go (a Zarr store, replaced).
    #[arg(long, default_value = "target/examples-out/batch.zarr")]
    out: PathBuf,
    /// Print one JSON line with the headline values last.
    #[arg(long)]
    json: bool,
}

/// Time steps of one simulation.
const STEPS: usize = 20;

/// One simulation: a logistic map with growth rate `r` and a small deterministic
/// perturbation per step (the task's own "noise", seeded by its index).
fn simulate(k: usize, r: f64) -> (f64, f64, f64) {
    let mut x = 0.5;
    let (mut sum, mut max) = (0.0, f64::MIN);
    let mut seed = (k as u64).wrapping_mul(6364136223846793005).wrapping_add(1);
    for _ in 0..STEPS {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let noise = ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e-3;
        x = (r * x * (1.0 - x) + noise).clamp(0.0, 1.0);
        sum += x;
        max = max.max(x);
    }
    (x, sum / STEPS as f64, max)
}

/// The growth rate of task `k` of `n`: 2.5 to 4.0, through the period doublings.
fn rate(k: usize, n: usize) -> f64 {
    2.5 + 1.5 * k as f64 / n.max(2).saturating_sub(1) as f64
}

fn main() {
    common::run(|| {
        let args = Args::parse();
        batch(&args).map_err(|e| e.to_string())
    });
}

fn batch(args: &Args) -> tessera::Result<bool> {
    let report = Report::start();
    let mut compute = tessera::Compute::new();
    if let Some(t) = args.threads {
        compute = compute.threads(t);
    }
    let n = args.tasks;

    // The scheduler's own cost: building and running n tasks that do nothing,
    // gathered the same way.
    let start = Instant::now();
    let empty: Vec<Delayed<usize>> = (0..n).map(|k| delayed(move || k)).collect();
    let count = Delayed::combine(&empty, |ks| ks.len()).compute_with(&compute)?;
    let overhead = start.elapsed().as_secs_f64();
    drop(empty);

    let start = Instant::now();
    let runs: Vec<Delayed<(f64, f64, f64)>> = (0..n)
        .map(|k| delayed(move || simulate(k, rate(k, n))))
        .collect();
    // Under mpirun each rank runs its share of the simulations; every rank gets all
    // the results.
    let results = compute_spread(&runs, &compute)?;
    drop(runs);
    let elapsed = start.elapsed().as_secs_f64();

    let checksum: f64 = results.iter().map(|(a, b, c)| a + b + c).sum();
    let column = |f: fn(&(f64, f64, f64)) -> f64| -> Vec<f64> { results.iter().map(f).collect() };
    let rates: Vec<f64> = (0..n).map(|k| rate(k, n)).collect();
    let var = |name: &str, values: Vec<f64>| -> tessera::Result<DataArray> {
        DataArray::from_ndarray(
            name,
            ["run"],
            ndarray::Array1::from(values).into_dyn(),
            &[n.clamp(1, 65_536)],
        )?
        .with_coord_values("run", (0..n).map(|k| k as f64).collect())
    };
    let mut ds = Dataset::new();
    ds.insert_array(&var("final", column(|r| r.0))?)?;
    ds.insert_array(&var("mean", column(|r| r.1))?)?;
    ds.insert_array(&var("max", column(|r| r.2))?)?;
    ds.insert_array(&var("growth_rate", rates)?)?;
    let opts = WriteOptions {
        mode: WriteMode::Overwrite,
        compute: compute.clone(),
        ..WriteOptions::default()
    };
    ds.to_zarr(&args.out.display().to_string(), &opts)?;

    println!(
        "{n} simulations of {STEPS} steps in {elapsed:.3} s ({:.0} tasks/s); \
         scheduling alone: {:.2} µs a task; results in {}",
        n as f64 / elapsed,
        overhead * 1e6 / count.max(1) as f64,
        args.out.display()
    );
    if args.json {
        let mut report = report;
        report.set("tasks", n);
        report.set("tasks_per_s", (n as f64 / elapsed).round());
        report.set(
            "overhead_us_per_task",
            (overhead * 1e6 / count.max(1) as f64 * 1000.0).round() / 1000.0,
        );
        report.set("result_checksum", checksum);
        report.print_json();
    }
    Ok(true)
}
