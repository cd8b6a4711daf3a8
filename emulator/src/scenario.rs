//! How a job behaves: the scenario model of the control API (`/_emulator/scenarios`).
//!
//! A scenario is looked up every time a job is read, so it can be set before or after the job starts.
//! When several rules match a job, the most specific one (most selector fields set) wins; among equally
//! specific rules the one set last wins.

use serde::{Deserialize, Serialize};

/// Which jobs a scenario applies to. Every absent field matches anything; all absent = every job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_job_id: Option<String>,
}

impl JobSelector {
    /// Selects exactly one job key.
    pub fn job(aws_account_id: &str, dashboard_id: &str, snapshot_job_id: &str) -> Self {
        Self {
            aws_account_id: Some(aws_account_id.to_owned()),
            dashboard_id: Some(dashboard_id.to_owned()),
            snapshot_job_id: Some(snapshot_job_id.to_owned()),
        }
    }

    /// Selects every job with this id, whatever its account and dashboard.
    pub fn job_id(snapshot_job_id: &str) -> Self {
        Self {
            snapshot_job_id: Some(snapshot_job_id.to_owned()),
            ..Self::default()
        }
    }

    pub(crate) fn matches(&self, account: &str, dashboard: &str, job: &str) -> bool {
        fn field(want: &Option<String>, have: &str) -> bool {
            want.as_deref().is_none_or(|w| w == have)
        }
        field(&self.aws_account_id, account)
            && field(&self.dashboard_id, dashboard)
            && field(&self.snapshot_job_id, job)
    }

    pub(crate) fn specificity(&self) -> usize {
        [&self.aws_account_id, &self.dashboard_id, &self.snapshot_job_id]
            .iter()
            .filter(|f| f.is_some())
            .count()
    }
}

/// The terminal state a job reaches when its durations run out (or `finishNow` is set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    #[default]
    Completed,
    Failed,
}

/// An `{ErrorType, ErrorMessage}` pair as QuickSight sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorInfo {
    #[serde(alias = "ErrorType")]
    pub error_type: String,
    #[serde(default, alias = "ErrorMessage", skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

impl ErrorInfo {
    pub fn new(error_type: &str, error_message: &str) -> Self {
        Self {
            error_type: error_type.to_owned(),
            error_message: Some(error_message.to_owned()),
        }
    }

    pub(crate) fn message_or_default(&self) -> String {
        self.error_message
            .clone()
            .unwrap_or_else(|| format!("Snapshot job reported error {}.", self.error_type))
    }
}

/// An error code attached to the S3 result of one file group of a completed job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileError {
    /// Zero-based index into `SnapshotConfiguration.FileGroups`.
    pub file_group_index: usize,
    #[serde(alias = "ErrorType")]
    pub error_type: String,
    #[serde(default, alias = "ErrorMessage", skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

impl FileError {
    pub fn new(file_group_index: usize, error_type: &str, error_message: &str) -> Self {
        Self {
            file_group_index,
            error_type: error_type.to_owned(),
            error_message: Some(error_message.to_owned()),
        }
    }

    pub(crate) fn message_or_default(&self) -> String {
        self.error_message
            .clone()
            .unwrap_or_else(|| format!("File generation reported error {}.", self.error_type))
    }
}

/// How matching jobs behave. Every field is optional; an empty scenario is the default behaviour.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// Terminal state once the durations run out. Default COMPLETED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Job-level ErrorInfo: the failure reason of a FAILED job, or an error code on a COMPLETED one.
    /// A FAILED job without one reports `{ErrorType: "INTERNAL_FAILURE"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_info: Option<ErrorInfo>,
    /// Per-file-group error codes on a COMPLETED job (CAPABILITY_RESTRICTED, RLS_CHANGED, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_errors: Vec<FileError>,
    /// Seconds in QUEUED (overrides the global setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queued_seconds: Option<f64>,
    /// Seconds in RUNNING (overrides the global setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_seconds: Option<f64>,
    /// Reach the outcome now: from the moment the scenario is set (or from the start for later jobs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub finish_now: bool,
    /// Report this JobStatus verbatim from now on (e.g. hold "RUNNING" forever, or an unknown value).
    /// The result call treats only COMPLETED and FAILED as terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_status: Option<String>,
    /// Put results under RegisteredUsers (true) or AnonymousUsers (false) whatever the job's
    /// UserConfiguration. Default: AnonymousUsers when the job had a UserConfiguration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_users: Option<bool>,
}

