//! `quicksight-emulator`: serves the QuickSight snapshot-job emulator until SIGINT or SIGTERM.

use clap::Parser;
use quicksight_emulator::{Config, Setup};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Local stand-in for the QuickSight dashboard snapshot-job API (see emulator/README.md).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seconds a job stays QUEUED [default: 1, or the scenario file's config].
    #[arg(long, value_parser = seconds)]
    queued_seconds: Option<Duration>,
    /// Seconds a job stays RUNNING [default: 2, or the scenario file's config].
    #[arg(long, value_parser = seconds)]
    running_seconds: Option<Duration>,
    /// QUEUED/RUNNING jobs allowed per account [default: 12].
    #[arg(long)]
    max_running_per_account: Option<usize>,
    /// Region for ARNs when a request's SigV4 scope has none [default: us-east-1].
    #[arg(long)]
    default_region: Option<String>,
    /// JSON scenario document: {"config": {...}, "scenarios": [...], "faults": [...]}.
    #[arg(long)]
    scenario_file: Option<PathBuf>,
}

fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text.parse().map_err(|e| format!("not a number: {e}"))?;
    Duration::try_from_secs_f64(value).map_err(|_| "must be a finite number of seconds >= 0".to_owned())
}

fn config(args: &Args) -> Result<Config, String> {
    let mut config = Config::default();
    if let Some(path) = &args.scenario_file {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let setup = Setup::from_json(&text).map_err(|e| format!("bad scenario file {}: {e}", path.display()))?;
        config = config.with_setup(setup);
    }
    config.port = args.port;
    if let Some(v) = args.queued_seconds {
        config.queued_for = v;
    }
    if let Some(v) = args.running_seconds {
        config.running_for = v;
    }
    if let Some(v) = args.max_running_per_account {
        config.max_running_per_account = v;
    }
    if let Some(v) = &args.default_region {
        config.default_region = v.clone();
    }
    Ok(config)
}

async fn stop_signal() -> std::io::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result,
        _ = terminate.recv() => Ok(()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = match config(&args) {
        Ok(config) => config,
        Err(message) => {
            tracing::error!("{message}");
            return ExitCode::from(2);
        }
    };
    let handle = match quicksight_emulator::spawn(config).await {
        Ok(handle) => handle,
        Err(error) => {
            tracing::error!(%error, port = args.port, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "listening on {}", handle.endpoint())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        tracing::warn!("could not print the endpoint on stdout");
    }
    let outcome = stop_signal().await;
    tracing::info!("stopping");
    handle.shutdown().await;
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "signal handling failed");
            ExitCode::FAILURE
        }
    }
}
