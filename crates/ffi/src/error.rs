//! `blooio_error`: the detail of one failed call, handed to the caller through the call's own
//! out-parameter (never thread-local: Go and Node move calls between OS threads).

use std::ffi::{CString, c_char};
use std::ptr;

use crate::boundary::guard;
use crate::handle::{self, Handle, Kind};
use crate::status::blooio_status;

/// The detail of a failed call: its status, a complete message and, for HTTP failures, what
/// the server said. Created by the library, owned by the caller, freed with
/// `blooio_error_free`. Immutable, so it may be read from any thread.
pub struct blooio_error {
    status: blooio_status,
    message: CString,
    http_status: u16,
    server_message: Option<CString>,
    server_code: Option<CString>,
    request_id: Option<CString>,
    attempts: u32,
    retry_after_ms: Option<u64>,
}

impl Handle for blooio_error {
    const KIND: Kind = Kind::Error;
}

/// A C string from text that may hold NUL bytes (a server's JSON can): each becomes U+FFFD.
pub(crate) fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{FFFD}")).expect("NUL bytes were replaced")
}

impl blooio_error {
    pub(crate) fn new(status: blooio_status, message: String) -> blooio_error {
        blooio_error {
            status,
            message: c_string(&message),
            http_status: 0,
            server_message: None,
            server_code: None,
            request_id: None,
            attempts: 0,
            retry_after_ms: None,
        }
    }

    /// An argument the binding refused; nothing was sent.
    pub(crate) fn invalid_argument(message: String) -> blooio_error {
        blooio_error::new(blooio_status::InvalidArgument, message)
    }

    /// The payload is not quoted: it might hold data the caller passed in.
    pub(crate) fn panic() -> blooio_error {
        blooio_error::new(
            blooio_status::Panic,
            "a bug in libblooio stopped the call (a Rust panic, caught); the library is still \
             usable, please report this"
                .to_owned(),
        )
    }

    /// Prefixes messages written by the binding itself with the export's name.
    pub(crate) fn in_function(mut self, function: &str) -> blooio_error {
        if matches!(self.status, blooio_status::InvalidArgument | blooio_status::Panic) {
            let message = format!("{function}: {}", self.message_str());
            self.message = c_string(&message);
        }
        self
    }

    pub(crate) fn status(&self) -> blooio_status {
        self.status
    }

    pub(crate) fn message_str(&self) -> &str {
        self.message.to_str().unwrap_or("")
    }
}

impl From<blooio_core::Error> for blooio_error {
    fn from(e: blooio_core::Error) -> blooio_error {
        blooio_error {
            status: e.kind().into(),
            message: c_string(e.message()),
            http_status: e.status().unwrap_or(0),
            server_message: e.server_message().map(c_string),
            server_code: e.code().map(c_string),
            request_id: e.request_id().map(c_string),
            attempts: e.attempts(),
            retry_after_ms: e
                .retry_after()
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        }
    }
}

/// Reads a field of a live error; NULL or anything else gives `None`.
fn with_error<T>(error: *const blooio_error, read: impl FnOnce(&blooio_error) -> T) -> Option<T> {
    if !handle::is_live(error.cast(), Kind::Error) {
        return None;
    }
    // SAFETY: a live `blooio_error` handed out by this library; the caller does not free it
    // during this call (documented on every getter).
    Some(read(unsafe { &*error }))
}

fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

/// The status of the failed call (never `BLOOIO_STATUS_OK`).
///
/// `error`: an error from this library; NULL, or a pointer that is not a live `blooio_error`,
/// gives `BLOOIO_STATUS_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_error_status(error: *const blooio_error) -> blooio_status {
    guard(blooio_status::Panic, || {
        with_error(error, |e| e.status).unwrap_or(blooio_status::InvalidArgument)
    })
}

/// A complete, actionable message in English, such as
/// `"rate limited (HTTP 429): slow down; send fewer requests and try again later"`. It never
/// contains the API key.
///
/// Returns a string borrowed from `error`, valid until `blooio_error_free(error)`; NULL when
/// `error` is NULL or not a live `blooio_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_error_message(error: *const blooio_error) -> *const c_char {
    guard(ptr::null(), || {
        with_error(error, |e| e.message.as_ptr()).unwrap_or(ptr::null())
    })
}

/// The HTTP status of the last response, or 0 when there was none (the request was refused
/// before sending, or no response came) or `error` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_error_http_status(error: *const blooio_error) -> u16 {
    guard(0, || with_error(error, |e| e.http_status).unwrap_or(0))
}

/// The server's own message from its JSON error body (or a snippet of a non-JSON body).
///
/// Returns a string borrowed from `error`, valid until `blooio_error_free(error)`; NULL when
/// the server gave none or `error` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_error_server_message(error: *const blooio_error) -> *const c_char {
    guard(ptr::null(), || {
        with_error(error, |e| opt_ptr(&e.server_message)).unwrap_or(ptr::null())
    })
}

/// The server's error code from its JSON error body (a number is given as text).
///
/// Returns a string borrowed from `error`, valid until `blooio_error_free(error)`; NULL when
/// the server gave none or `error` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_error_server_code(error: *const blooio_error) -> *const c_char {
    guard(ptr::null(), || {
        with_error(error, |e| opt_ptr(&e.server_code)).unwrap_or(ptr::null())
    })
}

/// The `x-request-id` of the last response: quote it to Blooio support.
///
/// Returns a string borrowed from `error`, valid until `blooio_error_free(error)`; NULL when
/// there was none or `error` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_error_request_id(error: *const blooio_error) -> *const c_char {
    guard(ptr::null(), || {
        with_error(error, |e| opt_ptr(&e.request_id)).unwrap_or(ptr::null())
    })
}

/// How many HTTP attempts were made: 0 when the call was refused before sending (or `error`
/// is NULL), more than 1 when it was retried.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_error_attempts(error: *const blooio_error) -> u32 {
    guard(0, || with_error(error, |e| e.attempts).unwrap_or(0))
}

/// How long the server asked the caller to wait (`Retry-After`, `retry-after-ms`), when it
/// said so and the library did not wait itself.
///
/// `error`: the error to read. `ms`: receives the wait in milliseconds; written only when the
/// function returns true. Returns false when the server said nothing, or either argument is
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_error_retry_after_ms(error: *const blooio_error, ms: *mut u64) -> bool {
    guard(false, || {
        let Some(Some(wait)) = with_error(error, |e| e.retry_after_ms) else {
            return false;
        };
        if ms.is_null() || !ms.is_aligned() {
            return false;
        }
        // SAFETY: non-NULL and aligned; the caller passes the address of a `uint64_t`.
        unsafe { ms.write(wait) };
        true
    })
}

/// Frees an error. NULL, or a pointer that is not a live `blooio_error` (one freed already,
/// for instance), is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_error_free(error: *mut blooio_error) {
    guard((), || drop(handle::take(error)))
}
