//! Init only: logging, configuration, one SDK configuration, the clients, then the runtime loop.

use lambda_runtime::tracing::subscriber::filter::{FilterExt, LevelFilter, Targets};
use lambda_runtime::tracing::subscriber::layer::SubscriberExt;
use lambda_runtime::tracing::subscriber::util::SubscriberInitExt;
use lambda_runtime::tracing::subscriber::{self, EnvFilter, Layer};
use lambda_runtime::{LambdaEvent, run, service_fn};
use quicksight_snapshot_result::{App, Config, Error, handle, load_sdk_config};
use serde_json::value::RawValue;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_logging();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            // Keep serving, so every invocation reports the stable name `Configuration` with the reason,
            // instead of a crash loop that callers only see as `Lambda.Unknown`.
            tracing::error!(error = %error, "invalid configuration");
            let reason = match error {
                Error::Configuration(reason) => reason,
                other => other.to_string(),
            };
            return run(service_fn(|_: LambdaEvent<Box<RawValue>>| {
                let error = Error::Configuration(reason.clone());
                async move { Err::<(), Error>(error) }
            }))
            .await;
        }
    };
    let sdk = load_sdk_config(&config).await;
    let app = App::new(config, &sdk);
    run(service_fn(|event: LambdaEvent<Box<RawValue>>| handle(&app, event))).await
}

/// Crates whose TRACE output holds secrets: aws-sigv4 logs each canonical request (session token
/// included), the SDK/HTTP stack logs requests, and the runtime logs every raw event (a looped-back
/// output carries presigned links). Targets match by prefix (`aws_smithy` covers aws_smithy_runtime, ...).
const CAPPED_TARGETS: &[&str] = &[
    "aws_sigv4",
    "aws_smithy",
    "aws_runtime",
    "aws_config",
    "aws_credential_types",
    "aws_sdk",
    "hyper",
    "h2",
    "rustls",
    "lambda_runtime",
];

/// Lambda's default subscriber (`AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`; `AWS_LAMBDA_LOG_FORMAT`),
/// with [`CAPPED_TARGETS`] held at DEBUG at most whatever the function's level or `RUST_LOG` asks:
/// at DEBUG they log no secrets (tests/logs.rs checks TRACE, DEBUG and RUST_LOG on every run). The cap
/// is a second filter that every event must also pass, so no more specific directive can lift it.
fn init_logging() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let wanted = EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy();
    let caps = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_targets(CAPPED_TARGETS.iter().map(|target| (*target, LevelFilter::DEBUG)));
    let filter = wanted.and(caps);
    let format = subscriber::fmt::layer().with_target(false).without_time();
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let layer = if json {
        format.json().with_filter(filter).boxed()
    } else {
        format.with_filter(filter).boxed()
    };
    // Only fails if a subscriber is already set, which nothing else here does.
    let _ = subscriber::registry().with(layer).try_init();
}
