//! The one place that maps a URL to a store. Everything else sees a [`Store`]: a
//! synchronous zarrs key-value store plus the URL for error messages.
//!
//! - bare paths and `file://`: a directory (zarrs' filesystem store, with atomic
//!   writes: [`AtomicFs`](super::atomic_fs));
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
//! seconds rather than minutes, and by tessera's [`Retrying`](super::retry) wrapper
//! (short bodies, stores registered with
//! [`register_object_store`](crate::io::register_object_store), which are matched first).
//! URLs are redacted ([`redact`]) wherever they are shown.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use zarrs::storage::ReadableWritableListableStorage;
use zarrs::storage::store::MemoryStore;

use super::redact::{redact, scrub};
use crate::error::{BoxError, caused_by};
use crate::{Error, Result};

/// An opened store: zarrs storage rooted at the URL's path.
#[derive(Clone)]
pub(crate) struct Store {
    /// The URL as the user wrote it, credentials redacted (for errors).
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
    pub(crate) fn error(&self, key: impl Into<String>, message: impl Into<String>) -> Error {
        store_error(&self.url, key, message.into(), None)
    }

    /// An error about `key` in this store caused by a lower error, which stays
    /// reachable through [`source()`](std::error::Error::source); the message is
    /// `context: cause` (the cause alone when `context` is empty).
    pub(crate) fn caused(
        &self,
        key: impl Into<String>,
        context: &str,
        cause: impl Into<BoxError>,
    ) -> Error {
        let (message, source) = caused_by(context, cause);
        store_error(&self.url, key, message, source)
    }
}

/// A [`Error::Store`]: the URL redacted, the message scrubbed of the URL's secrets (and
/// the source dropped when its text held one, since it would print them).
pub(super) fn store_error(
    url: &str,
    key: impl Into<String>,
    message: String,
    source: Option<BoxError>,
) -> Error {
    let (message, scrubbed) = scrub(&message, url);
    Error::Store {
        url: redact(url),
        key: key.into(),
        message,
        source: if scrubbed { None } else { source },
    }
}

/// Opens the store a URL names. `create` makes a missing local directory.
pub(crate) fn open_store(url: &str, create: bool) -> Result<Store> {
    let fail = |cause: BoxError| {
        let (message, source) = caused_by("", cause);
        store_error(url, "", message, source)
    };
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("file".to_string(), url),
    };
    if let Some((store, prefix)) = super::object::registered(url) {
        return Ok(Store {
            url: url.to_string(),
            storage: super::object::adapt(store, &prefix, url, super::retry::ATTEMPTS)?,
            read_only: false,
        });
    }
    let storage: ReadableWritableListableStorage = match scheme.as_str() {
        "file" => {
            let path = std::path::Path::new(rest);
            if create {
                std::fs::create_dir_all(path).map_err(|e| fail(e.into()))?;
            } else if !path.exists() {
                return Err(store_error(url, "", "no such directory".into(), None));
            }
            Arc::new(
                super::atomic_fs::AtomicFs::new(path.to_path_buf()).map_err(|e| fail(e.into()))?,
            )
        }
        "memory" => memory_store(rest),
        #[cfg(feature = "cloud")]
        "s3" | "gs" | "gcs" | "az" | "azure" | "abfs" | "http" | "https" => {
            cloud::open(&scheme, rest, url)?
        }
        other => {
            return Err(store_error(
                url,
                "",
                format!(
                    "unsupported URL scheme {other:?} (known: file, memory{})",
                    if cfg!(feature = "cloud") {
                        ", s3, gs, az, http, https"
                    } else {
                        "; s3, gs, az, http need the `cloud` feature"
                    }
                ),
                None,
            ));
        }
    };
    Ok(Store {
        url: redact(url),
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
    use std::sync::Arc;
    use std::time::Duration;

    use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};
    use zarrs::storage::ReadableWritableListableStorage;

    use super::store_error;
    use crate::Result;
    use crate::error::caused_by;
    use crate::io::object::adapt;

    /// Tries of a request by tessera's wrapper around a client that retries itself: one
    /// more, for failures the client does not retry (a body cut short).
    const CLIENT_RETRIED_ATTEMPTS: u32 = 2;

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

    /// The object store of a cloud or HTTP URL; errors keep object_store's as their source.
    pub(super) fn open(
        scheme: &str,
        rest: &str,
        url: &str,
    ) -> Result<ReadableWritableListableStorage> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.contains('@') && scheme != "http" && scheme != "https" {
            return Err(store_error(
                url,
                "",
                "credentials in the URL are not read (and never shown); give them through the environment (AWS_ACCESS_KEY_ID, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_ACCOUNT_KEY, ...)".into(),
                None,
            ));
        }
        if bucket.is_empty() && scheme != "http" && scheme != "https" {
            return Err(store_error(
                url,
                "",
                "the URL names no bucket or container".into(),
                None,
            ));
        }
        let err = |e: object_store::Error| {
            let (message, source) = caused_by("", e);
            store_error(url, "", message, source)
        };
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
                return adapt(Arc::new(store), "", url, CLIENT_RETRIED_ATTEMPTS);
            }
        };
        adapt(inner, prefix, url, CLIENT_RETRIED_ATTEMPTS)
    }
}
