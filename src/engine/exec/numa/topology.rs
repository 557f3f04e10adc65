//! The machine's NUMA nodes and the CPUs this process may use on each, read from
//! Linux sysfs (`/sys/devices/system/node/node*/{cpulist,distance}`) and intersected
//! with the thread's affinity mask.
//!
//! Anything unexpected in sysfs (a missing `cpulist`, a number that does not parse, a
//! CPU listed on two nodes, an allowed CPU on no node) gives one node holding every
//! allowed CPU: that is today's single pool, which is always correct, only not
//! NUMA-aware. Nodes without allowed CPUs (memory-only nodes, or nodes outside a
//! restricted mask) are left out.

use std::collections::BTreeSet;
use std::path::Path;

/// Largest CPU number accepted in a CPU list (larger ones mean malformed input).
const MAX_CPU: usize = 1 << 16;

/// One NUMA node: its sysfs number, the CPUs this process may use on it, and its
/// distances to the nodes the machine lists (sysfs order; 10 means local).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumaNode {
    /// The node's number in sysfs (`node3` is 3).
    pub id: usize,
    /// Allowed CPUs on this node, ascending.
    pub cpus: Vec<usize>,
    /// The node's `distance` line (empty when sysfs has none).
    pub distances: Vec<u32>,
}

/// The NUMA nodes this process can run on, at least one.
///
/// ```
/// use tessera::engine::numa::Topology;
/// let t = Topology::detect();
/// assert!(!t.nodes().is_empty());
/// assert!(t.nodes().iter().all(|n| !n.cpus.is_empty()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    nodes: Vec<NumaNode>,
}

impl Topology {
    /// This machine's nodes from `/sys/devices/system/node`, restricted to the CPUs
    /// the process may run on (its main thread's mask).
    pub fn detect() -> Topology {
        Topology::from_sysfs(
            Path::new("/sys/devices/system/node"),
            &super::affinity::process_affinity(),
        )
    }

    /// The nodes described by a sysfs `node` directory at `root` (holding `node0/`,
    /// `node1/`, … each with `cpulist` and `distance`), restricted to the CPUs in
    /// `allowed` (every listed CPU when `allowed` is empty). Missing or malformed
    /// files give one node with every allowed CPU.
    pub fn from_sysfs(root: &Path, allowed: &[usize]) -> Topology {
        match read_nodes(root) {
            Some(nodes) => Topology::restrict(nodes, allowed),
            None => Topology::single(fallback_cpus(allowed)),
        }
    }

    /// One node (number 0) with these CPUs.
    pub fn single(cpus: Vec<usize>) -> Topology {
        let mut cpus = cpus;
        cpus.sort_unstable();
        cpus.dedup();
        Topology {
            nodes: vec![NumaNode {
                id: 0,
                cpus,
                distances: vec![10],
            }],
        }
    }

    /// `n` fake nodes made by splitting the CPUs, in ascending order, into contiguous
    /// groups of nearly equal size (for testing the NUMA executor on any machine).
    /// With fewer CPUs than nodes, nodes share CPUs round-robin.
    pub fn mock(&self, n: usize) -> Topology {
        let n = n.max(1);
        let cpus = self.cpus();
        let nodes = (0..n)
            .map(|k| {
                let mut own: Vec<usize> =
                    cpus[k * cpus.len() / n..(k + 1) * cpus.len() / n].to_vec();
                if own.is_empty() && !cpus.is_empty() {
                    own.push(cpus[k % cpus.len()]);
                }
                NumaNode {
                    id: k,
                    cpus: own,
                    distances: (0..n).map(|j| if j == k { 10 } else { 20 }).collect(),
                }
            })
            .collect();
        Topology { nodes }
    }

    /// The nodes, by ascending number.
    pub fn nodes(&self) -> &[NumaNode] {
        &self.nodes
    }

    /// Every CPU of every node, ascending.
    pub fn cpus(&self) -> Vec<usize> {
        let set: BTreeSet<usize> = self
            .nodes
            .iter()
            .flat_map(|n| n.cpus.iter().copied())
            .collect();
        set.into_iter().collect()
    }

    /// Whether there is only one node (the executor then runs exactly as without NUMA).
    pub fn is_single(&self) -> bool {
        self.nodes.len() <= 1
    }

