//! Where the dashboard listens: what the user wrote (`Compute::dashboard`, or
//! `TESSERA_DASHBOARD`) read as a socket address, on loopback unless told otherwise.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};

use crate::{Error, Result};

/// The address for `text`: `127.0.0.1:8787`, `[::1]:8787`, `localhost:8787`, or a
/// port alone (`8787`, `:8787`) on 127.0.0.1. Another interface (`0.0.0.0:8787`) is
/// used only when written out.
pub(crate) fn parse(text: &str) -> Result<SocketAddr> {
    let t = text.trim();
    let bad = |why: &str| {
        Error::invalid(format!(
            "cannot serve the dashboard on {text:?}: {why} (write an address such as 127.0.0.1:8787, or a port such as 8787)"
        ))
    };
    if t.is_empty() {
        return Err(bad("the address is empty"));
    }
    let port_only = t.strip_prefix(':').unwrap_or(t);
    if port_only.bytes().all(|b| b.is_ascii_digit()) {
        let port: u16 = port_only
            .parse()
            .map_err(|_| bad("a port is a number from 0 to 65535"))?;
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Ok(addr) = t.parse::<SocketAddr>() {
        return Ok(addr);
    }
    // A host name with a port (`localhost:8787`): the resolver's first answer.
    t.to_socket_addrs()
        .map_err(|e| bad(&e.to_string()))?
        .next()
        .ok_or_else(|| bad("the host name has no address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboard_addresses_default_to_loopback() {
        let local = |p| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), p);
        assert_eq!(parse("8787").unwrap(), local(8787));
        assert_eq!(parse(":8787").unwrap(), local(8787));
        assert_eq!(parse(" 127.0.0.1:0 ").unwrap(), local(0));
        assert_eq!(parse("[::1]:9000").unwrap(), "[::1]:9000".parse().unwrap());
        assert_eq!(parse("0.0.0.0:1").unwrap(), "0.0.0.0:1".parse().unwrap());
        assert!(parse("localhost:8787").unwrap().ip().is_loopback());
    }

    #[test]
    fn bad_dashboard_addresses_name_what_was_written() {
        for text in ["", "99999", "127.0.0.1", "not an address", "1.2.3.4:port"] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(&format!("{text:?}")), "{e}");
        }
    }
}
