//! `make demo`: the whole flow on this machine, with no AWS.
//!
//! Starts the QuickSight emulator in-process, starts snapshot jobs with the real aws-sdk-quicksight
//! client, and invokes the real `bootstrap` binary through the loopback Runtime API with each Start
//! output as the event: while a job runs (PENDING), after it completed (SUCCEEDED), for a job that
//! failed (FAILED) and for one with a per-file error (PARTIAL); the last two get their behaviour from
//! emulator scenarios (the typed form of `POST /_emulator/scenarios`). Everything it starts is stopped before
//! it exits, also on error.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::types::SnapshotJobStatus;
use harness::quicksight::{self, JobShape, REGION, StartJob};
use harness::{Function, FunctionConfig, Invocation, Stream};
use quicksight_emulator::{FileError, Handle, Scenario};
use serde_json::{Value, json};

type DemoResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

const ACCOUNT: &str = "111122223333";
const DASHBOARD: &str = "sales-overview";
const BUCKET: &str = "demo-snapshots";
const PREFIX: &str = "reports/";

const USAGE: &str = "usage: demo --bootstrap PATH\n\n\
Runs the snapshot-result Lambda (PATH, normally $CARGO_TARGET_DIR/debug/bootstrap) against a local\n\
QuickSight emulator through a local Lambda Runtime API. Nothing leaves 127.0.0.1.";

fn parse_args() -> Result<PathBuf, String> {
    let mut args = std::env::args().skip(1);
    let mut bootstrap = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bootstrap" => bootstrap = args.next().map(PathBuf::from),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    let bootstrap = bootstrap.ok_or_else(|| USAGE.to_owned())?;
    if !bootstrap.is_file() {
        return Err(format!(
            "{} does not exist; build it first with `make build` (cargo build --workspace --bins)",
            bootstrap.display()
        ));
    }
    Ok(bootstrap)
}

