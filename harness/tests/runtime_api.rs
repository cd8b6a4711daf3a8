//! The Runtime API served over real HTTP, driven the way `lambda_runtime` 1.5 drives it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use harness::http::LoopbackClient;
use harness::{ApiSettings, Completion, RuntimeApi};
use hyper::http::{Method, StatusCode};
use serde_json::json;

const NEXT: &str = "/2018-06-01/runtime/invocation/next";

async fn api() -> RuntimeApi {
    RuntimeApi::start(ApiSettings::for_function("snap-fn", "eu-west-1"))
        .await
        .unwrap()
}

fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()
}

#[tokio::test]
async fn next_hands_out_the_event_with_the_lambda_headers_and_response_completes_it() {
    let api = api().await;
    let client = LoopbackClient::new();
    let submitted = api.submit(
        &json!({"SnapshotJobId": "job-1", "Status": 202}),
        Duration::from_secs(30),
    );
    let request_id = submitted.request_id.clone();

    let before = now_ms();
    let next = client.get(&format!("{}{NEXT}", api.base_url())).await.unwrap();
    assert_eq!(next.status, StatusCode::OK);
    assert_eq!(next.json().unwrap(), json!({"SnapshotJobId": "job-1", "Status": 202}));
    assert_eq!(next.header("lambda-runtime-aws-request-id"), Some(request_id.as_str()));
    assert_eq!(
        next.header("lambda-runtime-invoked-function-arn"),
        Some("arn:aws:lambda:eu-west-1:000000000000:function:snap-fn")
    );
    assert_eq!(next.header("content-type"), Some("application/json"));
    let deadline: u128 = next.header("lambda-runtime-deadline-ms").unwrap().parse().unwrap();
    assert!(
        deadline >= before + 29_000 && deadline <= now_ms() + 30_000,
        "deadline {deadline}"
    );
    let trace = next.header("lambda-runtime-trace-id").unwrap();
    assert!(trace.starts_with("Root=1-") && trace.ends_with(";Sampled=0"), "{trace}");

    let posted = client
        .post_json(
            &format!("{}/2018-06-01/runtime/invocation/{request_id}/response", api.base_url()),
            &json!({"outcome": "PENDING"}),
        )
        .await
        .unwrap();
    assert_eq!(posted.status, StatusCode::ACCEPTED);
    assert_eq!(posted.json().unwrap(), json!({"status": "OK"}));

    let completed = submitted.completed().await.unwrap();
    assert_eq!(completed.request_id, request_id);
    assert_eq!(
        completed.completion,
        Completion::Response(json!({"outcome": "PENDING"}))
    );
    assert!(completed.duration < Duration::from_secs(5));
    assert_eq!(api.poll_count(), 1);
    assert!(api.first_poll_at().is_some());
}

#[tokio::test]
async fn error_route_reports_the_diagnostic_and_the_error_type_header() {
    let api = api().await;
    let client = LoopbackClient::new();
    let submitted = api.submit(&json!({}), Duration::from_secs(3));
    let next = client.get(&format!("{}{NEXT}", api.base_url())).await.unwrap();
    let id = next.header("lambda-runtime-aws-request-id").unwrap().to_owned();

    let posted = client
        .send(
            Method::POST,
            &format!("{}/2018-06-01/runtime/invocation/{id}/error", api.base_url()),
            &[("lambda-runtime-function-error-type", "unhandled")],
            r#"{"errorType":"InvalidInput","errorMessage":"missing snapshotJobId"}"#,
        )
        .await
        .unwrap();
    assert_eq!(posted.status, StatusCode::ACCEPTED);

    let completed = submitted.completed().await.unwrap();
    assert_eq!(
        completed.completion,
        Completion::Error {
            error_type: "InvalidInput".to_owned(),
            error_message: "missing snapshotJobId".to_owned(),
            function_error_type: Some("unhandled".to_owned()),
        }
    );
}