    fn restrict(nodes: Vec<NumaNode>, allowed: &[usize]) -> Topology {
        let listed: BTreeSet<usize> = nodes.iter().flat_map(|n| n.cpus.clone()).collect();
        let allowed: BTreeSet<usize> = if allowed.is_empty() {
            listed.clone()
        } else {
            allowed.iter().copied().collect()
        };
        if !allowed.is_subset(&listed) {
            // A CPU we may use that sysfs puts on no node: sysfs is not telling the
            // whole story, so do not split.
            return Topology::single(allowed.into_iter().collect());
        }
        let kept: Vec<NumaNode> = nodes
            .into_iter()
            .map(|mut n| {
                n.cpus.retain(|c| allowed.contains(c));
                n
            })
            .filter(|n| !n.cpus.is_empty())
            .collect();
        if kept.is_empty() {
            return Topology::single(allowed.into_iter().collect());
        }
        Topology { nodes: kept }
    }
}

/// The CPUs to use when sysfs says nothing useful.
fn fallback_cpus(allowed: &[usize]) -> Vec<usize> {
    if allowed.is_empty() {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        (0..n).collect()
    } else {
        allowed.to_vec()
    }
}

/// Every `node<N>` directory under `root`, or `None` when there is none or any is
/// malformed.
fn read_nodes(root: &Path) -> Option<Vec<NumaNode>> {
    let mut nodes = vec![];
    for entry in std::fs::read_dir(root).ok()? {
        let entry = entry.ok()?;
        let name = entry.file_name();
        let Some(id) = name
            .to_str()
            .and_then(|n| n.strip_prefix("node"))
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let id: usize = id.parse().ok()?;
        let dir = entry.path();
        let cpus = parse_cpulist(&std::fs::read_to_string(dir.join("cpulist")).ok()?)?;
        let distances = match std::fs::read_to_string(dir.join("distance")) {
            Ok(text) => parse_distances(&text)?,
            Err(_) => vec![],
        };
        nodes.push(NumaNode {
            id,
            cpus,
            distances,
        });
    }
    if nodes.is_empty() {
        return None;
    }
    nodes.sort_by_key(|n| n.id);
    // A CPU on two nodes is malformed.
    let mut seen = BTreeSet::new();
    if !nodes.iter().flat_map(|n| &n.cpus).all(|c| seen.insert(*c)) {
        return None;
    }
    Some(nodes)
}

/// Parses a kernel CPU list such as `0-15,128-143` (empty for a node without CPUs);
/// `None` if malformed.
pub fn parse_cpulist(text: &str) -> Option<Vec<usize>> {
    let text = text.trim();
    let mut cpus = BTreeSet::new();
    if text.is_empty() {
        return Some(vec![]);
    }
    for part in text.split(',') {
        let part = part.trim();
        let (lo, hi) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
            None => {
                let c: usize = part.parse().ok()?;
                (c, c)
            }
        };
        if lo > hi || hi > MAX_CPU {
            return None;
        }
        cpus.extend(lo..=hi);
    }
    Some(cpus.into_iter().collect())
}

/// Parses a node's `distance` line (`10 21`); `None` if malformed.
fn parse_distances(text: &str) -> Option<Vec<u32>> {
    text.split_whitespace().map(|d| d.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpulists() {
        assert_eq!(parse_cpulist("0-3,8\n"), Some(vec![0, 1, 2, 3, 8]));
        assert_eq!(parse_cpulist(""), Some(vec![]));
        assert_eq!(parse_cpulist("5"), Some(vec![5]));
        assert_eq!(parse_cpulist("3-1"), None);
        assert_eq!(parse_cpulist("0-x"), None);
        assert_eq!(parse_cpulist("0-99999999999"), None);
        assert_eq!(parse_cpulist("1,,2"), None);
    }

    #[test]
    fn mock_splits_and_shares() {
        let t = Topology::single(vec![0, 1, 2, 3, 4]);
        let m = t.mock(2);
        assert_eq!(m.nodes()[0].cpus, vec![0, 1]);
        assert_eq!(m.nodes()[1].cpus, vec![2, 3, 4]);
        let m = Topology::single(vec![6, 7]).mock(3);
        let sets: Vec<_> = m.nodes().iter().map(|n| n.cpus.clone()).collect();
        assert_eq!(sets, vec![vec![6], vec![6], vec![7]]);
    }
}
