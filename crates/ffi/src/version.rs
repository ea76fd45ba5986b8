//! The library's version, at compile time (macros) and at run time (`blooio_version`), and the
//! free function for strings the library hands out.

use std::ffi::c_char;

use crate::boundary::guard;
use crate::handle;

/// The major version of the header (and of the library it was generated with).
pub const BLOOIO_VERSION_MAJOR: u32 = 0;
/// The minor version of the header.
pub const BLOOIO_VERSION_MINOR: u32 = 1;
/// The patch version of the header.
pub const BLOOIO_VERSION_PATCH: u32 = 0;

/// The version of the loaded library, such as `"0.1.0"`; compare it with the
/// `BLOOIO_VERSION_*` macros to detect a header/library mismatch.
///
/// Returns a static string: never NULL, never to be freed.
#[unsafe(no_mangle)]
pub extern "C" fn blooio_version() -> *const c_char {
    const VERSION: &std::ffi::CStr =
        match std::ffi::CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => panic!("the package version has no NUL byte"),
        };
    VERSION.as_ptr()
}

/// Frees a string this library handed to the caller (from `blooio_background_to_json`).
/// NULL, a string freed already, or one that did not come from this library (a string
/// borrowed from an object, one from `malloc`) is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn blooio_string_free(string: *mut c_char) {
    guard((), || drop(handle::take_string(string)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_macros_match_cargo_toml() {
        let parts = [BLOOIO_VERSION_MAJOR, BLOOIO_VERSION_MINOR, BLOOIO_VERSION_PATCH];
        let from_cargo = [
            env!("CARGO_PKG_VERSION_MAJOR"),
            env!("CARGO_PKG_VERSION_MINOR"),
            env!("CARGO_PKG_VERSION_PATCH"),
        ]
        .map(|p| p.parse::<u32>().unwrap());
        assert_eq!(
            parts, from_cargo,
            "update the BLOOIO_VERSION_* constants and run `make header`"
        );
        // SAFETY: a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(blooio_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
