//! Init only: logging, configuration, one SDK configuration, the clients, then the runtime loop.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use quicksight_snapshot_result::{App, Config, handle, load_sdk_config};
use serde_json::value::RawValue;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config = Config::from_env()?;
    let sdk = load_sdk_config(&config).await;
    let app = App::new(config, &sdk);
    run(service_fn(|event: LambdaEvent<Box<RawValue>>| handle(&app, event))).await
}
