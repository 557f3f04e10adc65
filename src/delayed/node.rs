//! One delayed task: its closure, the tasks it waits for, and its result once run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::engine::exec::eval::panic_error;
use crate::{Error, Result};

/// A task's work, run at most once.
type Job<T> = Box<dyn FnOnce() -> Result<T> + Send>;

/// What the scheduler needs of a task whatever its result type.
pub(crate) trait Task: Send + Sync {
    /// Identity (the node's address), to visit shared dependencies once.
    fn id(&self) -> usize;
    /// The tasks this one waits for; empty once it has run.
    fn deps(&self) -> Vec<Arc<dyn Task>>;
    /// Whether it has run (successfully or not).
    fn is_done(&self) -> bool;
    /// Why it failed, if it did.
    fn failure(&self) -> Option<String>;
    /// Its name, for error messages.
    fn name(&self) -> String;
    /// Runs it, once its dependencies are done: a failed dependency fails it
    /// without running its closure.
    fn run(&self);
}

pub(crate) struct Node<T> {
    name: OnceLock<String>,
    seq: usize,
    deps: Mutex<Vec<Arc<dyn Task>>>,
    job: Mutex<Option<Job<T>>>,
    result: OnceLock<std::result::Result<Arc<T>, Arc<Error>>>,
}

impl<T: Send + Sync + 'static> Node<T> {
    pub(crate) fn new(deps: Vec<Arc<dyn Task>>, job: Job<T>) -> Arc<Self> {
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        Arc::new(Node {
            name: OnceLock::new(),
            seq: SEQ.fetch_add(1, Ordering::Relaxed),
            deps: Mutex::new(deps),
            job: Mutex::new(Some(job)),
            result: OnceLock::new(),
        })
    }

    /// Names the task (the first name given wins).
    pub(crate) fn set_name(&self, name: String) {
        let _ = self.name.set(name);
    }

    /// The result of a task that has run: its value, or why it failed.
    pub(crate) fn outcome(&self) -> Result<Arc<T>> {
        match self.result.get() {
            Some(Ok(v)) => Ok(v.clone()),
            Some(Err(e)) => Err(Error::UserFunction {
                context: format!("delayed task {}", self.name()),
                message: e.to_string(),
            }),
            None => Err(Error::internal(
                "delayed tasks",
                format!("task {} was read before it ran", self.name()),
            )),
        }
    }

    fn lock_deps(&self) -> std::sync::MutexGuard<'_, Vec<Arc<dyn Task>>> {
        self.deps.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T: Send + Sync + 'static> Task for Node<T> {
    fn id(&self) -> usize {
        self as *const Self as *const () as usize
    }

    fn deps(&self) -> Vec<Arc<dyn Task>> {
        self.lock_deps().clone()
    }

    fn is_done(&self) -> bool {
        self.result.get().is_some()
    }

    fn failure(&self) -> Option<String> {
        match self.result.get() {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        }
    }

    fn name(&self) -> String {
        match self.name.get() {
            Some(n) => format!("{n:?}"),
            None => format!("#{}", self.seq),
        }
    }

    fn run(&self) {
        if self.is_done() {
            return;
        }
        let failed_dep = self
            .lock_deps()
            .iter()
            .find_map(|d| d.failure().map(|why| (d.name(), why)));
        let job = self.job.lock().unwrap_or_else(|e| e.into_inner()).take();
        let outcome = match (failed_dep, job) {
            (Some((dep, why)), _) => Err(Error::UserFunction {
                context: format!("delayed task {}", self.name()),
                message: format!("its input {dep} failed: {why}"),
            }),
            (None, Some(job)) => catch_unwind(AssertUnwindSafe(job)).unwrap_or_else(|payload| {
                Err(panic_error(
                    &format!("delayed task {}", self.name()),
                    payload,
                ))
            }),
            (None, None) => return,
        };
        let _ = self.result.set(outcome.map(Arc::new).map_err(Arc::new));
        // The inputs are no longer needed: letting go of them frees their results
        // when nothing else holds them, and a long chain of tasks never drops
        // recursively.
        self.lock_deps().clear();
    }
}
