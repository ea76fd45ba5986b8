//! One error type for everything the client can report. `kind()` says what happened, in terms
//! a caller can act on; the accessors carry the detail (HTTP status, the server's message and
//! code, request id, attempts). Messages never contain the API key.

use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Declares [`ErrorKind`] once: each variant with its stable snake_case name, from which
/// [`ErrorKind::ALL`] and [`ErrorKind::as_str`] follow. The C statuses, and through the header
/// every binding's tables, are matched to these names (crates/ffi checks that each has one).
macro_rules! error_kinds {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)*) => {
        /// What went wrong, in terms a caller can act on.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant),*];

            /// A stable snake_case name: the C status of the same name without its prefix
            /// (`"rate_limited"` for `BLOOIO_STATUS_RATE_LIMITED`), the CLI's `kind` field.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $name,)*
                }
            }
        }
    };
}

error_kinds! {
    /// The client's configuration is unusable (missing key, bad base URL, ...). Nothing was sent.
    InvalidConfig = "invalid_config",
    /// The chat id cannot name a chat. Nothing was sent.
    InvalidChatId = "invalid_chat_id",
    /// The image is empty, too large or not a supported format. Nothing was sent.
    InvalidImage = "invalid_image",
    /// The image file could not be read; [`Error::path`] names it.
    Io = "io",
    /// HTTP 400: the API refused the request's parameters.
    BadRequest = "bad_request",
    /// HTTP 401: the API key is missing, wrong or revoked.
    Authentication = "authentication",
    /// HTTP 429: too many requests; see [`Error::retry_after`].
    RateLimited = "rate_limited",
    /// HTTP 502: the API could not talk to the device; usually temporary.
    DeviceUnavailable = "device_unavailable",
    /// HTTP 503: the account has no active number.
    NoActiveNumber = "no_active_number",
    /// Any other HTTP 5xx.
    ServerError = "server_error",
    /// Any other unexpected HTTP status (403, 404, a redirect, ...).
    HttpStatus = "http_status",
    /// An attempt ran out of time.
    Timeout = "timeout",
    /// The connection could not be made or was lost.
    Connection = "connection",
    /// A success response whose body is not the JSON object we expect.
    Decode = "decode",
    /// The server's certificate was refused (unknown issuer, expired, not valid for the host,
    /// a CA used as the leaf) or the TLS handshake failed for good. Never retried.
    Tls = "tls",
    /// The caller cancelled the call (a [`CancelToken`](crate::CancelToken), or a progress
    /// callback that stopped the upload). Its connection was dropped.
    Cancelled = "cancelled",
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
/// The message of an HTTP error status: what happened and what to do, in words.
pub(crate) fn status_message(
    kind: ErrorKind,
    status: u16,
    server: Option<&str>,
    location: Option<&str>,
    request_id: Option<&str>,
) -> String {
    let (what, advice) = match kind {
        ErrorKind::BadRequest => (
            "the API refused the request",
            "check the chat id and the image".to_owned(),
        ),
        ErrorKind::Authentication => (
            "authentication failed",
            "check the API key (BLOOIO_API_KEY) and that it is still active".to_owned(),
        ),
        ErrorKind::RateLimited => (
            "rate limited",
            "send fewer requests and try again later".to_owned(),
        ),
        ErrorKind::DeviceUnavailable => (
            "the device could not be reached",
            "this is usually temporary; try again later".to_owned(),
        ),
        ErrorKind::NoActiveNumber => (
            "no active number",
            "the account has no active number: activate one in the Blooio dashboard".to_owned(),
        ),
        ErrorKind::ServerError => (
            "the API failed",
            "try again later; quote the request id to Blooio support if it persists".to_owned(),
        ),
        _ if (300..400).contains(&status) => (
            "the API answered with a redirect",
            format!(
                "redirects are not followed, so the API key cannot leak to another host (Location: {}); check the base URL",
                location.unwrap_or("none")
            ),
        ),
        _ if status == 404 => (
            "not found",
            "check the base URL (it should end in /v2/api) and the chat id".to_owned(),
        ),
        _ if status == 403 => ("forbidden", "the API key is not allowed to do this".to_owned()),
        _ => ("unexpected HTTP status", "see the server's message".to_owned()),
    };
    let server = server.map(|m| format!(": {m}")).unwrap_or_default();
    let request_id = request_id
        .map(|r| format!(" [request id {r}]"))
        .unwrap_or_default();
    format!("{what} (HTTP {status}){server}; {advice}{request_id}")
}
