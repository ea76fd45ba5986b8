//! An API answer held whole in memory, so it can be sent normally, slowly, or by hand on a
//! taken-over connection (truncated, or followed by a close).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use serde::Serialize;
use tokio::time::Sleep;

use crate::error::ApiError;
use crate::server::{Ending, RawResponse};
use crate::watch::AbortWatch;

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Reply {
        let body = serde_json::to_vec(value).expect("response bodies always serialise");
        Reply::new(status, body.into()).header(CONTENT_TYPE, JSON)
    }

    pub(crate) fn error(err: &ApiError) -> Reply {
        let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Reply::new(status, err.to_json().into()).header(CONTENT_TYPE, JSON)
    }

    /// A fault's scripted answer. Headers were validated when the fault was queued; any
    /// that still do not parse are skipped.
    pub(crate) fn scripted(status: u16, headers: &[(String, String)], body: Option<&str>) -> Reply {
        let mut reply = match body {
            Some(body) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
                Reply::new(status, Bytes::copy_from_slice(body.as_bytes())).header(CONTENT_TYPE, JSON)
            }
            None => Reply::error(&ApiError::for_status(status)),
        };
        let mut replaced = Vec::new();
        for (name, value) in headers {
            let (Ok(name), Ok(value)) = (
                HeaderName::try_from(name.as_str()),
                HeaderValue::try_from(value.as_str()),
            ) else {
                continue;
            };
            if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
                continue;
            }
            // The first scripted value of a name replaces ours; later ones add to it.
            if !replaced.contains(&name) {
                reply.headers.remove(&name);
                replaced.push(name.clone());
            }
            reply.headers.append(name, value);
        }
        reply
    }

    fn new(status: StatusCode, body: Bytes) -> Reply {
        Reply {
            status,
            headers: HeaderMap::new(),
            body,
        }
    }

    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Reply {
        self.headers.insert(name, value);
        self
    }

    /// Adds `x-request-id` unless a scripted header already set one.
    pub(crate) fn with_request_id(mut self, id: &str) -> Reply {
        if !self.headers.contains_key(REQUEST_ID)
            && let Ok(value) = HeaderValue::try_from(id)
        {
            self.headers.insert(REQUEST_ID, value);
        }
        self
    }

    /// A normal hyper response; with a `body_delay` the head goes out first and the body
    /// (of announced length) after the delay.
    pub(crate) fn into_response(self, body_delay: Duration) -> Response {
        self.into_watched_response(body_delay, None)
    }

    /// As [`Reply::into_response`]; a delayed body holds `watch` until it has gone out, so a
    /// client that leaves during the delay is recorded as having aborted.
    pub(crate) fn into_watched_response(self, body_delay: Duration, watch: Option<AbortWatch>) -> Response {
        let body = if body_delay.is_zero() {
            if let Some(mut watch) = watch {
                watch.disarm();
            }
            Body::from(self.body)
        } else {
            Body::new(DelayedBody {
                delay: Box::pin(tokio::time::sleep(body_delay)),
                data: Some(self.body),
                watch,
            })
        };
        let mut response = Response::new(body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }

    /// The response as bytes for a taken-over connection. `truncate` sends only half the
    /// body while announcing all of it.
    pub(crate) fn into_raw(self, body_delay: Duration, truncate: bool, ending: Ending) -> RawResponse {
        let announced = if truncate {
            self.body.len().max(1)
        } else {
            self.body.len()
        };
        let sent = if truncate {
            self.body.len() / 2
        } else {
            self.body.len()
        };
        let mut head = format!(
            "HTTP/1.1 {} {}\r\n",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or("Unknown")
        )
        .into_bytes();
        for (name, value) in &self.headers {
            head.extend_from_slice(name.as_str().as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(format!("content-length: {announced}\r\n\r\n").as_bytes());
        RawResponse {
            head,
            body: self.body.slice(..sent),
            body_delay,
            ending,
        }
    }
}

/// A body that waits before yielding its one chunk, with its exact length known up front
/// so hyper sends `Content-Length` and flushes the head while waiting.
struct DelayedBody {
    delay: Pin<Box<Sleep>>,
    data: Option<Bytes>,
    watch: Option<AbortWatch>,
}

impl http_body::Body for DelayedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        ready!(self.delay.as_mut().poll(cx));
        if let Some(watch) = self.watch.as_mut() {
            watch.disarm();
        }
        Poll::Ready(self.data.take().map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_headers_replace_ours_and_length_is_ours() {
        let reply = Reply::scripted(
            503,
            &[
                ("Content-Type".into(), "text/html".into()),
                ("Retry-After".into(), "2".into()),
                ("Content-Length".into(), "999".into()),
            ],
            Some("<html>busy</html>"),
        );
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.headers[CONTENT_TYPE], "text/html");
        assert_eq!(reply.headers["retry-after"], "2");
        assert!(!reply.headers.contains_key(CONTENT_LENGTH));
    }

    #[test]
    fn raw_truncated_announces_more_than_it_sends() {
        let raw = Reply::error(&ApiError::for_status(502))
            .with_request_id("req_1")
            .into_raw(Duration::ZERO, true, Ending::Reset);
        let head = String::from_utf8(raw.head).unwrap();
        assert!(head.starts_with("HTTP/1.1 502 Bad Gateway\r\n"), "{head}");
        assert!(head.contains("x-request-id: req_1\r\n"));
        let announced: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert!(raw.body.len() < announced);
    }
}
