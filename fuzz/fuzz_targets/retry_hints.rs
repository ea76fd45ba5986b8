//! Retry hints: `retry-after-ms`, `Retry-After` (delta-seconds or an HTTP date) and
//! `x-should-retry`, as any bytes a server can put in a header value. Never panics; agrees with
//! a plain reading of the simple forms; the retry decision never waits longer than allowed.
#![no_main]

use std::time::{Duration, SystemTime};

use blooio_core::{MAX_RETRY_AFTER, fuzzing};
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

/// The longest backoff without a hint (the core's policy: 0.5 s doubling up to 8 s).
const MAX_BACKOFF: Duration = Duration::from_secs(8);

fuzz_target!(|data: &[u8]| {
    // Three header values separated by 0xFF (a byte no header value may hold), then a status
    // and a retry count from the last bytes.
    let mut parts = data.split(|b| *b == 0xFF);
    let ms = parts.next().unwrap_or_default();
    let after = parts.next().unwrap_or_default();
    let should = parts.next().unwrap_or_default();
    let tail = parts.next().unwrap_or_default();
    let status = match tail {
        [a, b, ..] => u16::from_be_bytes([*a, *b]) % 1000,
        _ => 503,
    };
    let retries = tail.get(2).copied().unwrap_or(0) as u32;

    // A fixed "now" so that the HTTP-date form is reproducible.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    if let Ok(v) = std::str::from_utf8(after) {
        let parsed = fuzzing::parse_retry_after(v, now);
        if !v.is_empty() && v.len() <= 9 && v.bytes().all(|b| b.is_ascii_digit()) {
            assert_eq!(parsed, Some(Duration::from_secs(v.parse().unwrap())), "{v:?}");
        }
        if let Some(wait) = parsed
            && v.parse::<f64>().is_ok()
        {
            assert!(wait <= Duration::from_secs(1_000_000_000), "{v:?}: {wait:?}");
        }
    }
    if let Ok(v) = std::str::from_utf8(ms) {
        let parsed = fuzzing::parse_retry_after_ms(v);
        if !v.is_empty() && v.len() <= 12 && v.bytes().all(|b| b.is_ascii_digit()) {
            // Read through an f64, so exact to well under a microsecond at this size.
            let exact = Duration::from_millis(v.parse().unwrap());
            let got = parsed.expect("a whole number of milliseconds");
            assert!(got.abs_diff(exact) < Duration::from_micros(1), "{v:?}: {got:?}");
        }
        if let Some(wait) = parsed {
            assert!(wait <= Duration::from_secs(1_000_000_000), "{v:?}: {wait:?}");
        }
    }

    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("retry-after-ms", ms),
        ("retry-after", after),
        ("x-should-retry", should),
    ] {
        if let Ok(v) = HeaderValue::from_bytes(value) {
            headers.insert(name, v);
        }
    }
    let (should_retry, retry_after) = fuzzing::retry_hints(&headers);
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    match text("x-should-retry") {
        Some(v) if v.eq_ignore_ascii_case("true") => assert_eq!(should_retry, Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => assert_eq!(should_retry, Some(false)),
        _ => assert_eq!(should_retry, None),
    }
    if let Some(ms) = text("retry-after-ms").and_then(fuzzing::parse_retry_after_ms) {
        assert_eq!(retry_after, Some(ms), "retry-after-ms comes first");
    }
    if retry_after.is_some() {
        assert!(headers.contains_key("retry-after-ms") || headers.contains_key("retry-after"));
    }

    match fuzzing::retry_decision(status, should_retry, retry_after, retries) {
        Some(wait) => {
            let limit = if retry_after.is_some() {
                MAX_RETRY_AFTER
            } else {
                MAX_BACKOFF
            };
            assert!(wait <= limit, "status {status}: waits {wait:?}");
            if let Some(asked) = retry_after {
                assert_eq!(wait, asked, "status {status}: the server's wait is used as given");
            }
            if should_retry == Some(false) {
                panic!("status {status}: retried against x-should-retry: false");
            }
        }
        None => {
            let transient =
                matches!(status, 408 | 409 | 429 | 500..=599) && (status != 503 || retry_after.is_some());
            if should_retry == Some(true) || (should_retry.is_none() && transient) {
                assert!(
                    retry_after.is_some_and(|w| w > MAX_RETRY_AFTER),
                    "status {status}: gave up without a reason ({should_retry:?}, {retry_after:?})"
                );
            }
        }
    }
});
