//! The client: the request flow of both endpoints over one attempt loop.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ureq::SendBody;
use ureq::http::{HeaderMap, Response, header};

use crate::chat_id;
use crate::config::{self, ClientBuilder};
use crate::error::{self, Error, ErrorKind};
use crate::image::{self, CheckedImage, Image};
use crate::pool::Pool;
use crate::response::{ChatBackground, MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES, ServerError};
use crate::retry::{self, Decision, RetryHints};
use crate::transport::{self, Failure, Target};

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
}

/// Called as an upload proceeds with `(bytes sent, bytes in total)` of the request body.
/// A retried upload starts again from zero.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

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
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // The API does not redirect; following one could carry the key to another host.
            .max_redirects(0)
            .user_agent(user_agent.as_str())
            .timeout_global(Some(timeout))
            .timeout_connect(Some(connect_timeout))
            .proxy(config::proxy_for(&base_url))
            .max_idle_connections_per_host(16)
            .max_idle_connections(32)
            .build();
        Ok(Client {
            pool: Arc::new(Pool::new(agent_config)),
            settings: Arc::new(Settings {
                base_url,
                authorization: format!("Bearer {key}"),
                max_retries: b.max_retries.unwrap_or(config::DEFAULT_MAX_RETRIES),
                timeout,
                connect_timeout,
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
        let url = self.url(chat_id)?;
        self.with_retries(|| {
            let response = self
                .pool
                .agent()
                .get(&url)
                .header(header::AUTHORIZATION, &self.settings.authorization)
                .header(header::ACCEPT, "application/json")
                .call();
            self.finish(response)
        })
    }

    /// `PUT /chats/{chat_id}/background` from an image file or bytes.
    pub fn set_chat_background(&self, chat_id: &str, image: Image<'_>) -> Result<ChatBackground, Error> {
        self.set_chat_background_with_progress(chat_id, image, &mut |_, _| {})
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

    /// Sets the background, reporting upload progress. Everything is validated before anything
    /// is sent: the chat id, and that the image is a supported format of at most 10 MiB.
    pub fn set_chat_background_with_progress(
        &self,
        chat_id: &str,
        image: Image<'_>,
        progress: Progress<'_>,
    ) -> Result<ChatBackground, Error> {
        let url = self.url(chat_id)?;
        let image = CheckedImage::check(image)?;
        self.with_retries(|| {
            let (content_type, len, body) = image
                .multipart_body(&image::new_boundary())
                .map_err(Failure::Final)?;
            let mut body = Counted {
                inner: body,
                sent: 0,
                total: len,
                progress: &mut *progress,
                local_error: None,
            };
            let response = self
                .pool
                .agent()
                .put(&url)
                .header(header::AUTHORIZATION, &self.settings.authorization)
                .header(header::ACCEPT, "application/json")
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CONTENT_LENGTH, len)
                .send(SendBody::from_reader(&mut body));
            if let Some(e) = body.local_error.take() {
                return Err(Failure::Final(image.read_failed(e)));
            }
            self.finish(response)
        })
    }

    fn url(&self, chat_id: &str) -> Result<String, Error> {
        let segment = chat_id::to_path_segment(chat_id)?;
        Ok(format!("{}/chats/{segment}/background", self.settings.base_url))
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries are spent.
    fn with_retries(
        &self,
        mut attempt: impl FnMut() -> Result<ChatBackground, Failure>,
    ) -> Result<ChatBackground, Error> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let retries_done = attempts - 1;
            let (error, decision) = match attempt() {
                Ok(background) => return Ok(background),
                Err(Failure::Final(e)) => (e, Decision::GiveUp),
                Err(Failure::Status { error, status, hints }) => {
                    let decision = retry::after_status(status, &hints, retries_done);
                    (error, decision)
                }
                Err(Failure::Transport(e)) => (
                    e,
                    Decision::RetryAfter(retry::backoff(retries_done, retry::jitter())),
                ),
            };
            match decision {
                Decision::RetryAfter(wait) if retries_done < self.settings.max_retries => {
                    std::thread::sleep(wait)
                }
                _ => return Err(error.with_attempts(attempts)),
            }
        }
    }

    /// Turns one attempt's outcome into a background or a classified failure.
    fn finish(&self, response: Result<Response<ureq::Body>, ureq::Error>) -> Result<ChatBackground, Failure> {
        let mut response = response.map_err(|e| self.transport_failure(e))?;
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
                    other => self.transport_failure(other),
                })?;
            return ChatBackground::from_json(&body).map_err(|e| {
                // Only now: building it costs more than decoding a success body.
                let request_id = header_text(response.headers(), "x-request-id");
                Failure::Final(e.with_response(status, request_id, Some(body_text(&body))))
            });
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

    fn transport_failure(&self, e: ureq::Error) -> Failure {
        let s = &self.settings;
        transport::classify(
            e,
            &Target {
                base_url: &s.base_url,
                timeout: s.timeout,
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
            .finish()
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

/// The request body as it is read by the transport: counts bytes for the progress callback and
/// remembers a local read failure, so it is reported as I/O rather than as a network error.
struct Counted<'p, R> {
    inner: R,
    sent: u64,
    total: u64,
    progress: Progress<'p>,
    local_error: Option<io::Error>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.sent += n as u64;
                if n > 0 {
                    (self.progress)(self.sent, self.total);
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
