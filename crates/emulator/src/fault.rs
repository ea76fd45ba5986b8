//! Scripted misbehaviour: faults queued by tests and the standing `fail_every` rule.

use std::collections::VecDeque;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

/// One scripted answer for the next API request(s), in place of (or before) normal handling.
///
/// Build with the constructors and chain the builders:
/// `Fault::status(502).header("Retry-After", "1").repeat(2)`; a fault that only acts on the
/// connection is `Fault::from(action)`. The rarer combinations set the public fields with
/// struct update syntax: `Fault { body_delay: d, ..Fault::passthrough() }`,
/// `Fault { action: FaultAction::ResetMidBody, ..Fault::status(502) }`.
///
/// Its JSON form (`POST /__emulator/script`) is documented once, in the crate README's
/// "Control API" section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FaultJson", into = "FaultJson")]
pub struct Fault {
    /// Answer this status instead of handling the request; `None` handles it normally.
    pub status: Option<u16>,
    /// Extra response headers (`Retry-After`, `Content-Type: text/html`, …). With no
    /// Content-Type here, a scripted body is sent as `application/json`.
    /// `Content-Length` and `Transfer-Encoding` are ignored: the emulator sets the length.
    pub headers: Vec<(String, String)>,
    /// The body of a scripted status; default: the API's standard JSON error for it.
    pub body: Option<String>,
    /// Wait this long before sending anything (slow headers).
    pub delay: Duration,
    /// Send status and headers (with Content-Length), then wait this long before the body.
    pub body_delay: Duration,
    pub action: FaultAction,
    /// How many consecutive API requests this fault answers (0 counts as 1).
    pub repeat: u32,
}

/// What happens to the connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer normally.
    #[default]
    None,
    /// Close the connection with a TCP RST without sending a single response byte.
    ResetBeforeResponse,
    /// Send the status line and headers with a Content-Length larger than what follows,
    /// part of the body, then reset the connection.
    ResetMidBody,
    /// Send the whole response, then close the connection (FIN) without having said
    /// `Connection: close`, as a server dropping a keep-alive connection does.
    CloseAfterResponse,
    /// HTTPS only, taken by the next TLS handshake rather than by a request: serve a leaf
    /// certificate that expired in 2002 (signed by the emulator's CA).
    TlsExpiredCert,
    /// HTTPS only, per handshake: serve a leaf valid only for another host name.
    TlsWrongNameCert,
    /// HTTPS only, per handshake: serve a CA certificate (basic constraints `cA`) as the leaf.
    TlsCaAsLeaf,
    /// HTTPS only, per handshake: read the client's hello, then reset the connection (RST).
    TlsResetDuringHandshake,
}

impl FaultAction {
    /// Whether this action applies to a TLS handshake rather than to an API request.
    pub fn is_handshake(self) -> bool {
        matches!(
            self,
            Self::TlsExpiredCert | Self::TlsWrongNameCert | Self::TlsCaAsLeaf | Self::TlsResetDuringHandshake
        )
    }
}

impl Default for Fault {
    fn default() -> Fault {
        Fault::passthrough()
    }
}

/// A fault that handles the request normally and then does `action` to the connection.
impl From<FaultAction> for Fault {
    fn from(action: FaultAction) -> Fault {
        Fault {
            action,
            ..Fault::passthrough()
        }
    }
}

impl Fault {
    /// Answer `code` (200..=599) with the standard JSON error body for it.
    pub fn status(code: u16) -> Fault {
        Fault {
            status: Some(code),
            ..Fault::passthrough()
        }
    }

    /// Handle the request normally; combine with [`Fault::delay`] or a `body_delay`.
    pub fn passthrough() -> Fault {
        Fault {
            status: None,
            headers: Vec::new(),
            body: None,
            delay: Duration::ZERO,
            body_delay: Duration::ZERO,
            action: FaultAction::None,
            repeat: 1,
        }
    }

    pub fn reset_before_response() -> Fault {
        Fault::from(FaultAction::ResetBeforeResponse)
    }

    /// Truncate the normal answer (or a scripted status: set its `action`).
    pub fn reset_mid_body() -> Fault {
        Fault::from(FaultAction::ResetMidBody)
    }

