//! A pause shared by many calls: when one meets HTTP 429 with a wait, none of them sends before
//! that wait is over (for bulk runs over one client).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::cancel::CancelToken;

#[derive(Debug, Default)]
pub(crate) struct SharedPause {
    until: Mutex<Option<Instant>>,
}

impl SharedPause {
    #[allow(dead_code)] // for bulk runs
    pub(crate) fn new() -> Arc<SharedPause> {
        Arc::new(SharedPause::default())
    }

    /// Blocks until the pause is over; returns early when `cancel` is cancelled.
    pub(crate) fn wait(&self, cancel: Option<&CancelToken>) {
        loop {
            let until = *self.until.lock().unwrap_or_else(|e| e.into_inner());
            let Some(left) = until.and_then(|u| u.checked_duration_since(Instant::now())) else {
                return;
            };
            match cancel {
                Some(token) if token.sleep(left) => return,
                Some(_) => {}
                None => std::thread::sleep(left),
            }
        }
    }

    /// A 429 asked for `wait`: nobody sends before now + `wait`.
    pub(crate) fn extend(&self, wait: Duration) {
        let end = Instant::now() + wait;
        let mut until = self.until.lock().unwrap_or_else(|e| e.into_inner());
        if until.is_none_or(|u| u < end) {
            *until = Some(end);
        }
    }
}
