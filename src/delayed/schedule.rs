//! Running a graph of delayed tasks: every task not yet run that the roots need is
//! found once, counted by how many inputs it still waits for, and started on the
//! pool as soon as that count reaches zero. No planner, no per-task locks beyond the
//! task's own: the cost is a few hundred nanoseconds a task.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::node::Task;

/// The tasks still to run and who waits for whom.
struct Plan {
    tasks: Vec<Arc<dyn Task>>,
    dependents: Vec<Vec<usize>>,
    waiting: Vec<AtomicUsize>,
}

impl Plan {
    fn new(roots: &[Arc<dyn Task>]) -> Plan {
        let mut index: HashMap<usize, usize> = HashMap::new();
        let mut tasks: Vec<Arc<dyn Task>> = vec![];
        let mut inputs: Vec<Vec<Arc<dyn Task>>> = vec![];
        let mut stack: Vec<Arc<dyn Task>> = roots.to_vec();
        while let Some(t) = stack.pop() {
            if t.is_done() || index.contains_key(&t.id()) {
                continue;
            }
            index.insert(t.id(), tasks.len());
            let deps = t.deps();
            stack.extend(deps.iter().filter(|d| !d.is_done()).cloned());
            inputs.push(deps);
            tasks.push(t);
        }
        let mut dependents = vec![vec![]; tasks.len()];
        let mut waiting = vec![0usize; tasks.len()];
        for (i, deps) in inputs.iter().enumerate() {
            for d in deps {
                if let Some(&j) = index.get(&d.id()) {
                    dependents[j].push(i);
                    waiting[i] += 1;
                }
            }
        }
        Plan {
            tasks,
            dependents,
            waiting: waiting.into_iter().map(AtomicUsize::new).collect(),
        }
    }

    /// Runs task `i`, then whatever it made ready: one of those on this thread (so a
    /// chain runs as a loop), the others spawned.
    fn run_from<'s>(&'s self, mut i: usize, scope: &rayon::Scope<'s>) {
        loop {
            self.tasks[i].run();
            let mut next = None;
            for &j in &self.dependents[i] {
                if self.waiting[j].fetch_sub(1, Ordering::AcqRel) == 1
                    && let Some(other) = next.replace(j)
                {
                    scope.spawn(move |s| self.run_from(other, s));
                }
            }
            match next {
                Some(j) => i = j,
                None => return,
            }
        }
    }
}

/// Runs every task the roots need that has not run yet, on `pool`.
pub(crate) fn run(roots: &[Arc<dyn Task>], pool: &rayon::ThreadPool) {
    let plan = Plan::new(roots);
    let ready: Vec<usize> = (0..plan.tasks.len())
        .filter(|&i| plan.waiting[i].load(Ordering::Relaxed) == 0)
        .collect();
    let plan = &plan;
    pool.scope(|scope| {
        ready
            .par_iter()
            .with_min_len(64)
            .for_each(|&i| plan.run_from(i, scope));
    });
}
