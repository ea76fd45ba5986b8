//! The API's JSON error bodies: `{"error", "message", "status", "code"}`.

use serde::Serialize;

/// One error answer. `kind` is the snake_case `error` field; `code` is its upper-case form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub kind: String,
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    message: &'a str,
    status: u16,
    code: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, kind: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind: kind.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(kind: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(400, kind, message)
    }

    /// The error the API answers for `status` when nothing more specific applies
    /// (also the default body of a scripted fault).
    pub(crate) fn for_status(status: u16) -> ApiError {
        let (kind, message) = match status {
            400 => ("bad_request", "Invalid request parameters"),
            401 => ("unauthorized", "Authentication required or invalid"),
            403 => ("forbidden", "Forbidden"),
            404 => ("not_found", "Not found"),
            405 => ("method_not_allowed", "Method not allowed"),
            408 => ("request_timeout", "Request timeout"),
            409 => ("conflict", "Conflict"),
            413 => ("payload_too_large", "Request body too large"),
            429 => ("rate_limited", "Too many requests"),
            500 => ("internal_error", "Internal server error"),
            502 => ("device_error", "Temporary communication error with device"),
            503 => ("no_active_number", "No active number available"),
            504 => ("gateway_timeout", "Gateway timeout"),
            _ => ("http_error", "Error"),
        };
        ApiError::new(status, kind, message)
    }

    pub(crate) fn code(&self) -> String {
        self.kind.to_ascii_uppercase()
    }

    pub(crate) fn to_json(&self) -> Vec<u8> {
        let body = Body {
            error: &self.kind,
            message: &self.message,
            status: self.status,
            code: self.code(),
        };
        serde_json::to_vec(&body).expect("an error body always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;

    #[test]
    fn json_shape() {
        let err = ApiError::bad_request("invalid_chat_id", "chat id is empty");
        let value: serde_json::Value = serde_json::from_slice(&err.to_json()).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "error": "invalid_chat_id",
                "message": "chat id is empty",
                "status": 400,
                "code": "INVALID_CHAT_ID"
            })
        );
    }

    #[test]
    fn standard_errors() {
        assert_eq!(ApiError::for_status(503).kind, "no_active_number");
        assert_eq!(ApiError::for_status(502).code(), "DEVICE_ERROR");
        assert_eq!(ApiError::for_status(418).status, 418);
    }
}
