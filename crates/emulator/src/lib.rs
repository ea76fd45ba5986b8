//! A local HTTP server that speaks the two chat-background endpoints of the Blooio API
//! (`GET` and `PUT /v2/api/chats/{chatId}/background`) as their reference pages describe,
//! and misbehaves on cue: scripted statuses, slow heads and bodies, resets, dropped
//! keep-alive connections. Every API request is recorded for tests to inspect.
//!
//! ```
//! use std::io::{Read, Write};
//! use blooio_emulator::{Emulator, EmulatorConfig, Fault};
//!
//! let emulator = Emulator::start(EmulatorConfig::default())?;
//! assert!(emulator.base_url().ends_with("/v2/api"));
//! emulator.script(Fault::status(502).header("Retry-After", "1"));
//!
//! let mut socket = std::net::TcpStream::connect(emulator.addr())?;
//! socket.write_all(
//!     b"GET /v2/api/chats/%2B15551234567/background HTTP/1.1\r\n\
//!       Host: x\r\nAuthorization: Bearer test-key\r\nConnection: close\r\n\r\n",
//! )?;
//! let mut answer = String::new();
//! socket.read_to_string(&mut answer)?;
//! assert!(answer.starts_with("HTTP/1.1 502"));
//!
//! let sent = emulator.requests();
//! assert_eq!(sent[0].chat_id.as_deref(), Some("+15551234567"));
//! assert_eq!(sent[0].status, 502);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Tests in other languages run the `blooio-emulator` binary and drive it through the
//! control API under `/__emulator/` (see the crate README).

#![forbid(unsafe_code)]

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod api;
mod app;
mod chat_id;
mod config;
mod control;
mod error;
mod fault;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod hold;
mod image;
mod media;
mod record;
mod reply;
mod server;
pub mod sniff_cases;
mod state;
mod store;
mod tls;
mod upload;
mod watch;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

pub use chat_id::REFUSED_SEGMENTS;
pub use config::EmulatorConfig;
pub use fault::{Fault, FaultAction};
pub use record::{MAX_RECORDS, RecordedPart, RecordedRequest, RequestOutcome, header_value};
pub use tls::TlsMode;

use state::{Shared, lock};

/// The largest background image accepted, in bytes (10 MiB).
pub const MAX_IMAGE_BYTES: u64 = upload::MAX_IMAGE_BYTES;

/// A running emulator. It serves on its own thread (one tokio runtime) until dropped;
/// dropping it closes every connection and joins the thread.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    runtime: tokio::runtime::Handle,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `config.listen` and starts serving. Fails if the address cannot be bound or no
    /// API key is configured.
    pub fn start(config: EmulatorConfig) -> io::Result<Emulator> {
        if config.api_keys.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the emulator needs at least one API key",
            ));
        }
        let tls = config.tls.as_ref().map(tls::TlsServer::new).transpose()?;
        let listener = listen(config.listen)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(&config, addr, tls));

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let handle = runtime.handle().clone();
        let router = app::router(Arc::clone(&shared));
        let (shutdown, shutdown_rx) = oneshot::channel();
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("blooio-emulator-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(server::serve(listener, serving, router, shutdown_rx));
                // Dropping the runtime here cancels every connection task, closing its socket.
            })?;
        Ok(Emulator {
            addr,
            shared,
            runtime: handle,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT/v2/api`, or `https://…` when serving HTTPS.
    pub fn base_url(&self) -> String {
        format!("{}/v2/api", self.shared.origin())
    }

    /// The base URL over plain HTTP: the same as [`Emulator::base_url`] unless serving HTTPS,
    /// where the port answers plain HTTP too (the control API is reached this way).
    pub fn plain_base_url(&self) -> String {
        self.base_url().replacen("https://", "http://", 1)
    }

    /// The CA certificate (PEM) that signed the served leaf, when the emulator generated it.
    pub fn tls_ca_pem(&self) -> Option<&str> {
        self.shared.tls.as_ref()?.ca_pem.as_deref()
    }

    /// Connections that began with a TLS handshake, whatever became of it.
    pub fn tls_connections(&self) -> u64 {
        self.shared.tls_connections.load(Ordering::Relaxed)
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues `fault` behind those already scripted.
    ///
    /// # Panics
    /// If the fault is invalid (status outside 200..=599, a malformed header), so the
    /// mistake shows up in the test that made it.
    pub fn script(&self, fault: Fault) {
        if let Err(why) = fault.validate() {
            panic!("invalid fault {fault:?}: {why}");
        }
        lock(&self.shared.faults).push(fault);
    }

    /// The recorded API requests, oldest first (at most [`MAX_RECORDS`]).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// Forgets all backgrounds, queued faults, records and the `fail_every` rule, and puts
    /// latency and `no_active_number` back to their start-up values.
    pub fn reset(&self) {
        self.shared.reset();
    }

    pub fn set_latency(&self, d: Duration) {
        self.shared.update_settings(|s| s.latency = d);
    }

    pub fn set_no_active_number(&self, on: bool) {
        self.shared.update_settings(|s| s.no_active_number = on);
    }

    /// Every `n`-th API request from now on is answered `status` (queued faults come first).
    ///
    /// # Panics
    /// If `n` is 0 or `status` is outside 200..=599.
    pub fn set_fail_every(&self, rule: Option<(u32, u16)>) {
        if let Some((n, status)) = rule {
            assert!(n > 0, "fail_every: n must be at least 1");
            if let Err(why) = fault::check_status(status) {
                panic!("fail_every: {why}");
            }
        }
        lock(&self.shared.faults).set_fail_every(rule);
    }

    /// Closes every open client connection (FIN, no response) and returns once they are
    /// closed, as a server timing out idle keep-alive connections does.
    pub fn drop_connections(&self) {
        let shared = Arc::clone(&self.shared);
        let (done, closed) = std::sync::mpsc::channel();
        self.runtime.spawn(async move {
            server::drop_connections(&shared, None).await;
            let _ = done.send(());
        });
        let _ = closed.recv_timeout(Duration::from_secs(10));
    }

    /// TCP connections accepted since start (never reset), to prove keep-alive reuse.
    pub fn connections_accepted(&self) -> u64 {
        self.shared.connections_accepted.load(Ordering::Relaxed)
    }

    /// Calls `hook` once per answered API request, on the emulator's thread: it must not
    /// block (the binary uses it to log to stderr).
    pub fn on_request(&self, hook: impl Fn(&RequestOutcome) + Send + Sync + 'static) {
        self.shared.set_on_request(Some(Arc::new(hook)));
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

/// A listening socket with room for a burst of connections: std's backlog (128) made some of
/// 256 clients connecting at once wait a second for their SYN to be retried.
fn listen(addr: std::net::SocketAddr) -> io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(4096)?;
    Ok(socket.into())
}
