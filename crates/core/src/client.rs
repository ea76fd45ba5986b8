//! The client: the request flow of both endpoints over one attempt loop.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::SendBody;
use ureq::http::{HeaderMap, Response, header};

use crate::call::{self, CallOptions, Header};
use crate::cancel::{self, CancelToken};
use crate::chat_id;
use crate::config::{self, ClientBuilder};
use crate::error::{self, Error, ErrorKind};
use crate::image::{self, CheckedImage, Image};
use crate::log::{self, LogLevel, Logger};
use crate::pool::Pool;
use crate::response::{ChatBackground, MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES, ServerError};
use crate::retry::{self, Decision, RetryHints};
use crate::transport::{self, Failure, Target};

/// The read and write buffer of each connection, and the largest response head accepted.
const CONNECTION_BUFFER_BYTES: usize = 16 * 1024;

/// A client for the chat-background endpoints.
///
/// Cheap to clone (clones share one connection pool) and safe to use from many threads at once.
///
/// Safe across `fork()`: a pooled connection is only ever used by the process that opened it.
/// The first call in a child process leaves the inherited connections to the parent (it closes
/// its own copies of their descriptors, and writes nothing to them) and opens new ones.
#[derive(Clone)]
pub struct Client {
    pool: Arc<Pool>,
    settings: Arc<Settings>,
}

struct Settings {
    base_url: String,
    /// `Bearer <key>`: the only place the key is kept.
    authorization: String,
    max_retries: u32,
    timeout: Duration,
    connect_timeout: Duration,
    /// The base URL's host, for TLS messages, and where trust came from.
    host: String,
    trust: crate::tls::TrustSource,
    /// Sent on every call: the builder's default headers over `BLOOIO_CUSTOM_HEADERS`.
    headers: Vec<Header>,
    logger: Option<Logger>,
}

