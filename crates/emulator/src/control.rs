//! The control API under `/__emulator/`, for tests that run the emulator out of process.
//! Never authenticated, recorded, delayed or faulted.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::fault::{Fault, check_status};
use crate::reply::Reply;
use crate::server::{self, ConnCtx};
use crate::state::{Shared, lock};

fn invalid(message: impl Into<String>) -> Response {
    Reply::error(&ApiError::bad_request("invalid_control_request", message)).into_response(Duration::ZERO)
}

fn ok() -> Response {
    Json(json!({"ok": true})).into_response()
}

/// `POST /__emulator/script`: one fault object or an array of them, appended to the queue.
pub(crate) async fn script(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let faults: Result<Vec<Fault>, serde_json::Error> = match serde_json::from_slice(&body) {
        Ok(Value::Array(items)) => items.into_iter().map(serde_json::from_value).collect(),
        Ok(item) => serde_json::from_value(item).map(|f| vec![f]),
        Err(err) => Err(err),
    };
    let faults = match faults {
        Ok(faults) => faults,
        Err(err) => return invalid(format!("not a fault or an array of faults: {err}")),
    };
    let mut queue = lock(&shared.faults);
    for fault in faults {
        queue.push(fault);
    }
    Json(json!({"queued": queue.len()})).into_response()
}

/// `GET /__emulator/requests`
pub(crate) async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.requests()).into_response()
}

/// `DELETE /__emulator/requests`
pub(crate) async fn clear_requests(State(shared): State<Arc<Shared>>) -> Response {
    shared.clear_requests();
    ok()
}

/// `POST /__emulator/reset`
pub(crate) async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.reset();
    ok()
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FailEvery {
    n: u32,
    status: u16,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigChange {
    latency_ms: Option<u64>,
    no_active_number: Option<bool>,
    /// Absent: unchanged; `null`: cleared.
    #[serde(default, deserialize_with = "present")]
    fail_every: Option<Option<FailEvery>>,
    /// Hold API requests until this many have arrived (see hold.rs); `null` or 0: no hold.
    #[serde(default, deserialize_with = "present")]
    hold_until: Option<Option<u32>>,
}

/// Tells a field given as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

fn current_config(shared: &Shared) -> Response {
    let settings = shared.settings();
    let fail_every = lock(&shared.faults)
        .fail_every()
        .map(|(n, status)| FailEvery { n, status });
    Json(json!({
        "latency_ms": u64::try_from(settings.latency.as_millis()).unwrap_or(u64::MAX),
        "no_active_number": settings.no_active_number,
        "fail_every": fail_every,
        "hold_until": shared.hold.until(),
    }))
    .into_response()
}

/// `GET /__emulator/config`
pub(crate) async fn config(State(shared): State<Arc<Shared>>) -> Response {
    current_config(&shared)
}

/// `POST /__emulator/config`: `{"latency_ms", "no_active_number", "fail_every": {"n","status"} | null}`,
/// all optional. Answers the resulting configuration.
pub(crate) async fn set_config(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let change: ConfigChange = match serde_json::from_slice(&body) {
        Ok(change) => change,
        Err(err) => return invalid(format!("bad configuration: {err}")),
    };
    if let Some(Some(rule)) = change.fail_every {
        if rule.n == 0 {
            return invalid("fail_every.n must be at least 1");
        }
        if let Err(why) = check_status(rule.status) {
            return invalid(format!("fail_every.status: {why}"));
        }
    }
    shared.update_settings(|settings| {
        if let Some(ms) = change.latency_ms {
            settings.latency = Duration::from_millis(ms);
        }
        if let Some(on) = change.no_active_number {
            settings.no_active_number = on;
        }
    });
    if let Some(until) = change.hold_until {
        shared.hold.set(until);
    }
    if let Some(rule) = change.fail_every {
        lock(&shared.faults).set_fail_every(rule.map(|r| (r.n, r.status)));
    }
    current_config(&shared)
}

/// `POST /__emulator/drop-connections`: closes every other open connection.
pub(crate) async fn drop_connections(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let own = req.extensions().get::<ConnCtx>().map(|c| c.id);
    let dropped = server::drop_connections(&shared, own).await;
    Json(json!({"dropped": dropped})).into_response()
}

/// `GET /__emulator/stats`
pub(crate) async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({
        "connections_accepted": shared.connections_accepted.load(Ordering::Relaxed),
        "tls_connections": shared.tls_connections.load(Ordering::Relaxed),
        "requests": shared.request_total(),
        "open_connections": lock(&shared.connections).len(),
        "queued_faults": lock(&shared.faults).len(),
    }))
    .into_response()
}
