//! A [`LiveRun`] as the page shows it: one JSON object with the numbers, the texts
//! under each bar, and the task stream drawn as SVG by the same code as the HTML
//! profile ([`Profile::task_stream_svg`]), so the page only places what it is given.

use serde_json::{Value, json};

use super::live::{LiveRun, LiveState, Status};
use crate::engine::Profile;
use crate::engine::exec::progress_text;

/// `1.5 MiB`.
fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / 1048576.0)
}

/// The state of `run` as the page's JSON.
pub(crate) fn state_json(run: &LiveRun) -> Value {
    let st = run.state();
    let p = st.last.progress;
    let in_use = st.last.memory_in_use;
    let status = match &st.status {
        Status::Running => "running".to_string(),
        Status::Finished => format!("finished in {:.2} s", st.elapsed),
        Status::Failed(message) => format!("failed: {message}"),
    };
    let progress_text = format!(
        "pass {}: {}",
        st.last.passes.max(1),
        progress_text::line(&p)
            .trim_start_matches("tessera:")
            .trim()
    );
    let memory_text = format!(
        "{} in use of a {} budget (peak {})",
        mib(in_use as f64),
        mib(run.limit as f64),
        mib(st.peak as f64)
    );
    let (read, stored) = (st.last.store_bytes_read, st.last.store_bytes_stored);
    let reads_text = if stored > 0 {
        progress_text::reads_line(read, stored)
            .trim_start_matches("tessera:")
            .trim()
            .to_string()
    } else {
        "no store read (in-memory or generated data)".to_string()
    };
    json!({
        "run": run.id,
        "status": status,
        "running": st.status == Status::Running,
        "elapsed_s": st.elapsed,
        "workers": run.workers,
        "progress": {
            "pass": st.last.passes,
            "chunks_done": p.chunks_done,
            "chunks_total": p.chunks_total,
            "bytes_done": p.bytes_done,
            "bytes_total": p.bytes_total,
            "fraction": fraction(p.chunks_done, p.chunks_total),
            "text": progress_text,
        },
        "memory": {
            "in_use": in_use,
            "peak": st.peak,
            "limit": run.limit,
            "fraction": fraction(in_use, run.limit),
            "text": memory_text,
        },
        "store": {
            "bytes_read": read,
            "bytes_stored": stored,
            "text": reads_text,
        },
        "tasks": {
            "done": st.tasks_done,
            "shown": st.tasks.len(),
            "text": tasks_text(&st),
            "svg": lanes_svg(run, &st),
        },
        "plan": run.plan(),
    })
}

/// `done / total` in 0..=1 (1 for an empty pass).
fn fraction(done: usize, total: usize) -> f64 {
    if total == 0 {
        1.0
    } else {
        (done as f64 / total as f64).clamp(0.0, 1.0)
    }
}

/// `240 tasks on 2 workers` or, once the oldest are dropped, `the last 1000 of …`.
fn tasks_text(st: &LiveState) -> String {
    if st.tasks.len() < st.tasks_done {
        format!(
            "the last {} of {} tasks, from {:.2} s",
            st.tasks.len(),
            st.tasks_done,
            st.tasks.front().map_or(0.0, |t| t.start)
        )
    } else {
        format!("{} tasks", st.tasks_done)
    }
}

/// The kept tasks and the memory curve since the first of them, drawn by the profile,
/// with times counted from that first task (from the start while nothing is dropped).
fn lanes_svg(run: &LiveRun, st: &LiveState) -> String {
    let from = if st.tasks.len() < st.tasks_done {
        st.tasks.front().map_or(0.0, |t| t.start)
    } else {
        0.0
    };
    let tasks = st
        .tasks
        .iter()
        .map(|t| crate::engine::TaskRecord {
            start: t.start - from,
            end: t.end - from,
            ..t.clone()
        })
        .collect();
    let mut memory: Vec<(f64, usize)> = st
        .memory
        .iter()
        .filter(|m| m.0 >= from)
        .map(|&(t, b)| (t - from, b))
        .collect();
    // The curve runs on to now, so the picture's time axis is the computation's.
    let last = memory.last().map_or(0, |m| m.1);
    memory.push(((st.elapsed - from).max(0.0), last));
    Profile::new(tasks, memory, run.limit, run.workers).task_stream_svg()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TaskRecord;
    use crate::engine::exec::progress::TaskFeed;

    fn feed(run: &std::sync::Arc<LiveRun>) -> TaskFeed {
        run.task_feed().0
    }

    #[test]
    fn the_dashboard_state_has_progress_memory_reads_lanes_and_plan() {
        let run = std::sync::Arc::new(LiveRun::new(3, 2, 1 << 20));
        run.set_plan("sum\n  source <x>".into());
        let f = feed(&run);
        for i in 0..4 {
            f(TaskRecord {
                worker: i % 2,
                start: i as f64 * 0.1,
                end: i as f64 * 0.1 + 0.05,
                bytes: 1024,
                label: format!("[{i}]"),
            });
        }
        let v = state_json(&run);
        assert_eq!(v["run"], 3);
        assert_eq!(v["status"], "running");
        assert_eq!(v["tasks"]["done"], 4);
        let svg = v["tasks"]["svg"].as_str().unwrap();
        assert_eq!(svg.matches(r#"class="task""#).count(), 4);
        assert_eq!(svg.matches(r#"class="lane""#).count(), 2);
        assert!(svg.contains("budget 1.0 MiB"), "{svg}");
        assert_eq!(v["plan"], "sum\n  source <x>");
        assert_eq!(v["memory"]["limit"], 1 << 20);
        assert_eq!(
            v["store"]["text"],
            "no store read (in-memory or generated data)"
        );
        assert_eq!(v["progress"]["fraction"], 1.0);
    }
}
