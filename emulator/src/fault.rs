//! Faults injected into the next N QuickSight calls: the model of `/_emulator/faults`.

use crate::operation::Operation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the emulator does instead of (or on top of) answering normally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Fault {
    /// Wait `ms` milliseconds, then answer normally.
    Delay { ms: u64 },
    /// HTTP 429 ThrottlingException.
    Throttling {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// HTTP 500 InternalFailureException.
    InternalFailure {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// HTTP 503 with error type ServiceUnavailable.
    ServiceUnavailable {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Any status and error name, e.g. 403 UnsupportedUserEditionException.
    Error {
        status: u16,
        error_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource_type: Option<String>,
    },
    /// Run the operation, then send only the first half of its body (status and headers unchanged).
    TruncatedBody,
    /// HTTP 200 with an HTML page instead of JSON (the operation does not run).
    NonJsonBody,
    /// HTTP 200 with an empty body (the operation does not run).
    EmptyBody,
    /// Close the socket without answering (TCP reset; the operation does not run).
    ConnectionReset,
    /// Answer with exactly this status, these headers and this body (the operation does not run).
    Raw {
        status: u16,
        #[serde(default)]
        headers: BTreeMap<String, String>,
        #[serde(default)]
        body: String,
    },
}

impl Fault {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Delay { .. } => "delay",
            Self::Throttling { .. } => "throttling",
            Self::InternalFailure { .. } => "internalFailure",
            Self::ServiceUnavailable { .. } => "serviceUnavailable",
            Self::Error { .. } => "error",
            Self::TruncatedBody => "truncatedBody",
            Self::NonJsonBody => "nonJsonBody",
            Self::EmptyBody => "emptyBody",
            Self::ConnectionReset => "connectionReset",
            Self::Raw { .. } => "raw",
        }
    }
}

fn one() -> u32 {
    1
}

/// A fault for the next `count` calls of `operation` (absent: of any operation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    #[serde(default = "one")]
    pub count: u32,
    /// Extra wait before the fault (or the normal answer) is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    pub fault: Fault,
}

impl FaultRule {
    /// The next call of `operation` gets `fault`.
    pub fn once(operation: Operation, fault: Fault) -> Self {
        Self {
            operation: Some(operation),
            count: 1,
            delay_ms: None,
            fault,
        }
    }

    /// The next `count` calls of any operation get `fault`.
    pub fn any(count: u32, fault: Fault) -> Self {
        Self {
            operation: None,
            count,
            delay_ms: None,
            fault,
        }
    }

    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        if self.count == 0 {
            return Err("count must be at least 1".to_owned());
        }
        let status = match &self.fault {
            Fault::Error { status, .. } | Fault::Raw { status, .. } => *status,
            _ => 200,
        };
        if !(100..=999).contains(&status) {
            return Err(format!(
                "fault.status must be an HTTP status code (100-999), got {status}"
            ));
        }
        if let Fault::Raw { headers, .. } = &self.fault {
            for (name, value) in headers {
                if axum::http::HeaderName::try_from(name.as_str()).is_err()
                    || axum::http::HeaderValue::try_from(value.as_str()).is_err()
                {
                    return Err(format!("fault.headers has an invalid header: {name}: {value}"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_rule_reads_with_count_defaulting_to_one() {
        let rule: FaultRule = serde_json::from_value(json!({
            "operation": "DescribeDashboardSnapshotJobResult",
            "fault": {"type": "throttling"}
        }))
        .unwrap();
        assert_eq!(
            rule,
            FaultRule::once(
                Operation::DescribeDashboardSnapshotJobResult,
                Fault::Throttling { message: None }
            )
        );
    }

    #[test]
    fn raw_and_error_faults_read_camel_case_fields() {
        let raw: Fault =
            serde_json::from_value(json!({"type": "raw", "status": 200, "headers": {"x-a": "b"}, "body": "{}"}))
                .unwrap();
        assert_eq!(
            raw,
            Fault::Raw {
                status: 200,
                headers: BTreeMap::from([("x-a".into(), "b".into())]),
                body: "{}".into()
            }
        );
        let error: Fault = serde_json::from_value(
            json!({"type": "error", "status": 403, "errorType": "UnsupportedUserEditionException", "message": "m"}),
        )
        .unwrap();
        assert_eq!(
            error,
            Fault::Error {
                status: 403,
                error_type: "UnsupportedUserEditionException".into(),
                message: Some("m".into()),
                resource_type: None
            }
        );
    }

    #[test]
    fn unknown_fault_fields_and_zero_counts_are_refused() {
        let err = serde_json::from_value::<Fault>(json!({"type": "throttling", "mesage": "x"})).unwrap_err();
        assert!(err.to_string().contains("unknown field `mesage`"), "{err}");
        assert_eq!(
            FaultRule::any(1, Fault::EmptyBody).times(0).check().unwrap_err(),
            "count must be at least 1"
        );
        let bad = FaultRule::any(
            1,
            Fault::Raw {
                status: 42,
                headers: BTreeMap::new(),
                body: String::new(),
            },
        );
        assert_eq!(
            bad.check().unwrap_err(),
            "fault.status must be an HTTP status code (100-999), got 42"
        );
    }
}
