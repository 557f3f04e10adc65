//! A fault-injecting object store around object_store's `InMemory`, registered with
//! `tessera::io::register_object_store`: requests that fail once, bodies cut short,
//! slow answers, keys that fail for good. Transient faults are retried and give results
//! bit-identical to a fault-free run; permanent ones give an error naming the URL and the
//! key, never a partial result.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use ndarray::{Array, IxDyn};
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, Result as OsResult,
};
use tessera::Error;
use tessera::engine::LazyArray;
use tessera::io::{WriteMode, WriteOptions, register_object_store};
use tessera::labelled::{Dataset, Variable};

/// What goes wrong, and how often.
#[derive(Default, Debug)]
pub(crate) struct Faults {
    /// Every n-th request fails (0: none).
    pub fail_every: usize,
    /// Every n-th `get` returns half its body under the full announced range (0: none).
    pub truncate_every: usize,
    /// A pause before every request.
    pub delay: Duration,
    /// Requests for keys containing this fail every time.
    pub permanent: Option<String>,
}

/// `InMemory` with [`Faults`].
#[derive(Debug)]
pub(crate) struct Faulty {
    inner: Arc<InMemory>,
    faults: Faults,
    requests: AtomicUsize,
    gets: AtomicUsize,
    /// Faults injected so far.
    pub injected: AtomicUsize,
}

impl fmt::Display for Faulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Faulty")
    }
}

fn fault(what: &str) -> object_store::Error {
    object_store::Error::Generic {
        store: "Faulty",
        source: format!("injected fault: {what}").into(),
    }
}

impl Faulty {
    pub(crate) fn new(inner: Arc<InMemory>, faults: Faults) -> Self {
        Faulty {
            inner,
            faults,
            requests: AtomicUsize::new(0),
            gets: AtomicUsize::new(0),
            injected: AtomicUsize::new(0),
        }
    }

    /// Counts a request and fails it when the plan says so.
    async fn enter(&self, location: &str) -> OsResult<()> {
        if !self.faults.delay.is_zero() {
            tokio::time::sleep(self.faults.delay).await;
        }
        if let Some(p) = &self.faults.permanent
            && location.contains(p.as_str())
        {
            self.injected.fetch_add(1, Ordering::Relaxed);
            return Err(fault(&format!("{location} is unreadable")));
        }
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        if self.faults.fail_every > 0 && n % self.faults.fail_every == 0 {
            self.injected.fetch_add(1, Ordering::Relaxed);
            return Err(fault(&format!("request {n} ({location}) dropped")));
        }
        Ok(())
    }
}

#[async_trait]
impl ObjectStore for Faulty {
    async fn put_opts(&self, l: &Path, p: PutPayload, o: PutOptions) -> OsResult<PutResult> {
        self.enter(l.as_ref()).await?;
        self.inner.put_opts(l, p, o).await
    }
    async fn put_multipart_opts(
        &self,
        l: &Path,
        o: PutMultipartOptions,
    ) -> OsResult<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(l, o).await
    }
    async fn get_opts(&self, l: &Path, o: GetOptions) -> OsResult<GetResult> {
        self.enter(l.as_ref()).await?;
        let got = self.inner.get_opts(l, o).await?;
        let n = self.gets.fetch_add(1, Ordering::Relaxed) + 1;
        if self.faults.truncate_every > 0 && n % self.faults.truncate_every == 0 {
            self.injected.fetch_add(1, Ordering::Relaxed);
            let (meta, range, attributes) =
                (got.meta.clone(), got.range.clone(), got.attributes.clone());
            let body = got.bytes().await?;
            let short = body.slice(..body.len() / 2);
            return Ok(GetResult {
                payload: GetResultPayload::Stream(stream::once(async move { Ok(short) }).boxed()),
                meta,
                range,
                attributes,
            });
        }
        Ok(got)
    }
    async fn get_ranges(&self, l: &Path, r: &[Range<u64>]) -> OsResult<Vec<Bytes>> {
        self.enter(l.as_ref()).await?;
        self.inner.get_ranges(l, r).await
    }
    fn delete_stream(
        &self,
        locations: BoxStream<'static, OsResult<Path>>,
    ) -> BoxStream<'static, OsResult<Path>> {
        self.inner.delete_stream(locations)
    }
    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, OsResult<ObjectMeta>> {
        self.inner.list(prefix)
    }
    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> OsResult<ListResult> {
        self.enter(prefix.map_or("", |p| p.as_ref())).await?;
        self.inner.list_with_delimiter(prefix).await
    }
    async fn copy_opts(&self, from: &Path, to: &Path, o: CopyOptions) -> OsResult<()> {
        self.inner.copy_opts(from, to, o).await
    }
}

/// A dataset of 3 variables in 8 x 12 chunks each (float64, float32, int32).
pub(crate) fn dataset() -> Dataset {
    let mut ds = Dataset::new();
    let var = |a: LazyArray| Variable::new(["y", "x"], a).unwrap();
    let shape = IxDyn(&[64, 48]);
    let a = Array::from_shape_fn(shape.clone(), |i| {
        ((i[0] * 48 + i[1]) as f64 * 0.37).sin() * 1e3
    });
    let b = Array::from_shape_fn(shape.clone(), |i| ((i[0] * 48 + i[1]) % 97) as f32 / 7.0);
    let c = Array::from_shape_fn(shape, |i| ((i[0] * 48 + i[1]) as i32 * 7919) % 10007 - 5000);
    ds.insert("a", var(LazyArray::from_ndarray(a, &[8, 12]).unwrap()))
        .unwrap();
    ds.insert("b", var(LazyArray::from_ndarray(b, &[8, 12]).unwrap()))
        .unwrap();
    ds.insert("c", var(LazyArray::from_ndarray(c, &[8, 12]).unwrap()))
        .unwrap();
    ds
}

