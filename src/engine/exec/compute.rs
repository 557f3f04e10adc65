//! The front door of execution: [`Compute`] settings, and one run as optimize, stage
//! nested reductions, then one pass of block tasks.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use super::budget::Budget;
use super::default_budget::planned_limit;
use super::numa::NumaMode;
use super::numa::pools::{NodePools, plan as numa_plan};
use super::profile::{Profile, TaskRecord};
use super::progress::{Progress, ProgressCallback, ProgressSink};
use super::sink::{ChunkSink, ChunkedSink, MemorySink};
use super::store_reads::StoreReads;
use super::{explain, pass, stage};

use crate::display::dashboard::{self, LiveSample};
use crate::engine::chunk::ArrayData;
use crate::engine::graph::LazyArray;
use crate::engine::optimize::optimize;
use crate::{Error, Result};

/// How to run a computation: threads, memory budget, progress and profiling.
///
/// ```
/// use tessera::engine::{Compute, LazyArray};
/// let a = LazyArray::from_ndarray(ndarray::Array::from_elem(vec![100, 100], 1.0f32).into_dyn(), &[10, 100])?;
/// let total = a.sum(&[0, 1])?;
/// let out = Compute::new().threads(2).memory_limit(64 << 20).run(&[&total])?;
/// assert_eq!(out[0].to_f64_vec(), vec![10_000.0]);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Compute {
    threads: Option<usize>,
    memory_limit: Option<usize>,
    progress_bar: bool,
    callback: Option<ProgressCallback>,
    profile: Option<PathBuf>,
    no_optimize: bool,
    report: Option<Arc<Mutex<Option<Profile>>>>,
    numa: Option<NumaMode>,
    dashboard: Option<String>,
}

impl std::fmt::Debug for Compute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compute")
            .field("threads", &self.threads)
            .field("memory_limit", &self.memory_limit)
            .field("progress_bar", &self.progress_bar)
            .field("profile", &self.profile)
            .field("dashboard", &self.dashboard)
            .finish()
    }
}

fn pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(p) = pools.get(&threads) {
        return Ok(p.clone());
    }
    let p = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("tessera-{i}"))
            .build()
            .map_err(|e| Error::invalid(format!("cannot start {threads} threads: {e}")))?,
    );
    pools.insert(threads, p.clone());
    Ok(p)
}

impl Compute {
    /// Defaults: all cores (`RAYON_NUM_THREADS` respected), budget from
    /// `TESSERA_MEMORY_LIMIT` or else what the plan needs (its in-memory results, the
    /// reductions it stages and a few blocks per worker), within half of the memory
    /// this process can take (a Slurm/PBS cgroup limit included); no progress bar.
    /// NUMA mode from `TESSERA_NUMA` ([`NumaMode::Auto`] when unset: on a one-node
    /// machine, one unbound pool).
    pub fn new() -> Self {
        Self::default()
    }

    /// The worker pool these settings run on (shared by every computation with the
    /// same thread count, and by delayed tasks).
    pub(crate) fn thread_pool(&self) -> Result<Arc<rayon::ThreadPool>> {
        pool(self.threads.unwrap_or_else(rayon::current_num_threads))
    }

