//! The process side of the harness, with `/bin/sh` standing in for a bootstrap that misbehaves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Duration;

use harness::{Function, FunctionConfig, Invocation, Stream};
use serde_json::json;

fn shell(script: &str) -> FunctionConfig {
    let mut config = FunctionConfig::new("/bin/sh");
    config.args = vec!["-c".into(), script.into()];
    config
}

/// A bash runtime (HTTP over `/dev/tcp`): answers the first event with `{"echo": event}`, the second with
/// an error, the third with a response that is not JSON.
const BASH_RUNTIME: &str = r#"
api=$AWS_LAMBDA_RUNTIME_API; host=${api%:*}; port=${api#*:}
call() {
  # Once the harness has shut its API down the connection is refused: end quietly, like a runtime would.
  { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || exit 0
  printf '%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' "$1" "$2" "$api" "${#3}" "$3" >&3
  cat <&3
  exec 3<&-
}
echo "init done"
n=0
while :; do
  resp=$(call GET /2018-06-01/runtime/invocation/next "" | tr -d '\r')
  id=$(printf '%s\n' "$resp" | sed -n 's/^lambda-runtime-aws-request-id: //p')
  body=$(printf '%s\n' "$resp" | sed '1,/^$/d')
  # After the harness shuts down, /next answers 503 without an id: stop.
  [ -n "$id" ] || exit 0
  n=$((n+1))
  echo "handling $id" >&2
  case $n in
    1) call POST "/2018-06-01/runtime/invocation/$id/response" "{\"echo\":$body}" >/dev/null ;;
    2) call POST "/2018-06-01/runtime/invocation/$id/error" '{"errorType":"InvalidInput","errorMessage":"no job"}' >/dev/null ;;
    *) call POST "/2018-06-01/runtime/invocation/$id/response" 'plain text' >/dev/null ;;
  esac
done
"#;

#[tokio::test]
async fn a_runtime_speaking_the_protocol_gets_responses_errors_and_timings() {
    let mut config = FunctionConfig::new("/bin/bash");
    config.args = vec!["-c".into(), BASH_RUNTIME.into()];
    let function = Function::start(config).await.unwrap();
    let init = function.wait_ready().await.unwrap();
    assert_eq!(function.init_duration(), Some(init));

    let first = function
        .invoke_report(json!({"SnapshotJobId": "job-1", "Status": 202}))
        .await;
    assert_eq!(
        first.invocation,
        Invocation::Response(json!({"echo": {"SnapshotJobId": "job-1", "Status": 202}}))
    );
    assert_eq!(
        first.invocation.response(),
        Some(&json!({"echo": {"SnapshotJobId": "job-1", "Status": 202}}))
    );
    assert!(first.duration.is_some());
    assert_eq!(
        function.invoke(json!({})).await,
        Invocation::Error {
            error_type: "InvalidInput".to_owned(),
            error_message: "no job".to_owned()
        }
    );
    assert_eq!(
        function.invoke(json!(null)).await,
        Invocation::Response(json!("plain text"))
    );

    let finished = function.shutdown().await;
    let lines = |stream: Stream| -> Vec<String> {
        finished
            .logs
            .iter()
            .filter(|l| l.stream == stream)
            .map(|l| l.text.clone())
            .collect()
    };
    assert_eq!(lines(Stream::Stdout), ["init done"]);
    let handling = lines(Stream::Stderr);
    assert_eq!(handling.len(), 3, "{handling:?}");
    assert_eq!(handling[0], format!("handling {}", first.request_id));
    assert_eq!(finished.stats.init_duration, Some(init));
    assert_eq!(finished.stats.invocation_durations.len(), 3);
    assert_eq!(finished.stats.invocation_durations[0], first.duration.unwrap());
    assert!(finished.stats.peak_rss_kib.is_some_and(|kib| kib > 0));
}

