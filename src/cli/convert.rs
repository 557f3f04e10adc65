//! `tessera convert`: a dataset (Zarr, netCDF, a glob of either) to a Zarr store with
//! new chunks, inside a memory budget, resumable.
//!
//! The output's metadata is what `Dataset::to_zarr` writes (xarray's conventions,
//! CF encoding kept, consolidated metadata at the end); the chunks are then copied array
//! by array in the blocks of a [`plan`](super::plan): each block is computed from the
//! source (at most a quarter of `--memory-limit`, the engine's reads in flight another
//! quarter), cut into whole store chunks, and written in parallel. The state key
//! ([`state`](super::state)) records finished blocks, so a re-run after a kill skips
//! them and rewrites the rest, torn chunks included.

use std::sync::Arc;

use rayon::prelude::*;
use serde_json::json;

use super::args::ConvertArgs;
use super::plan::{Plan, blocks, plan};
use super::state::{State, local_dir, options_differ};
use crate::engine::{ArrayData, ChunkSink, Compute, LazyArray};
use crate::io::store::{Store, open_store};
use crate::io::zarr::{Prepared, consolidate_url, prepare};
use crate::io::{Compressor, OpenOptions, WriteMode, WriteOptions, open_zarr_with};
use crate::labelled::{Dataset, Variable};
use crate::{Error, Result};

/// What a conversion did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConvertReport {
    /// Arrays written.
    pub arrays: usize,
    /// Blocks computed and written (both passes counted).
    pub blocks_written: usize,
    /// Blocks a previous, interrupted run had finished.
    pub blocks_skipped: usize,
    /// Arrays copied through an intermediate store.
    pub two_pass: Vec<String>,
    /// Whether this run resumed an interrupted one.
    pub resumed: bool,
}

/// The name of the single variable of an intermediate store.
const INTERMEDIATE_VAR: &str = "tessera_intermediate";