    /// Number of worker threads.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n.max(1));
        self
    }

    /// Memory budget in bytes for data in flight (chunks being processed and
    /// reduction state; not the final in-memory results).
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// Shows a terminal progress bar (with the `progress` feature).
    pub fn progress(mut self, on: bool) -> Self {
        self.progress_bar = on;
        self
    }

    /// Calls `f` with progress snapshots while computing.
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.callback = Some(Arc::new(f));
        self
    }

    /// Writes an HTML task-stream timeline with a memory curve to `path` after the run.
    pub fn profile(mut self, path: impl Into<PathBuf>) -> Self {
        self.profile = Some(path.into());
        self
    }

    /// Keeps the profile in memory, readable with [`Compute::last_profile`].
    pub fn record_profile(mut self) -> Self {
        self.report = Some(Arc::new(Mutex::new(None)));
        self
    }

    /// The profile of the last run when [`record_profile`](Self::record_profile) was set.
    pub fn last_profile(&self) -> Option<Profile> {
        self.report
            .as_ref()
            .and_then(|r| r.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }

    /// Serves the live dashboard at `addr` while this computes: a page with the task
    /// stream (a lane per worker), progress in chunks and bytes, bytes read from
    /// stores, memory in use against the budget and the plan, updated twice a second.
    ///
    /// `addr` is `127.0.0.1:8787`, or a port alone (`8787`) on 127.0.0.1; another
    /// interface (`0.0.0.0:8787`) only when written out. Without this, the environment
    /// variable `TESSERA_DASHBOARD` (same forms) turns the dashboard on for every
    /// computation. The server starts with the first computation that asks for it and
    /// stays for the life of the process, showing the latest computation given its
    /// address ([`Dashboard`](crate::display::Dashboard) starts one ahead, on a port
    /// the system chooses). Needs the `dashboard` feature (on by default); the run
    /// fails, naming `addr`, when the address cannot be read or bound.
    ///
    /// ```no_run
    /// use tessera::engine::{Compute, LazyArray};
    /// let a = LazyArray::from_ndarray(ndarray::Array::from_elem(vec![4000, 1000], 1.0f32).into_dyn(), &[10, 1000])?;
    /// // Open http://127.0.0.1:8787/ while this runs.
    /// let out = Compute::new().dashboard("127.0.0.1:8787").run(&[&a.mean(&[0])?])?;
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn dashboard(mut self, addr: impl Into<String>) -> Self {
        self.dashboard = Some(addr.into());
        self
    }

    /// How workers use NUMA nodes (default: `TESSERA_NUMA`, else
    /// [`NumaMode::Auto`], which on a one-node machine is the plain single pool).
    pub fn numa(mut self, mode: NumaMode) -> Self {
        self.numa = Some(mode);
        self
    }

    /// Skips the optimizer (for testing that optimized and plain plans agree).
    pub fn without_optimizer(mut self) -> Self {
        self.no_optimize = true;
        self
    }

    /// Computes the arrays in one pass, sharing their reads; returns them in order.
    /// Under MPI every rank receives the whole results.
    pub fn run(&self, outputs: &[&LazyArray]) -> Result<Vec<ArrayData>> {
        self.run_gathered(outputs, false)?.ok_or_else(|| {
            Error::internal("executor", "results gathered on every rank went missing")
        })
    }

    /// [`run`](Self::run), with the results sent to rank 0 only: `Some` there, `None` on
    /// the other ranks (which then hold no copy). Without MPI it is `run`'s result.
    ///
    /// ```
    /// use tessera::engine::{Compute, LazyArray};
    ///
    /// let v = ndarray::Array1::from_iter((0..100).map(f64::from)).into_dyn();
    /// let total = LazyArray::from_ndarray(v, &[10])?.sum(&[0])?;
    /// if let Some(out) = Compute::new().run_on_root(&[&total])? {
    ///     assert_eq!(out[0].to_f64_vec(), vec![4950.0]);
    /// }
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn run_on_root(&self, outputs: &[&LazyArray]) -> Result<Option<Vec<ArrayData>>> {
        self.run_gathered(outputs, true)
    }

    fn run_gathered(
        &self,
        outputs: &[&LazyArray],
        root_only: bool,
    ) -> Result<Option<Vec<ArrayData>>> {
        // Results that cannot fit in this machine's memory are refused before anything
        // is allocated for them: a huge lazy array (10^15 elements in a Zarr store)
        // computed whole would otherwise abort the process (issue 21).
        let wanted = outputs.iter().try_fold(0usize, |n, o| {
            let bytes = o
                .shape()
                .iter()
                .try_fold(o.dtype().size(), |b, &d| b.checked_mul(d))?;
            n.checked_add(bytes)
        });
        if let Some(memory) = super::system_memory::physical_memory()
            && wanted.is_none_or(|w| w > memory)
        {
            return Err(Error::invalid(format!(
                "the result ({}) is larger than this machine's memory ({memory} bytes): select a part of it, reduce it, or write it with to_zarr",
                wanted.map_or(
                    "more bytes than fit in memory addresses".into(),
                    |w| format!("{w} bytes")
                )
            )));
        }
        let (sinks, dyn_sinks) = memory_sinks(outputs.iter().copied());
        self.run_into(outputs, &dyn_sinks)?;
        drop(dyn_sinks);
        for s in &sinks {
            s.gather(root_only)?;
        }
        if root_only && !crate::distributed::is_root() {
            return Ok(None);
        }
        sinks
            .into_iter()
            .map(|s| match Arc::try_unwrap(s) {
                Ok(s) => Ok(s.into_data()),
                Err(_) => Err(Error::internal("executor", "a sink outlived its pass")),
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// Computes the arrays in one pass, writing each output's chunks to its sink.
    pub fn run_into(&self, outputs: &[&LazyArray], sinks: &[Arc<dyn ChunkSink>]) -> Result<()> {
        if outputs.len() != sinks.len() {
            return Err(Error::invalid(format!(
                "{} outputs but {} sinks",
                outputs.len(),
                sinks.len()
            )));
        }
        let (threads, nodes) = self.threads_and_nodes()?;
        let pool = pool(threads)?;
        let workers = nodes.as_ref().map_or(threads, |n| n.threads());
        let roots: Vec<LazyArray> = outputs.iter().map(|o| (*o).clone()).collect();
        let resident: usize = sinks.iter().map(|s| s.resident_bytes()).sum();
        let limit = self.limit(&roots, workers, resident)?;
        let record = self.profile.is_some() || self.report.is_some();
        let budget = Budget::new(limit, record);
        // In-memory results live through the whole pass: they take their share first.
        budget.hold(resident);
        let live = dashboard::begin_run(self.dashboard.as_deref(), workers, limit)?;
        let mut progress = ProgressSink::new(self.callback.clone(), self.progress_bar);
        if let Some(live) = &live {
            let (feed, clock) = live.task_feed();
            progress = progress.with_task_feed(feed, clock);
        }
        // Store reads are counted for the profile, the progress bar and the dashboard
        // only: the default path is untouched.
        let mut store_reads = StoreReads::default();
        let roots = if record || self.progress_bar || live.is_some() {
            store_reads.wrap(&roots)?
        } else {
            roots
        };
        let roots = self.planned(&roots)?;
        if let Some(live) = &live {
            live.set_plan(roots.iter().map(|r| r.explain()).collect());
        }
        let ctx = PassContext {
            budget: &budget,
            progress: &progress,
            pool: &pool,
            threads: workers,
            record,
            nodes: nodes.as_deref(),
            steals: Default::default(),
        };
        let passes = || -> Result<Vec<TaskRecord>> {
            let mut records = vec![];
            let roots = stage_nested(roots, &ctx, &mut records)?;
            let shared = stage::shared_nodes(&roots);
            let pass = pass::Pass::new(&roots, sinks, &budget, &progress, record, shared, workers);
            records.extend(pass.run(&pool, workers, ctx.nodes)?);
            ctx.steals.set(ctx.steals.get() + pass.remote_steals());
            Ok(records)
        };
        let records = match &live {
            None => passes()?,
            Some(live) => {
                let sample = || {
                    let reads = store_reads.reads();
                    LiveSample {
                        progress: progress.snapshot(),
                        passes: progress.passes(),
                        memory_in_use: budget.in_use(),
                        store_bytes_read: reads.iter().map(|r| r.bytes_read).sum(),
                        store_bytes_stored: reads.iter().map(|r| r.bytes_stored).sum(),
                    }
                };
                live.watch(sample, passes)?
            }
        };
        let reads = store_reads.reads();
        progress.store_reads(
            reads.iter().map(|r| r.bytes_read).sum(),
            reads.iter().map(|r| r.bytes_stored).sum(),
        );
        if record {
            let mut profile =
                Profile::new(records, budget.samples(), limit, workers).with_store_reads(reads);
            profile.remote_steals = ctx.steals.get();
            if let Some(path) = &self.profile {
                profile.write_html(path)?;
            }
            if let Some(r) = &self.report {
                *r.lock().unwrap_or_else(|e| e.into_inner()) = Some(profile);
            }
        }
        Ok(())
    }

    /// The threads asked for, and the NUMA node pools they run on (`None`: one pool).
    fn threads_and_nodes(&self) -> Result<(usize, Option<Arc<NodePools>>)> {
        let threads = self.threads.unwrap_or_else(rayon::current_num_threads);
        let numa = match self.numa {
            Some(m) => m,
            None => NumaMode::from_env()?,
        };
        Ok((threads, numa_plan(numa, threads)?))
    }

    /// The budget: the one set, else what the plan of `roots` needs on `workers` beside
    /// `resident` bytes of in-memory results.
    fn limit(&self, roots: &[LazyArray], workers: usize, resident: usize) -> Result<usize> {
        match self.memory_limit {
            Some(l) => Ok(l),
            None => planned_limit(roots, workers, resident),
        }
    }

    /// The graph the passes run: optimized (unless turned off), scans given their
    /// per-chunk totals.
    fn planned(&self, roots: &[LazyArray]) -> Result<Vec<LazyArray>> {
        let roots = if self.no_optimize {
            roots.to_vec()
        } else {
            optimize(roots)?
        };
        stage::attach_scan_totals(&roots)
    }

    /// The plan [`run`](Self::run) would follow for `outputs`, as text, without reading
    /// anything: the budget, the passes (the reductions staged for later passes, those
    /// computed block by block where they are used), the stores each pass reads, and
    /// why a store is read by more than one pass, or more than once within one (its
    /// outputs iterate several chunk grids; with the budget from which one block would
    /// read it for two of them).
    ///
    /// ```
    /// use tessera::engine::{Compute, LazyArray};
    ///
    /// let x = LazyArray::from_ndarray(ndarray::Array2::<f64>::zeros((40, 6)).into_dyn(), &[4, 6])?;
    /// let anomalies = x.sub(&x.mean(&[0])?)?;
    /// let plan = Compute::new().explain(&[&anomalies])?;
    /// assert!(plan.starts_with("2 passes"), "{plan}");
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn explain(&self, outputs: &[&LazyArray]) -> Result<String> {
        let roots: Vec<LazyArray> = outputs.iter().map(|o| (*o).clone()).collect();
        let (threads, nodes) = self.threads_and_nodes()?;
        let workers = nodes.as_ref().map_or(threads, |n| n.threads());
        // `run` keeps its outputs in memory sinks of their whole size.
        let resident = roots.iter().map(LazyArray::nbytes).sum();
        let limit = self.limit(&roots, workers, resident)?;
        Ok(explain::render(&self.planned(&roots)?, limit, workers))
    }

    /// Computes an array and keeps its chunks in memory behind the same lazy interface.
    pub fn persist(&self, a: &LazyArray) -> Result<LazyArray> {
        let data = self.run(&[a])?.pop().expect("one output for one input");
        LazyArray::from_data(data, a.chunks().clone())
    }
}

/// What the passes of one computation share.
struct PassContext<'a> {
    budget: &'a Budget,
    progress: &'a ProgressSink,
    pool: &'a rayon::ThreadPool,
    threads: usize,
    record: bool,
    /// The NUMA node pools, when the computation uses them.
    nodes: Option<&'a NodePools>,
    /// Remote steals over every pass so far.
    steals: std::cell::Cell<usize>,
}

/// Computes the reductions nested inside the roots first (recursively: theirs first)
/// and substitutes their in-memory results.
fn stage_nested(
    roots: Vec<LazyArray>,
    ctx: &PassContext<'_>,
    records: &mut Vec<TaskRecord>,
) -> Result<Vec<LazyArray>> {
    let nested = stage::plan_stage(&roots, ctx.budget.limit()).stage;
    if nested.is_empty() {
        return Ok(roots);
    }
    let staged = stage_nested(nested.clone(), ctx, records)?;
    // Chunk by chunk, as later passes read them: never assembled whole.
    let sinks: Vec<Arc<ChunkedSink>> = nested
        .iter()
        .map(|n| Arc::new(ChunkedSink::new(n.dtype(), n.chunks().clone())))
        .collect();
    let dyn_sinks: Vec<Arc<dyn ChunkSink>> = sinks
        .iter()
        .map(|s| s.clone() as Arc<dyn ChunkSink>)
        .collect();
    // Staged results stay in memory for the rest of the computation (they replace
    // their nodes in the graph): like the final in-memory outputs, they take their
    // share of the budget before any task runs.
    ctx.budget
        .hold(dyn_sinks.iter().map(|s| s.resident_bytes()).sum());
    let shared = stage::shared_nodes(&staged);
    let pass = pass::Pass::new(
        &staged,
        &dyn_sinks,
        ctx.budget,
        ctx.progress,
        ctx.record,
        shared,
        ctx.threads,
    );
    records.extend(pass.run(ctx.pool, ctx.threads, ctx.nodes)?);
    ctx.steals.set(ctx.steals.get() + pass.remote_steals());
    drop(pass);
    drop(dyn_sinks);
    // Every rank needs the whole staged result for the passes that use it.
    for s in &sinks {
        s.gather()?;
    }
    let mut done = HashMap::new();
    for (n, s) in nested.iter().zip(sinks) {
        let source = Arc::try_unwrap(s)
            .map_err(|_| Error::invalid("a staged sink is still referenced"))?
            .into_source()?;
        done.insert(n.id(), LazyArray::from_source(Arc::new(source)));
    }
    stage::substitute(&roots, &done)
}

impl LazyArray {
    /// Computes the array with default [`Compute`] settings.
    pub fn compute(&self) -> Result<ArrayData> {
        Ok(Compute::new()
            .run(&[self])?
            .pop()
            .expect("one output for one input"))
    }

    /// Computes the array and keeps it in memory, chunked as before.
    pub fn persist(&self) -> Result<LazyArray> {
        Compute::new().persist(self)
    }
}

/// One in-memory sink per array, and the same sinks as the executor takes them.
fn memory_sinks<'a>(
    arrays: impl Iterator<Item = &'a LazyArray>,
) -> (Vec<Arc<MemorySink>>, Vec<Arc<dyn ChunkSink>>) {
    let sinks: Vec<Arc<MemorySink>> = arrays
        .map(|a| Arc::new(MemorySink::new(a.dtype(), a.shape())))
        .collect();
    let dyn_sinks = sinks
        .iter()
        .map(|s| s.clone() as Arc<dyn ChunkSink>)
        .collect();
    (sinks, dyn_sinks)
}
