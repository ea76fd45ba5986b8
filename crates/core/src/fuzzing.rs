//! The internals that the coverage-guided fuzz targets under `fuzz/` drive, behind the opt-in
//! `fuzzing` feature. Not an API: nothing here is stable, and nothing outside `fuzz/` (and the
//! tests that replay its findings) should use it.
//!
//! Each function is a thin wrapper over the code a real call runs, so a finding here is a
//! finding in the library, not in a copy of it.

use std::io::Read;
use std::time::{Duration, SystemTime};

use crate::error::Error;
use crate::image::{CheckedImage, Image, ImageFormat, SNIFF_LEN};
use crate::response::{ServerError, snippet};
use crate::retry::{self, Decision, RetryHints};

pub use crate::image::SNIFF_LEN as IMAGE_SNIFF_LEN;

/// The largest error body the client keeps.
pub const MAX_ERROR_BODY_BYTES: u64 = crate::response::MAX_ERROR_BODY_BYTES;

/// `Ok(segment)` exactly when a call with this chat id would be sent, with the path segment
/// it would use.
pub fn chat_id_to_path_segment(chat_id: &str) -> Result<String, Error> {
    crate::chat_id::to_path_segment(chat_id)
}

/// What an upload of these bytes is judged to be (`Image::Bytes`: the whole buffer is sniffed).
pub fn check_image_bytes(bytes: &[u8]) -> Result<ImageFormat, Error> {
    CheckedImage::check(Image::Bytes(bytes)).map(|c| c.format)
}

/// What an upload of a file with this content is judged to be (`Image::Path` reads only the
/// first [`SNIFF_LEN`] bytes), without touching the file system.
pub fn check_image_file_content(content: &[u8]) -> Result<ImageFormat, Error> {
    let head = &content[..content.len().min(SNIFF_LEN)];
    crate::image::check_content(head, content.len() as u64, None)
}

/// The multipart body an upload of `bytes` sends, read to the end: `(content type, declared
/// length, body)`. `filename` stands for the file name of an `Image::Path` upload (`None`: the
/// name a bytes upload gets). `boundary` is what the client would generate; see [`boundary`].
pub fn multipart_body(
    bytes: &[u8],
    filename: Option<&str>,
    boundary: &str,
) -> Result<(String, u64, Vec<u8>), Error> {
    let mut checked = CheckedImage::check(Image::Bytes(bytes))?;
    if let Some(name) = filename {
        checked.filename = name.to_owned();
    }
    let (content_type, len, mut reader) = checked.multipart_body(boundary)?;
    let mut body = Vec::new();
    reader
        .read_to_end(&mut body)
        .expect("reading an in-memory body cannot fail");
    Ok((content_type, len, body))
}

/// A boundary of the shape the client generates (`blooio-` and 32 lowercase hex digits) from
/// 128 chosen bits. Mirrors `image::new_boundary`, which draws the bits at random.
pub fn boundary(hi: u64, lo: u64) -> String {
    format!("blooio-{hi:016x}{lo:016x}")
}

/// A boundary as the client really draws one, to hold [`boundary`] to its shape.
pub fn random_boundary() -> String {
    crate::image::new_boundary()
}

/// `x-should-retry` and the wait (`retry-after-ms`, else `Retry-After`) read from headers.
pub fn retry_hints(headers: &ureq::http::HeaderMap) -> (Option<bool>, Option<Duration>) {
    let h = RetryHints::from_headers(headers);
    (h.should_retry, h.retry_after)
}

/// `retry-after-ms`'s value as the client reads it.
pub fn parse_retry_after_ms(value: &str) -> Option<Duration> {
    retry::parse_millis(value)
}

/// `Retry-After`'s value (seconds or an HTTP date) as the client reads it at `now`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    retry::parse_retry_after(value, now)
}

/// The retry decision for an error status: `Some(wait)` to retry, `None` to give up.
pub fn retry_decision(
    status: u16,
    should_retry: Option<bool>,
    retry_after: Option<Duration>,
    retries_done: u32,
) -> Option<Duration> {
    let hints = RetryHints {
        should_retry,
        retry_after,
    };
    match retry::after_status(status, &hints, retries_done) {
        Decision::RetryAfter(wait) => Some(wait),
        Decision::GiveUp => None,
    }
}

/// The server's message and code read from an error body.
pub fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let e = ServerError::parse(body);
    (e.message, e.code)
}

/// The short, one-line quote of a body that error messages carry.
pub fn body_snippet(body: &[u8]) -> String {
    snippet(body)
}