impl Client {
    /// A builder; unset options come from `BLOOIO_API_KEY`, `BLOOIO_BASE_URL` and the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `BLOOIO_API_KEY` and `BLOOIO_BASE_URL` alone.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::default().build()
    }

    pub(crate) fn from_builder(b: ClientBuilder) -> Result<Client, Error> {
        let key = config::resolve_api_key(b.api_key)?;
        let base_url = config::resolve_base_url(b.base_url, b.allow_insecure_http)?;
        let user_agent = config::user_agent(b.binding.as_deref(), b.user_agent_suffix.as_deref())?;
        let timeout = config::checked_timeout("timeout", b.timeout, config::DEFAULT_TIMEOUT)?;
        let connect_timeout = config::checked_timeout(
            "connect_timeout",
            b.connect_timeout,
            config::DEFAULT_CONNECT_TIMEOUT,
        )?;
        let (tls_config, trust) = crate::tls::tls_config(b.ca_file.as_deref(), b.platform_verifier)?;
        let proxy = config::resolve_proxy(b.proxy.as_deref(), &base_url)?;
        let mut headers = match std::env::var(call::ENV_CUSTOM_HEADERS) {
            Ok(text) => call::headers_from_env(&text)?,
            Err(_) => Vec::new(),
        };
        let explicit = b.default_headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        call::merge(&mut headers, call::check_headers(explicit, "default header")?);
        let logger = b.logger.or_else(log::from_env).map(|(level, sink)| Logger {
            level,
            enabled: b.log_enabled,
            sink,
        });
        let host = base_url
            .parse::<ureq::http::Uri>()
            .ok()
            .and_then(|u| u.host().map(str::to_owned));
        let agent_config = ureq::Agent::config_builder()
            .tls_config(tls_config)
            .http_status_as_error(false)
            // The API does not redirect; following one could carry the key to another host.
            .max_redirects(0)
            .user_agent(user_agent.as_str())
            .timeout_global(Some(timeout))
            .timeout_connect(Some(connect_timeout))
            .proxy(proxy)
            .max_idle_connections_per_host(16)
            .max_idle_connections(32)
            // ureq's defaults (128 KiB each way, zero-filled on a connection's first use) made
            // each connection, and so each call in flight, cost a quarter of a MiB; the API's
            // heads are a few hundred bytes and bodies stream through in chunks.
            .input_buffer_size(CONNECTION_BUFFER_BYTES)
            .output_buffer_size(CONNECTION_BUFFER_BYTES)
            .max_response_header_size(CONNECTION_BUFFER_BYTES)
            .build();
        Ok(Client {
            pool: Arc::new(Pool::new(agent_config)),
            settings: Arc::new(Settings {
                base_url,
                authorization: format!("Bearer {key}"),
                max_retries: b.max_retries.unwrap_or(config::DEFAULT_MAX_RETRIES),
                timeout,
                connect_timeout,
                host: host.unwrap_or_default(),
                trust,
                headers,
                logger,
            }),
        })
    }

    /// Makes sure the client's connections belong to this process: in a fork's child, drops the
    /// inherited pool (closing the child's copies of its sockets only) and starts a new one.
    /// Every call does this itself, so there is no need to; calling it right after a fork only
    /// releases the inherited descriptors early.
    pub fn rearm_after_fork(&self) {
        drop(self.pool.agent());
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.settings.base_url
    }

    /// The time one attempt may take.
    pub fn timeout(&self) -> Duration {
        self.settings.timeout
    }

    /// The time a connection may take to open.
    pub fn connect_timeout(&self) -> Duration {
        self.settings.connect_timeout
    }

    /// How many times a failed attempt may be retried.
    pub fn max_retries(&self) -> u32 {
        self.settings.max_retries
    }

    /// `GET /chats/{chat_id}/background`: the chat's current background.
    pub fn get_chat_background(&self, chat_id: &str) -> Result<ChatBackground, Error> {
        self.get_chat_background_with(chat_id, CallOptions::new())
    }

    /// [`get_chat_background`](Self::get_chat_background) with options for this call.
    pub fn get_chat_background_with(
        &self,
        chat_id: &str,
        options: CallOptions<'_>,
    ) -> Result<ChatBackground, Error> {
        let mut call = self.prepare("GET", self.url(chat_id)?, options)?;
        self.with_retries(&mut call, |call| {
            let request = self.pool.agent().get(&call.url);
            let response = call.apply(request, &self.settings.authorization).call();
            self.finish(response, call.timeout)
        })
    }

    /// `PUT /chats/{chat_id}/background` from an image file or bytes.
    pub fn set_chat_background(&self, chat_id: &str, image: Image<'_>) -> Result<ChatBackground, Error> {
        self.set_chat_background_with(chat_id, image, CallOptions::new())
    }

    /// Sets the background from an image file, streamed from disk.
    pub fn set_chat_background_file(
        &self,
        chat_id: &str,
        path: impl AsRef<Path>,
    ) -> Result<ChatBackground, Error> {
        self.set_chat_background(chat_id, Image::Path(path.as_ref()))
    }

    /// Sets the background from image bytes in memory.
    pub fn set_chat_background_bytes(&self, chat_id: &str, bytes: &[u8]) -> Result<ChatBackground, Error> {
        self.set_chat_background(chat_id, Image::Bytes(bytes))
    }

    /// [`set_chat_background`](Self::set_chat_background) with options for this call.
    /// Everything is validated before anything is sent: the chat id, the options, and that the
    /// image is a supported format of at most 10 MiB.
    pub fn set_chat_background_with(
        &self,
        chat_id: &str,
        image: Image<'_>,
        options: CallOptions<'_>,
    ) -> Result<ChatBackground, Error> {
        let mut call = self.prepare("PUT", self.url(chat_id)?, options)?;
        let image = CheckedImage::check(image)?;
        self.with_retries(&mut call, |call| {
            let (content_type, len, body) = image
                .multipart_body(&image::new_boundary())
                .map_err(Failure::Final)?;
            let request = self
                .pool
                .agent()
                .put(&call.url)
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CONTENT_LENGTH, len);
            let request = call.apply(request, &self.settings.authorization);
            let mut body = Counted {
                inner: body,
                sent: 0,
                total: len,
                progress: call.progress.as_deref_mut(),
                local_error: None,
                stopped: false,
            };
            let response = request.send(SendBody::from_reader(&mut body));
            if body.stopped {
                return Err(Failure::Final(Error::new(
                    ErrorKind::Cancelled,
                    "the progress callback stopped the upload",
                )));
            }
            if let Some(e) = body.local_error.take() {
                return Err(Failure::Final(image.read_failed(e)));
            }
            self.finish(response, call.timeout)
        })
    }

    fn url(&self, chat_id: &str) -> Result<String, Error> {
        let segment = chat_id::to_path_segment(chat_id)?;
        Ok(format!("{}/chats/{segment}/background", self.settings.base_url))
    }

    /// Checks a call's options against the client's, before anything is sent.
    fn prepare<'o>(
        &self,
        method: &'static str,
        url: String,
        options: CallOptions<'o>,
    ) -> Result<Call<'o>, Error> {
        let timeout = call::call_timeout(options.timeout, self.settings.timeout)?;
        let mut headers = self.settings.headers.clone();
        let own = options.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        call::merge(&mut headers, call::check_headers(own, "per-call header")?);
        Ok(Call {
            method,
            url,
            timeout,
            custom_timeout: options.timeout.is_some(),
            headers,
            progress: options.progress,
            cancel: options.cancel,
            pause: options.pause,
        })
    }

    /// Runs `attempt` until it succeeds, fails for good, is cancelled, or the retries are spent.
    fn with_retries(
        &self,
        call: &mut Call<'_>,
        mut attempt: impl FnMut(&mut Call<'_>) -> Result<(u16, ChatBackground), Failure>,
    ) -> Result<ChatBackground, Error> {
        let _watch = cancel::watch(call.cancel.as_ref());
        let cancelled = |attempts: u32| {
            Error::new(ErrorKind::Cancelled, "the call was cancelled").with_attempts(attempts)
        };
        let tries = self.settings.max_retries + 1;
        let mut attempts = 0;
        loop {
            if let Some(pause) = &call.pause {
                pause.wait(call.cancel.as_ref());
            }
            if call.is_cancelled() {
                return Err(cancelled(attempts));
            }
            attempts += 1;
            let retries_done = attempts - 1;
            let started = Instant::now();
            let outcome = attempt(call);
            if call.is_cancelled() && outcome.is_err() {
                self.log_attempt(call, started, attempts, tries, "cancelled", None);
                return Err(cancelled(attempts));
            }
            let (error, decision) = match outcome {
                Ok((status, mut background)) => {
                    self.log_attempt(
                        call,
                        started,
                        attempts,
                        tries,
                        status,
                        background.request_id.as_deref(),
                    );
                    background.attempts = attempts;
                    return Ok(background);
                }
                Err(Failure::Final(e)) => (e, Decision::GiveUp),
                Err(Failure::Status { error, status, hints }) => {
                    let decision = retry::after_status(status, &hints, retries_done);
                    if let (Some(pause), 429, Decision::RetryAfter(wait)) = (&call.pause, status, decision) {
                        pause.extend(wait);
                    }
                    (error, decision)
                }
                Err(Failure::Transport(e)) => (
                    e,
                    Decision::RetryAfter(retry::backoff(retries_done, retry::jitter())),
                ),
            };
            self.log_attempt(
                call,
                started,
                attempts,
                tries,
                Outcome(&error),
                error.request_id(),
            );
            match decision {
                Decision::RetryAfter(wait) if retries_done < self.settings.max_retries => {
                    self.log(LogLevel::Debug, || {
                        format!(
                            "retrying in {} ms after {} (attempt {attempts} of {tries})",
                            wait.as_millis(),
                            Outcome(&error)
                        )
                    });
                    let interrupted = match &call.cancel {
                        Some(token) => token.sleep(wait),
                        None => {
                            std::thread::sleep(wait);
                            false
                        }
                    };
                    if interrupted {
                        return Err(cancelled(attempts));
                    }
                }
                _ => {
                    self.log(LogLevel::Debug, || {
                        format!(
                            "giving up after attempt {attempts} of {tries}: {}",
                            error.kind().as_str()
                        )
                    });
                    return Err(error.with_attempts(attempts));
                }
            }
        }
    }

    fn log(&self, level: LogLevel, line: impl FnOnce() -> String) {
        if let Some(logger) = &self.settings.logger {
            logger.log(level, line);
        }
    }

    fn log_attempt(
        &self,
        call: &Call<'_>,
        started: Instant,
        attempt: u32,
        tries: u32,
        outcome: impl fmt::Display,
        request_id: Option<&str>,
    ) {
        self.log(LogLevel::Info, || {
            let id = request_id
                .map(|id| format!(", request id {id}"))
                .unwrap_or_default();
            format!(
                "{} {} -> {outcome} in {} ms (attempt {attempt} of {tries}{id})",
                call.method,
                call.path(),
                started.elapsed().as_millis()
            )
        });
    }

    /// Turns one attempt's outcome into a background or a classified failure.
    fn finish(
        &self,
        response: Result<Response<ureq::Body>, ureq::Error>,
        timeout: Duration,
    ) -> Result<(u16, ChatBackground), Failure> {
        let mut response = response.map_err(|e| self.transport_failure(e, timeout))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            let body = response
                .body_mut()
                .with_config()
                .limit(MAX_RESPONSE_BYTES)
                .read_to_vec()
                .map_err(|e| match e {
                    ureq::Error::BodyExceedsLimit(_) => Failure::Final(Error::new(
                        ErrorKind::Decode,
                        format!("the response body is larger than {MAX_RESPONSE_BYTES} bytes; it is not a chat background"),
                    )),
                    other => self.transport_failure(other, timeout),
                })?;
            let request_id = header_text(response.headers(), "x-request-id");
            return match ChatBackground::from_json(&body) {
                Ok(mut background) => {
                    background.request_id = request_id;
                    Ok((status, background))
                }
                Err(e) => Err(Failure::Final(e.with_response(
                    status,
                    request_id,
                    Some(body_text(&body)),
                ))),
            };
        }
        let request_id = header_text(response.headers(), "x-request-id");

        let hints = RetryHints::from_headers(response.headers());
        let location = header_text(response.headers(), "location");
        let mut body = Vec::new();
        // A body we cannot read in full still leaves the status to report.
        let _ = response
            .body_mut()
            .as_reader()
            .take(MAX_ERROR_BODY_BYTES)
            .read_to_end(&mut body);
        let server = ServerError::parse(&body);
        let kind = ErrorKind::from_status(status);
        let message = error::status_message(
            kind,
            status,
            server.message.as_deref(),
            location.as_deref(),
            request_id.as_deref(),
        );
        let error = Error::new(kind, message)
            .with_response(status, request_id, Some(body_text(&body)))
            .with_server_detail(server.message, server.code, hints.retry_after);
        Err(Failure::Status { error, status, hints })
    }

    fn transport_failure(&self, e: ureq::Error, timeout: Duration) -> Failure {
        let s = &self.settings;
        transport::classify(
            e,
            &Target {
                base_url: &s.base_url,
                host: &s.host,
                trust: &s.trust,
                timeout,
                connect_timeout: s.connect_timeout,
            },
        )
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.settings.base_url)
            .field("api_key", &"<redacted>")
            .field("timeout", &self.settings.timeout)
            .field("connect_timeout", &self.settings.connect_timeout)
            .field("max_retries", &self.settings.max_retries)
            .field("trust", &self.settings.trust)
            .finish()
    }
}

