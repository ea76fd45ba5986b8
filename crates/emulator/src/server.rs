//! The accept loop and per-connection tasks.
//!
//! hyper serves each connection, but the task keeps a second handle on the socket. When a
//! handler (a fault) or `drop_connections` asks for it, the task drops hyper's side and
//! finishes the connection by hand: raw bytes, then a close (FIN) or a reset (RST).

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::response::Response;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tower::ServiceExt;

use crate::fault::FaultAction;
use crate::state::{Shared, lock};
use crate::tls::{SharedTls, TlsServer};

/// How a taken-over connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Orderly close (FIN).
    Close,
    /// Abortive close (RST), via `SO_LINGER` 0.
    Reset,
}

/// What to write on a taken-over connection before ending it.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub head: Vec<u8>,
    pub body: Bytes,
    pub body_delay: Duration,
    pub ending: Ending,
}

impl RawResponse {
    /// Reset without sending a byte.
    pub(crate) fn reset() -> RawResponse {
        RawResponse {
            head: Vec::new(),
            body: Bytes::new(),
            body_delay: Duration::ZERO,
            ending: Ending::Reset,
        }
    }

    /// Close silently, as a server timing out an idle keep-alive connection.
    fn close() -> RawResponse {
        RawResponse {
            ending: Ending::Close,
            ..RawResponse::reset()
        }
    }
}

pub(crate) struct TakeOver {
    raw: RawResponse,
    /// Told once the socket is closed.
    done: Option<oneshot::Sender<()>>,
}

impl TakeOver {
    /// Writes the raw response on `socket`, ends the connection, and tells whoever waits.
    async fn finish(self, socket: impl Socket) {
        finish_by_hand(socket, self.raw).await;
        if let Some(done) = self.done {
            let _ = done.send(());
        }
    }
}

/// How to reach a connection's task (kept in [`Shared::connections`]).
pub(crate) type ConnHandle = mpsc::UnboundedSender<TakeOver>;

/// Put in every request's extensions: which connection carries it, and how to take it over.
#[derive(Clone)]
pub(crate) struct ConnCtx {
    pub id: u64,
    handle: ConnHandle,
    /// Set once the emulator takes the connection over (see watch.rs).
    pub taken_over: Arc<AtomicBool>,
}

impl ConnCtx {
    /// Hands the connection to its task; never returns, as the task drops this request.
    pub(crate) async fn take_over(&self, raw: RawResponse) -> Response {
        let _ = self.handle.send(TakeOver { raw, done: None });
        std::future::pending().await
    }
}

/// Accepts connections until `shutdown` fires. Connection tasks end with the runtime.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    router: Router,
    mut shutdown: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    tokio::spawn(serve_connection(stream, Arc::clone(&shared), router.clone()));
                }
                // Out of file descriptors or an aborted handshake: pause, then go on.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, router: Router) {
    let id = shared.connections_accepted.fetch_add(1, Ordering::Relaxed) + 1;
    let _ = stream.set_nodelay(true);
    if let Some(tls) = shared.tls.clone()
        && starts_with_tls_handshake(&stream).await
    {
        return serve_tls(stream, id, shared, router, &tls).await;
    }
    let Ok((stream, spare)) = with_spare_handle(stream) else {
        return;
    };
    let (_registered, takeover) = serve_http(stream, id, &shared, router).await;
    if let Some(takeover) = takeover {
        let Ok(spare) = TcpStream::from_std(spare) else {
            return;
        };
        takeover.finish(spare).await;
    }
}

/// An HTTPS emulator answers plain HTTP on the same port too: a TLS connection starts with a
/// handshake record (content type 22), an HTTP request with a method name.
async fn starts_with_tls_handshake(stream: &TcpStream) -> bool {
    let mut first = [0u8; 1];
    matches!(stream.peek(&mut first).await, Ok(1) if first[0] == 0x16)
}

async fn serve_tls(stream: TcpStream, id: u64, shared: Arc<Shared>, router: Router, tls: &TlsServer) {
    shared.tls_connections.fetch_add(1, Ordering::Relaxed);
    let fault = lock(&shared.faults).next_handshake();
    if fault == Some(FaultAction::TlsResetDuringHandshake) {
        // Take (some of) the client's hello first, so the reset comes mid-handshake.
        let mut hello = [0u8; 512];
        let mut stream = stream;
        let _ = stream.read(&mut hello).await;
        let _ = stream.set_zero_linger();
        return;
    }
    // A client that refuses the certificate ends the handshake with an alert: nothing to do.
    let Ok(stream) = tls.acceptor(fault).accept(stream).await else {
        return;
    };
    let stream = SharedTls::new(stream);
    let (_registered, takeover) = serve_http(stream.clone(), id, &shared, router).await;
    if let Some(takeover) = takeover {
        takeover.finish(stream).await;
    }
}

