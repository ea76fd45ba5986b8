//! The API itself: `GET` and `PUT` on `/v2/api/chats/{chatId}/background`, with recording,
//! latency and scripted faults around the normal handling.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde::Serialize;

use crate::app::RequestId;
use crate::chat_id;
use crate::error::ApiError;
use crate::fault::FaultAction;
use crate::image;
use crate::record::RecordedRequest;
use crate::reply::Reply;
use crate::server::{ConnCtx, Ending, RawResponse};
use crate::state::{Shared, lock};
use crate::store::Background;
use crate::upload::{self, Received};
use crate::watch::AbortWatch;

const API_PREFIX: &str = "/v2/api";

/// Where a request is aimed.
enum Target {
    /// Not under `/v2/api`.
    Outside,
    /// Under `/v2/api` but not an endpoint.
    OtherApi,
    /// The chat background path, with the chat id parsed from its raw segment.
    Chat(Result<String, String>),
}

impl Target {
    fn of(path: &str) -> Target {
        let Some(rest) = path.strip_prefix(API_PREFIX) else {
            return Target::Outside;
        };
        if !(rest.is_empty() || rest.starts_with('/')) {
            return Target::Outside;
        }
        match rest
            .strip_prefix("/chats/")
            .and_then(|r| r.strip_suffix("/background"))
        {
            Some(segment) if !segment.contains('/') => Target::Chat(chat_id::parse(segment)),
            _ => Target::OtherApi,
        }
    }
}

/// The fallback handler: every request that is not a control or media request.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/__emulator") || path.starts_with("/media/") {
        let err = ApiError::new(404, "not_found", format!("no such endpoint: {path}"));
        return Reply::error(&err).into_response(Duration::ZERO);
    }

    let started = Instant::now();
    let at_ms = shared.elapsed_ms();
    let conn = req.extensions().get::<ConnCtx>().cloned();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map_or_else(|| shared.new_request_id(), |id| id.0.clone());
    let method = req.method().clone();
    let uri = req.uri().clone();
    let headers = req.headers().clone();
    let target = Target::of(uri.path());

    let draft = RecordedRequest {
        method: method.to_string(),
        raw_path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        chat_id: match &target {
            Target::Chat(Ok(id)) => Some(id.clone()),
            _ => None,
        },
        headers: headers
            .iter()
            .map(|(k, v)| {
                let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (k.as_str().to_owned(), value)
            })
            .collect(),
        content_type: headers
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        body_len: 0,
        parts: Vec::new(),
        status: 0,
        at_ms,
        request_id: request_id.clone(),
        connection_id: conn.as_ref().map_or(0, |c| c.id),
        client_aborted: false,
    };
    let counted = Arc::new(AtomicU64::new(0));
    let taken_over = conn
        .as_ref()
        .map(|c| Arc::clone(&c.taken_over))
        .unwrap_or_default();
    let mut watch = AbortWatch::new(
        Arc::clone(&shared),
        draft.clone(),
        Arc::clone(&counted),
        taken_over,
    );

    let received = upload::receive(req, counted).await;
    let pending = shared.record(
        RecordedRequest {
            body_len: received.body_len,
            parts: received.parts.iter().map(|p| p.record()).collect(),
            client_aborted: received.broke_off,
            ..draft
        },
        started,
    );
    watch.logged(pending.seq);

    let is_endpoint = matches!(target, Target::Chat(_)) && (method == Method::GET || method == Method::PUT);
    let fault = if is_endpoint {
        lock(&shared.faults).next()
    } else {
        None
    }
    .unwrap_or_default();

    if is_endpoint && let Err((arrived, until)) = shared.hold.pass().await {
        let body = serde_json::json!({"error": "held", "message": format!(
            "hold_until: this request waited for {until} requests at once, but only {arrived} came"
        )});
        let reply = Reply::scripted(500, &[], Some(&body.to_string())).with_request_id(&request_id);
        shared.answered(pending, 500);
        watch.disarm();
        return reply.into_response(Duration::ZERO);
    }
    let wait = shared.settings().latency + fault.delay;
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    if fault.action == FaultAction::ResetBeforeResponse {
        shared.answered(pending, 0);
        watch.disarm();
        return take_over(conn, RawResponse::reset()).await;
    }

    let reply = match fault.status {
        Some(status) => Reply::scripted(status, &fault.headers, fault.body.as_deref()),
        None => answer(&shared, &method, &headers, &target, &received),
    }
    .with_request_id(&request_id);
    shared.answered(pending, reply.status.as_u16());

    match fault.action {
        FaultAction::ResetMidBody => {
            watch.disarm();
            take_over(conn, reply.into_raw(fault.body_delay, true, Ending::Reset)).await
        }
        FaultAction::CloseAfterResponse => {
            watch.disarm();
            take_over(conn, reply.into_raw(fault.body_delay, false, Ending::Close)).await
        }
        // Handshake actions never reach a request: they sit in a queue of their own.
        FaultAction::None
        | FaultAction::ResetBeforeResponse
        | FaultAction::TlsExpiredCert
        | FaultAction::TlsWrongNameCert
        | FaultAction::TlsCaAsLeaf
        | FaultAction::TlsResetDuringHandshake => reply.into_watched_response(fault.body_delay, Some(watch)),
    }
}