/// How a failed attempt ended, for a log line: the HTTP status, or the error kind when there is
/// none. Written only when a line is formatted.
struct Outcome<'e>(&'e Error);

impl fmt::Display for Outcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.status() {
            Some(status) => write!(f, "{status}"),
            None => f.write_str(self.0.kind().as_str()),
        }
    }
}

/// A body as text for [`Error::body`], at most [`MAX_ERROR_BODY_BYTES`] of it.
fn body_text(body: &[u8]) -> String {
    let end = body.len().min(MAX_ERROR_BODY_BYTES as usize);
    String::from_utf8_lossy(&body[..end]).into_owned()
}

/// A header's value for an error message: `to_str` admits only visible ASCII (and tabs), so it
/// needs no escaping, just trimming and a cap on its length.
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    (!text.is_empty()).then(|| text.chars().take(200).collect())
}

/// One call in progress: its checked options and what its log lines name.
struct Call<'o> {
    method: &'static str,
    url: String,
    timeout: Duration,
    /// Whether the caller set the timeout (ureq then gets it per request).
    custom_timeout: bool,
    headers: Vec<Header>,
    progress: Option<call::ProgressFn<'o>>,
    cancel: Option<CancelToken>,
    pause: Option<Arc<crate::pause::SharedPause>>,
}

