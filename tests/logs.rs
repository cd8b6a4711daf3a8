//! Least exposure: the account allow-list refuses before any request, and the function's logs hold no
//! credentials, session tokens, signatures, Authorization headers or result links, even at TRACE.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ACCOUNT, DASHBOARD, emulator, error_of, function, job_arn, raw_json, response_of};
use harness::function::{DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY};
use harness::{Function, FunctionConfig};
use quicksight_emulator::{Fault, FaultRule, Operation};
use serde_json::{Value, json};

const RESULT: Operation = Operation::DescribeDashboardSnapshotJobResult;
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE-session-token-that-must-never-be-logged";
/// A presigned HTTPS link as QuickSight may return it in S3Uri, and as presign.rs puts in downloadUrl.
const HTTPS_URI: &str = "https://reports-bucket.s3.us-east-1.amazonaws.com/snapshots/secret-report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE%2F20261203%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn body(arn: &str, uri: &str) -> String {
    json!({
        "Arn": arn,
        "JobStatus": "COMPLETED",
        "CreatedTime": 1.764741601E9,
        "LastUpdatedTime": 1.76474166E9,
        "Result": {"AnonymousUsers": [{"FileGroups": [
            {"Files": [{"FormatType": "PDF", "SheetSelections": [{"SheetId": "sheet-1", "SelectionScope": "ALL_VISUALS"}]}],
             "S3Results": [{"S3Uri": uri, "ErrorInfo": []}]}
        ]}]},
        "RequestId": "req-logs-1"
    })
    .to_string()
}

fn answer(body: String) -> FaultRule {
    FaultRule::once(RESULT, raw_json("req-logs-1", body))
}

