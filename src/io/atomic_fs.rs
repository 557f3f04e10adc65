//! [`AtomicFs`]: zarrs' filesystem store with whole-value writes made atomic.
//!
//! zarrs' `FilesystemStore::set` truncates the file and then writes it, so a process
//! killed between the two (SIGKILL, OOM killer, a batch job's time limit) leaves an empty
//! or half-written chunk that no longer decodes. Here `set` writes the value to a
//! temporary file next to its key (`.tessera-tmp-<pid>-<n>-<name>`) and renames it over
//! the key: a reader, or the store after a kill, sees the old value or the new one,
//! never a mix. Temporary files left by a kill are hidden from listings and removed
//! with their prefix. Not a guarantee against power loss (nothing is `fsync`ed).
//! Everything else is delegated to the filesystem store unchanged.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::{
    Bytes, ListableStorageTraits, MaybeBytes, MaybeBytesIterator, OffsetBytesIterator,
    ReadableStorageTraits, StorageError, StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix,
    WritableStorageTraits, byte_range::ByteRangeIterator,
};

/// The start of the name of a temporary file.
const TMP: &str = ".tessera-tmp-";

/// A directory store whose `set` is atomic (see the module docs).
pub(crate) struct AtomicFs {
    inner: FilesystemStore,
    counter: AtomicU64,
}

impl AtomicFs {
    /// The store rooted at `root` (which exists).
    pub(crate) fn new(root: PathBuf) -> Result<Self, StorageError> {
        let inner = FilesystemStore::new(&root)
            .map_err(|e| StorageError::Other(format!("{}: {e}", root.display())))?;
        Ok(AtomicFs {
            inner,
            counter: AtomicU64::new(0),
        })
    }
}

fn is_tmp(key: &StoreKey) -> bool {
    key.as_str()
        .rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with(TMP))
}

impl ReadableStorageTraits for AtomicFs {
    fn get(&self, key: &StoreKey) -> Result<MaybeBytes, StorageError> {
        self.inner.get(key)
    }

    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        self.inner.get_partial_many(key, byte_ranges)
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.inner.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl ListableStorageTraits for AtomicFs {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        let mut keys = self.inner.list()?;
        keys.retain(|k| !is_tmp(k));
        Ok(keys)
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        let mut keys = self.inner.list_prefix(prefix)?;
        keys.retain(|k| !is_tmp(k));
        Ok(keys)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        let listed = self.inner.list_dir(prefix)?;
        let keys = listed
            .keys()
            .iter()
            .filter(|k| !is_tmp(k))
            .cloned()
            .collect();
        Ok(StoreKeysPrefixes::new(keys, listed.prefixes().clone()))
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        self.inner.size_prefix(prefix)
    }
}

impl WritableStorageTraits for AtomicFs {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        let path = self.inner.key_to_fspath(key);
        let dir = path
            .parent()
            .ok_or_else(|| StorageError::Other(format!("{key}: no parent directory")))?;
        std::fs::create_dir_all(dir)?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("value");
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!("{TMP}{}-{n}-{name}", std::process::id()));
        let written = std::fs::File::create(&tmp).and_then(|mut f| f.write_all(&value));
        if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, &path)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        Ok(())
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        self.inner.set_partial_many(key, offset_values)
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.inner.erase(key)
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        self.inner.erase_prefix(prefix)
    }

    /// Partial writes would not be atomic: zarrs writes whole values instead.
    fn supports_set_partial(&self) -> bool {
        false
    }
}
