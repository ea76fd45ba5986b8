//! One error type for everything the client can report. `kind()` says what happened, in terms
//! a caller can act on; the accessors carry the detail (HTTP status, the server's message and
//! code, request id, attempts). Messages never contain the API key.

use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What went wrong, in terms a caller can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client's configuration is unusable (missing key, bad base URL, ...). Nothing was sent.
    InvalidConfig,
    /// The chat id cannot name a chat. Nothing was sent.
    InvalidChatId,
    /// The image is empty, too large or not a supported format. Nothing was sent.
    InvalidImage,
    /// The image file could not be read; [`Error::path`] names it.
    Io,
    /// HTTP 400: the API refused the request's parameters.
    BadRequest,
    /// HTTP 401: the API key is missing, wrong or revoked.
    Authentication,
    /// HTTP 429: too many requests; see [`Error::retry_after`].
    RateLimited,
    /// HTTP 502: the API could not talk to the device; usually temporary.
    DeviceUnavailable,
    /// HTTP 503: the account has no active number.
    NoActiveNumber,
    /// Any other HTTP 5xx.
    ServerError,
    /// Any other unexpected HTTP status (403, 404, a redirect, ...).
    HttpStatus,
    /// An attempt ran out of time.
    Timeout,
    /// The connection could not be made or was lost.
    Connection,
    /// A success response whose body is not the JSON object we expect.
    Decode,
    /// The server's certificate was refused (unknown issuer, expired, not valid for the host,
    /// a CA used as the leaf) or the TLS handshake failed for good. Never retried.
    Tls,
}

impl ErrorKind {
    /// The kind an HTTP error status maps to.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => Self::BadRequest,
            401 => Self::Authentication,
            429 => Self::RateLimited,
            502 => Self::DeviceUnavailable,
            503 => Self::NoActiveNumber,
            500..=599 => Self::ServerError,
            _ => Self::HttpStatus,
        }
    }

    /// A stable snake_case name, used by the bindings and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidConfig => "invalid_config",
            Self::InvalidChatId => "invalid_chat_id",
            Self::InvalidImage => "invalid_image",
            Self::Io => "io",
            Self::BadRequest => "bad_request",
            Self::Authentication => "authentication",
            Self::RateLimited => "rate_limited",
            Self::DeviceUnavailable => "device_unavailable",
            Self::NoActiveNumber => "no_active_number",
            Self::ServerError => "server_error",
            Self::HttpStatus => "http_status",
            Self::Timeout => "timeout",
            Self::Connection => "connection",
            Self::Decode => "decode",
            Self::Tls => "tls",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from the client. `Display` gives a complete, actionable sentence.
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    server_message: Option<String>,
    code: Option<String>,
    request_id: Option<String>,
    body: Option<String>,
    attempts: u32,
    retry_after: Option<Duration>,
    path: Option<PathBuf>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                server_message: None,
                code: None,
                request_id: None,
                body: None,
                attempts: 0,
                retry_after: None,
                path: None,
                source: None,
            }),
        }
    }

    pub(crate) fn io(path: &Path, doing: &str, source: std::io::Error) -> Error {
        let message = format!("{doing} {}: {source}", path.display());
        Error::new(ErrorKind::Io, message)
            .with_path(path)
            .with_source(source)
    }

    pub(crate) fn with_path(mut self, path: &Path) -> Error {
        self.inner.path = Some(path.to_path_buf());
        self
    }

    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Error {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// Records how many attempts were made; the message says so when there was more than one.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Error {
        self.inner.attempts = attempts;
        if attempts > 1 {
            self.inner
                .message
                .push_str(&format!(" (gave up after {attempts} attempts)"));
        }
        self
    }

    pub(crate) fn with_response(
        mut self,
        status: u16,
        request_id: Option<String>,
        body: Option<String>,
    ) -> Error {
        self.inner.status = Some(status);
        self.inner.request_id = request_id;
        self.inner.body = body;
        self
    }

    pub(crate) fn with_server_detail(
        mut self,
        server_message: Option<String>,
        code: Option<String>,
        retry_after: Option<Duration>,
    ) -> Error {
        self.inner.server_message = server_message;
        self.inner.code = code;
        self.inner.retry_after = retry_after;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status of the last response, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The server's own message from the JSON error body.
    pub fn server_message(&self) -> Option<&str> {
        self.inner.server_message.as_deref()
    }

    /// The server's error code from the JSON error body (numbers are given as text).
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }

    /// The `x-request-id` of the last response; quote it to Blooio support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The last response's body as text (at most 64 KiB of it), for error statuses and for
    /// success bodies that could not be decoded.
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// How many HTTP attempts were made: 0 when the request was refused before sending.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// How long the server asked us to wait, when it said so and we did not retry.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The file involved, for [`ErrorKind::Io`] and file-based [`ErrorKind::InvalidImage`].
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// The complete message, as `Display` prints it.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Whether a later, identical call might succeed (the transient kinds).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::RateLimited
                | ErrorKind::DeviceUnavailable
                | ErrorKind::ServerError
                | ErrorKind::Timeout
                | ErrorKind::Connection
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind()).field("message", &i.message);
        if let Some(s) = i.status {
            d.field("status", &s);
        }
        if let Some(c) = &i.code {
            d.field("code", c);
        }
        if let Some(r) = &i.request_id {
            d.field("request_id", r);
        }
        if let Some(p) = &i.path {
            d.field("path", p);
        }
        d.field("attempts", &i.attempts).finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}