/// Converts `args.input` into the Zarr store `args.output`.
pub fn convert(args: &ConvertArgs) -> Result<ConvertReport> {
    let ds = select(crate::io::open_dataset(&args.input)?, &args.variables)?;
    let dims: Vec<String> = ds.dims().into_iter().map(|(d, _)| d).collect();
    for (d, _) in &args.chunks.0 {
        if !dims.contains(d) {
            return Err(Error::UnknownDimension {
                dim: d.clone(),
                dims: dims.clone(),
            });
        }
    }
    let budget = args.memory_limit;
    let max_block = budget / 4;
    let mut compute = Compute::new().memory_limit((budget / 4) as usize);
    if let Some(t) = args.threads {
        compute = compute.threads(t);
    }
    precheck(&ds, &args.chunks.0, max_block)?;
    let store = open_store(&args.output, true)?;
    let mut header = json!({
        "input": args.input,
        "chunks": args.chunks.0,
        "variables": args.variables,
        "compressor": format!("{:?}", args.compressor),
        "zarr_version": args.zarr_version,
        "append_dim": args.append_dim,
    });
    let mut opts = WriteOptions {
        chunks: args.chunks.0.clone(),
        compressor: args.compressor,
        zarr_format: args.zarr_version,
        consolidated: true,
        compute: compute.clone(),
        ..WriteOptions::default()
    };
    let mut report = ConvertReport::default();
    let (prepared, mut state) = match State::load(&store)? {
        None => {
            if let Some(dim) = &args.append_dim {
                let existing = open_zarr_with(&args.output, &OpenOptions::raw())?;
                let offset = existing
                    .dims()
                    .into_iter()
                    .find(|(d, _)| d == dim)
                    .map(|(_, n)| n)
                    .ok_or_else(|| Error::UnknownDimension {
                        dim: dim.clone(),
                        dims: existing.dims().into_iter().map(|(d, _)| d).collect(),
                    })?;
                header["offset"] = json!(offset);
                opts.mode = WriteMode::Append;
                opts.append_dim = Some(dim.clone());
            } else if has_group(&store)? {
                return Err(store.error(
                    "",
                    "a Zarr group already exists here; remove it, or add to it with --append-dim",
                ));
            }
            let state = State::create(&store, header)?;
            fresh(&ds, &args.output, &opts, state)?
        }
        Some(state) => {
            report.resumed = true;
            let mut was = state.header().clone();
            let offset = was.as_object_mut().and_then(|m| m.remove("offset"));
            if was != header {
                return Err(options_differ(&args.output, state.header()));
            }
            if !state.ready {
                if args.append_dim.is_some() {
                    return Err(store.error(
                        "",
                        "an append was interrupted while its metadata was written; restore the store from a copy",
                    ));
                }
                // Nothing finished yet: write the metadata again (this erases the
                // store, state included), then start the state anew.
                opts.mode = WriteMode::Overwrite;
                let p = prepare(&ds, &args.output, &opts)?;
                finish_small(p, State::create(&store, header)?)?
            } else {
                let offset = offset.and_then(|o| o.as_u64()).map(|o| o as usize);
                opts.mode = WriteMode::Append;
                opts.region = full_regions(&ds, args.append_dim.as_deref(), offset);
                (prepare(&ds, &args.output, &opts)?, state)
            }
        }
    };
    let mut plans = vec![];
    for p in &prepared {
        let source: Vec<usize> = p
            .data
            .chunks()
            .chunks()
            .iter()
            .map(|c| c.first().copied().unwrap_or(1))
            .collect();
        let itemsize = p.data.dtype().size();
        plans.push(plan(
            &p.name,
            p.data.shape(),
            &source,
            &p.chunk,
            itemsize,
            max_block,
        )?);
    }
    let total: u64 = prepared
        .iter()
        .zip(&plans)
        .map(|(p, plan)| {
            let passes = if matches!(plan, Plan::TwoPass { .. }) {
                2
            } else {
                1
            };
            p.data.nbytes() as u64 * passes
        })
        .sum();
    let bar = progress_bar(total, args.quiet);
    // Appended data starts at the old length, which need not fall on a store chunk
    // boundary: then a block's pieces could share a store chunk, so each block is
    // written by one call (zarrs splits it) instead of in parallel pieces.
    let out_aligned = args.append_dim.is_none();
    for (p, plan) in prepared.iter().zip(plans) {
        report.arrays += 1;
        if p.data.shape().is_empty() {
            continue;
        }
        match plan {
            Plan::Direct { block } => {
                let tag = format!("{} 0", p.name);
                let to = Target {
                    sink: &p.sink,
                    chunk: &p.chunk,
                    aligned: out_aligned,
                };
                copy(
                    &p.data,
                    &block,
                    to,
                    &mut state,
                    &tag,
                    &compute,
                    &bar,
                    &mut report,
                )?;
            }
            Plan::TwoPass { read, int, write } => {
                report.two_pass.push(p.name.clone());
                let tmp = intermediate_url(&args.output, &p.name);
                let tag1 = format!("{} 1", p.name);
                let started = (0..blocks(p.data.shape(), &read).len())
                    .any(|k| state.is_done(&format!("{tag1} {k}")));
                let int_sink = intermediate(p, &int, &tmp, started, &compute)?;
                let to = Target {
                    sink: &int_sink,
                    chunk: &int,
                    aligned: true,
                };
                copy(
                    &p.data,
                    &read,
                    to,
                    &mut state,
                    &tag1,
                    &compute,
                    &bar,
                    &mut report,
                )?;
                drop(int_sink);
                let back = open_zarr_with(&tmp, &OpenOptions::raw())?;
                let data = back.get(INTERMEDIATE_VAR)?.data().clone();
                let tag2 = format!("{} 2", p.name);
                let to = Target {
                    sink: &p.sink,
                    chunk: &p.chunk,
                    aligned: out_aligned,
                };
                copy(
                    &data,
                    &write,
                    to,
                    &mut state,
                    &tag2,
                    &compute,
                    &bar,
                    &mut report,
                )?;
                drop(back);
                if let Some(dir) = local_dir(&tmp) {
                    let _ = std::fs::remove_dir_all(dir);
                }
            }
        }
    }
    bar_finish(bar);
    state.finish()?;
    consolidate_url(&args.output)?;
    if let Some(dir) = local_dir(&args.output) {
        let _ = std::fs::remove_dir(tmp_root(&dir));
    }
    Ok(report)
}

