//! Shared pieces of the end-to-end tests: the local QuickSight emulator, a real SDK client to start
//! jobs on it, and the real `bootstrap` binary under the loopback Lambda Runtime API.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_quicksight::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_quicksight::types::{
    S3BucketConfiguration, SessionTag, SnapshotAnonymousUser, SnapshotConfiguration, SnapshotDestinationConfiguration,
    SnapshotFile, SnapshotFileFormatType, SnapshotFileGroup, SnapshotFileSheetSelection,
    SnapshotFileSheetSelectionScope, SnapshotS3DestinationConfiguration, SnapshotUserConfiguration,
};
use harness::function::{DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY};
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
    let config = aws_sdk_quicksight::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            DUMMY_ACCESS_KEY_ID,
            DUMMY_SECRET_ACCESS_KEY,
            None,
            None,
            "test",
        ))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_quicksight::Client::from_conf(config)
}

/// A realistic configuration: a PDF of a whole sheet and a CSV of one visual, to S3.
pub fn snapshot_configuration() -> SnapshotConfiguration {
    let pdf = SnapshotFile::builder()
        .format_type(SnapshotFileFormatType::Pdf)
        .sheet_selections(
            SnapshotFileSheetSelection::builder()
                .sheet_id("sheet-1")
                .selection_scope(SnapshotFileSheetSelectionScope::AllVisuals)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let csv = SnapshotFile::builder()
        .format_type(SnapshotFileFormatType::Csv)
        .sheet_selections(
            SnapshotFileSheetSelection::builder()
                .sheet_id("sheet-1")
                .selection_scope(SnapshotFileSheetSelectionScope::SelectedVisuals)
                .visual_ids("visual-7")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let bucket = S3BucketConfiguration::builder()
        .bucket_name("reports-bucket")
        .bucket_prefix("snapshots/")
        .bucket_region("us-east-1")
        .build()
        .unwrap();
    SnapshotConfiguration::builder()
        .file_groups(SnapshotFileGroup::builder().files(pdf).build())
        .file_groups(SnapshotFileGroup::builder().files(csv).build())
        .destination_configuration(
            SnapshotDestinationConfiguration::builder()
                .s3_destinations(
                    SnapshotS3DestinationConfiguration::builder()
                        .bucket_configuration(bucket)
                        .build(),
                )
                .build(),
        )
        .build()
        .unwrap()
}

/// Starts a job and returns StartDashboardSnapshotJob's output as a Step Functions task passes it on.
pub async fn start_job(client: &aws_sdk_quicksight::Client, job_id: &str) -> serde_json::Value {
    let user = SnapshotUserConfiguration::builder()
        .anonymous_users(
            SnapshotAnonymousUser::builder()
                .row_level_permission_tags(SessionTag::builder().key("region").value("EMEA").build().unwrap())
                .build(),
        )
        .build();
    let out = client
        .start_dashboard_snapshot_job()
        .aws_account_id(ACCOUNT)
        .dashboard_id(DASHBOARD)
        .snapshot_job_id(job_id)
        .snapshot_configuration(snapshot_configuration())
        .user_configuration(user)
        .send()
        .await
        .unwrap();
    serde_json::json!({
        "Arn": out.arn().unwrap(),
        "SnapshotJobId": out.snapshot_job_id().unwrap(),
        "RequestId": out.request_id().unwrap(),
        "Status": out.status(),
    })
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
