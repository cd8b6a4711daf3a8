//! The control API under `/_emulator/`: scenarios, faults, settings, clock, recorded requests, reset.
//! JSON in, JSON out; mistakes in a body are answered with 400 `{"error": "..."}`.

use crate::config::{ConfigPatch, Setup};
use crate::fault::FaultRule;
use crate::operation::Operation;
use crate::scenario::ScenarioRule;
use crate::state::Shared;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub(crate) const PREFIX: &str = "/_emulator";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/health", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/config", get(get_config).patch(patch_config).put(patch_config))
        .route(
            "/scenarios",
            get(list_scenarios).post(add_scenarios).delete(clear_scenarios),
        )
        .route("/faults", get(list_faults).post(add_faults).delete(clear_faults))
        .route("/jobs", get(list_jobs))
        .route("/requests", get(list_requests).delete(clear_requests))
        .route("/clock", post(advance_clock))
        .route("/setup", post(setup))
        .route("/reset", post(reset))
        .fallback(|| async {
            bad(
                StatusCode::NOT_FOUND,
                "no such control endpoint; see emulator/README.md",
            )
        })
}

fn bad(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"error": message.into()}))).into_response()
}

fn ok(value: Value) -> Response {
    axum::Json(value).into_response()
}

/// A body that is not what the endpoint takes; answered as 400 `{"error": ...}`.
struct BadBody(String);

impl IntoResponse for BadBody {
    fn into_response(self) -> Response {
        bad(StatusCode::BAD_REQUEST, format!("invalid request body: {}", self.0))
    }
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, BadBody> {
    serde_json::from_slice(body).map_err(|e| BadBody(e.to_string()))
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A body holding one item or a JSON array of items.
fn parse_list<T: DeserializeOwned>(body: &Bytes) -> Result<Vec<T>, BadBody> {
    let value: Value = parse(body)?;
    let result = if value.is_array() {
        serde_json::from_value(value)
    } else {
        serde_json::from_value(value).map(|one| vec![one])
    };
    result.map_err(|e| BadBody(e.to_string()))
}

async fn get_config(State(shared): State<Arc<Shared>>) -> Response {
    ok(to_json(&shared.settings()))
}

async fn patch_config(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let patch: ConfigPatch = match parse(&body) {
        Ok(patch) => patch,
        Err(rejection) => return rejection.into_response(),
    };
    match shared.patch_settings(&patch) {
        Ok(settings) => ok(to_json(&settings)),
        Err(e) => bad(StatusCode::BAD_REQUEST, e),
    }
}

async fn list_scenarios(State(shared): State<Arc<Shared>>) -> Response {
    ok(to_json(&shared.scenarios()))
}

async fn add_scenarios(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    add_rules(
        &body,
        ScenarioRule::check,
        |rule| shared.add_scenario(rule),
        || shared.scenarios(),
    )
}

async fn clear_scenarios(State(shared): State<Arc<Shared>>) -> Response {
    shared.clear_scenarios();
    ok(json!([]))
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Response {
    ok(to_json(&shared.faults()))
}

async fn add_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    add_rules(
        &body,
        FaultRule::check,
        |rule| shared.push_fault(rule),
        || shared.faults(),
    )
}

/// Adds the rules of `body` (a JSON list, or one rule) with `add`, after `check` has passed them all
/// so that one bad rule adds none; answers with what `list` holds after.
fn add_rules<R: DeserializeOwned, L: serde::Serialize>(
    body: &Bytes,
    check: fn(&R) -> Result<(), String>,
    mut add: impl FnMut(R) -> Result<(), String>,
    list: impl FnOnce() -> L,
) -> Response {
    let rules: Vec<R> = match parse_list(body) {
        Ok(rules) => rules,
        Err(rejection) => return rejection.into_response(),
    };
    if let Some(error) = rules.iter().find_map(|r| check(r).err()) {
        return bad(StatusCode::BAD_REQUEST, error);
    }
    for rule in rules {
        if let Err(e) = add(rule) {
            return bad(StatusCode::BAD_REQUEST, e);
        }
    }
    ok(to_json(&list()))
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.clear_faults();
    ok(json!([]))
}

async fn list_jobs(State(shared): State<Arc<Shared>>) -> Response {
    ok(to_json(&shared.jobs()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestFilter {
    operation: Option<Operation>,
}

async fn list_requests(
    State(shared): State<Arc<Shared>>,
    filter: Result<Query<RequestFilter>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match filter {
        Ok(Query(filter)) => ok(to_json(&shared.requests(filter.operation))),
        Err(e) => bad(StatusCode::BAD_REQUEST, format!("invalid query: {}", e.body_text())),
    }
}

async fn clear_requests(State(shared): State<Arc<Shared>>) -> Response {
    shared.clear_requests();
    ok(json!([]))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Advance {
    advance_seconds: f64,
}

async fn advance_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let advance: Advance = match parse(&body) {
        Ok(advance) => advance,
        Err(rejection) => return rejection.into_response(),
    };
    let Ok(by) = Duration::try_from_secs_f64(advance.advance_seconds) else {
        return bad(StatusCode::BAD_REQUEST, "advanceSeconds must be a finite number >= 0");
    };
    let offset = shared.advance_clock(by);
    ok(json!({"offsetSeconds": offset.as_secs_f64()}))
}

async fn setup(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let setup: Setup = match parse(&body) {
        Ok(setup) => setup,
        Err(rejection) => return rejection.into_response(),
    };
    match shared.apply_setup(setup) {
        Ok(()) => ok(
            json!({"settings": to_json(&shared.settings()), "scenarios": to_json(&shared.scenarios()), "faults": to_json(&shared.faults())}),
        ),
        Err(e) => bad(StatusCode::BAD_REQUEST, e),
    }
}

async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.reset();
    tracing::info!("emulator reset");
    ok(json!({"reset": true}))
}
