//! Progress where stderr is not a terminal (a notebook cell, a log): a computation of
//! thousands of chunks run with `progress(true)` in a child process whose stderr is a
//! pipe writes a few throttled lines, never one per chunk.

use ndarray::{Array, IxDyn};
use tessera::engine::{Compute, LazyArray};

const CHILD: &str = "TESSERA_TEST_PROGRESS_CHILD";

/// In the child: 4,000 chunks summed with the progress bar on.
fn child() {
    let a = LazyArray::from_ndarray(
        Array::from_shape_fn(IxDyn(&[4000, 500]), |i| i[1] as f64),
        &[1, 500],
    )
    .unwrap()
    .map_elements("slow", |x: f64| {
        (0..200).fold(x, |acc, k| acc + (k as f64).sqrt() * 1e-9)
    })
    .unwrap();
    let total = a.sum(&[0, 1]).unwrap();
    let out = Compute::new()
        .threads(2)
        .progress(true)
        .run(&[&total])
        .unwrap();
    println!("sum {}", out[0].to_f64_vec()[0]);
}

#[test]
fn progress_into_a_pipe_is_a_few_lines() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "progress_text::progress_into_a_pipe_is_a_few_lines",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("tessera: ")).collect();
    // A line per tenth (11) and one per second of a slow run; never one per chunk.
    assert!(
        (2..=40).contains(&lines.len()),
        "{} lines:\n{err}",
        lines.len()
    );
    assert!(lines[0].starts_with("tessera:   0% 0/"), "{err}");
    assert!(lines.last().unwrap().starts_with("tessera: 100% "), "{err}");
    assert!(!err.contains('\r'), "terminal redraws in a pipe:\n{err}");
}