/// Refuses, before anything is written, chunks that cannot fit the budget (sized in the
/// decoded dtype, at least as wide as the stored one in xarray's encodings).
fn precheck(ds: &Dataset, chunks: &[(String, usize)], max_block: u64) -> Result<()> {
    let all = ds
        .coords()
        .iter()
        .map(|(n, c)| (n.clone(), c.var.clone()))
        .chain(ds.data_vars().map(|(n, v)| (n.clone(), v.clone())));
    for (name, var) in all {
        let source: Vec<usize> = var
            .data()
            .chunks()
            .chunks()
            .iter()
            .map(|c| c.first().copied().unwrap_or(1))
            .collect();
        let target: Vec<usize> = var
            .dims()
            .iter()
            .zip(&source)
            .map(|(d, &s)| chunks.iter().find(|(n, _)| n == d).map_or(s, |&(_, c)| c))
            .collect();
        plan(
            &name,
            var.shape(),
            &source,
            &target,
            var.dtype().size(),
            max_block,
        )?;
    }
    Ok(())
}

/// Metadata and 0-d arrays of a new output; then the state is marked ready.
fn fresh(
    ds: &Dataset,
    url: &str,
    opts: &WriteOptions,
    state: State,
) -> Result<(Vec<Prepared>, State)> {
    let prepared = prepare(ds, url, opts)?;
    finish_small(prepared, state)
}

fn finish_small(prepared: Vec<Prepared>, mut state: State) -> Result<(Vec<Prepared>, State)> {
    for p in &prepared {
        if p.data.shape().is_empty() {
            let values = p.data.compute()?;
            p.sink.write(&[], &values)?;
        }
    }
    state.mark_ready()?;
    Ok((prepared, state))
}

/// Regions covering every array whole (for an append, the appended part).
fn full_regions(
    ds: &Dataset,
    append_dim: Option<&str>,
    offset: Option<usize>,
) -> Vec<(String, std::ops::Range<usize>)> {
    match (append_dim, offset) {
        (Some(d), Some(o)) => {
            let n = ds
                .dims()
                .into_iter()
                .find(|(x, _)| x == d)
                .map_or(0, |(_, n)| n);
            vec![(d.to_string(), o..o + n)]
        }
        _ => ds.dims().into_iter().map(|(d, n)| (d, 0..n)).collect(),
    }
}

/// The dataset with only `names` as data variables (all when empty).
fn select(ds: Dataset, names: &[String]) -> Result<Dataset> {
    if names.is_empty() {
        return Ok(ds);
    }
    let all = ds.data_var_names();
    for n in names {
        if !all.contains(n) {
            return Err(Error::UnknownVariable {
                name: n.clone(),
                available: all.clone(),
            });
        }
    }
    let drop: Vec<&str> = all
        .iter()
        .filter(|n| !names.contains(n))
        .map(String::as_str)
        .collect();
    ds.drop_vars(&drop)
}

fn has_group(store: &Store) -> Result<bool> {
    for key in ["zarr.json", ".zgroup", ".zmetadata"] {
        let k = zarrs::storage::StoreKey::new(key).expect("a valid key");
        if store
            .storage
            .get(&k)
            .map_err(|e| store.caused(key, "", e))?
            .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Where intermediate stores go: beside a local output, else in the temp directory.
fn tmp_root(output: &std::path::Path) -> std::path::PathBuf {
    let mut name = output
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".tessera-tmp");
    output.with_file_name(name)
}

fn intermediate_url(output: &str, name: &str) -> String {
    let root = match local_dir(output) {
        Some(dir) => tmp_root(&dir),
        None => {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            output.hash(&mut h);
            std::env::temp_dir().join(format!("tessera-convert-{:016x}", h.finish()))
        }
    };
    root.join(format!("{name}.zarr")).display().to_string()
}

/// The intermediate store of one array (created, or reopened when pass 1 had started).
fn intermediate(
    p: &Prepared,
    int: &[usize],
    url: &str,
    started: bool,
    compute: &Compute,
) -> Result<Arc<dyn ChunkSink>> {
    let dims: Vec<String> = (0..int.len()).map(|a| format!("dim_{a}")).collect();
    let mut ds = Dataset::new();
    ds.insert(
        INTERMEDIATE_VAR,
        Variable::new(dims.clone(), p.data.clone())?,
    )?;
    let opts = WriteOptions {
        mode: if started {
            WriteMode::Append
        } else {
            WriteMode::Overwrite
        },
        region: if started {
            dims.iter()
                .zip(p.data.shape())
                .map(|(d, &n)| (d.clone(), 0..n))
                .collect()
        } else {
            vec![]
        },
        compressor: Compressor::Zstd(1),
        chunks: dims.iter().cloned().zip(int.iter().copied()).collect(),
        consolidated: false,
        compute: compute.clone(),
        ..WriteOptions::default()
    };
    let prepared = prepare(&ds, url, &opts)?;
    prepared
        .into_iter()
        .find(|q| q.name == INTERMEDIATE_VAR)
        .map(|q| q.sink)
        .ok_or_else(|| Error::internal("tessera convert", "no intermediate array"))
}

/// Where a copy writes: a sink, its store chunk shape, and whether blocks start on
/// store chunk boundaries (so that their chunks can be written in parallel).
struct Target<'a> {
    sink: &'a Arc<dyn ChunkSink>,
    chunk: &'a [usize],
    aligned: bool,
}

