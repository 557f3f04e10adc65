//! The dashboard's HTTP server (tiny_http), one per address for the life of the
//! process, always showing the latest computation started with it.
//!
//! Routes: `GET /` the page, `GET /state.json` the state; anything else is a 404, a
//! method other than GET or HEAD a 405, a header section over [`MAX_HEADER_BYTES`] a
//! 431. A server bound to loopback answers only requests whose `Host` names
//! loopback (403 otherwise), so a web page elsewhere cannot read the state through
//! a DNS name rebound to 127.0.0.1.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use tiny_http::{Header, Method, Request, Response, Server};

use super::live::LiveRun;
use super::{address, page, view};
use crate::{Error, Result};

/// The state's path.
pub(crate) const STATE_PATH: &str = "/state.json";
/// The most header bytes (names and values) a request may carry.
pub(crate) const MAX_HEADER_BYTES: usize = 16 * 1024;

/// A dashboard server: what its requests are answered from.
struct Shared {
    addr: SocketAddr,
    latest: Mutex<Option<Arc<LiveRun>>>,
    /// Computations shown so far.
    runs: Mutex<u64>,
}

/// A running dashboard: an HTTP server showing the latest computation run with
/// [`Compute::dashboard`](crate::Compute::dashboard) at its address, kept until the
/// process ends.
///
/// [`Dashboard::start`] is for when the port is chosen by the system (`127.0.0.1:0`)
/// and the program needs to know it; a computation given the same address uses the
/// same server.
///
/// ```
/// use tessera::display::Dashboard;
/// use tessera::engine::{Compute, LazyArray};
/// let dash = Dashboard::start("127.0.0.1:0")?;
/// assert!(dash.url().starts_with("http://127.0.0.1:"));
/// let a = LazyArray::from_ndarray(ndarray::Array::from_elem(vec![100], 1.0f64).into_dyn(), &[10])?;
/// let out = Compute::new().dashboard(dash.addr().to_string()).run(&[&a.sum(&[0])?])?;
/// assert_eq!(out[0].to_f64_vec(), vec![100.0]);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone)]
pub struct Dashboard {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboard")
            .field("addr", &self.shared.addr)
            .finish()
    }
}

/// The servers of this process by the address they are bound to.
fn servers() -> &'static Mutex<HashMap<SocketAddr, Arc<Shared>>> {
    static SERVERS: OnceLock<Mutex<HashMap<SocketAddr, Arc<Shared>>>> = OnceLock::new();
    SERVERS.get_or_init(Default::default)
}

impl Dashboard {
    /// Serves the dashboard on `addr` (`127.0.0.1:8787`, a port alone such as `8787`
    /// on 127.0.0.1, or `127.0.0.1:0` for a free port), or returns the server already
    /// there. Fails, naming `addr`, when it cannot be read or bound.
    pub fn start(addr: &str) -> Result<Dashboard> {
        let wanted = address::parse(addr)?;
        let mut all = servers().lock().unwrap_or_else(|e| e.into_inner());
        if wanted.port() != 0
            && let Some(shared) = all.get(&wanted)
        {
            return Ok(Dashboard {
                shared: shared.clone(),
            });
        }
        let io = |source: std::io::Error| Error::Io {
            path: format!("the dashboard address {addr:?} ({wanted})"),
            source,
        };
        let server = Server::http(wanted).map_err(|e| io(std::io::Error::other(e)))?;
        let bound = server.server_addr().to_ip().unwrap_or(wanted);
        let shared = Arc::new(Shared {
            addr: bound,
            latest: Mutex::new(None),
            runs: Mutex::new(0),
        });
        let serving = shared.clone();
        std::thread::Builder::new()
            .name(format!("tessera-dashboard-{}", bound.port()))
            .spawn(move || {
                for request in server.incoming_requests() {
                    answer(&serving, request);
                }
            })
            .map_err(io)?;
        all.insert(bound, shared.clone());
        Ok(Dashboard { shared })
    }

