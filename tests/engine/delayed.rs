//! Delayed tasks: results, shared inputs run once, failures reaching dependents only,
//! results independent of the thread count, long chains, and random task graphs
//! against a sequential evaluation.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use tessera::delayed::{Delayed, compute_many, delayed, try_delayed};
use tessera::{Compute, Error};

#[test]
fn a_shared_input_runs_once_and_its_result_reaches_every_dependent() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let base = delayed(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        10.0f64
    });
    let left = base.then(|x| x + 1.0);
    let right = base.then(|x| x * 2.0);
    let total = left.zip_with(&right, |a, b| a + b);
    assert!(!total.is_done());
    assert_eq!(total.compute().unwrap(), 31.0);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // Computed tasks are not run again.
    let again = base.then(|x| x - 1.0);
    assert_eq!(again.compute().unwrap(), 9.0);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[test]
fn persist_keeps_the_result_for_later_tasks() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let x = delayed(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        vec![1u32, 2, 3]
    })
    .persist(&Compute::new().threads(2))
    .unwrap();
    assert!(x.is_done());
    let n = x.then(|v| v.len()).compute().unwrap();
    assert_eq!((n, runs.load(Ordering::SeqCst)), (3, 1));
}

#[test]
fn errors_and_panics_fail_their_dependents_only() {
    let bad = try_delayed(|| -> tessera::Result<f64> {
        Err(Error::InvalidArgument("negative depth".into()))
    })
    .named("bad-run");
    let boom = delayed(|| -> f64 { panic!("diverged at step 7") }).named("boom");
    let fine = delayed(|| 2.0f64);
    let after_bad = bad.then(|x| x + 1.0);
    let after_boom = boom.zip_with(&fine, |a, b| a + b);

    let err = after_bad.compute().unwrap_err().to_string();
    assert!(
        err.contains("\"bad-run\"") && err.contains("negative depth"),
        "{err}"
    );
    let err = after_boom.compute().unwrap_err().to_string();
    assert!(
        err.contains("\"boom\"") && err.contains("diverged at step 7"),
        "{err}"
    );
    // The pool carries on, and a task that does not need a failed one runs.
    assert_eq!(fine.then(|x| x * 3.0).compute().unwrap(), 6.0);
    let all = compute_many(&[fine.clone(), after_bad], &Compute::new()).unwrap_err();
    assert!(all.to_string().contains("negative depth"), "{all}");
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let make = || {
        let tasks: Vec<Delayed<f64>> = (0..2_000)
            .map(|k| {
                delayed(move || (1..=20).fold(k as f64, |x, i| (x * 1.0001 + i as f64).sqrt()))
            })
            .collect();
        Delayed::combine(&tasks, |xs| xs.iter().copied().sum::<f64>())
    };
    let one = make().compute_with(&Compute::new().threads(1)).unwrap();
    for threads in [2, 3, 8] {
        let many = make()
            .compute_with(&Compute::new().threads(threads))
            .unwrap();
        assert_eq!(one.to_bits(), many.to_bits(), "{threads} threads");
    }
}

#[test]
fn a_chain_of_100_000_tasks_runs_and_drops_without_deep_recursion() {
    let mut t = delayed(|| 0u64);
    for _ in 0..100_000 {
        t = t.then(|x| x + 1);
    }
    assert_eq!(t.compute_with(&Compute::new().threads(2)).unwrap(), 100_000);
    // An unrun chain is dropped by the same rule once it has run; a run chain holds
    // no links back, so dropping it is flat.
    drop(t);
}

/// A random DAG: task `i` adds its index to the sum of some earlier tasks.
fn random_dag() -> impl Strategy<Value = Vec<Vec<usize>>> {
    (1usize..60).prop_flat_map(|n| {
        (0..n)
            .map(|i| proptest::collection::vec(0..i.max(1), 0..if i == 0 { 1 } else { 4 }))
            .collect::<Vec<_>>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_task_graphs_equal_a_sequential_evaluation(deps in random_dag(), threads in 1usize..5) {
        // Sequential reference.
        let mut expect = vec![0u64; deps.len()];
        for (i, ds) in deps.iter().enumerate() {
            let ds: Vec<usize> = ds.iter().copied().filter(|&d| d < i).collect();
            expect[i] = i as u64 + ds.iter().map(|&d| expect[d]).sum::<u64>();
        }
        let mut tasks: Vec<Delayed<u64>> = vec![];
        for (i, ds) in deps.iter().enumerate() {
            let inputs: Vec<Delayed<u64>> =
                ds.iter().filter(|&&d| d < i).map(|&d| tasks[d].clone()).collect();
            let t = if inputs.is_empty() {
                delayed(move || i as u64)
            } else {
                Delayed::combine(&inputs, move |xs| i as u64 + xs.iter().copied().sum::<u64>())
            };
            tasks.push(t);
        }
        let got = compute_many(&tasks, &Compute::new().threads(threads)).unwrap();
        prop_assert_eq!(got, expect);
    }
}
