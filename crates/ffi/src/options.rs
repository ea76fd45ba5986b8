//! `blooio_options`: the settings a client is built from.

use std::ffi::{c_char, c_void};
use std::sync::Arc;
use std::time::Duration;

use blooio_core::{ClientBuilder, LogLevel, LogSink};

use crate::boundary::{change, create, guard, string};
use crate::call_options::UserData;
use crate::error::blooio_error;
use crate::error::c_string;
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

/// The body of a setter: `update` makes the changed builder from the options' builder.
fn set(
    function: &'static str,
    options: *mut blooio_options,
    error: *mut *mut blooio_error,
    update: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> blooio_status {
    change(function, options, "options", error, |o| {
        o.update(update);
        Ok(())
    })
}

/// The body of a setter of one string: `value` (named `name` in errors) is checked before
/// `update` gets it.
fn set_string(
    function: &'static str,
    options: *mut blooio_options,
    (value, name): (*const c_char, &'static str),
    error: *mut *mut blooio_error,
    update: impl FnOnce(ClientBuilder, &str) -> ClientBuilder,
) -> blooio_status {
    change(function, options, "options", error, |o| {
        // SAFETY: NULL is refused; otherwise the caller passes a NUL-terminated string that
        // stays unchanged during the call, as the header asks of every string argument.
        let value = unsafe { string(value, name) }?;
        o.update(|b| update(b, value));
        Ok(())
    })
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
    create("blooio_options_new", options_out, "options_out", error, || {
        Ok(blooio_options {
            builder: default_builder(),
        })
    })
}

/// Frees options. NULL, or a pointer that is not live options (freed already), is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_free(options: *mut blooio_options) {
    guard((), || drop(handle::take(options)))
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
    set_string(
        "blooio_options_set_api_key",
        options,
        (api_key, "api_key"),
        error,
        |b, v| b.api_key(v),
    )
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
    set_string(
        "blooio_options_set_base_url",
        options,
        (base_url, "base_url"),
        error,
        |b, v| b.base_url(v),
    )
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
    set("blooio_options_set_timeout_ms", options, error, |b| {
        b.timeout(Duration::from_millis(timeout_ms))
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
    set("blooio_options_set_connect_timeout_ms", options, error, |b| {
        b.connect_timeout(Duration::from_millis(connect_timeout_ms))
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
    set("blooio_options_set_max_retries", options, error, |b| {
        b.max_retries(max_retries)
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
    set_string(
        "blooio_options_set_user_agent_suffix",
        options,
        (suffix, "suffix"),
        error,
        |b, v| b.user_agent_suffix(v),
    )
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
    set_string(
        "blooio_options_set_binding",
        options,
        (binding, "binding"),
        error,
        |b, v| b.binding(v),
    )
}

/// Trusts exactly the CA certificates in this PEM bundle, instead of `$SSL_CERT_FILE` /
/// `$SSL_CERT_DIR` or the bundled Mozilla roots (for a TLS-inspecting proxy or a private CA).
/// The file is read by `blooio_client_new`: missing, unreadable or holding no certificate is
/// `BLOOIO_STATUS_INVALID_CONFIG` there, naming the path. Verification cannot be turned off.
///
/// `options`: must not be NULL. `path`: NUL-terminated UTF-8, copied; must not be NULL.
/// `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL argument, invalid
/// UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_ca_file(
    options: *mut blooio_options,
    path: *const c_char,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set_string(
        "blooio_options_set_ca_file",
        options,
        (path, "path"),
        error,
        |b, v| b.ca_file(v),
    )
}

/// Verifies servers with the operating system's verifier and trust store (true) instead of
/// the bundled roots. Default false. Combined with `blooio_options_set_ca_file` it makes
/// `blooio_client_new` fail with `BLOOIO_STATUS_INVALID_CONFIG`.
///
/// `options`: must not be NULL. `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (NULL options).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_platform_verifier(
    options: *mut blooio_options,
    on: bool,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set("blooio_options_set_platform_verifier", options, error, |b| {
        b.platform_verifier(on)
    })
}

/// Sends every request through this HTTP proxy (`http://host:port`, optionally with
/// `user:password@`), even to loopback hosts; HTTPS goes through it with `CONNECT`, so the
/// proxy sees neither the key nor the body. Default: `$HTTPS_PROXY`, `$ALL_PROXY`, ... except
/// for loopback base URLs. Checked by `blooio_client_new` (`BLOOIO_STATUS_INVALID_CONFIG`; the
/// message never shows the proxy's password).
///
/// `options`: must not be NULL. `proxy_url`: NUL-terminated UTF-8, copied; must not be NULL.
/// `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL argument, invalid
/// UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_proxy(
    options: *mut blooio_options,
    proxy_url: *const c_char,
    error: *mut *mut blooio_error,
) -> blooio_status {
    set_string(
        "blooio_options_set_proxy",
        options,
        (proxy_url, "proxy_url"),
        error,
        |b, v| b.proxy(v),
    )
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
    set("blooio_options_set_allow_insecure_http", options, error, |b| {
        b.allow_insecure_http(allow)
    })
}

/// Adds a header sent on every call of the client (repeatable; a later one of the same name
/// replaces it). These win over `BLOOIO_CUSTOM_HEADERS` (lines of `Name: value`, read by
/// `blooio_client_new`); a call's own headers win over both. `name`, `value`: NUL-terminated
/// UTF-8, copied; must not be NULL. A name or value with CR or LF, an invalid name, or a header
/// the library sets itself (Authorization, Content-Type, Content-Length, Host,
/// Transfer-Encoding) makes `blooio_client_new` fail with `BLOOIO_STATUS_INVALID_CONFIG`.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL argument, invalid
/// UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_add_default_header(
    options: *mut blooio_options,
    name: *const c_char,
    value: *const c_char,
    error: *mut *mut blooio_error,
) -> blooio_status {
    change(
        "blooio_options_add_default_header",
        options,
        "options",
        error,
        |o| {
            // SAFETY: NULL is refused; otherwise the caller passes NUL-terminated strings.
            let (name, value) = unsafe { (string(name, "name")?, string(value, "value")?) };
            o.update(|b| b.default_header(name, value));
            Ok(())
        },
    )
}

/// How much a log callback receives.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum blooio_log_level {
    /// One line per attempt: method, path as sent, status or error kind, time taken, attempt,
    /// request id.
    Info = 1,
    /// Also each retry decision and its wait.
    Debug = 2,
}

/// Receives the client's log lines (never the key, a body, or a header value other than the
/// request id). Called on the thread making the call (a library thread for `_async` calls),
/// possibly from several threads at once; `line` is valid during the callback only. It must
/// return normally and must not free the client.
pub type blooio_log_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, level: blooio_log_level, line: *const c_char)>;

/// Sends the client's log lines up to `level` (`BLOOIO_LOG_LEVEL_INFO` or
/// `BLOOIO_LOG_LEVEL_DEBUG`) to `callback`, with `user_data` untouched. Without a callback,
/// `BLOOIO_LOG=info|debug` sends them to stderr.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (NULL options or callback,
/// a `level` that is not one of the two).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_options_set_log_callback(
    options: *mut blooio_options,
    level: u32,
    callback: blooio_log_callback,
    user_data: *mut c_void,
    error: *mut *mut blooio_error,
) -> blooio_status {
    change(
        "blooio_options_set_log_callback",
        options,
        "options",
        error,
        |o| {
            let level = match level {
                1 => LogLevel::Info,
                2 => LogLevel::Debug,
                other => {
                    return Err(blooio_error::invalid_argument(format!(
                        "`level` is {other}: use BLOOIO_LOG_LEVEL_INFO (1) or BLOOIO_LOG_LEVEL_DEBUG (2)"
                    )));
                }
            };
            let callback =
                callback.ok_or_else(|| blooio_error::invalid_argument("`callback` is NULL".into()))?;
            let user_data = UserData(user_data);
            let sink: LogSink = Arc::new(move |level, line| {
                let user_data = user_data;
                let level = match level {
                    LogLevel::Info => blooio_log_level::Info,
                    LogLevel::Debug => blooio_log_level::Debug,
                };
                let line = c_string(line);
                // SAFETY: the caller's function of this type, with its own user_data and a
                // NUL-terminated line that lives until it returns.
                unsafe { callback(user_data.0, level, line.as_ptr()) };
            });
            o.update(|b| b.logger(level, sink));
            Ok(())
        },
    )
}
