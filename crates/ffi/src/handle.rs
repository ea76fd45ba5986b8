//! The registry of live handles. Every pointer this library hands out is recorded here with
//! its type until it is freed, which lets each export refuse a pointer that was never ours, was
//! freed already, or is another type of handle, instead of reading freed memory. A double free
//! becomes a no-op. (An address reused by a later allocation of the same type cannot be told
//! apart: that is the limit of the guard.)

use std::collections::BTreeMap;
use std::ffi::{CString, c_char};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The types of pointer handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Options,
    Client,
    Background,
    Error,
    String,
    CallOptions,
    CancelToken,
    #[cfg(test)]
    Test,
}

impl Kind {
    /// The C type's name, for messages.
    pub(crate) fn c_name(self) -> &'static str {
        match self {
            Kind::Options => "blooio_options",
            Kind::Client => "blooio_client",
            Kind::Background => "blooio_background",
            Kind::Error => "blooio_error",
            Kind::String => "string from this library",
            Kind::CallOptions => "blooio_call_options",
            Kind::CancelToken => "blooio_cancel_token",
            #[cfg(test)]
            Kind::Test => "test",
        }
    }
}

/// An opaque type handed to C as a pointer.
pub(crate) trait Handle: Sized {
    const KIND: Kind;
}

/// Live handles by [`key`].
static LIVE: Mutex<BTreeMap<usize, Kind>> = Mutex::new(BTreeMap::new());

/// The registry's key for an address: its bitwise complement. Were the address itself stored,
/// every handle the caller leaks would stay reachable from this static, and LeakSanitizer and
/// valgrind could no longer report it; the complement is not a pointer to anything.
fn key(ptr: *const ()) -> usize {
    !(ptr as usize)
}

fn live() -> MutexGuard<'static, BTreeMap<usize, Kind>> {
    // The map stays consistent whatever panicked while it was held: each change is one call.
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn insert(ptr: *const (), kind: Kind) {
    live().insert(key(ptr), kind);
}

/// Whether `ptr` is a live handle of `kind`.
pub(crate) fn is_live(ptr: *const (), kind: Kind) -> bool {
    !ptr.is_null() && live().get(&key(ptr)) == Some(&kind)
}

/// Forgets `ptr` if it is a live handle of `kind`; says whether it was.
fn remove(ptr: *const (), kind: Kind) -> bool {
    let mut live = live();
    match live.get(&key(ptr)) {
        Some(k) if *k == kind => live.remove(&key(ptr)).is_some(),
        _ => false,
    }
}

/// Runs `f` on `ptr` if it is a live handle of `T`, holding the registry's lock so that no other
/// thread can free it meanwhile: what `f` takes from it (a clone of something shared) stays
/// valid after a concurrent free. `f` must be quick; every handle check waits for it.
pub(crate) fn with_live<T: Handle, R>(ptr: *const T, f: impl FnOnce(&T) -> R) -> Option<R> {
    let live = live();
    if ptr.is_null() || live.get(&key(ptr.cast())) != Some(&T::KIND) {
        return None;
    }
    // SAFETY: the registry lists `ptr` as a live `T`, so it came from `into_raw` and points to a
    // valid `T`; `take`, the only way to free it, needs the lock held here.
    Some(f(unsafe { &*ptr }))
}

/// Moves `value` to the heap and hands out its pointer, now live.
pub(crate) fn into_raw<T: Handle>(value: T) -> *mut T {
    let ptr = Box::into_raw(Box::new(value));
    insert(ptr.cast_const().cast(), T::KIND);
    ptr
}

/// Takes back a handle from C: NULL, or a pointer that is not a live `T`, gives `None`.
pub(crate) fn take<T: Handle>(ptr: *mut T) -> Option<Box<T>> {
    if ptr.is_null() || !remove(ptr.cast(), T::KIND) {
        return None;
    }
    // SAFETY: `ptr` was live as a `T`, so it came from `Box::into_raw` in `into_raw` and has
    // not been taken back since; removing it from the registry made this the only owner.
    Some(unsafe { Box::from_raw(ptr) })
}

/// Hands out an owned, NUL-terminated string for `blooio_string_free`.
pub(crate) fn string_into_raw(s: CString) -> *mut c_char {
    let ptr = s.into_raw();
    insert(ptr.cast_const().cast(), Kind::String);
    ptr
}

/// Takes back a string handed out by [`string_into_raw`]; anything else gives `None`.
pub(crate) fn take_string(ptr: *mut c_char) -> Option<CString> {
    if ptr.is_null() || !remove(ptr.cast_const().cast(), Kind::String) {
        return None;
    }
    // SAFETY: the pointer was live as a string, so it came from `CString::into_raw` in
    // `string_into_raw` and was not taken back since; the registry no longer lists it.
    Some(unsafe { CString::from_raw(ptr) })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Thing(u32);
    impl Handle for Thing {
        const KIND: Kind = Kind::Test;
    }

    #[test]
    fn a_handle_is_live_until_taken_once() {
        let p = into_raw(Thing(7));
        assert!(is_live(p.cast_const().cast(), Kind::Test));
        assert!(!is_live(p.cast_const().cast(), Kind::Client));
        assert_eq!(take(p).map(|b| b.0), Some(7));
        assert!(!is_live(p.cast_const().cast(), Kind::Test));
        assert!(take(p).is_none(), "a second take must not free again");
        assert!(take::<Thing>(std::ptr::null_mut()).is_none());
    }

    #[test]
    fn strings_are_taken_back_once() {
        let p = string_into_raw(CString::new("x").unwrap());
        assert_eq!(take_string(p).unwrap().to_str().unwrap(), "x");
        assert!(take_string(p).is_none());
        let mut foreign = *b"not ours\0";
        assert!(take_string(foreign.as_mut_ptr().cast()).is_none());
    }
}
