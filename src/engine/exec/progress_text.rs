//! Progress as text lines, for when stderr is not a terminal (a Jupyter cell, a log
//! file, CI), where the indicatif bar draws nothing: one line per tenth of the work,
//! or per second on slow steps, and the last, so a cell shows a few lines, never a
//! flood, whatever the number of chunks.

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use super::progress::Progress;

/// At least this long between two lines within the same tenth of the work.
const EVERY: Duration = Duration::from_secs(1);

/// Throttles progress snapshots into lines written to `out`.
pub(crate) struct TextProgress<W: Write + Send> {
    out: Mutex<(W, State)>,
}

#[derive(Default)]
struct State {
    /// Tenths of the work reported so far (0..=10) and the time of the last line.
    tenth: Option<usize>,
    last: Option<Duration>,
}

/// `1.5 s`, `2 min 05 s`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:02} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

/// One line: `tessera: 40% 40/100 chunks, 12.0/30.0 MiB, 1.2 s, ETA 1.8 s`.
pub(crate) fn line(p: &Progress) -> String {
    let pct = (p.chunks_done * 100)
        .checked_div(p.chunks_total)
        .unwrap_or(100);
    let eta = p
        .eta()
        .map(|e| format!(", ETA {}", seconds(e)))
        .unwrap_or_default();
    format!(
        "tessera: {pct:>3}% {}/{} chunks, {:.1}/{:.1} MiB, {}{eta}",
        p.chunks_done,
        p.chunks_total,
        p.bytes_done as f64 / 1048576.0,
        p.bytes_total as f64 / 1048576.0,
        seconds(p.elapsed)
    )
}

/// `tessera: read 12.0 MiB from stores holding 12.0 MiB in the chunks needed (1.00×)`.
pub(crate) fn reads_line(read: u64, stored: u64) -> String {
    format!(
        "tessera: read {:.1} MiB from stores holding {:.1} MiB in the chunks needed ({:.2}×)",
        read as f64 / 1048576.0,
        stored as f64 / 1048576.0,
        read as f64 / stored.max(1) as f64
    )
}

impl<W: Write + Send> TextProgress<W> {
    pub(crate) fn new(out: W) -> Self {
        TextProgress {
            out: Mutex::new((out, State::default())),
        }
    }

    /// Writes a line for `p` if it begins a new tenth of the work, a second has passed
    /// since the last line, or `last` (the end of a pass) is set.
    pub(crate) fn update(&self, p: &Progress, last: bool) {
        let mut guard = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let (out, state) = &mut *guard;
        let tenth = (p.chunks_done * 10)
            .checked_div(p.chunks_total)
            .unwrap_or(10);
        let new_tenth = state.tenth.is_none_or(|t| tenth > t);
        let slow = state.last.is_none_or(|t| p.elapsed >= t + EVERY);
        let done_already = state.tenth == Some(10) && tenth == 10;
        if done_already || !(new_tenth || slow || last) {
            return;
        }
        state.tenth = Some(tenth);
        state.last = Some(p.elapsed);
        // Progress is a courtesy: a closed stderr must not fail the computation.
        let _ = writeln!(out, "{}", line(p));
        let _ = out.flush();
    }

    /// Forgets the last pass (a computation runs staged passes one after another).
    pub(crate) fn restart(&self) {
        let mut guard = self.out.lock().unwrap_or_else(|e| e.into_inner());
        guard.1 = State::default();
    }

    #[cfg(test)]
    fn into_inner(self) -> W {
        self.out.into_inner().unwrap_or_else(|e| e.into_inner()).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(done: usize, total: usize, ms: u64) -> Progress {
        Progress {
            chunks_done: done,
            chunks_total: total,
            bytes_done: done << 20,
            bytes_total: total << 20,
            elapsed: Duration::from_millis(ms),
        }
    }

    #[test]
    fn ten_thousand_fast_chunks_give_eleven_lines() {
        let t = TextProgress::new(Vec::new());
        for i in 0..=10_000 {
            t.update(&at(i, 10_000, i as u64 / 10), false);
        }
        t.update(&at(10_000, 10_000, 1000), true);
        let text = String::from_utf8(t.into_inner()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 11, "{text}");
        assert_eq!(
            lines[0],
            "tessera:   0% 0/10000 chunks, 0.0/10000.0 MiB, 0.0 s"
        );
        assert!(
            lines[10].starts_with("tessera: 100% 10000/10000 chunks"),
            "{text}"
        );
    }

    #[test]
    fn a_slow_tenth_reports_once_a_second() {
        let t = TextProgress::new(Vec::new());
        // 4 chunks in 100 over 10 s: a line at start, then one per second.
        for ms in (0..=10_000).step_by(50) {
            t.update(&at((ms / 2500) as usize, 100, ms), false);
        }
        let text = String::from_utf8(t.into_inner()).unwrap();
        assert_eq!(text.lines().count(), 11, "{text}");
        assert!(
            text.contains("4/100 chunks, 4.0/100.0 MiB, 10.0 s, ETA 4 min 00 s"),
            "{text}"
        );
    }

    #[test]
    fn the_end_of_a_pass_is_reported_once_and_a_restart_reports_again() {
        let t = TextProgress::new(Vec::new());
        t.update(&at(5, 5, 10), true);
        t.update(&at(5, 5, 20), true);
        t.restart();
        t.update(&at(0, 3, 0), true);
        assert_eq!(
            String::from_utf8(t.into_inner()).unwrap().lines().count(),
            2
        );
        assert_eq!(
            line(&at(0, 0, 0)),
            "tessera: 100% 0/0 chunks, 0.0/0.0 MiB, 0.0 s"
        );
    }
}
