//! A loopback stand-in for the AWS Lambda Runtime API (version 2018-06-01).
//!
//! Only the routes `lambda_runtime` 1.5 calls are served:
//!
//! | method | path | what happens here |
//! |---|---|---|
//! | GET | `/2018-06-01/runtime/invocation/next` | long-poll: waits for a queued event, hands it out with the `Lambda-Runtime-*` headers |
//! | POST | `/2018-06-01/runtime/invocation/{id}/response` | completes invocation `{id}` with the JSON body |
//! | POST | `/2018-06-01/runtime/invocation/{id}/error` | completes invocation `{id}` with `{"errorType","errorMessage"}` |
//! | POST | `/2018-06-01/runtime/init/error` | records an initialisation failure |
//!
//! Events are queued with [`RuntimeApi::submit`]; the caller then awaits the [`Completed`] report.

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// The path prefix of every Runtime API route.
pub const API_PREFIX: &str = "/2018-06-01/runtime";
/// Header carrying the request id of the event handed out by `/next`.
pub const HEADER_REQUEST_ID: &str = "Lambda-Runtime-Aws-Request-Id";
/// Header carrying the invocation deadline, in milliseconds since the Unix epoch.
pub const HEADER_DEADLINE_MS: &str = "Lambda-Runtime-Deadline-Ms";
/// Header carrying the ARN of the invoked function.
pub const HEADER_FUNCTION_ARN: &str = "Lambda-Runtime-Invoked-Function-Arn";
/// Header carrying the X-Ray trace id.
pub const HEADER_TRACE_ID: &str = "Lambda-Runtime-Trace-Id";
/// Header a runtime sends with `/error` and `/init/error`.
pub const HEADER_FUNCTION_ERROR_TYPE: &str = "Lambda-Runtime-Function-Error-Type";

/// Lambda accepts synchronous response payloads up to 6 MB; allow a little more so the
/// harness reports an oversized payload instead of failing the runtime's request.
const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Static settings of one Runtime API instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiSettings {
    /// Sent as `Lambda-Runtime-Invoked-Function-Arn`.
    pub function_arn: String,
}

impl ApiSettings {
    /// Settings for a function called `function_name` in `region` of a placeholder account.
    pub fn for_function(function_name: &str, region: &str) -> Self {
        Self {
            function_arn: format!("arn:aws:lambda:{region}:000000000000:function:{function_name}"),
        }
    }
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self::for_function("quicksight-snapshot-result", "us-east-1")
    }
}

/// The `{"errorType","errorMessage"}` document a runtime posts to `/error` and `/init/error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// `errorType`; the name Step Functions Retry/Catch rules match on.
    #[serde(default)]
    pub error_type: String,
    /// `errorMessage`.
    #[serde(default)]
    pub error_message: String,
}

/// How the runtime finished one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion {
    /// Posted to `/invocation/{id}/response`. A body that is not JSON arrives as a JSON string.
    Response(Value),
    /// Posted to `/invocation/{id}/error`.
    Error {
        /// The body's `errorType`.
        error_type: String,
        /// The body's `errorMessage`.
        error_message: String,
        /// The `Lambda-Runtime-Function-Error-Type` request header, if sent.
        function_error_type: Option<String>,
    },
}

/// A finished invocation as seen by the Runtime API.
#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    /// The request id the event was handed out with.
    pub request_id: String,
    /// What the runtime posted.
    pub completion: Completion,
    /// From the moment `/next` handed the event out to the moment the result arrived.
    pub duration: Duration,
}

/// An event waiting in the queue or being processed; await [`Submitted::completed`] for the outcome.
#[derive(Debug)]
pub struct Submitted {
    /// The id the event will be handed out with.
    pub request_id: String,
    receiver: oneshot::Receiver<Completed>,
}

impl Submitted {
    /// Waits for the runtime to post the response or error. `None` if the Runtime API was shut down
    /// first.
    pub async fn completed(self) -> Option<Completed> {
        self.receiver.await.ok()
    }
}

struct Queued {
    request_id: String,
    trace_id: String,
    event: Bytes,
    timeout: Duration,
    reply: oneshot::Sender<Completed>,
}

struct InFlight {
    handed_out: Instant,
    reply: oneshot::Sender<Completed>,
}

