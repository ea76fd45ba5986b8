//! Host name resolution for the agent, without a thread per request.
//!
//! ureq resolves the host before it looks in its connection pool, on every request, and when a
//! timeout applies (ours always does) its default resolver does so on a new thread so that it can
//! give up in time. That is one thread spawned and joined per request even when a pooled
//! connection is reused. This resolver answers IP literals at once and remembers names for a
//! short while, so a kept-alive client makes no thread and no lookup per request; a name is looked
//! up (with the default resolver and its timeout) only when it is not known or has expired.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs};
use ureq::unversioned::transport::NextTimeout;

/// How long a looked-up name is reused. The addresses only matter when a new connection is
/// opened, so this bounds how late a DNS change is noticed.
const NAME_TTL: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub(crate) struct Resolver {
    lookup: DefaultResolver,
    names: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl ureq::unversioned::resolver::Resolver for Resolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some(authority) = uri.authority() else {
            return self.lookup.resolve(uri, config, timeout);
        };
        let default_port = if uri.scheme_str() == Some("http") { 80 } else { 443 };
        let port = authority.port_u16().unwrap_or(default_port);
        let host = authority.host().trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            let mut addrs = self.empty();
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        let key = format!("{host}:{port}");
        let names = || self.names.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((at, addrs)) = names().get(&key)
            && at.elapsed() < NAME_TTL
        {
            return Ok(addrs.clone());
        }
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        names().insert(key, (Instant::now(), addrs.clone()));
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::resolver::Resolver as _;

    /// A budget that has already run out: the default resolver gives up at once, so an answer
    /// proves no lookup (and no lookup thread) happened.
    fn spent() -> NextTimeout {
        NextTimeout {
            after: ureq::unversioned::transport::time::Duration::Exact(Duration::ZERO),
            reason: ureq::Timeout::Resolve,
            ..NextTimeout::default()
        }
    }

    fn resolve(r: &Resolver, uri: &str) -> Result<Vec<SocketAddr>, ureq::Error> {
        let uri: Uri = uri.parse().unwrap();
        r.resolve(&uri, &Config::default(), spent())
            .map(|a| a.iter().copied().collect())
    }

    #[test]
    fn ip_literals_are_answered_without_a_lookup() {
        let r = Resolver::default();
        assert_eq!(
            resolve(&r, "http://127.0.0.1:8787/v2").unwrap(),
            ["127.0.0.1:8787".parse().unwrap()]
        );
        assert_eq!(
            resolve(&r, "https://[::1]/x").unwrap(),
            ["[::1]:443".parse().unwrap()]
        );
        assert_eq!(
            resolve(&r, "http://10.1.2.3/x").unwrap(),
            ["10.1.2.3:80".parse().unwrap()]
        );
    }

    #[test]
    fn a_remembered_name_is_answered_without_a_lookup_until_it_expires() {
        let r = Resolver::default();
        let cached: ResolvedSocketAddrs = {
            let mut a = r.empty();
            a.push("192.0.2.7:443".parse().unwrap());
            a
        };
        r.names
            .lock()
            .unwrap()
            .insert("api.example.test:443".into(), (Instant::now(), cached.clone()));
        assert_eq!(
            resolve(&r, "https://api.example.test/v2").unwrap(),
            ["192.0.2.7:443".parse().unwrap()]
        );

        // Expired: a lookup is needed, and with no budget left it fails rather than block.
        let long_ago = Instant::now()
            .checked_sub(NAME_TTL + Duration::from_secs(1))
            .unwrap();
        r.names
            .lock()
            .unwrap()
            .insert("api.example.test:443".into(), (long_ago, cached));
        assert!(resolve(&r, "https://api.example.test/v2").is_err());
    }
}
