//! Progress of a computation: chunks and bytes done out of totals known before the
//! run starts, delivered to a callback and, with the `progress` feature, an
//! indicatif bar with an ETA; and, for the live dashboard, each finished task as it
//! ends (a [`TaskFeed`]).

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::profile::TaskRecord;
use super::progress_text::TextProgress;

/// A snapshot of a running computation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Chunk tasks finished.
    pub chunks_done: usize,
    /// Chunk tasks in the pass.
    pub chunks_total: usize,
    /// Estimated bytes processed so far.
    pub bytes_done: usize,
    /// Estimated bytes the pass processes.
    pub bytes_total: usize,
    /// Time since the pass started.
    pub elapsed: Duration,
}

impl Progress {
    /// Estimated time left, from the rate so far.
    pub fn eta(&self) -> Option<Duration> {
        if self.chunks_done == 0 {
            return None;
        }
        let rate = self.elapsed.as_secs_f64() / self.chunks_done as f64;
        Some(Duration::from_secs_f64(
            rate * (self.chunks_total - self.chunks_done) as f64,
        ))
    }
}

/// A user callback receiving progress snapshots.
pub type ProgressCallback = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Receives each finished task as it ends, its times in seconds since the feed's clock
/// (one clock for every pass of a computation, where the profile's times restart at each
/// pass): the live dashboard's task stream.
pub(crate) type TaskFeed = Arc<dyn Fn(TaskRecord) + Send + Sync>;

/// Collects progress from workers and forwards it, at most every 50 ms (and at the end).
pub(crate) struct ProgressSink {
    callback: Option<ProgressCallback>,
    #[cfg(feature = "progress")]
    bar: Option<indicatif::ProgressBar>,
    /// Throttled text lines instead of the bar where stderr is not a terminal (a notebook).
    text: Option<TextProgress<std::io::Stderr>>,
    done: AtomicUsize,
    bytes: AtomicUsize,
    totals: Mutex<(usize, usize, Option<Instant>)>,
    last: Mutex<Instant>,
    /// Passes started so far (staged reductions run passes before the last).
    passes: AtomicUsize,
    /// The live dashboard's feed and the instant its times count from.
    tasks: Option<(TaskFeed, Instant)>,
}

impl ProgressSink {
    /// A sink with an optional callback and, if `bar` (and the feature), a terminal bar.
    pub(crate) fn new(callback: Option<ProgressCallback>, bar: bool) -> Self {
        #[cfg(not(feature = "progress"))]
        let _ = bar;
        ProgressSink {
            callback,
            #[cfg(feature = "progress")]
            bar: bar.then(|| {
                let pb = indicatif::ProgressBar::new(0);
                let style = indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} chunks {msg} (ETA {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
                pb.set_style(style);
                pb
            }),
            text: (bar && !std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .then(|| TextProgress::new(std::io::stderr())),
            done: AtomicUsize::new(0),
            bytes: AtomicUsize::new(0),
            totals: Mutex::new((0, 0, None)),
            last: Mutex::new(Instant::now()),
            passes: AtomicUsize::new(0),
            tasks: None,
        }
    }

    /// Also sends each finished task to `feed`, timed from `clock`.
    pub(crate) fn with_task_feed(mut self, feed: TaskFeed, clock: Instant) -> Self {
        self.tasks = Some((feed, clock));
        self
    }

    /// Called by a worker right after a task of the pass that began at `pass_start`
    /// finished, having started `start` after it: forwards it to the task feed, if any
    /// (a branch and nothing else without one).
    pub(crate) fn task(
        &self,
        worker: usize,
        pass_start: Instant,
        start: Duration,
        bytes: usize,
        block: &[usize],
    ) {
        let Some((feed, clock)) = &self.tasks else {
            return;
        };
        // The pass's times count from its own start: the task ended just now on the
        // feed's clock, and lasted as long as the pass measured.
        let lasted = pass_start.elapsed().saturating_sub(start).as_secs_f64();
        let now = clock.elapsed().as_secs_f64();
        feed(TaskRecord {
            worker,
            start: (now - lasted).max(0.0),
            end: now,
            bytes,
            label: format!("{block:?}"),
        });
    }

    /// Passes started so far.
    pub(crate) fn passes(&self) -> usize {
        self.passes.load(Ordering::Relaxed)
    }

    /// Called when a pass begins.
    pub(crate) fn start(&self, chunks: usize, bytes: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.bytes.store(0, Ordering::Relaxed);
        self.passes.fetch_add(1, Ordering::Relaxed);
        *self.totals.lock().unwrap_or_else(|e| e.into_inner()) =
            (chunks, bytes, Some(Instant::now()));
        #[cfg(feature = "progress")]
        if let Some(b) = &self.bar {
            b.set_length(chunks as u64);
            b.set_position(0);
            b.reset_eta();
        }
        if let Some(t) = &self.text {
            t.restart();
        }
        self.emit(true);
    }

    /// Called by a worker after each task.
    pub(crate) fn advance(&self, chunks: usize, bytes: usize) {
        self.done.fetch_add(chunks, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.emit(false);
    }

    /// Called when a pass ends successfully.
    pub(crate) fn finish(&self) {
        self.emit(true);
        #[cfg(feature = "progress")]
        if let Some(b) = &self.bar {
            b.finish();
        }
    }

    /// Where a bar or progress lines are shown, says under them what the whole
    /// computation read from stores against what they hold in the chunks it needed.
    pub(crate) fn store_reads(&self, read: u64, stored: u64) {
        #[cfg(feature = "progress")]
        let shown = self.bar.is_some();
        #[cfg(not(feature = "progress"))]
        let shown = false;
        if (shown || self.text.is_some()) && stored > 0 {
            eprintln!("{}", super::progress_text::reads_line(read, stored));
        }
    }

    /// Called when a pass fails.
    pub(crate) fn abandon(&self) {
        #[cfg(feature = "progress")]
        if let Some(b) = &self.bar {
            b.abandon();
        }
    }

    /// Where the current pass stands.
    pub(crate) fn snapshot(&self) -> Progress {
        let (chunks_total, bytes_total, started) =
            *self.totals.lock().unwrap_or_else(|e| e.into_inner());
        Progress {
            chunks_done: self.done.load(Ordering::Relaxed),
            chunks_total,
            bytes_done: self.bytes.load(Ordering::Relaxed),
            bytes_total,
            elapsed: started.map(|s| s.elapsed()).unwrap_or_default(),
        }
    }

    fn emit(&self, force: bool) {
        #[cfg(feature = "progress")]
        let has_bar = self.bar.is_some();
        #[cfg(not(feature = "progress"))]
        let has_bar = false;
        let has_bar = has_bar || self.text.is_some();
        if self.callback.is_none() && !has_bar {
            return;
        }
        if !force {
            let Ok(mut last) = self.last.try_lock() else {
                return;
            };
            if last.elapsed() < Duration::from_millis(50) {
                return;
            }
            *last = Instant::now();
        }
        let p = self.snapshot();
        if let Some(cb) = &self.callback {
            cb(&p);
        }
        if let Some(t) = &self.text {
            t.update(&p, force);
        }
        #[cfg(feature = "progress")]
        if let Some(b) = &self.bar {
            b.set_position(p.chunks_done as u64);
            b.set_message(format!(
                "{:.1}/{:.1} MiB",
                p.bytes_done as f64 / 1048576.0,
                p.bytes_total as f64 / 1048576.0
            ));
        }
    }
}
