//! The memory budget: tasks reserve their estimated bytes before they start, and
//! wait while the budget is spent. A task always runs when nothing else is running,
//! so a single task larger than the budget cannot deadlock the computation.

use std::sync::{Condvar, Mutex};
use std::time::Instant;

use crate::{Error, Result};

#[derive(Default)]
struct State {
    used: usize,
    active: usize,
    peak: usize,
}

/// A byte budget shared by the workers of one computation.
pub(crate) struct Budget {
    limit: usize,
    state: Mutex<State>,
    cv: Condvar,
    samples: Option<Mutex<Vec<(f64, usize)>>>,
    start: Instant,
}

impl Budget {
    /// A budget of `limit` bytes; `record` keeps a (seconds, bytes) sample per change.
    pub(crate) fn new(limit: usize, record: bool) -> Self {
        Budget {
            limit,
            state: Mutex::new(State::default()),
            cv: Condvar::new(),
            samples: record.then(|| Mutex::new(vec![(0.0, 0)])),
            start: Instant::now(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A worker that panicked while holding the lock left consistent counters.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sample(&self, used: usize) {
        if let Some(s) = &self.samples {
            let t = self.start.elapsed().as_secs_f64();
            s.lock().unwrap_or_else(|e| e.into_inner()).push((t, used));
        }
    }

    /// Reserves `bytes` for a task, waiting while other tasks hold the budget, unless
    /// `give_up` says the task is no longer needed (its caller then releases at once).
    pub(crate) fn acquire(&self, bytes: usize, give_up: impl Fn() -> bool) {
        let mut st = self.lock();
        while st.used + bytes > self.limit && st.active > 0 && !give_up() {
            st = self.cv.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        st.used += bytes;
        st.active += 1;
        st.peak = st.peak.max(st.used);
        self.sample(st.used);
    }

    /// Returns a task's reservation.
    pub(crate) fn release(&self, bytes: usize) {
        let mut st = self.lock();
        st.used = st.used.saturating_sub(bytes);
        st.active = st.active.saturating_sub(1);
        self.sample(st.used);
        drop(st);
        self.cv.notify_all();
    }

    /// Accounts for long-lived state (reduction partials) without waiting.
    pub(crate) fn hold(&self, bytes: usize) {
        let mut st = self.lock();
        st.used += bytes;
        st.peak = st.peak.max(st.used);
        self.sample(st.used);
    }

    /// Returns bytes taken with [`hold`](Self::hold).
    pub(crate) fn unhold(&self, bytes: usize) {
        let mut st = self.lock();
        st.used = st.used.saturating_sub(bytes);
        self.sample(st.used);
        drop(st);
        self.cv.notify_all();
    }

    /// Wakes all waiters (after cancellation).
    pub(crate) fn wake_all(&self) {
        self.cv.notify_all();
    }

    /// The most bytes accounted at once.
    #[cfg(test)]
    pub(crate) fn peak(&self) -> usize {
        self.lock().peak
    }

    /// The bytes accounted now (the live dashboard's memory in use).
    pub(crate) fn in_use(&self) -> usize {
        self.lock().used
    }

    /// The configured limit.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// The recorded (seconds, bytes) samples.
    pub(crate) fn samples(&self) -> Vec<(f64, usize)> {
        self.samples
            .as_ref()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .unwrap_or_default()
    }
}

/// Parses a byte size such as `"512MiB"`, `"2GB"`, `"1.5 GiB"` or `"1000000"`.
pub fn parse_bytes(text: &str) -> Result<usize> {
    let t = text.trim();
    // The number ends at the first letter other than an exponent's `e`.
    let split = t
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let bad = || {
        Error::invalid(format!(
            "cannot read a byte size from {text:?} (as in 512MiB, 2GiB, 1e9; units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"
        ))
    };
    let value: f64 = num.trim().parse().map_err(|_| bad())?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0f64.powi(4),
        _ => return Err(bad()),
    };
    let bytes = value * mult;
    if !bytes.is_finite() || bytes < 0.0 {
        return Err(bad());
    }
    Ok(bytes as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn byte_sizes_parse() {
        assert_eq!(parse_bytes("512MiB").unwrap(), 512 << 20);
        assert_eq!(parse_bytes("2GB").unwrap(), 2_000_000_000);
        assert_eq!(parse_bytes("1.5 GiB").unwrap(), 3 << 29);
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("5 parsecs").is_err());
    }

    #[test]
    fn a_task_waits_for_budget_and_a_lone_task_always_runs() {
        let b = Arc::new(Budget::new(100, false));
        b.acquire(500, || false); // larger than the budget, but alone: runs
        assert_eq!(b.peak(), 500);
        let b2 = b.clone();
        let waiter = std::thread::spawn(move || {
            b2.acquire(60, || false);
            b2.release(60);
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!waiter.is_finished(), "second task must wait for the first");
        b.release(500);
        waiter.join().unwrap();
    }
}
