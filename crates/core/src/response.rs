//! What the API answers: the background's metadata on success, a JSON (or HTML) error otherwise.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// The largest success body we read; anything bigger is not a background and is a decode error.
pub const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;
/// The largest error body we keep.
pub(crate) const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// A chat's background, as the API describes it. Every field is optional: `None` means the
/// server did not send it, or sent `null` (the API gives both the same meaning). `changed` is
/// only sent in answer to a set. Unknown fields are ignored. Equality and hashing compare what
/// the API described, not the request id or attempts of the call that fetched it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatBackground {
    /// The normalised chat id (phone number, email or group id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<String>,
    /// Whether the chat has a background.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_background: Option<bool>,
    /// The current background's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_id: Option<String>,
    /// A public URL of the stored image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_url: Option<String>,
    /// The background's version, for cache invalidation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_version: Option<i64>,
    /// Whether this set changed the background (absent on get).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed: Option<bool>,
    /// The response's `x-request-id`, for support requests. Not part of [`to_json`](Self::to_json).
    #[serde(skip)]
    pub request_id: Option<String>,
    /// How many attempts the call took (1 unless it was retried); 0 for a background decoded
    /// outside a call. Not part of [`to_json`](Self::to_json).
    #[serde(skip)]
    pub attempts: u32,
}

impl ChatBackground {
    /// The fields the API sent: what equality and hashing compare.
    #[allow(clippy::type_complexity)]
    fn described(
        &self,
    ) -> (
        &Option<String>,
        Option<bool>,
        &Option<String>,
        &Option<String>,
        Option<i64>,
        Option<bool>,
    ) {
        (
            &self.chat_id,
            self.has_background,
            &self.background_id,
            &self.background_url,
            self.background_version,
            self.changed,
        )
    }

    /// Parses a success body. Anything but a JSON object of the documented shape is a decode
    /// error that quotes the start of the body.
    pub fn from_json(body: &[u8]) -> Result<ChatBackground, Error> {
        // serde would also accept a JSON array for a struct (`[]` as all-defaults): refuse it.
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "the response is not a JSON object; it starts with: {}",
                    snippet(body)
                ),
            ));
        }
        // JSON is UTF-8 text; serde skips an unknown field's string without checking it, so a
        // body with a bad byte there would pass (found by fuzz/success_body).
        let text = std::str::from_utf8(body).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!(
                    "the response is not JSON: it is not UTF-8 (a bad byte at offset {}); it starts with: {}",
                    e.valid_up_to(),
                    snippet(body)
                ),
            )
            .with_source(e)
        })?;
        serde_json::from_str::<ChatBackground>(text).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!(
                    "the response is not a chat background ({e}); it starts with: {}",
                    snippet(body)
                ),
            )
            .with_source(e)
        })
    }

    /// The fields that are present, as a compact JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

impl PartialEq for ChatBackground {
    fn eq(&self, other: &Self) -> bool {
        self.described() == other.described()
    }
}

impl Eq for ChatBackground {}

impl std::hash::Hash for ChatBackground {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.described().hash(state);
    }
}

/// What we could read from an error body: the server's message and code.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ServerError {
    pub message: Option<String>,
    pub code: Option<String>,
}

impl ServerError {
    /// Reads `{"error": ..., "message": ..., "code": ...}`; `error` may also be an object with
    /// its own `message`/`code`. Bodies that are not JSON (a proxy's HTML page) give a snippet.
    pub(crate) fn parse(body: &[u8]) -> ServerError {
        use serde_json::Value;
        let text = |v: Option<&Value>| match v? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => {
                let nested = map.get("error").and_then(Value::as_object);
                let message = text(map.get("message"))
                    .or_else(|| nested.and_then(|e| text(e.get("message"))))
                    .or_else(|| text(map.get("error")))
                    .or_else(|| text(map.get("detail")));
                let code = text(map.get("code")).or_else(|| nested.and_then(|e| text(e.get("code"))));
                ServerError { message, code }
            }
            _ if body.iter().all(u8::is_ascii_whitespace) => ServerError::default(),
            _ => ServerError {
                message: Some(format!("non-JSON body: {}", snippet(body))),
                code: None,
            },
        }
    }
}

