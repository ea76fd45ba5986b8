//! The request log: what clients sent, for tests to assert on.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// At most this many records are kept; older ones are dropped first.
pub const MAX_RECORDS: usize = 10_000;

/// One API request as the emulator received it.
///
/// Recorded before authentication or validation, so a test can count attempts or prove that
/// nothing was sent. Control-API (`/__emulator/…`) and media requests are not recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    /// The path exactly as received, still percent-encoded, without the query.
    pub raw_path: String,
    /// The raw query string, if the request had one.
    pub query: Option<String>,
    /// The decoded and normalised chat id, or `None` if the path had none or it was invalid.
    pub chat_id: Option<String>,
    /// Every header as received, names lower-cased (including `authorization`).
    pub headers: Vec<(String, String)>,
    pub content_type: Option<String>,
    /// Bytes of request body received (the whole multipart body, boundaries included).
    pub body_len: u64,
    /// The multipart parts, in order (empty for a body that is not multipart).
    pub parts: Vec<RecordedPart>,
    /// The status answered; 0 while unanswered or when the connection was reset before any
    /// response byte was sent. A `reset_mid_body` fault records the status line it sent.
    pub status: u16,
    /// Milliseconds since the emulator started, taken when the request head arrived.
    pub at_ms: u64,
    /// The `x-request-id` answered (`req_…`).
    pub request_id: String,
    /// Which TCP connection carried the request (1 for the first accepted connection).
    pub connection_id: u64,
    /// The client closed the connection before the emulator had finished answering: while the
    /// request body was still arriving (then `body_len` counts what came), while the request
    /// was held (`hold_until`) or delayed (latency, a fault's `delay_ms`), or before a slow
    /// body (`body_delay_ms`) had gone out. Never set when the emulator ends the connection
    /// itself (a fault's action, `drop_connections`). It may be set a moment after the client
    /// closed: poll for it.
    #[serde(default)]
    pub client_aborted: bool,
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedPart {
    /// The `name` from Content-Disposition (empty if there was none).
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub len: u64,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }
}

/// The first value of header `name` (case-insensitive) in a list of `(name, value)` pairs, as
/// [`RecordedRequest::headers`] holds them.
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// What was answered to one API request; handed to the
/// [`Emulator::on_request`](crate::Emulator::on_request) hook (the binary logs it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestOutcome {
    pub method: String,
    pub raw_path: String,
    /// As in [`RecordedRequest::status`].
    pub status: u16,
    /// From the request head's arrival to the answer (before a slow body is sent).
    pub elapsed: Duration,
}

/// A bounded, ordered log. Each record gets a sequence number so its status can be filled in
/// once the answer is known.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: VecDeque<(u64, RecordedRequest)>,
    next_seq: u64,
    /// Requests recorded since the log was last cleared (not capped).
    total: u64,
}

impl RequestLog {
    pub(crate) fn push(&mut self, record: RecordedRequest) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.total += 1;
        if self.entries.len() == MAX_RECORDS {
            self.entries.pop_front();
        }
        self.entries.push_back((seq, record));
        seq
    }

    pub(crate) fn set_status(&mut self, seq: u64, status: u16) {
        if let Ok(i) = self.entries.binary_search_by_key(&seq, |(s, _)| *s) {
            self.entries[i].1.status = status;
        }
    }

    pub(crate) fn set_aborted(&mut self, seq: u64) {
        if let Ok(i) = self.entries.binary_search_by_key(&seq, |(s, _)| *s) {
            self.entries[i].1.client_aborted = true;
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().map(|(_, r)| r.clone()).collect()
    }

    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.total = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &str) -> RecordedRequest {
        RecordedRequest {
            method: "GET".into(),
            raw_path: path.into(),
            query: None,
            chat_id: None,
            headers: vec![("authorization".into(), "Bearer k".into())],
            content_type: None,
            body_len: 0,
            parts: vec![],
            status: 0,
            at_ms: 0,
            request_id: "req_1".into(),
            connection_id: 1,
            client_aborted: false,
        }
    }

    #[test]
    fn bounded_and_status_is_filled_in_later() {
        let mut log = RequestLog::default();
        let first = log.push(record("/0"));
        for i in 1..=MAX_RECORDS {
            log.push(record(&format!("/{i}")));
        }
        log.set_status(first, 200); // already evicted: ignored
        let last = log.push(record("/last"));
        log.set_status(last, 502);
        log.set_aborted(last);
        let all = log.snapshot();
        assert_eq!(all.len(), MAX_RECORDS);
        assert_eq!(all[0].raw_path, "/2");
        assert_eq!(all.last().unwrap().status, 502);
        assert!(all.last().unwrap().client_aborted);
        assert!(!all[0].client_aborted);
        assert_eq!(log.total(), MAX_RECORDS as u64 + 2);
        assert_eq!(all[0].header("Authorization"), Some("Bearer k"));
    }
}
