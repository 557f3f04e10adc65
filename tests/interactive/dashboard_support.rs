//! What the dashboard tests share: raw HTTP requests on loopback, and a computation
//! whose tasks go slowly until the test lets them finish, so a page can be looked at
//! while it runs.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ndarray::{ArrayD, IxDyn};
use tessera::engine::{ArrayData, ChunkGrid, Compute, DType, LazyArray};

/// A response: status, head (status line and headers), body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) head: String,
    pub(crate) body: String,
}

/// Sends `request` (bytes as written) to `addr` and reads the reply to its end.
pub(crate) fn send(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // The server may answer (and close) before a huge request is all written.
    let _ = s.write_all(request);
    let mut bytes = vec![];
    let _ = s.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Reply {
        status,
        head: head.to_string(),
        body: if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    }
}

/// The body of a chunked transfer (`size in hex CRLF data CRLF`, ending with size 0).
fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

/// `GET path` with a loopback `Host`, as a browser on this machine asks.
pub(crate) fn get(addr: SocketAddr, path: &str) -> Reply {
    send(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// The dashboard's state as JSON.
pub(crate) fn state(addr: SocketAddr) -> serde_json::Value {
    let r = get(addr, "/state.json");
    assert_eq!(r.status, 200, "{}", r.head);
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

/// Polls the state until `ok` holds (panics after 60 s with the last state).
pub(crate) fn wait_for(
    addr: SocketAddr,
    what: &str,
    ok: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let t0 = Instant::now();
    loop {
        let s = state(addr);
        if ok(&s) {
            return s;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no {what} after 60 s: {s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Chunks of the slow computation, and their size.
pub(crate) const CHUNKS: usize = 1000;
pub(crate) const CHUNK: usize = 64;

/// A computation of [`CHUNKS`] generated chunks (chunk `i` holds `i` everywhere),
/// summed on 2 workers under a 64 MiB budget with the dashboard at `addr`; each task
/// sleeps 20 ms until `release` is set. Returns the thread computing the sum.
pub(crate) fn slow_sum(addr: SocketAddr, release: Arc<AtomicBool>) -> JoinHandle<f64> {
    let grid = ChunkGrid::regular(&[CHUNKS * CHUNK], &[CHUNK]).unwrap();
    let a = LazyArray::from_fn("slow tiles", DType::F64, grid, move |idx, region| {
        if !release.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let n = region[0].len();
        Ok(ArrayData::new(ArrayD::from_elem(
            IxDyn(&[n]),
            idx[0] as f64,
        )))
    });
    let total = a.sum(&[0]).unwrap();
    std::thread::spawn(move || {
        let out = Compute::new()
            .threads(2)
            .memory_limit(64 << 20)
            .dashboard(addr.to_string())
            .run(&[&total])
            .unwrap();
        out[0].to_f64_vec()[0]
    })
}

/// The sum [`slow_sum`] must give, computed eagerly.
pub(crate) fn slow_sum_expected() -> f64 {
    let whole = ndarray::Array1::from_shape_fn(CHUNKS * CHUNK, |i| (i / CHUNK) as f64);
    whole.sum()
}
