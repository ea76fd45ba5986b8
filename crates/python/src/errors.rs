//! The core's errors as Python exceptions: one class per `ErrorKind`, defined in
//! `blooio_native/_exceptions.py`, carrying the core's detail as attributes.

use std::io;

use blooio_core::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

const EXCEPTIONS_MODULE: &str = "blooio_native._exceptions";

/// The Python class for each kind. `ErrorKind` is non-exhaustive: a kind added to the core later
/// falls back to the nearest general class until it gets its own.
fn class_name(error: &Error) -> &'static str {
    match error.kind() {
        ErrorKind::InvalidConfig => "InvalidConfigError",
        ErrorKind::InvalidChatId => "InvalidChatIdError",
        ErrorKind::InvalidImage => "InvalidImageError",
        ErrorKind::Io => "ImageFileError",
        ErrorKind::BadRequest => "BadRequestError",
        ErrorKind::Authentication => "AuthenticationError",
        ErrorKind::RateLimited => "RateLimitError",
        ErrorKind::DeviceUnavailable => "DeviceError",
        ErrorKind::NoActiveNumber => "NoActiveNumberError",
        ErrorKind::ServerError => "InternalServerError",
        ErrorKind::HttpStatus => "APIStatusError",
        ErrorKind::Timeout => "APITimeoutError",
        ErrorKind::Connection => "APIConnectionError",
        ErrorKind::Decode => "ResponseDecodeError",
        ErrorKind::Tls => "APITLSError",
        ErrorKind::Cancelled => "APIUserAbortError",
        _ if error.status().is_some() => "APIStatusError",
        _ => "BlooioError",
    }
}

fn exceptions_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || Ok(py.import(EXCEPTIONS_MODULE)?.unbind()))
        .map(|m| m.bind(py))
}

/// Converts a core error into the matching Python exception.
pub(crate) fn to_py_err(py: Python<'_>, error: Error) -> PyErr {
    build(py, &error).unwrap_or_else(|failure| failure)
}

/// A `BlooioError` raised by the binding itself (not by the core), such as use after `close()`.
pub(crate) fn plain(py: Python<'_>, class: &str, message: &str) -> PyErr {
    let raise = || -> PyResult<PyErr> {
        let class = exceptions_module(py)?.getattr(class)?;
        Ok(PyErr::from_value(class.call1((message,))?))
    };
    raise().unwrap_or_else(|failure| failure)
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let name = class_name(error);
    let class = exceptions_module(py)?.getattr(name)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("attempts", error.attempts())?;
    match error.kind() {
        ErrorKind::InvalidImage => {
            kwargs.set_item("path", error.path().map(|p| p.as_os_str()))?;
        }
        ErrorKind::Io => {
            let source = std::error::Error::source(error).and_then(|s| s.downcast_ref::<io::Error>());
            kwargs.set_item("path", error.path().map(|p| p.as_os_str()))?;
            kwargs.set_item("errno", source.and_then(io::Error::raw_os_error))?;
        }
        ErrorKind::Decode => {
            kwargs.set_item("status_code", error.status())?;
            kwargs.set_item("request_id", error.request_id())?;
        }
        _ if error.status().is_some() => {
            kwargs.set_item("status_code", error.status())?;
            kwargs.set_item("server_message", error.server_message())?;
            kwargs.set_item("code", error.code())?;
            kwargs.set_item("request_id", error.request_id())?;
            kwargs.set_item("body", error.body())?;
            kwargs.set_item("retry_after", error.retry_after().map(|d| d.as_secs_f64()))?;
        }
        _ => {}
    }
    let exception = class.call((error.message(),), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}
