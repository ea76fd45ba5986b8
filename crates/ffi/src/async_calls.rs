//! The completion-based calls: `blooio_*_async` checks its arguments, copies them, queues the
//! call on the library's own threads and returns at once; the callback gets the outcome later,
//! exactly once, on the thread that ran it. Also the knobs of that pool of threads.

use std::ffi::{c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::time::Duration;

use blooio_core::{ChatBackground, OwnedImage, workers};

use crate::background::blooio_background;
use crate::boundary::{boundary, guard};
use crate::call_options::{UserData, blooio_call_options};
use crate::client::{Call, ImageArg, blooio_client, send};
use crate::error::blooio_error;
use crate::handle as handles;
use crate::status::blooio_status;

/// What an `_async` call hands its outcome to, once, on one of the library's threads (never the
/// caller's). `user_data` is what was passed to the call. On `BLOOIO_STATUS_OK`, `background` is
/// a new background the callback owns (free it with `blooio_background_free`) and `error` is
/// NULL; otherwise `background` is NULL and `error` is a new error the callback owns (free it
/// with `blooio_error_free`). The callback must return normally (no longjmp, no C++ exception
/// out of it); while it runs, its thread runs no other call, so a slow callback delays the
/// calls queued behind it (hand the result to your own thread or event loop and return).
/// The callback may call the library, `_async` calls included.
pub type blooio_background_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        status: blooio_status,
        background: *mut blooio_background,
        error: *mut blooio_error,
    ),
>;

/// Queues `call` with its callback. Every `_async` export ends here, after checking and copying
/// its arguments and call options; a cancelled call still reports here, exactly once.
fn submit(
    function: &'static str,
    callback: blooio_background_callback,
    user_data: *mut c_void,
    call: impl FnOnce() -> Result<ChatBackground, blooio_core::Error> + Send + 'static,
) -> Result<(), blooio_error> {
    let callback = callback.ok_or_else(|| {
        blooio_error::invalid_argument("`callback` is NULL: pass the function to receive the result".into())
    })?;
    let user_data = UserData(user_data);
    trim_when_drained();
    workers::spawn(move || {
        let user_data = user_data;
        let outcome = catch_unwind(AssertUnwindSafe(|| match call() {
            Ok(background) => (
                blooio_status::Ok,
                handles::into_raw(blooio_background::new(background)),
                ptr::null_mut(),
            ),
            Err(e) => {
                let error = blooio_error::from(e);
                (error.status(), ptr::null_mut(), handles::into_raw(error))
            }
        }));
        let (status, background, error) = outcome.unwrap_or_else(|_| {
            let error = blooio_error::panic().in_function(function);
            (blooio_status::Panic, ptr::null_mut(), handles::into_raw(error))
        });
        // SAFETY: `callback` is the caller's function of this type; it receives what the
        // documentation promises: its own `user_data`, and ownership of one of the two objects.
        unsafe { callback(user_data.0, status, background, error) };
    })
    .map_err(|e| blooio_error::new(blooio_status::Other, e.to_string()))
}

/// glibc keeps the heap each worker thread used in that thread's arena after it exits, so a burst
/// of calls would leave RSS raised for good; when the last worker exits, the free memory goes
/// back to the system.
fn trim_when_drained() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| workers::set_on_drained(Some(trim)));
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    unsafe extern "C" {
        /// glibc's: releases free heap memory to the system; `pad` bytes are kept at the top.
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: glibc's malloc_trim takes any pad and only returns free memory; thread-safe.
    unsafe { malloc_trim(0) };
}

/// `blooio_get_chat_background` without waiting: the call runs on one of the library's threads
/// and its outcome goes to `callback`.
///
/// `client`: must not be NULL; a handle to it is taken now, so the client may be freed as soon
/// as this returns (the call still completes). `chat_id`: as for `blooio_get_chat_background`;
/// copied. `call_options`: NULL, or options for this call, copied now (see
/// `blooio_get_chat_background_with_options`); a progress callback among them runs on the
/// library's thread running the call. `callback`: must not be NULL; see
/// `blooio_background_callback`. `user_data`: passed to
/// `callback` untouched; any value, NULL included. `error`: NULL, or receives an error the caller
/// frees with `blooio_error_free` when this does not return `BLOOIO_STATUS_OK`.
///
/// Returns `BLOOIO_STATUS_OK` once the call is queued: `callback` will then be called exactly
/// once, from a library thread, with the statuses of `blooio_get_chat_background` (a chat id
/// that cannot be valid is reported there too, as `BLOOIO_STATUS_INVALID_CHAT_ID`). Any other
/// status means nothing was queued and `callback` is never called:
/// `BLOOIO_STATUS_INVALID_ARGUMENT` (a NULL or dead argument), `BLOOIO_STATUS_OTHER` (no thread
/// could be started).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_get_chat_background_async(
    client: *const blooio_client,
    chat_id: *const c_char,
    call_options: *const blooio_call_options,
    callback: blooio_background_callback,
    user_data: *mut c_void,
    error: *mut *mut blooio_error,
) -> blooio_status {
    let call = Call::new(client, chat_id, ImageArg::None, call_options);
    // SAFETY: the caller's arguments, as documented; copied before this returns.
    unsafe {
        queue(
            "blooio_get_chat_background_async",
            call,
            callback,
            user_data,
            error,
        )
    }
}

