//! The C entry points, called through their Rust signatures as a C program would call them:
//! NUL-terminated copies of arbitrary bytes (invalid UTF-8 included), NULL, misaligned and
//! dangling pointers, handles of the wrong type, freed handles freed again, buffers with any
//! length they really have. Built with AddressSanitizer (cargo fuzz's default), so undefined
//! behaviour in the library shows up as a crash. The only client that can send anything talks
//! to a closed loopback port, with no retries; every other call stops at input validation.
#![no_main]

use std::ffi::{CString, c_char};
use std::net::TcpListener;
use std::path::PathBuf;
use std::ptr;
use std::sync::OnceLock;

use blooio::fuzzing::*;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// A string argument: NULL, or a NUL-terminated copy of arbitrary bytes.
fn c_string(u: &mut Unstructured<'_>) -> Result<Option<CString>> {
    if u.ratio(1, 8)? {
        return Ok(None);
    }
    let bytes: Vec<u8> = u.arbitrary()?;
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    Ok(Some(CString::new(&bytes[..end]).unwrap()))
}

fn as_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

/// A pointer that is not a live handle of type `T`: NULL, misaligned, dangling, a stack
/// address, or a live handle of another type (`other`).
fn not_a_handle<T>(u: &mut Unstructured<'_>, other: usize) -> Result<*mut T> {
    Ok(match u.int_in_range(0..=4)? {
        0 => ptr::null_mut(),
        1 => (u.arbitrary::<usize>()? | 1) as *mut T,
        2 => ptr::dangling_mut(),
        3 => (&raw const *u as usize) as *mut T,
        _ => other as *mut T,
    })
}

/// Where an out-parameter points: a real place, or NULL, or a misaligned address (which the
/// library must refuse before writing).
fn out_ptr<T>(u: &mut Unstructured<'_>, place: &mut T) -> Result<*mut T> {
    Ok(match u.int_in_range(0..=5)? {
        0 => ptr::null_mut(),
        1 => (u.arbitrary::<usize>()? | 1) as *mut T,
        _ => place,
    })
}

/// Call options for one call: NULL, not call options at all, or live ones with arbitrary
/// headers and timeout and perhaps a (cancelled) token. Returns them and whether to free them.
fn call_options(u: &mut Unstructured<'_>, other: usize) -> Result<(*mut blooio_call_options, bool)> {
    if u.ratio(1, 4)? {
        return Ok((not_a_handle(u, other)?, false));
    }
    let mut options: *mut blooio_call_options = ptr::null_mut();
    // SAFETY: as a C caller would call them; strings NUL-terminated or NULL.
    unsafe {
        assert_eq!(
            blooio_call_options_new(&raw mut options, ptr::null_mut()),
            blooio_status::Ok
        );
        for _ in 0..u.int_in_range(0..=4)? {
            let (name, value) = (c_string(u)?, c_string(u)?);
            let _ = match u.int_in_range(0..=2)? {
                0 => blooio_call_options_add_header(options, as_ptr(&name), as_ptr(&value), ptr::null_mut()),
                1 => blooio_call_options_set_timeout_ms(options, u.arbitrary()?, ptr::null_mut()),
                _ => {
                    let mut token: *mut blooio_cancel_token = ptr::null_mut();
                    blooio_cancel_token_new(&raw mut token, ptr::null_mut());
                    if u.arbitrary()? {
                        blooio_cancel_token_cancel(token);
                    }
                    let status = blooio_call_options_set_cancel_token(options, token, ptr::null_mut());
                    blooio_cancel_token_free(token);
                    blooio_cancel_token_free(token);
                    status
                }
            };
        }
    }
    Ok((options, true))
}

