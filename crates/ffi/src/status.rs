//! `blooio_status`: what every fallible function returns.

use std::ffi::{CStr, CString, c_char, c_int};
use std::sync::OnceLock;

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
    /// The caller cancelled the call: a `blooio_cancel_token` it was given was cancelled, or
    /// its progress callback returned false. Its connection was closed.
    Cancelled = 19,
}

impl blooio_status {
    /// The last status. Values run from 0 to this one without a gap (a test reads the header to
    /// hold that): a new status is appended after it and becomes the new `LAST`.
    const LAST: blooio_status = blooio_status::Cancelled;

    /// The status of a value, if it is one.
    fn from_value(value: c_int) -> Option<blooio_status> {
        (0..=Self::LAST as c_int).contains(&value).then(|| {
            // SAFETY: `blooio_status` is `repr(C)` (an `int`) and every value from 0 to `LAST`
            // is one of its variants (see `LAST`), so `value` is a valid `blooio_status`.
            unsafe { std::mem::transmute::<c_int, blooio_status>(value) }
        })
    }

    /// Every status, in value order.
    fn all() -> impl Iterator<Item = blooio_status> {
        (0..=Self::LAST as c_int).filter_map(Self::from_value)
    }

    /// The stable snake_case name, derived from the variant's own name (`RateLimited` gives
    /// `rate_limited`): the name of the core's `ErrorKind` of the same meaning.
    fn name(self) -> &'static CStr {
        static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            blooio_status::all()
                .map(|s| snake_case(&format!("{s:?}")))
                .collect()
        });
        &names[self as usize]
    }
}

fn snake_case(camel: &str) -> CString {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    CString::new(out).expect("a variant name has no NUL")
}

impl From<ErrorKind> for blooio_status {
    /// The status named like the kind; `Other` for a kind this version of the C API lacks
    /// (a test makes sure there is none).
    fn from(kind: ErrorKind) -> Self {
        blooio_status::all()
            .find(|s| s.name().to_bytes() == kind.as_str().as_bytes())
            .unwrap_or(blooio_status::Other)
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
        blooio_status::from_value(status)
            .map_or(c"unknown", blooio_status::name)
            .as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    /// The header's `BLOOIO_STATUS_<NAME> = <value>` lines, in order.
    fn header_statuses() -> Vec<(String, c_int)> {
        let header = include_str!("../../../include/blooio.h");
        header
            .lines()
            .filter_map(|l| l.trim().strip_prefix("BLOOIO_STATUS_"))
            .filter_map(|l| l.trim_end_matches(',').split_once(" = "))
            .map(|(name, value)| (name.to_owned(), value.parse().unwrap()))
            .collect()
    }

    #[test]
    fn values_run_without_a_gap_to_last_and_names_match_the_header() {
        let header = header_statuses();
        assert_eq!(
            header.len(),
            blooio_status::LAST as usize + 1,
            "LAST must be the last status"
        );
        for (i, (name, value)) in header.iter().enumerate() {
            assert_eq!(*value as usize, i, "{name}");
            let status = blooio_status::from_value(*value).unwrap();
            assert_eq!(status.name().to_str().unwrap().to_ascii_uppercase(), *name);
        }
        assert_eq!(blooio_status::from_value(blooio_status::LAST as c_int + 1), None);
        assert_eq!(blooio_status::from_value(-1), None);
    }

    #[test]
    fn every_error_kind_has_the_status_of_its_name() {
        for &kind in ErrorKind::ALL {
            let status = blooio_status::from(kind);
            assert_ne!(status, blooio_status::Other, "{kind:?} has no C status: add one");
            assert_eq!(status.name().to_str().unwrap(), kind.as_str());
        }
    }

    #[test]
    fn names_of_values() {
        // SAFETY: blooio_status_name returns static NUL-terminated strings.
        let name = |v| unsafe { CStr::from_ptr(blooio_status_name(v)) }.to_str().unwrap();
        assert_eq!(name(8), "rate_limited");
        assert_eq!(name(0), "ok");
        assert_eq!(name(18), "tls");
        assert_eq!(name(-1), "unknown");
        assert_eq!(name(blooio_status::LAST as c_int + 1), "unknown");
    }
}