    /// The address the server is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The page's URL, `http://127.0.0.1:8787/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.shared.addr)
    }

    /// A new computation to show, replacing the last one.
    pub(crate) fn begin(&self, workers: usize, limit: usize) -> Arc<LiveRun> {
        let id = {
            let mut runs = self.shared.runs.lock().unwrap_or_else(|e| e.into_inner());
            *runs += 1;
            *runs
        };
        let run = Arc::new(LiveRun::new(id, workers, limit));
        *self.shared.latest.lock().unwrap_or_else(|e| e.into_inner()) = Some(run.clone());
        run
    }
}

/// A header from constant ASCII text (`None` never happens for the ones below).
fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name, value).ok()
}

/// A response with `body`, `status` and `content_type`, never cached, with a policy
/// that forbids loading anything from elsewhere.
fn reply(status: u16, content_type: &str, body: String) -> Response<std::io::Cursor<Vec<u8>>> {
    let headers = [
        header("Content-Type", content_type),
        header("Cache-Control", "no-store"),
        header("X-Content-Type-Options", "nosniff"),
        header(
            "Content-Security-Policy",
            "default-src 'none'; connect-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
        ),
    ];
    headers.into_iter().flatten().fold(
        Response::from_string(body).with_status_code(status),
        |r, h| r.with_header(h),
    )
}

fn answer(shared: &Shared, request: Request) {
    let response = respond(shared, &request);
    // A client that went away cannot be told anything.
    let _ = request.respond(response);
}

fn respond(shared: &Shared, request: &Request) -> Response<std::io::Cursor<Vec<u8>>> {
    let text = |status, message: String| reply(status, "text/plain; charset=utf-8", message);
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|h| h.field.as_str().as_str().len() + h.value.as_str().len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return text(
            431,
            format!(
                "request headers of {header_bytes} bytes; at most {MAX_HEADER_BYTES} are read\n"
            ),
        );
    }
    if !host_allowed(shared.addr, request) {
        return text(
            403,
            "this dashboard answers only on its loopback address\n".into(),
        );
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        let refused = text(
            405,
            format!("{} is not served here: use GET\n", request.method()),
        );
        return match header("Allow", "GET, HEAD") {
            Some(allow) => refused.with_header(allow),
            None => refused,
        };
    }
    let path = request.url().split(['?', '#']).next().unwrap_or("");
    let latest = shared
        .latest
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let state = || {
        latest
            .as_deref()
            .map_or(serde_json::Value::Null, view::state_json)
    };
    match path {
        "/" | "/index.html" => reply(200, "text/html; charset=utf-8", page::render(&state())),
        STATE_PATH => reply(200, "application/json", state().to_string()),
        _ => {
            // Said back as written, but not at any length.
            let shown: String = path.chars().take(200).collect();
            text(
                404,
                format!(
                    "nothing at {shown:?}: the dashboard is at / and its state at {STATE_PATH}\n"
                ),
            )
        }
    }
}

/// Whether the request's `Host` may be answered: any, unless the server is bound to
/// loopback, where only a loopback name or address (or no `Host`, which no browser
/// sends) is.
fn host_allowed(bound: SocketAddr, request: &Request) -> bool {
    if !bound.ip().is_loopback() {
        return true;
    }
    let Some(host) = request.headers().iter().find(|h| h.field.equiv("Host")) else {
        return true;
    };
    is_loopback_host(host.value.as_str())
}

/// `localhost`, `127.0.0.1`, `[::1]`, each with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboard_hosts_on_loopback_are_told_apart_from_others() {
        for ok in [
            "localhost",
            "localhost:8787",
            "127.0.0.1:1",
            "127.0.0.2",
            "[::1]:80",
            "[::1]",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for no in [
            "evil.example:8787",
            "10.0.0.1:8787",
            "localhost.evil.example",
            "",
            "[::2]:1",
        ] {
            assert!(!is_loopback_host(no), "{no}");
        }
    }
}
