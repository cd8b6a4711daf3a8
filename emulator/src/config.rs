//! Start-up configuration, runtime settings patches and the scenario-file document.

use crate::fault::FaultRule;
use crate::jobs::Settings;
use crate::scenario::ScenarioRule;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How the emulator starts. `POST /_emulator/reset` returns to exactly this state.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    /// Time a job spends in QUEUED.
    pub queued_for: Duration,
    /// Time a job spends in RUNNING before it reaches its outcome.
    pub running_for: Duration,
    /// QUEUED/RUNNING jobs an account may have; one more Start is a LimitExceededException.
    pub max_running_per_account: usize,
    /// Region of ARNs and result URLs when a request's SigV4 credential scope has none.
    pub default_region: String,
    /// Scenario rules in place from the start.
    pub scenarios: Vec<ScenarioRule>,
    /// Faults in place from the start.
    pub faults: Vec<FaultRule>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 0,
            queued_for: Duration::from_secs(1),
            running_for: Duration::from_secs(2),
            max_running_per_account: 12,
            default_region: "us-east-1".to_owned(),
            scenarios: Vec::new(),
            faults: Vec::new(),
        }
    }
}

impl Config {
    /// Applies a scenario document (its settings, then its scenarios and faults after any already set).
    pub fn with_setup(mut self, setup: Setup) -> Self {
        if let Some(patch) = &setup.config {
            let mut settings = self.settings();
            patch.apply(&mut settings);
            self.queued_for = Duration::try_from_secs_f64(settings.queued_seconds).unwrap_or(self.queued_for);
            self.running_for = Duration::try_from_secs_f64(settings.running_seconds).unwrap_or(self.running_for);
            self.max_running_per_account = settings.max_running_per_account;
            self.default_region = settings.default_region;
        }
        self.scenarios.extend(setup.scenarios);
        self.faults.extend(setup.faults);
        self
    }

    pub(crate) fn settings(&self) -> Settings {
        Settings {
            queued_seconds: self.queued_for.as_secs_f64(),
            running_seconds: self.running_for.as_secs_f64(),
            max_running_per_account: self.max_running_per_account,
            default_region: self.default_region.clone(),
        }
    }
}

/// A partial update of the runtime settings: the body of `PATCH /_emulator/config`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queued_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_running_per_account: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_region: Option<String>,
}

impl ConfigPatch {
    pub(crate) fn check(&self) -> Result<(), String> {
        for (name, value) in [
            ("queuedSeconds", self.queued_seconds),
            ("runningSeconds", self.running_seconds),
        ] {
            if let Some(v) = value
                && !(v.is_finite() && v >= 0.0)
            {
                return Err(format!("{name} must be a finite number >= 0, got {v}"));
            }
        }
        if self.default_region.as_deref().is_some_and(str::is_empty) {
            return Err("defaultRegion must not be empty".to_owned());
        }
        Ok(())
    }

    pub(crate) fn apply(&self, settings: &mut Settings) {
        if let Some(v) = self.queued_seconds {
            settings.queued_seconds = v;
        }
        if let Some(v) = self.running_seconds {
            settings.running_seconds = v;
        }
        if let Some(v) = self.max_running_per_account {
            settings.max_running_per_account = v;
        }
        if let Some(v) = &self.default_region {
            settings.default_region = v.clone();
        }
    }
}

/// A scenario document: the `--scenario-file` format and the body of `POST /_emulator/setup`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Setup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigPatch>,
    #[serde(default)]
    pub scenarios: Vec<ScenarioRule>,
    #[serde(default)]
    pub faults: Vec<FaultRule>,
}

impl Setup {
    /// Parses and checks a scenario document.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let setup: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        setup.check()?;
        Ok(setup)
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        if let Some(patch) = &self.config {
            patch.check().map_err(|e| format!("config: {e}"))?;
        }
        for (i, rule) in self.scenarios.iter().enumerate() {
            rule.check().map_err(|e| format!("scenarios[{i}]: {e}"))?;
        }
        for (i, rule) in self.faults.iter().enumerate() {
            rule.check().map_err(|e| format!("faults[{i}]: {e}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::Fault;
    use crate::operation::Operation;
    use crate::scenario::{JobSelector, Outcome};

    #[test]
    fn a_scenario_document_sets_config_scenarios_and_faults() {
        let setup = Setup::from_json(
            r#"{
              "config": {"queuedSeconds": 0, "runningSeconds": 0.5},
              "scenarios": [{"match": {"snapshotJobId": "bad"}, "scenario": {"outcome": "FAILED"}}],
              "faults": [{"operation": "StartDashboardSnapshotJob", "count": 2, "fault": {"type": "internalFailure"}}]
            }"#,
        )
        .unwrap();
        let config = Config::default().with_setup(setup);
        assert_eq!(config.queued_for, Duration::ZERO);
        assert_eq!(config.running_for, Duration::from_millis(500));
        assert_eq!(config.max_running_per_account, 12);
        assert_eq!(config.scenarios[0].selector, JobSelector::job_id("bad"));
        assert_eq!(config.scenarios[0].scenario.outcome, Some(Outcome::Failed));
        assert_eq!(config.faults[0].operation, Some(Operation::StartDashboardSnapshotJob));
        assert_eq!(config.faults[0].count, 2);
        assert_eq!(config.faults[0].fault, Fault::InternalFailure { message: None });
    }

    #[test]
    fn the_example_scenario_file_parses() {
        let setup = Setup::from_json(include_str!("../scenarios.example.json")).unwrap();
        assert_eq!(setup.config.as_ref().unwrap().running_seconds, Some(5.0));
        assert_eq!(setup.scenarios.len(), 3);
        assert_eq!(setup.scenarios[2].scenario.job_status.as_deref(), Some("RUNNING"));
        assert_eq!(setup.faults[0].fault, Fault::Throttling { message: None });
    }

    #[test]
    fn a_bad_document_names_the_problem() {
        assert_eq!(
            Setup::from_json(r#"{"config": {"queuedSeconds": -2}}"#).unwrap_err(),
            "config: queuedSeconds must be a finite number >= 0, got -2"
        );
        assert!(
            Setup::from_json(r#"{"scenarios": {}}"#)
                .unwrap_err()
                .contains("invalid type: map")
        );
    }
}
