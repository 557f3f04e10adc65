//! Without the `dashboard` feature: nothing is served, and a computation asked for a
//! dashboard (by [`Compute::dashboard`](crate::Compute::dashboard) or
//! `TESSERA_DASHBOARD`) fails, saying how to get one.

use std::sync::Arc;
use std::time::Instant;

use crate::engine::Progress;
use crate::engine::exec::progress::TaskFeed;
use crate::{Error, Result};

/// No computation is ever shown: this type has no values.
pub(crate) enum LiveRun {}

/// What the watcher would sample.
#[allow(dead_code)] // read by the dashboard, which this build leaves out
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LiveSample {
    pub(crate) progress: Progress,
    pub(crate) passes: usize,
    pub(crate) memory_in_use: usize,
    pub(crate) store_bytes_read: u64,
    pub(crate) store_bytes_stored: u64,
}

impl LiveRun {
    pub(crate) fn task_feed(self: &Arc<Self>) -> (TaskFeed, Instant) {
        match **self {}
    }

    pub(crate) fn set_plan(&self, _plan: String) {
        match *self {}
    }

    pub(crate) fn watch<T>(
        &self,
        _sample: impl Fn() -> LiveSample + Sync,
        _work: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        match *self {}
    }
}

/// `None`, or an error when a dashboard is asked for.
pub(crate) fn begin_run(
    requested: Option<&str>,
    _workers: usize,
    _limit: usize,
) -> Result<Option<Arc<LiveRun>>> {
    let env = std::env::var("TESSERA_DASHBOARD")
        .ok()
        .filter(|a| !a.trim().is_empty());
    match requested.map(str::to_string).or(env) {
        None => Ok(None),
        Some(addr) => Err(Error::invalid(format!(
            "a dashboard was asked for at {addr:?}, but this build of tessera has no dashboard: enable the cargo feature `dashboard`"
        ))),
    }
}
