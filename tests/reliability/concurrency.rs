//! 8 threads computing different expressions over one shared, store-backed `Dataset` at
//! once, then 200 successive computes in one process: no deadlock (a watchdog fails the
//! test instead of hanging), results identical to a single-threaded run, and the bytes
//! still allocated after the 200th compute within 10% of those after the 10th (the
//! counting allocator's live bytes; RSS is printed too).

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tessera::io::{WriteMode, WriteOptions};
use tessera::labelled::{Dataset, Dims};

use crate::faulty_store::dataset;
use crate::hostile_metadata::TempStore;
use crate::support::counting_alloc;

/// The expressions, each a different graph over the shared variables.
fn expression(ds: &Dataset, which: usize) -> tessera::Result<Vec<u64>> {
    let a = ds.get("a")?;
    let b = ds.get("b")?;
    let c = ds.get("c")?;
    let r = match which % 8 {
        0 => a.sum(Dims::All)?,
        1 => a.mean("x")?,
        2 => (&a * &b)?.sum("y")?,
        3 => b.max("y")?,
        4 => (&a - &c)?.std("x", 1)?,
        5 => c.min(Dims::All)?,
        6 => (&(&a + 1.0)? * 2.0)?.mean(Dims::All)?,
        _ => (&b / &c)?.sum("x")?,
    };
    Ok(r.compute()?
        .to_f64_vec()
        .into_iter()
        .map(f64::to_bits)
        .collect())
}

/// Equal values, or float values within 1e-12 relative: float reductions combine their
/// per-thread partial sums in the order the threads finish, so the last bits of a sum
/// may differ from run to run (in one thread as with eight).
fn same(a: &[u64], b: &[u64]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(&x, &y)| {
            let (x, y) = (f64::from_bits(x), f64::from_bits(y));
            x.to_bits() == y.to_bits() || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        })
}

/// Runs `f` on a thread and fails if it takes longer than `limit` (a deadlock).
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what} did not finish in {limit:?}: deadlock?")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked (see above)"),
    }
}

fn rss_kib() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4)
}

#[test]
fn eight_threads_and_two_hundred_computes_agree_and_do_not_leak() {
    let _serial = counting_alloc::serial();
    let dir = TempStore::new("concurrency");
    let url = dir.0.join("shared.zarr");
    let url = url.to_str().unwrap().to_string();
    dataset()
        .to_zarr(&url, &WriteOptions::mode(WriteMode::Overwrite))
        .unwrap();
    let ds = Arc::new(tessera::open_zarr(&url).unwrap());
    let reference: Vec<Vec<u64>> = (0..8).map(|i| expression(&ds, i).unwrap()).collect();

    // 8 threads at once, each its own expression 5 times, all started together
    let shared = ds.clone();
    let results = within(
        Duration::from_secs(300),
        "8 concurrent threads",
        move || {
            let barrier = Arc::new(std::sync::Barrier::new(8));
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let ds = shared.clone();
                    let barrier = barrier.clone();
                    std::thread::spawn(move || {
                        barrier.wait();
                        (0..5)
                            .map(|_| expression(&ds, i).unwrap())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        },
    );
    let mut identical = 0;
    for (i, runs) in results.iter().enumerate() {
        for r in runs {
            assert!(
                same(r, &reference[i]),
                "expression {i} differs when run concurrently"
            );
            identical += usize::from(*r == reference[i]);
        }
    }
    eprintln!("8 threads x 5 computes: all within 1e-12, {identical} of 40 bit-identical");

    // 200 successive computes; live bytes after the 10th and the 200th
    let shared = ds.clone();
    let (live, rss, elapsed) = within(Duration::from_secs(600), "200 computes", move || {
        let start = Instant::now();
        let mut live = (0, 0);
        let mut rss = (0, 0);
        for n in 1..=200 {
            let r = expression(&shared, n).unwrap();
            assert!(same(&r, &reference[n % 8]), "compute {n} differs");
            if n == 10 {
                live.0 = counting_alloc::current();
                rss.0 = rss_kib();
            }
            if n == 200 {
                live.1 = counting_alloc::current();
                rss.1 = rss_kib();
            }
        }
        (live, rss, start.elapsed())
    });
    eprintln!(
        "200 computes in {elapsed:?}: live heap {} B after the 10th, {} B after the 200th; RSS {} KiB -> {} KiB",
        live.0, live.1, rss.0, rss.1
    );
    assert!(
        live.1 as f64 <= live.0 as f64 * 1.10,
        "live heap grew from {} to {} bytes",
        live.0,
        live.1
    );
}
