//! Upstream faults: what the real `bootstrap` does when QuickSight throttles, fails, stalls, resets the
//! connection, is not there, or answers with a body that is broken, odd or huge. Every case has one
//! defined outcome (a normal output or a stable error name), never a panic, and with default settings
//! every invocation ends well inside the function's 30 s timeout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{
    ACCOUNT, DASHBOARD, client, emulator, error_of, finish, function, raw_answer, raw_json, response_of, start_job,
};
use harness::{Function, Invocation};
use quicksight_emulator::{Fault, FaultRule, Operation, Scenario};
use serde_json::{Value, json};

const JOB_ARN: &str = "arn:aws:quicksight:us-east-1:111122223333:dashboard/sales-dashboard/snapshot-job/fault-1";
const REQUEST_ID: &str = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
const RESULT: Operation = Operation::DescribeDashboardSnapshotJobResult;

/// The process is still serving and never panicked.
fn assert_healthy(function: &Function) {
    assert_eq!(function.exit_status(), None, "{}", function.logs());
    assert!(!function.logs().contains("panicked"), "{}", function.logs());
}

/// Checks that the function is still healthy, then stops it and the emulator.
async fn shut_down_healthy(function: Function, emulator: quicksight_emulator::Handle) {
    assert_healthy(&function);
    function.shutdown().await;
    emulator.shutdown().await;
}

/// The error of a call that never got an answer: every connection was reset or refused.
fn assert_never_answered(invocation: Invocation) {
    let (error_type, message) = error_of(invocation);
    assert_eq!(error_type, "QuickSightUnavailable");
    assert!(
        message.starts_with("QuickSight is unavailable: DispatchFailure: DescribeDashboardSnapshotJobResult: "),
        "{message}"
    );
}

/// A 200 answer with exactly `body`, as the service sends it.
fn raw_ok(body: &Value) -> Fault {
    raw_json(REQUEST_ID, body.to_string())
}

fn raw(status: u16, content_type: &str, body: &str) -> Fault {
    raw_answer(status, content_type, REQUEST_ID, body)
}

fn rule(fault: Fault, count: u32) -> FaultRule {
    FaultRule::once(RESULT, fault).times(count)
}

/// One clean PDF, as DescribeDashboardSnapshotJobResult returns it.
fn completed_body() -> Value {
    json!({
        "Arn": JOB_ARN,
        "JobStatus": "COMPLETED",
        "CreatedTime": 1.764741601E9,
        "LastUpdatedTime": 1.76474166E9,
        "Result": {"AnonymousUsers": [{"FileGroups": [
            {"Files": [{"FormatType": "PDF", "SheetSelections": [{"SheetId": "sheet-1", "SelectionScope": "ALL_VISUALS"}]}],
             "S3Results": [{"S3DestinationConfiguration": {"BucketConfiguration": {"BucketName": "reports-bucket", "BucketPrefix": "snapshots/", "BucketRegion": "us-east-1"}},
                            "S3Uri": "s3://reports-bucket/snapshots/fault-1/sales-dashboard.pdf", "ErrorInfo": []}]}
        ]}]},
        "RequestId": REQUEST_ID
    })
}

fn completed_output() -> Value {
    json!({
        "job": {"awsAccountId": ACCOUNT, "dashboardId": DASHBOARD, "snapshotJobId": "fault-1", "arn": JOB_ARN, "region": "us-east-1"},
        "jobStatus": "COMPLETED",
        "outcome": "SUCCEEDED",
        "terminal": true,
        "createdTime": "2025-12-03T06:00:01Z",
        "lastUpdatedTime": "2025-12-03T06:01:00Z",
        "files": [{
            "user": "ANONYMOUS", "fileGroup": 0, "format": "PDF",
            "sheets": [{"sheetId": "sheet-1", "selectionScope": "ALL_VISUALS", "visualIds": []}],
            "s3Uri": "s3://reports-bucket/snapshots/fault-1/sales-dashboard.pdf",
            "bucket": "reports-bucket", "key": "snapshots/fault-1/sales-dashboard.pdf",
            "bucketRegion": "us-east-1", "errors": []
        }],
        "errors": [],
        "requestId": REQUEST_ID,
        "summary": "1 of 1 file exported"
    })
}

