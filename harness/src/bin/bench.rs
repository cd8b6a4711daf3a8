//! `make bench`: cold start, warm latency, memory and artifact size of the release `bootstrap`, side by
//! side with a Python boto3 peer run by awslambdaric, on the same loopback Runtime API against the same
//! in-process QuickSight emulator, in one run. Prints a table and writes JSON (see `scripts/bench.sh`).
//!
//! Measured per function: init (spawn to the first `GET /runtime/invocation/next`) over `--cold`
//! fresh processes, the first invocation of each of those, `--warm` further invocations of one process
//! (event handed out to answer posted), and peak RSS (VmHWM). The emulator's own service time for the
//! same call is measured twice: a plain keep-alive HTTP GET (the floor) and the Rust SDK in this process.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use harness::function::{DUMMY_ACCESS_KEY_ID, read_vm_hwm_kib};
use harness::http::LoopbackClient;
use harness::quicksight::{self, JobShape, REGION, StartJob};
use harness::{Function, FunctionConfig, Invocation};
use quicksight_emulator::Handle;
use serde_json::{Value, json};

type BenchResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

const ACCOUNT: &str = "111122223333";
const DASHBOARD: &str = "sales-overview";
const JOB: &str = "bench-completed";

const USAGE: &str = "usage: bench --bootstrap PATH --python PATH --peer-dir DIR [--cold N] [--warm N]\n\
             [--ours-zip ZIP] [--peer-zip ZIP] [--peer-bundle-zip ZIP] [--facts JSON] [--out JSON]\n\n\
Benchmarks the release bootstrap against the Python peer (`PYTHON -m awslambdaric handler.handler` with\n\
DIR on PYTHONPATH). --facts is a JSON object from scripts/bench.sh (build times, tool versions) copied\n\
into the results. Nothing leaves 127.0.0.1.";

