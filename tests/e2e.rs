//! End to end: the real `bootstrap` binary under a loopback Lambda Runtime API, calling the local
//! QuickSight emulator over real HTTP with the real aws-sdk-quicksight client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{
    ACCOUNT, DASHBOARD, client, emulator, error_of, finish, function, raw_json, refused_before_any_request,
    response_of, start_job,
};
use quicksight_emulator::{ErrorInfo, Fault, FaultRule, FileError, Operation, Scenario};
use quicksight_snapshot_result::translate::rfc3339;
use serde_json::{Value, json};

const JOB_ARN: &str =
    "arn:aws:quicksight:us-east-1:111122223333:dashboard/sales-dashboard/snapshot-job/nightly-2026-12-03";

/// A DescribeDashboardSnapshotJobResult answer as the service sends it: exponent-form epoch seconds,
/// the request id in a header, an empty ErrorInfo list on a clean file.
fn recorded_completed_body() -> String {
    json!({
        "Arn": JOB_ARN,
        "JobStatus": "COMPLETED",
        "CreatedTime": 1.764741601234E9,
        "LastUpdatedTime": 1.76474166087E9,
        "Result": {"AnonymousUsers": [{"FileGroups": [
            {"Files": [{"FormatType": "PDF", "SheetSelections": [{"SheetId": "sheet-1", "SelectionScope": "ALL_VISUALS"}]}],
             "S3Results": [{"S3DestinationConfiguration": {"BucketConfiguration": {"BucketName": "reports-bucket", "BucketPrefix": "snapshots/", "BucketRegion": "us-east-1"}},
                            "S3Uri": "s3://reports-bucket/snapshots/7d1e0c52/sales-dashboard.pdf", "ErrorInfo": []}]},
            {"Files": [{"FormatType": "CSV", "SheetSelections": [{"SheetId": "sheet-1", "SelectionScope": "SELECTED_VISUALS", "VisualIds": ["visual-7"]}]}],
             "S3Results": [{"S3DestinationConfiguration": {"BucketConfiguration": {"BucketName": "reports-bucket", "BucketPrefix": "snapshots/", "BucketRegion": "us-east-1"}},
                            "S3Uri": "s3://reports-bucket/snapshots/7d1e0c52/sales-dashboard.csv", "ErrorInfo": []}]}
        ]}]},
        "RequestId": "b2a1c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b"
    })
    .to_string()
}