/// A client that can only ever reach a loopback port nobody listens on, and never retries.
fn closed_port_client() -> usize {
    static CLIENT: OnceLock<usize> = OnceLock::new();
    *CLIENT.get_or_init(|| {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = CString::new(format!("http://127.0.0.1:{port}/v2/api")).unwrap();
        let mut options = ptr::null_mut();
        let mut client = ptr::null_mut();
        // SAFETY: valid out-pointers and NUL-terminated strings.
        unsafe {
            assert_eq!(
                blooio_options_new(&mut options, ptr::null_mut()),
                blooio_status::Ok
            );
            assert_eq!(
                blooio_options_set_api_key(options, c"fuzz-key".as_ptr(), ptr::null_mut()),
                blooio_status::Ok
            );
            assert_eq!(
                blooio_options_set_base_url(options, url.as_ptr(), ptr::null_mut()),
                blooio_status::Ok
            );
            assert_eq!(
                blooio_options_set_max_retries(options, 0, ptr::null_mut()),
                blooio_status::Ok
            );
            assert_eq!(
                blooio_options_set_connect_timeout_ms(options, 500, ptr::null_mut()),
                blooio_status::Ok
            );
            assert_eq!(
                blooio_options_set_timeout_ms(options, 1000, ptr::null_mut()),
                blooio_status::Ok
            );
            assert_eq!(
                blooio_client_new(options, &mut client, ptr::null_mut()),
                blooio_status::Ok
            );
            blooio_options_free(options);
        }
        client as usize
    })
}

/// A directory of this process's own for the file-upload call's paths.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("blooio-fuzz-ffi-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

/// Checks an error the library handed out, reads every accessor, and frees it (twice).
///
/// # Safety
/// `error` is NULL or was written by the library.
unsafe fn consume_error(status: blooio_status, error: *mut blooio_error) {
    if error.is_null() {
        return;
    }
    assert_ne!(status, blooio_status::Ok, "an error came with OK");
    // SAFETY: a live error from the library; its strings live as long as it does.
    unsafe {
        assert_eq!(blooio_error_status(error), status);
        let message = blooio_error_message(error);
        assert!(!message.is_null());
        let text = std::ffi::CStr::from_ptr(message).to_str().expect("UTF-8 message");
        assert!(!text.is_empty());
        assert!(!text.contains("fuzz-key"), "the key leaked into {text:?}");
        for s in [
            blooio_error_server_message(error),
            blooio_error_server_code(error),
            blooio_error_request_id(error),
        ] {
            if !s.is_null() {
                std::ffi::CStr::from_ptr(s).to_str().expect("UTF-8");
            }
        }
        let _ = (blooio_error_http_status(error), blooio_error_attempts(error));
        let mut ms = 0u64;
        let _ = blooio_error_retry_after_ms(error, &mut ms);
        let _ = blooio_error_retry_after_ms(error, ptr::null_mut());
        blooio_error_free(error);
        blooio_error_free(error);
    }
}

