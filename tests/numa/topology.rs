//! Topology parsing against fixture sysfs trees (`data-fixtures/numa/`), and the
//! NUMA mode setting.

use std::path::PathBuf;

use tessera::engine::numa::{NumaMode, Topology};
use tessera::engine::{Compute, LazyArray};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data-fixtures/numa")
        .join(name)
}

fn sets(t: &Topology) -> Vec<(usize, Vec<usize>)> {
    t.nodes().iter().map(|n| (n.id, n.cpus.clone())).collect()
}

fn range(r: std::ops::RangeInclusive<usize>) -> Vec<usize> {
    r.collect()
}

#[test]
fn this_machine() {
    let t = Topology::from_sysfs(&fixture("this-machine"), &[0, 1]);
    assert_eq!(sets(&t), vec![(0, vec![0, 1])]);
    assert!(t.is_single());
    assert_eq!(t.nodes()[0].distances, vec![10]);
    // The real machine: at least one node, every CPU allowed to this thread.
    let real = Topology::detect();
    let allowed = tessera::engine::numa::current_affinity();
    if !allowed.is_empty() {
        assert_eq!(real.cpus(), allowed);
    }
}

#[test]
fn two_sockets() {
    let t = Topology::from_sysfs(&fixture("two-socket"), &[]);
    let mut n0 = range(0..=7);
    n0.extend(16..=23);
    let mut n1 = range(8..=15);
    n1.extend(24..=31);
    assert_eq!(sets(&t), vec![(0, n0), (1, n1)]);
    assert_eq!(t.nodes()[1].distances, vec![21, 10]);
    assert!(!t.is_single());
}

#[test]
fn two_epyc_in_nps4() {
    let t = Topology::from_sysfs(&fixture("epyc-2x-nps4"), &range(0..=255));
    assert_eq!(t.nodes().len(), 8);
    for (k, n) in t.nodes().iter().enumerate() {
        let mut want = range(16 * k..=16 * k + 15);
        want.extend(128 + 16 * k..=128 + 16 * k + 15);
        assert_eq!((n.id, &n.cpus), (k, &want));
        assert_eq!(n.distances[k], 10);
        assert_eq!(n.distances[k ^ 1], 12);
        assert_eq!(n.distances[(k + 4) % 8], 32);
    }
    assert_eq!(t.nodes()[7].cpus[0], 112);
    assert_eq!(*t.nodes()[7].cpus.last().unwrap(), 255);
}

#[test]
fn restricted_affinity_mask() {
    // A job given CPUs 12-19 and 140 (cgroup or taskset): nodes 0 and 1 partly, the
    // rest not at all.
    let mut allowed = range(12..=19);
    allowed.push(140);
    let t = Topology::from_sysfs(&fixture("epyc-2x-nps4"), &allowed);
    assert_eq!(
        sets(&t),
        vec![(0, vec![12, 13, 14, 15, 140]), (1, range(16..=19))]
    );
    // Inside one node only: a single node, so `auto` is the plain pool.
    let t = Topology::from_sysfs(&fixture("epyc-2x-nps4"), &[33, 34, 161]);
    assert_eq!(sets(&t), vec![(2, vec![33, 34, 161])]);
    assert!(t.is_single());
    // A CPU sysfs puts on no node: do not split.
    let t = Topology::from_sysfs(&fixture("two-socket"), &[0, 8, 99]);
    assert_eq!(sets(&t), vec![(0, vec![0, 8, 99])]);
}

#[test]
fn memory_only_nodes_are_left_out() {
    let t = Topology::from_sysfs(&fixture("memory-only-node"), &[]);
    assert_eq!(sets(&t), vec![(0, range(0..=3))]);
}

#[test]
fn malformed_or_missing_sysfs_is_one_node() {
    for name in [
        "malformed-cpulist",
        "malformed-distance",
        "missing-cpulist",
        "overlapping",
        "no-such-directory",
    ] {
        let t = Topology::from_sysfs(&fixture(name), &[0, 1, 2, 5]);
        assert_eq!(sets(&t), vec![(0, vec![0, 1, 2, 5])], "{name}");
    }
    // With no mask either, the one node has every CPU the system reports.
    let t = Topology::from_sysfs(&fixture("no-such-directory"), &[]);
    assert!(t.is_single() && !t.cpus().is_empty());
}

#[test]
fn modes_parse_with_typed_errors() {
    assert_eq!("off".parse::<NumaMode>().unwrap(), NumaMode::Off);
    assert_eq!("mock:3".parse::<NumaMode>().unwrap(), NumaMode::Mock(3));
    assert_eq!(NumaMode::default(), NumaMode::Auto);
    let e = "mock:zero".parse::<NumaMode>().unwrap_err();
    assert!(matches!(e, tessera::Error::InvalidArgument(_)), "{e:?}");
    assert!(e.to_string().contains("\"mock:zero\""), "{e}");
}

/// Run in a child process with `TESSERA_NUMA` set (see the test below); passes
/// trivially when the variable is not set.
#[test]
fn child_with_bad_numa_env() {
    let Ok(v) = std::env::var("TESSERA_NUMA") else {
        return;
    };
    let a = LazyArray::from_ndarray(ndarray::Array1::<f64>::ones(10).into_dyn(), &[5]).unwrap();
    let e = Compute::new().run(&[&a.sum(&[0]).unwrap()]).unwrap_err();
    assert!(matches!(e, tessera::Error::InvalidArgument(_)), "{e:?}");
    assert!(
        e.to_string().contains("TESSERA_NUMA") && e.to_string().contains(&v),
        "{e}"
    );
    // An explicit mode wins over the environment.
    let out = Compute::new()
        .numa(NumaMode::Off)
        .run(&[&a.sum(&[0]).unwrap()])
        .unwrap();
    assert_eq!(out[0].to_f64_vec(), vec![10.0]);
}

#[test]
fn a_bad_numa_env_is_a_typed_error() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "topology::child_with_bad_numa_env",
            "--nocapture",
        ])
        .env("TESSERA_NUMA", "sideways")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}
