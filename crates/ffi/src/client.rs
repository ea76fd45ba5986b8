//! `blooio_client` and the two endpoints.

use std::ffi::c_char;
use std::path::Path;
use std::ptr;

use blooio_core::{ChatBackground, Client, Image};

use crate::background::blooio_background;
use crate::boundary::{bytes, create, guard, handle, shared, string};
use crate::call_options::{self, blooio_call_options};
use crate::error::blooio_error;
use crate::handle::{self as handles, Handle, Kind};
use crate::options::blooio_options;
use crate::status::blooio_status;

/// A client for the chat-background endpoints. Created with `blooio_client_new`, freed with
/// `blooio_client_free`.
///
/// Thread safety: one client may be used by any number of threads at once (its calls take a
/// `const blooio_client *`, and its connections are pooled and shared). It may even be freed
/// while calls on it are running on other threads: those calls finish normally, and the
/// client's connections are released when the last of them ends.
///
/// Fork safety: a client created before `fork()` may be used in the parent and in every child
/// afterwards. A pooled connection is only ever used by the process that opened it: a child's
/// first call closes the child's copies of the inherited connections (writing nothing to them)
/// and opens its own, so no process ever reads another's answer. A call running in another
/// thread at the moment of the fork belongs to the parent; the child never sees its answer.
/// The library must not be called from a `pthread_atfork` handler, during the fork itself.
#[derive(Clone)]
pub struct blooio_client {
    pub(crate) inner: Client,
}

impl Handle for blooio_client {
    const KIND: Kind = Kind::Client;
}

/// What a call sends, as the caller passed it: nothing (a get), a file's path, or bytes.
pub(crate) enum ImageArg {
    None,
    Path(*const c_char),
    Bytes(*const u8, usize),
}

/// The arguments every call (blocking or `_async`) takes, before its out-parameter or callback.
pub(crate) struct Call {
    client: *const blooio_client,
    chat_id: *const c_char,
    image: ImageArg,
    call_options: *const blooio_call_options,
}

impl Call {
    pub(crate) fn new(
        client: *const blooio_client,
        chat_id: *const c_char,
        image: ImageArg,
        call_options: *const blooio_call_options,
    ) -> Call {
        Call {
            client,
            chat_id,
            image,
            call_options,
        }
    }

    /// Checks the arguments in the order the calls document them: a handle of the call's own on
    /// the client (taken while no thread can free it, so a concurrent free cannot pull it away),
    /// the chat id, the image, and a copy of the call options.
    ///
    /// # Safety
    /// `chat_id` and an image path are NULL or NUL-terminated strings, image bytes are NULL or
    /// `len` readable bytes, and `call_options` is NULL or what the caller passed as call
    /// options, all unchanged during the call.
    pub(crate) unsafe fn check<'a>(
        &self,
    ) -> Result<(Client, &'a str, Option<Image<'a>>, blooio_call_options), blooio_error> {
        let client = shared(self.client, "client", |c| c.inner.clone())?;
        // SAFETY: the contract above, for each argument.
        unsafe {
            let chat_id = string(self.chat_id, "chat_id")?;
            let image = match self.image {
                ImageArg::None => None,
                ImageArg::Path(path) => Some(Image::Path(Path::new(string(path, "path")?))),
                ImageArg::Bytes(data, len) => Some(Image::Bytes(bytes(data, len, "data")?)),
            };
            Ok((client, chat_id, image, call_options::copied(self.call_options)?))
        }
    }

    /// The body of the blocking calls: checks `background_out`, then the arguments, makes the
    /// call and hands the background to the caller.
    ///
    /// # Safety
    /// As for [`Call::check`].
    unsafe fn run(
        self,
        function: &'static str,
        background_out: *mut *mut blooio_background,
        error: *mut *mut blooio_error,
    ) -> blooio_status {
        create(function, background_out, "background_out", error, || {
            // SAFETY: the contract above.
            let (client, chat_id, image, call_options) = unsafe { self.check() }?;
            Ok(blooio_background::new(send(
                &client,
                chat_id,
                image,
                call_options,
            )?))
        })
    }
}

/// Makes a call: a get without an image, a set with one.
pub(crate) fn send(
    client: &Client,
    chat_id: &str,
    image: Option<Image<'_>>,
    call_options: blooio_call_options,
) -> Result<ChatBackground, blooio_core::Error> {
    let options = call_options.into_core();
    match image {
        None => client.get_chat_background_with(chat_id, options),
        Some(image) => client.set_chat_background_with(chat_id, image, options),
    }
}

