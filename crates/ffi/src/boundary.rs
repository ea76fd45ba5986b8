//! The one wrapper every export goes through: it catches panics, and its helpers check each
//! pointer and string argument before anything is done with it.

use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::blooio_error;
use crate::handle::{self, Handle};
use crate::status::blooio_status;

/// Runs the body of a fallible export. `Ok` gives `BLOOIO_STATUS_OK`; an error gives its
/// status, and is handed to the caller through `error_out` when that is not NULL; a panic
/// gives `BLOOIO_STATUS_PANIC`. `function` names the export in argument and panic messages.
pub(crate) fn boundary(
    function: &'static str,
    error_out: *mut *mut blooio_error,
    body: impl FnOnce() -> Result<(), blooio_error>,
) -> blooio_status {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| Err(blooio_error::panic()));
    match outcome {
        Ok(()) => blooio_status::Ok,
        Err(error) => {
            let error = error.in_function(function);
            let status = error.status();
            if !error_out.is_null() && error_out.is_aligned() {
                // SAFETY: the caller passes either NULL (checked above) or a valid place for one
                // `blooio_error *`, as every function's documentation asks.
                unsafe { error_out.write(handle::into_raw(error)) };
            }
            status
        }
    }
}

/// The body of an export that creates a handle: checks the out-parameter, then runs `make`
/// (which checks the other arguments) and hands the new `T` to the caller through `out_ptr`.
pub(crate) fn create<T: Handle>(
    function: &'static str,
    out_ptr: *mut *mut T,
    out_name: &'static str,
    error_out: *mut *mut blooio_error,
    make: impl FnOnce() -> Result<T, blooio_error>,
) -> blooio_status {
    boundary(function, error_out, || {
        // SAFETY: the caller passes NULL (refused) or the address of a `T *`, as every
        // function's documentation asks.
        let out_ptr = unsafe { out(out_ptr, out_name) }?;
        out_ptr.write(handle::into_raw(make()?));
        Ok(())
    })
}

/// The body of an export that changes a handle (options of either kind): refuses a NULL or dead
/// handle, then applies `change` to it.
pub(crate) fn change<T: Handle>(
    function: &'static str,
    ptr: *mut T,
    name: &'static str,
    error_out: *mut *mut blooio_error,
    change: impl FnOnce(&mut T) -> Result<(), blooio_error>,
) -> blooio_status {
    boundary(function, error_out, || {
        // SAFETY: a live handle is checked before use; a handle that has setters is not shared
        // between threads while being set (documented on each such type).
        change(unsafe { handle_mut(ptr, name) }?)
    })
}

/// Runs the body of an infallible export (a getter, a free), giving `fallback` on a panic.
pub(crate) fn guard<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// A borrowed handle argument. NULL, misaligned, freed, or another type of handle: refused.
///
/// # Safety
/// A live handle must not be freed by another thread while the returned reference is in use.
pub(crate) unsafe fn handle<'a, T: Handle>(ptr: *const T, name: &'static str) -> Result<&'a T, blooio_error> {
    check_handle(ptr, name)?;
    // SAFETY: `ptr` is a live `T` handed out by `handle::into_raw`, so it points to a valid,
    // aligned `T`; the caller guarantees no concurrent free.
    Ok(unsafe { &*ptr })
}

/// A handle argument the export changes.
///
/// # Safety
/// As for [`handle`], and no other thread may use the handle during the call.
pub(crate) unsafe fn handle_mut<'a, T: Handle>(
    ptr: *mut T,
    name: &'static str,
) -> Result<&'a mut T, blooio_error> {
    check_handle(ptr.cast_const(), name)?;
    // SAFETY: a live `T` from `handle::into_raw`; the documented contract gives this call
    // exclusive use of it.
    Ok(unsafe { &mut *ptr })
}

/// What `take` gives from a live handle argument, taken while no thread can free the handle, so
/// the call keeps it (a clone of a shared client, say) even if the handle is freed meanwhile.
pub(crate) fn shared<T: Handle, R>(
    ptr: *const T,
    name: &'static str,
    take: impl FnOnce(&T) -> R,
) -> Result<R, blooio_error> {
    handle::with_live(ptr, take).ok_or_else(|| not_live::<T>(ptr.is_null(), name))
}

fn check_handle<T: Handle>(ptr: *const T, name: &'static str) -> Result<(), blooio_error> {
    if ptr.is_null() || !handle::is_live(ptr.cast(), T::KIND) {
        return Err(not_live::<T>(ptr.is_null(), name));
    }
    Ok(())
}