/// `blooio_set_chat_background_file` without waiting: the file is opened and streamed on one of
/// the library's threads, and the outcome goes to `callback`.
///
/// `client`, `chat_id`, `call_options`, `callback`, `user_data`, `error`: as for
/// `blooio_get_chat_background_async`. `path`: as for `blooio_set_chat_background_file`; copied.
///
/// Returns as `blooio_get_chat_background_async`; `callback` gets the statuses of
/// `blooio_set_chat_background_file` (a file that cannot be read is reported there).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_set_chat_background_file_async(
    client: *const blooio_client,
    chat_id: *const c_char,
    path: *const c_char,
    call_options: *const blooio_call_options,
    callback: blooio_background_callback,
    user_data: *mut c_void,
    error: *mut *mut blooio_error,
) -> blooio_status {
    let call = Call::new(client, chat_id, ImageArg::Path(path), call_options);
    // SAFETY: the caller's arguments, as documented; copied before this returns.
    unsafe {
        queue(
            "blooio_set_chat_background_file_async",
            call,
            callback,
            user_data,
            error,
        )
    }
}

/// `blooio_set_chat_background_bytes` without waiting: the bytes are copied before this returns
/// (the caller may reuse its buffer at once), and the upload runs on one of the library's
/// threads; the outcome goes to `callback`.
///
/// `client`, `chat_id`, `call_options`, `callback`, `user_data`, `error`: as for
/// `blooio_get_chat_background_async`. `data`, `len`: as for `blooio_set_chat_background_bytes`.
///
/// Returns as `blooio_get_chat_background_async`; `callback` gets the statuses of
/// `blooio_set_chat_background_bytes` (an empty or unsupported image is reported there).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_set_chat_background_bytes_async(
    client: *const blooio_client,
    chat_id: *const c_char,
    data: *const u8,
    len: usize,
    call_options: *const blooio_call_options,
    callback: blooio_background_callback,
    user_data: *mut c_void,
    error: *mut *mut blooio_error,
) -> blooio_status {
    let call = Call::new(client, chat_id, ImageArg::Bytes(data, len), call_options);
    // SAFETY: the caller's arguments, as documented; copied before this returns.
    unsafe {
        queue(
            "blooio_set_chat_background_bytes_async",
            call,
            callback,
            user_data,
            error,
        )
    }
}

/// The body of the `_async` calls: checks and copies the arguments and queues the call.
///
/// # Safety
/// As for [`Call::check`].
unsafe fn queue(
    function: &'static str,
    call: Call,
    callback: blooio_background_callback,
    user_data: *mut c_void,
    error: *mut *mut blooio_error,
) -> blooio_status {
    boundary(function, error, || {
        // SAFETY: the contract above.
        let (client, chat_id, image, call_options) = unsafe { call.check() }?;
        let (chat_id, image) = (chat_id.to_owned(), image.map(OwnedImage::from));
        submit(function, callback, user_data, move || {
            send(
                &client,
                &chat_id,
                image.as_ref().map(OwnedImage::as_image),
                call_options,
            )
        })
    })
}

/// Sets how many of the library's threads may run `_async` calls at once (default 256). Calls
/// beyond it wait in a queue, first in first out, and start as threads become free. Threads are
/// started only as calls need them, and exit after the idle timeout with nothing to do, so the
/// limit is a ceiling, not a cost. Lowering it stops no running call. Process-wide; any thread
/// may call it at any time.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (`limit` is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_set_async_thread_limit(
    limit: usize,
    error: *mut *mut blooio_error,
) -> blooio_status {
    boundary("blooio_set_async_thread_limit", error, || {
        workers::set_thread_limit(limit).map_err(blooio_error::invalid_argument)
    })
}

/// How many of the library's threads may run `_async` calls at once.
#[unsafe(no_mangle)]
pub extern "C" fn blooio_async_thread_limit() -> usize {
    guard(0, workers::thread_limit)
}

/// Sets how long, in milliseconds, one of the library's threads with no call to run waits for
/// one before it exits (default 10,000). Process-wide.
///
/// Returns `BLOOIO_STATUS_OK`, or `BLOOIO_STATUS_INVALID_ARGUMENT` (0, or over one day).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_set_async_idle_timeout_ms(
    idle_timeout_ms: u64,
    error: *mut *mut blooio_error,
) -> blooio_status {
    boundary("blooio_set_async_idle_timeout_ms", error, || {
        workers::set_idle_timeout(Duration::from_millis(idle_timeout_ms))
            .map_err(blooio_error::invalid_argument)
    })
}

/// How many threads the library runs for `_async` calls right now (running a call, or idle
/// until the idle timeout): 0 before the first call and after a quiet spell.
#[unsafe(no_mangle)]
pub extern "C" fn blooio_async_threads() -> usize {
    guard(0, workers::threads)
}