/// Creates a client. Everything is checked (the key, the base URL and its scheme, the
/// timeouts); nothing is sent.
///
/// `options`: the settings, copied (free them whenever you like), or NULL for the environment
/// (`BLOOIO_API_KEY`, `BLOOIO_BASE_URL`) and the defaults.
/// `client_out`: receives the new client, which the caller owns and frees with
/// `blooio_client_free`; must not be NULL; written only on success.
/// `error`: NULL, or receives an error the caller frees with `blooio_error_free` on failure.
///
/// Returns `BLOOIO_STATUS_OK`; `BLOOIO_STATUS_INVALID_CONFIG` (no API key, a bad base URL,
/// plain http to a remote host without the opt-in, a timeout of 0 or over one day, a bad
/// User-Agent suffix or binding name);
/// `BLOOIO_STATUS_INVALID_ARGUMENT` (`client_out` NULL, `options` not live options).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_client_new(
    options: *const blooio_options,
    client_out: *mut *mut blooio_client,
    error: *mut *mut blooio_error,
) -> blooio_status {
    create("blooio_client_new", client_out, "client_out", error, || {
        let builder = if options.is_null() {
            crate::options::default_builder()
        } else {
            // SAFETY: a live handle is checked before use and not freed during the call.
            unsafe { handle(options, "options") }?.builder.clone()
        };
        Ok(blooio_client {
            inner: builder.build()?,
        })
    })
}

/// Frees a client. Calls on it still running on other threads finish normally; its pooled
/// connections are closed when the last one ends. A call started after this returns gets
/// `BLOOIO_STATUS_INVALID_ARGUMENT`. NULL, or a pointer that is not a live client (freed
/// already), is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_client_free(client: *mut blooio_client) {
    guard((), || drop(handles::take(client)))
}

/// Another handle to the same client: the same settings and the same pooled connections. Each
/// handle is freed on its own with `blooio_client_free`; the client lives until its last handle
/// is freed and the last call on it has ended. A binding that queues a call for later (on a
/// worker thread) takes a handle for it, so that closing the client meanwhile cannot pull the
/// client away from the queued call.
///
/// `client`: must not be NULL. `clone_out`: receives the new handle, which the caller owns;
/// must not be NULL; written only on success. `error`: NULL, or receives an error on failure.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL argument, or
/// `client` not a live client).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_client_clone(
    client: *const blooio_client,
    clone_out: *mut *mut blooio_client,
    error: *mut *mut blooio_error,
) -> blooio_status {
    create("blooio_client_clone", clone_out, "clone_out", error, || {
        shared(client, "client", Clone::clone)
    })
}

/// `GET /chats/{chat_id}/background`: the chat's current background.
///
/// `client`: must not be NULL; may be shared with other threads. `chat_id`: NUL-terminated
/// UTF-8, such as `"+15551234567"`, an email, a group id or a comma-separated list; must not
/// be NULL; percent-encoded by the library. `background_out`: receives the background, which
/// the caller owns and frees with `blooio_background_free`; must not be NULL; written only on
/// success. `error`: NULL, or receives an error the caller frees with `blooio_error_free`.
///
/// Returns `BLOOIO_STATUS_OK`; before sending: `BLOOIO_STATUS_INVALID_ARGUMENT`,
/// `BLOOIO_STATUS_INVALID_CHAT_ID`; after: `BLOOIO_STATUS_AUTHENTICATION`,
/// `BLOOIO_STATUS_RATE_LIMITED`, `BLOOIO_STATUS_DEVICE_UNAVAILABLE`,
/// `BLOOIO_STATUS_NO_ACTIVE_NUMBER`, `BLOOIO_STATUS_SERVER_ERROR`, `BLOOIO_STATUS_BAD_REQUEST`,
/// `BLOOIO_STATUS_HTTP_STATUS`, `BLOOIO_STATUS_TIMEOUT`, `BLOOIO_STATUS_CONNECTION`,
/// `BLOOIO_STATUS_DECODE` (after the retries the options allow).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_get_chat_background(
    client: *const blooio_client,
    chat_id: *const c_char,
    background_out: *mut *mut blooio_background,
    error: *mut *mut blooio_error,
) -> blooio_status {
    // SAFETY: the caller's arguments, passed on with no call options.
    unsafe { blooio_get_chat_background_with_options(client, chat_id, ptr::null(), background_out, error) }
}