impl Scenario {
    /// Fail with this error once the durations run out.
    pub fn failed(error_type: &str, error_message: &str) -> Self {
        Self {
            outcome: Some(Outcome::Failed),
            error_info: Some(ErrorInfo::new(error_type, error_message)),
            ..Self::default()
        }
    }
}

/// A scenario and the jobs it applies to: the body of `POST /_emulator/scenarios`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioRule {
    #[serde(default, rename = "match")]
    pub selector: JobSelector,
    pub scenario: Scenario,
}

impl ScenarioRule {
    pub fn new(selector: JobSelector, scenario: Scenario) -> Self {
        Self { selector, scenario }
    }

    /// A scenario for every job (a rule with an empty selector).
    pub fn default_for_all(scenario: Scenario) -> Self {
        Self {
            selector: JobSelector::default(),
            scenario,
        }
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        for (name, value) in [
            ("queuedSeconds", self.scenario.queued_seconds),
            ("runningSeconds", self.scenario.running_seconds),
        ] {
            if let Some(v) = value
                && !(v.is_finite() && v >= 0.0)
            {
                return Err(format!("scenario.{name} must be a finite number >= 0, got {v}"));
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
    fn a_rule_reads_from_control_json_with_wire_cased_error_info() {
        let rule: ScenarioRule = serde_json::from_value(json!({
            "match": {"snapshotJobId": "job-1"},
            "scenario": {
                "outcome": "FAILED",
                "errorInfo": {"ErrorType": "DASHBOARD_ACCESS_DENIED", "ErrorMessage": "no access"},
                "fileErrors": [{"fileGroupIndex": 1, "errorType": "RLS_CHANGED"}],
                "queuedSeconds": 0.5
            }
        }))
        .unwrap();
        assert_eq!(rule.selector, JobSelector::job_id("job-1"));
        assert_eq!(rule.scenario.outcome, Some(Outcome::Failed));
        assert_eq!(
            rule.scenario.error_info,
            Some(ErrorInfo::new("DASHBOARD_ACCESS_DENIED", "no access"))
        );
        assert_eq!(rule.scenario.file_errors[0].file_group_index, 1);
        assert_eq!(rule.scenario.file_errors[0].error_message, None);
        assert_eq!(rule.scenario.queued_seconds, Some(0.5));
    }

    #[test]
    fn misspelt_scenario_fields_are_rejected() {
        let err = serde_json::from_value::<ScenarioRule>(json!({"scenario": {"outcomes": "FAILED"}})).unwrap_err();
        assert!(err.to_string().contains("unknown field `outcomes`"), "{err}");
    }

    #[test]
    fn the_selector_with_more_fields_is_more_specific() {
        let any = JobSelector::default();
        let one = JobSelector::job("123456789012", "dash", "job");
        assert!(any.matches("123456789012", "dash", "job"));
        assert!(one.matches("123456789012", "dash", "job"));
        assert!(!one.matches("123456789012", "dash", "other"));
        assert_eq!((any.specificity(), one.specificity()), (0, 3));
    }

    #[test]
    fn negative_durations_are_refused() {
        let rule = ScenarioRule::default_for_all(Scenario {
            running_seconds: Some(-1.0),
            ..Scenario::default()
        });
        assert_eq!(
            rule.check().unwrap_err(),
            "scenario.runningSeconds must be a finite number >= 0, got -1"
        );
    }
}
