//! Host name resolution for the transport's agent: IP literals answered directly, names cached
//! for a short time, and a lookup that can hang bounded by the call's deadline.
//!
//! Why not ureq's `DefaultResolver`: ureq resolves on every request, before it looks for a
//! pooled connection, and with a timeout set (hwinst always sets one) it resolves in a new
//! thread so that a hanging lookup can be abandoned. That is a thread spawned and joined per
//! call, even on a kept-alive connection: about as much CPU as the rest of the call. Here a
//! thread is spawned only on a cache miss, at most once per host and [`TTL`].

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long resolved addresses are reused. Short, so that a moved endpoint is followed soon;
/// a lookup is needed only when a new connection is, so a longer one would save little.
pub(crate) const TTL: Duration = Duration::from_secs(30);

/// More hosts than a client talks to (four services, IAM and a proxy): past this, expired
/// entries are dropped, and if none has expired the cache starts again.
const MAX_ENTRIES: usize = 32;

/// ureq's [`Resolver`] for hwinst's agent (see the module's documentation).
#[derive(Debug)]
pub(crate) struct CachingResolver {
    cache: Mutex<Vec<Entry>>,
    /// The system's lookup (a stand-in in tests).
    system: Lookup,
}

type Lookup = fn(&str, u16) -> std::io::Result<Vec<SocketAddr>>;

impl Default for CachingResolver {
    fn default() -> CachingResolver {
        CachingResolver {
            cache: Mutex::default(),
            system: |host, port| Ok((host, port).to_socket_addrs()?.collect()),
        }
    }
}

#[derive(Debug)]
struct Entry {
    host: Box<str>,
    port: u16,
    addrs: Vec<SocketAddr>,
    expires: Instant,
}

impl Resolver for CachingResolver {
    // Real time, as for the network timeouts (src/clock.rs): the cache's TTL is the network's
    // business, and ureq calls this on its own, without the client's clock.
    #[allow(clippy::disallowed_methods)]
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        // Another scheme (a SOCKS proxy, say) or a malformed URI: ureq's own handling.
        let Some((host, port)) = host_and_port(uri) else {
            return DefaultResolver::default().resolve(uri, config, timeout);
        };
        let literal = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .parse::<IpAddr>();
        if let Ok(ip) = literal {
            return self.wanted([SocketAddr::new(ip, port)].into_iter(), config);
        }
        let now = Instant::now();
        if let Some(entry) = self
            .lock()
            .iter()
            .find(|e| e.port == port && *e.host == *host && e.expires > now)
        {
            return self.wanted(entry.addrs.iter().copied(), config);
        }
        let addrs = lookup(self.system, host, port, timeout)?;
        let result = self.wanted(addrs.iter().copied(), config);
        let mut cache = self.lock();
        cache.retain(|e| e.expires > now && !(e.port == port && *e.host == *host));
        if cache.len() >= MAX_ENTRIES {
            cache.clear();
        }
        cache.push(Entry {
            host: host.into(),
            port,
            addrs,
            expires: now + TTL,
        });
        result
    }
}

impl CachingResolver {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        // The cache is consistent whatever panicked while holding it.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The addresses of the IP family the configuration asks for, or "host not found".
    fn wanted(
        &self,
        addrs: impl Iterator<Item = SocketAddr>,
        config: &Config,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let mut result = self.empty();
        for addr in config.ip_family().keep_wanted(addrs).take(16) {
            result.push(addr);
        }
        if result.is_empty() {
            Err(ureq::Error::HostNotFound)
        } else {
            Ok(result)
        }
    }
}

