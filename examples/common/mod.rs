//! What the analysis examples share: their command line, the run report (`--json`
//! line with `seconds` and `peak_rss_mb`), and turning errors into one line and a
//! non-zero exit code.

#![allow(dead_code)] // each example uses a different part

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use serde_json::{Map, Value};

/// Every tessera pass allocates a buffer per chunk it reads; glibc's malloc maps and
/// unmaps buffers this large for each one, and the page faults cost more than the
/// decoding (a 518 MB Zarr read: 0.96 s of CPU under glibc, 0.35 s under mimalloc).
/// The library leaves the allocator to the application; the examples pick mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The options every analysis example takes.
#[derive(Parser, Debug, Clone)]
pub(crate) struct Cli {
    /// What to analyse: a Zarr store (a path, file://, s3://bucket/prefix, gs://, az://,
    /// http(s)://…), a netCDF file, or a quoted glob of netCDF files or stores opened
    /// as one dataset (netCDF needs `--features netcdf`; default: the embedded fixture).
    pub store: Option<String>,
    /// Where the PNG figures go.
    #[arg(long, default_value = "target/examples-out")]
    pub out: PathBuf,
    /// Print one JSON line with the headline values last.
    #[arg(long)]
    pub json: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Memory budget, e.g. 2GiB (default: TESSERA_MEMORY_LIMIT, else what the plan needs within half of the available memory).
    #[arg(long)]
    pub memory_limit: Option<String>,
    /// Skip the figures (for timing the computation alone).
    #[arg(long)]
    pub no_plots: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Print the plan first (its passes, what each reads from the store, and why a
    /// variable is read more than once) to stderr.
    #[arg(long)]
    pub explain: bool,
}

impl Cli {
    /// Computes `arrays` in one go and keeps them in memory, printing the plan first
    /// when asked.
    pub(crate) fn persist_many(
        &self,
        arrays: &[&tessera::labelled::DataArray],
        compute: &tessera::engine::Compute,
    ) -> tessera::Result<Vec<tessera::labelled::DataArray>> {
        if self.explain {
            eprint!(
                "{}",
                tessera::labelled::DataArray::explain_many(arrays, compute)?
            );
        }
        tessera::labelled::DataArray::persist_many(arrays, compute)
    }

    /// The executor settings asked for.
    pub(crate) fn compute(&self) -> Result<tessera::engine::Compute, String> {
        // The profile is kept for its store-read counters (`store_read_ratio`).
        let mut c = tessera::engine::Compute::new()
            .progress(!self.quiet && !self.json)
            .record_profile();
        if let Some(n) = self.threads {
            c = c.threads(n);
        }
        if let Some(text) = &self.memory_limit {
            c = c.memory_limit(parse_bytes(text)?);
        }
        Ok(c)
    }
}

/// Parses sizes such as `512MiB`, `2GiB`, `1.5GB` or a plain number of bytes.
pub(crate) fn parse_bytes(text: &str) -> Result<usize, String> {
    tessera::engine::parse_bytes(text).map_err(|e| format!("memory limit: {e}"))
}

/// The JSON summary of a run, printed last.
pub(crate) struct Report {
    started: Instant,
    values: Map<String, Value>,
}

impl Report {
    /// Starts the clock.
    pub(crate) fn start() -> Report {
        Report {
            started: Instant::now(),
            values: Map::new(),
        }
    }

    /// Records one headline value (NaN and infinities become `null`).
    pub(crate) fn set(&mut self, key: &str, value: impl Into<Value>) {
        let v = value.into();
        let v = match v.as_f64() {
            Some(x) if !x.is_finite() => Value::Null,
            _ => v,
        };
        self.values.insert(key.to_string(), v);
    }

    /// Records `store_read_ratio`: how many times the last computation of `compute`
    /// read the stored chunks it needed (1.0: each once; null: it read no store).
    pub(crate) fn set_store_reads(&mut self, compute: &tessera::engine::Compute) {
        let ratio = compute.last_profile().and_then(|p| p.read_ratio());
        self.set(
            "store_read_ratio",
            ratio.map(|r| (r * 1000.0).round() / 1000.0),
        );
    }

    /// Seconds since the start.
    pub(crate) fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Adds `seconds` and `peak_rss_mb` and prints the one-line JSON summary.
    pub(crate) fn print_json(mut self) {
        let seconds = self.seconds();
        self.set("seconds", (seconds * 1000.0).round() / 1000.0);
        self.set(
            "peak_rss_mb",
            peak_rss_mb().map(|m| (m * 10.0).round() / 10.0),
        );
        println!("{}", Value::Object(self.values));
    }
}

/// The first value of a computed array (NaN if empty): the headline numbers.
pub(crate) fn scalar(da: &tessera::labelled::DataArray) -> tessera::Result<f64> {
    Ok(da
        .values::<f64>()?
        .iter()
        .next()
        .copied()
        .unwrap_or(f64::NAN))
}

/// The process's peak resident set size in MiB (Linux `VmHWM`, as `ru_maxrss / 1024`
/// reports it), if known.
pub(crate) fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Runs an example's body: any error becomes one line on stderr and exit code 1;
/// a failed check (Ok(false)) exits with 2.
///
/// Under `mpirun` (feature `mpi`) every rank runs the same body on its share of the
/// chunks; rank 0 alone prints, so the output reads as one run's.
pub(crate) fn run(body: impl FnOnce() -> Result<bool, String>) {
    let session = match tessera::distributed::init() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    if !tessera::distributed::is_root() {
        silence_stdout();
    }
    let outcome = body();
    drop(session);
    match outcome {
        Ok(true) => {}
        Ok(false) => std::process::exit(2),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

/// Sends this process's standard output to /dev/null (ranks other than 0).
fn silence_stdout() {
    use std::os::fd::AsRawFd;
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        // SAFETY: dup2 on two open descriptors; stdout (1) is replaced atomically and
        // `null` stays open until after the call.
        unsafe {
            libc::dup2(null.as_raw_fd(), 1);
        }
    }
}
