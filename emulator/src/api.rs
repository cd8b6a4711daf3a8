//! The QuickSight side: routes for the three operations, plus the pipeline every call goes through
//! (request id, SigV4 caller, fault injection, recording, logging).

use crate::error::{ServiceError, json_response};
use crate::fault::Fault;
use crate::jobs::JobKey;
use crate::journal::RecordedRequest;
use crate::operation::Operation;
use crate::request::{check_job_path, parse_start};
use crate::state::{Caller, Shared};
use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header, request::Parts};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Largest request body read; the real service's limits are far below this.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Marks a response that must not be sent: the server closes the connection instead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResetConnection;

type Outcome = Result<(StatusCode, Value), ServiceError>;

/// `Shared::describe` or `Shared::result`.
type ReadJob = fn(&Shared, &Caller, &JobKey, &str) -> Result<Value, ServiceError>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/accounts/{account}/dashboards/{dashboard}/snapshot-jobs", post(start))
        .route(
            "/accounts/{account}/dashboards/{dashboard}/snapshot-jobs/{job}",
            read_route(Operation::DescribeDashboardSnapshotJob, Shared::describe),
        )
        .route(
            "/accounts/{account}/dashboards/{dashboard}/snapshot-jobs/{job}/result",
            read_route(Operation::DescribeDashboardSnapshotJobResult, Shared::result),
        )
}

async fn start(
    State(shared): State<Arc<Shared>>,
    Path((account, dashboard)): Path<(String, String)>,
    request: Request,
) -> Response {
    let operation = Operation::StartDashboardSnapshotJob;
    serve(&shared, Some(operation), request, |shared, caller, body, request_id| {
        let caller = signed(caller)?;
        let start = parse_start(&account, &dashboard, body).map_err(ServiceError::invalid_parameter)?;
        let (arn, job_id) = shared.start(caller, &account, &dashboard, start)?;
        Ok((
            StatusCode::ACCEPTED,
            json!({"Arn": arn, "SnapshotJobId": job_id, "RequestId": request_id}),
        ))
    })
    .await
}

/// The GET route of one of the two reads of a job.
fn read_route(operation: Operation, read: ReadJob) -> MethodRouter<Arc<Shared>> {
    get(move |state, path, request| read_job(state, path, request, operation, read))
}

/// The two reads of one job (DescribeDashboardSnapshotJob and its Result): a signed caller, a valid
/// path, then `read` of the job it names.
async fn read_job(
    State(shared): State<Arc<Shared>>,
    Path((account, dashboard, job)): Path<(String, String, String)>,
    request: Request,
    operation: Operation,
    read: ReadJob,
) -> Response {
    serve(
        &shared,
        Some(operation),
        request,
        |shared, caller, _body, request_id| {
            let caller = signed(caller)?;
            check_job_path(&account, &dashboard, &job).map_err(ServiceError::invalid_parameter)?;
            let key = JobKey {
                account,
                dashboard,
                job_id: job,
            };
            Ok((StatusCode::OK, read(shared, caller, &key, request_id)?))
        },
    )
    .await
}

/// Any other path or method outside `/_emulator/`: recorded, then answered as the service would.
pub(crate) async fn unknown(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    serve(&shared, None, request, |_, _, _, _| {
        Err(ServiceError::unknown_operation(
            "The requested operation is not supported by the QuickSight emulator.",
        ))
    })
    .await
}

/// The caller of one of the three operations (`serve` has already refused unsigned calls to them).
fn signed(caller: Option<&Caller>) -> Result<&Caller, ServiceError> {
    caller
        .ok_or_else(|| ServiceError::access_denied("Missing or malformed SigV4 Authorization header (Credential=...)"))
}

/// The SigV4 caller: access key id and region from `Credential=AKID/date/region/service/aws4_request`.
pub(crate) fn caller(headers: &HeaderMap) -> Option<Caller> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let credential = value
        .split([',', ' '])
        .find_map(|part| part.trim().strip_prefix("Credential="))?;
    let mut scope = credential.split('/');
    let access_key_id = scope.next().filter(|s| !s.is_empty())?.to_owned();
    let region = scope.nth(1).filter(|s| !s.is_empty()).map(str::to_owned);
    Some(Caller { access_key_id, region })
}

fn header_map(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        map.entry(name.as_str().to_owned())
            .and_modify(|existing| {
                existing.push_str(", ");
                existing.push_str(&value);
            })
            .or_insert(value);
    }
    map
}

fn record_of(parts: &Parts, operation: Option<Operation>, body: &Bytes, request_id: &str) -> RecordedRequest {
    let caller = caller(&parts.headers);
    RecordedRequest {
        sequence: 0,
        request_id: request_id.to_owned(),
        operation,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: header_map(&parts.headers),
        access_key_id: caller.as_ref().map(|c| c.access_key_id.clone()),
        region: caller.and_then(|c| c.region),
        body: String::from_utf8_lossy(body).into_owned(),
        body_json: serde_json::from_slice(body).ok(),
        status: None,
        fault: None,
        received_at: 0.0,
    }
}