/// The host and port of an `http` or `https` URI (the port defaulted by the scheme).
fn host_and_port(uri: &Uri) -> Option<(&str, u16)> {
    let default = match uri.scheme_str()? {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = uri.authority()?;
    let host = authority.host();
    (!host.is_empty()).then(|| (host, authority.port_u16().unwrap_or(default)))
}

/// `system`'s lookup of `host`, in a helper thread that is abandoned (left to finish on its
/// own) when `timeout` passes first: `getaddrinfo` cannot be interrupted.
fn lookup(
    system: Lookup,
    host: &str,
    port: u16,
    timeout: NextTimeout,
) -> Result<Vec<SocketAddr>, ureq::Error> {
    let resolve = move |host: String| system(&host, port);
    let addrs = if timeout.after.is_not_happening() {
        resolve(host.to_owned())
    } else {
        let (tx, rx) = mpsc::sync_channel(1);
        let host = host.to_owned();
        std::thread::Builder::new()
            .name("hwinst-resolve".into())
            .spawn(move || tx.send(resolve(host)))?;
        match rx.recv_timeout(*timeout.after) {
            Ok(addrs) => addrs,
            Err(RecvTimeoutError::Timeout) => return Err(ureq::Error::Timeout(timeout.reason)),
            Err(RecvTimeoutError::Disconnected) => return Err(ureq::Error::HostNotFound),
        }
    };
    match addrs {
        Ok(addrs) if !addrs.is_empty() => Ok(addrs),
        Ok(_) => Err(ureq::Error::HostNotFound),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::time;

    fn resolve(resolver: &CachingResolver, uri: &str) -> Result<Vec<SocketAddr>, ureq::Error> {
        let timeout = NextTimeout {
            after: time::Duration::Exact(Duration::from_secs(5)),
            ..NextTimeout::default()
        };
        let config = Config::default();
        let addrs = resolver.resolve(&uri.parse().unwrap(), &config, timeout)?;
        Ok(addrs.to_vec())
    }

    #[test]
    fn ip_literals_are_answered_without_a_lookup() {
        let resolver = CachingResolver::default();
        assert_eq!(
            resolve(&resolver, "http://127.0.0.1:8080/x").unwrap(),
            ["127.0.0.1:8080".parse().unwrap()]
        );
        assert_eq!(
            resolve(&resolver, "https://[::1]/").unwrap(),
            ["[::1]:443".parse().unwrap()]
        );
        assert!(resolver.lock().is_empty());
    }

    #[test]
    fn names_are_cached_per_host_and_port() {
        let resolver = CachingResolver::default();
        let first = resolve(&resolver, "http://localhost:8080/").unwrap();
        assert!(first
            .iter()
            .all(|a| a.port() == 8080 && a.ip().is_loopback()));
        assert_eq!(
            resolve(&resolver, "http://localhost:8080/b").unwrap(),
            first
        );
        resolve(&resolver, "http://localhost:9090/").unwrap();
        let cache = resolver.lock();
        assert_eq!(cache.len(), 2);
        assert!(cache.iter().all(|e| &*e.host == "localhost"));
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // the cache's expiry is in real time (see `resolve`)
    fn expired_entries_are_resolved_again() {
        let resolver = CachingResolver::default();
        resolve(&resolver, "http://localhost:8080/").unwrap();
        resolver.lock()[0].expires = Instant::now() - Duration::from_secs(1);
        resolve(&resolver, "http://localhost:8080/").unwrap();
        let cache = resolver.lock();
        assert_eq!(cache.len(), 1);
        assert!(cache[0].expires > Instant::now());
    }

    #[test]
    // A lookup that really hangs, abandoned at a real-time timeout (ureq's, not the clock's).
    #[allow(clippy::disallowed_methods)]
    fn a_lookup_that_hangs_ends_at_the_timeout() {
        let resolver = CachingResolver {
            system: |_, _| {
                std::thread::sleep(Duration::from_secs(10));
                Ok(vec![])
            },
            ..CachingResolver::default()
        };
        let timeout = NextTimeout {
            after: time::Duration::Exact(Duration::from_millis(200)),
            ..NextTimeout::default()
        };
        let start = Instant::now();
        let uri = "https://hangs.example/".parse().unwrap();
        let error = resolver
            .resolve(&uri, &Config::default(), timeout)
            .unwrap_err();
        assert!(matches!(error, ureq::Error::Timeout(_)), "{error:?}");
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(2),
            "{took:?}"
        );
    }

    #[test]
    fn a_name_that_does_not_resolve_is_not_cached() {
        let resolver = CachingResolver::default();
        assert!(resolve(&resolver, "http://no-such-host.invalid/").is_err());
        assert!(resolver.lock().is_empty());
    }
}
