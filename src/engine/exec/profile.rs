//! Task profiles: one record per chunk task, rendered as a self-contained HTML page
//! with a task-stream timeline per worker and the memory budget curve, the role the
//! Dask dashboard plays, without a server.

use std::fmt::Write as _;
use std::path::Path;

use crate::{Error, Result};

/// One executed chunk task.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskRecord {
    /// Worker number.
    pub worker: usize,
    /// Start, seconds since the pass began.
    pub start: f64,
    /// End, seconds since the pass began.
    pub end: f64,
    /// Bytes the task was estimated to touch.
    pub bytes: usize,
    /// The block index.
    pub label: String,
}

/// The profile of one computation.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// Every task.
    pub tasks: Vec<TaskRecord>,
    /// (seconds, bytes accounted) samples of the memory budget.
    pub memory: Vec<(f64, usize)>,
    /// The memory budget in bytes.
    pub limit: usize,
    /// Number of workers.
    pub workers: usize,
    /// Chunk tasks that ran on another NUMA node than their home (0 without NUMA).
    pub remote_steals: usize,
    /// What the computation read from each store-backed array (files, object stores).
    pub store_reads: Vec<StoreRead>,
}

/// The reads of one store-backed array during a computation.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreRead {
    /// The array (its path or URL and variable).
    pub source: String,
    /// Bytes read, decoded.
    pub bytes_read: u64,
    /// Bytes stored (decoded) in the chunks that were read: reading each needed
    /// chunk once makes `bytes_read` equal to this.
    pub bytes_stored: u64,
}

impl Profile {
    /// Builds a profile.
    pub fn new(
        tasks: Vec<TaskRecord>,
        memory: Vec<(f64, usize)>,
        limit: usize,
        workers: usize,
    ) -> Self {
        Profile {
            tasks,
            memory,
            limit,
            workers,
            store_reads: vec![],
            remote_steals: 0,
        }
    }

    /// The profile with the store reads counted during the computation.
    pub fn with_store_reads(mut self, reads: Vec<StoreRead>) -> Self {
        self.store_reads = reads;
        self
    }

    /// Bytes read from stores, decoded.
    pub fn store_bytes_read(&self) -> u64 {
        self.store_reads.iter().map(|r| r.bytes_read).sum()
    }

    /// Bytes stored (decoded) in the store chunks the computation read.
    pub fn store_bytes_stored(&self) -> u64 {
        self.store_reads.iter().map(|r| r.bytes_stored).sum()
    }

    /// How many times the computation read what it needed from stores: 1.0 when each
    /// stored chunk it needed was read once (`None` when it read no store).
    pub fn read_ratio(&self) -> Option<f64> {
        let stored = self.store_bytes_stored();
        (stored > 0).then(|| self.store_bytes_read() as f64 / stored as f64)
    }

    /// The most bytes accounted at once.
    pub fn peak_bytes(&self) -> usize {
        self.memory.iter().map(|m| m.1).max().unwrap_or(0)
    }

    /// Wall time covered, in seconds.
    pub fn duration(&self) -> f64 {
        let t = self.tasks.iter().map(|t| t.end).fold(0.0, f64::max);
        self.memory.iter().map(|m| m.0).fold(t, f64::max)
    }

