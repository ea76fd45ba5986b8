//! Receiving a request body (recording its multipart parts as they stream by) and deciding
//! whether it is a valid background upload.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use axum::RequestExt;
use axum::body::Body;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;

use crate::error::ApiError;
use crate::image;
use crate::record::RecordedPart;

/// The largest background accepted: 10 MiB.
pub(crate) const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;
/// The largest request body read: a full-size image plus room for multipart framing.
pub(crate) const MAX_BODY_BYTES: usize = 11 * 1024 * 1024;
const FIELD: &str = "background";

/// What arrived in a request body.
#[derive(Debug, Default)]
pub(crate) struct Received {
    pub body_len: u64,
    pub parts: Vec<ReceivedPart>,
    /// Why the body cannot be an upload (not multipart, malformed, too long). Reported only
    /// for a PUT, and only after authentication.
    pub problem: Option<ApiError>,
    /// The body broke off: the connection failed before the announced body had arrived.
    pub broke_off: bool,
}

#[derive(Debug)]
pub(crate) struct ReceivedPart {
    pub name: Option<String>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub len: u64,
    /// The bytes of a `background` part, kept only while within the image limit.
    data: Option<Bytes>,
}

impl ReceivedPart {
    pub(crate) fn record(&self) -> RecordedPart {
        RecordedPart {
            name: self.name.clone().unwrap_or_default(),
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            len: self.len,
        }
    }
}

/// Reads the whole body (up to [`MAX_BODY_BYTES`]), streaming multipart parts and keeping
/// only the bytes of a `background` part; `counted` follows the bytes as they arrive.
pub(crate) async fn receive(req: Request, counted: Arc<AtomicU64>) -> Received {
    let counter = Arc::clone(&counted);
    let failed = Arc::new(AtomicBool::new(false));
    let failure = Arc::clone(&failed);
    let req = req.map(|body| {
        // Errors of the body as it comes off the connection (not the size limit, which wraps
        // this body later) mean the connection failed mid-body.
        let body = body
            .map_frame(move |frame| {
                if let Some(data) = frame.data_ref() {
                    counter.fetch_add(data.len() as u64, Ordering::Relaxed);
                }
                frame
            })
            .map_err(move |err| {
                failure.store(true, Ordering::Relaxed);
                err
            });
        Body::new(body)
    });
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());

    let (parts, problem) = if is_form_data(content_type.as_deref()) {
        read_multipart(req).await
    } else {
        let problem = match drain(req).await {
            Err(err) => err,
            Ok(()) => not_form_data(content_type.as_deref()),
        };
        (Vec::new(), Some(problem))
    };

    let body_len = counted.load(Ordering::Relaxed);
    let problem = problem.map(|problem| {
        if body_len > MAX_BODY_BYTES as u64 {
            ApiError::new(
                413,
                "payload_too_large",
                format!("request body is larger than {MAX_BODY_BYTES} bytes"),
            )
        } else {
            problem
        }
    });
    Received {
        body_len,
        parts,
        problem,
        broke_off: failed.load(Ordering::Relaxed),
    }
}

fn is_form_data(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
    })
}

fn not_form_data(content_type: Option<&str>) -> ApiError {
    let got = content_type.map_or_else(|| "none".to_owned(), |ct| format!("'{ct}'"));
    ApiError::bad_request(
        "invalid_content_type",
        format!("the request body must be multipart/form-data; got Content-Type {got}"),
    )
}

async fn drain(req: Request) -> Result<(), ApiError> {
    let mut body = req.into_limited_body();
    while let Some(frame) = body.frame().await {
        frame.map_err(|err| {
            ApiError::bad_request("invalid_body", format!("could not read the request body: {err}"))
        })?;
    }
    Ok(())
}