/// Lists connection `id` and serves HTTP/1.1 on it until the client is done or a fault takes
/// the connection over; returns the listing (keep it until the connection is finished) and
/// the takeover, with hyper's side (and any request it was handling) dropped.
async fn serve_http<I>(
    io: I,
    id: u64,
    shared: &Shared,
    router: Router,
) -> (Registration<'_>, Option<TakeOver>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (handle, mut takeovers) = mpsc::unbounded_channel();
    let registered = Registration::new(shared, id, handle.clone());
    let ctx = ConnCtx {
        id,
        handle,
        taken_over: Arc::default(),
    };
    let taken_over = Arc::clone(&ctx.taken_over);
    let service = service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ctx.clone());
        router.clone().oneshot(req)
    });
    let mut conn = Box::pin(
        http1::Builder::new()
            .keep_alive(true)
            .header_read_timeout(None)
            .serve_connection(TokioIo::new(io), service),
    );
    let takeover = tokio::select! {
        _ = conn.as_mut() => None,
        Some(takeover) = takeovers.recv() => {
            taken_over.store(true, Ordering::Relaxed);
            Some(takeover)
        }
    };
    (registered, takeover)
}

/// What a connection taken over by hand is written through: the TCP socket, or the TLS
/// stream on it.
trait Socket: tokio::io::AsyncWrite + Unpin {
    fn tcp<T>(&self, f: impl FnOnce(&TcpStream) -> T) -> T;
}

impl Socket for TcpStream {
    fn tcp<T>(&self, f: impl FnOnce(&TcpStream) -> T) -> T {
        f(self)
    }
}

impl Socket for SharedTls {
    fn tcp<T>(&self, f: impl FnOnce(&TcpStream) -> T) -> T {
        self.with_tcp(f)
    }
}

/// A second handle on the same socket, for when hyper's has been dropped.
fn with_spare_handle(stream: TcpStream) -> io::Result<(TcpStream, std::net::TcpStream)> {
    let std_stream = stream.into_std()?;
    let spare = std_stream.try_clone()?;
    Ok((TcpStream::from_std(std_stream)?, spare))
}

async fn finish_by_hand(mut stream: impl Socket, raw: RawResponse) {
    // What goes out before the body delay, and what after it.
    let (early, late) = if raw.body_delay.is_zero() {
        (Vec::new(), [raw.head.as_slice(), &raw.body].concat())
    } else {
        (raw.head, raw.body.to_vec())
    };
    let written: io::Result<()> = async {
        stream.write_all(&early).await?;
        tokio::time::sleep(raw.body_delay).await;
        if raw.ending == Ending::Close {
            stream.tcp(hold_until_close);
        }
        stream.write_all(&late).await?;
        stream.flush().await
    }
    .await;
    match raw.ending {
        // With a zero linger time, dropping the socket sends RST instead of FIN.
        Ending::Reset => {
            let _ = stream.tcp(|tcp| tcp.set_zero_linger());
        }
        Ending::Close if written.is_ok() => {
            let _ = stream.shutdown().await;
        }
        Ending::Close => {}
    }
}

/// Corks the socket so that the last bytes and the FIN leave in one segment: the client
/// sees the answer and the close together, not a race between them.
#[cfg(target_os = "linux")]
fn hold_until_close(stream: &TcpStream) {
    let _ = socket2::SockRef::from(stream).set_tcp_cork(true);
}

#[cfg(not(target_os = "linux"))]
fn hold_until_close(_stream: &TcpStream) {}

/// Closes every open connection but `except` (the one asking, so it gets its answer), and
/// waits until they are closed. Returns how many were closed.
pub(crate) async fn drop_connections(shared: &Shared, except: Option<u64>) -> usize {
    let handles: Vec<ConnHandle> = lock(&shared.connections)
        .iter()
        .filter(|(id, _)| Some(**id) != except)
        .map(|(_, handle)| handle.clone())
        .collect();
    let mut closing = Vec::new();
    for handle in handles {
        let (done, closed) = oneshot::channel();
        let takeover = TakeOver {
            raw: RawResponse::close(),
            done: Some(done),
        };
        if handle.send(takeover).is_ok() {
            closing.push(closed);
        }
    }
    let count = closing.len();
    for closed in closing {
        // An error means the task ended on its own: closed all the same.
        let _ = closed.await;
    }
    count
}

/// Keeps a connection listed in [`Shared::connections`] for as long as its task lives.
struct Registration<'a> {
    shared: &'a Shared,
    id: u64,
}

impl<'a> Registration<'a> {
    fn new(shared: &'a Shared, id: u64, handle: ConnHandle) -> Registration<'a> {
        lock(&shared.connections).insert(id, handle);
        Registration { shared, id }
    }
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        lock(&self.shared.connections).remove(&self.id);
    }
}
