//! Stores over the network: S3 (a local SeaweedFS server, as `.ci/run` starts it)
//! and HTTP (a fixture directory served by `python3 -m http.server`). Each test
//! prints why and returns when its server cannot be had.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::zarr_fixtures::{FIXTURES, check, describe, expected};
use tessera::Error;
use tessera::io::{OpenOptions, WriteMode, WriteOptions};

fn reachable(addr: &str) -> Option<SocketAddr> {
    let sock = addr.to_socket_addrs().ok()?.next()?;
    TcpStream::connect_timeout(&sock, Duration::from_millis(500)).ok()?;
    Some(sock)
}

/// Creates a bucket anonymously (SeaweedFS accepts unsigned requests).
fn create_bucket(sock: SocketAddr, bucket: &str) {
    if let Ok(mut s) = TcpStream::connect_timeout(&sock, Duration::from_secs(2)) {
        let req = format!(
            "PUT /{bucket} HTTP/1.1\r\nHost: {sock}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let _ = s.write_all(req.as_bytes());
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
    }
}

fn set(key: &str, value: &str) {
    // SAFETY: this is the only test in this binary that reads or writes the environment.
    unsafe { std::env::set_var(key, value) };
}

#[test]
fn s3_without_a_server_fails_fast_then_round_trips_with_one() {
    let saved: Vec<(String, Option<String>)> = [
        "AWS_ENDPOINT",
        "AWS_ALLOW_HTTP",
        "AWS_SKIP_SIGNATURE",
        "AWS_REGION",
    ]
    .iter()
    .map(|k| (k.to_string(), std::env::var(k).ok()))
    .collect();
    set("AWS_ENDPOINT", "http://127.0.0.1:9");
    set("AWS_ALLOW_HTTP", "true");
    set("AWS_SKIP_SIGNATURE", "true");
    set("AWS_REGION", "us-east-1");
    let start = Instant::now();
    let err = tessera::open_zarr("s3://nobucket/x.zarr").unwrap_err();
    assert!(
        matches!(&err, Error::Store { url, .. } if url == "s3://nobucket/x.zarr"),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "took {:?}",
        start.elapsed()
    );
    println!("no server: failed in {:?}: {err}", start.elapsed());
    for (k, v) in &saved {
        match v {
            Some(v) => set(k, v),
            // SAFETY: as in `set`: no other test of this binary touches the environment.
            None => unsafe { std::env::remove_var(k) },
        }
    }

    let endpoint = std::env::var("AWS_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:8333".into());
    let hostport = endpoint
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .trim_end_matches('/');
    let Some(sock) = reachable(hostport) else {
        // CI starts a server and sets this: there the round trip must run, not skip.
        assert!(
            std::env::var_os("TESSERA_REQUIRE_S3").is_none(),
            "TESSERA_REQUIRE_S3 is set but no S3 server answers at {endpoint}"
        );
        println!(
            "skipping the S3 round trip: no S3 server at {endpoint} (CI starts SeaweedFS there)"
        );
        return;
    };
    if std::env::var("AWS_ENDPOINT").is_err() {
        set("AWS_ENDPOINT", &endpoint);
        set("AWS_ALLOW_HTTP", "true");
        set("AWS_SKIP_SIGNATURE", "true");
        set("AWS_REGION", "us-east-1");
    }
    let bucket = std::env::var("TESSERA_S3_BUCKET").unwrap_or_else(|_| "tessera".into());
    create_bucket(sock, &bucket);
    let src =
        tessera::open_zarr_with(&format!("{FIXTURES}/v3_zstd.zarr"), &OpenOptions::raw()).unwrap();
    let want = describe(&src);
    for format in [2u8, 3] {
        let url = format!("s3://{bucket}/run-{}/v{format}.zarr", std::process::id());
        let opts = WriteOptions {
            mode: WriteMode::Overwrite,
            zarr_format: format,
            ..WriteOptions::default()
        };
        src.to_zarr(&url, &opts)
            .unwrap_or_else(|e| panic!("writing {url}: {e}"));
        let back = tessera::open_zarr_with(&url, &OpenOptions::raw()).unwrap();
        // xarray's raw view of the source has the same variables as tessera's copy,
        // which adds nothing but the `coordinates` attributes already there.
        check(&back, &want, &url);
    }
}

/// A minimal static file server with the `Range` and `HEAD` support object_store's
/// HTTP store needs (python's http.server has no ranges). Returns `host:port`.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || handle(stream, &root));
        }
    });
    addr
}

fn handle(mut s: TcpStream, root: &Path) {
    let mut req = vec![];
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&req).to_string();
    let mut lines = text.lines();
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let (method, path) = (first.next().unwrap_or(""), first.next().unwrap_or("/"));
    let range = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("range"))
        .and_then(|(_, v)| v.trim().strip_prefix("bytes=").map(str::to_string));
    let file = root.join(path.trim_start_matches('/'));
    let Ok(data) = std::fs::read(&file) else {
        let _ = s
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let n = data.len();
    let (status, lo, hi) = match range.as_deref().and_then(|r| r.split_once('-')) {
        Some(("", suffix)) => {
            let k: usize = suffix.parse().unwrap_or(0);
            ("206 Partial Content", n.saturating_sub(k), n)
        }
        Some((a, b)) => {
            let lo: usize = a.parse().unwrap_or(0);
            let hi = if b.is_empty() {
                n
            } else {
                (b.parse::<usize>().unwrap_or(n) + 1).min(n)
            };
            ("206 Partial Content", lo.min(n), hi)
        }
        None => ("200 OK", 0, n),
    };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        hi - lo
    );
    if range.is_some() {
        head += &format!("Content-Range: bytes {lo}-{}/{n}\r\n", hi.max(1) - 1);
    }
    head += "\r\n";
    let _ = s.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = s.write_all(&data[lo..hi]);
    }
}

#[test]
fn http_reads_a_consolidated_store() {
    let addr = serve(PathBuf::from(FIXTURES));
    let exp = expected();
    for store in ["v3_zstd.zarr", "v2_blosc_lz4.zarr"] {
        let url = format!("http://{addr}/{store}");
        let ds = tessera::open_zarr_with(&url, &OpenOptions::raw())
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        check(&ds, &exp[store]["raw"], &url);
    }
    let url = format!("http://{addr}/v3_zstd.zarr");
    let ds = tessera::open_zarr_with(&url, &OpenOptions::raw()).unwrap();
    let err = ds
        .to_zarr(&url, &WriteOptions::mode(WriteMode::Append))
        .unwrap_err()
        .to_string();
    assert!(err.contains("read-only"), "{err}");
}
