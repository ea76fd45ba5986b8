//! Ctrl-C during a bulk run: the calls in flight are cancelled, the summary is still written,
//! and the exit status is 130 (as a shell reports SIGINT). A second Ctrl-C ends at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use blooio_core::CancelToken;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    // Async-signal-safe: one atomic store.
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Cancels `token` when SIGINT arrives (checked every 50 ms by a thread of its own).
pub fn cancel_on_sigint(token: CancelToken) {
    // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value; the handler only
    // stores to an atomic; SA_RESETHAND restores the default, so a second SIGINT kills.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESETHAND;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut()) != 0 {
            return; // no handler: Ctrl-C ends the run at once, as before
        }
    }
    std::thread::spawn(move || {
        while !INTERRUPTED.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
        }
        token.cancel();
    });
}

/// Whether SIGINT arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
