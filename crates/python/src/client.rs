//! `Client`: the core client behind a frozen Python class. Each call takes owned copies of its
//! arguments, then releases the GIL for the whole request, retries and backoff included, so
//! threads sharing one client run their requests at the same time.

use std::sync::{Mutex, MutexGuard};

use blooio_core::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, LogLevel};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::background::ChatBackground;
use crate::call::{self, CallHandle, seconds};
use crate::errors;
use crate::exit;
use crate::image::ImageArg;
use crate::log;

/// Runs the call on one of the core's worker threads (never the caller's, never asyncio's
/// executor), then, holding the GIL only for that, calls `done(ok, value)`: `(True, background)`
/// or `(False, exception)`. `done` is the caller's to hand over to its event loop. Returns the
/// handle that cancels the call.
fn submit(py: Python<'_>, done: Py<PyAny>, ready: call::Ready) -> PyResult<CallHandle> {
    let call::Ready { run, token, aborts } = ready;
    exit::register(py)?;
    blooio_core::workers::spawn(move || {
        let outcome = run(); // no GIL here
        // Skipped when the interpreter is exiting: no one is waiting any more.
        exit::attach(|py| {
            let result = match aborts.finish_value(py, outcome) {
                (ok, Ok(value)) => done.call1(py, (ok, value)),
                (_, Err(e)) => done.call1(py, (false, e.into_value(py))),
            };
            if let Err(e) = result {
                e.write_unraisable(py, None);
            }
        });
    })
    .map_err(|e| errors::plain(py, "BlooioError", &e.to_string()))?;
    Ok(CallHandle(token))
}

/// Runs a blocking call (see [`call::run_blocking`]) and maps its outcome.
fn blocking(py: Python<'_>, ready: call::Ready) -> PyResult<ChatBackground> {
    let outcome = call::run_blocking(py, &ready.token, ready.run)?;
    ready.aborts.finish(py, outcome)
}

/// A client for the Blooio chat-background endpoints.
///
/// ``api_key`` and ``base_url`` default to ``$BLOOIO_API_KEY`` and ``$BLOOIO_BASE_URL`` (then
/// ``https://api.blooio.com/v2/api``). ``timeout`` bounds each attempt and ``connect_timeout``
/// the connection, in seconds; failed attempts that may be retried are, up to ``max_retries``
/// times. Safe to share between threads. Use it as a context manager, or call ``close()``.
#[pyclass(frozen, module = "blooio_native", name = "Client")]
pub struct Client {
    /// `None` once closed. The lock is only held to clone the handle (an `Arc`), never across
    /// a request.
    inner: Mutex<Option<blooio_core::Client>>,
    base_url: String,
    timeout: f64,
    connect_timeout: f64,
    max_retries: u32,
}

impl Client {
    fn state(&self) -> MutexGuard<'_, Option<blooio_core::Client>> {
        // No code that can panic runs under the lock, but a poisoned handle is still usable.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A handle on the open client, for use with the GIL released.
    fn handle(&self, py: Python<'_>) -> PyResult<blooio_core::Client> {
        self.state().clone().ok_or_else(|| {
            errors::plain(
                py,
                "InvalidArgumentError",
                "this client is closed; create a new one to send requests",
            )
        })
    }

