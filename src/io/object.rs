//! Object stores (object_store's [`ObjectStore`]) as zarrs storage: the one runtime their
//! futures run on, the [`Retrying`] wrapper every one of them gets, and the registry of
//! stores a program supplies itself ([`register_object_store`]).

use std::sync::{Arc, Mutex, OnceLock};

use object_store::ObjectStore;
use object_store::prefix::PrefixStore;
use zarrs::storage::ReadableWritableListableStorage;
use zarrs::storage::storage_adapter::async_to_sync::{
    AsyncToSyncBlockOn, AsyncToSyncStorageAdapter,
};
use zarrs_object_store::AsyncObjectStore;

use super::retry::Retrying;
use super::store::store_error;
use crate::error::{bail, caused_by};
use crate::{Error, Result};

/// Runs object_store futures on the shared runtime from any (non-tokio) thread.
struct BlockOn(&'static tokio::runtime::Runtime);

impl AsyncToSyncBlockOn for BlockOn {
    fn block_on<F: core::future::Future>(&self, future: F) -> F::Output {
        self.0.block_on(future)
    }
}

fn runtime() -> std::io::Result<&'static tokio::runtime::Runtime> {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(rt) = RT.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tessera-io")
        .enable_all()
        .build()?;
    Ok(RT.get_or_init(|| rt))
}

/// `store` (under `prefix`, when not empty) as zarrs storage, its transient failures
/// tried `attempts` times in all; `url` names it in errors.
pub(super) fn adapt(
    store: Arc<dyn ObjectStore>,
    prefix: &str,
    url: &str,
    attempts: u32,
) -> Result<ReadableWritableListableStorage> {
    let runtime = runtime().map_err(|e| -> Error {
        let (message, source) = caused_by("cannot start the I/O runtime", e);
        store_error(url, "", message, source)
    })?;
    let prefix = prefix.trim_matches('/');
    let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
        store
    } else {
        Arc::new(PrefixStore::new(store, prefix))
    };
    let store = Arc::new(AsyncObjectStore::new(Retrying::new(store, attempts, url)));
    Ok(Arc::new(AsyncToSyncStorageAdapter::new(
        store,
        BlockOn(runtime),
    )))
}

type Registry = Mutex<Vec<(String, Arc<dyn ObjectStore>)>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// Makes every URL that starts with `root` (`scheme://name`) open `store`: the rest of
/// the URL is the prefix inside it. [`open_zarr`](crate::open_zarr),
/// [`open_dataset`](crate::open_dataset), [`Dataset::to_zarr`](crate::labelled::Dataset::to_zarr)
/// and the others then read and write it as they do a cloud store, with tessera's
/// retries of transient failures around it. Registering the same `root` again replaces
/// the store. For stores configured in code (credentials from a vault, a custom HTTP
/// client), for tests (an `InMemory` store, a store that injects faults) and for
/// object stores tessera does not know.
///
/// ```
/// use std::sync::Arc;
/// use object_store::memory::InMemory;
///
/// tessera::io::register_object_store("mem-doc://bucket", Arc::new(InMemory::new()))?;
/// let ds = tessera::labelled::Dataset::new();
/// ds.to_zarr("mem-doc://bucket/empty.zarr", &Default::default())?;
/// assert!(tessera::open_zarr("mem-doc://bucket/empty.zarr")?.data_var_names().is_empty());
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn register_object_store(root: &str, store: Arc<dyn ObjectStore>) -> Result<()> {
    let root = root.trim_end_matches('/');
    let Some((scheme, name)) = root.split_once("://") else {
        bail!("a registered store root must be `scheme://name`, not {root:?}");
    };
    if scheme.is_empty() || name.is_empty() || name.contains('/') {
        bail!("a registered store root must be `scheme://name`, not {root:?}");
    }
    let mut stores = registry().lock().unwrap_or_else(|e| e.into_inner());
    stores.retain(|(r, _)| r != root);
    stores.push((root.to_string(), store));
    Ok(())
}

/// The registered store a URL names, and the prefix inside it.
pub(crate) fn registered(url: &str) -> Option<(Arc<dyn ObjectStore>, String)> {
    let stores = registry().lock().unwrap_or_else(|e| e.into_inner());
    stores.iter().find_map(|(root, store)| {
        let rest = url.strip_prefix(root.as_str())?;
        if rest.is_empty() || rest.starts_with('/') {
            Some((store.clone(), rest.trim_matches('/').to_string()))
        } else {
            None
        }
    })
}
