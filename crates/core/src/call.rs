//! What a caller may add to one call (timeout, headers, progress, cancellation), and the checks
//! every caller-supplied header passes, whether it is set per call, on the client or in
//! `BLOOIO_CUSTOM_HEADERS`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::{HeaderName, HeaderValue};

use crate::cancel::CancelToken;
use crate::error::{Error, ErrorKind};

/// Environment variable read for headers sent on every call: lines of `Name: value`.
pub const ENV_CUSTOM_HEADERS: &str = "BLOOIO_CUSTOM_HEADERS";

/// Headers the library sets itself; a caller may not set them.
const OWNED_HEADERS: [&str; 5] = [
    "authorization",
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
];

/// Called as an upload proceeds with `(bytes sent, bytes in total)`; returning `false` stops the
/// upload, and the call fails with [`ErrorKind::Cancelled`].
pub type ProgressFn<'a> = Box<dyn FnMut(u64, u64) -> bool + Send + 'a>;

/// Options for one call. Everything is checked when the call starts; a refused option sends
/// nothing.
///
/// ```
/// use std::time::Duration;
/// use blooio_core::{CallOptions, CancelToken};
///
/// let token = CancelToken::new();
/// let options = CallOptions::new()
///     .timeout(Duration::from_secs(5))
///     .header("X-Trace-Id", "abc123")
///     .cancel_token(token.clone());
/// # drop(options);
/// ```
#[derive(Default)]
pub struct CallOptions<'a> {
    pub(crate) timeout: Option<Duration>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) progress: Option<ProgressFn<'a>>,
    pub(crate) cancel: Option<CancelToken>,
    pub(crate) pause: Option<Arc<crate::pause::SharedPause>>,
}

impl<'a> CallOptions<'a> {
    pub fn new() -> CallOptions<'a> {
        CallOptions::default()
    }

    /// The time each attempt of this call may take, instead of the client's timeout. More than
    /// zero and at most [`MAX_TIMEOUT`](crate::MAX_TIMEOUT).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// A header sent with this call, after the client's default headers (a name set in both is
    /// sent with this value only).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Reports upload progress as `(bytes sent, bytes in total)` of the request body; a retried
    /// upload starts again from zero. Return `false` to stop the upload.
    pub fn progress(mut self, progress: impl FnMut(u64, u64) -> bool + Send + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Cancels the call when `token` is cancelled, at whatever point it has reached.
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Shares the waits after HTTP 429 with every other call given the same pause.
    #[allow(dead_code)] // for bulk runs
    pub(crate) fn shared_pause(mut self, pause: Arc<crate::pause::SharedPause>) -> Self {
        self.pause = Some(pause);
        self
    }
}

impl fmt::Debug for CallOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be credentials of the caller's own: names only.
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("headers", &names)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .finish()
    }
}

/// A checked header, ready for the wire.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub name: HeaderName,
    pub value: HeaderValue,
}

/// Checks one caller-supplied header; `origin` says where it came from, for the message.
pub(crate) fn check_header(name: &str, value: &str, origin: &str) -> Result<Header, Error> {
    let refuse = |why: String| Err(Error::new(ErrorKind::InvalidConfig, format!("{origin}: {why}")));
    if name
        .bytes()
        .chain(value.bytes())
        .any(|b| matches!(b, b'\r' | b'\n' | 0))
    {
        return refuse(format!(
            "header {:?} contains a line break or NUL; headers are single lines",
            name.escape_debug().to_string()
        ));
    }
    let Ok(parsed) = HeaderName::from_bytes(name.trim().as_bytes()) else {
        return refuse(format!(
            "{name:?} is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)"
        ));
    };
    if OWNED_HEADERS.contains(&parsed.as_str()) {
        return refuse(format!("the library sets {name} itself; it cannot be overridden"));
    }
    let value = value.trim();
    let checked = value
        .is_ascii()
        .then(|| HeaderValue::from_str(value).ok())
        .flatten();
    let Some(value) = checked else {
        return refuse(format!(
            "the value of header {name} must be visible ASCII, spaces or tabs"
        ));
    };
    // The value may be a credential of the caller's: it is never in a message.
    Ok(Header { name: parsed, value })
}

/// Checks a list of headers, later ones replacing earlier ones of the same name.
pub(crate) fn check_headers<'h>(
    headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    origin: &str,
) -> Result<Vec<Header>, Error> {
    let mut checked: Vec<Header> = Vec::new();
    for (name, value) in headers {
        merge(&mut checked, [check_header(name, value, origin)?]);
    }
    Ok(checked)
}

/// Adds `later` to `base`; a name in `later` replaces every header of that name in `base`.
pub(crate) fn merge(base: &mut Vec<Header>, later: impl IntoIterator<Item = Header>) {
    for header in later {
        base.retain(|h| h.name != header.name);
        base.push(header);
    }
}

/// The lines of `BLOOIO_CUSTOM_HEADERS`: `Name: value` each, blank lines skipped.
pub(crate) fn headers_from_env(text: &str) -> Result<Vec<Header>, Error> {
    let origin = ENV_CUSTOM_HEADERS;
    let mut pairs = Vec::new();
    for line in text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)) {
        if line.trim().is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                format!("{origin}: a line has no ':'; write one `Name: value` per line"),
            ));
        };
        pairs.push((name.trim(), value.trim()));
    }
    check_headers(pairs, origin)
}

/// The timeout of one call: the caller's, checked, or the client's.
pub(crate) fn call_timeout(asked: Option<Duration>, client: Duration) -> Result<Duration, Error> {
    match asked {
        None => Ok(client),
        Some(t) => crate::config::checked_timeout("per-call timeout", Some(t), client),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_with_line_breaks_bad_names_or_owned_names_are_refused() {
        for (name, value) in [
            ("X-A", "a\r\nInjected: 1"),
            ("X-A\n", "a"),
            ("X-A", "a\0"),
            ("X A", "a"),
            ("", "a"),
            ("Authorization", "Bearer other"),
            ("content-LENGTH", "3"),
            ("Host", "evil.example"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Type", "text/plain"),
            ("X-A", "caf\u{e9}"),
        ] {
            let e = check_header(name, value, "default header").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{name:?}");
            assert!(e.to_string().starts_with("default header: "), "{e}");
        }
        assert!(check_header("X-Trace", " abc ", "x").unwrap().value == "abc");
    }

    #[test]
    fn a_refused_value_is_not_quoted() {
        let e = check_header("X-Secret", "s3cret\n", "x").unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }

    #[test]
    fn env_headers_parse_lines_and_later_names_win() {
        let h = headers_from_env("X-A: 1\r\n\nx-b:2\nX-A: 3\n").unwrap();
        let pairs: Vec<(&str, &str)> = h
            .iter()
            .map(|h| (h.name.as_str(), h.value.to_str().unwrap()))
            .collect();
        assert_eq!(pairs, [("x-b", "2"), ("x-a", "3")]);
        let e = headers_from_env("X-A 1").unwrap_err();
        assert!(e.to_string().contains(ENV_CUSTOM_HEADERS), "{e}");
    }

    #[test]
    fn per_call_timeouts_are_bounded() {
        let client = Duration::from_secs(60);
        assert_eq!(call_timeout(None, client).unwrap(), client);
        assert_eq!(
            call_timeout(Some(Duration::from_secs(2)), client).unwrap(),
            Duration::from_secs(2)
        );
        assert!(call_timeout(Some(Duration::ZERO), client).is_err());
        assert!(call_timeout(Some(crate::MAX_TIMEOUT * 2), client).is_err());
    }
}