/// `blooio_get_chat_background` with options for this call (`call_options`: NULL for none;
/// copied when the call starts, so they may be freed when it returns). Also returns
/// `BLOOIO_STATUS_INVALID_CONFIG` before sending (a refused per-call timeout or header) and
/// `BLOOIO_STATUS_CANCELLED` (its cancel token was cancelled).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_get_chat_background_with_options(
    client: *const blooio_client,
    chat_id: *const c_char,
    call_options: *const blooio_call_options,
    background_out: *mut *mut blooio_background,
    error: *mut *mut blooio_error,
) -> blooio_status {
    let call = Call::new(client, chat_id, ImageArg::None, call_options);
    // SAFETY: the caller's arguments, as documented.
    unsafe { call.run("blooio_get_chat_background_with_options", background_out, error) }
}

/// `PUT /chats/{chat_id}/background` with an image file, streamed from disk (re-read if the
/// upload is retried). The format is judged from the bytes: JPEG, PNG, GIF, WebP, HEIC or
/// HEIF, at most 10 MiB.
///
/// `client`, `chat_id`, `background_out`, `error`: as for `blooio_get_chat_background`; the
/// background holds `changed`. `path`: the file's path, NUL-terminated UTF-8; must not be NULL
/// (for a file whose name is not UTF-8, read it and use `blooio_set_chat_background_bytes`).
///
/// Returns the statuses of `blooio_get_chat_background`, and before sending
/// `BLOOIO_STATUS_INVALID_IMAGE` (empty, too large, not a supported format, not a regular
/// file) or `BLOOIO_STATUS_IO` (the file cannot be opened or read).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_set_chat_background_file(
    client: *const blooio_client,
    chat_id: *const c_char,
    path: *const c_char,
    background_out: *mut *mut blooio_background,
    error: *mut *mut blooio_error,
) -> blooio_status {
    // SAFETY: the caller's arguments, passed on with no call options.
    unsafe {
        blooio_set_chat_background_file_with_options(
            client,
            chat_id,
            path,
            ptr::null(),
            background_out,
            error,
        )
    }
}

/// `blooio_set_chat_background_file` with options for this call (`call_options`: NULL for
/// none; copied when the call starts). Also returns the statuses
/// `blooio_get_chat_background_with_options` adds; a progress callback that returns false
/// gives `BLOOIO_STATUS_CANCELLED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_set_chat_background_file_with_options(
    client: *const blooio_client,
    chat_id: *const c_char,
    path: *const c_char,
    call_options: *const blooio_call_options,
    background_out: *mut *mut blooio_background,
    error: *mut *mut blooio_error,
) -> blooio_status {
    let call = Call::new(client, chat_id, ImageArg::Path(path), call_options);
    // SAFETY: the caller's arguments, as documented.
    unsafe {
        call.run(
            "blooio_set_chat_background_file_with_options",
            background_out,
            error,
        )
    }
}

/// `PUT /chats/{chat_id}/background` with image bytes in memory (borrowed for the call only).
/// The format is judged from the bytes: JPEG, PNG, GIF, WebP, HEIC or HEIF, at most 10 MiB.
///
/// `client`, `chat_id`, `background_out`, `error`: as for `blooio_get_chat_background`; the
/// background holds `changed`. `data`: the image's bytes; NULL only with a `len` of 0.
/// `len`: the number of bytes; 0 (whatever `data` is) gives `BLOOIO_STATUS_INVALID_IMAGE`.
///
/// Returns the statuses of `blooio_get_chat_background`, and before sending
/// `BLOOIO_STATUS_INVALID_IMAGE` (empty, too large, not a supported format).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_set_chat_background_bytes(
    client: *const blooio_client,
    chat_id: *const c_char,
    data: *const u8,
    len: usize,
    background_out: *mut *mut blooio_background,
    error: *mut *mut blooio_error,
) -> blooio_status {
    // SAFETY: the caller's arguments, passed on with no call options.
    unsafe {
        blooio_set_chat_background_bytes_with_options(
            client,
            chat_id,
            data,
            len,
            ptr::null(),
            background_out,
            error,
        )
    }
}

/// `blooio_set_chat_background_bytes` with options for this call (`call_options`: NULL for
/// none; copied when the call starts). Also returns the statuses
/// `blooio_set_chat_background_file_with_options` adds.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_set_chat_background_bytes_with_options(
    client: *const blooio_client,
    chat_id: *const c_char,
    data: *const u8,
    len: usize,
    call_options: *const blooio_call_options,
    background_out: *mut *mut blooio_background,
    error: *mut *mut blooio_error,
) -> blooio_status {
    let call = Call::new(client, chat_id, ImageArg::Bytes(data, len), call_options);
    // SAFETY: the caller's arguments, as documented.
    unsafe {
        call.run(
            "blooio_set_chat_background_bytes_with_options",
            background_out,
            error,
        )
    }
}