fn not_live<T: Handle>(null: bool, name: &'static str) -> blooio_error {
    if null {
        return blooio_error::invalid_argument(format!("`{name}` is NULL"));
    }
    blooio_error::invalid_argument(format!(
        "`{name}` is not a live {} (freed already, or another type of pointer)",
        T::KIND.c_name()
    ))
}

/// A borrowed NUL-terminated UTF-8 string argument.
///
/// # Safety
/// A non-NULL `ptr` must point to a NUL-terminated string that stays unchanged during the call.
pub(crate) unsafe fn string<'a>(ptr: *const c_char, name: &'static str) -> Result<&'a str, blooio_error> {
    if ptr.is_null() {
        return Err(blooio_error::invalid_argument(format!("`{name}` is NULL")));
    }
    // SAFETY: non-NULL, and the caller guarantees a NUL-terminated string.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str().map_err(|e| {
        // The bytes themselves are not quoted: the string may be a secret.
        blooio_error::invalid_argument(format!(
            "`{name}` is not valid UTF-8 (the first bad byte is at offset {})",
            e.valid_up_to()
        ))
    })
}

/// A borrowed byte buffer argument. NULL with a length of 0 is an empty buffer (what that
/// means is the core's to say); NULL with any other length is refused.
///
/// # Safety
/// A non-NULL `data` must point to `len` readable bytes that stay unchanged during the call.
pub(crate) unsafe fn bytes<'a>(
    data: *const u8,
    len: usize,
    name: &'static str,
) -> Result<&'a [u8], blooio_error> {
    if data.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(blooio_error::invalid_argument(format!(
            "`{name}` is NULL but its length is {len}"
        )));
    }
    if len > isize::MAX as usize {
        return Err(blooio_error::invalid_argument(format!(
            "the length of `{name}` ({len}) is larger than any buffer can be"
        )));
    }
    // SAFETY: non-NULL, at most isize::MAX bytes, and the caller guarantees `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// An out-parameter, checked now and written only once the call has succeeded.
pub(crate) struct Out<T>(*mut T);

/// Checks an out-parameter: NULL or misaligned is refused.
///
/// # Safety
/// A non-NULL `ptr` must be valid for writing one `T` until the call returns.
pub(crate) unsafe fn out<T>(ptr: *mut T, name: &'static str) -> Result<Out<T>, blooio_error> {
    if ptr.is_null() {
        return Err(blooio_error::invalid_argument(format!(
            "`{name}` is NULL: pass the address of a variable to receive the result"
        )));
    }
    if !ptr.is_aligned() {
        return Err(blooio_error::invalid_argument(format!("`{name}` is misaligned")));
    }
    Ok(Out(ptr))
}

impl<T> Out<T> {
    pub(crate) fn write(self, value: T) {
        // SAFETY: checked non-NULL and aligned by `out`, whose caller guaranteed it writable.
        unsafe { self.0.write(value) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_the_panic_status_with_an_error() {
        let mut err: *mut blooio_error = std::ptr::null_mut();
        let status = boundary("blooio_test", &mut err, || panic!("boom"));
        assert_eq!(status, blooio_status::Panic);
        let error = handle::take(err).expect("an error object");
        assert_eq!(error.status(), blooio_status::Panic);
        assert!(
            error.message_str().starts_with("blooio_test: "),
            "{}",
            error.message_str()
        );
        assert!(!error.message_str().contains("boom"));
        assert_eq!(guard(5, || panic!("boom")), 5);
    }

    #[test]
    fn a_null_error_out_is_allowed() {
        let status = boundary("blooio_test", std::ptr::null_mut(), || {
            Err(blooio_error::invalid_argument("x".into()))
        });
        assert_eq!(status, blooio_status::InvalidArgument);
    }

    #[test]
    fn strings_must_be_utf8_and_are_not_echoed() {
        let bad = c"sk_\xff\xfe";
        // SAFETY: a NUL-terminated literal.
        let err = unsafe { string(bad.as_ptr(), "api_key") }.unwrap_err();
        assert!(err.message_str().contains("offset 3"), "{}", err.message_str());
        assert!(!err.message_str().contains("sk_"));
        // SAFETY: NULL is allowed and refused.
        assert!(unsafe { string(std::ptr::null(), "x") }.is_err());
    }
}
