//! One rayon pool per NUMA node, its threads bound to the node's CPU set (the set,
//! not single cores: pinning to cores hurts on shared machines), and the plan that
//! says whether a computation uses them at all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::affinity::bind_current_thread;
use super::mode::NumaMode;
use super::topology::Topology;
use crate::{Error, Result};

/// A node's pool and how many of the computation's workers run on it.
pub(crate) struct NodePool {
    pub(crate) pool: Arc<rayon::ThreadPool>,
    pub(crate) threads: usize,
}

/// The pools of every node, in node order.
pub(crate) struct NodePools {
    pub(crate) nodes: Vec<NodePool>,
    /// For each node, the other nodes to take tasks from when its own queue is empty,
    /// nearest first.
    pub(crate) steal_order: Vec<Vec<usize>>,
}

impl NodePools {
    /// Total workers over all nodes.
    pub(crate) fn threads(&self) -> usize {
        self.nodes.iter().map(|n| n.threads).sum()
    }

    /// Runs `work(worker, node)` once per worker, each on its node's pool, and returns
    /// when all have returned. Workers are numbered node by node.
    pub(crate) fn run_workers(&self, work: &(dyn Fn(usize, usize) + Sync)) {
        fn from(
            nodes: &[NodePool],
            node: usize,
            first: usize,
            work: &(dyn Fn(usize, usize) + Sync),
        ) {
            let Some(p) = nodes.get(node) else { return };
            p.pool.in_place_scope(|s| {
                for w in 0..p.threads {
                    s.spawn(move |_| work(first + w, node));
                }
                from(nodes, node + 1, first + p.threads, work);
            });
        }
        from(&self.nodes, 0, 0, work);
    }
}

/// The topology of this machine, read once.
fn detected() -> &'static Topology {
    static TOPOLOGY: OnceLock<Topology> = OnceLock::new();
    TOPOLOGY.get_or_init(Topology::detect)
}

/// The node pools a computation with `threads` workers runs on in `mode`, or `None`
/// for the plain single pool (`off`, or `auto` on a one-node machine).
pub(crate) fn plan(mode: NumaMode, threads: usize) -> Result<Option<Arc<NodePools>>> {
    let topology = match mode {
        NumaMode::Off => return Ok(None),
        NumaMode::Auto if detected().is_single() => return Ok(None),
        NumaMode::Auto => detected().clone(),
        NumaMode::Mock(n) => detected().mock(n),
    };
    node_pools(&topology, threads).map(Some)
}

/// Splits `threads` workers over nodes in proportion to their CPUs, at least one each.
pub(crate) fn split_threads(cpus_per_node: &[usize], threads: usize) -> Vec<usize> {
    let n = cpus_per_node.len();
    let total: usize = cpus_per_node.iter().sum::<usize>().max(1);
    let extra = threads.saturating_sub(n);
    let mut out: Vec<usize> = cpus_per_node
        .iter()
        .map(|c| 1 + extra * c / total)
        .collect();
    // Hand out what rounding down left, to the nodes with the most CPUs first.
    let mut left = threads.max(n) - out.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cpus_per_node[i]));
    for &i in order.iter().cycle().take(left.min(n * 2)) {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

/// For each node (by position), the other nodes by increasing distance, ties broken
/// by going round from the next node, so that idle nodes do not all pick the same one.
/// A node's `distance` line is indexed by node number; a missing entry counts as remote.
pub(crate) fn steal_order(topology: &Topology) -> Vec<Vec<usize>> {
    let nodes = topology.nodes();
    let n = nodes.len();
    (0..n)
        .map(|k| {
            let mut others: Vec<usize> = (1..n).map(|d| (k + d) % n).collect();
            others.sort_by_key(|&j| {
                let d = nodes[k]
                    .distances
                    .get(nodes[j].id)
                    .copied()
                    .unwrap_or(u32::MAX);
                (d, (j + n - k) % n)
            });
            others
        })
        .collect()
}

/// Pools for these nodes and thread count, started once and shared by every
/// computation that asks for the same.
fn node_pools(topology: &Topology, threads: usize) -> Result<Arc<NodePools>> {
    type Key = (Vec<Vec<usize>>, usize);
    static POOLS: OnceLock<Mutex<HashMap<Key, Arc<NodePools>>>> = OnceLock::new();
    let sets: Vec<Vec<usize>> = topology.nodes().iter().map(|n| n.cpus.clone()).collect();
    let key = (sets.clone(), threads);
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(p) = pools.get(&key) {
        return Ok(p.clone());
    }
    let counts = split_threads(&sets.iter().map(Vec::len).collect::<Vec<_>>(), threads);
    let mut nodes = vec![];
    for (k, (cpus, t)) in sets.into_iter().zip(counts).enumerate() {
        let bind = cpus;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .thread_name(move |i| format!("tessera-n{k}-{i}"))
            .start_handler(move |_| {
                // Unbound threads still compute correctly, only without locality.
                bind_current_thread(&bind);
            })
            .build()
            .map_err(|e| {
                Error::invalid(format!("cannot start {t} threads on NUMA node {k}: {e}"))
            })?;
        nodes.push(NodePool {
            pool: Arc::new(pool),
            threads: t,
        });
    }
    let p = Arc::new(NodePools {
        nodes,
        steal_order: steal_order(topology),
    });
    pools.insert(key, p.clone());
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_follow_cpus() {
        assert_eq!(split_threads(&[1, 1], 2), vec![1, 1]);
        assert_eq!(split_threads(&[1, 1], 1), vec![1, 1]);
        assert_eq!(split_threads(&[8, 8], 16), vec![8, 8]);
        assert_eq!(split_threads(&[4, 12], 8), vec![2, 6]);
        assert_eq!(split_threads(&[16; 8], 4), vec![1; 8]);
        let s = split_threads(&[3, 3, 2], 7);
        assert_eq!(s.iter().sum::<usize>(), 7);
    }

    #[test]
    fn steals_go_to_the_nearest_nodes_first() {
        let topo = Topology::from_sysfs(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("data-fixtures/numa/epyc-2x-nps4"),
            &[],
        );
        let order = steal_order(&topo);
        // Node 1: its socket's nodes (distance 12) before the other socket's (32).
        assert_eq!(order[1], vec![2, 3, 0, 4, 5, 6, 7]);
        assert_eq!(order[7], vec![4, 5, 6, 0, 1, 2, 3]);
        let mock = steal_order(&Topology::single(vec![0, 1, 2]).mock(3));
        assert_eq!(mock, vec![vec![1, 2], vec![2, 0], vec![0, 1]]);
    }

    #[test]
    fn mock_pools_bind_their_threads() {
        let topo = Topology::single(vec![0]).mock(2);
        let pools = node_pools(&topo, 2).unwrap();
        assert_eq!(pools.threads(), 2);
        let seen = Mutex::new(vec![]);
        pools.run_workers(&|w, node| {
            seen.lock()
                .unwrap()
                .push((w, node, super::super::affinity::current_affinity()));
        });
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen.len(), 2);
        for (w, node, mask) in seen {
            assert_eq!(w, node);
            if !mask.is_empty() {
                assert_eq!(mask, vec![0]);
            }
        }
    }
}
