//! `blooio_native._native`: the Python face of `blooio-core`.
//!
//! A thin layer: it converts arguments to owned Rust values, releases the GIL for the network
//! call, and turns the core's results and errors into Python objects. Validation, encoding,
//! retries and the wire format all live in the core.
//!
//! The exception classes are plain Python (`blooio_native/_exceptions.py`), so they can inherit
//! from `ValueError`/`OSError` too and pickle like any exception; `errors.rs` picks the class
//! for each of the core's error kinds.
#![forbid(unsafe_code)]

mod background;
mod call;
mod client;
mod errors;
mod exit;
mod image;
mod log;

/// Native client for the Blooio chat-background endpoints. Import `blooio_native`, not this.
#[pyo3::pymodule(gil_used = false)]
mod _native {
    #[pymodule_export]
    use super::background::ChatBackground;
    #[pymodule_export]
    use super::client::Client;

    /// The package version, the same as the Rust crates'.
    #[allow(non_upper_case_globals)]
    #[pymodule_export]
    const __version__: &str = env!("CARGO_PKG_VERSION");
}
