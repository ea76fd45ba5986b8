//! Everything the server's tasks share: settings, backgrounds, faults, the request log,
//! open connections and id generation.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::config::EmulatorConfig;
use crate::fault::FaultQueue;
use crate::record::{RecordedRequest, RequestLog, RequestOutcome};
use crate::server::ConnHandle;
use crate::store::Store;
use crate::tls::TlsServer;

/// Locks a mutex, ignoring poisoning: a panicking test thread must not take the emulator down.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Settings that tests change at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    pub latency: Duration,
    pub no_active_number: bool,
}

type Hook = Arc<dyn Fn(&RequestOutcome) + Send + Sync>;

pub(crate) struct Shared {
    started: Instant,
    api_keys: Vec<String>,
    /// `http://HOST:PORT` (or `https://`), the origin clients reach us at.
    origin: String,
    initial: Settings,
    settings: Mutex<Settings>,
    pub(crate) faults: Mutex<FaultQueue>,
    log: Mutex<RequestLog>,
    pub(crate) store: Mutex<Store>,
    /// Open connections, by connection id.
    pub(crate) connections: Mutex<HashMap<u64, ConnHandle>>,
    pub(crate) connections_accepted: AtomicU64,
    /// Connections that opened with a TLS handshake (HTTPS only).
    pub(crate) tls_connections: AtomicU64,
    pub(crate) tls: Option<Arc<TlsServer>>,
    /// The last id handed out (request ids and background ids share it, so each is unique).
    ids: AtomicU64,
    on_request: Mutex<Option<Hook>>,
    /// `hold_until`: see hold.rs.
    pub(crate) hold: crate::hold::Hold,
}

/// A recorded request waiting for its answer.
pub(crate) struct Pending {
    pub(crate) seq: u64,
    method: String,
    raw_path: String,
    started: Instant,
}

impl Shared {
    pub(crate) fn new(config: &EmulatorConfig, addr: SocketAddr, tls: Option<TlsServer>) -> Shared {
        let initial = Settings {
            latency: config.latency,
            no_active_number: config.no_active_number,
        };
        Shared {
            started: Instant::now(),
            api_keys: config.api_keys.clone(),
            origin: format!(
                "{}://{}",
                if tls.is_some() { "https" } else { "http" },
                reachable(addr)
            ),
            initial,
            settings: Mutex::new(initial),
            faults: Mutex::default(),
            log: Mutex::default(),
            store: Mutex::default(),
            connections: Mutex::default(),
            connections_accepted: AtomicU64::new(0),
            tls_connections: AtomicU64::new(0),
            tls: tls.map(Arc::new),
            ids: AtomicU64::new(0),
            on_request: Mutex::new(None),
            hold: crate::hold::Hold::default(),
        }
    }

    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    pub(crate) fn api_keys(&self) -> &[String] {
        &self.api_keys
    }

    pub(crate) fn settings(&self) -> Settings {
        *lock(&self.settings)
    }

    pub(crate) fn update_settings(&self, change: impl FnOnce(&mut Settings)) {
        change(&mut lock(&self.settings));
    }

    pub(crate) fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(crate) fn new_request_id(&self) -> String {
        format!("req_{:016x}", self.next_id())
    }

    fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn new_background_id(&self) -> String {
        format!("bg_{:016x}", self.next_id())
    }

    pub(crate) fn record(&self, record: RecordedRequest, started: Instant) -> Pending {
        let method = record.method.clone();
        let raw_path = record.raw_path.clone();
        let seq = lock(&self.log).push(record);
        Pending {
            seq,
            method,
            raw_path,
            started,
        }
    }

    /// Marks a logged request as given up by its client (see watch.rs).
    pub(crate) fn mark_aborted(&self, seq: u64) {
        lock(&self.log).set_aborted(seq);
    }

    /// Logs a request whose client went away before its body had arrived.
    pub(crate) fn log_aborted(&self, record: RecordedRequest) {
        lock(&self.log).push(record);
    }

    /// Fills in the answered status and tells the `on_request` hook, if any.
    pub(crate) fn answered(&self, pending: Pending, status: u16) {
        lock(&self.log).set_status(pending.seq, status);
        let hook = lock(&self.on_request).clone();
        if let Some(hook) = hook {
            hook(&RequestOutcome {
                method: pending.method,
                raw_path: pending.raw_path,
                status,
                elapsed: pending.started.elapsed(),
            });
        }
    }

    pub(crate) fn set_on_request(&self, hook: Option<Hook>) {
        *lock(&self.on_request) = hook;
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log).snapshot()
    }

    pub(crate) fn request_total(&self) -> u64 {
        lock(&self.log).total()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    /// Back to a fresh start: no backgrounds, faults, rule or records; the start-up latency
    /// and `no_active_number`. Open connections and the accept count are kept.
    pub(crate) fn reset(&self) {
        lock(&self.store).clear();
        lock(&self.faults).clear();
        lock(&self.log).clear();
        *lock(&self.settings) = self.initial;
        self.hold.set(None);
    }
}

/// The address a client can reach a listening address at (a wildcard becomes loopback).
fn reachable(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let shared = Shared::new(&EmulatorConfig::default(), "0.0.0.0:8080".parse().unwrap(), None);
        let ids: std::collections::HashSet<String> = (0..10_000)
            .map(|i| {
                if i % 2 == 0 {
                    shared.new_background_id()
                } else {
                    shared.new_request_id()
                }
            })
            .collect();
        assert_eq!(ids.len(), 10_000);
        let id = shared.new_background_id();
        assert!(id.starts_with("bg_") && id.len() == 19, "{id}");
        assert_eq!(shared.origin(), "http://127.0.0.1:8080");
    }
}
