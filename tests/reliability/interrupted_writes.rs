//! SIGKILL a process writing a Zarr store with `to_zarr` at random moments (new store,
//! overwrite, append along time, region write): afterwards the store opens (once its
//! group exists), every chunk holds its old or its complete new content, and appending
//! again after an interrupted append gives the store an uninterrupted append gives.
//!
//! The writer is this test binary itself, run as a child with `TESSERA_RELIAB_WRITER` set
//! (`child_writer` does nothing without it).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ndarray::{Array, IxDyn};
use tessera::engine::LazyArray;
use tessera::io::{WriteMode, WriteOptions};
use tessera::labelled::{Dataset, Variable};

use crate::hostile_metadata::TempStore;

const NX: usize = 20_000;
const CX: usize = 5_000;
const CT: usize = 4;

/// `nt` steps from `t0` of generation `generation`: v[t, x] = generation * 1e6 + t * 1e3 + x / 1e4.
fn data(generation: u32, t0: usize, nt: usize) -> Dataset {
    let mut ds = Dataset::new();
    let time = Array::from_shape_fn(IxDyn(&[nt]), |i| (t0 + i[0]) as i64);
    let v = Array::from_shape_fn(IxDyn(&[nt, NX]), |i| {
        generation as f64 * 1e6 + (t0 + i[0]) as f64 * 1e3 + i[1] as f64 / 1e4
    });
    ds.insert_coord(
        "time",
        Variable::new(["time"], LazyArray::from_ndarray(time, &[CT]).unwrap()).unwrap(),
    )
    .unwrap();
    ds.insert(
        "v",
        Variable::new(
            ["time", "x"],
            LazyArray::from_ndarray(v, &[CT, CX]).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    ds
}

/// What each mode writes, run in the child or (uninterrupted) in the test.
fn write(mode: &str, path: &str) -> tessera::Result<()> {
    match mode {
        "new" => data(1, 0, 40).to_zarr(path, &WriteOptions::default()),
        "overwrite" => data(2, 0, 40).to_zarr(path, &WriteOptions::mode(WriteMode::Overwrite)),
        "append" => data(1, 40, 24).to_zarr(
            path,
            &WriteOptions {
                append_dim: Some("time".into()),
                ..WriteOptions::mode(WriteMode::Append)
            },
        ),
        "region" => data(3, 8, 24).drop_vars(&["time"])?.to_zarr(
            path,
            &WriteOptions {
                region: vec![("time".into(), 8..32)],
                ..WriteOptions::mode(WriteMode::Append)
            },
        ),
        other => panic!("unknown mode {other}"),
    }
}

#[test]
fn child_writer() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    let Ok(spec) = std::env::var("TESSERA_RELIAB_WRITER") else {
        return;
    };
    let (mode, path) = spec.split_once('=').unwrap();
    write(mode, path).unwrap();
}

/// Which generation each (time, x-chunk) chunk of `v` holds: `Some(g)` when all of it is
/// generation `g`'s values, `None` for fill values (NaN); panics on a mix.
fn generations(path: &str, label: &str) -> (usize, Vec<Option<u32>>) {
    let ds = tessera::open_zarr(path)
        .unwrap_or_else(|e| panic!("{label}: the store does not open: {e}"));
    let v = ds.get("v").unwrap();
    let nt = v.shape()[0];
    let values = v
        .compute()
        .unwrap_or_else(|e| panic!("{label}: reading fails: {e}"))
        .to_f64_vec();
    let time = ds.get("time").unwrap().compute().unwrap().to_f64_vec();
    let mut out = vec![];
    for ct in 0..nt.div_ceil(CT) {
        for cx in 0..NX / CX {
            let mut seen: Option<Option<u32>> = None;
            for t in ct * CT..((ct + 1) * CT).min(nt) {
                for x in cx * CX..(cx + 1) * CX {
                    let got = values[t * NX + x];
                    let g = if got.is_nan() {
                        None
                    } else {
                        let g = (got / 1e6).floor() as u32;
                        let want = g as f64 * 1e6 + t as f64 * 1e3 + x as f64 / 1e4;
                        assert_eq!(
                            got, want,
                            "{label}: v[{t}, {x}] = {got} is no generation's value"
                        );
                        Some(g)
                    };
                    match seen {
                        None => seen = Some(g),
                        Some(s) => assert_eq!(
                            s, g,
                            "{label}: chunk ({ct}, {cx}) mixes generations {s:?} and {g:?}"
                        ),
                    }
                }
            }
            out.push(seen.flatten());
        }
        let _ = time.len();
    }
    (nt, out)
}

/// A random delay in `0..max` from the clock (no rand dependency needed).
fn jitter(max: Duration, trial: u64) -> Duration {
    let nanos = Instant::now().elapsed().as_nanos() as u64 ^ std::process::id() as u64;
    let seed =
        (trial.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ nanos).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    max.mul_f64((seed >> 11) as f64 / (1u64 << 53) as f64)
}

/// Runs `mode` in a child against `path` and kills it after `delay`; whether it finished.
fn run_killed(mode: &str, path: &str, delay: Duration) -> bool {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "interrupted_writes::child_writer",
            "--test-threads=1",
        ])
        .env("TESSERA_RELIAB_WRITER", format!("{mode}={path}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut finished = child.try_wait().unwrap().is_some();
    while !finished && start.elapsed() < delay {
        std::thread::sleep(Duration::from_micros(200));
        finished = child.try_wait().unwrap().is_some();
    }
    if !finished {
        child.kill().unwrap(); // SIGKILL
    }
    let status = child.wait().unwrap();
    finished && status.success()
}

/// How long an uninterrupted child run of `mode` takes (process start included).
fn duration(mode: &str, path: &str) -> Duration {
    let start = Instant::now();
    assert!(
        run_killed(mode, path, Duration::from_secs(120)),
        "{mode}: the writer failed"
    );
    start.elapsed()
}

const TRIALS: u64 = 8;

#[test]
fn killed_writers_leave_old_or_complete_new_chunks() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    let base = TempStore::new("killed");
    let mut summary = vec![];
    for mode in ["new", "overwrite", "append", "region"] {
        let reference = base.0.join(format!("{mode}-reference.zarr"));
        let reference = reference.to_str().unwrap();
        if mode != "new" {
            write("new", reference).unwrap();
        }
        let full = duration(mode, reference);
        let (ref_nt, ref_gens) = generations(reference, &format!("{mode} reference"));
        // finished, killed and consistent, killed before the array metadata existed
        let mut outcomes = [0usize; 3];
        for trial in 0..TRIALS {
            let path = base.0.join(format!("{mode}-{trial}.zarr"));
            let path = path.to_str().unwrap();
            if mode != "new" {
                write("new", path).unwrap();
            }
            let delay = jitter(full.mul_f64(1.1), trial);
            let label = format!("{mode} trial {trial} (killed after {delay:?} of {full:?})");
            let finished = run_killed(mode, path, delay);
            let opened = tessera::open_zarr(path);
            let incomplete = match &opened {
                Err(e) => {
                    let text = e.to_string();
                    assert!(
                        text.contains("no Zarr group") || text.contains("no such directory"),
                        "{label}: {e}"
                    );
                    true
                }
                Ok(ds) => ds.get("v").is_err(),
            };
            if matches!(mode, "new" | "overwrite") && incomplete && !finished {
                // Killed before the group's or v's metadata was written (overwrite erases
                // the old store first): what is there opens or is no store, and writing
                // it again with Overwrite works (a new-store write may have left the
                // group, which WriteMode::Create rightly refuses to replace).
                outcomes[2] += 1;
                write("overwrite", path).unwrap();
                let (_, gens) = generations(path, &label);
                assert!(
                    gens.iter().all(Option::is_some),
                    "{label}: rewrite incomplete"
                );
                continue;
            }
            let (nt, gens) = generations(path, &label);
            if finished {
                outcomes[0] += 1;
            } else {
                outcomes[1] += 1;
            }
            match mode {
                "new" => assert!(
                    gens.iter().all(|g| matches!(g, None | Some(1))),
                    "{label}: {gens:?}"
                ),
                "overwrite" => assert!(
                    gens.iter().all(|g| matches!(g, None | Some(1) | Some(2))),
                    "{label}: {gens:?}"
                ),
                "append" => {
                    assert!(nt == 40 || nt == 64, "{label}: {nt} steps");
                    if nt == 40 {
                        // interrupted before the new shape was stored: append again
                        write("append", path).unwrap();
                    }
                    let (nt, gens) = generations(path, &label);
                    assert_eq!(
                        (nt, &gens),
                        (ref_nt, &ref_gens),
                        "{label}: append again differs"
                    );
                }
                "region" => {
                    assert_eq!(nt, 40);
                    for (i, g) in gens.iter().enumerate() {
                        let t = i / (NX / CX) * CT;
                        let ok = if (8..32).contains(&t) {
                            matches!(g, Some(1) | Some(3))
                        } else {
                            *g == Some(1)
                        };
                        assert!(ok, "{label}: chunk {i} holds {g:?}");
                    }
                }
                _ => unreachable!(),
            }
        }
        summary.push(format!(
            "{mode}: {TRIALS} trials, write takes {full:?}; {} finished before the kill, {} killed (old or new chunks checked), {} killed before v's metadata existed",
            outcomes[0], outcomes[1], outcomes[2]
        ));
    }
    for line in summary {
        eprintln!("{line}");
    }
}
