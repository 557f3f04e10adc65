//! [`Retrying`]: an [`ObjectStore`] that retries the transient failures of another.
//!
//! object_store's `RetryConfig` retries inside its HTTP clients only; a store given
//! through [`register_object_store`](crate::io::register_object_store), a connection cut
//! while a body streams, or a body shorter than its own `Content-Range` is not retried
//! there. Every object store tessera reads or writes is wrapped in this, so that:
//!
//! - a request failing with a transient error (object_store's `Generic` or `JoinError`:
//!   network, 5xx after the client's own retries, a dropped stream) is tried again, up to
//!   [`ATTEMPTS`] times in all with a doubling pause starting at [`FIRST_PAUSE`];
//! - a `get` whose body is shorter or longer than the byte range the store announced is
//!   a transient error (never returned as if complete);
//! - errors that retrying cannot cure (not found, already exists, precondition, invalid
//!   path, permission) are returned at once;
//! - a `put` is retried only when it overwrites (`PutMode::Overwrite`, idempotent).
//!
//! Listings are collected whole before they are returned, so a listing that fails half
//! way is retried from the start rather than returned short.

use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::redact::scrub;
use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{
    CopyOptions, Error as OsError, GetOptions, GetResult, GetResultPayload, ListResult,
    MultipartUpload, ObjectMeta, ObjectStore, PutMode, PutMultipartOptions, PutOptions, PutPayload,
    PutResult, Result as OsResult,
};

/// Tries of one request in all (the first and the retries) on a store that does not
/// retry by itself (one given to [`register_object_store`](crate::io::register_object_store)).
pub(crate) const ATTEMPTS: u32 = 5;
/// The pause before the first retry; each further retry waits twice as long.
pub(crate) const FIRST_PAUSE: Duration = Duration::from_millis(25);

/// An object store whose transient failures are retried (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Retrying {
    inner: Arc<dyn ObjectStore>,
    attempts: u32,
    /// The URL the store was opened from, whose secrets are scrubbed from its errors.
    url: String,
}

impl Retrying {
    /// Wraps `inner`, opened from `url`; a request is tried `attempts` times in all (at
    /// least once).
    pub(crate) fn new(inner: Arc<dyn ObjectStore>, attempts: u32, url: &str) -> Self {
        Retrying {
            inner,
            attempts: attempts.max(1),
            url: url.to_string(),
        }
    }

    /// `e` with the URL's credentials scrubbed from its text (an HTTP client's message
    /// may repeat the URL); `NotFound` stays `NotFound`, which readers rely on.
    fn clean(&self, e: OsError) -> OsError {
        let (text, changed) = scrub(&e.to_string(), &self.url);
        if !changed {
            return e;
        }
        match e {
            OsError::NotFound { path, .. } => OsError::NotFound {
                path: scrub(&path, &self.url).0,
                source: text.into(),
            },
            _ => OsError::Generic {
                store: "tessera",
                source: text.into(),
            },
        }
    }
}

impl fmt::Display for Retrying {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Retrying({})", self.inner)
    }
}

/// Whether trying again may succeed.
fn transient(e: &OsError) -> bool {
    matches!(e, OsError::Generic { .. } | OsError::JoinError { .. })
}

/// Runs `op` until it succeeds, fails permanently, or has been tried `attempts` times.
async fn retry<T, F, Fut>(attempts: u32, mut op: F) -> OsResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = OsResult<T>>,
{
    let mut pause = FIRST_PAUSE;
    let mut attempt = 1;
    loop {
        match op().await {
            Err(e) if transient(&e) && attempt < attempts => {
                tokio::time::sleep(pause).await;
                pause *= 2;
                attempt += 1;
            }
            Err(e) if attempt > 1 && transient(&e) => {
                return Err(OsError::Generic {
                    store: "tessera",
                    source: format!("{e} (failed {attempt} times; giving up)").into(),
                });
            }
            other => return other,
        }
    }
}

/// Reads a whole `get` body and checks its length against the announced range.
async fn get_whole(
    inner: &Arc<dyn ObjectStore>,
    location: &Path,
    options: GetOptions,
) -> OsResult<GetResult> {
    // A HEAD request announces the object's range and sends no body.
    let head = options.head;
    let result = inner.get_opts(location, options).await?;
    if head {
        return Ok(result);
    }
    let range: Range<u64> = result.range.clone();
    let meta = result.meta.clone();
    let attributes = result.attributes.clone();
    let body = result.bytes().await?;
    let want = range.end.saturating_sub(range.start);
    if body.len() as u64 != want {
        return Err(OsError::Generic {
            store: "tessera",
            source: format!(
                "{location}: the store announced {want} bytes but sent {}",
                body.len()
            )
            .into(),
        });
    }
    Ok(GetResult {
        payload: GetResultPayload::Stream(stream::once(async move { Ok(body) }).boxed()),
        meta,
        range,
        attributes,
    })
}

#[async_trait]
impl ObjectStore for Retrying {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> OsResult<PutResult> {
        if matches!(opts.mode, PutMode::Overwrite) {
            retry(self.attempts, || {
                self.inner.put_opts(location, payload.clone(), opts.clone())
            })
            .await
        } else {
            self.inner.put_opts(location, payload, opts).await
        }
        .map_err(|e| self.clean(e))
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> OsResult<Box<dyn MultipartUpload>> {
        self.inner
            .put_multipart_opts(location, opts)
            .await
            .map_err(|e| self.clean(e))
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> OsResult<GetResult> {
        retry(self.attempts, || {
            get_whole(&self.inner, location, options.clone())
        })
        .await
        .map_err(|e| self.clean(e))
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> OsResult<Vec<Bytes>> {
        retry(self.attempts, || async {
            let parts = self.inner.get_ranges(location, ranges).await?;
            for (r, b) in ranges.iter().zip(&parts) {
                if b.len() as u64 != r.end.saturating_sub(r.start) {
                    return Err(OsError::Generic {
                        store: "tessera",
                        source: format!(
                            "{location}: asked for bytes {r:?} but received {}",
                            b.len()
                        )
                        .into(),
                    });
                }
            }
            Ok(parts)
        })
        .await
        .map_err(|e| self.clean(e))
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, OsResult<Path>>,
    ) -> BoxStream<'static, OsResult<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, OsResult<ObjectMeta>> {
        let prefix = prefix.cloned();
        let this = self.clone();
        stream::once(async move {
            retry(this.attempts, || {
                this.inner.list(prefix.as_ref()).try_collect::<Vec<_>>()
            })
            .await
            .map_err(|e| this.clean(e))
        })
        .flat_map(|listed| match listed {
            Ok(all) => stream::iter(all.into_iter().map(Ok)).boxed(),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        })
        .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> OsResult<ListResult> {
        retry(self.attempts, || self.inner.list_with_delimiter(prefix))
            .await
            .map_err(|e| self.clean(e))
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> OsResult<()> {
        retry(self.attempts, || {
            self.inner.copy_opts(from, to, options.clone())
        })
        .await
        .map_err(|e| self.clean(e))
    }
}
