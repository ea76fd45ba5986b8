//! When to retry and how long to wait: the public SDKs' policy, with Blooio's own correction
//! that a 503 (no active number) is retried only when the server says when.

use std::time::{Duration, SystemTime};

/// The longest `Retry-After` we wait for; a longer one ends the call with the error.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
const INITIAL_DELAY: Duration = Duration::from_millis(500);
const MAX_DELAY: Duration = Duration::from_secs(8);

/// The headers of a failed response that bear on retrying.
#[derive(Debug, Default, Clone)]
pub(crate) struct RetryHints {
    /// `x-should-retry: true|false`, when present.
    pub should_retry: Option<bool>,
    /// From `retry-after-ms`, else `Retry-After` (seconds or an HTTP date).
    pub retry_after: Option<Duration>,
}

impl RetryHints {
    pub(crate) fn from_headers(headers: &ureq::http::HeaderMap) -> RetryHints {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let should_retry = match get("x-should-retry") {
            Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        };
        let retry_after = get("retry-after-ms")
            .and_then(parse_millis)
            .or_else(|| get("retry-after").and_then(|v| parse_retry_after(v, SystemTime::now())));
        RetryHints {
            should_retry,
            retry_after,
        }
    }
}

/// What to do after a failed HTTP response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    RetryAfter(Duration),
    GiveUp,
}

/// Decides on an error status. `retries_done` counts the retries already made.
pub(crate) fn after_status(status: u16, hints: &RetryHints, retries_done: u32) -> Decision {
    let by_status = match status {
        408 | 409 | 429 => true,
        503 => hints.retry_after.is_some(),
        500..=599 => true,
        _ => false,
    };
    if !hints.should_retry.unwrap_or(by_status) {
        return Decision::GiveUp;
    }
    match hints.retry_after {
        Some(wait) if wait <= MAX_RETRY_AFTER => Decision::RetryAfter(wait),
        Some(_) => Decision::GiveUp,
        None => Decision::RetryAfter(backoff(retries_done, jitter())),
    }
}

/// Exponential backoff: 0.5 s × 2^n, at most 8 s, scaled by `jitter` in (0.75, 1].
pub(crate) fn backoff(retries_done: u32, jitter: f64) -> Duration {
    let exp = INITIAL_DELAY.saturating_mul(1u32 << retries_done.min(16));
    exp.min(MAX_DELAY).mul_f64(jitter)
}

/// A factor in (0.75, 1].
pub(crate) fn jitter() -> f64 {
    let r = crate::random::random_u64();
    let unit = (r >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
    1.0 - 0.25 * unit
}

pub(crate) fn parse_millis(v: &str) -> Option<Duration> {
    let ms: f64 = v.parse().ok()?;
    (ms.is_finite() && ms >= 0.0).then(|| Duration::from_secs_f64(ms.min(1e12) / 1000.0))
}

/// `Retry-After` as delta-seconds (fractions tolerated) or an HTTP date relative to `now`.
pub(crate) fn parse_retry_after(v: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(should_retry: Option<bool>, retry_after: Option<Duration>) -> RetryHints {
        RetryHints {
            should_retry,
            retry_after,
        }
    }

    #[test]
    fn backoff_doubles_from_half_a_second_up_to_eight() {
        let ms = |n| backoff(n, 1.0).as_millis();
        assert_eq!(
            [ms(0), ms(1), ms(2), ms(3), ms(4), ms(5), ms(40)],
            [500, 1000, 2000, 4000, 8000, 8000, 8000]
        );
        assert_eq!(backoff(0, 0.75).as_millis(), 375);
    }

    #[test]
    fn jitter_stays_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!(j > 0.75 && j <= 1.0, "{j}");
        }
    }

    #[test]
    fn retries_the_transient_statuses_only() {
        let none = hints(None, None);
        for s in [408, 409, 429, 500, 502, 504, 599] {
            assert!(
                matches!(after_status(s, &none, 0), Decision::RetryAfter(_)),
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 413, 415, 422, 503] {
            assert_eq!(after_status(s, &none, 0), Decision::GiveUp, "{s}");
        }
    }

    #[test]
    fn retries_503_only_when_told_when() {
        let told = hints(None, Some(Duration::from_secs(2)));
        assert_eq!(
            after_status(503, &told, 0),
            Decision::RetryAfter(Duration::from_secs(2))
        );
    }

    #[test]
    fn x_should_retry_overrides_the_status() {
        assert!(matches!(
            after_status(400, &hints(Some(true), None), 0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(after_status(502, &hints(Some(false), None), 0), Decision::GiveUp);
    }

    #[test]
    fn retry_after_is_honoured_up_to_sixty_seconds() {
        let at = |s| hints(None, Some(Duration::from_secs(s)));
        assert_eq!(
            after_status(429, &at(60), 0),
            Decision::RetryAfter(Duration::from_secs(60))
        );
        assert_eq!(after_status(429, &at(0), 0), Decision::RetryAfter(Duration::ZERO));
        assert_eq!(after_status(429, &at(61), 0), Decision::GiveUp);
    }

    #[test]
    fn parses_every_retry_after_form() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("1.5", now), Some(Duration::from_millis(1500)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_millis("250"), Some(Duration::from_millis(250)));
        assert_eq!(parse_millis("NaN"), None);
    }

    #[test]
    fn headers_prefer_retry_after_ms() {
        let mut h = ureq::http::HeaderMap::new();
        h.insert("retry-after", "5".parse().unwrap());
        h.insert("retry-after-ms", "120".parse().unwrap());
        h.insert("x-should-retry", "FALSE".parse().unwrap());
        let hints = RetryHints::from_headers(&h);
        assert_eq!(hints.retry_after, Some(Duration::from_millis(120)));
        assert_eq!(hints.should_retry, Some(false));
    }
}
