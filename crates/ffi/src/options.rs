//! `blooio_options`: the settings a client is built from.

use std::ffi::c_char;
use std::time::Duration;

use blooio_core::ClientBuilder;

use crate::boundary::{boundary, guard, handle_mut, out, string};
use crate::error::blooio_error;
use crate::handle::{self, Handle, Kind};
use crate::status::blooio_status;

/// Settings for `blooio_client_new`. Whatever is not set comes from the environment
/// (`BLOOIO_API_KEY`, `BLOOIO_BASE_URL`), then the defaults. Created with
/// `blooio_options_new`, freed with `blooio_options_free`; the client copies what it needs, so
/// the options may be freed as soon as the client exists. Not for use by two threads at once.
pub struct blooio_options {
    pub(crate) builder: ClientBuilder,
}

impl Handle for blooio_options {
    const KIND: Kind = Kind::Options;
}

impl blooio_options {
    fn update(&mut self, f: impl FnOnce(ClientBuilder) -> ClientBuilder) {
        self.builder = f(std::mem::take(&mut self.builder));
    }
}

/// The builder a C caller starts from: the environment and the defaults, named `c` in the
/// User-Agent unless a binding names itself with `blooio_options_set_binding`.
pub(crate) fn default_builder() -> ClientBuilder {
    ClientBuilder::default().binding("c")
}

/// Creates an empty set of options: every setting from the environment or the defaults.
///
/// `options_out`: receives the new options, which the caller owns and frees with
/// `blooio_options_free`; must not be NULL; written only on success.
/// `error`: NULL, or receives an error the caller frees with `blooio_error_free` on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` if `options_out` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_new(
    options_out: *mut *mut blooio_options,
    error: *mut *mut blooio_error,
) -> blooio_status {
    boundary("blooio_options_new", error, || {
        // SAFETY: the caller passes NULL (refused) or the address of a `blooio_options *`.
        let options_out = unsafe { out(options_out, "options_out") }?;
        options_out.write(handle::into_raw(blooio_options {
            builder: default_builder(),
        }));
        Ok(())
    })
}

/// Frees options. NULL, or a pointer that is not live options (freed already), is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_free(options: *mut blooio_options) {
    guard((), || drop(handle::take(options)))
}

/// Applies `set` to live options, refusing NULL or dead ones.
fn set(
    function: &'static str,
    options: *mut blooio_options,
    error: *mut *mut blooio_error,
    set: impl FnOnce(&mut blooio_options) -> Result<(), blooio_error>,
) -> blooio_status {
    boundary(function, error, || {
        // SAFETY: a live handle is checked before use; the options are not shared between
        // threads while being set (documented on `blooio_options`).
        let options = unsafe { handle_mut(options, "options") }?;
        set(options)
    })
}

/// Sets the API key, sent as `Authorization: Bearer <key>`. Default: `$BLOOIO_API_KEY`.
///
/// `options`: the options to change; must not be NULL. `api_key`: NUL-terminated UTF-8,
/// copied; must not be NULL. It is checked by `blooio_client_new` (no spaces or control
/// characters) and never appears in any message. `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL argument, invalid
/// UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_api_key(
    options: *mut blooio_options,
    api_key: *const c_char,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set("blooio_options_set_api_key", options, error, |o| {
        // SAFETY: NULL is refused; otherwise the caller passes a NUL-terminated string.
        let api_key = unsafe { string(api_key, "api_key") }?;
        o.update(|b| b.api_key(api_key));
        Ok(())
    })
}

/// Sets the API's base URL, such as `https://api.blooio.com/v2/api` (the default, unless
/// `$BLOOIO_BASE_URL` is set). Plain `http://` is accepted for loopback hosts, and for others
/// only after `blooio_options_set_allow_insecure_http(options, true, ...)`; that and the rest
/// of the URL are checked by `blooio_client_new`.
///
/// `options`: must not be NULL. `base_url`: NUL-terminated UTF-8, copied; must not be NULL.
/// `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL argument, invalid
/// UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_base_url(
    options: *mut blooio_options,
    base_url: *const c_char,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set("blooio_options_set_base_url", options, error, |o| {
        // SAFETY: NULL is refused; otherwise the caller passes a NUL-terminated string.
        let base_url = unsafe { string(base_url, "base_url") }?;
        o.update(|b| b.base_url(base_url));
        Ok(())
    })
}

