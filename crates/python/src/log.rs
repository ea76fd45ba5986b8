//! The core's log lines into Python's `logging` module, logger `blooio_native`.
//!
//! Every client is built with a core logger at debug level whose sink is [`sink`] and whose
//! enabled-check is [`enabled`]. Whether a line goes anywhere is decided once per call, with the
//! GIL held as the call starts ([`level_now`]): off when `logging` has not even been imported
//! (then nothing can have configured it), else the logger's own `isEnabledFor`, which `logging`
//! caches. The answer travels to the thread that runs the call ([`with_level`]), and the core
//! asks [`enabled`] before it formats a line, so when logging is off a line costs one
//! thread-local read: no formatting, no allocation, never the GIL.

use std::cell::Cell;
use std::sync::Arc;

use blooio_core::{LogEnabled, LogLevel, LogSink};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// The logger's name, as the package documents it.
const LOGGER: &str = "blooio_native";
/// `logging.INFO` and `logging.DEBUG`: fixed by the language, so not looked up.
const PY_INFO: u8 = 20;
const PY_DEBUG: u8 = 10;

/// The most detailed level a call on this thread logs at: 0 none, 1 info, 2 debug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Level(u8);

impl Level {
    pub(crate) const OFF: Level = Level(0);

    fn allows(self, level: LogLevel) -> bool {
        self.0 >= rank(level)
    }
}

/// 1 for info, 2 for debug: the core's discriminants.
fn rank(level: LogLevel) -> u8 {
    level as u8
}

thread_local! {
    static CURRENT: Cell<Level> = const { Cell::new(Level::OFF) };
}

/// Runs `f` with this thread's calls logging at `level`, then puts the previous level back.
pub(crate) fn with_level<T>(level: Level, f: impl FnOnce() -> T) -> T {
    let previous = CURRENT.with(|c| c.replace(level));
    let out = f();
    CURRENT.with(|c| c.set(previous));
    out
}

fn logger(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static LOGGER_OBJ: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    LOGGER_OBJ
        .get_or_try_init(py, || {
            Ok(py
                .import("logging")?
                .call_method1("getLogger", (LOGGER,))?
                .unbind())
        })
        .map(|l| l.bind(py))
}

fn sys_modules(py: Python<'_>) -> PyResult<&Bound<'_, PyDict>> {
    static MODULES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
    MODULES.import(py, "sys", "modules")
}

/// What the `blooio_native` logger wants now. Errors count as "off": logging must never make a
/// call fail.
pub(crate) fn level_now(py: Python<'_>) -> Level {
    let probe = || -> PyResult<Level> {
        if !sys_modules(py)?.contains(intern!(py, "logging"))? {
            return Ok(Level::OFF);
        }
        let logger = logger(py)?;
        let enabled = |level: u8| -> PyResult<bool> {
            logger
                .call_method1(intern!(py, "isEnabledFor"), (level,))?
                .is_truthy()
        };
        Ok(if enabled(PY_DEBUG)? {
            Level(2)
        } else if enabled(PY_INFO)? {
            Level(1)
        } else {
            Level::OFF
        })
    };
    probe().unwrap_or(Level::OFF)
}

/// The core logger's enabled-check: whether this thread's call logs at `level`. Asked before
/// the core formats a line, so a line nobody wants is never built.
pub(crate) fn enabled() -> LogEnabled {
    Arc::new(|level: LogLevel| CURRENT.with(Cell::get).allows(level))
}

/// The core logger's sink: the line to `blooio_native` at the matching level. The core calls
/// it only for lines [`enabled`] allowed, on the same thread. The line is passed as the message
/// with no arguments, so `%` in it (the encoded `+` of a chat id) is not a format.
pub(crate) fn sink() -> LogSink {
    Arc::new(|level: LogLevel, line: &str| {
        crate::exit::attach(|py| {
            let py_level = if rank(level) == 1 { PY_INFO } else { PY_DEBUG };
            let logged = logger(py).and_then(|l| l.call_method1(intern!(py, "log"), (py_level, line)));
            if let Err(e) = logged {
                e.write_unraisable(py, None);
            }
        });
    })
}