/// At most 120 characters of a body, on one line, for error messages. Control characters
/// become spaces and characters that would print as a `\u{..}` escape (unassigned or
/// invisible code points) become U+FFFD, so the quoted snippet stays about 120 columns wide.
pub(crate) fn snippet(body: &[u8]) -> String {
    if body.is_empty() {
        return "(an empty body)".to_owned();
    }
    let printable = |c: char| matches!(c, '"' | '\\' | '\'') || c.escape_debug().count() == 1;
    let text = String::from_utf8_lossy(&body[..body.len().min(480)]);
    let one_line: String = text
        .chars()
        .map(|c| match c {
            c if c.is_control() => ' ',
            c if printable(c) => c,
            _ => char::REPLACEMENT_CHARACTER,
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut out: String = one_line.chars().take(120).collect();
    if out.len() < one_line.len() || body.len() > 480 {
        out.push('…');
    }
    format!("{out:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_all_fields_and_ignores_unknown_ones() {
        let bg = ChatBackground::from_json(
            br#"{"chat_id":"+15551234567","has_background":true,"background_id":"bg_1",
                "background_url":"https://x/y.png","background_version":3,"changed":false,
                "extra":{"nested":[1,2]}}"#,
        )
        .unwrap();
        assert_eq!(bg.chat_id.as_deref(), Some("+15551234567"));
        assert_eq!(bg.has_background, Some(true));
        assert_eq!(bg.background_id.as_deref(), Some("bg_1"));
        assert_eq!(bg.background_version, Some(3));
        assert_eq!(bg.changed, Some(false));
    }

    #[test]
    fn absent_and_null_stay_none_and_false_stays_false() {
        let bg = ChatBackground::from_json(br#"{"has_background":false,"background_id":null}"#).unwrap();
        assert_eq!(bg.has_background, Some(false));
        assert_eq!((bg.background_id, bg.changed, bg.chat_id), (None, None, None));
        assert_eq!(
            ChatBackground::from_json(b"{}").unwrap(),
            ChatBackground::default()
        );
    }

    #[test]
    fn refuses_non_objects_with_a_snippet() {
        for body in [
            &b"<html>Bad gateway</html>"[..],
            b"",
            b"[1]",
            b"{\"chat_id\": 5}",
            b"{\"chat_id\":\"x\"",
        ] {
            let err = ChatBackground::from_json(body).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Decode, "{body:?}");
            assert!(err.to_string().contains("starts with"), "{err}");
        }
    }

    #[test]
    fn refuses_invalid_utf8_even_in_a_field_it_ignores() {
        let body = b"{\"chat^id\":\"+155512\xb2\xff\xff\xff7\",\"has_background\":true}";
        let err = ChatBackground::from_json(body).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(
            err.to_string().contains("not UTF-8 (a bad byte at offset 19)"),
            "{err}"
        );
        assert!(err.to_string().contains("starts with"), "{err}");
    }

    #[test]
    fn to_json_round_trips_present_fields() {
        let bg = ChatBackground {
            has_background: Some(false),
            background_version: Some(0),
            ..Default::default()
        };
        assert_eq!(bg.to_json(), r#"{"has_background":false,"background_version":0}"#);
        assert_eq!(ChatBackground::from_json(bg.to_json().as_bytes()).unwrap(), bg);
    }

    #[test]
    fn reads_server_errors_in_their_usual_shapes() {
        let e = ServerError::parse(
            br#"{"error":"unauthorized","message":"Invalid API key","status":401,"code":"AUTH_INVALID"}"#,
        );
        assert_eq!(
            e,
            ServerError {
                message: Some("Invalid API key".into()),
                code: Some("AUTH_INVALID".into())
            }
        );
        let e = ServerError::parse(br#"{"error":{"message":"nope","code":42}}"#);
        assert_eq!(
            e,
            ServerError {
                message: Some("nope".into()),
                code: Some("42".into())
            }
        );
        let e = ServerError::parse(br#"{"error":"device offline"}"#);
        assert_eq!(e.message.as_deref(), Some("device offline"));
        let e = ServerError::parse(b"<html><body><h1>502 Bad Gateway</h1></body></html>");
        assert!(e.message.unwrap().contains("502 Bad Gateway"));
        assert_eq!(ServerError::parse(b"  "), ServerError::default());
    }

    #[test]
    fn snippets_are_short_and_single_line() {
        let long = vec![b'a'; 10_000];
        let s = snippet(&long);
        assert!(s.chars().count() < 130 && s.contains('…'));
        assert_eq!(snippet(b"a\r\nb"), "\"a b\"");
    }

    /// Found by the error_body fuzz target: unassigned code points (here U+8D490) printed as
    /// `\u{8d490}` escapes made a 120-character snippet about 800 characters long.
    #[test]
    fn snippets_replace_what_would_print_as_an_escape() {
        let body = "\u{8d490}".repeat(200);
        let s = snippet(body.as_bytes());
        assert!(!s.contains("\\u{"), "{s}");
        assert_eq!(s.chars().count(), 120 + 3, "{s}");
        assert!(s.contains('\u{fffd}'));
        // Quotes and backslashes stay themselves, escaped once by the quoting.
        assert_eq!(snippet(br#"a"b\c'd"#), r#""a\"b\\c'd""#);
    }
}
