//! `blooio_call_options` and `blooio_cancel_token`: what a caller may add to one call, and the
//! handle that cancels calls from any thread.

use std::ffi::c_void;
use std::time::Duration;

use blooio_core::{CallOptions, CancelToken};

use crate::boundary::{change, create, guard, shared, string};
use crate::error::blooio_error;
use crate::handle::{self, Handle, Kind};
use crate::status::blooio_status;

/// Called as an upload proceeds with the bytes of the request body sent so far and in total
/// (a retried upload starts again from zero), on the thread running the call. Return true to go
/// on, false to stop the upload: the call then fails with `BLOOIO_STATUS_CANCELLED` and its
/// connection is closed. It must return normally (no longjmp, no C++ exception out of it) and
/// must not free the call's objects.
pub type blooio_progress_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, sent: u64, total: u64) -> bool>;

/// Options for one call, for the `_with_options` and `_async` calls, which copy them when they
/// start: the options may be changed or freed as soon as the call returns (for `_async`, as
/// soon as it is queued), and one set may serve many calls. Created with
/// `blooio_call_options_new`, freed with `blooio_call_options_free`. Not for use by two threads
/// at once.
#[derive(Clone, Default)]
pub struct blooio_call_options {
    timeout: Option<Duration>,
    headers: Vec<(String, String)>,
    progress: Option<(unsafe extern "C" fn(*mut c_void, u64, u64) -> bool, UserData)>,
    cancel: Option<CancelToken>,
}

impl Handle for blooio_call_options {
    const KIND: Kind = Kind::CallOptions;
}

/// Cancels the calls it is given to (through `blooio_call_options_set_cancel_token`), from any
/// thread. Each call keeps its own reference, so the token may be freed at any time.
pub struct blooio_cancel_token {
    inner: CancelToken,
}

impl Handle for blooio_cancel_token {
    const KIND: Kind = Kind::CancelToken;
}

/// A caller's `user_data`, carried to the thread a call or callback runs on: the header's
/// threading contract makes it the caller's promise that the pointer may be used there.
#[derive(Clone, Copy)]
pub(crate) struct UserData(pub(crate) *mut c_void);
// SAFETY: the library never dereferences it; it only hands it back to the caller's callback,
// on the threads the documentation of each callback names.
unsafe impl Send for UserData {}
// SAFETY: as above; a callback that may run on several threads at once says so.
unsafe impl Sync for UserData {}

/// A call's options, copied from a `const blooio_call_options *` argument (NULL: none).
///
/// # Safety
/// `ptr` is NULL or a pointer the caller passed as call options.
pub(crate) unsafe fn copied(ptr: *const blooio_call_options) -> Result<blooio_call_options, blooio_error> {
    if ptr.is_null() {
        return Ok(blooio_call_options::default());
    }
    shared(ptr, "call_options", Clone::clone)
}

impl blooio_call_options {
    /// The core's options for one call.
    pub(crate) fn into_core(self) -> CallOptions<'static> {
        let mut options = CallOptions::new();
        if let Some(timeout) = self.timeout {
            options = options.timeout(timeout);
        }
        for (name, value) in self.headers {
            options = options.header(name, value);
        }
        if let Some((callback, user_data)) = self.progress {
            options = options.progress(move |sent, total| {
                let user_data = user_data;
                // SAFETY: the caller's function of this type, given its own user_data.
                unsafe { callback(user_data.0, sent, total) }
            });
        }
        if let Some(token) = self.cancel {
            options = options.cancel_token(token);
        }
        options
    }
}

/// Creates empty call options (the client's settings apply).
///
/// `call_options_out`: receives the options, which the caller owns and frees with
/// `blooio_call_options_free`; must not be NULL. `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (NULL `call_options_out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_call_options_new(
    call_options_out: *mut *mut blooio_call_options,
    error: *mut *mut blooio_error,
) -> blooio_status {
    create(
        "blooio_call_options_new",
        call_options_out,
        "call_options_out",
        error,
        || Ok(blooio_call_options::default()),
    )
}

/// Frees call options. NULL, or a pointer that is not live call options, is ignored. Calls
/// made with them are unaffected.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_call_options_free(call_options: *mut blooio_call_options) {
    guard((), || drop(handle::take(call_options)))
}

