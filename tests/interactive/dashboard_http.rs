//! The live dashboard over HTTP: each endpoint during and after a computation, bad
//! requests answered with a 4xx (never a panic: the server keeps answering), the
//! default bind on loopback only, `TESSERA_DASHBOARD`, and the numbers it shows
//! against the profile of the same computation and an eager result.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tessera::display::Dashboard;
use tessera::prelude::*;

use super::dashboard_support::{CHUNKS, get, send, slow_sum, slow_sum_expected, state, wait_for};

#[test]
fn dashboard_endpoints_during_and_after_a_computation() {
    let dash = Dashboard::start("127.0.0.1:0").unwrap();
    let addr = dash.addr();
    let release = Arc::new(AtomicBool::new(false));
    let sum = slow_sum(addr, release.clone());
    // Tasks reach the page as they end; progress, memory and reads every 100 ms.
    let live = wait_for(addr, "10 chunks done", |s| {
        s["progress"]["chunks_done"].as_u64().unwrap_or(0) >= 10
    });
    assert_eq!(live["status"], "running", "{live}");
    assert_eq!(live["workers"], 2);
    assert_eq!(live["progress"]["chunks_total"], CHUNKS);
    let done = live["progress"]["chunks_done"].as_u64().unwrap();
    assert!((10..CHUNKS as u64).contains(&done), "{live}");
    assert!(live["tasks"]["done"].as_u64().unwrap() >= done, "{live}");
    let text = live["progress"]["text"].as_str().unwrap();
    assert!(text.contains(&format!("{done}/{CHUNKS} chunks")), "{text}");
    assert_eq!(live["memory"]["limit"], 64 << 20);
    assert!(live["memory"]["in_use"].as_u64().unwrap() <= 64 << 20);
    let memory = live["memory"]["text"].as_str().unwrap();
    assert!(
        memory.contains("in use of a 64.0 MiB budget (peak"),
        "{memory}"
    );
    let svg = live["tasks"]["svg"].as_str().unwrap();
    assert_eq!(svg.matches(r#"class="lane""#).count(), 2, "{svg}");
    assert!(svg.matches(r#"class="task""#).count() >= 10, "{svg}");
    assert!(
        live["plan"].as_str().unwrap().contains("slow tiles"),
        "{live}"
    );

    let page = get(addr, "/");
    assert_eq!(page.status, 200, "{}", page.head);
    assert!(
        page.head.contains("Content-Type: text/html"),
        "{}",
        page.head
    );
    assert!(
        page.head
            .contains("Content-Security-Policy: default-src 'none'"),
        "{}",
        page.head
    );
    assert!(page.body.contains("<title>tessera dashboard</title>"));
    // The state at the time, inside the page, with its task rectangles.
    assert!(page.body.contains(r#"class=\"task\""#));
    // Nothing from the network: the only URL is the SVG namespace, which loads nothing.
    let urls = page.body.replace("http://www.w3.org/2000/svg", "");
    for asset in ["http://", "https://", "src=", "href=", "url(", "@import"] {
        assert!(!urls.contains(asset), "{asset} in the page");
    }

    release.store(true, Ordering::Relaxed);
    let total = sum.join().unwrap();
    assert_eq!(total, slow_sum_expected());
    let end = state(addr);
    assert!(
        end["status"].as_str().unwrap().starts_with("finished in"),
        "{end}"
    );
    assert_eq!(end["running"], false);
    assert_eq!(end["progress"]["chunks_done"], CHUNKS);
    assert_eq!(end["progress"]["fraction"], 1.0);
    assert_eq!(end["tasks"]["done"], CHUNKS, "one task per chunk");
    // The page polls the same state.
    assert!(get(addr, "/state.json?t=1").body.contains("finished in"));
}

#[test]
fn dashboard_refuses_bad_requests_with_4xx_and_keeps_serving() {
    let dash = Dashboard::start("127.0.0.1:0").unwrap();
    let addr = dash.addr();
    let host = format!("Host: {addr}\r\n");
    let request =
        |first: &str, extra: &str| format!("{first}\r\n{host}{extra}Connection: close\r\n\r\n");
    // Nothing computed yet: the page waits, the state is null.
    assert_eq!(get(addr, "/").status, 200);
    assert_eq!(get(addr, "/state.json").body, "null");

    let unknown = get(addr, "/admin/../etc/passwd");
    assert_eq!(unknown.status, 404, "{}", unknown.head);
    assert!(unknown.body.contains("/state.json"), "{}", unknown.body);
    let long = get(addr, &format!("/{}", "a".repeat(20_000)));
    assert_eq!(long.status, 404);
    assert!(long.body.len() < 400, "the path is not echoed at length");

    let post = send(
        addr,
        request("POST /state.json HTTP/1.1", "Content-Length: 0\r\n").as_bytes(),
    );
    assert_eq!(post.status, 405, "{}", post.head);
    assert!(post.head.contains("Allow: GET, HEAD"), "{}", post.head);

    for size in [20_000, 1 << 20] {
        let huge = request(
            "GET / HTTP/1.1",
            &format!("X-Huge: {}\r\n", "x".repeat(size)),
        );
        let r = send(addr, huge.as_bytes());
        assert_eq!(r.status, 431, "{size} bytes of header: {}", r.head);
    }
    let many = (0..2000)
        .map(|i| format!("X-{i}: {}\r\n", "y".repeat(20)))
        .collect::<String>();
    assert_eq!(
        send(addr, request("GET / HTTP/1.1", &many).as_bytes()).status,
        431
    );

    assert_eq!(send(addr, b"GARBAGE\r\n\r\n").status, 400);
    assert_eq!(
        send(addr, b"GET / HTTP/1.1\r\nno colon here\r\n\r\n").status,
        400
    );
    let rebound = send(
        addr,
        b"GET /state.json HTTP/1.1\r\nHost: evil.example:8787\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(rebound.status, 403, "{}", rebound.head);
    // Bytes that are not ASCII: tiny_http closes the connection without a word (or
    // says 400); the server goes on.
    let binary = send(addr, &[0xff, 0xfe, 0x00, b'\r', b'\n', b'\r', b'\n']);
    assert!(matches!(binary.status, 0 | 400), "{}", binary.head);

    // Still answering.
    assert_eq!(get(addr, "/").status, 200);
    assert_eq!(
        send(addr, request("HEAD / HTTP/1.1", "").as_bytes()).status,
        200
    );
}

/// The listening sockets for `port` in /proc/net/tcp and tcp6, as local addresses in
/// the kernel's hex (`0100007F` is 127.0.0.1, `00000000` any).
fn listeners(port: u16) -> Vec<String> {
    let mut out = vec![];
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let Some((ip, p)) = cols.get(1).and_then(|a| a.split_once(':')) else {
                continue;
            };
            // 0A is LISTEN.
            if cols.get(3) == Some(&"0A") && u16::from_str_radix(p, 16) == Ok(port) {
                out.push(ip.to_string());
            }
        }
    }
    out
}

#[test]
fn dashboard_binds_only_loopback_by_default() {
    let dash = Dashboard::start("0").unwrap();
    assert_eq!(dash.addr().ip(), std::net::Ipv4Addr::LOCALHOST);
    assert_eq!(
        dash.url(),
        format!("http://127.0.0.1:{}/", dash.addr().port())
    );
    if std::path::Path::new("/proc/net/tcp").exists() {
        assert_eq!(listeners(dash.addr().port()), vec!["0100007F".to_string()]);
    }
    // The same address again is the same server.
    let again = Dashboard::start(&dash.addr().to_string()).unwrap();
    assert_eq!(again.addr(), dash.addr());
    // A taken port is an error naming what was asked for.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let e = Dashboard::start(&format!("{port}"))
        .unwrap_err()
        .to_string();
    assert!(e.contains(&format!("\"{port}\"")), "{e}");
    let e = Dashboard::start("localhost:http-alt:1")
        .unwrap_err()
        .to_string();
    assert!(e.contains("localhost:http-alt:1"), "{e}");
}

#[cfg(feature = "zarr")]
#[test]
fn dashboard_numbers_match_the_profile_of_a_zarr_computation() {
    let dir = std::env::temp_dir().join(format!("tessera-dashboard-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = dir.join("d.zarr").to_str().unwrap().to_string();
    let values = ndarray::Array2::from_shape_fn((60, 40), |(i, j)| (i * 40 + j) as f64 * 0.5);
    DataArray::from_ndarray("v", ["y", "x"], values.clone().into_dyn(), &[7, 40])
        .unwrap()
        .to_zarr(&url, &WriteOptions::default())
        .unwrap();
    let v = open_zarr(&url).unwrap().get("v").unwrap();
    let mean = v.data().mean(&[0]).unwrap();
    let dash = Dashboard::start("127.0.0.1:0").unwrap();
    let compute = Compute::new()
        .threads(2)
        .dashboard(dash.addr().to_string())
        .record_profile();
    let out = compute.run(&[&mean]).unwrap();
    let expected = values.mean_axis(ndarray::Axis(0)).unwrap().to_vec();
    assert_eq!(out[0].to_f64_vec(), expected);
    let profile = compute.last_profile().unwrap();
    let s = state(dash.addr());
    assert_eq!(s["store"]["bytes_read"], profile.store_bytes_read(), "{s}");
    assert_eq!(s["store"]["bytes_stored"], profile.store_bytes_stored());
    assert_eq!(profile.store_bytes_read(), 60 * 40 * 8);
    assert_eq!(s["tasks"]["done"], profile.tasks.len());
    assert!(
        s["store"]["text"].as_str().unwrap().contains("(1.00×)"),
        "{s}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

const CHILD: &str = "TESSERA_TEST_DASHBOARD_CHILD";

/// In the child: one computation with `TESSERA_DASHBOARD` set, then its state.
fn child() {
    let a = LazyArray::from_ndarray(
        ndarray::Array::from_elem(vec![100], 2.0f64).into_dyn(),
        &[10],
    )
    .unwrap();
    match Compute::new().threads(1).run(&[&a.sum(&[0]).unwrap()]) {
        Ok(out) => {
            let addr = std::env::var("TESSERA_DASHBOARD").unwrap().parse().unwrap();
            println!("SUM {}", out[0].to_f64_vec()[0]);
            println!("STATE {}", state(addr));
        }
        Err(e) => println!("ERROR {e}"),
    }
}

fn run_child(setting: &str) -> String {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "dashboard_http::dashboard_from_the_environment",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("TESSERA_DASHBOARD", setting)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn dashboard_from_the_environment() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap();
    drop(free);
    let out = run_child(&addr.to_string());
    assert!(out.contains("SUM 200"), "{out}");
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("STATE "))
        .unwrap_or_else(|| panic!("{out}"));
    let s: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(s["tasks"]["done"], 10, "{s}");
    assert!(s["status"].as_str().unwrap().starts_with("finished"), "{s}");

    let out = run_child("not an address");
    assert!(out.contains("ERROR"), "{out}");
    assert!(
        out.contains("TESSERA_DASHBOARD=\"not an address\""),
        "{out}"
    );
}