async fn read_multipart(req: Request) -> (Vec<ReceivedPart>, Option<ApiError>) {
    let Ok(mut multipart) = Multipart::from_request(req, &()).await else {
        let problem = ApiError::bad_request(
            "invalid_content_type",
            "multipart/form-data needs a boundary parameter",
        );
        return (Vec::new(), Some(problem));
    };
    let mut parts = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return (parts, None),
            Err(err) => return (parts, Some(malformed(&err))),
        };
        let mut part = ReceivedPart {
            name: field.name().map(str::to_owned),
            filename: field.file_name().map(str::to_owned),
            content_type: field.content_type().map(str::to_owned),
            len: 0,
            data: None,
        };
        let keep = part.name.as_deref() == Some(FIELD);
        let mut chunks = Vec::new();
        let outcome = loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    part.len += chunk.len() as u64;
                    if keep && part.len <= MAX_IMAGE_BYTES {
                        chunks.push(chunk);
                    } else {
                        chunks.clear();
                    }
                }
                Ok(None) => break Ok(()),
                Err(err) => break Err(malformed(&err)),
            }
        };
        if keep && part.len <= MAX_IMAGE_BYTES {
            part.data = Some(concat(chunks));
        }
        parts.push(part);
        if let Err(problem) = outcome {
            return (parts, Some(problem));
        }
    }
}

fn malformed(err: &MultipartError) -> ApiError {
    ApiError::bad_request(
        "invalid_multipart",
        format!("malformed multipart body: {}", err.body_text()),
    )
}

fn concat(chunks: Vec<Bytes>) -> Bytes {
    if let [single] = chunks.as_slice() {
        return single.clone();
    }
    let mut all = BytesMut::with_capacity(chunks.iter().map(Bytes::len).sum());
    for chunk in chunks {
        all.extend_from_slice(&chunk);
    }
    all.freeze()
}

/// Checks a received body against the reference page: one file part named `background`,
/// with an `image/*` type, 1 byte to 10 MiB, of a supported format by magic number.
pub(crate) fn validate(received: &Received) -> Result<(&'static str, Bytes), ApiError> {
    if let Some(problem) = &received.problem {
        return Err(problem.clone());
    }
    if let Some(other) = received.parts.iter().find(|p| p.name.as_deref() != Some(FIELD)) {
        let name = other.name.as_deref().unwrap_or("");
        return Err(ApiError::bad_request(
            "unexpected_field",
            format!("unexpected form field '{name}': send the image as a single file part named '{FIELD}'"),
        ));
    }
    let part = match received.parts.as_slice() {
        [] => {
            return Err(ApiError::bad_request(
                "missing_background",
                format!("no '{FIELD}' part: send the image as a file part named '{FIELD}'"),
            ));
        }
        [part] => part,
        many => {
            return Err(ApiError::bad_request(
                "multiple_backgrounds",
                format!("send exactly one '{FIELD}' part; got {}", many.len()),
            ));
        }
    };
    if part.filename.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::bad_request(
            "missing_background",
            format!(
                "the '{FIELD}' part has no filename: the background must be sent as a file part \
                 with a filename (Content-Disposition: form-data; name=\"{FIELD}\"; filename=\"…\")"
            ),
        ));
    }
    let is_image = part.content_type.as_deref().is_some_and(|ct| {
        let essence = ct.split(';').next().unwrap_or("").trim();
        essence.len() > "image/".len()
            && essence
                .get(.."image/".len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("image/"))
    });
    if !is_image {
        let got = part
            .content_type
            .as_deref()
            .map_or_else(|| "none".to_owned(), |ct| format!("'{ct}'"));
        return Err(ApiError::bad_request(
            "invalid_image_content_type",
            format!("the '{FIELD}' part's Content-Type must be image/* (e.g. image/jpeg); got {got}"),
        ));
    }
    if part.len == 0 {
        return Err(ApiError::bad_request(
            "empty_file",
            "the background image is empty",
        ));
    }
    let Some(bytes) = part.data.clone().filter(|_| part.len <= MAX_IMAGE_BYTES) else {
        return Err(ApiError::bad_request(
            "file_too_large",
            format!(
                "the background image is {} bytes; the limit is {MAX_IMAGE_BYTES} bytes (10 MiB)",
                part.len
            ),
        ));
    };
    let mime = image::sniff(&bytes).ok_or_else(|| {
        ApiError::bad_request(
            "unsupported_image_type",
            "the background is not a supported image (JPEG, PNG, GIF, WebP, HEIC/HEIF), \
             judged by its leading bytes",
        )
    })?;
    Ok((mime, bytes))
}