    /// Renders the page.
    pub fn to_html(&self) -> String {
        let dur = self.duration().max(1e-9);
        let svg = self.task_stream_svg();
        let steals = if self.remote_steals > 0 {
            format!(
                "<p>{} tasks ran on another NUMA node than their home (remote steals).</p>",
                self.remote_steals
            )
        } else {
            String::new()
        };
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>tessera profile</title></head><body>\
             <h2>tessera task stream</h2><p>{} tasks on {} workers in {:.3} s; peak accounted memory {:.1} MiB of a {:.1} MiB budget.{}</p>{steals}{svg}</body></html>",
            self.tasks.len(),
            self.workers,
            dur,
            self.peak_bytes() as f64 / 1048576.0,
            self.limit as f64 / 1048576.0,
            self.reads_sentence()
        )
    }

    /// The task stream (one lane per worker, a rectangle per task) above the memory
    /// curve against the budget, as one SVG element: the page's picture, also drawn
    /// live by the dashboard. Lanes are `class="lane"`, tasks `class="task"`.
    pub(crate) fn task_stream_svg(&self) -> String {
        let width = 1000.0;
        let lane = 18.0;
        let dur = self.duration().max(1e-9);
        let x = |t: f64| 60.0 + t / dur * width;
        let lanes = self.workers.max(1) as f64;
        let tl_height = lanes * lane + 30.0;
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif" font-size="11">"#,
            width + 80.0,
            tl_height + 200.0
        );
        for w in 0..self.workers {
            let _ = write!(
                svg,
                r#"<text class="lane" x="4" y="{}">worker {w}</text>"#,
                20.0 + w as f64 * lane + 12.0
            );
        }
        for t in &self.tasks {
            let y = 20.0 + t.worker as f64 * lane;
            let hue = (t.label.len() * 47 + t.worker * 13) % 360;
            let _ = write!(
                svg,
                r#"<rect class="task" x="{:.2}" y="{y}" width="{:.2}" height="{}" fill="hsl({hue},60%,55%)"><title>block {} {:.3}-{:.3}s {:.1} MiB</title></rect>"#,
                x(t.start),
                ((t.end - t.start) / dur * width).max(0.5),
                lane - 2.0,
                t.label,
                t.start,
                t.end,
                t.bytes as f64 / 1048576.0
            );
        }
        // Memory curve under the timeline.
        let top = tl_height + 20.0;
        let h = 150.0;
        let maxb = self.peak_bytes().max(self.limit).max(1) as f64;
        let y = |b: usize| top + h - b as f64 / maxb * h;
        let mut path = String::new();
        let mut prev = 0usize;
        for (i, &(t, b)) in self.memory.iter().enumerate() {
            if i == 0 {
                let _ = write!(path, "M{:.2},{:.2}", x(t), y(b));
            } else {
                let _ = write!(
                    path,
                    " L{:.2},{:.2} L{:.2},{:.2}",
                    x(t),
                    y(prev),
                    x(t),
                    y(b)
                );
            }
            prev = b;
        }
        let _ = write!(
            svg,
            r##"<path d="{path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>"##
        );
        let _ = write!(
            svg,
            r##"<line x1="60" x2="{}" y1="{:.2}" y2="{:.2}" stroke="#d62728" stroke-dasharray="4"/><text x="64" y="{:.2}" fill="#d62728">budget {:.1} MiB</text>"##,
            60.0 + width,
            y(self.limit),
            y(self.limit),
            y(self.limit) - 3.0,
            self.limit as f64 / 1048576.0
        );
        let _ = write!(
            svg,
            r#"<text x="4" y="{}">memory</text><text x="60" y="{}">0 s</text><text x="{}" y="{}">{dur:.3} s</text></svg>"#,
            top + 12.0,
            top + h + 14.0,
            width + 20.0,
            top + h + 14.0
        );
        svg
    }

    /// " Read 1200.0 MiB from stores holding 1100.0 MiB in the chunks needed
    /// (1.09×): …" with each array read more than once, or nothing.
    fn reads_sentence(&self) -> String {
        let Some(ratio) = self.read_ratio() else {
            return String::new();
        };
        let mib = |b: u64| b as f64 / 1048576.0;
        let mut out = format!(
            " Read {:.1} MiB from stores holding {:.1} MiB in the chunks needed ({ratio:.2}×).",
            mib(self.store_bytes_read()),
            mib(self.store_bytes_stored())
        );
        for r in &self.store_reads {
            if r.bytes_read > r.bytes_stored + r.bytes_stored / 10 {
                let _ = write!(
                    out,
                    " {} was read {:.2} times over.",
                    crate::display::escape::escape(&r.source),
                    r.bytes_read as f64 / r.bytes_stored.max(1) as f64
                );
            }
        }
        out
    }

    /// Writes the page to a file.
    pub fn write_html(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_html()).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })
    }
}