#[tokio::test]
async fn a_process_that_exits_is_reported_as_crashed_with_its_exit_code_and_output() {
    let function = Function::start(shell("echo starting; echo boom >&2; exit 3"))
        .await
        .unwrap();
    let outcome = function.invoke(json!({"SnapshotJobId": "j"})).await;
    let Invocation::Crashed { exit_code, logs } = outcome else {
        panic!("expected Crashed, got {outcome:?}");
    };
    assert_eq!(exit_code, Some(3));
    let mut lines: Vec<&str> = logs.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["boom", "starting"]);
    assert_eq!(function.stdout(), "starting");
    assert_eq!(function.stderr(), "boom");
    let stderr_line = function
        .log_lines()
        .into_iter()
        .find(|l| l.stream == Stream::Stderr)
        .unwrap();
    assert_eq!(stderr_line.text, "boom");
    // Later invocations fail the same way, immediately.
    assert_eq!(
        function.invoke(json!({})).await,
        Invocation::Crashed {
            exit_code: Some(3),
            logs: function.logs()
        }
    );
    assert!(matches!(
        function.wait_ready().await,
        Err(Invocation::Crashed { exit_code: Some(3), .. })
    ));
    let finished = function.shutdown().await;
    assert_eq!(finished.exit_status.and_then(|s| s.code()), Some(3));
    assert_eq!(finished.stats.init_duration, None);
    assert_eq!(finished.stats.invocation_durations, Vec::<Duration>::new());
}

#[tokio::test]
async fn the_process_sees_only_the_explicit_environment() {
    // SAFETY of the assertion: the test process itself certainly has HOME or CARGO_* set.
    assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
    let config = shell("env; exit 0")
        .endpoint("QUICKSIGHT", "http://127.0.0.1:4567")
        .env("EXTRA", "x y");
    let function = Function::start(config.clone()).await.unwrap();
    assert!(matches!(
        function.invoke(json!({})).await,
        Invocation::Crashed { exit_code: Some(0), .. }
    ));
    let seen: BTreeMap<String, String> = function
        .stdout()
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect();
    let runtime_api = function.api().runtime_api_value();
    for (name, value) in config.environment(&runtime_api) {
        assert_eq!(seen.get(&name), Some(&value), "{name}");
    }
    assert_eq!(
        seen.get("AWS_ENDPOINT_URL_QUICKSIGHT").map(String::as_str),
        Some("http://127.0.0.1:4567")
    );
    assert_eq!(seen.get("EXTRA").map(String::as_str), Some("x y"));
    for inherited in [
        "HOME",
        "CARGO_MANIFEST_DIR",
        "CARGO_TARGET_DIR",
        "RUST_LOG",
        "HTTPS_PROXY",
    ] {
        assert_eq!(seen.get(inherited), None, "{inherited} leaked into the function");
    }
}

#[tokio::test]
async fn an_unanswered_invocation_times_out_and_shutdown_kills_the_process() {
    let config = shell("exec sleep 30").timeout(Duration::from_millis(300));
    let function = Function::start(config).await.unwrap();
    let pid = function.pid().unwrap();
    let outcome = function.invoke(json!({})).await;
    assert_eq!(
        outcome,
        Invocation::Timeout {
            after: Duration::from_millis(300)
        }
    );
    let rss = function.peak_rss_kib().unwrap();
    assert!(rss > 0, "VmHWM of a live process is positive");
    let finished = function.shutdown().await;
    assert_eq!(finished.stats.peak_rss_kib, Some(rss).max(finished.stats.peak_rss_kib));
    let status = finished.exit_status.unwrap();
    assert_eq!(status.code(), None, "killed by a signal");
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} is gone"
    );
}

#[tokio::test]
async fn a_missing_bootstrap_is_an_error_naming_the_path() {
    let error = Function::start(FunctionConfig::new("/nonexistent/bootstrap"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
    assert!(error.to_string().contains("/nonexistent/bootstrap"), "{error}");
}

#[tokio::test]
async fn wait_ready_gives_up_after_the_init_timeout() {
    let mut config = shell("exec sleep 30");
    config.init_timeout = Duration::from_millis(200);
    let function = Function::start(config).await.unwrap();
    assert_eq!(
        function.wait_ready().await,
        Err(Invocation::Timeout {
            after: Duration::from_millis(200)
        })
    );
}

#[tokio::test]
async fn dropping_the_function_kills_the_process() {
    let function = Function::start(shell("exec sleep 30")).await.unwrap();
    let pid = function.pid().unwrap();
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    drop(function);
    let mut gone = false;
    for _ in 0..100 {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Gone, or a zombie awaiting the reaper.
        if state.is_empty() || state.split_whitespace().nth(2) == Some("Z") {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(gone, "process {pid} still running after drop");
}