fn faults_seen(emulator: &quicksight_emulator::Handle) -> Vec<Option<String>> {
    emulator.requests().into_iter().map(|r| r.fault).collect()
}

fn event() -> Value {
    json!({ "arn": JOB_ARN })
}

// ---------------------------------------------------------------------------------------------
// Throttling and server errors: bounded retries, then a stable retryable name.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn throttling_within_the_retry_budget_is_absorbed_and_the_output_is_normal() {
    let emulator = emulator().await;
    emulator
        .push_fault(rule(
            Fault::Throttling {
                message: Some("Rate exceeded".into()),
            },
            2,
        ))
        .unwrap();
    emulator.push_fault(rule(raw_ok(&completed_body()), 1)).unwrap();
    // Default settings: SDK_MAX_ATTEMPTS=3, so two throttled attempts leave one to succeed.
    let function = function(&emulator.endpoint(), &[]).await;
    let output = response_of(function.invoke(event()).await);
    assert_eq!(output, completed_output());
    assert_eq!(
        faults_seen(&emulator),
        [Some("throttling".into()), Some("throttling".into()), Some("raw".into())]
    );
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn throttling_beyond_the_default_retry_budget_is_quicksight_throttled_after_three_attempts() {
    let emulator = emulator().await;
    emulator
        .push_fault(rule(Fault::Throttling { message: None }, 10))
        .unwrap();
    let function = function(&emulator.endpoint(), &[]).await;
    let (error_type, message) = error_of(function.invoke(event()).await);
    assert_eq!(error_type, "QuickSightThrottled");
    let requests = emulator.requests();
    assert_eq!(requests.len(), 3, "SDK_MAX_ATTEMPTS defaults to 3");
    assert!(requests.iter().all(|r| r.status == Some(429)));
    assert_eq!(
        message,
        format!(
            "QuickSight throttled the request: ThrottlingException: DescribeDashboardSnapshotJobResult: Rate exceeded (request id {})",
            requests[2].request_id
        )
    );
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn internal_failures_are_quicksight_unavailable_after_exactly_sdk_max_attempts() {
    let emulator = emulator().await;
    for (attempts, expected) in [("1", 1), ("3", 3)] {
        emulator.clear_requests();
        emulator
            .push_fault(rule(Fault::InternalFailure { message: None }, 10))
            .unwrap();
        let function = function(&emulator.endpoint(), &[("SDK_MAX_ATTEMPTS", attempts)]).await;
        let (error_type, message) = error_of(function.invoke(event()).await);
        assert_eq!(error_type, "QuickSightUnavailable");
        let requests = emulator.requests();
        assert_eq!(requests.len(), expected, "SDK_MAX_ATTEMPTS={attempts}");
        assert!(requests.iter().all(|r| r.status == Some(500)));
        assert_eq!(
            message,
            format!(
                "QuickSight is unavailable: InternalFailureException: DescribeDashboardSnapshotJobResult: An internal failure occurred. Try again later. (request id {})",
                requests[expected - 1].request_id
            )
        );
        assert_healthy(&function);
        function.shutdown().await;
        emulator.clear_faults();
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn service_unavailable_is_quicksight_unavailable_after_exactly_sdk_max_attempts() {
    let emulator = emulator().await;
    emulator
        .push_fault(rule(Fault::ServiceUnavailable { message: None }, 10))
        .unwrap();
    let function = function(&emulator.endpoint(), &[("SDK_MAX_ATTEMPTS", "2")]).await;
    let (error_type, message) = error_of(function.invoke(event()).await);
    assert_eq!(error_type, "QuickSightUnavailable");
    let requests = emulator.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.status == Some(503)));
    assert!(
        message.starts_with("QuickSight is unavailable: ServiceUnavailable: DescribeDashboardSnapshotJobResult: "),
        "{message}"
    );
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn error_statuses_with_bodies_that_are_not_aws_errors_still_get_a_name_from_the_status() {
    let emulator = emulator().await;
    let function = function(&emulator.endpoint(), &[("SDK_MAX_ATTEMPTS", "1")]).await;
    for (status, content_type, body, expected) in [
        (
            502,
            "text/html",
            "<html><body>Bad Gateway</body></html>",
            "QuickSightUnavailable",
        ),
        (504, "text/plain", "", "QuickSightUnavailable"),
        (429, "application/json", "", "QuickSightThrottled"),
        (403, "application/json", "{}", "QuickSightAccessDenied"),
        (400, "application/json", "null", "QuickSightRejected"),
        (404, "text/plain", "not found", "SnapshotJobNotFound"),
    ] {
        emulator.clear_requests();
        emulator.push_fault(rule(raw(status, content_type, body), 1)).unwrap();
        let (error_type, _) = error_of(function.invoke(event()).await);
        assert_eq!(error_type, expected, "HTTP {status} {body:?}");
        assert_eq!(emulator.requests().len(), 1);
    }
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn faults_on_the_status_call_of_a_pending_job_are_classified_too() {
    let emulator = emulator().await;
    let qs = client(&emulator.endpoint());
    let start = start_job(&qs, "pending-1").await;
    emulator.clear_requests();
    emulator
        .push_fault(FaultRule::once(
            Operation::DescribeDashboardSnapshotJob,
            Fault::Throttling { message: None },
        ))
        .unwrap();
    emulator
        .push_fault(
            FaultRule::once(
                Operation::DescribeDashboardSnapshotJob,
                Fault::InternalFailure { message: None },
            )
            .times(10),
        )
        .unwrap();
    let function = function(&emulator.endpoint(), &[("SDK_MAX_ATTEMPTS", "2")]).await;
    let (error_type, _) = error_of(function.invoke(start).await);
    assert_eq!(error_type, "QuickSightUnavailable");
    let ops: Vec<_> = emulator.requests().iter().map(|r| (r.operation, r.status)).collect();
    assert_eq!(
        ops,
        [
            (Some(RESULT), Some(400)),
            (Some(Operation::DescribeDashboardSnapshotJob), Some(429)),
            (Some(Operation::DescribeDashboardSnapshotJob), Some(500)),
        ]
    );
    shut_down_healthy(function, emulator).await;
}

// ---------------------------------------------------------------------------------------------
// Time: slow answers, stalls, and the overall bound.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn answers_slower_than_the_attempt_timeout_are_retried_then_quicksight_unavailable() {
    let emulator = emulator().await;
    emulator.push_fault(rule(Fault::Delay { ms: 5_000 }, 10)).unwrap();
    let function = function(&emulator.endpoint(), &[("SDK_ATTEMPT_TIMEOUT_MS", "300")]).await;
    let started = Instant::now();
    let (error_type, message) = error_of(function.invoke(event()).await);
    let elapsed = started.elapsed();
    assert_eq!(error_type, "QuickSightUnavailable");
    assert!(
        message.starts_with("QuickSight is unavailable: TimeoutError: DescribeDashboardSnapshotJobResult: "),
        "{message}"
    );
    // Three attempts of 300 ms plus at most 1 s + 2 s of backoff: never the 5 s delay.
    assert!(elapsed < Duration::from_millis(4_500), "{elapsed:?}");
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn one_slow_answer_is_abandoned_and_the_retry_succeeds() {
    let emulator = emulator().await;
    emulator
        .push_fault(FaultRule {
            delay_ms: Some(3_000),
            ..rule(raw_ok(&completed_body()), 1)
        })
        .unwrap();
    emulator.push_fault(rule(raw_ok(&completed_body()), 1)).unwrap();
    let function = function(&emulator.endpoint(), &[("SDK_ATTEMPT_TIMEOUT_MS", "300")]).await;
    let started = Instant::now();
    let output = response_of(function.invoke(event()).await);
    assert_eq!(output, completed_output());
    assert!(
        started.elapsed() < Duration::from_millis(2_500),
        "{:?}",
        started.elapsed()
    );
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn with_default_settings_an_invocation_ends_within_25_seconds_even_if_every_call_takes_60() {
    let emulator = emulator().await;
    emulator
        .push_fault(FaultRule::any(100, Fault::Delay { ms: 60_000 }))
        .unwrap();
    // No SDK_* variables: the documented defaults (4 s per attempt, 10 s per call) apply.
    let function = function(&emulator.endpoint(), &[]).await;
    let started = Instant::now();
    let report = function.invoke_report(event()).await;
    let elapsed = started.elapsed();
    let (error_type, message) = error_of(report.invocation);
    assert_eq!(error_type, "QuickSightUnavailable");
    assert!(message.contains("TimeoutError"), "{message}");
    assert!(elapsed < Duration::from_secs(25), "took {elapsed:?}");
    shut_down_healthy(function, emulator).await;
}

// ---------------------------------------------------------------------------------------------
// Transport: reset and refused connections.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_reset_connection_is_retried_and_a_later_answer_is_used() {
    let emulator = emulator().await;
    emulator.push_fault(rule(Fault::ConnectionReset, 1)).unwrap();
    emulator.push_fault(rule(raw_ok(&completed_body()), 1)).unwrap();
    let function = function(&emulator.endpoint(), &[]).await;
    let output = response_of(function.invoke(event()).await);
    assert_eq!(output, completed_output());
    assert_eq!(
        faults_seen(&emulator),
        [Some("connectionReset".into()), Some("raw".into())]
    );
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn connections_reset_on_every_attempt_are_quicksight_unavailable() {
    let emulator = emulator().await;
    emulator.push_fault(rule(Fault::ConnectionReset, 10)).unwrap();
    let function = function(&emulator.endpoint(), &[]).await;
    assert_never_answered(function.invoke(event()).await);
    let requests = emulator.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.status.is_none()), "no answer was sent");
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn a_refused_connection_is_quicksight_unavailable_within_the_time_bound() {
    // A closed loopback port: nothing listens, every connect is refused.
    let function = function(harness::function::CLOSED_ENDPOINT, &[]).await;
    let started = Instant::now();
    assert_never_answered(function.invoke(event()).await);
    assert!(started.elapsed() < Duration::from_secs(25), "{:?}", started.elapsed());
    assert_healthy(&function);
    function.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Broken bodies: truncated, not JSON, empty.
// ---------------------------------------------------------------------------------------------

/// A job the emulator really has, finished, so faults that run the operation have a body to break.
async fn finished_job(emulator: &quicksight_emulator::Handle, job_id: &str) -> Value {
    let start = start_job(&client(&emulator.endpoint()), job_id).await;
    finish(emulator, job_id, Scenario::default());
    emulator.clear_requests();
    start
}

#[tokio::test]
async fn a_truncated_body_is_quicksight_unavailable_and_the_next_invocation_reads_the_whole_answer() {
    let emulator = emulator().await;
    let start = finished_job(&emulator, "truncated-1").await;
    emulator.push_fault(rule(Fault::TruncatedBody, 1)).unwrap();
    let function = function(&emulator.endpoint(), &[]).await;
    let (error_type, message) = error_of(function.invoke(start.clone()).await);
    assert_eq!(error_type, "QuickSightUnavailable");
    assert!(
        message.starts_with("QuickSight is unavailable: UnreadableResponse: DescribeDashboardSnapshotJobResult: "),
        "{message}"
    );
    // The SDK does not retry a 200 it could not parse; the error is retryable, and the caller's retry
    // (Step Functions Retry on QuickSightUnavailable) gets the complete answer.
    assert_eq!(faults_seen(&emulator), [Some("truncatedBody".into())]);
    let output = response_of(function.invoke(start).await);
    assert_eq!(output["outcome"], "SUCCEEDED");
    assert_eq!(output["files"].as_array().unwrap().len(), 2);
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn bodies_that_are_truncated_not_json_or_the_wrong_shape_are_quicksight_unavailable() {
    let emulator = emulator().await;
    let start = finished_job(&emulator, "broken-1").await;
    let function = function(&emulator.endpoint(), &[]).await;
    let detail = "QuickSight is unavailable: UnreadableResponse: DescribeDashboardSnapshotJobResult: service error: unhandled error: ";
    for (fault, kind, expected) in [
        (Fault::TruncatedBody, "truncatedBody", "unexpected end of stream"),
        (
            Fault::NonJsonBody,
            "nonJsonBody",
            "Error at offset 0: unexpected token '<'. Expected one of '{', '[', '\"', 'null', 'true', 'false', <number>",
        ),
        (
            raw(
                200,
                "application/json",
                "{\"JobStatus\": \"COMPLETED\", \"Result\": {\"Anon",
            ),
            "raw",
            "Error at offset 43: unexpected end of stream",
        ),
        (
            raw(200, "application/json", "[1, 2, 3]"),
            "raw",
            "Error at offset 0: failed to parse JSON: expected StartObject",
        ),
        (
            raw(200, "application/json", "{\"JobStatus\": 7}"),
            "raw",
            "failed to parse JSON: expected ValueString or ValueNull",
        ),
        (
            raw(
                200,
                "application/json",
                "{\"Result\": {\"AnonymousUsers\": \"all of them\"}}",
            ),
            "raw",
            "failed to parse JSON: expected start array or null",
        ),
    ] {
        emulator.clear_requests();
        emulator.push_fault(rule(fault, 10)).unwrap();
        let (error_type, message) = error_of(function.invoke(start.clone()).await);
        assert_eq!(error_type, "QuickSightUnavailable", "{kind}");
        let requests = emulator.requests();
        assert_eq!(
            requests.len(),
            1,
            "{kind}: a 200 the SDK could not parse is not retried in-process"
        );
        assert_eq!(requests[0].fault.as_deref(), Some(kind));
        assert!(message.starts_with(detail), "{kind}: {message}");
        assert!(message.contains(expected), "{kind}: {message}");
        // The request id of the answer: a raw fault sends its own x-amzn-requestid header.
        let request_id = if kind == "raw" {
            REQUEST_ID
        } else {
            requests[0].request_id.as_str()
        };
        assert!(
            message.ends_with(&format!(" (request id {request_id})")),
            "{kind}: {message}"
        );
        // Only the parser's words: never the raw response (headers, body, result locations).
        assert!(
            !message.contains("reports-bucket") && !message.contains("HeaderValue"),
            "{message}"
        );
        emulator.clear_faults();
    }
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn an_empty_200_body_reads_as_an_empty_output_and_is_unexpected_job_status_missing() {
    let emulator = emulator().await;
    emulator.push_fault(rule(Fault::EmptyBody, 10)).unwrap();
    let function = function(&emulator.endpoint(), &[]).await;
    let (error_type, message) = error_of(function.invoke(event()).await);
    // The SDK parses an empty body as an output with every member absent; no JobStatus is never
    // taken for success.
    assert_eq!(error_type, "UnexpectedJobStatus");
    assert_eq!(message, format!("unexpected job status \"(missing)\" for {JOB_ARN}"));
    assert_eq!(faults_seen(&emulator), [Some("emptyBody".into())], "not retried");
    shut_down_healthy(function, emulator).await;
}

// ---------------------------------------------------------------------------------------------
// Odd but well-formed bodies: unknown members and values, nulls, missing members, a huge result.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_unknown_job_status_is_unexpected_job_status_and_never_success() {
    let emulator = emulator().await;
    let function = function(&emulator.endpoint(), &[]).await;
    for status in ["PAUSED", "completed", ""] {
        let mut body = completed_body();
        body["JobStatus"] = json!(status);
        emulator.push_fault(rule(raw_ok(&body), 1)).unwrap();
        let (error_type, message) = error_of(function.invoke(event()).await);
        assert_eq!(error_type, "UnexpectedJobStatus", "{status:?}");
        assert_eq!(message, format!("unexpected job status {status:?} for {JOB_ARN}"));
    }
    // A null status is the same as a missing one.
    let mut body = completed_body();
    body["JobStatus"] = Value::Null;
    emulator.push_fault(rule(raw_ok(&body), 1)).unwrap();
    let (error_type, message) = error_of(function.invoke(event()).await);
    assert_eq!(error_type, "UnexpectedJobStatus");
    assert_eq!(message, format!("unexpected job status \"(missing)\" for {JOB_ARN}"));
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn unknown_members_nulls_unknown_enum_values_and_missing_members_are_tolerated() {
    let emulator = emulator().await;
    let body = json!({
        "Arn": JOB_ARN,
        "JobStatus": "COMPLETED",
        "CreatedTime": 1.764741601E9,
        "LastUpdatedTime": null,
        "ErrorInfo": null,
        "SomethingAddedLater": {"Nested": [1, {"Deep": null}], "Flag": true},
        "Result": {
            "AnonymousUsers": [{"FileGroups": [
                {"Files": [{"FormatType": "PPTX", "NewFileOption": 3,
                            "SheetSelections": [{"SheetId": "sheet-9", "SelectionScope": "SELECTED_PAGES", "VisualIds": null, "Pages": [1]}]}],
                 "S3Results": [{"S3DestinationConfiguration": null, "S3Uri": "s3://reports-bucket/x/deck.pptx", "ErrorInfo": null}]},
                {"Files": [{"SheetSelections": [{}]}],
                 "S3Results": [{"S3Uri": null, "ErrorInfo": [{"ErrorType": null, "ErrorMessage": null}, {"ErrorType": "NEW_KIND_OF_FAILURE"}]}]},
                {"Files": null, "S3Results": null},
                {}
            ]}],
            "RegisteredUsers": null,
            "FutureUsers": [{"FileGroups": []}]
        },
        "RequestId": REQUEST_ID
    });
    emulator.push_fault(rule(raw_ok(&body), 1)).unwrap();
    let function = function(&emulator.endpoint(), &[]).await;
    let output = response_of(function.invoke(event()).await);
    let empty_file = |group: usize| {
        json!({"user": "ANONYMOUS", "fileGroup": group, "format": null, "sheets": [],
               "s3Uri": null, "bucket": null, "key": null, "bucketRegion": null, "errors": []})
    };
    assert_eq!(
        output,
        json!({
            "job": {"awsAccountId": ACCOUNT, "dashboardId": DASHBOARD, "snapshotJobId": "fault-1", "arn": JOB_ARN, "region": "us-east-1"},
            "jobStatus": "COMPLETED",
            "outcome": "PARTIAL",
            "terminal": true,
            "createdTime": "2025-12-03T06:00:01Z",
            "files": [
                {"user": "ANONYMOUS", "fileGroup": 0, "format": "PPTX",
                 "sheets": [{"sheetId": "sheet-9", "selectionScope": "SELECTED_PAGES", "visualIds": []}],
                 "s3Uri": "s3://reports-bucket/x/deck.pptx", "bucket": "reports-bucket", "key": "x/deck.pptx",
                 "bucketRegion": null, "errors": []},
                {"user": "ANONYMOUS", "fileGroup": 1, "format": null,
                 "sheets": [{"sheetId": "", "selectionScope": "", "visualIds": []}],
                 "s3Uri": null, "bucket": null, "key": null, "bucketRegion": null,
                 "errors": [{"code": "UNSPECIFIED", "message": ""}, {"code": "NEW_KIND_OF_FAILURE", "message": ""}]},
                empty_file(2),
                empty_file(3),
            ],
            "errors": [
                {"code": "UNSPECIFIED", "message": "", "scope": "FILE", "action": "REVIEW"},
                {"code": "NEW_KIND_OF_FAILURE", "message": "", "scope": "FILE", "action": "REVIEW"}
            ],
            "requestId": REQUEST_ID,
            "summary": "1 of 4 files exported; file failed: UNSPECIFIED, NEW_KIND_OF_FAILURE; file missing: no URI; file missing: no URI"
        })
    );
    shut_down_healthy(function, emulator).await;
}

#[tokio::test]
async fn a_very_large_result_is_translated_whole() {
    let emulator = emulator().await;
    let formats = ["PDF", "CSV", "EXCEL", "PDF", "CSV", "EXCEL", "CSV"];
    let long_key = |group: usize| format!("snapshots/{}/group-{group}.out", "segment-".repeat(200));
    let groups: Vec<Value> = formats
        .iter()
        .enumerate()
        .map(|(group, format)| {
            // Groups 4..6 fail with many errors each; groups 0..3 are clean.
            let errors: Vec<Value> = if group >= 4 {
                (0..40)
                    .map(|i| json!({"ErrorType": format!("ERROR_{group}_{i}"), "ErrorMessage": "x".repeat(300)}))
                    .collect()
            } else {
                Vec::new()
            };
            json!({
                "Files": [{"FormatType": format, "SheetSelections": [{"SheetId": format!("sheet-{group}"), "SelectionScope": "SELECTED_VISUALS", "VisualIds": (0..20).map(|v| format!("visual-{v}")).collect::<Vec<_>>()}]}],
                "S3Results": [{"S3DestinationConfiguration": {"BucketConfiguration": {"BucketName": "reports-bucket", "BucketPrefix": "snapshots/", "BucketRegion": "eu-west-1"}},
                               "S3Uri": format!("s3://reports-bucket/{}", long_key(group)), "ErrorInfo": errors}]
            })
        })
        .collect();
    let mut body = completed_body();
    body["Result"] = json!({"AnonymousUsers": [{"FileGroups": groups}]});
    assert!(body.to_string().len() > 45_000, "{}", body.to_string().len());
    emulator.push_fault(rule(raw_ok(&body), 1)).unwrap();
    let function = function(&emulator.endpoint(), &[]).await;
    let output = response_of(function.invoke(event()).await);
    assert_eq!(output["outcome"], "PARTIAL");
    let files = output["files"].as_array().unwrap();
    assert_eq!(files.len(), 7);
    for (group, file) in files.iter().enumerate() {
        assert_eq!(file["fileGroup"], group);
        assert_eq!(file["format"], formats[group]);
        assert_eq!(file["key"], long_key(group));
        assert_eq!(file["bucketRegion"], "eu-west-1");
        assert_eq!(file["sheets"][0]["visualIds"].as_array().unwrap().len(), 20);
        assert_eq!(
            file["errors"].as_array().unwrap().len(),
            if group >= 4 { 40 } else { 0 }
        );
    }
    let errors = output["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 120);
    assert_eq!(
        errors[0],
        json!({"code": "ERROR_4_0", "message": "x".repeat(300), "scope": "FILE", "action": "REVIEW"})
    );
    assert_eq!(errors[119]["code"], "ERROR_6_39");
    assert!(
        output["summary"]
            .as_str()
            .unwrap()
            .starts_with("4 of 7 files exported; CSV failed: ERROR_4_0, ERROR_4_1, "),
        "{}",
        output["summary"]
    );
    shut_down_healthy(function, emulator).await;
}
