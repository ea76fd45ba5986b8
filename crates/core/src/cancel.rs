//! Cancelling a call: the token a caller holds, and the transport layer that watches it.
//!
//! A call runs on one thread from start to end (ureq is synchronous), so the token of the call
//! a thread is making is kept in a thread-local for its duration. Every connection is wrapped
//! in [`Watched`], placed between the TCP socket and TLS, so the TLS handshake, every write and
//! every wait for input look at that token: waits are cut into slices of [`SLICE`], and a
//! cancelled call's next slice fails. A failed transport is never returned to the pool, so a
//! cancelled call's connection is dropped. Calls without a token pay one thread-local read per
//! I/O step.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// The longest a cancelled call keeps waiting on the network before it notices.
const SLICE: Duration = Duration::from_millis(50);

/// A handle that cancels the calls it is passed to, from any thread. Clones share one flag;
/// once cancelled it stays cancelled.
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<Flag>,
}

#[derive(Default)]
struct Flag {
    cancelled: AtomicBool,
    /// Wakes a call sleeping before a retry.
    lock: Mutex<()>,
    wake: Condvar,
}

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels every call using this token: each returns [`ErrorKind::Cancelled`]
    /// (crate::ErrorKind::Cancelled) within about 100 ms. Idempotent.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        let _guard = self.inner.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.inner.wake.notify_all();
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Sleeps for `wait`, or less if the token is cancelled meanwhile. Returns whether it was.
    pub(crate) fn sleep(&self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        let mut guard = self.inner.lock.lock().unwrap_or_else(|e| e.into_inner());
        while !self.is_cancelled() {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            guard = match self.inner.wake.wait_timeout(guard, left) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        }
        true
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

thread_local! {
    static CURRENT: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

/// Makes `token` the one this thread's I/O watches until the guard is dropped.
pub(crate) fn watch(token: Option<&CancelToken>) -> WatchGuard {
    let previous = CURRENT.with(|c| c.replace(token.cloned()));
    WatchGuard { previous }
}

pub(crate) struct WatchGuard {
    previous: Option<CancelToken>,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

fn current_is_cancelled() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(CancelToken::is_cancelled))
}

fn has_current() -> bool {
    CURRENT.with(|c| c.borrow().is_some())
}

fn cancelled() -> ureq::Error {
    // Not `Interrupted`: std's readers (`read_to_end`, `read_exact`) retry on that kind, so a
    // call cancelled while reading a response body spun on `await_input` until its timeout.
    ureq::Error::Io(io::Error::other("the call was cancelled"))
}

/// The connector step that wraps each new connection in [`Watched`].
#[derive(Debug, Default)]
pub(crate) struct WatchConnector;

impl<In: Transport> Connector<In> for WatchConnector {
    type Out = Watched<In>;

    fn connect(&self, _: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        if current_is_cancelled() {
            return Err(cancelled());
        }
        Ok(chained.map(|inner| Watched { inner }))
    }
}

/// A transport whose writes and waits give up when the calling thread's call is cancelled.
#[derive(Debug)]
pub(crate) struct Watched<T> {
    inner: T,
}

impl<T: Transport> Transport for Watched<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if current_is_cancelled() {
            return Err(cancelled());
        }
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if !has_current() {
            return self.inner.await_input(timeout);
        }
        let deadline = (!timeout.after.is_not_happening()).then(|| Instant::now() + *timeout.after);
        loop {
            if current_is_cancelled() {
                return Err(cancelled());
            }
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let slice = left.map_or(SLICE, |l| l.min(SLICE));
            let last = left.is_some_and(|l| l <= SLICE);
            let step = NextTimeout {
                after: slice.into(),
                ..timeout
            };
            match self.inner.await_input(step) {
                Err(ureq::Error::Timeout(_)) if !last => continue,
                other => return other,
            }
        }
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleep_ends_early_when_cancelled_from_another_thread() {
        let token = CancelToken::new();
        let other = token.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            other.cancel();
        });
        let start = Instant::now();
        assert!(token.sleep(Duration::from_secs(10)));
        assert!(start.elapsed() < Duration::from_secs(2));
        t.join().unwrap();
        assert!(token.is_cancelled());
        assert!(token.sleep(Duration::from_secs(10)), "stays cancelled");
    }

    #[test]
    fn an_uncancelled_sleep_lasts_its_time() {
        let start = Instant::now();
        assert!(!CancelToken::new().sleep(Duration::from_millis(20)));
        assert!(start.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn the_watched_token_is_the_calls_and_is_restored() {
        let token = CancelToken::new();
        token.cancel();
        assert!(!current_is_cancelled());
        {
            let _g = watch(Some(&token));
            assert!(current_is_cancelled());
            {
                let _inner = watch(None);
                assert!(!has_current());
            }
            assert!(current_is_cancelled());
        }
        assert!(!has_current());
    }
}
