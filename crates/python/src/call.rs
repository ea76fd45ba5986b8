//! One call's options (`timeout=`, `extra_headers=`, `progress=`), and how a call runs, with a
//! cancellation token the caller's side can trip.
//!
//! A blocking call made on Python's main thread (the one that runs signal handlers) runs on one
//! of the core's worker threads while the caller waits in short slices, taking the GIL between
//! them only to run `check_signals`: Ctrl-C's `KeyboardInterrupt` (or any exception a signal
//! handler raises) cancels the request through the token and is raised at once. On other
//! threads the call runs in place, with the GIL released, as before. An `AsyncClient` call
//! gets the token back as a [`CallHandle`], which the task's cancellation trips.

use std::cell::Cell;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use blooio_core::{CallOptions, CancelToken};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyMapping, PyString};

use crate::background::ChatBackground;
use crate::errors;
use crate::exit;
use crate::log;

/// How long a blocking call waits for its worker between two looks at pending signals.
const SIGNAL_SLICE: Duration = Duration::from_millis(20);
/// After a signal cancelled a call, how long we wait for its worker to give the connection up
/// before raising anyway (the core promises about 100 ms).
const CANCEL_GRACE: Duration = Duration::from_secs(1);

pub(crate) type Outcome = Result<blooio_core::ChatBackground, blooio_core::Error>;

/// `seconds` as a `Duration`; bounds beyond "a finite number, not negative" are the core's.
pub(crate) fn seconds(name: &str, value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| format!("{name} must be a number of seconds greater than zero, not {value}"))
}

/// `(name, value)` pairs from a mapping or an iterable of pairs, both `str`. Whether a name or
/// value is acceptable is the core's to say.
pub(crate) fn header_pairs(arg: &str, headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let items = match headers.cast::<PyMapping>() {
        Ok(mapping) => mapping.items()?.into_any(),
        Err(_) if headers.is_instance_of::<PyString>() => {
            return Err(PyTypeError::new_err(format!(
                "{arg} must be a mapping of header names to values, not a str"
            )));
        }
        Err(_) => headers.clone(),
    };
    let mut pairs = Vec::new();
    for item in items.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{arg} must be a mapping of header names to values (or (name, value) pairs), not {}",
            headers
                .get_type()
                .name()
                .map_or_else(|_| "that".into(), |n| n.to_string())
        ))
    })? {
        let pair: (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?
            .extract()
            .map_err(|_| PyTypeError::new_err(format!("{arg}: each item must be a (name, value) pair")))?;
        let text = |v: &Bound<'_, PyAny>, what: &str| -> PyResult<String> {
            v.extract::<String>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{arg}: header {what}s must be str, not {}",
                    v.get_type()
                        .name()
                        .map_or_else(|_| "that".into(), |n| n.to_string())
                ))
            })
        };
        pairs.push((text(&pair.0, "name")?, text(&pair.1, "value")?));
    }
    Ok(pairs)
}

/// What a call's caller keeps to interpret its outcome: the exception its progress callback
/// raised, if it did.
pub(crate) struct Aborts {
    raised: Arc<Mutex<Option<PyErr>>>,
}

impl Aborts {
    /// The call's result as Python sees it. The progress callback's own exception wins over
    /// whatever the call returned: the caller's code raised it and expects to see it.
    pub(crate) fn finish(self, py: Python<'_>, outcome: Outcome) -> PyResult<ChatBackground> {
        let raised = self.raised.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(e) = raised {
            return Err(e);
        }
        outcome
            .map(ChatBackground::from)
            .map_err(|e| errors::to_py_err(py, e))
    }

    /// As `finish`, for a result handed to Python as a value.
    pub(crate) fn finish_value(self, py: Python<'_>, outcome: Outcome) -> (bool, PyResult<Py<PyAny>>) {
        match self.finish(py, outcome) {
            Ok(background) => (true, Py::new(py, background).map(Py::into_any)),
            Err(e) => (false, Ok(e.into_value(py).into_any())),
        }
    }
}

/// The core's options for one call, with the token that cancels it.
pub(crate) struct Prepared {
    options: CallOptions<'static>,
    token: CancelToken,
    aborts: Aborts,
    level: log::Level,
}

/// One call ready to run on any thread: the core's call with its options and log level bound,
/// the token that cancels it, and what interprets its outcome.
pub(crate) struct Ready {
    pub(crate) run: Box<dyn FnOnce() -> Outcome + Send>,
    pub(crate) token: CancelToken,
    pub(crate) aborts: Aborts,
}