    pub fn close_after_response() -> Fault {
        Fault::from(FaultAction::CloseAfterResponse)
    }

    pub fn header(mut self, name: &str, value: &str) -> Fault {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: &str) -> Fault {
        self.body = Some(body.to_owned());
        self
    }

    pub fn delay(mut self, d: Duration) -> Fault {
        self.delay = d;
        self
    }

    pub fn repeat(mut self, n: u32) -> Fault {
        self.repeat = n;
        self
    }

    /// Checks what the type cannot: a usable status and well-formed headers.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(status) = self.status {
            check_status(status)?;
        }
        for (name, value) in &self.headers {
            HeaderName::try_from(name.as_str())
                .map_err(|_| format!("fault header name {name:?} is not a valid HTTP header name"))?;
            HeaderValue::try_from(value.as_str()).map_err(|_| {
                format!("fault header {name:?} has a value that is not a valid HTTP header value")
            })?;
        }
        Ok(())
    }
}

/// Scripted and rule-based statuses must be final, non-informational answers.
pub(crate) fn check_status(status: u16) -> Result<(), String> {
    if (200..=599).contains(&status) {
        Ok(())
    } else {
        Err(format!("status {status} is not in 200..=599"))
    }
}

/// The JSON form of a [`Fault`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, with = "header_list")]
    headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(default)]
    delay_ms: u64,
    #[serde(default)]
    body_delay_ms: u64,
    #[serde(default)]
    action: FaultAction,
    #[serde(default = "one")]
    repeat: u32,
}

fn one() -> u32 {
    1
}

impl TryFrom<FaultJson> for Fault {
    type Error = String;

    fn try_from(json: FaultJson) -> Result<Fault, String> {
        let fault = Fault {
            status: json.status,
            headers: json.headers,
            body: json.body,
            delay: Duration::from_millis(json.delay_ms),
            body_delay: Duration::from_millis(json.body_delay_ms),
            action: json.action,
            repeat: json.repeat,
        };
        fault.validate()?;
        Ok(fault)
    }
}

impl From<Fault> for FaultJson {
    fn from(fault: Fault) -> FaultJson {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        FaultJson {
            status: fault.status,
            headers: fault.headers,
            body: fault.body,
            delay_ms: ms(fault.delay),
            body_delay_ms: ms(fault.body_delay),
            action: fault.action,
            repeat: fault.repeat,
        }
    }
}

/// Headers as a JSON object of names to values, keeping their order (serde_json's own map
/// would sort them).
mod header_list {
    use std::fmt;

    use serde::de::{MapAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        headers: &[(String, String)],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(headers.iter().map(|(k, v)| (k, v)))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<(String, String)>, D::Error> {
        deserializer.deserialize_map(HeaderListVisitor)
    }

    struct HeaderListVisitor;

    impl<'de> Visitor<'de> for HeaderListVisitor {
        type Value = Vec<(String, String)>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(r#"an object of header names to values, such as {"Retry-After": "1"}"#)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(pair) = map.next_entry()? {
                out.push(pair);
            }
            Ok(out)
        }
    }
}

/// The queue of scripted faults plus the `fail_every` rule, consulted once per API request.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Fault>,
    /// Faults with a `tls_*` action, taken by TLS handshakes in order.
    handshakes: VecDeque<Fault>,
    fail_every: Option<(u32, u16)>,
    /// API requests seen since the rule was set.
    seen: u64,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.action.is_handshake() {
            self.handshakes.push_back(fault);
        } else {
            self.queue.push_back(fault);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len() + self.handshakes.len()
    }

    /// The fault for the next TLS handshake, if any.
    pub(crate) fn next_handshake(&mut self) -> Option<FaultAction> {
        take(&mut self.handshakes).map(|f| f.action)
    }

    pub(crate) fn fail_every(&self) -> Option<(u32, u16)> {
        self.fail_every
    }

    /// Sets (or clears) the rule and restarts its count.
    pub(crate) fn set_fail_every(&mut self, rule: Option<(u32, u16)>) {
        self.fail_every = rule;
        self.seen = 0;
    }

    pub(crate) fn clear(&mut self) {
        *self = FaultQueue::default();
    }

    /// The fault for the next API request, if any: the queue's head first, then the rule.
    pub(crate) fn next(&mut self) -> Option<Fault> {
        self.seen += 1;
        if let Some(fault) = take(&mut self.queue) {
            return Some(fault);
        }
        match self.fail_every {
            Some((n, status)) if n > 0 && self.seen % u64::from(n) == 0 => Some(Fault::status(status)),
            _ => None,
        }
    }
}