/// Hands the connection to its task to finish by hand.
async fn take_over(conn: Option<ConnCtx>, raw: RawResponse) -> Response {
    match conn {
        Some(conn) => conn.take_over(raw).await,
        None => {
            let err = ApiError::new(500, "internal_error", "connection cannot be taken over");
            Reply::error(&err).into_response(Duration::ZERO)
        }
    }
}

/// The normal answer, in the API's order: authentication first.
fn answer(
    shared: &Shared,
    method: &Method,
    headers: &HeaderMap,
    target: &Target,
    received: &Received,
) -> Reply {
    if matches!(target, Target::Outside) {
        return not_found();
    }
    if let Err(err) = authorize(shared.api_keys(), headers) {
        return Reply::error(&err).header(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    let Target::Chat(chat_id) = target else {
        return not_found();
    };
    if method != Method::GET && method != Method::PUT {
        let err = ApiError::new(
            405,
            "method_not_allowed",
            format!("{method} is not allowed here; use GET or PUT"),
        );
        return Reply::error(&err).header(ALLOW, HeaderValue::from_static("GET, PUT"));
    }
    if shared.settings().no_active_number {
        return Reply::error(&ApiError::for_status(503));
    }
    let chat_id = match chat_id {
        Ok(id) => id,
        Err(why) => return Reply::error(&ApiError::bad_request("invalid_chat_id", why.clone())),
    };
    if method == Method::GET {
        let store = lock(&shared.store);
        return Reply::json(StatusCode::OK, &view(shared, chat_id, store.get(chat_id), None));
    }
    match upload::validate(received) {
        Err(err) => Reply::error(&err),
        Ok((mime, bytes)) => {
            let (background, changed) =
                lock(&shared.store).set(chat_id, mime, bytes, || shared.new_background_id());
            Reply::json(
                StatusCode::OK,
                &view(shared, chat_id, Some(&background), Some(changed)),
            )
        }
    }
}

fn not_found() -> Reply {
    Reply::error(&ApiError::new(
        404,
        "not_found",
        "no such endpoint: this emulator serves GET and PUT /v2/api/chats/{chatId}/background",
    ))
}

fn authorize(keys: &[String], headers: &HeaderMap) -> Result<(), ApiError> {
    let unauthorized = |message: &str| ApiError::new(401, "unauthorized", message);
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => {
            return Err(unauthorized(
                "missing Authorization header: send 'Authorization: Bearer <api_key>'",
            ));
        }
        (Some(_), Some(_)) => return Err(unauthorized("more than one Authorization header")),
        (Some(value), None) => value,
    };
    let key = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key)
        .ok_or_else(|| unauthorized("the Authorization header must be 'Bearer <api_key>'"))?;
    if keys.iter().any(|k| k == key) {
        Ok(())
    } else {
        Err(unauthorized("invalid API key"))
    }
}

/// The chat background fields; `changed` only on PUT.
#[derive(Serialize)]
struct BackgroundView<'a> {
    chat_id: &'a str,
    has_background: bool,
    background_id: Option<&'a str>,
    background_url: Option<String>,
    background_version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changed: Option<bool>,
}

fn view<'a>(
    shared: &Shared,
    chat_id: &'a str,
    background: Option<&'a Background>,
    changed: Option<bool>,
) -> BackgroundView<'a> {
    BackgroundView {
        chat_id,
        has_background: background.is_some(),
        background_id: background.map(|b| b.id.as_str()),
        background_url: background.map(|b| {
            format!(
                "{}/media/backgrounds/{}.{}",
                shared.origin(),
                b.id,
                image::extension(b.mime)
            )
        }),
        background_version: background.map(|b| b.version),
        changed,
    }
}
