//! Settings read once at init from an injectable lookup (the process environment in production, a map
//! in tests). A bad value fails init with [`Error::Configuration`], never a panic.

use std::time::Duration;

use crate::error::Error;
use crate::output::Outcome;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Outcomes raised as errors when the event does not say (`FAIL_ON`).
    pub fail_on: Vec<Outcome>,
    /// `retryAfterSeconds` of a PENDING output (`PENDING_RETRY_AFTER_SECONDS`).
    pub retry_after_seconds: u32,
    /// Topic to notify (`SNS_TOPIC_ARN`).
    pub topic_arn: Option<String>,
    /// Outcomes that are notified (`NOTIFY_ON`).
    pub notify_on: Vec<Outcome>,
    /// Send email subscribers a readable text instead of the JSON (`NOTIFY_EMAIL_TEXT`). Off by default:
    /// SNS documents that message attributes are not sent with a per-protocol (JSON structure) message,
    /// so attribute filter policies stop matching when this is on.
    pub notify_email_text: bool,
    /// Lifetime asked for presigned links (`PRESIGN_EXPIRES_SECONDS`).
    pub presign_expires: Option<Duration>,
    /// Accounts whose jobs may be read (`ALLOWED_ACCOUNT_IDS`); empty means any.
    pub allowed_account_ids: Vec<String>,
    pub sdk: SdkSettings,
}

/// Retry and timeout budget of every AWS call, so an invocation ends well inside the function timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdkSettings {
    pub max_attempts: u32,
    pub connect_timeout: Duration,
    pub attempt_timeout: Duration,
    pub operation_timeout: Duration,
}

impl Default for SdkSettings {
    fn default() -> Self {
        SdkSettings {
            max_attempts: 3,
            connect_timeout: Duration::from_millis(2_000),
            attempt_timeout: Duration::from_millis(4_000),
            operation_timeout: Duration::from_millis(10_000),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            fail_on: Vec::new(),
            retry_after_seconds: 30,
            topic_arn: None,
            notify_on: vec![Outcome::Succeeded, Outcome::Partial, Outcome::Failed],
            notify_email_text: false,
            presign_expires: None,
            allowed_account_ids: Vec::new(),
            sdk: SdkSettings::default(),
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let defaults = Config::default();
        let sdk_defaults = SdkSettings::default();
        let millis = |name: &str, default: Duration| -> Result<Duration, Error> {
            match get(name) {
                None => Ok(default),
                Some(v) => match v.parse::<u64>() {
                    Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
                    _ => Err(Error::Configuration(format!(
                        "{name} must be a positive number of milliseconds, got {v:?}"
                    ))),
                },
            }
        };
        let config = Config {
            fail_on: match get("FAIL_ON") {
                None => defaults.fail_on,
                Some(v) => {
                    let outcomes = parse_outcomes("FAIL_ON", &v)?;
                    if outcomes.contains(&Outcome::Succeeded) {
                        return Err(Error::Configuration("FAIL_ON cannot contain SUCCEEDED".to_owned()));
                    }
                    outcomes
                }
            },
            retry_after_seconds: match get("PENDING_RETRY_AFTER_SECONDS") {
                None => defaults.retry_after_seconds,
                Some(v) => positive("PENDING_RETRY_AFTER_SECONDS", &v, 86_400)?,
            },
            topic_arn: match get("SNS_TOPIC_ARN") {
                None => None,
                Some(v) if is_sns_topic_arn(&v) => Some(v),
                Some(v) => {
                    return Err(Error::Configuration(format!(
                        "SNS_TOPIC_ARN is not an SNS topic ARN: {v:?}"
                    )));
                }
            },
            notify_on: match get("NOTIFY_ON") {
                None => defaults.notify_on,
                Some(v) => parse_outcomes("NOTIFY_ON", &v)?,
            },
            notify_email_text: match get("NOTIFY_EMAIL_TEXT").map(|v| v.to_ascii_lowercase()).as_deref() {
                None | Some("false") => false,
                Some("true") => true,
                Some(other) => {
                    return Err(Error::Configuration(format!(
                        "NOTIFY_EMAIL_TEXT must be true or false, got {other:?}"
                    )));
                }
            },
            presign_expires: match get("PRESIGN_EXPIRES_SECONDS") {
                None => None,
                Some(v) => Some(Duration::from_secs(u64::from(positive(
                    "PRESIGN_EXPIRES_SECONDS",
                    &v,
                    u32::MAX,
                )?))),
            },
            allowed_account_ids: match get("ALLOWED_ACCOUNT_IDS") {
                None => Vec::new(),
                // A value that names no account must not silently mean "any account": fail closed.
                Some(v) if v.split(',').all(|id| id.trim().is_empty()) => {
                    return Err(Error::Configuration(format!(
                        "ALLOWED_ACCOUNT_IDS names no account id: {v:?} (unset it to allow any account)"
                    )));
                }
                Some(v) => v
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|id| {
                        if crate::input::is_account_id(id) {
                            Ok(id.to_owned())
                        } else {
                            Err(Error::Configuration(format!(
                                "ALLOWED_ACCOUNT_IDS: {id:?} is not a 12-digit account id"
                            )))
                        }
                    })
                    .collect::<Result<_, _>>()?,
            },
            sdk: SdkSettings {
                max_attempts: match get("SDK_MAX_ATTEMPTS") {
                    None => sdk_defaults.max_attempts,
                    Some(v) => positive("SDK_MAX_ATTEMPTS", &v, 10)?,
                },
                connect_timeout: millis("SDK_CONNECT_TIMEOUT_MS", sdk_defaults.connect_timeout)?,
                attempt_timeout: millis("SDK_ATTEMPT_TIMEOUT_MS", sdk_defaults.attempt_timeout)?,
                operation_timeout: millis("SDK_OPERATION_TIMEOUT_MS", sdk_defaults.operation_timeout)?,
            },
        };
        Ok(config)
    }
}

