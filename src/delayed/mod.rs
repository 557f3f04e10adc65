//! Delayed tasks: closures with dependencies, run in parallel on the engine's pool
//! (dask's `delayed`).
//!
//! A [`Delayed`] is a lazy task. [`delayed`] wraps a closure; [`Delayed::then`] and
//! [`Delayed::zip_with`] build tasks on the results of others; [`Delayed::combine`]
//! gathers many into one. Nothing runs until [`Delayed::compute`] (or
//! [`compute_many`], [`Delayed::persist`]); then every task the result needs runs once,
//! as soon as its inputs are ready, on as many threads as the [`Compute`] settings give.
//! Tasks are not chunks of an array: they skip the array planner and cost about a
//! microsecond each, so a hundred thousand short simulations are one program, not a
//! hundred thousand batch jobs.
//!
//! A task that returns an error or panics fails, and so does every task that needs it
//! (naming the input that failed); other tasks still run and the pool carries on.
//! Results stay with their task while a [`Delayed`] handle to it (or to a task not yet
//! run that needs it) exists, so a computed task is not run again.
//!
//! ```
//! use tessera::delayed::{Delayed, delayed};
//!
//! // Ten toy simulations, then their mean: the simulations run in parallel.
//! let runs: Vec<Delayed<f64>> = (0..10)
//!     .map(|k| delayed(move || (0..20).fold(k as f64, |x, _| 0.5 * x + 1.0)))
//!     .collect();
//! let mean = Delayed::combine(&runs, |xs| xs.iter().copied().sum::<f64>() / xs.len() as f64);
//! let m = mean.compute()?;
//! assert!((m - 2.0).abs() < 1e-4);
//! # Ok::<(), tessera::Error>(())
//! ```

mod node;
mod schedule;
mod spread;

use std::sync::Arc;

use node::{Node, Task};
pub use spread::compute_spread;

use crate::{Compute, Result};

/// A lazy task producing a `T` (cheap to clone: clones share the task).
pub struct Delayed<T> {
    node: Arc<Node<T>>,
}

impl<T> Clone for Delayed<T> {
    fn clone(&self) -> Self {
        Delayed {
            node: self.node.clone(),
        }
    }
}

impl<T: Send + Sync + 'static> std::fmt::Debug for Delayed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Delayed({}, {})",
            self.node.name(),
            if self.node.is_done() {
                "done"
            } else {
                "pending"
            }
        )
    }
}

/// A task running `f` (dask's `delayed(f)()`).
pub fn delayed<T, F>(f: F) -> Delayed<T>
where
    T: Send + Sync + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    try_delayed(move || Ok(f()))
}

/// A task running `f`, which may fail: its error becomes the task's (and its
/// dependents') error.
pub fn try_delayed<T, F>(f: F) -> Delayed<T>
where
    T: Send + Sync + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    Delayed {
        node: Node::new(vec![], Box::new(f)),
    }
}

/// Runs the tasks (and everything they need) together and returns their results in
/// order; the first failure is the error.
pub fn compute_many<T>(tasks: &[Delayed<T>], compute: &Compute) -> Result<Vec<T>>
where
    T: Clone + Send + Sync + 'static,
{
    run(tasks, compute)?;
    tasks
        .iter()
        .map(|t| t.node.outcome().map(|v| (*v).clone()))
        .collect()
}

/// Runs every task `tasks` need on the pool `compute` describes.
fn run<T: Send + Sync + 'static>(tasks: &[Delayed<T>], compute: &Compute) -> Result<()> {
    let roots: Vec<Arc<dyn Task>> = tasks
        .iter()
        .map(|t| t.node.clone() as Arc<dyn Task>)
        .collect();
    schedule::run(&roots, &*compute.thread_pool()?);
    Ok(())
}

impl<T: Send + Sync + 'static> Delayed<T> {
    /// Names the task, for error messages (dask's `dask_key_name`).
    pub fn named(self, name: impl Into<String>) -> Self {
        self.node.set_name(name.into());
        self
    }

    /// A task applying `f` to this task's result.
    pub fn then<U, F>(&self, f: F) -> Delayed<U>
    where
        U: Send + Sync + 'static,
        F: FnOnce(&T) -> U + Send + 'static,
    {
        self.try_then(move |x| Ok(f(x)))
    }

    /// A task applying `f`, which may fail, to this task's result.
    pub fn try_then<U, F>(&self, f: F) -> Delayed<U>
    where
        U: Send + Sync + 'static,
        F: FnOnce(&T) -> Result<U> + Send + 'static,
    {
        let input = self.node.clone();
        Delayed {
            node: Node::new(
                vec![self.node.clone() as Arc<dyn Task>],
                Box::new(move || f(&*input.outcome()?)),
            ),
        }
    }

    /// A task applying `f` to this task's result and `other`'s.
    pub fn zip_with<U, V, F>(&self, other: &Delayed<U>, f: F) -> Delayed<V>
    where
        U: Send + Sync + 'static,
        V: Send + Sync + 'static,
        F: FnOnce(&T, &U) -> V + Send + 'static,
    {
        let (a, b) = (self.node.clone(), other.node.clone());
        Delayed {
            node: Node::new(
                vec![
                    self.node.clone() as Arc<dyn Task>,
                    other.node.clone() as Arc<dyn Task>,
                ],
                Box::new(move || Ok(f(&*a.outcome()?, &*b.outcome()?))),
            ),
        }
    }

    /// A task applying `f` to the results of all of `tasks`, in their order (a
    /// gather, or a reduction over many tasks).
    pub fn combine<U, F>(tasks: &[Delayed<T>], f: F) -> Delayed<U>
    where
        U: Send + Sync + 'static,
        F: FnOnce(&[&T]) -> U + Send + 'static,
    {
        let inputs: Vec<Arc<Node<T>>> = tasks.iter().map(|t| t.node.clone()).collect();
        let deps = tasks
            .iter()
            .map(|t| t.node.clone() as Arc<dyn Task>)
            .collect();
        Delayed {
            node: Node::new(
                deps,
                Box::new(move || {
                    let values = inputs
                        .iter()
                        .map(|n| n.outcome())
                        .collect::<Result<Vec<_>>>()?;
                    let refs: Vec<&T> = values.iter().map(|v| &**v).collect();
                    Ok(f(&refs))
                }),
            ),
        }
    }

    /// Runs the task (and what it needs) with default settings and returns its result.
    pub fn compute(&self) -> Result<T>
    where
        T: Clone,
    {
        self.compute_with(&Compute::default())
    }

    /// Runs the task with `compute`'s settings (its thread count) and returns its result.
    pub fn compute_with(&self, compute: &Compute) -> Result<T>
    where
        T: Clone,
    {
        Ok((*self.compute_shared(compute)?).clone())
    }

    /// Runs the task and returns its result shared, without cloning it.
    pub fn compute_shared(&self, compute: &Compute) -> Result<Arc<T>> {
        run(std::slice::from_ref(self), compute)?;
        self.node.outcome()
    }

    /// Runs the task and keeps its result in it, so later tasks built on it start
    /// from the result (dask's `persist`).
    pub fn persist(&self, compute: &Compute) -> Result<Self> {
        self.compute_shared(compute)?;
        Ok(self.clone())
    }

    /// Whether the task has run.
    pub fn is_done(&self) -> bool {
        self.node.is_done()
    }
}