struct Args {
    bootstrap: PathBuf,
    python: PathBuf,
    peer_dir: PathBuf,
    cold: usize,
    warm: usize,
    ours_zip: Option<PathBuf>,
    peer_zip: Option<PathBuf>,
    peer_bundle_zip: Option<PathBuf>,
    facts: Option<PathBuf>,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut bootstrap, mut python, mut peer_dir) = (None, None, None);
    let (mut cold, mut warm) = (25, 1000);
    let (mut ours_zip, mut peer_zip, mut peer_bundle_zip, mut facts, mut out) = (None, None, None, None, None);
    let count = |v: Option<String>| -> Result<usize, String> {
        v.and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("a count is needed\n\n{USAGE}"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bootstrap" => bootstrap = args.next().map(PathBuf::from),
            "--python" => python = args.next().map(PathBuf::from),
            "--peer-dir" => peer_dir = args.next().map(PathBuf::from),
            "--cold" => cold = count(args.next())?,
            "--warm" => warm = count(args.next())?,
            "--ours-zip" => ours_zip = args.next().map(PathBuf::from),
            "--peer-zip" => peer_zip = args.next().map(PathBuf::from),
            "--peer-bundle-zip" => peer_bundle_zip = args.next().map(PathBuf::from),
            "--facts" => facts = args.next().map(PathBuf::from),
            "--out" => out = args.next().map(PathBuf::from),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    let (Some(bootstrap), Some(python), Some(peer_dir)) = (bootstrap, python, peer_dir) else {
        return Err(USAGE.to_owned());
    };
    if cold == 0 || warm == 0 {
        return Err(format!("--cold and --warm must be at least 1\n\n{USAGE}"));
    }
    Ok(Args {
        bootstrap,
        python,
        peer_dir,
        cold,
        warm,
        ours_zip,
        peer_zip,
        peer_bundle_zip,
        facts,
        out,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let emulator = match quicksight_emulator::spawn(quicksight_emulator::Config {
        queued_for: Duration::ZERO,
        running_for: Duration::ZERO,
        ..quicksight_emulator::Config::default()
    })
    .await
    {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("bench: cannot start the QuickSight emulator: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = run(&args, &emulator).await;
    emulator.shutdown().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Which function a configuration starts.
#[derive(Clone, Copy)]
enum Kind {
    Ours,
    Peer,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Ours => "ours",
            Kind::Peer => "peer",
        }
    }

    fn config(self, args: &Args, endpoint: &str) -> BenchResult<FunctionConfig> {
        self.config_with(args, endpoint, &[])
    }

    fn config_with(self, args: &Args, endpoint: &str, extra: &[(&str, &str)]) -> BenchResult<FunctionConfig> {
        let config = match self {
            Kind::Ours => FunctionConfig::new(&args.bootstrap),
            Kind::Peer => {
                let peer_dir = std::fs::canonicalize(&args.peer_dir)?;
                let mut config = FunctionConfig::new(&args.python).env("PYTHONPATH", peer_dir.to_string_lossy());
                config.args = vec!["-m".into(), "awslambdaric".into(), "handler.handler".into()];
                config
            }
        };
        // As deployed: the template's LoggingConfig sets LogFormat JSON.
        let mut config = config.endpoint("QUICKSIGHT", endpoint).log_format("JSON");
        config.init_timeout = Duration::from_secs(30);
        for (name, value) in extra {
            config = config.env(*name, *value);
        }
        Ok(config)
    }
}

/// What one function's runs produced.
#[derive(Default)]
struct Samples {
    init: Vec<Duration>,
    first: Vec<Duration>,
    warm: Vec<Duration>,
    peak_rss_kib: u64,
    output: Option<Value>,
}

async fn run(args: &Args, emulator: &Handle) -> BenchResult<()> {
    let endpoint = emulator.endpoint();
    let sdk = quicksight::client(&endpoint);
    let arn = start_completed_job(&sdk).await?;
    let event = json!({ "arn": arn });

    eprintln!(
        "bench: service time of the emulator ({} calls each, plain HTTP and Rust SDK)",
        args.warm
    );
    let raw = raw_service_times(&endpoint, args.warm).await?;
    let in_process = sdk_service_times(&sdk, args.warm).await?;

    let mut ours = Samples::default();
    let mut peer = Samples::default();
    eprintln!("bench: {} cold starts each, interleaved", args.cold);
    for _ in 0..args.cold {
        for (kind, samples) in [(Kind::Ours, &mut ours), (Kind::Peer, &mut peer)] {
            cold_start(kind, args, &endpoint, &event, samples).await?;
        }
    }
    let variants = init_variants(args, &endpoint, &event).await?;
    for (kind, samples) in [(Kind::Ours, &mut ours), (Kind::Peer, &mut peer)] {
        eprintln!("bench: {} warm invocations of {}", args.warm, kind.name());
        warm_run(kind, args, &endpoint, &event, samples).await?;
    }
    // The two functions must have answered the same document (request ids aside).
    let (Some(a), Some(b)) = (&ours.output, &peer.output) else {
        return Err("no output recorded".into());
    };
    if without_request_id(a) != without_request_id(b) {
        return Err(format!("the outputs differ:\nours: {a:#}\npeer: {b:#}").into());
    }

    let mut results = report(args, &raw, &in_process, &ours, &peer, a)?;
    results["ours_init_by_ca_store"] = variants;
    print_table(&results);
    if let Some(out) = &args.out {
        std::fs::write(out, format!("{}\n", serde_json::to_string_pretty(&results)?))?;
        eprintln!("bench: wrote {}", out.display());
    }
    Ok(())
}

/// Where our init time goes: the default HTTPS client loads the platform's CA certificates when the
/// SDK configuration is loaded (aws-config's default credential chain builds an STS client, whose
/// validation builds the TLS connector). `SSL_CERT_FILE` limits that to one bundle (as on Amazon
/// Linux 2023, one file), `/dev/null` removes it (a lower bound for everything else at init).
async fn init_variants(args: &Args, endpoint: &str, event: &Value) -> BenchResult<Value> {
    let variants: [(&str, &[(&str, &str)]); 3] = [
        ("platform_default", &[]),
        (
            "ssl_cert_file_bundle_only",
            &[("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")],
        ),
        ("ssl_cert_file_dev_null", &[("SSL_CERT_FILE", "/dev/null")]),
    ];
    eprintln!("bench: {} cold starts of ours per CA-store variant", args.cold);
    let mut samples: Vec<Samples> = variants.iter().map(|_| Samples::default()).collect();
    for _ in 0..args.cold {
        for ((_, extra), samples) in variants.iter().zip(samples.iter_mut()) {
            cold_start_with(Kind::Ours, args, endpoint, event, extra, samples).await?;
        }
    }
    let mut out = serde_json::Map::new();
    for ((name, extra), samples) in variants.iter().zip(&samples) {
        let env: serde_json::Map<String, Value> = extra.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
        out.insert(
            (*name).to_owned(),
            json!({"env": env, "init_ms": summary(&samples.init), "first_invocation_ms": summary(&samples.first)}),
        );
    }
    Ok(Value::Object(out))
}

fn without_request_id(output: &Value) -> Value {
    let mut output = output.clone();
    if let Some(map) = output.as_object_mut() {
        map.remove("requestId");
    }
    output
}

async fn cold_start(kind: Kind, args: &Args, endpoint: &str, event: &Value, samples: &mut Samples) -> BenchResult<()> {
    cold_start_with(kind, args, endpoint, event, &[], samples).await
}

async fn cold_start_with(
    kind: Kind,
    args: &Args,
    endpoint: &str,
    event: &Value,
    extra: &[(&str, &str)],
    samples: &mut Samples,
) -> BenchResult<()> {
    let function = Function::start(kind.config_with(args, endpoint, extra)?).await?;
    let init = match function.wait_ready().await {
        Ok(init) => init,
        Err(outcome) => return Err(format!("{} did not start: {outcome:?}", kind.name()).into()),
    };
    let report = function.invoke_report(event.clone()).await;
    let output = expect_success(kind, &report.invocation)?;
    let duration = report.duration.ok_or("no duration recorded")?;
    samples.init.push(init);
    samples.first.push(duration);
    samples.output.get_or_insert(output);
    let finished = function.shutdown().await;
    samples.peak_rss_kib = samples.peak_rss_kib.max(finished.stats.peak_rss_kib.unwrap_or(0));
    Ok(())
}

async fn warm_run(kind: Kind, args: &Args, endpoint: &str, event: &Value, samples: &mut Samples) -> BenchResult<()> {
    let function = Function::start(kind.config(args, endpoint)?).await?;
    if let Err(outcome) = function.wait_ready().await {
        return Err(format!("{} did not start: {outcome:?}", kind.name()).into());
    }
    // The first invocation of this process is a cold one: counted with the cold starts' above, not here.
    expect_success(kind, &function.invoke(event.clone()).await)?;
    for _ in 0..args.warm {
        let report = function.invoke_report(event.clone()).await;
        expect_success(kind, &report.invocation)?;
        samples.warm.push(report.duration.ok_or("no duration recorded")?);
    }
    let rss = function.pid().and_then(read_vm_hwm_kib);
    samples.peak_rss_kib = samples.peak_rss_kib.max(rss.unwrap_or(0));
    function.shutdown().await;
    Ok(())
}

fn expect_success(kind: Kind, invocation: &Invocation) -> BenchResult<Value> {
    match invocation {
        Invocation::Response(output) if output["outcome"] == "SUCCEEDED" => Ok(output.clone()),
        other => Err(format!("{} did not answer SUCCEEDED: {other:?}", kind.name()).into()),
    }
}

/// A job like the demo's: a PDF of a whole sheet and a CSV of one visual, to S3. The emulator runs
/// with zero queue and run time, so it is COMPLETED at once.
async fn start_completed_job(client: &aws_sdk_quicksight::Client) -> BenchResult<String> {
    let configuration = quicksight::snapshot_configuration(JobShape {
        bucket: "bench-snapshots",
        prefix: "reports/",
        csv_visual: "visual-7",
    })?;
    let job = StartJob {
        account: ACCOUNT,
        dashboard: DASHBOARD,
        job_id: JOB,
        configuration,
        user: quicksight::anonymous_user(None)?,
    };
    let started = quicksight::start_job(client, job).await?;
    Ok(started["Arn"]
        .as_str()
        .ok_or("StartDashboardSnapshotJob returned no Arn")?
        .to_owned())
}

fn result_path() -> String {
    format!("/accounts/{ACCOUNT}/dashboards/{DASHBOARD}/snapshot-jobs/{JOB}/result")
}

/// The emulator's service time seen by a minimal keep-alive HTTP/1 client: the floor under any SDK.
/// The emulator reads only the caller's access key and region from `Authorization`; it does not
/// verify signatures, so a fixed header stands in for SigV4.
async fn raw_service_times(endpoint: &str, n: usize) -> BenchResult<Vec<Duration>> {
    let client = LoopbackClient::new();
    let url = format!("{endpoint}{}", result_path());
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={DUMMY_ACCESS_KEY_ID}/20260101/{REGION}/quicksight/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=0"
    );
    let headers = [
        ("authorization", authorization.as_str()),
        ("x-amz-date", "20260101T000000Z"),
    ];
    let mut times = Vec::with_capacity(n);
    for i in 0..n + 20 {
        let started = Instant::now();
        let response = client
            .send(hyper::Method::GET, &url, &headers, axum::body::Bytes::new())
            .await?;
        let elapsed = started.elapsed();
        if response.status != 200 || response.json()?["JobStatus"] != "COMPLETED" {
            return Err(format!("plain GET answered {}: {:?}", response.status, response.body).into());
        }
        // The first calls open the connection and warm the caches.
        if i >= 20 {
            times.push(elapsed);
        }
    }
    Ok(times)
}

/// The same call through the Rust SDK in this process (signing, retries, deserialising included).
async fn sdk_service_times(client: &aws_sdk_quicksight::Client, n: usize) -> BenchResult<Vec<Duration>> {
    let mut times = Vec::with_capacity(n);
    for i in 0..n + 20 {
        let started = Instant::now();
        client
            .describe_dashboard_snapshot_job_result()
            .aws_account_id(ACCOUNT)
            .dashboard_id(DASHBOARD)
            .snapshot_job_id(JOB)
            .send()
            .await?;
        if i >= 20 {
            times.push(started.elapsed());
        }
    }
    Ok(times)
}

/// Nearest-rank percentile in milliseconds (`p` in 0..=100).
fn percentile_ms(samples: &[Duration], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    round3(sorted[index].as_secs_f64() * 1000.0)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn summary(samples: &[Duration]) -> Value {
    json!({
        "n": samples.len(),
        "min": percentile_ms(samples, 0.0),
        "p50": percentile_ms(samples, 50.0),
        "p99": percentile_ms(samples, 99.0),
        "max": percentile_ms(samples, 100.0),
    })
}

fn file_size(path: Option<&Path>) -> Option<u64> {
    path.and_then(|p| std::fs::metadata(p).ok()).map(|m| m.len())
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        cpuinfo
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
    };
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_owned()));
    let memory_kib = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()));
    json!({
        "cpu_model": field("model name"),
        "cpu_mhz": field("cpu MHz"),
        "cores": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_owned()),
        "os": os,
        "memory_mib": memory_kib.map(|k| k / 1024),
        "arch": std::env::consts::ARCH,
        // Other work on the machine during the run (1, 5 and 15 minute load averages at the end).
        "loadavg": std::fs::read_to_string("/proc/loadavg").ok().map(|s| s.trim().to_owned()),
    })
}

