//! Noticing a client that gives up: a request whose connection the client closes before the
//! emulator has finished answering it is marked [`RecordedRequest::client_aborted`].
//!
//! hyper drops a request's handler (or the body of its response) when the client's side of
//! the connection closes mid-exchange; [`AbortWatch`] is held by that handler or body and marks
//! the record when it is dropped before it was disarmed. A request body that breaks off is
//! noticed by [`crate::upload::receive`] instead, which may finish reading first.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::record::RecordedRequest;
use crate::state::Shared;

/// Where the request's record stands.
enum Record {
    /// Not logged yet (the body is still arriving): logged as aborted if dropped now.
    Draft(Box<RecordedRequest>),
    /// Logged under this sequence number.
    Logged(u64),
}

/// Armed from the request head's arrival until the answer has been handed over in full.
pub(crate) struct AbortWatch {
    shared: Arc<Shared>,
    record: Option<Record>,
    /// Request body bytes received so far.
    received: Arc<AtomicU64>,
    /// Set by the connection's task when the emulator itself takes the connection over
    /// (a fault, `drop_connections`): the handler it drops was not abandoned by the client.
    taken_over: Arc<AtomicBool>,
}

impl AbortWatch {
    pub(crate) fn new(
        shared: Arc<Shared>,
        draft: RecordedRequest,
        received: Arc<AtomicU64>,
        taken_over: Arc<AtomicBool>,
    ) -> AbortWatch {
        AbortWatch {
            shared,
            record: Some(Record::Draft(Box::new(draft))),
            received,
            taken_over,
        }
    }

    /// The record has been logged under `seq`.
    pub(crate) fn logged(&mut self, seq: u64) {
        self.record = Some(Record::Logged(seq));
    }

    /// The answer is complete (or the emulator ends the connection itself): nothing to mark.
    pub(crate) fn disarm(&mut self) {
        self.record = None;
    }
}

impl Drop for AbortWatch {
    fn drop(&mut self) {
        if self.taken_over.load(Ordering::Relaxed) {
            return;
        }
        match self.record.take() {
            None => {}
            Some(Record::Logged(seq)) => self.shared.mark_aborted(seq),
            Some(Record::Draft(mut draft)) => {
                draft.body_len = self.received.load(Ordering::Relaxed);
                draft.client_aborted = true;
                self.shared.log_aborted(*draft);
            }
        }
    }
}