struct Shared {
    settings: ApiSettings,
    queue_tx: mpsc::UnboundedSender<Queued>,
    queue_rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>,
    in_flight: Mutex<HashMap<String, InFlight>>,
    first_poll: OnceLock<Instant>,
    polls: AtomicU64,
    counter: AtomicU64,
    init_error: watch::Sender<Option<Diagnostic>>,
    shutdown: watch::Sender<bool>,
}

impl Shared {
    fn in_flight(&self) -> MutexGuard<'_, HashMap<String, InFlight>> {
        // A poisoned lock only means another handler panicked mid-insert; the map is still usable.
        self.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A running Runtime API on `127.0.0.1:<ephemeral port>`. Dropping it stops the server.
pub struct RuntimeApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl std::fmt::Debug for RuntimeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeApi")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RuntimeApi {
    /// Binds `127.0.0.1:0` and starts serving.
    pub async fn start(settings: ApiSettings) -> io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let (queue_tx, queue_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            settings,
            queue_tx,
            queue_rx: tokio::sync::Mutex::new(queue_rx),
            in_flight: Mutex::new(HashMap::new()),
            first_poll: OnceLock::new(),
            polls: AtomicU64::new(0),
            counter: AtomicU64::new(0),
            init_error: watch::Sender::new(None),
            shutdown: watch::Sender::new(false),
        });
        let mut stop = shared.shutdown.subscribe();
        let app = router(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                // Resolves on shutdown or when the sender is gone; either way the server stops.
                let _ = stop.wait_for(|stopped| *stopped).await;
            });
            if let Err(error) = serve.await {
                eprintln!("harness: Runtime API server stopped with an error: {error}");
            }
        });
        Ok(Self { addr, shared, server })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`: `host:port`, without a scheme, as Lambda sets it.
    pub fn runtime_api_value(&self) -> String {
        self.addr.to_string()
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The ARN sent as `Lambda-Runtime-Invoked-Function-Arn`.
    pub fn function_arn(&self) -> &str {
        &self.shared.settings.function_arn
    }

    /// Queues `event` for the next `GET /next`. `timeout` sets the `Lambda-Runtime-Deadline-Ms` header,
    /// counted from the moment the event is handed out.
    pub fn submit(&self, event: &Value, timeout: Duration) -> Submitted {
        let n = self.shared.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let epoch = epoch_seconds();
        let request_id = format!("{:08x}-0000-4000-8000-{:012x}", epoch & 0xffff_ffff, n);
        let trace_id = format!(
            "Root=1-{:08x}-{:024x};Parent={:016x};Sampled=0",
            epoch & 0xffff_ffff,
            n,
            n
        );
        let (reply, receiver) = oneshot::channel();
        let queued = Queued {
            request_id: request_id.clone(),
            trace_id,
            event: Bytes::from(event.to_string()),
            timeout,
            reply,
        };
        // The receiving half lives in `shared`, as long as `self`; a send cannot fail while we exist.
        // Were it to fail, `reply` is dropped and `completed()` returns None, which callers handle.
        let _ = self.shared.queue_tx.send(queued);
        Submitted { request_id, receiver }
    }

    /// When the first `GET /next` arrived, if it has.
    pub fn first_poll_at(&self) -> Option<Instant> {
        self.shared.first_poll.get().copied()
    }

    /// How many `GET /next` requests arrived so far.
    pub fn poll_count(&self) -> u64 {
        self.shared.polls.load(Ordering::Relaxed)
    }

    /// Waits until the runtime first polls `/next` (it finished its init), or `limit` passes.
    pub async fn wait_for_first_poll(&self, limit: Duration) -> Option<Instant> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(at) = self.first_poll_at() {
                return Some(at);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// The diagnostic posted to `/init/error`, if any.
    pub fn init_error(&self) -> Option<Diagnostic> {
        self.shared.init_error.borrow().clone()
    }

    /// A receiver that changes when `/init/error` is posted.
    pub fn watch_init_error(&self) -> watch::Receiver<Option<Diagnostic>> {
        self.shared.init_error.subscribe()
    }

    /// Stops accepting connections, ends pending long-polls, and abandons queued events.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.shutdown();
        self.server.abort();
    }
}

fn epoch_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn epoch_millis_after(timeout: Duration) -> u128 {
    SystemTime::now()
        .checked_add(timeout)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(&format!("{API_PREFIX}/invocation/next"), get(next_invocation))
        .route(
            &format!("{API_PREFIX}/invocation/{{id}}/response"),
            post(invocation_response),
        )
        .route(&format!("{API_PREFIX}/invocation/{{id}}/error"), post(invocation_error))
        .route(&format!("{API_PREFIX}/init/error"), post(init_error))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

fn json_reply(status: StatusCode, body: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn accepted() -> Response {
    json_reply(StatusCode::ACCEPTED, &json!({"status": "OK"}))
}

fn unknown_request_id(id: &str) -> Response {
    json_reply(
        StatusCode::BAD_REQUEST,
        &json!({"errorType": "InvalidRequestID", "errorMessage": format!("Invalid request ID: {id}")}),
    )
}

async fn next_invocation(State(shared): State<Arc<Shared>>) -> Response {
    let _ = shared.first_poll.set(Instant::now());
    shared.polls.fetch_add(1, Ordering::Relaxed);
    let mut stop = shared.shutdown.subscribe();
    let mut queue = tokio::select! {
        queue = shared.queue_rx.lock() => queue,
        _ = stop.wait_for(|stopped| *stopped) => return shutting_down(),
    };
    loop {
        // `recv` is cancel-safe: if the runtime disconnects mid-poll, no event is lost.
        let queued = tokio::select! {
            queued = queue.recv() => queued,
            _ = stop.wait_for(|stopped| *stopped) => None,
        };
        let Some(queued) = queued else {
            return shutting_down();
        };
        if queued.reply.is_closed() {
            // The caller gave up before the event was handed out: skip it, as if it had never been sent.
            continue;
        }
        return hand_out(&shared, queued);
    }
}

fn shutting_down() -> Response {
    json_reply(
        StatusCode::SERVICE_UNAVAILABLE,
        &json!({"errorType": "ServiceShuttingDown", "errorMessage": "the harness Runtime API is shutting down"}),
    )
}

fn hand_out(shared: &Shared, queued: Queued) -> Response {
    let deadline = epoch_millis_after(queued.timeout).to_string();
    let mut headers = HeaderMap::new();
    let pairs = [
        (HEADER_REQUEST_ID, queued.request_id.as_str()),
        (HEADER_DEADLINE_MS, deadline.as_str()),
        (HEADER_FUNCTION_ARN, shared.settings.function_arn.as_str()),
        (HEADER_TRACE_ID, queued.trace_id.as_str()),
    ];
    for (name, value) in pairs {
        match HeaderValue::from_str(value) {
            Ok(value) => {
                headers.insert(name, value);
            }
            Err(_) => {
                return json_reply(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &json!({"errorType": "HarnessError", "errorMessage": format!("header {name} is not ASCII")}),
                );
            }
        }
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    shared.in_flight().insert(
        queued.request_id,
        InFlight {
            handed_out: Instant::now(),
            reply: queued.reply,
        },
    );
    (StatusCode::OK, headers, queued.event).into_response()
}

fn complete(shared: &Shared, id: &str, completion: Completion) -> Response {
    let Some(in_flight) = shared.in_flight().remove(id) else {
        return unknown_request_id(id);
    };
    let completed = Completed {
        request_id: id.to_owned(),
        completion,
        duration: in_flight.handed_out.elapsed(),
    };
    // The invoker may have given up (timeout); the runtime still gets its 202, as with Lambda.
    let _ = in_flight.reply.send(completed);
    accepted()
}

async fn invocation_response(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> Response {
    let value =
        serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    complete(&shared, &id, Completion::Response(value))
}

fn diagnostic_from(body: &[u8]) -> Diagnostic {
    serde_json::from_slice(body).unwrap_or_else(|_| Diagnostic {
        error_type: String::new(),
        error_message: String::from_utf8_lossy(body).into_owned(),
    })
}

fn function_error_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(HEADER_FUNCTION_ERROR_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

async fn invocation_error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let diagnostic = diagnostic_from(&body);
    let completion = Completion::Error {
        error_type: diagnostic.error_type,
        error_message: diagnostic.error_message,
        function_error_type: function_error_type(&headers),
    };
    complete(&shared, &id, completion)
}

async fn init_error(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let mut diagnostic = diagnostic_from(&body);
    if diagnostic.error_type.is_empty() {
        diagnostic.error_type = function_error_type(&headers).unwrap_or_default();
    }
    shared.init_error.send_replace(Some(diagnostic));
    accepted()
}