// ---------------------------------------------------------------------------------------------
// ALLOWED_ACCOUNT_IDS
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn listed_accounts_are_read_and_every_other_account_is_refused_before_any_request() {
    let emulator = emulator().await;
    let function = function(
        &emulator.endpoint(),
        &[("ALLOWED_ACCOUNT_IDS", " 444455556666, 111122223333 ")],
    )
    .await;

    for (event, account) in [
        (json!({"arn": job_arn("999988887777", "j-1")}), "999988887777"),
        (
            json!({"awsAccountId": "210987654321", "dashboardId": DASHBOARD, "snapshotJobId": "j-2"}),
            "210987654321",
        ),
        // Wrapped as Step Functions passes it on: the inner reference is what counts.
        (
            json!({"Payload": {"Arn": job_arn("999988887777", "j-3")}, "StatusCode": 200}),
            "999988887777",
        ),
    ] {
        let (error_type, message) = error_of(function.invoke(event).await);
        assert_eq!(error_type, "AccountNotAllowed");
        assert_eq!(
            message,
            format!("account {account} is not in ALLOWED_ACCOUNT_IDS; no request was sent")
        );
    }
    assert!(emulator.requests().is_empty(), "refused accounts send nothing");

    let allowed = job_arn(ACCOUNT, "j-4");
    emulator
        .push_fault(answer(body(&allowed, "s3://reports-bucket/a.pdf")))
        .unwrap();
    let output = response_of(function.invoke(json!({ "arn": allowed })).await);
    assert_eq!(output["outcome"], "SUCCEEDED");
    assert_eq!(output["job"]["awsAccountId"], ACCOUNT);
    let requests = emulator.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].path,
        "/accounts/111122223333/dashboards/sales-dashboard/snapshot-jobs/j-4/result"
    );
    function.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn without_an_allow_list_any_account_is_read() {
    let emulator = emulator().await;
    let function = function(&emulator.endpoint(), &[("SDK_MAX_ATTEMPTS", "1")]).await;
    // The emulator does not know the job: the request was sent, and the answer is SnapshotJobNotFound.
    let (error_type, _) = error_of(function.invoke(json!({"arn": job_arn("999988887777", "j-1")})).await);
    assert_eq!(error_type, "SnapshotJobNotFound");
    assert_eq!(emulator.requests().len(), 1);
    function.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_malformed_allow_list_answers_configuration_and_never_allows_everyone() {
    let emulator = emulator().await;
    for bad in ["1111-2222-3333", "111122223333,*", "arn:aws:iam::111122223333:root"] {
        let function = function(&emulator.endpoint(), &[("ALLOWED_ACCOUNT_IDS", bad)]).await;
        // The function keeps answering every invocation with the stable name (no crash loop), and
        // never reads anything.
        let (error_type, message) = error_of(function.invoke(json!({"arn": job_arn(ACCOUNT, "j-1")})).await);
        assert_eq!(error_type, "Configuration", "{bad}");
        assert!(
            message.starts_with("invalid configuration: ALLOWED_ACCOUNT_IDS: "),
            "{message}"
        );
        function.shutdown().await;
    }
    assert!(emulator.requests().is_empty());
    emulator.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// What the logs never contain
// ---------------------------------------------------------------------------------------------

/// Strings that must never appear in a log line.
fn secrets() -> Vec<(&'static str, String)> {
    let signature = HTTPS_URI.split("X-Amz-Signature=").nth(1).unwrap().to_owned();
    vec![
        ("secret access key", DUMMY_SECRET_ACCESS_KEY.to_owned()),
        ("session token", SESSION_TOKEN.to_owned()),
        ("session token header", "x-amz-security-token".to_owned()),
        ("Authorization header", "authorization".to_owned()),
        ("SigV4 signature", "signature=".to_owned()),
        ("SigV4 credential scope", format!("{DUMMY_ACCESS_KEY_ID}/")),
        ("presigned link", HTTPS_URI.to_owned()),
        (
            "presigned link host and path",
            "reports-bucket.s3.us-east-1.amazonaws.com".to_owned(),
        ),
        ("presigned signature", signature),
        ("result location", "s3://".to_owned()),
    ]
}

/// Runs a successful read, a read whose answer is unreadable, a throttled read, a looped-back output
/// (carrying links) and a read with a freshly signed download link through one function with `env`
/// (log settings), and returns its logs.
async fn logs_of_a_full_run(env: &[(&str, &str)]) -> (String, Function) {
    let emulator = emulator().await;
    let mut config = FunctionConfig::new(common::bootstrap())
        .endpoint("QUICKSIGHT", emulator.endpoint())
        .log_format("JSON")
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("SDK_MAX_ATTEMPTS", "2")
        .env("PRESIGN_EXPIRES_SECONDS", "900");
    for (name, value) in env {
        config = config.env(*name, *value);
    }
    let function = Function::start(config).await.unwrap();
    let job = job_arn(ACCOUNT, "logged-1");

    // 1. A result whose only file is an HTTPS presigned link.
    emulator.push_fault(answer(body(&job, HTTPS_URI))).unwrap();
    let output = response_of(function.invoke(json!({ "arn": job })).await);
    assert_eq!(
        output["files"][0]["s3Uri"], HTTPS_URI,
        "the link is in the output, only there"
    );

    // 2. The same answer cut short: the error path must not echo the raw body.
    let whole = body(&job, HTTPS_URI);
    emulator
        .push_fault(answer(whole[..whole.len() - 20].to_owned()))
        .unwrap();
    let (error_type, message) = error_of(function.invoke(json!({ "arn": job })).await);
    assert_eq!(error_type, "QuickSightUnavailable");
    assert!(!message.contains("amazonaws.com"), "{message}");

    // 3. Throttled twice (retries, signing twice).
    emulator
        .push_fault(FaultRule::once(RESULT, Fault::Throttling { message: None }).times(2))
        .unwrap();
    let (error_type, _) = error_of(function.invoke(json!({ "arn": job })).await);
    assert_eq!(error_type, "QuickSightThrottled");

    // 4. The function's own earlier output looped back by Step Functions, links included.
    let mut looped = output.clone();
    looped["files"][0]["downloadUrl"] = json!(HTTPS_URI);
    emulator.push_fault(answer(body(&job, HTTPS_URI))).unwrap();
    let again = response_of(
        function
            .invoke(json!({"Payload": looped, "StatusCode": 200, "ExecutedVersion": "$LATEST"}))
            .await,
    );
    assert_eq!(again["outcome"], "SUCCEEDED");

    // 5. An s3:// result with download links on: the function signs a link with its own credentials.
    emulator
        .push_fault(answer(body(&job, "s3://reports-bucket/snapshots/linked-report.pdf")))
        .unwrap();
    let linked = response_of(function.invoke(json!({ "arn": job })).await);
    let link = linked["files"][0]["downloadUrl"].as_str().unwrap().to_owned();
    assert!(link.contains("X-Amz-Signature="), "{link}");
    assert!(link.contains("linked-report.pdf"), "{link}");
    let link_signature = link.split("X-Amz-Signature=").nth(1).unwrap().to_owned();
    assert!(
        !lower_contains(&function.logs(), "linked-report"),
        "the signed link's key is not logged"
    );
    assert!(
        !lower_contains(&function.logs(), &link_signature),
        "the signed link's signature is not logged"
    );

    // Every request was really signed with the session token (so there was something to leak).
    let requests = emulator.requests();
    assert_eq!(requests.len(), 6);
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("x-amz-security-token").map(String::as_str) == Some(SESSION_TOKEN)),
        "{requests:?}"
    );
    assert!(requests.iter().all(|r| r.headers.contains_key("authorization")));
    emulator.shutdown().await;
    (function.logs(), function)
}

