//! `libblooio`: the C ABI of the Blooio chat-background client.
//!
//! Every export is a thin, panic-proof shell over [`blooio_core`]: it checks its pointer and
//! string arguments, calls the core, and turns the outcome into a [`blooio_status`] plus, on
//! failure, a per-call [`blooio_error`]. The header `include/blooio.h` is generated from this
//! crate by the cbindgen CLI (see `cbindgen.toml`, `make header`) and never by hand.
//!
//! Conventions (stated once here and in the header):
//! - Handles are opaque. `_new` writes through an out-parameter; every `_free` accepts NULL and
//!   ignores a pointer that is not a live handle of its type (so a double free is harmless).
//! - Fallible functions return a [`blooio_status`]; result out-parameters are written only
//!   when it is `BLOOIO_STATUS_OK`. Error detail comes through the last argument, a
//!   `blooio_error **` that may be NULL, and is never kept in thread-local state.
//! - Input strings are borrowed, NUL-terminated UTF-8. Returned strings that the caller owns
//!   are freed with [`blooio_string_free`], never with `free`.
//!
//! All `unsafe` of the project lives here; each block says why it holds.
#![allow(non_camel_case_types)]
#![deny(clippy::undocumented_unsafe_blocks)]
// The `fuzzing` feature makes the exports reachable from Rust; their contract is the C one,
// documented on each function for the header, not as a Rust `# Safety` section.
#![cfg_attr(feature = "fuzzing", allow(clippy::missing_safety_doc))]

// The plumbing every export shares.
mod boundary;
mod handle;

// The exports, in the order the header lists them.
mod version;

mod status;

mod options;

mod call_options;
mod client;

mod async_calls;

mod background;

mod error;

pub use async_calls::blooio_background_callback;
/// Every export by path, for the fuzz target under `fuzz/` that drives them through their Rust
/// signatures. Behind the opt-in `fuzzing` feature; not an API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::background::*;
    pub use crate::client::*;
    pub use crate::error::*;
    pub use crate::options::*;
    pub use crate::status::*;
    pub use crate::version::*;
}

pub use background::blooio_background;
pub use call_options::{blooio_call_options, blooio_cancel_token, blooio_progress_callback};
pub use client::blooio_client;
pub use error::blooio_error;
pub use options::{blooio_log_callback, blooio_log_level, blooio_options};
pub use status::blooio_status;
pub use version::{BLOOIO_VERSION_MAJOR, BLOOIO_VERSION_MINOR, BLOOIO_VERSION_PATCH};