fn function_json(samples: &Samples, binary: Option<u64>, zip: Option<u64>, service_p50: f64) -> Value {
    let warm_p50 = percentile_ms(&samples.warm, 50.0);
    json!({
        "init_ms": summary(&samples.init),
        "first_invocation_ms": summary(&samples.first),
        "warm_ms": summary(&samples.warm),
        "warm_overhead_p50_ms": round3(warm_p50 - service_p50),
        "peak_rss_kib": samples.peak_rss_kib,
        "binary_bytes": binary,
        "zip_bytes": zip,
    })
}

fn report(
    args: &Args,
    raw: &[Duration],
    in_process: &[Duration],
    ours: &Samples,
    peer: &Samples,
    output: &Value,
) -> BenchResult<Value> {
    let facts: Value = match &args.facts {
        Some(path) => serde_json::from_str(&std::fs::read_to_string(path)?)?,
        None => Value::Null,
    };
    let service_p50 = percentile_ms(raw, 50.0);
    let ours_json = function_json(
        ours,
        file_size(Some(&args.bootstrap)),
        file_size(args.ours_zip.as_deref()),
        service_p50,
    );
    let mut peer_json = function_json(peer, None, file_size(args.peer_zip.as_deref()), service_p50);
    peer_json["bundle_zip_bytes"] = json!(file_size(args.peer_bundle_zip.as_deref()));
    let ratio = |a: &Value, b: &Value| match (a.as_f64(), b.as_f64()) {
        (Some(a), Some(b)) if b > 0.0 => json!(round3(a / b)),
        _ => Value::Null,
    };
    let ratios = json!({
        "init_p50": ratio(&ours_json["init_ms"]["p50"], &peer_json["init_ms"]["p50"]),
        "init_max": ratio(&ours_json["init_ms"]["max"], &peer_json["init_ms"]["max"]),
        "first_invocation_p50": ratio(&ours_json["first_invocation_ms"]["p50"], &peer_json["first_invocation_ms"]["p50"]),
        "warm_p50": ratio(&ours_json["warm_ms"]["p50"], &peer_json["warm_ms"]["p50"]),
        "warm_p99": ratio(&ours_json["warm_ms"]["p99"], &peer_json["warm_ms"]["p99"]),
        "warm_overhead_p50": ratio(&ours_json["warm_overhead_p50_ms"], &peer_json["warm_overhead_p50_ms"]),
        "peak_rss": ratio(&ours_json["peak_rss_kib"], &peer_json["peak_rss_kib"]),
        "zip_vs_peer_bundle": ratio(&ours_json["zip_bytes"], &peer_json["bundle_zip_bytes"]),
        "zip_vs_peer_handler_only": ratio(&ours_json["zip_bytes"], &peer_json["zip_bytes"]),
    });
    let target = |value: &Value, limit: f64, below: bool| {
        let met = value.as_f64().map(|v| if below { v < limit } else { v >= limit });
        json!({"value": value, "target": limit, "met": met})
    };
    let init_speedup = match (
        peer_json["init_ms"]["p50"].as_f64(),
        ours_json["init_ms"]["p50"].as_f64(),
    ) {
        (Some(p), Some(o)) if o > 0.0 => json!(round3(p / o)),
        _ => Value::Null,
    };
    let targets = json!({
        "init_p50_ms_below": target(&ours_json["init_ms"]["p50"], 10.0, true),
        "warm_overhead_p50_ms_below": target(&ours_json["warm_overhead_p50_ms"], 1.0, true),
        "peak_rss_mib_below": target(&json!(ours.peak_rss_kib as f64 / 1024.0), 20.0, true),
        "zip_mib_below": target(&json!(ours_json["zip_bytes"].as_f64().map(|b| b / 1_048_576.0)), 6.0, true),
        "init_speedup_at_least": target(&init_speedup, 30.0, false),
    });
    Ok(json!({
        "machine": machine(),
        "settings": {
            "cold_starts": args.cold,
            "warm_invocations": args.warm,
            "event": {"arn": output["job"]["arn"]},
            "output_files": output["files"].as_array().map(Vec::len),
            "log_format": "JSON",
            "note": "init = spawn to first GET /runtime/invocation/next; invocation = event handed out to \
                     result posted; page cache warm (repeated process starts); everything on 127.0.0.1",
        },
        "service_time_ms": {"plain_http": summary(raw), "rust_sdk_in_process": summary(in_process)},
        "ours": ours_json,
        "peer": peer_json,
        "ratios_ours_over_peer": ratios,
        "targets": targets,
        "facts": facts,
    }))
}

