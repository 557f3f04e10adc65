//! What a dashboard shows of one computation, kept up to date while it runs: each
//! finished task (from the executor's [`TaskFeed`]), and samples of its progress,
//! memory in use and store reads taken every [`SAMPLE_EVERY`] by a watcher thread.
//!
//! Memory stays bounded whatever the computation's size: the most recent
//! [`MAX_TASKS`] tasks are kept for the task stream, and the memory curve is thinned
//! to at most [`MAX_SAMPLES`] points over the whole run.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use crate::Result;
use crate::engine::exec::progress::TaskFeed;
use crate::engine::{Progress, TaskRecord};

/// Tasks kept for the task stream (the most recent ones).
pub(crate) const MAX_TASKS: usize = 1000;
/// Points kept for the memory curve; past this, every other one is dropped.
pub(crate) const MAX_SAMPLES: usize = 1000;
/// How often the watcher samples progress, memory and store reads.
pub(crate) const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// One look at a running computation, taken by the watcher.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LiveSample {
    /// The current pass.
    pub(crate) progress: Progress,
    /// Passes started so far.
    pub(crate) passes: usize,
    /// Bytes the memory budget accounts now.
    pub(crate) memory_in_use: usize,
    /// Bytes read from stores so far, decoded.
    pub(crate) store_bytes_read: u64,
    /// Bytes stored (decoded) in the store chunks read so far.
    pub(crate) store_bytes_stored: u64,
}

/// How the computation stands.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Status {
    Running,
    Finished,
    /// The error's message.
    Failed(String),
}

/// One computation as the dashboard shows it.
pub(crate) struct LiveRun {
    /// Numbers the computations a dashboard has shown, from 1.
    pub(crate) id: u64,
    /// Task and sample times count from here.
    clock: Instant,
    /// The optimized plan (`explain()` of each output), once optimized.
    plan: OnceLock<String>,
    pub(crate) workers: usize,
    /// The memory budget in bytes.
    pub(crate) limit: usize,
    state: Mutex<LiveState>,
}

/// The changing part of a [`LiveRun`].
#[derive(Debug)]
pub(crate) struct LiveState {
    /// The most recent tasks, oldest first.
    pub(crate) tasks: VecDeque<TaskRecord>,
    /// Tasks finished in the whole computation.
    pub(crate) tasks_done: usize,
    /// (seconds, bytes in use), thinned to at most [`MAX_SAMPLES`].
    pub(crate) memory: Vec<(f64, usize)>,
    /// The most bytes in use seen by a sample.
    pub(crate) peak: usize,
    pub(crate) last: LiveSample,
    pub(crate) status: Status,
    /// Seconds since the start: now while running, the end once finished.
    pub(crate) elapsed: f64,
}

impl LiveRun {
    pub(crate) fn new(id: u64, workers: usize, limit: usize) -> Self {
        LiveRun {
            id,
            clock: Instant::now(),
            plan: OnceLock::new(),
            workers,
            limit,
            state: Mutex::new(LiveState {
                tasks: VecDeque::new(),
                tasks_done: 0,
                memory: vec![(0.0, 0)],
                peak: 0,
                last: LiveSample::default(),
                status: Status::Running,
                elapsed: 0.0,
            }),
        }
    }

    /// Records the plan the computation runs (the first one given is kept).
    pub(crate) fn set_plan(&self, plan: String) {
        let _ = self.plan.set(plan);
    }

    /// The plan, or nothing before the optimizer has run.
    pub(crate) fn plan(&self) -> &str {
        self.plan.get().map_or("", String::as_str)
    }

