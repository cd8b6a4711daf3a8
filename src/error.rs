//! The one error type of the function, with the stable names Step Functions matches on.
//!
//! Every variant maps to a fixed `errorType` string (see [`Error::name`]). These names are a public
//! contract: a state machine's `Retry`/`Catch` blocks match them exactly, so they never derive from a
//! Rust type name and never change.

use lambda_runtime::Diagnostic;

/// What a QuickSight error said, kept whole so the message can carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFault {
    /// The AWS error code (`ThrottlingException`, ...) or a transport class (`TimeoutError`, ...).
    pub code: String,
    /// The service's message, or the transport error's description.
    pub message: String,
    /// The `x-amzn-requestid` of the failed call, when the service answered.
    pub request_id: Option<String>,
}

impl std::fmt::Display for ServiceFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The event is not a job reference this function understands.
    #[error("{0}")]
    InvalidInput(String),
    /// The job belongs to an account outside `ALLOWED_ACCOUNT_IDS`.
    #[error("account {0} is not in ALLOWED_ACCOUNT_IDS; no request was sent")]
    AccountNotAllowed(String),
    #[error("snapshot job not found: {0}")]
    SnapshotJobNotFound(ServiceFault),
    #[error("QuickSight denied access: {0}")]
    QuickSightAccessDenied(ServiceFault),
    #[error("QuickSight rejected the request: {0}")]
    QuickSightRejected(ServiceFault),
    #[error("QuickSight edition does not support snapshot jobs: {0}")]
    QuickSightEditionUnsupported(ServiceFault),
    #[error("QuickSight throttled the request: {0}")]
    QuickSightThrottled(ServiceFault),
    #[error("QuickSight is unavailable: {0}")]
    QuickSightUnavailable(ServiceFault),
    /// A job status this version does not know (QuickSight added one): never treated as success.
    #[error("unexpected job status {status:?} for {arn}")]
    UnexpectedJobStatus { status: String, arn: String },
    /// `failOn` contains `PENDING` and the job is still queued or running.
    #[error("{0}")]
    SnapshotJobNotTerminal(String),
    /// `failOn` contains `FAILED` and the job failed.
    #[error("{0}")]
    SnapshotJobFailed(String),
    /// `failOn` contains `PARTIAL` and the job completed with errors or missing files.
    #[error("{0}")]
    SnapshotJobPartiallyFailed(String),
    /// Publishing the notification failed; nothing was reported as notified.
    #[error("publishing to {topic_arn} failed: {fault}")]
    NotificationFailed { topic_arn: String, fault: ServiceFault },
    /// The function's environment is invalid (reported at init).
    #[error("invalid configuration: {0}")]
    Configuration(String),
}

impl Error {
    /// The stable `errorType` reported to Lambda, Step Functions and EventBridge.
    pub fn name(&self) -> &'static str {
        match self {
            Error::InvalidInput(_) => "InvalidInput",
            Error::AccountNotAllowed(_) => "AccountNotAllowed",
            Error::SnapshotJobNotFound(_) => "SnapshotJobNotFound",
            Error::QuickSightAccessDenied(_) => "QuickSightAccessDenied",
            Error::QuickSightRejected(_) => "QuickSightRejected",
            Error::QuickSightEditionUnsupported(_) => "QuickSightEditionUnsupported",
            Error::QuickSightThrottled(_) => "QuickSightThrottled",
            Error::QuickSightUnavailable(_) => "QuickSightUnavailable",
            Error::UnexpectedJobStatus { .. } => "UnexpectedJobStatus",
            Error::SnapshotJobNotTerminal(_) => "SnapshotJobNotTerminal",
            Error::SnapshotJobFailed(_) => "SnapshotJobFailed",
            Error::SnapshotJobPartiallyFailed(_) => "SnapshotJobPartiallyFailed",
            Error::NotificationFailed { .. } => "NotificationFailed",
            Error::Configuration(_) => "Configuration",
        }
    }

    /// Whether calling again later can succeed without anyone changing anything.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Error::QuickSightThrottled(_)
                | Error::QuickSightUnavailable(_)
                | Error::SnapshotJobNotTerminal(_)
                | Error::NotificationFailed { .. }
        )
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }
}

/// Step Functions caps a Cause at 32,768 characters; keep well inside it.
const MAX_MESSAGE_CHARS: usize = 8_192;

impl From<Error> for Diagnostic {
    fn from(error: Error) -> Self {
        let mut message = error.to_string();
        if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS) {
            message.truncate(cut);
            message.push('…');
        }
        Diagnostic {
            error_type: error.name().to_owned(),
            error_message: message,
        }
    }
}

/// An error and its sources on one line, from their `Display` only. The `Debug` form (which the SDK's
/// `DisplayErrorContext` appends) holds the raw HTTP response, body included: result locations and
/// possibly presigned links must not reach error messages and logs.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !part.is_empty() && !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

/// The name of an SDK failure that is not a service answer (the request never got one, or it could
/// not be read), used as the error code in messages. Every SDK crate re-exports this same `SdkError`.
pub(crate) fn transport_class<E, R>(error: &aws_sdk_quicksight::error::SdkError<E, R>) -> &'static str {
    use aws_sdk_quicksight::error::SdkError;
    match error {
        SdkError::TimeoutError(_) => "TimeoutError",
        SdkError::DispatchFailure(_) => "DispatchFailure",
        SdkError::ResponseError(_) => "ResponseError",
        SdkError::ConstructionFailure(_) => "ConstructionFailure",
        _ => "SdkError",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault() -> ServiceFault {
        ServiceFault {
            code: "ThrottlingException".into(),
            message: "Rate exceeded".into(),
            request_id: Some("r-1".into()),
        }
    }

    #[test]
    fn diagnostic_carries_the_stable_name_and_the_service_details() {
        let d: Diagnostic = Error::QuickSightThrottled(fault()).into();
        assert_eq!(d.error_type, "QuickSightThrottled");
        assert_eq!(
            d.error_message,
            "QuickSight throttled the request: ThrottlingException: Rate exceeded (request id r-1)"
        );
    }

    #[test]
    fn only_transient_errors_are_retryable() {
        let retryable: Vec<&str> = [
            Error::InvalidInput("x".into()),
            Error::AccountNotAllowed("1".into()),
            Error::SnapshotJobNotFound(fault()),
            Error::QuickSightAccessDenied(fault()),
            Error::QuickSightRejected(fault()),
            Error::QuickSightEditionUnsupported(fault()),
            Error::QuickSightThrottled(fault()),
            Error::QuickSightUnavailable(fault()),
            Error::UnexpectedJobStatus {
                status: "PAUSED".into(),
                arn: "a".into(),
            },
            Error::SnapshotJobNotTerminal("x".into()),
            Error::SnapshotJobFailed("x".into()),
            Error::SnapshotJobPartiallyFailed("x".into()),
            Error::NotificationFailed {
                topic_arn: "t".into(),
                fault: fault(),
            },
            Error::Configuration("x".into()),
        ]
        .iter()
        .filter(|e| e.retryable())
        .map(Error::name)
        .collect();
        assert_eq!(
            retryable,
            [
                "QuickSightThrottled",
                "QuickSightUnavailable",
                "SnapshotJobNotTerminal",
                "NotificationFailed"
            ]
        );
    }

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        let d: Diagnostic = Error::InvalidInput("é".repeat(10_000)).into();
        assert_eq!(d.error_message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(d.error_message.ends_with('…'));
    }
}