/// The head of a queue, honouring its `repeat`.
fn take(queue: &mut VecDeque<Fault>) -> Option<Fault> {
    let front = queue.front_mut()?;
    if front.repeat > 1 {
        front.repeat -= 1;
        return Some(Fault {
            repeat: 1,
            ..front.clone()
        });
    }
    queue.pop_front()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_header_order() {
        let json = r#"{"status":502,"headers":{"Retry-After":"1","x-should-retry":"true"},
            "body":"oops","delay_ms":5,"body_delay_ms":7,"action":"reset_mid_body","repeat":2}"#;
        let fault: Fault = serde_json::from_str(json).unwrap();
        assert_eq!(
            fault,
            Fault {
                body_delay: Duration::from_millis(7),
                action: FaultAction::ResetMidBody,
                ..Fault::status(502)
                    .header("Retry-After", "1")
                    .header("x-should-retry", "true")
                    .body("oops")
                    .delay(Duration::from_millis(5))
                    .repeat(2)
            }
        );
        let again: Fault = serde_json::from_value(serde_json::to_value(&fault).unwrap()).unwrap();
        assert_eq!(again, fault);
    }

    #[test]
    fn json_defaults_and_errors() {
        let fault: Fault = serde_json::from_str("{}").unwrap();
        assert_eq!(fault, Fault::passthrough());
        let fault: Fault = serde_json::from_str(r#"{"action":"close_after_response"}"#).unwrap();
        assert_eq!(fault, Fault::close_after_response());
        let fault: Fault = serde_json::from_str(r#"{"status":429,"headers":{"Retry-After":"2"}}"#).unwrap();
        assert_eq!(fault.headers, vec![("Retry-After".into(), "2".into())]);
        // One shape only: an array of pairs is refused, saying which shape to send.
        let pairs = serde_json::from_str::<Fault>(r#"{"headers":[["Retry-After","2"]]}"#).unwrap_err();
        assert!(pairs.to_string().contains("an object of header names"), "{pairs}");
        assert!(serde_json::from_str::<Fault>(r#"{"stauts":502}"#).is_err());
        assert!(serde_json::from_str::<Fault>(r#"{"status":99}"#).is_err());
        assert!(serde_json::from_str::<Fault>(r#"{"action":"explode"}"#).is_err());
        assert!(serde_json::from_str::<Fault>(r#"{"headers":{"bad name":"x"}}"#).is_err());
    }

    #[test]
    fn queue_is_fifo_and_honours_repeat() {
        let mut q = FaultQueue::default();
        q.push(Fault::status(502).repeat(2));
        q.push(Fault::status(429));
        let statuses: Vec<_> = std::iter::from_fn(|| q.next()).map(|f| f.status).collect();
        assert_eq!(statuses, vec![Some(502), Some(502), Some(429)]);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn handshake_faults_have_their_own_queue() {
        let mut q = FaultQueue::default();
        let tls: Fault = serde_json::from_str(r#"{"action":"tls_expired_cert","repeat":2}"#).unwrap();
        q.push(tls);
        q.push(Fault::status(502));
        assert_eq!(q.len(), 2);
        assert_eq!(q.next().and_then(|f| f.status), Some(502));
        assert_eq!(q.next_handshake(), Some(FaultAction::TlsExpiredCert));
        assert_eq!(q.next_handshake(), Some(FaultAction::TlsExpiredCert));
        assert_eq!(q.next_handshake(), None);
    }

    #[test]
    fn fail_every_counts_every_request() {
        let mut q = FaultQueue::default();
        q.set_fail_every(Some((3, 502)));
        let hits: Vec<bool> = (0..7).map(|_| q.next().is_some()).collect();
        assert_eq!(hits, [false, false, true, false, false, true, false]);
    }
}