impl Call<'_> {
    /// The path as sent, for log lines: the URL without scheme and host.
    fn path(&self) -> &str {
        let rest = self.url.split_once("://").map_or("", |(_, rest)| rest);
        rest.find('/').map_or("", |i| &rest[i..])
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// The headers every request of the call carries, and its timeout when the caller set one.
    fn apply<B>(&self, request: ureq::RequestBuilder<B>, authorization: &str) -> ureq::RequestBuilder<B> {
        let mut request = request
            .header(header::AUTHORIZATION, authorization)
            .header(header::ACCEPT, "application/json");
        if let Some(map) = request.headers_mut() {
            for h in &self.headers {
                map.insert(h.name.clone(), h.value.clone());
            }
        }
        if self.custom_timeout {
            request = request.config().timeout_global(Some(self.timeout)).build();
        }
        request
    }
}

/// The request body as it is read by the transport: counts bytes for the progress callback,
/// stops when it says so, and remembers a local read failure, so it is reported as I/O rather
/// than as a network error.
struct Counted<'p, 'o, R> {
    inner: R,
    sent: u64,
    total: u64,
    progress: Option<&'p mut (dyn FnMut(u64, u64) -> bool + Send + 'o)>,
    local_error: Option<io::Error>,
    stopped: bool,
}

impl<R: Read> Read for Counted<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.sent += n as u64;
                if let Some(progress) = self.progress.as_mut()
                    && n > 0
                    && !progress(self.sent, self.total)
                {
                    self.stopped = true;
                    // Not `Interrupted`, which std's copy loops retry (see cancel.rs).
                    return Err(io::Error::other("stopped by the progress callback"));
                }
                Ok(n)
            }
            Err(e) => {
                let reported = io::Error::new(e.kind(), e.to_string());
                self.local_error = Some(e);
                Err(reported)
            }
        }
    }
}
