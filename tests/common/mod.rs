//! Shared pieces of the end-to-end tests: the local QuickSight emulator, a real SDK client to start
//! jobs on it, and the real `bootstrap` binary under the loopback Lambda Runtime API.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_quicksight::types::SnapshotConfiguration;
use harness::quicksight::{JobShape, StartJob};
use harness::{Function, FunctionConfig, Invocation};
use quicksight_emulator::{Fault, Handle, JobSelector, Scenario, ScenarioRule};
use serde_json::Value;

pub const ACCOUNT: &str = "111122223333";
pub const DASHBOARD: &str = "sales-dashboard";

/// The ARN of snapshot job `job` on the test dashboard of `account`, in us-east-1.
pub fn job_arn(account: &str, job: &str) -> String {
    format!("arn:aws:quicksight:us-east-1:{account}:dashboard/{DASHBOARD}/snapshot-job/{job}")
}

/// An emulator whose jobs stay QUEUED/RUNNING until a scenario finishes them.
pub async fn emulator() -> Handle {
    quicksight_emulator::spawn(quicksight_emulator::Config {
        queued_for: Duration::from_secs(600),
        running_for: Duration::from_secs(600),
        ..quicksight_emulator::Config::default()
    })
    .await
    .unwrap()
}

/// Makes the emulator finish job `job_id` of the test dashboard now, the way `scenario` says.
pub fn finish(emulator: &Handle, job_id: &str, mut scenario: Scenario) {
    scenario.finish_now = true;
    emulator
        .set_scenario(ScenarioRule {
            selector: JobSelector::job(ACCOUNT, DASHBOARD, job_id),
            scenario,
        })
        .unwrap();
}

/// The real aws-sdk-quicksight client, with the same credentials as the function (the emulator
/// refuses reads of a job by another access key, like the service).
pub fn client(endpoint: &str) -> aws_sdk_quicksight::Client {
    harness::quicksight::client(endpoint)
}

/// A realistic configuration: a PDF of a whole sheet and a CSV of one visual, to S3.
pub fn snapshot_configuration() -> SnapshotConfiguration {
    harness::quicksight::snapshot_configuration(JobShape {
        bucket: "reports-bucket",
        prefix: "snapshots/",
        csv_visual: "visual-7",
    })
    .unwrap()
}

/// Starts a job and returns StartDashboardSnapshotJob's output as a Step Functions task passes it on.
pub async fn start_job(client: &aws_sdk_quicksight::Client, job_id: &str) -> Value {
    let job = StartJob {
        account: ACCOUNT,
        dashboard: DASHBOARD,
        job_id,
        configuration: snapshot_configuration(),
        user: harness::quicksight::anonymous_user(Some(("region", "EMEA"))).unwrap(),
    };
    let start = harness::quicksight::start_job(client, job).await.unwrap();
    for member in ["Arn", "SnapshotJobId", "RequestId"] {
        assert!(start[member].is_string(), "{start}");
    }
    start
}

pub fn bootstrap() -> &'static str {
    env!("CARGO_BIN_EXE_bootstrap")
}

/// The real bootstrap, talking to `endpoint` for QuickSight, with extra environment.
pub async fn function(endpoint: &str, env: &[(&str, &str)]) -> Function {
    let mut config = FunctionConfig::new(bootstrap())
        .endpoint("QUICKSIGHT", endpoint)
        .log_format("JSON");
    for (name, value) in env {
        config = config.env(*name, *value);
    }
    Function::start(config).await.unwrap()
}

/// The error type and message of an invocation that must have failed.
pub fn error_of(invocation: Invocation) -> (String, String) {
    match invocation {
        Invocation::Error {
            error_type,
            error_message,
        } => (error_type, error_message),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// The output of an invocation that must have succeeded.
pub fn response_of(invocation: Invocation) -> Value {
    match invocation {
        Invocation::Response(value) => value,
        other => panic!("expected a response, got {other:?}"),
    }
}

/// An answer of exactly `status`, `content_type` and `body`, with `request_id` in its header, as the
/// service sends it.
pub fn raw_answer(status: u16, content_type: &str, request_id: &str, body: impl Into<String>) -> Fault {
    Fault::Raw {
        status,
        headers: BTreeMap::from([
            ("content-type".to_owned(), content_type.to_owned()),
            ("x-amzn-requestid".to_owned(), request_id.to_owned()),
        ]),
        body: body.into(),
    }
}

/// A 200 JSON answer with exactly `body`.
pub fn raw_json(request_id: &str, body: impl Into<String>) -> Fault {
    raw_answer(200, "application/json", request_id, body)
}

/// Invokes a fresh bootstrap (with `env`) once per event, each of which must fail before any request
/// reaches QuickSight; returns every invocation's error type and message, in order. The process
/// keeps serving throughout.
pub async fn refused_before_any_request(
    env: &[(&str, &str)],
    events: impl IntoIterator<Item = Value>,
) -> Vec<(String, String)> {
    let emulator = emulator().await;
    let function = function(&emulator.endpoint(), env).await;
    let mut errors = Vec::new();
    for event in events {
        errors.push(error_of(function.invoke(event).await));
    }
    assert!(emulator.requests().is_empty(), "{:?}", emulator.requests());
    assert_eq!(function.exit_status(), None, "{}", function.logs());
    function.shutdown().await;
    emulator.shutdown().await;
    errors
}
