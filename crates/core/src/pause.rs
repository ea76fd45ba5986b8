//! One pause shared by many calls: when the server answers 429 with `Retry-After` to any of
//! them, none of them sends again before the time it asked for.
//!
//! The bulk runner ([`crate::bulk`]) hands one [`SharedPause`] to every call it makes; the
//! client's retry loop calls [`SharedPause::wait`] before each attempt and
//! [`SharedPause::extend`] when it decides to wait after a 429. Extending takes the later of
//! the two ends, so four workers meeting the same 429 wait out one pause, not four.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::cancel::CancelToken;

/// The end of the current pause, shared by every call that holds it.
#[derive(Debug, Default)]
pub(crate) struct SharedPause {
    until: Mutex<Option<Instant>>,
}

impl SharedPause {
    pub(crate) fn new() -> Arc<SharedPause> {
        Arc::new(SharedPause::default())
    }

    /// Blocks until the pause is over; returns at once when there is none, and as soon as
    /// `cancel` is cancelled.
    pub(crate) fn wait(&self, cancel: Option<&CancelToken>) {
        // The end is read afresh on every turn: another call may extend the pause meanwhile.
        while let Some(left) = self.remaining() {
            match cancel {
                Some(token) => {
                    if token.sleep(left) {
                        return;
                    }
                }
                None => std::thread::sleep(left),
            }
        }
    }

    /// A 429 was met: nobody sends before now + `wait`. A pause already running to a later
    /// time is kept as it is.
    pub(crate) fn extend(&self, wait: Duration) {
        let Some(end) = Instant::now().checked_add(wait) else {
            return; // beyond any clock: the retry loop refuses such a wait anyway
        };
        let mut until = self.until.lock().unwrap_or_else(PoisonError::into_inner);
        if until.is_none_or(|u| u < end) {
            *until = Some(end);
        }
    }

    /// How long the pause still runs, or `None` when it is over.
    fn remaining(&self) -> Option<Duration> {
        let until = *self.until.lock().unwrap_or_else(PoisonError::into_inner);
        let left = until?.checked_duration_since(Instant::now())?;
        (!left.is_zero()).then_some(left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Asserts that `d` lies in the range, in milliseconds.
    fn assert_within(d: Duration, range: std::ops::Range<u64>) {
        assert!(
            range.contains(&u64::try_from(d.as_millis()).unwrap()),
            "{d:?}, not {range:?} ms"
        );
    }

    #[test]
    fn a_wait_lasts_until_the_latest_end_extended_to() {
        // (the extensions made before the wait, in ms; how long the wait takes, in ms)
        let cases: [(&[u64], std::ops::Range<u64>); 2] = [
            // No pause means no wait (the bound leaves room for a busy machine, and is still
            // well short of the 200 ms a wrong wait would take).
            (&[], 0..100),
            // Overlapping extensions make one pause, not their sum; a shorter one than what
            // runs is kept as it is.
            (&[200, 200, 200, 200, 50], 200..400),
        ];
        for (extensions, waits) in cases {
            let pause = SharedPause::new();
            let start = Instant::now();
            for &wait in extensions {
                pause.extend(ms(wait));
            }
            pause.wait(None);
            assert_within(start.elapsed(), waits);
        }
    }

    #[test]
    fn a_pause_holds_every_waiter_until_its_end() {
        let pause = SharedPause::new();
        let start = Instant::now();
        pause.extend(ms(200));
        let waited: Vec<Duration> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        pause.wait(None);
                        start.elapsed()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for w in waited {
            assert_within(w, 200..400);
        }
    }

    #[test]
    fn an_extension_while_waiting_is_honoured() {
        let pause = SharedPause::new();
        let start = Instant::now();
        pause.extend(ms(100));
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(ms(50));
                pause.extend(ms(200)); // now ends at about 250 ms
            });
            pause.wait(None);
        });
        assert_within(start.elapsed(), 250..450);
    }

    #[test]
    fn a_cancelled_waiter_returns_early() {
        let pause = SharedPause::new();
        pause.extend(Duration::from_secs(30));
        let token = CancelToken::new();
        let start = Instant::now();
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(ms(100));
                token.cancel();
            });
            pause.wait(Some(&token));
        });
        // Early means long before the pause's 30 s; the margin is for a busy machine.
        assert_within(start.elapsed(), 100..1000);
        // A token cancelled before the wait: no wait at all.
        let start = Instant::now();
        pause.wait(Some(&token));
        assert_within(start.elapsed(), 0..100);
        // The pause itself is not ended by one waiter's cancellation.
        assert!(pause.remaining().is_some());
    }

    #[test]
    fn an_absurd_wait_does_not_panic() {
        let pause = SharedPause::new();
        pause.extend(Duration::MAX);
        assert!(pause.remaining().is_none());
    }
}