    /// The state now; while running, `elapsed` is brought up to date.
    pub(crate) fn state(&self) -> MutexGuard<'_, LiveState> {
        let mut st = self.lock();
        if st.status == Status::Running {
            st.elapsed = self.clock.elapsed().as_secs_f64();
        }
        st
    }

    fn lock(&self) -> MutexGuard<'_, LiveState> {
        // The state is plain data: a panic while it was held left it readable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The feed the executor sends finished tasks to, and the clock they count from.
    pub(crate) fn task_feed(self: &Arc<Self>) -> (TaskFeed, Instant) {
        let run = self.clone();
        (Arc::new(move |t| run.task(t)), self.clock)
    }

    fn task(&self, t: TaskRecord) {
        let mut st = self.lock();
        st.tasks_done += 1;
        if st.tasks.len() == MAX_TASKS {
            st.tasks.pop_front();
        }
        st.tasks.push_back(t);
    }

    fn sample(&self, s: LiveSample) {
        let t = self.clock.elapsed().as_secs_f64();
        let mut st = self.lock();
        if st.memory.len() >= MAX_SAMPLES {
            // Halve the resolution of the whole curve rather than forget its start.
            let mut i = 0;
            st.memory.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
        st.memory.push((t, s.memory_in_use));
        st.peak = st.peak.max(s.memory_in_use);
        st.last = s;
    }

    /// Runs `work` while a watcher thread records `sample()` every [`SAMPLE_EVERY`];
    /// records the last sample and how the work ended.
    pub(crate) fn watch<T>(
        &self,
        sample: impl Fn() -> LiveSample + Sync,
        work: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let done = AtomicBool::new(false);
        let result = std::thread::scope(|s| {
            let watcher = s.spawn(|| {
                while !done.load(Ordering::Acquire) {
                    self.sample(sample());
                    std::thread::park_timeout(SAMPLE_EVERY);
                }
            });
            let result = work();
            done.store(true, Ordering::Release);
            watcher.thread().unpark();
            // The watcher only samples: it cannot panic but through `sample`, whose
            // panic the scope would carry on to this thread anyway.
            let _ = watcher.join();
            result
        });
        self.sample(sample());
        let mut st = self.lock();
        st.elapsed = self.clock.elapsed().as_secs_f64();
        st.status = match &result {
            Ok(_) => Status::Finished,
            Err(e) => Status::Failed(e.to_string()),
        };
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(worker: usize, start: f64) -> TaskRecord {
        TaskRecord {
            worker,
            start,
            end: start + 0.5,
            bytes: 8,
            label: "[0]".into(),
        }
    }

    #[test]
    fn a_dashboard_run_keeps_the_latest_tasks_and_a_thinned_memory_curve() {
        let run = Arc::new(LiveRun::new(1, 2, 100));
        let (feed, _) = run.task_feed();
        for i in 0..MAX_TASKS + 5 {
            feed(record(i % 2, i as f64));
        }
        for b in 0..3 * MAX_SAMPLES {
            run.sample(LiveSample {
                memory_in_use: b,
                ..Default::default()
            });
        }
        let st = run.state();
        assert_eq!(st.tasks_done, MAX_TASKS + 5);
        assert_eq!(st.tasks.len(), MAX_TASKS);
        assert_eq!(st.tasks.front().map(|t| t.start), Some(5.0));
        assert!(st.memory.len() <= MAX_SAMPLES, "{}", st.memory.len());
        // Thinning keeps the start and the latest sample.
        assert_eq!(st.memory.first(), Some(&(0.0, 0)));
        assert_eq!(st.memory.last().map(|m| m.1), Some(3 * MAX_SAMPLES - 1));
        assert_eq!(st.peak, 3 * MAX_SAMPLES - 1);
    }

    #[test]
    fn a_watched_dashboard_run_samples_while_working_and_records_the_outcome() {
        let run = LiveRun::new(1, 1, 100);
        let samples = std::sync::atomic::AtomicUsize::new(0);
        let take = || {
            samples.fetch_add(1, Ordering::Relaxed);
            LiveSample::default()
        };
        let out = run.watch(take, || {
            std::thread::sleep(SAMPLE_EVERY * 3);
            Ok(7)
        });
        assert_eq!(out.unwrap(), 7);
        // One at the start, about one per period, one at the end.
        assert!(samples.load(Ordering::Relaxed) >= 3);
        assert_eq!(run.state().status, Status::Finished);
        let failed: Result<()> = run.watch(LiveSample::default, || {
            Err(crate::Error::invalid("no luck"))
        });
        assert!(failed.is_err());
        assert_eq!(
            run.state().status,
            Status::Failed("invalid argument: no luck".into())
        );
    }
}