fn positive(name: &str, value: &str, max: u32) -> Result<u32, Error> {
    match value.parse::<u32>() {
        Ok(n) if n > 0 && n <= max => Ok(n),
        _ => Err(Error::Configuration(format!(
            "{name} must be an integer from 1 to {max}, got {value:?}"
        ))),
    }
}

fn parse_outcomes(name: &str, value: &str) -> Result<Vec<Outcome>, Error> {
    if value.split(',').all(|item| item.trim().is_empty()) {
        return Err(Error::Configuration(format!("{name} names no outcome: {value:?}")));
    }
    let mut outcomes = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let outcome = Outcome::parse(item).ok_or_else(|| {
            Error::Configuration(format!(
                "{name}: unknown outcome {item:?} (expected SUCCEEDED, PARTIAL, FAILED or PENDING)"
            ))
        })?;
        if !outcomes.contains(&outcome) {
            outcomes.push(outcome);
        }
    }
    Ok(outcomes)
}

fn is_sns_topic_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "sns", region, account, name]
        if partition.starts_with("aws") && !region.is_empty() && crate::input::is_account_id(account) && !name.is_empty())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, Error> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn an_empty_environment_gives_the_documented_defaults() {
        assert_eq!(config(&[]).unwrap(), Config::default());
        let d = Config::default();
        assert_eq!(d.retry_after_seconds, 30);
        assert_eq!(d.sdk.max_attempts, 3);
        assert_eq!(d.sdk.operation_timeout, Duration::from_secs(10));
    }

    #[test]
    fn every_setting_is_read() {
        let c = config(&[
            ("FAIL_ON", "failed, PARTIAL,failed"),
            ("PENDING_RETRY_AFTER_SECONDS", "15"),
            ("SNS_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:reports.fifo"),
            ("NOTIFY_ON", "FAILED"),
            ("NOTIFY_EMAIL_TEXT", "TRUE"),
            ("PRESIGN_EXPIRES_SECONDS", "3600"),
            ("ALLOWED_ACCOUNT_IDS", "123456789012, 210987654321"),
            ("SDK_MAX_ATTEMPTS", "5"),
            ("SDK_CONNECT_TIMEOUT_MS", "100"),
            ("SDK_ATTEMPT_TIMEOUT_MS", "200"),
            ("SDK_OPERATION_TIMEOUT_MS", "300"),
        ])
        .unwrap();
        assert_eq!(c.fail_on, [Outcome::Failed, Outcome::Partial]);
        assert_eq!(c.retry_after_seconds, 15);
        assert_eq!(
            c.topic_arn.as_deref(),
            Some("arn:aws:sns:eu-west-1:123456789012:reports.fifo")
        );
        assert_eq!(c.notify_on, [Outcome::Failed]);
        assert!(c.notify_email_text);
        assert_eq!(c.presign_expires, Some(Duration::from_secs(3600)));
        assert_eq!(c.allowed_account_ids, ["123456789012", "210987654321"]);
        assert_eq!(
            c.sdk,
            SdkSettings {
                max_attempts: 5,
                connect_timeout: Duration::from_millis(100),
                attempt_timeout: Duration::from_millis(200),
                operation_timeout: Duration::from_millis(300),
            }
        );
    }

    #[test]
    fn bad_values_fail_with_a_named_configuration_error() {
        for (name, value, expected) in [
            (
                "FAIL_ON",
                "DONE",
                "invalid configuration: FAIL_ON: unknown outcome \"DONE\" (expected SUCCEEDED, PARTIAL, FAILED or PENDING)",
            ),
            (
                "PENDING_RETRY_AFTER_SECONDS",
                "0",
                "invalid configuration: PENDING_RETRY_AFTER_SECONDS must be an integer from 1 to 86400, got \"0\"",
            ),
            (
                "SNS_TOPIC_ARN",
                "my-topic",
                "invalid configuration: SNS_TOPIC_ARN is not an SNS topic ARN: \"my-topic\"",
            ),
            (
                "ALLOWED_ACCOUNT_IDS",
                "12345",
                "invalid configuration: ALLOWED_ACCOUNT_IDS: \"12345\" is not a 12-digit account id",
            ),
            (
                "ALLOWED_ACCOUNT_IDS",
                " , ,",
                "invalid configuration: ALLOWED_ACCOUNT_IDS names no account id: \", ,\" (unset it to allow any account)",
            ),
            (
                "FAIL_ON",
                "SUCCEEDED",
                "invalid configuration: FAIL_ON cannot contain SUCCEEDED",
            ),
            (
                "NOTIFY_ON",
                ",",
                "invalid configuration: NOTIFY_ON names no outcome: \",\"",
            ),
            (
                "SDK_MAX_ATTEMPTS",
                "many",
                "invalid configuration: SDK_MAX_ATTEMPTS must be an integer from 1 to 10, got \"many\"",
            ),
            (
                "SDK_ATTEMPT_TIMEOUT_MS",
                "-1",
                "invalid configuration: SDK_ATTEMPT_TIMEOUT_MS must be a positive number of milliseconds, got \"-1\"",
            ),
        ] {
            let err = config(&[(name, value)]).unwrap_err();
            assert_eq!(err.name(), "Configuration");
            assert_eq!(err.to_string(), expected);
        }
    }
}