async fn serve<F>(shared: &Shared, operation: Option<Operation>, request: Request, run: F) -> Response
where
    F: FnOnce(&Shared, Option<&Caller>, &[u8], &str) -> Outcome,
{
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let body = match to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "could not read request body");
            Bytes::new()
        }
    };
    let mut record = record_of(&parts, operation, &body, &request_id);
    let rule = operation.and_then(|op| shared.take_fault(op));
    if let Some(rule) = &rule {
        record.fault = Some(rule.fault.kind().to_owned());
        let delay = rule.delay_ms.unwrap_or(0) + if let Fault::Delay { ms } = rule.fault { ms } else { 0 };
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
    }

    // Unknown operations are named as such even when unsigned; the three operations need a signature.
    let answer = |shared: &Shared| match (operation, caller(&parts.headers)) {
        (Some(_), None) => {
            ServiceError::access_denied("Missing or malformed SigV4 Authorization header (Credential=...)")
                .into_response(&request_id)
        }
        (_, caller) => match run(shared, caller.as_ref(), &body, &request_id) {
            Ok((status, value)) => json_response(status, &value, &request_id),
            Err(error) => error.into_response(&request_id),
        },
    };

    let response = match rule.map(|r| r.fault) {
        None | Some(Fault::Delay { .. }) => answer(shared),
        Some(Fault::Throttling { message }) => {
            ServiceError::throttling(message.unwrap_or_else(|| "Rate exceeded".to_owned())).into_response(&request_id)
        }
        Some(Fault::InternalFailure { message }) => ServiceError::internal_failure(
            message.unwrap_or_else(|| "An internal failure occurred. Try again later.".to_owned()),
        )
        .into_response(&request_id),
        Some(Fault::ServiceUnavailable { message }) => {
            ServiceError::service_unavailable(message.unwrap_or_else(|| "Service Unavailable".to_owned()))
                .into_response(&request_id)
        }
        Some(Fault::Error {
            status,
            error_type,
            message,
            resource_type,
        }) => {
            let mut error = ServiceError::new(status, &error_type, message.unwrap_or_else(|| error_type.clone()));
            error.resource_type = resource_type;
            error.into_response(&request_id)
        }
        Some(Fault::TruncatedBody) => truncate(answer(shared)).await,
        Some(Fault::NonJsonBody) => {
            let mut response = plain(
                StatusCode::OK,
                "<html><body><h1>Service temporarily unavailable</h1></body></html>",
            );
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            with_request_id(response, &request_id)
        }
        Some(Fault::EmptyBody) => with_request_id(plain(StatusCode::OK, ""), &request_id),
        Some(Fault::ConnectionReset) => {
            let mut response = plain(StatusCode::OK, "");
            response.extensions_mut().insert(ResetConnection);
            response
        }
        Some(Fault::Raw { status, headers, body }) => raw(status, &headers, body),
    };

    let reset = response.extensions().get::<ResetConnection>().is_some();
    record.status = (!reset).then(|| response.status().as_u16());
    tracing::info!(
        operation = operation.map_or("unknown", Operation::name),
        method = %record.method,
        path = %record.path,
        status = record.status,
        fault = record.fault.as_deref(),
        request_id = %request_id,
        "quicksight request"
    );
    shared.record(record);
    response
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
}

fn with_request_id(mut response: Response, request_id: &str) -> Response {
    if let Ok(value) = HeaderValue::try_from(request_id) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    response
}

fn raw(status: u16, headers: &BTreeMap<String, String>, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// Keeps status and headers, sends only the first half of the body.
async fn truncate(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    Response::from_parts(parts, Body::from(cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::AUTHORIZATION, HeaderValue::from_str(authorization).unwrap());
        map
    }

    #[test]
    fn the_caller_comes_from_the_sigv4_credential_scope() {
        let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-2/quicksight/aws4_request, \
                    SignedHeaders=host;x-amz-date, Signature=abc";
        assert_eq!(
            caller(&headers(auth)),
            Some(Caller {
                access_key_id: "AKIDEXAMPLE".into(),
                region: Some("eu-west-2".into())
            })
        );
        assert_eq!(
            caller(&headers("AWS4-HMAC-SHA256 Credential=AKID")).unwrap().region,
            None
        );
        assert_eq!(caller(&headers("Bearer token")), None);
        assert_eq!(caller(&HeaderMap::new()), None);
    }

    #[test]
    fn repeated_headers_are_joined() {
        let mut map = HeaderMap::new();
        map.append("x-a", HeaderValue::from_static("1"));
        map.append("x-a", HeaderValue::from_static("2"));
        assert_eq!(
            header_map(&map),
            BTreeMap::from([("x-a".to_owned(), "1, 2".to_owned())])
        );
    }
}