#[tokio::test]
async fn answering_an_unknown_or_already_answered_request_id_is_a_400() {
    let api = api().await;
    let client = LoopbackClient::new();
    let submitted = api.submit(&json!(1), Duration::from_secs(3));
    let next = client.get(&format!("{}{NEXT}", api.base_url())).await.unwrap();
    let id = next.header("lambda-runtime-aws-request-id").unwrap().to_owned();
    let url = format!("{}/2018-06-01/runtime/invocation/{id}/response", api.base_url());
    assert_eq!(
        client.post_json(&url, &json!(2)).await.unwrap().status,
        StatusCode::ACCEPTED
    );
    let again = client.post_json(&url, &json!(3)).await.unwrap();
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.json().unwrap()["errorType"], json!("InvalidRequestID"));
    let unknown = client
        .post_json(
            &format!("{}/2018-06-01/runtime/invocation/nope/error", api.base_url()),
            &json!({}),
        )
        .await
        .unwrap();
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        submitted.completed().await.unwrap().completion,
        Completion::Response(json!(2))
    );
}

#[tokio::test]
async fn next_long_polls_until_an_event_is_submitted_and_serves_events_in_order() {
    let api = api().await;
    let client = LoopbackClient::new();
    let url = format!("{}{NEXT}", api.base_url());
    let poll = tokio::spawn({
        let client = client.clone();
        let url = url.clone();
        async move { client.get(&url).await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!poll.is_finished(), "GET /next must wait for an event");
    let first = api.submit(&json!({"n": 1}), Duration::from_secs(3));
    let second = api.submit(&json!({"n": 2}), Duration::from_secs(3));
    let got = poll.await.unwrap();
    assert_eq!(got.json().unwrap(), json!({"n": 1}));
    assert_eq!(
        got.header("lambda-runtime-aws-request-id"),
        Some(first.request_id.as_str())
    );
    let got = client.get(&url).await.unwrap();
    assert_eq!(got.json().unwrap(), json!({"n": 2}));
    assert_eq!(
        got.header("lambda-runtime-aws-request-id"),
        Some(second.request_id.as_str())
    );
    assert_ne!(first.request_id, second.request_id);
}

#[tokio::test]
async fn an_event_whose_caller_gave_up_is_never_handed_out() {
    let api = api().await;
    let client = LoopbackClient::new();
    drop(api.submit(&json!({"n": "abandoned"}), Duration::from_secs(3)));
    let kept = api.submit(&json!({"n": "kept"}), Duration::from_secs(3));
    let got = client.get(&format!("{}{NEXT}", api.base_url())).await.unwrap();
    assert_eq!(got.json().unwrap(), json!({"n": "kept"}));
    assert_eq!(
        got.header("lambda-runtime-aws-request-id"),
        Some(kept.request_id.as_str())
    );
}

#[tokio::test]
async fn init_error_is_recorded() {
    let api = api().await;
    let client = LoopbackClient::new();
    assert_eq!(api.init_error(), None);
    let posted = client
        .send(
            Method::POST,
            &format!("{}/2018-06-01/runtime/init/error", api.base_url()),
            &[("lambda-runtime-function-error-type", "Runtime.InitError")],
            r#"{"errorType":"ConfigError","errorMessage":"SNS_TOPIC_ARN is not an ARN"}"#,
        )
        .await
        .unwrap();
    assert_eq!(posted.status, StatusCode::ACCEPTED);
    assert_eq!(
        api.init_error(),
        Some(harness::Diagnostic {
            error_type: "ConfigError".to_owned(),
            error_message: "SNS_TOPIC_ARN is not an ARN".to_owned(),
        })
    );
}

#[tokio::test]
async fn shutdown_ends_a_pending_long_poll() {
    let api = api().await;
    let client = LoopbackClient::new();
    let url = format!("{}{NEXT}", api.base_url());
    let poll = tokio::spawn(async move { client.get(&url).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    api.shutdown();
    let answered = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answered.unwrap().status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn runtime_api_value_is_host_and_port_without_scheme() {
    let api = api().await;
    let value = api.runtime_api_value();
    assert!(value.starts_with("127.0.0.1:"), "{value}");
    assert_eq!(api.base_url(), format!("http://{value}"));
}