fn cell(value: &Value, digits: usize) -> String {
    value
        .as_f64()
        .map(|v| format!("{v:.digits$}"))
        .unwrap_or_else(|| "-".to_owned())
}

fn print_table(results: &Value) {
    let (ours, peer, service) = (&results["ours"], &results["peer"], &results["service_time_ms"]);
    let mib = |v: &Value, div: f64| json!(v.as_f64().map(|x| x / div));
    let rows: Vec<(String, Value, Value)> = vec![
        (
            format!("init p50 ms (n={})", ours["init_ms"]["n"]),
            ours["init_ms"]["p50"].clone(),
            peer["init_ms"]["p50"].clone(),
        ),
        (
            "init max ms".into(),
            ours["init_ms"]["max"].clone(),
            peer["init_ms"]["max"].clone(),
        ),
        (
            "first invocation p50 ms".into(),
            ours["first_invocation_ms"]["p50"].clone(),
            peer["first_invocation_ms"]["p50"].clone(),
        ),
        (
            "first invocation max ms".into(),
            ours["first_invocation_ms"]["max"].clone(),
            peer["first_invocation_ms"]["max"].clone(),
        ),
        (
            format!("warm p50 ms (n={})", ours["warm_ms"]["n"]),
            ours["warm_ms"]["p50"].clone(),
            peer["warm_ms"]["p50"].clone(),
        ),
        (
            "warm p99 ms".into(),
            ours["warm_ms"]["p99"].clone(),
            peer["warm_ms"]["p99"].clone(),
        ),
        (
            "warm p50 minus service p50 ms".into(),
            ours["warm_overhead_p50_ms"].clone(),
            peer["warm_overhead_p50_ms"].clone(),
        ),
        (
            "peak RSS MiB".into(),
            mib(&ours["peak_rss_kib"], 1024.0),
            mib(&peer["peak_rss_kib"], 1024.0),
        ),
        (
            "binary MiB".into(),
            mib(&ours["binary_bytes"], 1_048_576.0),
            Value::Null,
        ),
        (
            "zip MiB (peer: handler + boto3 bundled)".into(),
            mib(&ours["zip_bytes"], 1_048_576.0),
            mib(&peer["bundle_zip_bytes"], 1_048_576.0),
        ),
        (
            "zip KiB (peer: handler only, runtime's boto3)".into(),
            mib(&ours["zip_bytes"], 1024.0),
            mib(&peer["zip_bytes"], 1024.0),
        ),
    ];
    println!("| figure | ours (Rust) | peer (Python boto3) | ours/peer |");
    println!("|---|---:|---:|---:|");
    for (name, a, b) in rows {
        let ratio = match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.3}", a / b),
            _ => "-".to_owned(),
        };
        println!("| {name} | {} | {} | {ratio} |", cell(&a, 3), cell(&b, 3));
    }
    println!(
        "| emulator service time p50 / p99 ms: plain HTTP {} / {}, Rust SDK in-process {} / {} | | | |",
        cell(&service["plain_http"]["p50"], 3),
        cell(&service["plain_http"]["p99"], 3),
        cell(&service["rust_sdk_in_process"]["p50"], 3),
        cell(&service["rust_sdk_in_process"]["p99"], 3),
    );
    println!();
    if let Some(targets) = results["targets"].as_object() {
        for (name, t) in targets {
            let met = match t["met"].as_bool() {
                Some(true) => "met",
                Some(false) => "MISSED",
                None => "unknown",
            };
            println!("target {name} {}: {} ({met})", t["target"], cell(&t["value"], 3));
        }
    }
}
