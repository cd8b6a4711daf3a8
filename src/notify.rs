//! SNS notification of terminal outcomes: `render` (pure: subject, attributes, bodies) and `publish`
//! (the only SNS I/O). Being implemented: see issue 4.

use crate::config::Config;
use crate::error::Error;
use crate::output::{Notification, Output};

pub struct Notifier {
    client: aws_sdk_sns::Client,
    topic_arn: String,
}

impl Notifier {
    /// A notifier when SNS_TOPIC_ARN is set.
    pub fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Option<Self> {
        let topic_arn = config.topic_arn.clone()?;
        Some(Notifier {
            client: aws_sdk_sns::Client::new(sdk),
            topic_arn,
        })
    }

    /// Publishes `output`; the last step of an invocation.
    pub async fn publish(&self, output: &Output) -> Result<Notification, Error> {
        let _ = (&self.client, output);
        Err(Error::Configuration(format!(
            "notifications to {} are not implemented yet",
            self.topic_arn
        )))
    }
}