impl Prepared {
    /// Binds these options, and the caller's log level, to `call`.
    pub(crate) fn bind(self, call: impl FnOnce(CallOptions<'static>) -> Outcome + Send + 'static) -> Ready {
        let Prepared {
            options,
            token,
            aborts,
            level,
        } = self;
        Ready {
            run: Box::new(move || log::with_level(level, || call(options))),
            token,
            aborts,
        }
    }
}

/// Builds one call's options from its keyword arguments. Sends nothing; bad values are refused
/// by the core when the call starts, before anything is sent.
pub(crate) fn prepare(
    py: Python<'_>,
    timeout: Option<f64>,
    extra_headers: Option<&Bound<'_, PyAny>>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Prepared> {
    let token = CancelToken::new();
    let mut options = CallOptions::default().cancel_token(token.clone());
    if let Some(t) = timeout {
        let d = seconds("timeout", t).map_err(|m| errors::plain(py, "InvalidConfigError", &m))?;
        options = options.timeout(d);
    }
    if let Some(headers) = extra_headers {
        for (name, value) in header_pairs("extra_headers", headers)? {
            options = options.header(name, value);
        }
    }
    let raised = Arc::new(Mutex::new(None));
    if let Some(callback) = progress {
        if !callback.bind(py).is_callable() {
            return Err(PyTypeError::new_err(format!(
                "progress must be a callable taking (sent, total), not {}",
                callback.bind(py).get_type().name()?
            )));
        }
        let slot = Arc::clone(&raised);
        options = options.progress(move |sent: u64, total: u64| {
            // The interpreter exiting stops the upload.
            exit::attach(|py| match callback.call1(py, (sent, total)) {
                // Only an explicit False stops; None (no return statement) goes on.
                Ok(value) => !value.bind(py).is(PyBool::new(py, false)),
                Err(e) => {
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                    false
                }
            })
            .unwrap_or(false)
        });
    }
    Ok(Prepared {
        options,
        token,
        aborts: Aborts { raised },
        level: log::level_now(py),
    })
}

/// Whether this is the thread Python runs signal handlers on (`threading.main_thread()`),
/// asked once per thread and process (a fork from another thread makes that one the main).
fn on_main_thread(py: Python<'_>) -> bool {
    thread_local! {
        static CACHED: Cell<Option<(u32, bool)>> = const { Cell::new(None) };
    }
    let pid = std::process::id();
    if let Some((cached_pid, main)) = CACHED.with(Cell::get) {
        if cached_pid == pid {
            return main;
        }
    }
    let ask = || -> PyResult<bool> {
        let threading = py.import("threading")?;
        let main = threading.call_method0("main_thread")?.getattr("ident")?;
        let this = threading.call_method0("get_ident")?;
        main.eq(this)
    };
    // If Python cannot say, take the path that works everywhere.
    let main = ask().unwrap_or(true);
    CACHED.with(|c| c.set(Some((pid, main))));
    main
}

/// On Python's main thread: runs `job` on a worker thread and waits for it, running pending
/// signal handlers every [`SIGNAL_SLICE`]. When one raises, the call is cancelled and that
/// exception is returned once the worker has let go (or after [`CANCEL_GRACE`]). On any other
/// thread: runs `job` here with the GIL released.
pub(crate) fn run_blocking(
    py: Python<'_>,
    token: &CancelToken,
    job: impl FnOnce() -> Outcome + Send + 'static,
) -> PyResult<Outcome> {
    if !on_main_thread(py) {
        // Python runs signal handlers on its main thread only: elsewhere there is nothing to
        // wait for between slices, so the call runs right here, with the GIL released.
        return Ok(py.detach(job));
    }
    exit::register(py)?;
    let (tx, rx) = mpsc::sync_channel(1);
    blooio_core::workers::spawn(move || {
        let _ = tx.send(job()); // the caller may have stopped waiting
    })
    .map_err(|e| errors::plain(py, "BlooioError", &e.to_string()))?;
    // A `Receiver` is `Send` but not `Sync`: it goes into each GIL-free wait and comes back.
    let mut rx = rx;
    loop {
        let (received, back) = py.detach(move || (rx.recv_timeout(SIGNAL_SLICE), rx));
        rx = back;
        match received {
            Ok(outcome) => return Ok(outcome),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(signal) = py.check_signals() {
                    token.cancel();
                    py.detach(move || {
                        let _ = rx.recv_timeout(CANCEL_GRACE);
                    });
                    return Err(signal);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(errors::plain(
                    py,
                    "BlooioError",
                    "the call's worker thread ended without an answer (a bug: please report it)",
                ));
            }
        }
    }
}

/// An `AsyncClient` call in flight: ``cancel()`` stops its request (any thread, idempotent).
#[pyclass(frozen, module = "blooio_native", name = "_CallHandle")]
pub struct CallHandle(pub(crate) CancelToken);

#[pymethods]
impl CallHandle {
    /// Cancels the request: it ends within about 100 ms and its connection is dropped.
    fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether ``cancel()`` has been called.
    #[getter]
    fn cancelled(&self) -> bool {
        self.0.is_cancelled()
    }

    fn __repr__(&self) -> String {
        format!("<blooio_native._CallHandle cancelled={}>", self.cancelled())
    }
}
