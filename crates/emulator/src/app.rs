//! The router: control API, media, and the API as the fallback.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::error::ApiError;
use crate::reply::{REQUEST_ID, Reply};
use crate::state::Shared;
use crate::{api, control, media, upload};

/// This request's `x-request-id`, put in its extensions by [`request_id`].
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub String);

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/__emulator/script", post(control::script))
        .route(
            "/__emulator/requests",
            get(control::requests).delete(control::clear_requests),
        )
        .route("/__emulator/reset", post(control::reset))
        .route(
            "/__emulator/config",
            get(control::config).post(control::set_config),
        )
        .route("/__emulator/drop-connections", post(control::drop_connections))
        .route("/__emulator/stats", get(control::stats))
        .route("/media/backgrounds/{file}", get(media::serve))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(api::handle)
        .layer(DefaultBodyLimit::max(upload::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), request_id))
        .with_state(shared)
}

/// Gives every request an id and every response an `x-request-id` header.
async fn request_id(State(shared): State<Arc<Shared>>, mut req: Request, next: Next) -> Response {
    let id = shared.new_request_id();
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(req).await;
    if !response.headers().contains_key(REQUEST_ID)
        && let Ok(value) = HeaderValue::try_from(id)
    {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

async fn method_not_allowed(req: Request) -> Response {
    let err = ApiError::new(
        405,
        "method_not_allowed",
        format!("{} is not allowed on {}", req.method(), req.uri().path()),
    );
    Reply::error(&err).into_response(std::time::Duration::ZERO)
}
