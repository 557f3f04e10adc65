//! The live dashboard: while a computation runs, a small HTTP server (tiny_http, the
//! `dashboard` feature) serves one self-contained page with the task stream (a lane
//! per worker, drawn by the same code as [`Profile::to_html`](crate::engine::Profile::to_html)),
//! progress in chunks and bytes, bytes read from stores, memory in use against the
//! budget, and the optimized plan (`explain()`), polled from a JSON endpoint.
//!
//! Asked for with [`Compute::dashboard`](crate::Compute::dashboard) or the
//! environment variable `TESSERA_DASHBOARD` (`127.0.0.1:8787`, or a port alone, on
//! 127.0.0.1; another interface only when written out). A server, once started, stays
//! for the life of the process and shows the latest computation given its address;
//! it closes with the process.
//!
//! The executor feeds it through [`ProgressSink`](crate::engine::exec::progress)'s
//! task feed (each finished task) and a watcher thread that samples progress, the
//! budget's bytes in use and the store reads ([`live`]); [`view`] turns that into the
//! page's JSON, [`page`] is the page, [`server`] answers requests.

mod address;
pub(crate) mod live;
mod page;
mod server;
mod view;

use std::sync::Arc;

pub(crate) use live::{LiveRun, LiveSample};
pub use server::Dashboard;

use crate::{Error, Result};

/// The environment variable that turns the dashboard on for every computation.
pub(crate) const ENV: &str = "TESSERA_DASHBOARD";

/// Starts showing a computation on the dashboard at `requested` (from
/// [`Compute::dashboard`](crate::Compute::dashboard)) or, without one, at
/// `TESSERA_DASHBOARD` if set and not empty; `None` when neither asks for one.
pub(crate) fn begin_run(
    requested: Option<&str>,
    workers: usize,
    limit: usize,
) -> Result<Option<Arc<LiveRun>>> {
    let dashboard = match requested {
        Some(addr) => Dashboard::start(addr)?,
        None => match std::env::var(ENV) {
            Ok(addr) if !addr.trim().is_empty() => Dashboard::start(&addr)
                .map_err(|e| Error::invalid(format!("{ENV}={addr:?}: {e}")))?,
            _ => return Ok(None),
        },
    };
    Ok(Some(dashboard.begin(workers, limit)))
}