    /// What every call takes while it holds the GIL, in this order: the open client's handle,
    /// owned copies of `chat_id` and `image` (a get has none, a set one), and the call's
    /// options. Sends nothing.
    fn ready(
        &self,
        py: Python<'_>,
        chat_id: String,
        image: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        extra_headers: Option<&Bound<'_, PyAny>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<call::Ready> {
        let client = self.handle(py)?;
        let image = image
            .map(|i| ImageArg::from_py(i).map(ImageArg::into_owned))
            .transpose()?;
        let prepared = call::prepare(py, timeout, extra_headers, progress)?;
        Ok(match image {
            None => prepared.bind(move |o| client.get_chat_background_with(&chat_id, o)),
            Some(image) => {
                prepared.bind(move |o| client.set_chat_background_with(&chat_id, image.as_image(), o))
            }
        })
    }
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (
        api_key=None, *, base_url=None, timeout=DEFAULT_TIMEOUT.as_secs_f64(),
        connect_timeout=DEFAULT_CONNECT_TIMEOUT.as_secs_f64(), max_retries=i64::from(DEFAULT_MAX_RETRIES),
        ca_file=None, proxy=None, platform_verifier=false, default_headers=None,
        user_agent_suffix=None, allow_insecure_http=false
    ))]
    // The defaults come from the core; this only shows them to `help()` and `inspect`, and a
    // test checks that it agrees with what a default client reports.
    #[pyo3(
        text_signature = "(api_key=None, *, base_url=None, timeout=60.0, connect_timeout=5.0, max_retries=2, ca_file=None, proxy=None, platform_verifier=False, default_headers=None, user_agent_suffix=None, allow_insecure_http=False)"
    )]
    // One parameter per keyword argument of the Python constructor.
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: f64,
        connect_timeout: f64,
        max_retries: i64,
        ca_file: Option<std::path::PathBuf>,
        proxy: Option<String>,
        platform_verifier: bool,
        default_headers: Option<&Bound<'_, PyAny>>,
        user_agent_suffix: Option<String>,
        allow_insecure_http: bool,
    ) -> PyResult<Self> {
        let invalid = |message: String| errors::plain(py, "InvalidConfigError", &message);
        let timeout_d = seconds("timeout", timeout).map_err(invalid)?;
        let connect_timeout_d = seconds("connect_timeout", connect_timeout).map_err(invalid)?;
        let retries = u32::try_from(max_retries).map_err(|_| {
            invalid(format!(
                "max_retries must be from 0 to {}, not {max_retries}",
                u32::MAX
            ))
        })?;
        let mut builder = blooio_core::Client::builder()
            .timeout(timeout_d)
            .connect_timeout(connect_timeout_d)
            .max_retries(retries)
            .binding("python")
            .allow_insecure_http(allow_insecure_http)
            .logger(LogLevel::Debug, log::sink())
            .log_enabled(log::enabled());
        if let Some(headers) = default_headers {
            for (name, value) in call::header_pairs("default_headers", headers)? {
                builder = builder.default_header(name, value);
            }
        }
        if let Some(suffix) = user_agent_suffix {
            builder = builder.user_agent_suffix(suffix);
        }
        if let Some(key) = api_key {
            builder = builder.api_key(key);
        }
        if let Some(url) = base_url {
            builder = builder.base_url(url);
        }
        if let Some(path) = ca_file {
            builder = builder.ca_file(path);
        }
        if let Some(url) = proxy {
            builder = builder.proxy(url);
        }
        builder = builder.platform_verifier(platform_verifier);
        let client = builder.build().map_err(|e| errors::to_py_err(py, e))?;
        Ok(Client {
            base_url: client.base_url().to_owned(),
            inner: Mutex::new(Some(client)),
            timeout,
            connect_timeout,
            max_retries: retries,
        })
    }

    /// The base URL requests go to, without a trailing slash.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Seconds one attempt may take, from connecting to the end of the response.
    #[getter]
    fn timeout(&self) -> f64 {
        self.timeout
    }

    /// Seconds a connection may take to open.
    #[getter]
    fn connect_timeout(&self) -> f64 {
        self.connect_timeout
    }

    /// How many times a failed attempt is retried, when it may be.
    #[getter]
    fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Whether ``close()`` has been called.
    #[getter]
    fn closed(&self) -> bool {
        self.state().is_none()
    }

    /// ``GET /chats/{chat_id}/background``: the chat's current background.
    ///
    /// ``timeout`` (seconds) replaces the client's for this call; ``extra_headers`` (a mapping,
    /// or ``(name, value)`` pairs) are sent with it, over the client's ``default_headers``.
    #[pyo3(signature = (chat_id, *, timeout=None, extra_headers=None))]
    fn get_chat_background(
        &self,
        py: Python<'_>,
        chat_id: String,
        timeout: Option<f64>,
        extra_headers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<ChatBackground> {
        let ready = self.ready(py, chat_id, None, timeout, extra_headers, None)?;
        blocking(py, ready)
    }

    /// ``PUT /chats/{chat_id}/background``: sets the background from ``image`` — a path
    /// (``str`` or ``os.PathLike``, streamed from disk), bytes-like data, or a file object
    /// opened in binary mode (read to its end from where it is). Returns the new background.
    ///
    /// ``progress(sent, total)`` is called as the body goes out (maybe on another thread); an
    /// exception it raises stops the upload and is raised here, and returning ``False`` stops
    /// it with ``APIUserAbortError``. ``timeout`` and ``extra_headers`` as for
    /// ``get_chat_background``.
    #[pyo3(signature = (chat_id, image, *, timeout=None, extra_headers=None, progress=None))]
    fn set_chat_background(
        &self,
        py: Python<'_>,
        chat_id: String,
        image: &Bound<'_, PyAny>,
        timeout: Option<f64>,
        extra_headers: Option<&Bound<'_, PyAny>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<ChatBackground> {
        let ready = self.ready(py, chat_id, Some(image), timeout, extra_headers, progress)?;
        blocking(py, ready)
    }

    /// ``get_chat_background`` on one of the library's own threads; ``done(ok, value)`` is called
    /// there, once, with the background or the exception. Returns a handle whose ``cancel()``
    /// stops the request. For ``AsyncClient``.
    #[pyo3(signature = (chat_id, done, *, timeout=None, extra_headers=None))]
    fn _get_chat_background_async(
        &self,
        py: Python<'_>,
        chat_id: String,
        done: Py<PyAny>,
        timeout: Option<f64>,
        extra_headers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<CallHandle> {
        let ready = self.ready(py, chat_id, None, timeout, extra_headers, None)?;
        submit(py, done, ready)
    }

    /// ``set_chat_background`` on one of the library's own threads, as
    /// ``_get_chat_background_async``. The image is taken now: a path is kept (and streamed
    /// there), bytes kept, other bytes-like data copied, a file object read here, on the
    /// caller's thread.
    #[pyo3(signature = (chat_id, image, done, *, timeout=None, extra_headers=None, progress=None))]
    // One parameter per keyword argument of the Python method.
    #[allow(clippy::too_many_arguments)]
    fn _set_chat_background_async(
        &self,
        py: Python<'_>,
        chat_id: String,
        image: &Bound<'_, PyAny>,
        done: Py<PyAny>,
        timeout: Option<f64>,
        extra_headers: Option<&Bound<'_, PyAny>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<CallHandle> {
        let ready = self.ready(py, chat_id, Some(image), timeout, extra_headers, progress)?;
        submit(py, done, ready)
    }

    /// Releases the connection pool. Calls made afterwards raise ``BlooioError``; requests
    /// already running finish normally. Closing twice is harmless.
    fn close(&self) {
        // Dropped outside the lock: closing pooled connections may take a moment.
        let client = self.state().take();
        drop(client);
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        _exc_type: &Bound<'_, PyAny>,
        _exc_value: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) {
        self.close();
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let base_url = PyString::new(py, &self.base_url).repr()?;
        Ok(format!(
            "Client(base_url={}, timeout={:?}, connect_timeout={:?}, max_retries={}{})",
            base_url.to_cow()?,
            self.timeout,
            self.connect_timeout,
            self.max_retries,
            if self.closed() { ", closed=True" } else { "" }
        ))
    }
}
