//! quicksight-snapshot-result: reads the result of an Amazon QuickSight dashboard snapshot job and
//! answers with a compact JSON document that Step Functions, EventBridge and people can act on.
//!
//! The flow of one event: [`input`] (any caller's shape -> job reference) -> [`quicksight`] (the SDK
//! call) -> [`translate`] (pure) -> [`policy`] (failOn) -> response or a named [`Error`].

pub mod config;
pub mod error;
pub mod input;
pub mod notify;
pub mod output;
pub mod policy;
pub mod presign;
pub mod quicksight;
pub mod translate;

use std::time::Instant;

use lambda_runtime::LambdaEvent;
use serde_json::value::RawValue;
use tracing::{info, warn};

pub use crate::config::Config;
pub use crate::error::Error;
use crate::notify::Notifier;
pub use crate::output::{Outcome, Output};
use crate::presign::Presigner;
use crate::quicksight::QuickSight;

/// Everything built once at init and borrowed by every invocation.
pub struct App {
    pub config: Config,
    pub quicksight: QuickSight,
    pub presigner: Option<Presigner>,
    pub notifier: Option<Notifier>,
}

impl App {
    /// Builds the clients from one shared SDK configuration.
    pub fn new(config: Config, sdk: &aws_config::SdkConfig) -> Self {
        App {
            quicksight: QuickSight::new(aws_sdk_quicksight::Client::new(sdk), config.sdk.operation_timeout),
            presigner: Presigner::new(&config, sdk),
            notifier: Notifier::new(&config, sdk),
            config,
        }
    }
}

/// Loads the SDK configuration with the retry and timeout budget of `config`.
pub async fn load_sdk_config(config: &Config) -> aws_config::SdkConfig {
    use aws_config::retry::RetryConfig;
    use aws_config::timeout::TimeoutConfig;
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(config.sdk.max_attempts))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(config.sdk.connect_timeout)
                .operation_attempt_timeout(config.sdk.attempt_timeout)
                .operation_timeout(config.sdk.operation_timeout)
                .build(),
        )
        .load()
        .await
}

/// The Lambda handler. The event arrives as raw JSON so that no shape, however odd, is refused by the
/// runtime with a Rust type name: every bad input becomes `InvalidInput`.
pub async fn handle(app: &App, event: LambdaEvent<Box<RawValue>>) -> Result<Output, Error> {
    let started = Instant::now();
    let result = process(app, event.payload.get()).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match &result {
        Ok((output, _)) => info!(
            request_id = %event.context.request_id,
            snapshot_job_id = %output.job.snapshot_job_id,
            dashboard_id = %output.job.dashboard_id,
            job_status = %output.job_status,
            outcome = output.outcome.as_str(),
            files = output.files.len(),
            duration_ms,
            "snapshot job result translated"
        ),
        Err(error) => warn!(
            request_id = %event.context.request_id,
            error_type = error.name(),
            retryable = error.retryable(),
            error = %error,
            duration_ms,
            "snapshot job result failed"
        ),
    }
    result.and_then(|(output, fail_on)| policy::apply(output, &fail_on))
}

async fn process(app: &App, raw: &str) -> Result<(Output, Vec<Outcome>), Error> {
    let request = input::parse_event(raw)?;
    if !app.config.allowed_account_ids.is_empty() && !app.config.allowed_account_ids.contains(&request.job.account_id) {
        return Err(Error::AccountNotAllowed(request.job.account_id));
    }
    let mut output = app
        .quicksight
        .snapshot_result(&request.job, app.config.retry_after_seconds)
        .await?;
    if let Some(presigner) = &app.presigner {
        presigner.presign(&mut output).await?;
    }
    // Publishing is the last step: a failure fails the invocation, and nothing unpublished is reported.
    if let Some(notifier) = &app.notifier
        && request.notify
        && app.config.notify_on.contains(&output.outcome)
    {
        output.notification = Some(notifier.publish(&output).await?);
    }
    let fail_on = request.fail_on.unwrap_or_else(|| app.config.fail_on.clone());
    Ok((output, fail_on))
}