/// One call, chosen and fed by the input.
fn step(u: &mut Unstructured<'_>) -> Result<()> {
    let client = closed_port_client() as *mut blooio_client;
    let mut error: *mut blooio_error = ptr::null_mut();
    let mut background: *mut blooio_background = ptr::null_mut();
    let error_out = if u.ratio(1, 4)? {
        ptr::null_mut()
    } else {
        &raw mut error
    };
    let pick_client = |u: &mut Unstructured<'_>| -> Result<*mut blooio_client> {
        if u.ratio(3, 4)? {
            Ok(client)
        } else {
            not_a_handle(u, client as usize)
        }
    };
    match u.int_in_range(0..=7)? {
        // Options with arbitrary settings, a client built from them (never used to send), and
        // double frees of both.
        0 => {
            let mut options: *mut blooio_options = ptr::null_mut();
            let options_out = out_ptr(u, &mut options)?;
            // SAFETY: out-pointers as C callers pass them; strings NUL-terminated or NULL.
            unsafe {
                let status = blooio_options_new(options_out, error_out);
                consume_error(status, error);
                error = ptr::null_mut();
                let target = if options.is_null() || u.ratio(1, 8)? {
                    not_a_handle(u, client as usize)?
                } else {
                    options
                };
                for _ in 0..u.int_in_range(0..=6)? {
                    let s = c_string(u)?;
                    let status = match u.int_in_range(0..=7)? {
                        0 => blooio_options_set_api_key(target, as_ptr(&s), error_out),
                        1 => blooio_options_set_base_url(target, as_ptr(&s), error_out),
                        2 => blooio_options_set_user_agent_suffix(target, as_ptr(&s), error_out),
                        3 => blooio_options_set_timeout_ms(target, u.arbitrary()?, error_out),
                        4 => blooio_options_set_connect_timeout_ms(target, u.arbitrary()?, error_out),
                        5 => blooio_options_set_max_retries(target, u.arbitrary()?, error_out),
                        6 => {
                            let value = c_string(u)?;
                            blooio_options_add_default_header(target, as_ptr(&s), as_ptr(&value), error_out)
                        }
                        _ => blooio_options_set_allow_insecure_http(target, u.arbitrary()?, error_out),
                    };
                    consume_error(status, error);
                    error = ptr::null_mut();
                }
                let mut built: *mut blooio_client = ptr::null_mut();
                let built_out = out_ptr(u, &mut built)?;
                let given = if u.ratio(1, 8)? {
                    ptr::null()
                } else {
                    target.cast_const()
                };
                let status = blooio_client_new(given, built_out, error_out);
                consume_error(status, error);
                if status == blooio_status::Ok {
                    assert!(!built.is_null());
                }
                blooio_client_free(built);
                blooio_client_free(built);
                blooio_options_free(options);
                blooio_options_free(options);
            }
        }
        // GET: any chat id; a valid one reaches the closed port and fails to connect.
        1 => {
            let id = c_string(u)?;
            let c = pick_client(u)?;
            let out = out_ptr(u, &mut background)?;
            let (options, ours) = call_options(u, client as usize)?;
            // SAFETY: as a C caller would call it.
            let status = unsafe {
                if u.arbitrary()? {
                    blooio_get_chat_background(c, as_ptr(&id), out, error_out)
                } else {
                    blooio_get_chat_background_with_options(c, as_ptr(&id), options, out, error_out)
                }
            };
            if ours {
                // SAFETY: live call options of this step's own.
                unsafe { blooio_call_options_free(options) };
            }
            assert_ne!(
                status,
                blooio_status::Ok,
                "nothing listens, yet a background came"
            );
            assert!(background.is_null(), "the out-parameter was written on failure");
            // SAFETY: written by the library or NULL.
            unsafe { consume_error(status, error) };
        }
        // PUT with bytes: a real buffer and any length within it, NULL with any length, or a
        // dangling pointer with length 0 (valid in Rust and C alike).
        2 => {
            let id = c_string(u)?;
            let buffer: Vec<u8> = u.arbitrary()?;
            let (data, len) = match u.int_in_range(0..=3)? {
                0 => (ptr::null(), u.arbitrary::<usize>()?),
                1 => (ptr::NonNull::<u8>::dangling().as_ptr().cast_const(), 0),
                _ => (buffer.as_ptr(), u.int_in_range(0..=buffer.len())?),
            };
            let c = pick_client(u)?;
            let out = out_ptr(u, &mut background)?;
            // SAFETY: `data` points to `len` readable bytes, or is NULL.
            let status =
                unsafe { blooio_set_chat_background_bytes(c, as_ptr(&id), data, len, out, error_out) };
            assert_ne!(status, blooio_status::Ok);
            assert!(background.is_null());
            // SAFETY: written by the library or NULL.
            unsafe { consume_error(status, error) };
        }
        // PUT with a file: a file of arbitrary content in a scratch directory, a missing one,
        // the directory itself, or an arbitrary path string (refused, or not found).
        3 => {
            let id = c_string(u)?;
            let content: Vec<u8> = u.arbitrary()?;
            let dir = scratch();
            let path = match u.int_in_range(0..=3)? {
                0 => {
                    let p = dir.join("image");
                    std::fs::write(&p, &content).unwrap();
                    Some(CString::new(p.into_os_string().into_encoded_bytes()).unwrap())
                }
                1 => Some(CString::new(dir.join("missing").into_os_string().into_encoded_bytes()).unwrap()),
                2 => Some(CString::new(dir.clone().into_os_string().into_encoded_bytes()).unwrap()),
                // Not a path to open: invalid UTF-8 or NULL only, so nothing outside the
                // scratch directory is ever read.
                _ => c_string(u)?.filter(|s| s.to_str().is_err()).or(None),
            };
            let c = pick_client(u)?;
            let out = out_ptr(u, &mut background)?;
            // SAFETY: NUL-terminated strings or NULL.
            let status =
                unsafe { blooio_set_chat_background_file(c, as_ptr(&id), as_ptr(&path), out, error_out) };
            assert_ne!(status, blooio_status::Ok);
            assert!(background.is_null());
            // SAFETY: written by the library or NULL.
            unsafe { consume_error(status, error) };
        }
        // Background accessors on pointers that are not backgrounds.
        4 => {
            let b = not_a_handle::<blooio_background>(u, client as usize)?.cast_const();
            let mut present = false;
            let mut text: *const c_char = ptr::null();
            let mut flag = false;
            let mut version = 0i64;
            let mut json: *mut c_char = ptr::null_mut();
            // SAFETY: valid out-places; the handle is refused.
            unsafe {
                for status in [
                    blooio_background_chat_id(b, &mut present, &mut text),
                    blooio_background_background_id(b, &mut present, &mut text),
                    blooio_background_background_url(b, &mut present, &mut text),
                    blooio_background_has_background(b, &mut present, &mut flag),
                    blooio_background_background_version(b, &mut present, &mut version),
                    blooio_background_changed(b, ptr::null_mut(), &mut flag),
                    blooio_background_to_json(b, &mut json, error_out),
                ] {
                    assert_ne!(status, blooio_status::Ok);
                }
                consume_error(blooio_status::InvalidArgument, error);
                assert!(text.is_null() && json.is_null());
                blooio_background_free(b.cast_mut());
            }
        }
        // Error accessors and frees on pointers that are not errors.
        5 => {
            let e = not_a_handle::<blooio_error>(u, client as usize)?;
            // SAFETY: the handle is refused by every accessor.
            unsafe {
                assert_eq!(blooio_error_status(e), blooio_status::InvalidArgument);
                assert!(blooio_error_message(e).is_null());
                assert!(blooio_error_server_message(e).is_null());
                assert_eq!(blooio_error_http_status(e), 0);
                let mut ms = 7u64;
                assert!(!blooio_error_retry_after_ms(e, &mut ms));
                assert_eq!(ms, 7);
                blooio_error_free(e);
            }
        }
        // Statuses by any number; the version; strings and handles the library never made.
        6 => {
            let name = blooio_status_name(u.arbitrary()?);
            assert!(!name.is_null());
            // SAFETY: static NUL-terminated strings.
            unsafe {
                assert!(std::ffi::CStr::from_ptr(name).to_str().is_ok());
                assert!(std::ffi::CStr::from_ptr(blooio_version()).to_str().is_ok());
                let mut own = CString::new("not the library's").unwrap().into_raw();
                blooio_string_free(own);
                blooio_string_free(not_a_handle(u, client as usize)?);
                drop(CString::from_raw(own));
                own = ptr::null_mut();
                blooio_string_free(own);
                blooio_options_free(not_a_handle(u, client as usize)?);
                // The shared client itself is never freed here, only pointers that are not it.
                let other = not_a_handle::<blooio_client>(u, 0)?;
                if other != client {
                    blooio_client_free(other);
                }
            }
        }
        // Every call with every pointer argument NULL.
        _ => {
            // SAFETY: NULL everywhere is refused.
            unsafe {
                let null = ptr::null_mut();
                let calls: [&dyn Fn() -> blooio_status; 5] = [
                    &|| blooio_options_new(ptr::null_mut(), error_out),
                    &|| blooio_client_new(ptr::null(), ptr::null_mut(), error_out),
                    &|| blooio_get_chat_background(ptr::null(), ptr::null(), null, error_out),
                    &|| {
                        blooio_set_chat_background_bytes(
                            ptr::null(),
                            ptr::null(),
                            ptr::null(),
                            0,
                            null,
                            error_out,
                        )
                    },
                    &|| {
                        blooio_set_chat_background_file(
                            ptr::null(),
                            ptr::null(),
                            ptr::null(),
                            null,
                            error_out,
                        )
                    },
                ];
                for call in calls {
                    let status = call();
                    assert_eq!(status, blooio_status::InvalidArgument);
                    consume_error(status, error);
                    error = ptr::null_mut();
                }
            }
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    for _ in 0..8 {
        if u.is_empty() || step(&mut u).is_err() {
            break;
        }
    }
});