/// Sets the time each attempt of the call may take, in milliseconds, instead of the client's
/// timeout. More than 0 and at most one day: checked when the call starts, which otherwise
/// fails with `BLOOIO_STATUS_INVALID_CONFIG` and sends nothing.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL or dead argument).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_call_options_set_timeout_ms(
    call_options: *mut blooio_call_options,
    timeout_ms: u64,
    error: *mut *mut blooio_error,
) -> blooio_status {
    change(
        "blooio_call_options_set_timeout_ms",
        call_options,
        "call_options",
        error,
        |o| {
            o.timeout = Some(Duration::from_millis(timeout_ms));
            Ok(())
        },
    )
}

/// Adds a header sent with the call, after the client's default headers (a name set in both is
/// sent with this value only). `name` and `value`: NUL-terminated UTF-8, copied; must not be
/// NULL. A name or value with CR or LF, an invalid name, or a header the library sets itself
/// (Authorization, Content-Type, Content-Length, Host, Transfer-Encoding) makes the call fail
/// with `BLOOIO_STATUS_INVALID_CONFIG` before anything is sent.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL or dead argument,
/// invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_call_options_add_header(
    call_options: *mut blooio_call_options,
    name: *const std::ffi::c_char,
    value: *const std::ffi::c_char,
    error: *mut *mut blooio_error,
) -> blooio_status {
    change(
        "blooio_call_options_add_header",
        call_options,
        "call_options",
        error,
        |o| {
            // SAFETY: NULL is refused; otherwise the caller passes NUL-terminated strings.
            let (name, value) = unsafe { (string(name, "name")?, string(value, "value")?) };
            o.headers.push((name.to_owned(), value.to_owned()));
            Ok(())
        },
    )
}

/// Reports the upload progress of a set call to `callback` (see `blooio_progress_callback`),
/// with `user_data` untouched. Ignored by get calls. A NULL `callback` removes it.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL or dead options).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_call_options_set_progress(
    call_options: *mut blooio_call_options,
    callback: blooio_progress_callback,
    user_data: *mut c_void,
    error: *mut *mut blooio_error,
) -> blooio_status {
    change(
        "blooio_call_options_set_progress",
        call_options,
        "call_options",
        error,
        |o| {
            o.progress = callback.map(|c| (c, UserData(user_data)));
            Ok(())
        },
    )
}

/// Makes calls with these options cancellable by `token` (the options take their own
/// reference; the token may be freed afterwards). NULL removes it.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (dead options or token).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_call_options_set_cancel_token(
    call_options: *mut blooio_call_options,
    token: *const blooio_cancel_token,
    error: *mut *mut blooio_error,
) -> blooio_status {
    change(
        "blooio_call_options_set_cancel_token",
        call_options,
        "call_options",
        error,
        |o| {
            o.cancel = if token.is_null() {
                None
            } else {
                Some(shared(token, "token", |t| t.inner.clone())?)
            };
            Ok(())
        },
    )
}

/// Creates a cancellation token, not cancelled.
///
/// `token_out`: receives the token, which the caller owns and frees with
/// `blooio_cancel_token_free`; must not be NULL. `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (NULL `token_out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_cancel_token_new(
    token_out: *mut *mut blooio_cancel_token,
    error: *mut *mut blooio_error,
) -> blooio_status {
    create("blooio_cancel_token_new", token_out, "token_out", error, || {
        Ok(blooio_cancel_token {
            inner: CancelToken::new(),
        })
    })
}

/// Cancels every call made with this token, from any thread, at whatever point each has
/// reached (connecting, sending, waiting for the answer, reading it, waiting before a retry):
/// each fails with `BLOOIO_STATUS_CANCELLED` within about 100 ms, and a call started later
/// with it fails at once, sending nothing. Idempotent; a NULL or dead token is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_cancel_token_cancel(token: *const blooio_cancel_token) {
    guard((), || {
        let _ = handle::with_live(token, |t| t.inner.cancel());
    })
}

/// Whether the token was cancelled. False for a NULL or dead token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_cancel_token_is_cancelled(token: *const blooio_cancel_token) -> bool {
    guard(false, || {
        handle::with_live(token, |t| t.inner.is_cancelled()).unwrap_or(false)
    })
}

/// Frees a token. Calls made with it keep their own reference and can no longer be cancelled
/// through it. NULL, or a pointer that is not a live token, is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_cancel_token_free(token: *mut blooio_cancel_token) {
    guard((), || drop(handle::take(token)))
}
