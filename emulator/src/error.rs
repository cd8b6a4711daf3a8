//! QuickSight error responses: `x-amzn-errortype` header plus a `{Message, RequestId}` JSON body.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

/// The suffix the service appends to the error name in `x-amzn-errortype`; both SDKs drop it.
const ERROR_TYPE_NAMESPACE: &str = ":http://internal.amazon.com/coral/com.amazonaws.quicksight/";

/// The `ResourceType` sent with errors about snapshot jobs. The service model's enum has no value for
/// snapshot jobs, so the SDKs read this as an unknown (non-exhaustive) value.
pub(crate) const SNAPSHOT_JOB_RESOURCE: &str = "DASHBOARD_SNAPSHOT_JOB";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceError {
    pub status: u16,
    pub error_type: String,
    pub message: String,
    pub resource_type: Option<String>,
}

impl ServiceError {
    pub(crate) fn new(status: u16, error_type: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            error_type: error_type.to_owned(),
            message: message.into(),
            resource_type: None,
        }
    }

    fn with_resource(mut self) -> Self {
        self.resource_type = Some(SNAPSHOT_JOB_RESOURCE.to_owned());
        self
    }

    pub(crate) fn access_denied(message: impl Into<String>) -> Self {
        Self::new(401, "AccessDeniedException", message)
    }

    pub(crate) fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameterValueException", message)
    }

    pub(crate) fn precondition_not_met(message: impl Into<String>) -> Self {
        Self::new(400, "PreconditionNotMetException", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "ResourceNotFoundException", message).with_resource()
    }

    pub(crate) fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new(409, "LimitExceededException", message).with_resource()
    }

    pub(crate) fn resource_exists(message: impl Into<String>) -> Self {
        Self::new(409, "ResourceExistsException", message).with_resource()
    }

    pub(crate) fn throttling(message: impl Into<String>) -> Self {
        Self::new(429, "ThrottlingException", message)
    }

    pub(crate) fn internal_failure(message: impl Into<String>) -> Self {
        Self::new(500, "InternalFailureException", message)
    }

    pub(crate) fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "ServiceUnavailable", message)
    }

    pub(crate) fn unknown_operation(message: impl Into<String>) -> Self {
        Self::new(404, "UnknownOperationException", message)
    }

    pub(crate) fn body(&self, request_id: &str) -> Value {
        let mut body = Map::new();
        body.insert("Message".into(), json!(self.message));
        body.insert("RequestId".into(), json!(request_id));
        if let Some(resource_type) = &self.resource_type {
            body.insert("ResourceType".into(), json!(resource_type));
        }
        Value::Object(body)
    }

    pub(crate) fn into_response(self, request_id: &str) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = json_response(status, &self.body(request_id), request_id);
        let error_type = format!("{}{ERROR_TYPE_NAMESPACE}", self.error_type);
        if let Ok(value) = HeaderValue::try_from(error_type) {
            response.headers_mut().insert("x-amzn-errortype", value);
        }
        response
    }
}

/// A JSON response carrying the request id header, as every QuickSight answer does.
pub(crate) fn json_response(status: StatusCode, body: &Value, request_id: &str) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::try_from(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_carries_resource_type_and_the_coral_error_name() {
        let response = ServiceError::not_found("gone").into_response("req-1");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            response.headers()["x-amzn-errortype"],
            "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.quicksight/"
        );
        assert_eq!(response.headers()["x-amzn-requestid"], "req-1");
        assert_eq!(response.headers()["content-type"], "application/json");
        assert_eq!(
            ServiceError::not_found("gone").body("req-1"),
            json!({"Message": "gone", "RequestId": "req-1", "ResourceType": "DASHBOARD_SNAPSHOT_JOB"})
        );
    }

    #[test]
    fn throttling_has_only_message_and_request_id() {
        assert_eq!(
            ServiceError::throttling("Rate exceeded").body("r"),
            json!({"Message": "Rate exceeded", "RequestId": "r"})
        );
        assert_eq!(ServiceError::throttling("x").status, 429);
    }
}
