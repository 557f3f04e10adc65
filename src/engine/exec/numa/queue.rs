//! Per-node task queues over the numbered block tasks of a pass.
//!
//! Every segment of the pass (a run of consecutive task numbers over one grid, in the
//! order that keeps an output chunk's blocks together) is cut into one contiguous
//! range per node: that node is the *home* of those tasks, so the chunks they read,
//! and the partials they feed, stay on one node. A worker takes its node's tasks in
//! order; only when its node's queue is empty does it take a whole task from another
//! node's queue (a *remote steal*, counted).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One node's tasks: ranges of task numbers, taken in order.
struct Queue {
    ranges: Vec<Range<usize>>,
    len: usize,
    next: AtomicUsize,
}

impl Queue {
    fn pop(&self) -> Option<usize> {
        if self.next.load(Ordering::Relaxed) >= self.len {
            return None;
        }
        let mut i = self.next.fetch_add(1, Ordering::Relaxed);
        if i >= self.len {
            return None;
        }
        for r in &self.ranges {
            if i < r.len() {
                return Some(r.start + i);
            }
            i -= r.len();
        }
        None
    }
}

/// The queues of one pass, one per node.
pub(crate) struct NodeQueues {
    queues: Vec<Queue>,
    /// Per node, the nodes it takes tasks from when its own queue is empty.
    steal_order: Vec<Vec<usize>>,
    steals: AtomicUsize,
}

impl NodeQueues {
    /// Queues over `segments` (ranges of task numbers), one per entry of `steal_order`
    /// (for each node, the other nodes in the order it takes their tasks).
    pub(crate) fn new(
        segments: impl IntoIterator<Item = Range<usize>>,
        steal_order: &[Vec<usize>],
    ) -> Self {
        let nodes = steal_order.len().max(1);
        let mut ranges = vec![vec![]; nodes];
        for s in segments {
            let n = s.len();
            for (k, r) in ranges.iter_mut().enumerate() {
                let part = s.start + k * n / nodes..s.start + (k + 1) * n / nodes;
                if !part.is_empty() {
                    r.push(part);
                }
            }
        }
        NodeQueues {
            queues: ranges
                .into_iter()
                .map(|ranges| Queue {
                    len: ranges.iter().map(|r| r.len()).sum(),
                    ranges,
                    next: AtomicUsize::new(0),
                })
                .collect(),
            steal_order: steal_order.to_vec(),
            steals: AtomicUsize::new(0),
        }
    }

    /// The next task for a worker on `node`: its own node's next, else a task taken
    /// from the first node in its steal order that has one; `None` when all are done.
    pub(crate) fn next(&self, node: usize) -> Option<usize> {
        let node = node % self.queues.len();
        if let Some(t) = self.queues[node].pop() {
            return Some(t);
        }
        let others = self.steal_order.get(node).map_or(&[][..], |o| &o[..]);
        for &k in others {
            if let Some(t) = self.queues.get(k).and_then(Queue::pop) {
                self.steals.fetch_add(1, Ordering::Relaxed);
                return Some(t);
            }
        }
        None
    }

    /// Tasks run away from their home node so far.
    pub(crate) fn steals(&self) -> usize {
        self.steals.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_homes_then_steals() {
        let q = NodeQueues::new([0..6, 6..9], &[vec![1], vec![0]]);
        let own: Vec<usize> = std::iter::from_fn(|| q.queues[0].pop()).collect();
        assert_eq!(own, vec![0, 1, 2, 6]);
        assert_eq!(q.steals(), 0);
        // Node 0 is empty: it takes node 1's tasks, each counted.
        let mut rest: Vec<usize> = std::iter::from_fn(|| q.next(0)).collect();
        rest.sort();
        assert_eq!(rest, vec![3, 4, 5, 7, 8]);
        assert_eq!(q.steals(), 5);
        assert_eq!(q.next(1), None);
    }

    #[test]
    fn steals_follow_the_order() {
        // Node 0 takes from node 2 before node 1.
        let q = NodeQueues::new(std::iter::once(0..3), &[vec![2, 1], vec![0, 2], vec![0, 1]]);
        assert_eq!(q.next(0), Some(0));
        assert_eq!(q.next(0), Some(2));
        assert_eq!(q.next(0), Some(1));
        assert_eq!(q.next(0), None);
        assert_eq!(q.steals(), 2);
    }

    #[test]
    fn every_task_once_under_contention() {
        let q = NodeQueues::new(
            [0..1000, 1000..1001, 1001..1400],
            &[vec![2, 1], vec![0, 2], vec![1, 0]],
        );
        let got = std::sync::Mutex::new(vec![]);
        std::thread::scope(|s| {
            for w in 0..6 {
                let (q, got) = (&q, &got);
                s.spawn(move || {
                    while let Some(t) = q.next(w % 3) {
                        got.lock().unwrap().push(t);
                    }
                });
            }
        });
        let mut got = got.into_inner().unwrap();
        got.sort();
        assert_eq!(got, (0..1400).collect::<Vec<_>>());
    }
}
