//! `hold_until`: a gate that holds each API request until N of them have arrived, then lets
//! them all through at once (and every later one straight through). A client that cannot have
//! N requests in flight at once never opens it: its held requests fail after [`HOLD_LIMIT`]
//! with a 500 that says so, instead of passing late and hiding the missing concurrency.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;

use crate::state::lock;

/// How long a request is held, at most, waiting for the others.
pub(crate) const HOLD_LIMIT: Duration = Duration::from_secs(20);

#[derive(Default)]
struct Gate {
    /// 0: open.
    until: u32,
    arrived: u32,
    /// Bumped whenever the gate is set again, so that requests held by an old one are let go.
    generation: u64,
}

#[derive(Default)]
pub(crate) struct Hold {
    gate: Mutex<Gate>,
    opened: Notify,
}

impl Hold {
    /// Holds the next `until` requests until all of them have arrived; `None` or 0 opens it.
    pub(crate) fn set(&self, until: Option<u32>) {
        let mut gate = lock(&self.gate);
        gate.until = until.unwrap_or(0);
        gate.arrived = 0;
        gate.generation += 1;
        self.opened.notify_waiters();
    }

    /// The N set, while the gate is closed.
    pub(crate) fn until(&self) -> Option<u32> {
        Some(lock(&self.gate).until).filter(|&n| n > 0)
    }

    /// Waits at this gate; `Err` (with how many had arrived) when the others did not come in time.
    pub(crate) async fn pass(&self) -> Result<(), (u32, u32)> {
        let generation = {
            let mut gate = lock(&self.gate);
            if gate.until == 0 {
                return Ok(());
            }
            gate.arrived += 1;
            if gate.arrived >= gate.until {
                gate.until = 0;
                self.opened.notify_waiters();
                return Ok(());
            }
            gate.generation
        };
        let wait = async {
            loop {
                // Registered before the check, so an opening in between is not missed.
                let opened = self.opened.notified();
                {
                    let gate = lock(&self.gate);
                    if gate.until == 0 || gate.generation != generation {
                        return;
                    }
                }
                opened.await;
            }
        };
        if tokio::time::timeout(HOLD_LIMIT, wait).await.is_ok() {
            return Ok(());
        }
        let gate = lock(&self.gate);
        Err((gate.arrived, gate.until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn opens_when_the_nth_arrives_and_stays_open() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let hold = Arc::new(Hold::default());
            hold.set(Some(3));
            assert_eq!(hold.until(), Some(3));
            let first: Vec<_> = (0..2)
                .map(|_| {
                    let hold = Arc::clone(&hold);
                    tokio::spawn(async move { hold.pass().await })
                })
                .collect();
            tokio::task::yield_now().await;
            assert!(
                first.iter().all(|t| !t.is_finished()),
                "held until the third arrives"
            );
            assert_eq!(hold.pass().await, Ok(()));
            for t in first {
                assert_eq!(t.await.unwrap(), Ok(()));
            }
            assert_eq!(hold.until(), None);
            assert_eq!(hold.pass().await, Ok(()), "open afterwards");
        });
    }
}
