//! `blooio_status`: what every fallible function returns.

use std::ffi::{c_char, c_int};

use blooio_core::ErrorKind;

use crate::boundary::guard;

/// The outcome of a call. Values are fixed and never reused: a new kind of failure gets a new
/// number. A status other than `BLOOIO_STATUS_OK` comes with a `blooio_error` (when the caller
/// passed a place for one) holding the message and detail.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum blooio_status {
    /// Success: the result out-parameters were written.
    Ok = 0,
    /// A pointer argument was NULL, misaligned or not a live handle of its type; a string was
    /// not valid UTF-8; or a number was out of range. The message names the argument.
    /// Nothing was sent.
    InvalidArgument = 1,
    /// The client's configuration is unusable (no API key, a bad base URL, plain http to a
    /// remote host without the opt-in, ...). Nothing was sent.
    InvalidConfig = 2,
    /// The chat id cannot name a chat (empty, a control character, a malformed phone number).
    /// Nothing was sent.
    InvalidChatId = 3,
    /// The image is empty, over 10 MiB, or not a JPEG, PNG, GIF, WebP, HEIC or HEIF judged by
    /// its bytes. Nothing was sent.
    InvalidImage = 4,
    /// The image file could not be opened or read.
    Io = 5,
    /// HTTP 400: the API refused the request's parameters.
    BadRequest = 6,
    /// HTTP 401: the API key is missing, wrong or revoked.
    Authentication = 7,
    /// HTTP 429: too many requests; see `blooio_error_retry_after_ms`.
    RateLimited = 8,
    /// HTTP 502: the API could not reach the device; usually temporary.
    DeviceUnavailable = 9,
    /// HTTP 503: the account has no active number.
    NoActiveNumber = 10,
    /// Any other HTTP 5xx.
    ServerError = 11,
    /// Any other unexpected HTTP status (403, 404, a redirect, ...).
    HttpStatus = 12,
    /// An attempt ran out of time.
    Timeout = 13,
    /// The connection could not be made or was lost.
    Connection = 14,
    /// A success response whose body is not a chat background.
    Decode = 15,
    /// A bug in the library stopped the call (a Rust panic, caught at the boundary). The
    /// library stays usable; please report it.
    Panic = 16,
    /// A failure this version of the C API does not classify yet; see the message.
    Other = 17,
    /// The server's certificate was refused (unknown issuer, expired, not valid for the host,
    /// a CA used as the leaf) or the TLS handshake failed for good. Never retried: trust the
    /// right CA (`blooio_options_set_ca_file`, `SSL_CERT_FILE`) or fix the base URL.
    Tls = 18,
}

impl From<ErrorKind> for blooio_status {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidConfig => Self::InvalidConfig,
            ErrorKind::InvalidChatId => Self::InvalidChatId,
            ErrorKind::InvalidImage => Self::InvalidImage,
            ErrorKind::Io => Self::Io,
            ErrorKind::BadRequest => Self::BadRequest,
            ErrorKind::Authentication => Self::Authentication,
            ErrorKind::RateLimited => Self::RateLimited,
            ErrorKind::DeviceUnavailable => Self::DeviceUnavailable,
            ErrorKind::NoActiveNumber => Self::NoActiveNumber,
            ErrorKind::ServerError => Self::ServerError,
            ErrorKind::HttpStatus => Self::HttpStatus,
            ErrorKind::Timeout => Self::Timeout,
            ErrorKind::Connection => Self::Connection,
            ErrorKind::Decode => Self::Decode,
            ErrorKind::Tls => Self::Tls,
            _ => Self::Other,
        }
    }
}

impl blooio_status {
    const ALL: [blooio_status; 19] = [
        Self::Ok,
        Self::InvalidArgument,
        Self::InvalidConfig,
        Self::InvalidChatId,
        Self::InvalidImage,
        Self::Io,
        Self::BadRequest,
        Self::Authentication,
        Self::RateLimited,
        Self::DeviceUnavailable,
        Self::NoActiveNumber,
        Self::ServerError,
        Self::HttpStatus,
        Self::Timeout,
        Self::Connection,
        Self::Decode,
        Self::Panic,
        Self::Other,
        Self::Tls,
    ];

    /// A stable snake_case name; the same words as the core's `ErrorKind::as_str`.
    fn name(self) -> &'static std::ffi::CStr {
        match self {
            Self::Ok => c"ok",
            Self::InvalidArgument => c"invalid_argument",
            Self::InvalidConfig => c"invalid_config",
            Self::InvalidChatId => c"invalid_chat_id",
            Self::InvalidImage => c"invalid_image",
            Self::Io => c"io",
            Self::BadRequest => c"bad_request",
            Self::Authentication => c"authentication",
            Self::RateLimited => c"rate_limited",
            Self::DeviceUnavailable => c"device_unavailable",
            Self::NoActiveNumber => c"no_active_number",
            Self::ServerError => c"server_error",
            Self::HttpStatus => c"http_status",
            Self::Timeout => c"timeout",
            Self::Connection => c"connection",
            Self::Decode => c"decode",
            Self::Panic => c"panic",
            Self::Other => c"other",
            Self::Tls => c"tls",
        }
    }
}

/// The stable snake_case name of a status, such as `"rate_limited"` for
/// `BLOOIO_STATUS_RATE_LIMITED`; `"unknown"` for a value that is not a status.
///
/// Takes an `int` rather than a `blooio_status` so that any value, even one that is not a
/// status, can be passed safely from any language.
///
/// Returns a static string: never NULL, never to be freed.
#[unsafe(no_mangle)]
pub extern "C" fn blooio_status_name(status: c_int) -> *const c_char {
    guard(c"unknown".as_ptr(), || {
        blooio_status::ALL
            .iter()
            .find(|s| **s as c_int == status)
            .map_or(c"unknown", |s| s.name())
            .as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn values_are_fixed_and_names_match_the_core() {
        for (i, s) in blooio_status::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i, "{s:?}");
        }
        for kind in [
            ErrorKind::Timeout,
            ErrorKind::NoActiveNumber,
            ErrorKind::Decode,
            ErrorKind::Tls,
        ] {
            let status = blooio_status::from(kind);
            assert_eq!(status.name().to_str().unwrap(), kind.as_str());
        }
        // SAFETY: blooio_status_name returns static NUL-terminated strings.
        let name = |v| unsafe { CStr::from_ptr(blooio_status_name(v)) }.to_str().unwrap();
        assert_eq!(name(8), "rate_limited");
        assert_eq!(name(-1), "unknown");
        assert_eq!(name(18), "tls");
        assert_eq!(name(19), "unknown");
    }
}
