//! Calls into Python from the library's own threads (an `AsyncClient` result, a progress
//! callback, a log line) must not race the interpreter's exit.
//!
//! Once the interpreter is finalizing, a thread that takes the GIL is ended by CPython in the
//! middle of our Rust frames (`PyThread_exit_thread`), which aborts the process ("Fatal Python
//! error: PyGILState_Release"). That happened when a program's last `await` returned while the
//! thread that settled its future was still inside `loop.call_soon_threadsafe`. So every such
//! call goes through [`attach`], which counts the threads inside Python, and an `atexit`
//! handler (registered the first time a call is queued; `atexit` runs before finalization
//! starts) closes the gate and waits, with the GIL released, for those inside to leave.
//! Nothing of value is lost: after exit no one is waiting for those results.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// Threads inside (or about to enter) Python through [`attach`].
static INSIDE: AtomicUsize = AtomicUsize::new(0);
/// Set by the `atexit` handler: from then on [`attach`] does not enter Python.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// The longest the handler waits for threads to leave Python.
const DRAIN_LIMIT: Duration = Duration::from_secs(2);

/// Runs `f` with the GIL from one of the library's threads, unless the interpreter is exiting
/// (then `None`, and `f` is not run).
pub(crate) fn attach<R>(f: impl FnOnce(Python<'_>) -> R) -> Option<R> {
    INSIDE.fetch_add(1, Ordering::SeqCst);
    // Counted first, checked second: the handler closes first and counts second, so either it
    // sees us and waits, or we see it closed and stay out.
    let out = if CLOSED.load(Ordering::SeqCst) {
        None
    } else {
        Some(Python::attach(f))
    };
    INSIDE.fetch_sub(1, Ordering::SeqCst);
    out
}

/// The `atexit` handler.
#[pyfunction]
fn _blooio_native_drain(py: Python<'_>) {
    CLOSED.store(true, Ordering::SeqCst);
    let start = Instant::now();
    py.detach(|| {
        while INSIDE.load(Ordering::SeqCst) > 0 && start.elapsed() < DRAIN_LIMIT {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// Registers the `atexit` handler, once per process, before the first call is queued. (Not at
/// import: `import blooio_native` loads no other module.)
pub(crate) fn register(py: Python<'_>) -> PyResult<()> {
    static REGISTERED: PyOnceLock<()> = PyOnceLock::new();
    REGISTERED
        .get_or_try_init(py, || {
            let handler = wrap_pyfunction!(_blooio_native_drain, py)?;
            py.import("atexit")?.call_method1("register", (handler,))?;
            Ok::<(), PyErr>(())
        })
        .map(|_| ())
}
