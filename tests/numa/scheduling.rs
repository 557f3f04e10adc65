//! Under `mock:2`, every chunk task runs on a thread bound to its home node's CPUs;
//! balanced load needs no remote steal; an overloaded node has tasks stolen and the
//! result stays right.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tessera::engine::numa::{NumaMode, Topology, current_affinity, current_cpu};
use tessera::engine::{ArrayData, ChunkGrid, Compute, DType, LazyArray};

const TASKS: usize = 64;
const CHUNK: usize = 1000;

/// One task's record: chunk number, affinity mask, CPU it ran on.
type Seen = Arc<Mutex<Vec<(usize, Vec<usize>, Option<usize>)>>>;

fn node_sets() -> Vec<Vec<usize>> {
    Topology::detect()
        .mock(2)
        .nodes()
        .iter()
        .map(|n| n.cpus.clone())
        .collect()
}

/// The node whose set is the calling thread's mask (None when unbound or unknown).
fn my_node(sets: &[Vec<usize>]) -> Option<usize> {
    let mask = current_affinity();
    sets.iter().position(|s| *s == mask)
}

/// 64 chunks of CHUNK elements; chunk `i` holds the value `i`; `hook(i)` runs in the
/// task before the chunk is made.
fn source(seen: Seen, hook: impl Fn(usize) + Send + Sync + 'static) -> LazyArray {
    let grid = ChunkGrid::regular(&[TASKS * CHUNK], &[CHUNK]).unwrap();
    LazyArray::from_fn("recorded", DType::F64, grid, move |idx, region| {
        seen.lock()
            .unwrap()
            .push((idx[0], current_affinity(), current_cpu()));
        hook(idx[0]);
        let n = region[0].len();
        Ok(ArrayData::new(
            ndarray::Array1::from_elem(n, idx[0] as f64).into_dyn(),
        ))
    })
}

fn want_sum() -> f64 {
    (0..TASKS).map(|i| (i * CHUNK) as f64).sum()
}

#[test]
fn tasks_run_on_their_home_node_and_balanced_load_steals_nothing() {
    let sets = node_sets();
    let seen: Seen = Default::default();
    // Lockstep: a task waits (at most 5 s) until the other node has started as many
    // tasks as its own, so neither node can drain its queue early and steal, however
    // the machine schedules the two workers.
    let started: Arc<[AtomicUsize; 2]> = Arc::new(Default::default());
    let sets2 = sets.clone();
    let a = source(seen.clone(), move |_| {
        let Some(me) = my_node(&sets2) else { return };
        let mine = started[me].fetch_add(1, Ordering::SeqCst) + 1;
        let t0 = Instant::now();
        while started[1 - me].load(Ordering::SeqCst) < mine && t0.elapsed() < Duration::from_secs(5)
        {
            std::thread::sleep(Duration::from_micros(50));
        }
    });
    let c = Compute::new()
        .numa(NumaMode::Mock(2))
        .threads(2)
        .record_profile();
    let out = c.run(&[&a.sum(&[0]).unwrap()]).unwrap();
    assert_eq!(out[0].to_f64_vec(), vec![want_sum()]);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), TASKS);
    if current_affinity().is_empty() {
        eprintln!("skipped the mask checks: sched_getaffinity is not available here");
        return;
    }
    for (chunk, mask, cpu) in &seen {
        let home = chunk * 2 / TASKS;
        assert_eq!(
            mask, &sets[home],
            "chunk {chunk}: mask {mask:?}, home node {home}"
        );
        if let Some(cpu) = cpu {
            assert!(sets[home].contains(cpu), "chunk {chunk} ran on CPU {cpu}");
        }
    }
    let profile = c.last_profile().unwrap();
    assert_eq!(profile.remote_steals, 0);
    assert_eq!(profile.workers, 2);
}

#[test]
fn an_overloaded_node_has_whole_tasks_stolen() {
    let sets = node_sets();
    if sets[0] == sets[1] || current_affinity().is_empty() {
        eprintln!("skipped: one CPU or no affinity here, the mock nodes cannot be told apart");
        return;
    }
    let seen: Seen = Default::default();
    // Node 0's own tasks are slow: each waits (at most 5 s) until node 1 has taken
    // one of node 0's tasks.
    let stolen = Arc::new(AtomicBool::new(false));
    let sets2 = sets.clone();
    let a = source(seen.clone(), move |chunk| {
        let home = chunk * 2 / TASKS;
        match my_node(&sets2) {
            Some(1) if home == 0 => stolen.store(true, Ordering::SeqCst),
            Some(0) => {
                let t0 = Instant::now();
                while !stolen.load(Ordering::SeqCst) && t0.elapsed() < Duration::from_secs(5) {
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
            _ => {}
        }
    });
    let c = Compute::new()
        .numa(NumaMode::Mock(2))
        .threads(2)
        .record_profile();
    let out = c.run(&[&a.sum(&[0]).unwrap()]).unwrap();
    assert_eq!(out[0].to_f64_vec(), vec![want_sum()]);
    let profile = c.last_profile().unwrap();
    let seen = seen.lock().unwrap().clone();
    let away = seen
        .iter()
        .filter(|(chunk, mask, _)| *mask != sets[chunk * 2 / TASKS])
        .count();
    assert!(profile.remote_steals > 0, "no steals");
    assert_eq!(profile.remote_steals, away);
    // Every stolen task is whole: each chunk was made exactly once.
    let mut chunks: Vec<usize> = seen.iter().map(|s| s.0).collect();
    chunks.sort();
    assert_eq!(chunks, (0..TASKS).collect::<Vec<_>>());
    assert!(profile.to_html().contains("remote steals"));
}

#[test]
fn auto_on_one_node_is_the_plain_pool() {
    if !Topology::detect().is_single() {
        eprintln!("skipped: this machine has several NUMA nodes");
        return;
    }
    let seen: Seen = Default::default();
    let a = source(seen.clone(), |_| {});
    let c = Compute::new()
        .numa(NumaMode::Auto)
        .threads(2)
        .record_profile();
    let out = c.run(&[&a.sum(&[0]).unwrap()]).unwrap();
    assert_eq!(out[0].to_f64_vec(), vec![want_sum()]);
    // No pinning: every task's mask is the whole process mask.
    let all = current_affinity();
    assert!(seen.lock().unwrap().iter().all(|(_, m, _)| *m == all));
    assert_eq!(c.last_profile().unwrap().remote_steals, 0);
}