#[tokio::main]
async fn main() -> ExitCode {
    let bootstrap = match parse_args() {
        Ok(path) => path,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(bootstrap).await {
        Ok(0) => {
            println!("\ndemo: every step produced the expected outcome");
            ExitCode::SUCCESS
        }
        Ok(mismatches) => {
            eprintln!("\ndemo: {mismatches} step(s) did not produce the expected outcome");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("\ndemo failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the emulator and the function, runs the steps, and stops both whatever happened.
async fn run(bootstrap: PathBuf) -> DemoResult<usize> {
    let emulator = quicksight_emulator::spawn(quicksight_emulator::Config {
        queued_for: Duration::from_secs(1),
        running_for: Duration::from_secs(2),
        default_region: REGION.to_owned(),
        ..quicksight_emulator::Config::default()
    })
    .await?;
    let endpoint = emulator.endpoint();
    println!("QuickSight emulator listening on {endpoint} (jobs: QUEUED 1 s, then RUNNING 2 s)");

    let config = FunctionConfig::new(&bootstrap)
        .endpoint("QUICKSIGHT", endpoint.clone())
        .endpoint("SNS", "http://127.0.0.1:9")
        .log_level("info")
        .timeout(Duration::from_secs(15));
    let function = match Function::start(config).await {
        Ok(function) => function,
        Err(error) => {
            emulator.shutdown().await;
            return Err(error.into());
        }
    };
    println!(
        "bootstrap {} started (pid {}), Runtime API on {}",
        bootstrap.display(),
        function.pid().map_or_else(|| "?".to_owned(), |p| p.to_string()),
        function.api().runtime_api_value()
    );

    let outcome = steps(&emulator, &function).await;

    let finished = function.shutdown().await;
    emulator.shutdown().await;

    section("bootstrap logs (stdout and stderr, captured by the harness)");
    for line in &finished.logs {
        let stream = match line.stream {
            Stream::Stdout => "out",
            Stream::Stderr => "err",
        };
        println!("  {stream} │ {}", line.text);
    }
    section("measurements");
    let stats = &finished.stats;
    println!("  init (spawn to first GET /next): {}", millis(stats.init_duration));
    for (n, duration) in stats.invocation_durations.iter().enumerate() {
        println!(
            "  invocation {} (event handed out to answer): {}",
            n + 1,
            millis(Some(*duration))
        );
    }
    match stats.peak_rss_kib {
        Some(kib) => println!("  peak RSS (VmHWM): {kib} KiB"),
        None => println!("  peak RSS (VmHWM): not available"),
    }
    println!("stopped the bootstrap and the emulator");
    outcome
}

async fn steps(emulator: &Handle, function: &Function) -> DemoResult<usize> {
    let quicksight = quicksight::client(&emulator.endpoint());
    let mut mismatches = 0;

    match function.wait_ready().await {
        Ok(init) => println!("bootstrap initialised in {}", millis(Some(init))),
        Err(failure) => return Err(format!("the bootstrap did not start: {failure:?}").into()),
    }

    section("1. StartDashboardSnapshotJob (real aws-sdk-quicksight client)");
    let daily = start_job(&quicksight, "demo-daily-report").await?;
    println!("Start output, used as the Lambda event:\n{}", pretty(&daily));

    section("2. Invoke the Lambda while the job is still running");
    // The job is QUEUED for 1 s: let it reach RUNNING, as a state machine's first Wait would.
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    mismatches += invoke(function, &daily, "PENDING").await;

    section("3. Wait for the job to finish (DescribeDashboardSnapshotJob)");
    wait_terminal(&quicksight, "demo-daily-report").await?;

    section("4. Invoke the Lambda again");
    mismatches += invoke(function, &daily, "SUCCEEDED").await;

    section("5. Two more jobs: one denied access, one with a restricted file");
    let denied_scenario = Scenario {
        queued_seconds: Some(0.5),
        running_seconds: Some(0.5),
        ..Scenario::failed(
            "DASHBOARD_ACCESS_DENIED",
            "The snapshot job's identity cannot access dashboard sales-overview.",
        )
    };
    set_scenario(emulator, "demo-access-denied", denied_scenario)?;
    let partial_scenario = Scenario {
        file_errors: vec![FileError::new(
            1,
            "CAPABILITY_RESTRICTED",
            "CSV export is restricted for this user's capabilities.",
        )],
        queued_seconds: Some(0.5),
        running_seconds: Some(0.5),
        ..Scenario::default()
    };
    set_scenario(emulator, "demo-partial", partial_scenario)?;
    let denied = start_job(&quicksight, "demo-access-denied").await?;
    let partial = start_job(&quicksight, "demo-partial").await?;
    println!("started demo-access-denied and demo-partial");
    wait_terminal(&quicksight, "demo-access-denied").await?;
    wait_terminal(&quicksight, "demo-partial").await?;

    section("6. Invoke the Lambda for the failed job");
    mismatches += invoke(function, &denied, "FAILED").await;

    section("7. Invoke the Lambda for the job with a per-file error");
    mismatches += invoke(function, &partial, "PARTIAL").await;

    Ok(mismatches)
}

/// Starts a job and returns its output in the shape a state machine passes on:
/// `{"Arn","SnapshotJobId","RequestId","Status"}`.
async fn start_job(client: &Client, job_id: &str) -> DemoResult<Value> {
    let configuration = quicksight::snapshot_configuration(JobShape {
        bucket: BUCKET,
        prefix: PREFIX,
        csv_visual: "visual-revenue-by-region",
    })?;
    let job = StartJob {
        account: ACCOUNT,
        dashboard: DASHBOARD,
        job_id,
        configuration,
        user: quicksight::anonymous_user(Some(("region", "EMEA")))?,
    };
    Ok(quicksight::start_job(client, job).await?)
}

/// Polls DescribeDashboardSnapshotJob until COMPLETED or FAILED, printing each status change.
async fn wait_terminal(quicksight: &Client, job_id: &str) -> DemoResult<()> {
    let started = Instant::now();
    let mut last: Option<SnapshotJobStatus> = None;
    loop {
        let described = quicksight
            .describe_dashboard_snapshot_job()
            .aws_account_id(ACCOUNT)
            .dashboard_id(DASHBOARD)
            .snapshot_job_id(job_id)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "DescribeDashboardSnapshotJob {job_id}: {}",
                    aws_sdk_quicksight::error::DisplayErrorContext(e)
                )
            })?;
        let status = described.job_status().cloned();
        if status != last {
            let shown = status.as_ref().map_or("(none)", SnapshotJobStatus::as_str);
            println!("  {job_id}: {shown} after {}", millis(Some(started.elapsed())));
            last = status;
        }
        if matches!(last, Some(SnapshotJobStatus::Completed | SnapshotJobStatus::Failed)) {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("{job_id} did not finish within 30 s").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn set_scenario(emulator: &Handle, job_id: &str, scenario: Scenario) -> DemoResult<()> {
    let shown = serde_json::to_string(&scenario)?;
    emulator.set_job_scenario(ACCOUNT, DASHBOARD, job_id, scenario)?;
    println!("  emulator scenario for {job_id}: {shown}");
    Ok(())
}

/// Invokes the function, prints the outcome, and returns 1 if it differs from `expected`.
async fn invoke(function: &Function, event: &Value, expected: &str) -> usize {
    let report = function.invoke_report(event.clone()).await;
    println!("invoked request {} ({}):", report.request_id, millis(report.duration));
    let got = match &report.invocation {
        Invocation::Response(output) => {
            println!("{}", pretty(output));
            println!("=> {}", headline(output));
            output
                .get("outcome")
                .and_then(Value::as_str)
                .unwrap_or("(no outcome)")
                .to_owned()
        }
        Invocation::Error {
            error_type,
            error_message,
        } => {
            println!(
                "{}",
                pretty(&json!({"errorType": error_type, "errorMessage": error_message}))
            );
            println!("=> error {error_type}: {error_message}");
            format!("error {error_type}")
        }
        other => {
            println!("=> the function did not answer: {other:?}");
            "(no answer)".to_owned()
        }
    };
    if got == expected {
        println!("   ✓ outcome {expected}, as expected");
        0
    } else {
        println!("   ✗ expected outcome {expected}, got {got}");
        1
    }
}

/// One line: outcome, job status, files and errors, retry hint and the Lambda's own summary.
fn headline(output: &Value) -> String {
    let text = |key: &str| output.get(key).and_then(Value::as_str).unwrap_or("?").to_owned();
    let count = |key: &str| output.get(key).and_then(Value::as_array).map_or(0, Vec::len);
    let mut line = format!(
        "{} · job {} · {} file(s) · {} error(s)",
        text("outcome"),
        text("jobStatus"),
        count("files"),
        count("errors")
    );
    if let Some(seconds) = output.get("retryAfterSeconds").and_then(Value::as_u64) {
        line.push_str(&format!(" · retry in {seconds} s"));
    }
    if let Some(summary) = output.get("summary").and_then(Value::as_str) {
        line.push_str(&format!(" · {summary}"));
    }
    line
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

fn millis(duration: Option<Duration>) -> String {
    duration.map_or_else(|| "n/a".to_owned(), |d| format!("{:.1} ms", d.as_secs_f64() * 1000.0))
}

fn section(title: &str) {
    println!("\n── {title} {}", "─".repeat(100usize.saturating_sub(title.len() + 4)));
}