/// Sets how long one attempt may take, from connecting to the last byte of the response.
/// Default 60000 ms.
///
/// `options`: must not be NULL. `timeout_ms`: from 1 to 86400000 (one day); any other value
/// makes `blooio_client_new` answer `BLOOIO_STATUS_INVALID_CONFIG`.
/// `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (NULL options).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_timeout_ms(
    options: *mut blooio_options,
    timeout_ms: u64,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set("blooio_options_set_timeout_ms", options, error, |o| {
        o.update(|b| b.timeout(Duration::from_millis(timeout_ms)));
        Ok(())
    })
}

/// Sets how long opening a connection may take. Default 5000 ms.
///
/// `options`: must not be NULL. `connect_timeout_ms`: from 1 to 86400000 (one day); any other value
/// makes `blooio_client_new` answer `BLOOIO_STATUS_INVALID_CONFIG`.
/// `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (NULL options).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_connect_timeout_ms(
    options: *mut blooio_options,
    connect_timeout_ms: u64,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set("blooio_options_set_connect_timeout_ms", options, error, |o| {
        o.update(|b| b.connect_timeout(Duration::from_millis(connect_timeout_ms)));
        Ok(())
    })
}

/// Sets how many times a failed attempt is retried when that is safe (connection failures,
/// timeouts, 408, 409, 429, 5xx; a 503 only when the server says when). Default 2; 0 turns
/// retries off.
///
/// `options`: must not be NULL. `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (NULL options).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_max_retries(
    options: *mut blooio_options,
    max_retries: u32,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set("blooio_options_set_max_retries", options, error, |o| {
        o.update(|b| b.max_retries(max_retries));
        Ok(())
    })
}

/// Sets a token appended to the User-Agent, such as `my-app/1.2`. Default none. Printable
/// ASCII only, checked by `blooio_client_new`.
///
/// `options`: must not be NULL. `suffix`: NUL-terminated UTF-8, copied; must not be NULL.
/// `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL argument, invalid
/// UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_user_agent_suffix(
    options: *mut blooio_options,
    suffix: *const c_char,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set("blooio_options_set_user_agent_suffix", options, error, |o| {
        // SAFETY: NULL is refused; otherwise the caller passes a NUL-terminated string.
        let suffix = unsafe { string(suffix, "suffix") }?;
        o.update(|b| b.user_agent_suffix(suffix));
        Ok(())
    })
}

/// For a language binding built on libblooio (Node, Go, ...): its name, sent in the
/// User-Agent as `blooio-<binding>/<version>`. Default `c`. Lowercase letters, digits and `-`
/// only, checked by `blooio_client_new`.
///
/// `options`: must not be NULL. `binding`: NUL-terminated UTF-8, copied; must not be NULL.
/// `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL argument, invalid
/// UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_binding(
    options: *mut blooio_options,
    binding: *const c_char,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set("blooio_options_set_binding", options, error, |o| {
        // SAFETY: NULL is refused; otherwise the caller passes a NUL-terminated string.
        let binding = unsafe { string(binding, "binding") }?;
        o.update(|b| b.binding(binding));
        Ok(())
    })
}

/// Allows (true) a plain `http://` base URL on a host that is not loopback. The API key then
/// travels in clear text: only for a trusted network. Default false. Loopback hosts, such as
/// the emulator's, never need it.
///
/// `options`: must not be NULL. `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (NULL options).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_allow_insecure_http(
    options: *mut blooio_options,
    allow: bool,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set("blooio_options_set_allow_insecure_http", options, error, |o| {
        o.update(|b| b.allow_insecure_http(allow));
        Ok(())
    })
}
