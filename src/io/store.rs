//! The one place that maps a URL to a store. Everything else sees a [`Store`]: a
//! synchronous zarrs key-value store plus the URL for error messages.
//!
//! - bare paths and `file://`: a directory (zarrs' filesystem store);
//! - `memory://name`: a process-wide in-memory store, so a test can write and reopen;
//! - `s3://bucket/prefix`: configured from the environment as object_store's
//!   `AmazonS3Builder::from_env` does (`AWS_ENDPOINT`, `AWS_REGION`, `AWS_ALLOW_HTTP`,
//!   credentials, `AWS_SKIP_SIGNATURE`);
//! - `gs://bucket/prefix`, `az://container/prefix` from their environments;
//! - `http(s)://…`: read-only (needs consolidated metadata, since HTTP cannot list).
//!
//! Object stores are asynchronous; they run on one process-wide tokio runtime and
//! the executor's rayon threads block on them. Transient errors are retried by
//! object_store's retry policy, kept short so that an unreachable server fails in
//! seconds rather than minutes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use zarrs::storage::ReadableWritableListableStorage;
use zarrs::storage::store::MemoryStore;

use crate::{Error, Result};

/// An opened store: zarrs storage rooted at the URL's path.
#[derive(Clone)]
pub(crate) struct Store {
    /// The URL as the user wrote it (for errors).
    pub url: String,
    /// The storage, rooted so that the Zarr group is at `/`.
    pub storage: ReadableWritableListableStorage,
    /// Whether writes are refused (HTTP).
    pub read_only: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.url)
    }
}

impl Store {
    /// An error about `key` in this store.
    pub(crate) fn error(&self, key: impl Into<String>, message: impl ToString) -> Error {
        Error::Store {
            url: self.url.clone(),
            key: key.into(),
            message: message.to_string(),
        }
    }
}

/// Opens the store a URL names. `create` makes a missing local directory.
pub(crate) fn open_store(url: &str, create: bool) -> Result<Store> {
    let fail = |message: String| Error::Store {
        url: url.to_string(),
        key: String::new(),
        message,
    };
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("file".to_string(), url),
    };
    let storage: ReadableWritableListableStorage = match scheme.as_str() {
        "file" => {
            let path = std::path::Path::new(rest);
            if create {
                std::fs::create_dir_all(path).map_err(|e| fail(e.to_string()))?;
            } else if !path.exists() {
                return Err(fail("no such directory".into()));
            }
            Arc::new(
                zarrs::filesystem::FilesystemStore::new(path).map_err(|e| fail(e.to_string()))?,
            )
        }
        "memory" => memory_store(rest),
        #[cfg(feature = "cloud")]
        "s3" | "gs" | "gcs" | "az" | "azure" | "abfs" | "http" | "https" => {
            cloud::open(&scheme, rest, url).map_err(fail)?
        }
        other => {
            return Err(fail(format!(
                "unsupported URL scheme {other:?} (known: file, memory{})",
                if cfg!(feature = "cloud") {
                    ", s3, gs, az, http, https"
                } else {
                    "; s3, gs, az, http need the `cloud` feature"
                }
            )));
        }
    };
    Ok(Store {
        url: url.to_string(),
        storage,
        read_only: scheme == "http" || scheme == "https",
    })
}

/// The named process-wide in-memory store (created empty on first use).
fn memory_store(name: &str) -> ReadableWritableListableStorage {
    static STORES: OnceLock<Mutex<HashMap<String, Arc<MemoryStore>>>> = OnceLock::new();
    let mut map = STORES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(name.trim_end_matches('/').to_string())
        .or_insert_with(|| Arc::new(MemoryStore::new()))
        .clone()
}

#[cfg(feature = "cloud")]
mod cloud {
    use std::sync::{Arc, OnceLock};
    use std::time::Duration;

    use object_store::prefix::PrefixStore;
    use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};
    use zarrs::storage::ReadableWritableListableStorage;
    use zarrs::storage::storage_adapter::async_to_sync::{
        AsyncToSyncBlockOn, AsyncToSyncStorageAdapter,
    };
    use zarrs_object_store::AsyncObjectStore;

    /// Runs object_store futures on the shared runtime from any (non-tokio) thread.
    struct BlockOn(&'static tokio::runtime::Runtime);

    impl AsyncToSyncBlockOn for BlockOn {
        fn block_on<F: core::future::Future>(&self, future: F) -> F::Output {
            self.0.block_on(future)
        }
    }

    fn runtime() -> Result<&'static tokio::runtime::Runtime, String> {
        static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
        if let Some(rt) = RT.get() {
            return Ok(rt);
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("tessera-io")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the I/O runtime: {e}"))?;
        Ok(RT.get_or_init(|| rt))
    }

    /// Few quick retries: transient errors recover, a dead endpoint fails fast.
    fn retry() -> RetryConfig {
        RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(2),
                base: 2.0,
            },
            max_retries: 3,
            retry_timeout: Duration::from_secs(20),
        }
    }

    /// For HTTP only: the cloud builders take their client options (such as
    /// `AWS_ALLOW_HTTP`) from the environment, which replacing them would lose.
    fn client() -> ClientOptions {
        ClientOptions::new()
            .with_connect_timeout(Duration::from_secs(3))
            .with_timeout(Duration::from_secs(60))
    }

    pub(super) fn open(
        scheme: &str,
        rest: &str,
        url: &str,
    ) -> Result<ReadableWritableListableStorage, String> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() && scheme != "http" && scheme != "https" {
            return Err("the URL names no bucket or container".into());
        }
        let err = |e: object_store::Error| e.to_string();
        let inner: Arc<dyn ObjectStore> = match scheme {
            "s3" => Arc::new(
                object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(retry())
                    .build()
                    .map_err(err)?,
            ),
            "gs" | "gcs" => Arc::new(
                object_store::gcp::GoogleCloudStorageBuilder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(retry())
                    .build()
                    .map_err(err)?,
            ),
            "az" | "azure" | "abfs" => Arc::new(
                object_store::azure::MicrosoftAzureBuilder::from_env()
                    .with_container_name(bucket)
                    .with_retry(retry())
                    .build()
                    .map_err(err)?,
            ),
            _ => {
                // HTTP: the whole URL is the root; keys are appended to it.
                let store = object_store::http::HttpBuilder::new()
                    .with_url(url.trim_end_matches('/'))
                    .with_retry(retry())
                    .with_client_options(client().with_allow_http(true))
                    .build()
                    .map_err(err)?;
                return adapt(Arc::new(store));
            }
        };
        let prefix = prefix.trim_matches('/');
        if prefix.is_empty() {
            adapt(inner)
        } else {
            adapt(Arc::new(PrefixStore::new(inner, prefix)))
        }
    }

    fn adapt(store: Arc<dyn ObjectStore>) -> Result<ReadableWritableListableStorage, String> {
        let store = Arc::new(AsyncObjectStore::new(store));
        Ok(Arc::new(AsyncToSyncStorageAdapter::new(
            store,
            BlockOn(runtime()?),
        )))
    }
}
