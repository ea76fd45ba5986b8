//! `blooio_background`: a chat's background as the API described it.

use std::ffi::{CString, c_char};

use blooio_core::ChatBackground;

use crate::boundary::{boundary, guard, handle, out};
use crate::error::{blooio_error, c_string};
use crate::handle::{self as handles, Handle, Kind};
use crate::status::blooio_status;

/// A chat's background, returned by the get and set calls; owned by the caller and freed with
/// `blooio_background_free`. Every field may be absent (the server did not send it, or sent
/// null), and the getters say so apart from false, 0 or "". Immutable, so it may be read from
/// any thread.
pub struct blooio_background {
    inner: ChatBackground,
    chat_id: Option<CString>,
    background_id: Option<CString>,
    background_url: Option<CString>,
    request_id: Option<CString>,
}

impl Handle for blooio_background {
    const KIND: Kind = Kind::Background;
}

impl blooio_background {
    pub(crate) fn new(inner: ChatBackground) -> blooio_background {
        blooio_background {
            chat_id: inner.chat_id.as_deref().map(c_string),
            background_id: inner.background_id.as_deref().map(c_string),
            background_url: inner.background_url.as_deref().map(c_string),
            request_id: inner.request_id.as_deref().map(c_string),
            inner,
        }
    }
}

/// The shared body of the getters: checks the arguments, then writes `*present` and, when the
/// field is there, `*value`.
fn get<T>(
    function: &'static str,
    background: *const blooio_background,
    present: *mut bool,
    value: *mut T,
    field: impl FnOnce(&blooio_background) -> Option<T>,
) -> blooio_status {
    boundary(function, std::ptr::null_mut(), || {
        // SAFETY: the handle is checked live; the caller passes the addresses of a `bool` and
        // of a value of the field's type.
        let (background, present, value) = unsafe {
            (
                handle(background, "background")?,
                out(present, "present")?,
                out(value, "value")?,
            )
        };
        match field(background) {
            Some(v) => {
                value.write(v);
                present.write(true);
            }
            None => present.write(false),
        }
        Ok(())
    })
}

fn c_ptr(s: &Option<CString>) -> Option<*const c_char> {
    s.as_ref().map(|s| s.as_ptr())
}

/// The normalised chat id the server answered for.
///
/// `background`: must not be NULL. `present`: receives whether the server sent the field;
/// must not be NULL. `value`: receives a string borrowed from `background` (valid until
/// `blooio_background_free`) when present, and is left alone otherwise; must not be NULL. A
/// NUL inside the value reads as U+FFFD here (`blooio_background_to_json` keeps it).
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL argument, a
/// pointer that is not a live background), writing nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_background_chat_id(
    background: *const blooio_background,
    present: *mut bool,
    value: *mut *const c_char,
) -> blooio_status {
    get("blooio_background_chat_id", background, present, value, |b| {
        c_ptr(&b.chat_id)
    })
}

/// Whether the chat has a background. Arguments and statuses as for
/// `blooio_background_chat_id`; `value` receives the flag.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_background_has_background(
    background: *const blooio_background,
    present: *mut bool,
    value: *mut bool,
) -> blooio_status {
    get(
        "blooio_background_has_background",
        background,
        present,
        value,
        |b| b.inner.has_background,
    )
}

/// The current background's id (absent when the chat has none). Arguments, ownership and
/// statuses as for `blooio_background_chat_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_background_background_id(
    background: *const blooio_background,
    present: *mut bool,
    value: *mut *const c_char,
) -> blooio_status {
    get(
        "blooio_background_background_id",
        background,
        present,
        value,
        |b| c_ptr(&b.background_id),
    )
}

/// A public URL of the stored image. Arguments, ownership and statuses as for
/// `blooio_background_chat_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_background_background_url(
    background: *const blooio_background,
    present: *mut bool,
    value: *mut *const c_char,
) -> blooio_status {
    get(
        "blooio_background_background_url",
        background,
        present,
        value,
        |b| c_ptr(&b.background_url),
    )
}

/// The background's version, for cache invalidation. Arguments and statuses as for
/// `blooio_background_chat_id`; `value` receives the number.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_background_background_version(
    background: *const blooio_background,
    present: *mut bool,
    value: *mut i64,
) -> blooio_status {
    get(
        "blooio_background_background_version",
        background,
        present,
        value,
        |b| b.inner.background_version,
    )
}

/// Whether the set call changed the background; absent in answer to a get. Arguments and
/// statuses as for `blooio_background_chat_id`; `value` receives the flag.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_background_changed(
    background: *const blooio_background,
    present: *mut bool,
    value: *mut bool,
) -> blooio_status {
    get("blooio_background_changed", background, present, value, |b| {
        b.inner.changed
    })
}

/// The request id the server gave the answer (its `x-request-id`), for support requests.
/// Arguments and statuses as for `blooio_background_chat_id`; absent if the server sent none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_background_request_id(
    background: *const blooio_background,
    present: *mut bool,
    value: *mut *const c_char,
) -> blooio_status {
    get("blooio_background_request_id", background, present, value, |b| {
        c_ptr(&b.request_id)
    })
}

/// How many attempts the call took (1 unless it was retried). Arguments and statuses as for
/// `blooio_background_chat_id`; always present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_background_attempts(
    background: *const blooio_background,
    present: *mut bool,
    value: *mut u32,
) -> blooio_status {
    get("blooio_background_attempts", background, present, value, |b| {
        Some(b.inner.attempts)
    })
}

/// The fields that are present, as a compact JSON object such as
/// `{"chat_id":"+15551234567","has_background":true,"background_version":3}`.
///
/// `background`: must not be NULL. `json_out`: receives a NUL-terminated UTF-8 string that the
/// caller owns and frees with `blooio_string_free`; must not be NULL; written only on success.
/// `error`: NULL, or receives an error the caller frees with `blooio_error_free` on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL argument, a pointer
/// that is not a live background).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_background_to_json(
    background: *const blooio_background,
    json_out: *mut *mut c_char,
    error: *mut *mut blooio_error,
) -> blooio_status {
    boundary("blooio_background_to_json", error, || {
        // SAFETY: the handle is checked live; the caller passes the address of a `char *`.
        let (background, json_out) =
            unsafe { (handle(background, "background")?, out(json_out, "json_out")?) };
        // serde_json escapes NUL as \u0000, so the text has no NUL byte to lose.
        json_out.write(handles::string_into_raw(c_string(&background.inner.to_json())));
        Ok(())
    })
}

/// Frees a background and the strings borrowed from it. NULL, or a pointer that is not a live
/// background (freed already), is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_background_free(background: *mut blooio_background) {
    guard((), || drop(handles::take(background)))
}