fn lower_contains(logs: &str, needle: &str) -> bool {
    logs.to_ascii_lowercase().contains(&needle.to_ascii_lowercase())
}

fn assert_no_secrets(level: &str, logs: &str) {
    let lower = logs.to_ascii_lowercase();
    for (what, needle) in secrets() {
        let found = lower.find(&needle.to_ascii_lowercase());
        if let Some(at) = found {
            let start = logs[..at].rfind('\n').map_or(0, |n| n + 1);
            let end = logs[at..].find('\n').map_or(logs.len(), |n| at + n);
            panic!("{level}: the logs contain the {what}: {}", &logs[start..end]);
        }
    }
}

#[tokio::test]
async fn trace_logs_of_a_full_run_hold_no_credentials_signatures_or_links() {
    let (logs, function) = logs_of_a_full_run(&[("AWS_LAMBDA_LOG_LEVEL", "TRACE")]).await;
    // The run logged a lot (the SDK and runtime at DEBUG, their cap) ...
    let lines: Vec<Value> = logs.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(
        lines.iter().filter(|l| l["level"] == "DEBUG").count() > 20,
        "verbose logging is really on:\n{logs}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["fields"]["message"] == "snapshot job result translated")
            .count(),
        3
    );
    // ... and none of it is a secret.
    assert_no_secrets("trace", &logs);
    function.shutdown().await;
}

#[tokio::test]
async fn debug_logs_of_a_full_run_hold_no_credentials_signatures_or_links() {
    let (logs, function) = logs_of_a_full_run(&[("AWS_LAMBDA_LOG_LEVEL", "DEBUG")]).await;
    assert!(
        logs.contains("\"level\":\"DEBUG\""),
        "debug level is really on:\n{logs}"
    );
    assert_no_secrets("debug", &logs);
    function.shutdown().await;
}

#[tokio::test]
async fn info_logs_are_one_line_per_invocation_and_hold_no_secrets() {
    let (logs, function) = logs_of_a_full_run(&[("AWS_LAMBDA_LOG_LEVEL", "INFO")]).await;
    let lines: Vec<Value> = logs.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    // The function's own line per invocation (the runtime adds an ERROR line for each error).
    let messages: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["fields"]["message"].as_str())
        .filter(|m| m.starts_with("snapshot job result"))
        .collect();
    assert!(lines.iter().all(|l| l["level"] != "DEBUG" && l["level"] != "TRACE"));
    assert_eq!(
        messages,
        [
            "snapshot job result translated",
            "snapshot job result failed",
            "snapshot job result failed",
            "snapshot job result translated",
            "snapshot job result translated"
        ],
        "{logs}"
    );
    assert_no_secrets("info", &logs);
    function.shutdown().await;
}

#[tokio::test]
async fn rust_log_cannot_lift_the_cap_on_the_sdk_signing_and_runtime_internals() {
    // Without AWS_LAMBDA_LOG_LEVEL the level comes from RUST_LOG, and its per-crate directives are read;
    // the caps still win for the crates that would log secrets at TRACE.
    let (logs, function) = logs_of_a_full_run(&[(
        "RUST_LOG",
        "trace,aws_sigv4=trace,aws_smithy_runtime=trace,lambda_runtime=trace",
    )])
    .await;
    assert!(
        logs.contains("\"level\":\"DEBUG\""),
        "debug level is really on:\n{logs}"
    );
    assert!(!logs.contains("\"level\":\"TRACE\""), "{logs}");
    assert_no_secrets("RUST_LOG=trace", &logs);
    function.shutdown().await;
}