/// Copies `data` in blocks, each cut into whole store chunks written in parallel;
/// blocks the state lists as done are skipped.
#[allow(clippy::too_many_arguments)]
fn copy(
    data: &LazyArray,
    block: &[usize],
    to: Target<'_>,
    state: &mut State,
    tag: &str,
    compute: &Compute,
    bar: &Bar,
    report: &mut ConvertReport,
) -> Result<()> {
    let pool = compute.thread_pool()?;
    for (k, region) in blocks(data.shape(), block).into_iter().enumerate() {
        let id = format!("{tag} {k}");
        let nbytes =
            region.iter().map(|r| r.len() as u64).product::<u64>() * data.dtype().size() as u64;
        if state.is_done(&id) {
            report.blocks_skipped += 1;
            bar_inc(bar, nbytes);
            continue;
        }
        let part = data.slice_ranges(&region)?;
        let values: ArrayData = compute
            .run(&[&part])?
            .pop()
            .ok_or_else(|| Error::internal("tessera convert", "no block computed"))?;
        if to.aligned {
            let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
            let pieces = blocks(&shape, to.chunk);
            pool.install(|| {
                pieces.par_iter().try_for_each(|local| {
                    let global: Vec<_> = local
                        .iter()
                        .zip(&region)
                        .map(|(l, r)| l.start + r.start..l.end + r.start)
                        .collect();
                    to.sink.write(&global, &values.slice_region(local))
                })
            })?;
        } else {
            to.sink.write(&region, &values)?;
        }
        drop(values);
        state.mark_done(id)?;
        report.blocks_written += 1;
        bar_inc(bar, nbytes);
    }
    Ok(())
}

#[cfg(feature = "progress")]
type Bar = indicatif::ProgressBar;
#[cfg(not(feature = "progress"))]
type Bar = ();

#[cfg(feature = "progress")]
fn progress_bar(total: u64, quiet: bool) -> Bar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

#[cfg(not(feature = "progress"))]
fn progress_bar(_total: u64, _quiet: bool) -> Bar {}

#[cfg(feature = "progress")]
fn bar_inc(bar: &Bar, n: u64) {
    bar.inc(n);
}

#[cfg(not(feature = "progress"))]
fn bar_inc(_bar: &Bar, _n: u64) {}

#[cfg(feature = "progress")]
fn bar_finish(bar: Bar) {
    bar.finish_and_clear();
}

#[cfg(not(feature = "progress"))]
fn bar_finish(_bar: Bar) {}

impl ConvertReport {
    /// A one-line summary.
    pub fn summary(&self) -> String {
        format!(
            "{} arrays, {} blocks written{}{}",
            self.arrays,
            self.blocks_written,
            if self.resumed {
                format!(", {} finished before (resumed)", self.blocks_skipped)
            } else {
                String::new()
            },
            if self.two_pass.is_empty() {
                String::new()
            } else {
                format!(
                    ", through an intermediate store: {}",
                    self.two_pass.join(", ")
                )
            }
        )
    }
}
