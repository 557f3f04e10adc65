//! What an interrupted `tessera convert` had finished: the `.tessera-convert` key in
//! the output store. Its first line is the run's options (a re-run must give the same
//! ones); `ready` follows once the metadata and the 0-d arrays are written; then one
//! line per finished block (`name pass index`), written after the block's chunks, so
//! that a re-run skips exactly the blocks whose chunks are all complete. The key is
//! removed, and the metadata consolidated, when the conversion is done: a store that
//! still has it is unfinished (xarray opens it, but its unfinished chunks read as fill
//! values).

use std::collections::HashSet;

use serde_json::Value;
use zarrs::storage::StoreKey;

use crate::io::store::Store;
use crate::{Error, Result};

/// The key of the state in the output store.
pub(crate) const STATE_KEY: &str = ".tessera-convert";

/// The state of one conversion.
pub(crate) struct State {
    store: Store,
    /// The options line.
    header: Value,
    /// Whether metadata and 0-d arrays are written.
    pub(crate) ready: bool,
    /// Finished blocks.
    done: HashSet<String>,
    /// The text as stored (appended to).
    text: String,
}

fn key() -> StoreKey {
    StoreKey::new(STATE_KEY).expect("a valid key")
}

impl State {
    /// The state stored in `store`, if a conversion was interrupted there.
    pub(crate) fn load(store: &Store) -> Result<Option<State>> {
        let bytes = store
            .storage
            .get(&key())
            .map_err(|e| store.caused(STATE_KEY, "", e))?;
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let mut lines = text.lines();
        let header: Value = lines
            .next()
            .and_then(|l| serde_json::from_str(l).ok())
            .ok_or_else(|| {
                store.error(
                    STATE_KEY,
                    "the state of an interrupted conversion is unreadable; remove the output and convert again",
                )
            })?;
        let mut ready = false;
        let mut done = HashSet::new();
        for line in lines {
            if line == "ready" {
                ready = true;
            } else if !line.is_empty() {
                done.insert(line.to_string());
            }
        }
        Ok(Some(State {
            store: store.clone(),
            header,
            ready,
            done,
            text,
        }))
    }

    /// Starts the state of a new conversion with its options.
    pub(crate) fn create(store: &Store, header: Value) -> Result<State> {
        let text = format!("{header}\n");
        let state = State {
            store: store.clone(),
            header,
            ready: false,
            done: HashSet::new(),
            text,
        };
        state.save()?;
        Ok(state)
    }

    /// The options the interrupted run was started with.
    pub(crate) fn header(&self) -> &Value {
        &self.header
    }

    /// Whether a block is finished.
    pub(crate) fn is_done(&self, block: &str) -> bool {
        self.done.contains(block)
    }

    /// Records that the metadata and 0-d arrays are written.
    pub(crate) fn mark_ready(&mut self) -> Result<()> {
        self.ready = true;
        self.append("ready")
    }

    /// Records a finished block.
    pub(crate) fn mark_done(&mut self, block: String) -> Result<()> {
        self.append(&block)?;
        self.done.insert(block);
        Ok(())
    }

    fn append(&mut self, line: &str) -> Result<()> {
        self.text.push_str(line);
        self.text.push('\n');
        self.save()
    }

    /// Rewrites the state whole: on a local store through a temporary file renamed
    /// over it, so that a kill leaves the old or the new state, never a torn one (object
    /// stores replace an object atomically).
    fn save(&self) -> Result<()> {
        if let Some(dir) = local_dir(&self.store.url) {
            let tmp = dir.join(format!("{STATE_KEY}.tmp"));
            let io = |e: std::io::Error| Error::Io {
                path: tmp.display().to_string(),
                source: e,
            };
            std::fs::write(&tmp, &self.text).map_err(io)?;
            return std::fs::rename(&tmp, dir.join(STATE_KEY)).map_err(io);
        }
        self.store
            .storage
            .set(&key(), self.text.clone().into_bytes().into())
            .map_err(|e| self.store.caused(STATE_KEY, "cannot record progress", e))
    }

    /// Removes the state: the conversion is complete.
    pub(crate) fn finish(self) -> Result<()> {
        if let Some(dir) = local_dir(&self.store.url) {
            // Left by a kill between writing and renaming it.
            let _ = std::fs::remove_file(dir.join(format!("{STATE_KEY}.tmp")));
        }
        self.store
            .storage
            .erase(&key())
            .map_err(|e| self.store.caused(STATE_KEY, "", e))
    }
}

/// The directory of a local store URL (a path or `file://`).
pub(crate) fn local_dir(url: &str) -> Option<std::path::PathBuf> {
    match url.split_once("://") {
        None => Some(url.into()),
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("file") => Some(rest.into()),
        _ => None,
    }
}

/// The error for a re-run whose options differ from the interrupted run's.
pub(crate) fn options_differ(output: &str, was: &Value) -> Error {
    Error::invalid(format!(
        "{output} holds an interrupted conversion started with other options ({was}); re-run it with the same options, or remove {output} first"
    ))
}
