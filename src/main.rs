//! Init only: logging, configuration, one SDK configuration, the clients, then the runtime loop.

use lambda_runtime::{LambdaEvent, run, service_fn};
use quicksight_snapshot_result::{App, Config, Error, handle, load_sdk_config};
use serde_json::value::RawValue;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
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
