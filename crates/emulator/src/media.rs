//! `GET /media/backgrounds/<background_id>.<ext>`: the stored image bytes, no auth needed.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::image;
use crate::reply::Reply;
use crate::state::{Shared, lock};

pub(crate) async fn serve(State(shared): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let found = file.rsplit_once('.').and_then(|(id, ext)| {
        let store = lock(&shared.store);
        let background = store.media(id)?;
        (image::extension(background.mime) == ext).then(|| (background.mime, background.bytes.clone()))
    });
    match found {
        Some((mime, bytes)) => (
            StatusCode::OK,
            [(CONTENT_TYPE, HeaderValue::from_static(mime))],
            bytes,
        )
            .into_response(),
        None => {
            let err = ApiError::new(404, "not_found", format!("no background media '{file}'"));
            Reply::error(&err).into_response(Duration::ZERO)
        }
    }
}