/// Every variable's values as raw bits, so that equality is bit-identity.
fn bits(ds: &Dataset) -> tessera::Result<Vec<Vec<u64>>> {
    ["a", "b", "c"]
        .iter()
        .map(|v| {
            let values = ds.get(v)?.compute()?.to_f64_vec();
            Ok(values.into_iter().map(f64::to_bits).collect())
        })
        .collect()
}

/// A fresh in-memory store holding [`dataset`] as `x.zarr`, and its fault-free values.
fn written(root: &str) -> (Arc<InMemory>, Vec<Vec<u64>>) {
    let mem = Arc::new(InMemory::new());
    register_object_store(root, mem.clone()).unwrap();
    dataset()
        .to_zarr(
            &format!("{root}/x.zarr"),
            &WriteOptions::mode(WriteMode::Overwrite),
        )
        .unwrap();
    let clean = bits(&tessera::open_zarr(&format!("{root}/x.zarr")).unwrap()).unwrap();
    (mem, clean)
}

#[test]
fn transient_faults_are_retried_and_change_nothing() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    let (mem, clean) = written("faulty-clean://t1");
    let cases = [
        (
            "every 3rd request fails",
            Faults {
                fail_every: 3,
                ..Faults::default()
            },
        ),
        (
            "every 2nd body is cut in half",
            Faults {
                truncate_every: 2,
                ..Faults::default()
            },
        ),
        (
            "both, every 4th and 5th",
            Faults {
                fail_every: 4,
                truncate_every: 5,
                ..Faults::default()
            },
        ),
        (
            "5 ms delay on each request",
            Faults {
                delay: Duration::from_millis(5),
                ..Faults::default()
            },
        ),
    ];
    for (i, (label, faults)) in cases.into_iter().enumerate() {
        let faulty = Arc::new(Faulty::new(mem.clone(), faults));
        let root = format!("faulty-transient://case{i}");
        register_object_store(&root, faulty.clone()).unwrap();
        let ds = tessera::open_zarr(&format!("{root}/x.zarr"))
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        let got = bits(&ds).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(
            got == clean,
            "{label}: values differ from the fault-free run"
        );
        let injected = faulty.injected.load(Ordering::Relaxed);
        eprintln!("faulty store, {label}: {injected} faults injected, result bit-identical");
        if i < 3 {
            assert!(injected > 5, "{label}: only {injected} faults");
        }
    }
}

#[test]
fn writes_through_transient_faults_store_everything() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    let mem = Arc::new(InMemory::new());
    let faulty = Arc::new(Faulty::new(
        mem.clone(),
        Faults {
            fail_every: 3,
            ..Faults::default()
        },
    ));
    register_object_store("faulty-write://w", faulty.clone()).unwrap();
    register_object_store("faulty-write-clean://w", mem).unwrap();
    dataset()
        .to_zarr(
            "faulty-write://w/x.zarr",
            &WriteOptions::mode(WriteMode::Overwrite),
        )
        .unwrap();
    assert!(faulty.injected.load(Ordering::Relaxed) > 5);
    let back = bits(&tessera::open_zarr("faulty-write-clean://w/x.zarr").unwrap()).unwrap();
    let want = bits(&dataset()).unwrap();
    assert!(back == want, "written values differ");
}

#[test]
fn permanent_faults_name_the_url_and_key() {
    // The counting allocator sees every thread: the leak test measures alone.
    let _serial = crate::support::counting_alloc::serial();
    let (mem, _) = written("faulty-clean://t2");
    // one chunk of `b` is unreadable for good
    let faulty = Arc::new(Faulty::new(
        mem.clone(),
        Faults {
            permanent: Some("x.zarr/b/c/3/1".into()),
            ..Faults::default()
        },
    ));
    register_object_store("faulty-permanent://p", faulty.clone()).unwrap();
    let ds = tessera::open_zarr("faulty-permanent://p/x.zarr").unwrap();
    // the other variables read in full
    assert!(ds.get("a").unwrap().compute().is_ok());
    for attempt in [
        ds.get("b").unwrap().compute().err(),
        ds.get("b")
            .unwrap()
            .sum(tessera::labelled::Dims::All)
            .and_then(|s| s.compute())
            .err(),
    ] {
        let err = attempt.expect("a permanent fault must not give a result");
        let text = err.to_string();
        assert!(matches!(err, Error::SourceRead { .. }), "{err:?}");
        assert!(
            text.contains("faulty-permanent://p/x.zarr") && text.contains("b/c/3/1"),
            "{text}"
        );
        assert!(text.contains("injected fault"), "{text}");
    }
    // tried ATTEMPTS (5) times per read, not forever
    let tries = faulty.injected.load(Ordering::Relaxed);
    assert!((5..=20).contains(&tries), "{tries} tries");
    // a store whose metadata cannot be read fails to open, naming the key
    let faulty = Arc::new(Faulty::new(
        mem,
        Faults {
            permanent: Some("zarr.json".into()),
            ..Faults::default()
        },
    ));
    register_object_store("faulty-permanent://meta", faulty).unwrap();
    let err = tessera::open_zarr("faulty-permanent://meta/x.zarr").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("faulty-permanent://meta/x.zarr") && text.contains("zarr.json"),
        "{text}"
    );
}
