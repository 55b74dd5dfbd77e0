//! The client's address, resolved once per request for rate limits, login lockouts, audit
//! entries and logs. Behind nginx or a load balancer (the production layout) the TCP peer is
//! the proxy, and keying on it would give every user one shared budget; but a forwarding
//! header is only as true as whoever wrote it. So the headers are read only when the peer is
//! one of `TRUSTED_PROXIES`, and then from the right: the nearest address that is not a
//! trusted proxy is the client (anything to its left was written by the client itself).

use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The resolved client address, in the request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client behind `peer`: `peer` itself unless it is a trusted proxy; else the rightmost
/// address of the forwarding chain that is not a trusted proxy. A chain that cannot be read
/// before such an address is found gives the peer (never a guess).
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut nearest = peer;
    for hop in chain(headers).into_iter().rev() {
        match hop {
            Some(ip) if is_trusted(&ip) => nearest = ip,
            Some(ip) => return ip,
            None => return nearest,
        }
    }
    nearest
}

/// The forwarding chain, client first: RFC 7239 `Forwarded` (`for=`) when present, else
/// `X-Forwarded-For`; `None` for an element that is not an address (`unknown`, obfuscated
/// names, garbage).
fn chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let joined = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",")
    };
    let forwarded = joined("forwarded");
    if !forwarded.trim().is_empty() {
        return forwarded
            .split(',')
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| node(v))
            })
            .collect();
    }
    joined("x-forwarded-for")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(node)
        .collect()
}

/// `192.0.2.60`, `"[2001:db8::17]:4711"`, `192.0.2.60:8080` → the address.
fn node(raw: &str) -> Option<IpAddr> {
    let v = raw.trim().trim_matches('"');
    if let Ok(ip) = v.parse() {
        return Some(ip);
    }
    if let Ok(sa) = v.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    v.strip_prefix('[')
        .and_then(|r| r.split(']').next())
        .and_then(|ip| ip.parse().ok())
}

/// The peer of the connection, when the server recorded it.
pub fn peer(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Middleware: puts the [`ClientAddr`] in the request for everything after it.
pub async fn layer(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(peer) = peer(req.extensions()) {
        let ip = resolve(peer, req.headers(), &st.config.trusted_proxies);
        req.extensions_mut().insert(ClientAddr(ip));
    }
    next.run(req).await
}

/// The resolved address, else the peer.
pub fn of(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ClientAddr>()
        .map(|c| c.0)
        .or_else(|| peer(extensions))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn headers_count_only_from_a_trusted_proxy_and_from_the_right() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.2")]);
        // From the load balancer: the client is the nearest untrusted address; the spoofed
        // 6.6.6.6 the client wrote itself is ignored.
        assert_eq!(resolve(ip("10.0.0.1"), &xff, &trusted), ip("203.0.113.7"));
        // From anyone else, the header is ignored.
        assert_eq!(
            resolve(ip("198.51.100.9"), &xff, &trusted),
            ip("198.51.100.9")
        );
        // No proxies configured: the peer, always.
        assert_eq!(resolve(ip("10.0.0.1"), &xff, &[]), ip("10.0.0.1"));
        // RFC 7239, quoted IPv6 with a port; it wins over X-Forwarded-For.
        let fwd = headers(&[
            (
                "forwarded",
                r#"for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.3"#,
            ),
            ("x-forwarded-for", "6.6.6.6"),
        ]);
        assert_eq!(
            resolve(ip("10.0.0.1"), &fwd, &trusted),
            ip("2001:db8:cafe::17")
        );
        // Garbage nearer than any client address: the nearest trusted hop, never a guess.
        let bad = headers(&[("x-forwarded-for", "203.0.113.7, not-an-ip")]);
        assert_eq!(resolve(ip("10.0.0.1"), &bad, &trusted), ip("10.0.0.1"));
        // Only trusted hops: the farthest of them.
        let internal = headers(&[("x-forwarded-for", "10.0.0.9")]);
        assert_eq!(resolve(ip("10.0.0.1"), &internal, &trusted), ip("10.0.0.9"));
    }
}