#[tokio::test]
async fn a_completed_job_gives_the_exact_output() {
    let emulator = emulator().await;
    emulator
        .push_fault(FaultRule::once(
            Operation::DescribeDashboardSnapshotJobResult,
            raw_json("b2a1c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b", recorded_completed_body()),
        ))
        .unwrap();
    let function = function(&emulator.endpoint(), &[]).await;
    let output = response_of(function.invoke(json!({ "arn": JOB_ARN })).await);
    let file = |group: usize, format: &str, scope: &str, visuals: Value, ext: &str| {
        json!({
            "user": "ANONYMOUS", "fileGroup": group, "format": format,
            "sheets": [{"sheetId": "sheet-1", "selectionScope": scope, "visualIds": visuals}],
            "s3Uri": format!("s3://reports-bucket/snapshots/7d1e0c52/sales-dashboard.{ext}"),
            "bucket": "reports-bucket", "key": format!("snapshots/7d1e0c52/sales-dashboard.{ext}"),
            "bucketRegion": "us-east-1", "errors": []
        })
    };
    assert_eq!(
        output,
        json!({
            "job": {"awsAccountId": ACCOUNT, "dashboardId": DASHBOARD, "snapshotJobId": "nightly-2026-12-03", "arn": JOB_ARN, "region": "us-east-1"},
            "jobStatus": "COMPLETED",
            "outcome": "SUCCEEDED",
            "terminal": true,
            "createdTime": "2025-12-03T06:00:01.234Z",
            "lastUpdatedTime": "2025-12-03T06:01:00.87Z",
            "files": [
                file(0, "PDF", "ALL_VISUALS", json!([]), "pdf"),
                file(1, "CSV", "SELECTED_VISUALS", json!(["visual-7"]), "csv"),
            ],
            "errors": [],
            "requestId": "b2a1c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b",
            "summary": "2 of 2 files exported"
        })
    );
    // What went over the wire: one signed GET on the documented path, in the ARN's region.
    let requests = emulator.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(
        requests[0].path,
        "/accounts/111122223333/dashboards/sales-dashboard/snapshot-jobs/nightly-2026-12-03/result"
    );
    assert_eq!(requests[0].region.as_deref(), Some("us-east-1"));
    assert_eq!(
        requests[0].access_key_id.as_deref(),
        Some(harness::function::DUMMY_ACCESS_KEY_ID)
    );
    function.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_started_job_is_pending_then_succeeds_when_the_output_is_looped_back() {
    let emulator = emulator().await;
    let qs = client(&emulator.endpoint());
    let start = start_job(&qs, "loop-1").await;
    let function = function(&emulator.endpoint(), &[("PENDING_RETRY_AFTER_SECONDS", "15")]).await;

    let pending = response_of(function.invoke(start.clone()).await);
    let described = qs
        .describe_dashboard_snapshot_job()
        .aws_account_id(ACCOUNT)
        .dashboard_id(DASHBOARD)
        .snapshot_job_id("loop-1")
        .send()
        .await
        .unwrap();
    let arn = start["Arn"].as_str().unwrap();
    let time = |t: Option<&aws_sdk_quicksight::primitives::DateTime>| rfc3339(t.unwrap()).unwrap();
    let mut expected = json!({
        "job": {"awsAccountId": ACCOUNT, "dashboardId": DASHBOARD, "snapshotJobId": "loop-1", "arn": arn, "region": "us-east-1"},
        "jobStatus": "QUEUED",
        "outcome": "PENDING",
        "terminal": false,
        "retryAfterSeconds": 15,
        "createdTime": time(described.created_time()),
        "lastUpdatedTime": time(described.last_updated_time()),
        "files": [],
        "errors": [],
        "requestId": pending["requestId"],
        "summary": "job is QUEUED; check again in 15 s"
    });
    assert_eq!(pending, expected);
    assert!(pending["requestId"].as_str().is_some_and(|id| !id.is_empty()));
    // The first call was the result call (refused: not terminal), the second the status read.
    let ops: Vec<_> = emulator.requests().iter().map(|r| r.operation).collect();
    assert_eq!(
        ops,
        [
            Some(Operation::StartDashboardSnapshotJob),
            Some(Operation::DescribeDashboardSnapshotJobResult),
            Some(Operation::DescribeDashboardSnapshotJob),
            Some(Operation::DescribeDashboardSnapshotJob),
        ]
    );

    finish(&emulator, "loop-1", Scenario::default());
    // Step Functions passes the whole lambda:invoke result on as the next input.
    let wrapped = json!({"ExecutedVersion": "$LATEST", "Payload": pending, "SdkHttpMetadata": {"HttpStatusCode": 200}, "StatusCode": 200});
    let done = response_of(function.invoke(wrapped).await);
    let result = qs
        .describe_dashboard_snapshot_job_result()
        .aws_account_id(ACCOUNT)
        .dashboard_id(DASHBOARD)
        .snapshot_job_id("loop-1")
        .send()
        .await
        .unwrap();
    let uris: Vec<String> = result.result().unwrap().anonymous_users()[0]
        .file_groups()
        .iter()
        .map(|g| g.s3_results()[0].s3_uri().unwrap().to_owned())
        .collect();
    assert!(
        uris[0].starts_with("s3://reports-bucket/snapshots/") && uris[0].ends_with(".pdf"),
        "{uris:?}"
    );
    assert!(
        uris[1].starts_with("s3://reports-bucket/snapshots/") && uris[1].ends_with(".csv"),
        "{uris:?}"
    );
    let file = |group: usize, format: &str, scope: &str, visuals: Value| {
        let uri = &uris[group];
        json!({
            "user": "ANONYMOUS", "fileGroup": group, "format": format,
            "sheets": [{"sheetId": "sheet-1", "selectionScope": scope, "visualIds": visuals}],
            "s3Uri": uri, "bucket": "reports-bucket", "key": uri.trim_start_matches("s3://reports-bucket/"),
            "bucketRegion": "us-east-1", "errors": []
        })
    };
    expected = json!({
        "job": {"awsAccountId": ACCOUNT, "dashboardId": DASHBOARD, "snapshotJobId": "loop-1", "arn": arn, "region": "us-east-1"},
        "jobStatus": "COMPLETED",
        "outcome": "SUCCEEDED",
        "terminal": true,
        "createdTime": time(result.created_time()),
        "lastUpdatedTime": time(result.last_updated_time()),
        "files": [file(0, "PDF", "ALL_VISUALS", json!([])), file(1, "CSV", "SELECTED_VISUALS", json!(["visual-7"]))],
        "errors": [],
        "requestId": done["requestId"],
        "summary": "2 of 2 files exported"
    });
    assert_eq!(done, expected);
    function.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn failed_and_partial_jobs_report_codes_and_actions() {
    let emulator = emulator().await;
    let qs = client(&emulator.endpoint());
    let failed = start_job(&qs, "failed-1").await;
    let partial = start_job(&qs, "partial-1").await;
    finish(
        &emulator,
        "failed-1",
        Scenario::failed("DASHBOARD_ACCESS_DENIED", "The user has no access to the dashboard."),
    );
    finish(
        &emulator,
        "partial-1",
        Scenario {
            file_errors: vec![FileError {
                file_group_index: 1,
                error_type: "CAPABILITY_RESTRICTED".into(),
                error_message: Some("Export to CSV is restricted.".into()),
            }],
            ..Scenario::default()
        },
    );
    let function = function(&emulator.endpoint(), &[]).await;

    let out = response_of(function.invoke(failed).await);
    assert_eq!(out["outcome"], "FAILED");
    assert_eq!(out["jobStatus"], "FAILED");
    assert_eq!(out["terminal"], true);
    assert_eq!(
        out["errors"],
        json!([{"code": "DASHBOARD_ACCESS_DENIED", "message": "The user has no access to the dashboard.", "scope": "JOB", "action": "FIX_ACCESS"}])
    );
    assert_eq!(
        out["summary"],
        "job failed: DASHBOARD_ACCESS_DENIED: The user has no access to the dashboard."
    );

    let out = response_of(function.invoke(partial.clone()).await);
    assert_eq!(out["outcome"], "PARTIAL");
    assert_eq!(
        out["errors"],
        json!([{"code": "CAPABILITY_RESTRICTED", "message": "Export to CSV is restricted.", "scope": "FILE", "action": "FIX_ACCESS"}])
    );
    assert_eq!(
        out["files"][1]["errors"],
        json!([{"code": "CAPABILITY_RESTRICTED", "message": "Export to CSV is restricted."}])
    );
    assert_eq!(
        out["summary"],
        "1 of 2 files exported; CSV failed: CAPABILITY_RESTRICTED"
    );

    // failOn turns the same answer into a named error for Retry/Catch.
    let mut event = partial;
    event["failOn"] = json!(["PARTIAL", "FAILED"]);
    let (error_type, message) = error_of(function.invoke(event).await);
    assert_eq!(error_type, "SnapshotJobPartiallyFailed");
    assert!(
        message
            .contains("1 of 2 files exported; CSV failed: CAPABILITY_RESTRICTED (error codes: CAPABILITY_RESTRICTED)"),
        "{message}"
    );
    function.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_running_job_with_fail_on_pending_is_snapshot_job_not_terminal() {
    let emulator = emulator().await;
    let qs = client(&emulator.endpoint());
    let start = start_job(&qs, "slow-1").await;
    let function = function(&emulator.endpoint(), &[]).await;
    let mut event = start.clone();
    event["failOn"] = json!(["PENDING"]);
    let (error_type, message) = error_of(function.invoke(event).await);
    assert_eq!(error_type, "SnapshotJobNotTerminal");
    assert_eq!(
        message,
        format!("{}: job is QUEUED; check again in 30 s", start["Arn"].as_str().unwrap())
    );

    // The same through FAIL_ON in the environment.
    let function2 = common::function(&emulator.endpoint(), &[("FAIL_ON", "PENDING")]).await;
    let (error_type, _) = error_of(function2.invoke(start).await);
    assert_eq!(error_type, "SnapshotJobNotTerminal");
    function.shutdown().await;
    function2.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn throttling_beyond_the_retry_budget_is_quicksight_throttled() {
    let emulator = emulator().await;
    emulator
        .push_fault(FaultRule {
            operation: Some(Operation::DescribeDashboardSnapshotJobResult),
            count: 10,
            delay_ms: None,
            fault: Fault::Throttling {
                message: Some("Rate exceeded".into()),
            },
        })
        .unwrap();
    let function = function(&emulator.endpoint(), &[("SDK_MAX_ATTEMPTS", "2")]).await;
    let (error_type, message) = error_of(function.invoke(json!({ "arn": JOB_ARN })).await);
    assert_eq!(error_type, "QuickSightThrottled");
    let requests = emulator.requests();
    assert_eq!(requests.len(), 2, "SDK_MAX_ATTEMPTS=2 bounds the attempts");
    assert_eq!(
        message,
        format!(
            "QuickSight throttled the request: ThrottlingException: DescribeDashboardSnapshotJobResult: Rate exceeded (request id {})",
            requests[1].request_id
        )
    );
    function.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn service_errors_map_to_stable_names() {
    let emulator = emulator().await;
    let function = function(&emulator.endpoint(), &[("SDK_MAX_ATTEMPTS", "1")]).await;
    // An unknown job: the emulator answers 404 ResourceNotFoundException.
    let (error_type, message) = error_of(function.invoke(json!({ "arn": JOB_ARN })).await);
    assert_eq!(error_type, "SnapshotJobNotFound");
    assert!(
        message.starts_with("snapshot job not found: ResourceNotFoundException: DescribeDashboardSnapshotJobResult: "),
        "{message}"
    );

    for (status, name, expected) in [
        (401, "AccessDeniedException", "QuickSightAccessDenied"),
        (403, "UnsupportedUserEditionException", "QuickSightEditionUnsupported"),
        (400, "InvalidParameterValueException", "QuickSightRejected"),
        (500, "InternalFailureException", "QuickSightUnavailable"),
        (503, "ServiceUnavailable", "QuickSightUnavailable"),
        (418, "SomethingNewException", "QuickSightRejected"),
    ] {
        emulator
            .push_fault(FaultRule::once(
                Operation::DescribeDashboardSnapshotJobResult,
                Fault::Error {
                    status,
                    error_type: name.into(),
                    message: Some("nope".into()),
                    resource_type: None,
                },
            ))
            .unwrap();
        let (error_type, message) = error_of(function.invoke(json!({ "arn": JOB_ARN })).await);
        assert_eq!(error_type, expected, "{name}");
        assert!(
            message.contains(&format!(
                "{name}: DescribeDashboardSnapshotJobResult: nope (request id "
            )),
            "{message}"
        );
    }
    function.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn bad_input_is_invalid_input_and_sends_nothing() {
    let cases = [
        (
            json!({"dashboardId": DASHBOARD}),
            "incomplete snapshot job reference: missing awsAccountId, snapshotJobId",
        ),
        (
            json!([1, 2, 3]),
            "event must be a JSON object holding a snapshot job reference, got an array",
        ),
        (
            json!({"awsAccountId": ACCOUNT, "dashboardId": "../x", "snapshotJobId": "j"}),
            "dashboardId must be 1-512 characters of letters, digits, '_' or '-', got \"../x\"",
        ),
    ];
    let errors = refused_before_any_request(&[], cases.iter().map(|(event, _)| event.clone())).await;
    let expected: Vec<_> = cases
        .iter()
        .map(|(_, message)| ("InvalidInput".to_owned(), (*message).to_owned()))
        .collect();
    assert_eq!(errors, expected);
}

#[tokio::test]
async fn an_account_outside_the_allow_list_is_refused_before_any_request() {
    let errors =
        refused_before_any_request(&[("ALLOWED_ACCOUNT_IDS", "999988887777")], [json!({ "arn": JOB_ARN })]).await;
    assert_eq!(
        errors,
        [(
            "AccountNotAllowed".to_owned(),
            "account 111122223333 is not in ALLOWED_ACCOUNT_IDS; no request was sent".to_owned()
        )]
    );
}

#[tokio::test]
async fn each_invocation_logs_one_structured_line_without_secrets() {
    let emulator = emulator().await;
    let qs = client(&emulator.endpoint());
    let start = start_job(&qs, "logged-1").await;
    finish(
        &emulator,
        "logged-1",
        Scenario {
            error_info: Some(ErrorInfo::new("RLS_CHANGED", "changed")),
            ..Scenario::default()
        },
    );
    let function = function(&emulator.endpoint(), &[]).await;
    let out = response_of(function.invoke(start).await);
    assert_eq!(out["outcome"], "PARTIAL");
    let logs = function.logs();
    let lines: Vec<Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["fields"]["message"] == "snapshot job result translated")
        .collect();
    assert_eq!(lines.len(), 1, "{logs}");
    let fields = &lines[0]["fields"];
    assert_eq!(lines[0]["level"], "INFO");
    assert_eq!(fields["snapshot_job_id"], "logged-1");
    assert_eq!(fields["job_status"], "COMPLETED");
    assert_eq!(fields["outcome"], "PARTIAL");
    assert!(fields["duration_ms"].is_u64());
    assert!(!logs.contains(harness::function::DUMMY_SECRET_ACCESS_KEY));
    assert!(!logs.contains("s3://"), "logs hold no result locations");
    function.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn bad_configuration_answers_every_invocation_with_the_configuration_error() {
    let errors = refused_before_any_request(&[("FAIL_ON", "SOMETIMES")], [json!({ "arn": JOB_ARN })]).await;
    assert_eq!(
        errors,
        [(
            "Configuration".to_owned(),
            "invalid configuration: FAIL_ON: unknown outcome \"SOMETIMES\" (expected SUCCEEDED, PARTIAL, FAILED or PENDING)"
                .to_owned()
        )]
    );
}
