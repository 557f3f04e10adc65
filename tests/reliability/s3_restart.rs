//! The real S3 server (SeaweedFS, which CI starts) going away in the middle of a
//! computation and coming back. tessera reaches it through a TCP relay that this test
//! stops and starts: to the client that is the server stopping (connections refused,
//! open ones cut) without stopping the server the other tests of this run share.
//! The computation fails with an error naming the store within the retries' time; the
//! same call, once the server is back, gives the bit-identical result.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use object_store::aws::AmazonS3Builder;
use object_store::{ClientOptions, RetryConfig};
use tessera::engine::{ArrayData, Compute, DType, LazyArray};
use tessera::io::{WriteMode, WriteOptions, register_object_store};

/// A TCP relay to `target` on a fixed local port, which can be stopped (the port
/// refuses connections and open ones are cut) and started again.
struct Relay {
    port: u16,
    target: String,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    listener: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    fn start(target: &str) -> Relay {
        let mut relay = Relay {
            port: 0,
            target: target.to_string(),
            up: Arc::new(AtomicBool::new(false)),
            open: Arc::new(Mutex::new(vec![])),
            listener: None,
        };
        relay.resume();
        relay
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Listens (again, on the same port) and relays every connection.
    fn resume(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).expect("the relay's port");
        self.port = listener.local_addr().unwrap().port();
        self.up.store(true, Ordering::SeqCst);
        let (up, open, target) = (self.up.clone(), self.open.clone(), self.target.clone());
        self.listener = Some(std::thread::spawn(move || {
            for client in listener.incoming() {
                if !up.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let mut open = open.lock().unwrap();
                open.push(client.try_clone().unwrap());
                open.push(server.try_clone().unwrap());
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        }));
    }

    /// Refuses new connections and cuts the open ones.
    fn stop(&mut self) {
        self.up.store(false, Ordering::SeqCst);
        // Wakes the accept loop so it sees `up` and drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.listener.take() {
            h.join().unwrap();
        }
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

/// Copies `from` into `to` on a thread until either side closes.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 64 * 1024];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// The S3 server's `host:port`, or `None` (the test skips) when none is configured;
/// CI sets `TESSERA_REQUIRE_S3`, where a missing server fails the test.
fn server() -> Option<String> {
    let Ok(endpoint) = std::env::var("AWS_ENDPOINT") else {
        assert!(
            std::env::var_os("TESSERA_REQUIRE_S3").is_none(),
            "TESSERA_REQUIRE_S3 is set but AWS_ENDPOINT is not"
        );
        println!("skipping: no S3 server (AWS_ENDPOINT unset; CI starts SeaweedFS)");
        return None;
    };
    let hostport = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    if TcpStream::connect(&hostport).is_err() {
        assert!(
            std::env::var_os("TESSERA_REQUIRE_S3").is_none(),
            "TESSERA_REQUIRE_S3 is set but no S3 server answers at {endpoint}"
        );
        println!("skipping: no S3 server answers at {endpoint}");
        return None;
    }
    Some(hostport)
}

/// The sum of `x`, computed one chunk at a time with a pause per chunk, so that the
/// server can be stopped while it runs.
fn slow_sum(url: &str) -> tessera::Result<f64> {
    let ds = tessera::open_zarr(url)?;
    let x = ds.get("x")?.variable().data().clone();
    let slow = LazyArray::map_blocks(&[&x], "slow", DType::F64, |blocks: &[ArrayData]| {
        std::thread::sleep(Duration::from_millis(40));
        Ok(blocks[0].clone())
    })?;
    let total = Compute::new()
        .threads(1)
        .run(&[&slow.sum(&[0, 1])?])?
        .pop()
        .expect("one output");
    Ok(total.to_f64_vec()[0])
}

#[test]
fn a_server_that_stops_mid_computation_fails_clearly_and_the_same_call_succeeds_once_it_is_back() {
    let Some(target) = server() else {
        return;
    };
    let bucket = std::env::var("TESSERA_S3_BUCKET").unwrap_or_else(|_| "tessera".into());
    let mut relay = Relay::start(&target);
    let s3 = AmazonS3Builder::new()
        .with_endpoint(relay.url())
        .with_skip_signature(true)
        .with_region("us-east-1")
        .with_bucket_name(&bucket)
        .with_client_options(
            ClientOptions::new()
                .with_allow_http(true)
                .with_timeout(Duration::from_secs(5)),
        )
        .with_retry(RetryConfig {
            max_retries: 2,
            retry_timeout: Duration::from_secs(5),
            ..RetryConfig::default()
        })
        .build()
        .unwrap();
    let root = format!("s3relay://{bucket}");
    register_object_store(&root, Arc::new(s3)).unwrap();
    let url = format!("{root}/restart-{}.zarr", std::process::id());

    // 64 chunks of 32 x 32 float64 values.
    let a = ndarray::Array::from_shape_fn(ndarray::IxDyn(&[256, 256]), |i| {
        ((i[0] * 256 + i[1]) as f64 * 0.731).sin()
    });
    let mut ds = tessera::labelled::Dataset::new();
    let x = LazyArray::from_ndarray(a, &[32, 32]).unwrap();
    ds.insert(
        "x",
        tessera::labelled::Variable::new(["y", "x"], x).unwrap(),
    )
    .unwrap();
    ds.to_zarr(&url, &WriteOptions::mode(WriteMode::Overwrite))
        .unwrap();
    let want = slow_sum(&url).unwrap();

    // Stopped about a third of the way through the 64 chunks.
    let running = {
        let url = url.clone();
        std::thread::spawn(move || slow_sum(&url))
    };
    std::thread::sleep(Duration::from_millis(800));
    relay.stop();
    let stopped = Instant::now();
    let err = running
        .join()
        .unwrap()
        .expect_err("a computation whose server stopped must not return a result");
    let waited = stopped.elapsed();
    let text = err.to_string();
    println!("server stopped: failed after {waited:?}: {text}");
    assert!(text.contains(&url) && text.contains("x/c/"), "{text}");
    // object_store's retries (2, within 5 s) and tessera's (5 tries, 0.4 s of pauses).
    assert!(waited < Duration::from_secs(60), "{waited:?}");

    relay.resume();
    let again = slow_sum(&url).unwrap();
    assert_eq!(again.to_bits(), want.to_bits());
    relay.stop();
}
