//! The one-pass floor of an analysis: the time to read, decode and sum every stored
//! chunk of the variables it needs, once, with zarrs alone (no engine, no plan), on
//! every core (rayon, codec concurrency 1 per chunk, as tessera's reader runs it), under
//! mimalloc. An analysis that needs one pass over its data cannot beat this;
//! `scripts/compare.py` reports each analysis as a multiple of it.
//!
//! ```sh
//! cargo run --release --example read_floor -- /tmp/sla.zarr sla ugosa vgosa --json
//! ```
//!
//! Local Zarr v2 or v3 stores of numeric arrays (float32/64, int8/16/32/64, uint8/16/32).
//! Chunks that were never written (all fill value) are read as zarrs reads them: not
//! from storage.

mod common;

use std::path::Path;
use std::sync::Arc;

use clap::Parser;
use common::Report;
use rayon::prelude::*;
use zarrs::array::{Array, ArrayBytes, CodecOptions};
use zarrs::filesystem::FilesystemStore;

/// The read floor's command line.
#[derive(Parser, Debug)]
struct Args {
    /// A local Zarr store (a directory).
    store: String,
    /// The arrays to read (every chunk of each).
    #[arg(required = true)]
    variables: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON line (`seconds`, `peak_rss_mb`, `chunks`, `bytes_decoded`, `sum`) last.
    #[arg(long)]
    json: bool,
}

/// How one stored element is summed.
#[derive(Clone, Copy, Debug)]
enum Elem {
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
}

impl Elem {
    /// From a Zarr v3 `data_type` or a v2 `dtype` (`<f4`, `|u1`, ...).
    fn parse(name: &str) -> Option<Elem> {
        let code = name.trim_start_matches(['<', '>', '|', '=']);
        Some(match code {
            "float32" | "f4" => Elem::F32,
            "float64" | "f8" => Elem::F64,
            "int8" | "i1" => Elem::I8,
            "int16" | "i2" => Elem::I16,
            "int32" | "i4" => Elem::I32,
            "int64" | "i8" => Elem::I64,
            "uint8" | "u1" => Elem::U8,
            "uint16" | "u2" => Elem::U16,
            "uint32" | "u4" => Elem::U32,
            _ => return None,
        })
    }

    /// The sum of the decoded (native-endian) elements in `bytes`, as f64.
    fn sum(self, bytes: &[u8]) -> f64 {
        macro_rules! sum_as {
            ($t:ty) => {
                lanes(bytes, |b: [u8; std::mem::size_of::<$t>()]| {
                    <$t>::from_ne_bytes(b) as f64
                })
            };
        }
        match self {
            Elem::F32 => sum_as!(f32),
            Elem::F64 => sum_as!(f64),
            Elem::I8 => sum_as!(i8),
            Elem::I16 => sum_as!(i16),
            Elem::I32 => sum_as!(i32),
            Elem::I64 => sum_as!(i64),
            Elem::U8 => sum_as!(u8),
            Elem::U16 => sum_as!(u16),
            Elem::U32 => sum_as!(u32),
        }
    }
}

/// A sum over the `W`-byte elements of `bytes` in eight independent accumulators, so
/// that the compiler vectorizes it (one accumulator serializes on the add's latency).
fn lanes<const W: usize>(bytes: &[u8], value: impl Fn([u8; W]) -> f64) -> f64 {
    let element = |e: &[u8]| value(e.try_into().expect("chunks of W bytes"));
    let mut acc = [0f64; 8];
    let mut blocks = bytes.chunks_exact(8 * W);
    for block in &mut blocks {
        for (a, e) in acc.iter_mut().zip(block.chunks_exact(W)) {
            *a += element(e);
        }
    }
    let rest: f64 = blocks.remainder().chunks_exact(W).map(element).sum();
    acc.iter().sum::<f64>() + rest
}

/// One array to read: its chunk grid and how its elements are summed.
struct Target {
    name: String,
    array: Array<FilesystemStore>,
    elem: Elem,
    grid: Vec<u64>,
}

fn main() {
    common::run(|| {
        let args = Args::parse();
        floor(&args)
    });
}

fn floor(args: &Args) -> Result<bool, String> {
    let report = Report::start();
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| format!("--threads {n}: {e}"))?;
    }
    let store = Arc::new(
        FilesystemStore::new(&args.store)
            .map_err(|e| format!("{}: not a readable store ({e})", args.store))?,
    );
    let targets = args
        .variables
        .iter()
        .map(|name| open(&store, &args.store, name))
        .collect::<Result<Vec<_>, String>>()?;
    // Every (array, chunk) pair is one task, so all arrays share the cores.
    let tasks: Vec<(usize, u64)> = targets
        .iter()
        .enumerate()
        .flat_map(|(t, target)| (0..target.grid.iter().product::<u64>()).map(move |c| (t, c)))
        .collect();
    let opts = CodecOptions::default().with_concurrent_target(1);
    let (sum, bytes) = tasks
        .par_iter()
        .map(|&(t, c)| read_one(&targets[t], c, &opts))
        .try_reduce(|| (0.0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))?;
    println!(
        "read, decoded and summed {} chunks ({:.1} MB decoded) of {} in {:.3} s: sum {sum:.6e}",
        tasks.len(),
        bytes as f64 / 1e6,
        args.variables.join(", "),
        report.seconds()
    );
    if args.json {
        let mut report = report;
        report.set("chunks", tasks.len());
        report.set("bytes_decoded", bytes);
        report.set("sum", sum);
        report.print_json();
    }
    Ok(true)
}

/// Opens `/name` in the store and reads its element type from its metadata.
fn open(store: &Arc<FilesystemStore>, root: &str, name: &str) -> Result<Target, String> {
    let array = Array::open(store.clone(), &format!("/{name}"))
        .map_err(|e| format!("{root}: no readable array {name:?} ({e})"))?;
    let dir = Path::new(root).join(name);
    let (file, key) = if dir.join("zarr.json").exists() {
        ("zarr.json", "data_type")
    } else {
        (".zarray", "dtype")
    };
    let text = std::fs::read_to_string(dir.join(file))
        .map_err(|e| format!("{}: {e}", dir.join(file).display()))?;
    let meta: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", dir.join(file).display()))?;
    let type_name = meta.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    let elem = Elem::parse(type_name).ok_or_else(|| {
        format!(
            "{root}: array {name:?} has data type {type_name:?}, not a numeric type the floor sums"
        )
    })?;
    let grid = array.chunk_grid_shape().to_vec();
    Ok(Target {
        name: name.to_string(),
        array,
        elem,
        grid,
    })
}

/// Reads, decodes and sums chunk number `c` (C order) of `target`.
fn read_one(target: &Target, c: u64, opts: &CodecOptions) -> Result<(f64, u64), String> {
    let mut idx = vec![0u64; target.grid.len()];
    let mut rest = c;
    for (i, g) in idx.iter_mut().zip(&target.grid).rev() {
        *i = rest % g;
        rest /= g;
    }
    let fail = |e: String| format!("array {:?}, chunk {idx:?}: {e}", target.name);
    let decoded: ArrayBytes<'static> = target
        .array
        .retrieve_chunk_opt(&idx, opts)
        .map_err(|e| fail(e.to_string()))?;
    let bytes = decoded.into_fixed().map_err(|e| fail(e.to_string()))?;
    Ok((target.elem.sum(&bytes), bytes.len() as u64))
}
