//! The emulator's shared state and every operation on it, used by the QuickSight handlers, the
//! control API and `Handle`'s convenience methods alike.

use crate::clock::{Clock, epoch_seconds};
use crate::config::{Config, ConfigPatch, Setup};
use crate::error::ServiceError;
use crate::fault::FaultRule;
use crate::jobs::{Applied, Job, JobKey, Phase, Settings};
use crate::journal::RecordedRequest;
use crate::operation::Operation;
use crate::request::StartRequest;
use crate::scenario::{Scenario, ScenarioRule};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

/// A job id may be reused this long after the first job with it started.
const REUSE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Who signed a request, from its SigV4 credential scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub access_key_id: String,
    pub region: Option<String>,
}

/// A job as the control API lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    pub aws_account_id: String,
    pub dashboard_id: String,
    pub snapshot_job_id: String,
    pub arn: String,
    pub job_status: String,
    pub created_time: f64,
    pub last_updated_time: f64,
    pub access_key_id: String,
    pub region: String,
    /// The scenario in effect for this job, if any.
    pub scenario: Option<Scenario>,
}

#[derive(Debug, Clone)]
struct StoredScenario {
    rule: ScenarioRule,
    set_at: SystemTime,
    order: u64,
}

#[derive(Debug)]
struct State {
    settings: Settings,
    clock: Clock,
    jobs: BTreeMap<JobKey, Job>,
    scenarios: Vec<StoredScenario>,
    scenario_order: u64,
    faults: VecDeque<FaultRule>,
    requests: Vec<RecordedRequest>,
}

impl State {
    fn new(config: &Config) -> Self {
        let mut state = Self {
            settings: config.settings(),
            clock: Clock::new(),
            jobs: BTreeMap::new(),
            scenarios: Vec::new(),
            scenario_order: 0,
            faults: VecDeque::new(),
            requests: Vec::new(),
        };
        for rule in &config.scenarios {
            state.add_scenario(rule.clone());
        }
        state.faults.extend(config.faults.iter().cloned());
        state
    }

    fn add_scenario(&mut self, rule: ScenarioRule) {
        self.scenarios.retain(|s| s.rule.selector != rule.selector);
        self.scenario_order += 1;
        let set_at = self.clock.now();
        self.scenarios.push(StoredScenario {
            rule,
            set_at,
            order: self.scenario_order,
        });
    }

    fn applied(&self, key: &JobKey) -> Option<Applied<'_>> {
        self.scenarios
            .iter()
            .filter(|s| s.rule.selector.matches(&key.account, &key.dashboard, &key.job_id))
            .max_by_key(|s| (s.rule.selector.specificity(), s.order))
            .map(|s| Applied {
                scenario: &s.rule.scenario,
                set_at: s.set_at,
            })
    }

    fn phase(&self, job: &Job, now: SystemTime) -> Phase {
        job.phase(now, &self.settings, self.applied(&job.key))
    }

    fn readable_job(&self, caller: &Caller, key: &JobKey) -> Result<&Job, ServiceError> {
        let not_found = || {
            ServiceError::not_found(format!(
                "Snapshot job {} for dashboard {} in account {} does not exist.",
                key.job_id, key.dashboard, key.account
            ))
        };
        let job = self.jobs.get(key).ok_or_else(not_found)?;
        // QuickSight resources are regional: a job started in one region does not exist in another.
        let region = caller.region.as_deref().unwrap_or(&self.settings.default_region);
        if job.region != region {
            return Err(not_found());
        }
        if job.access_key_id != caller.access_key_id {
            return Err(ServiceError::access_denied(format!(
                "User with access key {} is not authorized to read snapshot job {}: it was started with other credentials.",
                caller.access_key_id, key.job_id
            )));
        }
        Ok(job)
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    initial: Config,
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn new(config: Config) -> Self {
        let state = Mutex::new(State::new(&config));
        Self { initial: config, state }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-written in a way that matters here.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn start(
        &self,
        caller: &Caller,
        account: &str,
        dashboard: &str,
        request: StartRequest,
    ) -> Result<(String, String), ServiceError> {
        let mut state = self.lock();
        let now = state.clock.now();
        let key = JobKey {
            account: account.to_owned(),
            dashboard: dashboard.to_owned(),
            job_id: request.snapshot_job_id.clone(),
        };
        if let Some(existing) = state.jobs.get(&key)
            && now.duration_since(existing.created).unwrap_or_default() < REUSE_AFTER
        {
            return Err(ServiceError::resource_exists(format!(
                "Snapshot job with id {} already exists for dashboard {dashboard}. A job id can be reused 24 hours after its job started.",
                key.job_id
            )));
        }
        let active = state
            .jobs
            .values()
            .filter(|job| job.key.account == account && job.key != key)
            .filter(|job| state.phase(job, now).terminal.is_none())
            .count();
        if active >= state.settings.max_running_per_account {
            return Err(ServiceError::limit_exceeded(format!(
                "Account {account} already has {active} snapshot jobs queued or running; the limit is {}.",
                state.settings.max_running_per_account
            )));
        }
        let region = caller
            .region
            .clone()
            .unwrap_or_else(|| state.settings.default_region.clone());
        let job = Job::new(key.clone(), &region, &caller.access_key_id, now, request);
        let answer = (job.arn.clone(), key.job_id.clone());
        tracing::info!(arn = %job.arn, "snapshot job started");
        state.jobs.insert(key, job);
        Ok(answer)
    }

    pub(crate) fn describe(&self, caller: &Caller, key: &JobKey, request_id: &str) -> Result<Value, ServiceError> {
        let state = self.lock();
        let job = state.readable_job(caller, key)?;
        let phase = state.phase(job, state.clock.now());
        Ok(job.describe_body(&phase, request_id))
    }

    pub(crate) fn result(&self, caller: &Caller, key: &JobKey, request_id: &str) -> Result<Value, ServiceError> {
        let state = self.lock();
        let job = state.readable_job(caller, key)?;
        let now = state.clock.now();
        let applied = state.applied(key);
        let phase = job.phase(now, &state.settings, applied);
        if phase.terminal.is_none() {
            return Err(ServiceError::precondition_not_met(format!(
                "Dashboard Snapshot Job with id {} has not reached a terminal state.",
                key.job_id
            )));
        }
        Ok(job.result_body(&phase, applied.map(|a| a.scenario), now, request_id))
    }

    /// Takes one use of the first pending fault for `operation` (or for any operation).
    pub(crate) fn take_fault(&self, operation: Operation) -> Option<FaultRule> {
        let mut state = self.lock();
        let index = state
            .faults
            .iter()
            .position(|f| f.operation.is_none_or(|op| op == operation))?;
        let rule = state.faults.get_mut(index)?;
        rule.count = rule.count.saturating_sub(1);
        let taken = FaultRule {
            count: 1,
            ..rule.clone()
        };
        if rule.count == 0 {
            state.faults.remove(index);
        }
        Some(taken)
    }

    /// Stores a request; fills in its sequence number and arrival time.
    pub(crate) fn record(&self, mut request: RecordedRequest) {
        let mut state = self.lock();
        request.sequence = state.requests.len() as u64 + 1;
        request.received_at = epoch_seconds(state.clock.now());
        state.requests.push(request);
    }

    pub(crate) fn requests(&self, operation: Option<Operation>) -> Vec<RecordedRequest> {
        let state = self.lock();
        state
            .requests
            .iter()
            .filter(|r| operation.is_none() || r.operation == operation)
            .cloned()
            .collect()
    }

    pub(crate) fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    pub(crate) fn settings(&self) -> Settings {
        self.lock().settings.clone()
    }

    pub(crate) fn patch_settings(&self, patch: &ConfigPatch) -> Result<Settings, String> {
        patch.check()?;
        let mut state = self.lock();
        patch.apply(&mut state.settings);
        Ok(state.settings.clone())
    }

    pub(crate) fn add_scenario(&self, rule: ScenarioRule) -> Result<(), String> {
        rule.check()?;
        self.lock().add_scenario(rule);
        Ok(())
    }

    pub(crate) fn scenarios(&self) -> Vec<ScenarioRule> {
        let state = self.lock();
        state.scenarios.iter().map(|s| s.rule.clone()).collect()
    }

    pub(crate) fn clear_scenarios(&self) {
        self.lock().scenarios.clear();
    }

    pub(crate) fn push_fault(&self, rule: FaultRule) -> Result<(), String> {
        rule.check()?;
        self.lock().faults.push_back(rule);
        Ok(())
    }

    pub(crate) fn faults(&self) -> Vec<FaultRule> {
        self.lock().faults.iter().cloned().collect()
    }

    pub(crate) fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    pub(crate) fn apply_setup(&self, setup: Setup) -> Result<(), String> {
        setup.check()?;
        let mut state = self.lock();
        if let Some(patch) = &setup.config {
            patch.apply(&mut state.settings);
        }
        for rule in setup.scenarios {
            state.add_scenario(rule);
        }
        state.faults.extend(setup.faults);
        Ok(())
    }

    pub(crate) fn jobs(&self) -> Vec<JobSummary> {
        let state = self.lock();
        let now = state.clock.now();
        state
            .jobs
            .values()
            .map(|job| {
                let phase = state.phase(job, now);
                JobSummary {
                    aws_account_id: job.key.account.clone(),
                    dashboard_id: job.key.dashboard.clone(),
                    snapshot_job_id: job.key.job_id.clone(),
                    arn: job.arn.clone(),
                    job_status: phase.status,
                    created_time: epoch_seconds(job.created),
                    last_updated_time: epoch_seconds(phase.last_updated),
                    access_key_id: job.access_key_id.clone(),
                    region: job.region.clone(),
                    scenario: state.applied(&job.key).map(|a| a.scenario.clone()),
                }
            })
            .collect()
    }

    /// Moves the emulator clock forward; returns the total offset from the wall clock.
    pub(crate) fn advance_clock(&self, by: Duration) -> Duration {
        let mut state = self.lock();
        state.clock.advance(by);
        state.clock.offset()
    }

    /// Back to the start-up state: jobs, requests and clock offset cleared; settings, scenarios and
    /// faults as configured at start (including a scenario file).
    pub(crate) fn reset(&self) {
        *self.lock() = State::new(&self.initial);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::Fault;
    use crate::request::parse_start;
    use crate::scenario::JobSelector;

    fn caller(akid: &str) -> Caller {
        Caller {
            access_key_id: akid.into(),
            region: Some("eu-central-1".into()),
        }
    }

    fn request(job: &str) -> StartRequest {
        let body = serde_json::json!({
            "SnapshotJobId": job,
            "SnapshotConfiguration": {"FileGroups": [
                {"Files": [{"FormatType": "PDF", "SheetSelections": [{"SheetId": "s", "SelectionScope": "ALL_VISUALS"}]}]}
            ]}
        });
        parse_start("123456789012", "dash", body.to_string().as_bytes()).unwrap()
    }

    /// Starts `job` on the "dash" dashboard of `account`, as caller "A".
    fn start(shared: &Shared, account: &str, job: &str) -> Result<(String, String), ServiceError> {
        shared.start(&caller("A"), account, "dash", request(job))
    }

    fn key(job: &str) -> JobKey {
        JobKey {
            account: "123456789012".into(),
            dashboard: "dash".into(),
            job_id: job.into(),
        }
    }

    #[test]
    fn the_arn_uses_the_callers_region() {
        let shared = Shared::new(Config::default());
        let (arn, id) = start(&shared, "123456789012", "j1").unwrap();
        assert_eq!(
            arn,
            "arn:aws:quicksight:eu-central-1:123456789012:dashboard/dash/snapshot-job/j1"
        );
        assert_eq!(id, "j1");
    }

    #[test]
    fn a_job_id_is_reusable_only_after_24_hours() {
        let shared = Shared::new(Config::default());
        start(&shared, "123456789012", "j1").unwrap();
        let err = start(&shared, "123456789012", "j1").unwrap_err();
        assert_eq!((err.status, err.error_type.as_str()), (409, "ResourceExistsException"));
        shared.advance_clock(REUSE_AFTER);
        assert!(start(&shared, "123456789012", "j1").is_ok());
    }

    #[test]
    fn the_thirteenth_active_job_of_an_account_is_refused() {
        let shared = Shared::new(Config::default());
        for i in 0..12 {
            start(&shared, "123456789012", &format!("j{i}")).unwrap();
        }
        let err = start(&shared, "123456789012", "j12").unwrap_err();
        assert_eq!((err.status, err.error_type.as_str()), (409, "LimitExceededException"));
        assert!(start(&shared, "210987654321", "j12").is_ok());
        shared.advance_clock(Duration::from_secs(10));
        assert!(start(&shared, "123456789012", "j12").is_ok());
    }

    #[test]
    fn reading_with_another_access_key_is_denied() {
        let shared = Shared::new(Config::default());
        start(&shared, "123456789012", "j1").unwrap();
        let err = shared.describe(&caller("B"), &key("j1"), "r").unwrap_err();
        assert_eq!((err.status, err.error_type.as_str()), (401, "AccessDeniedException"));
        let err = shared.describe(&caller("A"), &key("nope"), "r").unwrap_err();
        assert_eq!(
            (err.status, err.error_type.as_str()),
            (404, "ResourceNotFoundException")
        );
    }

    #[test]
    fn a_job_does_not_exist_in_another_region() {
        let shared = Shared::new(Config::default());
        start(&shared, "123456789012", "j1").unwrap();
        let elsewhere = Caller {
            access_key_id: "A".into(),
            region: Some("us-west-2".into()),
        };
        let err = shared.describe(&elsewhere, &key("j1"), "r").unwrap_err();
        assert_eq!(
            (err.status, err.error_type.as_str()),
            (404, "ResourceNotFoundException")
        );
        assert!(shared.describe(&caller("A"), &key("j1"), "r").is_ok());
    }

    #[test]
    fn the_result_before_a_terminal_state_is_a_precondition_failure() {
        let shared = Shared::new(Config::default());
        start(&shared, "123456789012", "j1").unwrap();
        let err = shared.result(&caller("A"), &key("j1"), "r").unwrap_err();
        assert_eq!(
            err,
            ServiceError::precondition_not_met("Dashboard Snapshot Job with id j1 has not reached a terminal state.")
        );
        shared
            .add_scenario(ScenarioRule::new(
                JobSelector::job_id("j1"),
                Scenario {
                    finish_now: true,
                    ..Scenario::default()
                },
            ))
            .unwrap();
        assert_eq!(
            shared.result(&caller("A"), &key("j1"), "r").unwrap()["JobStatus"],
            "COMPLETED"
        );
    }

    #[test]
    fn the_most_specific_scenario_wins() {
        let shared = Shared::new(Config::default());
        shared
            .add_scenario(ScenarioRule::new(
                JobSelector::job("123456789012", "dash", "j1"),
                Scenario::failed("X", "x"),
            ))
            .unwrap();
        shared
            .add_scenario(ScenarioRule::default_for_all(Scenario::failed("Y", "y")))
            .unwrap();
        let state = shared.lock();
        let chosen = state.applied(&key("j1")).unwrap().scenario.error_info.clone().unwrap();
        assert_eq!(chosen.error_type, "X");
        let other = state.applied(&key("j2")).unwrap().scenario.error_info.clone().unwrap();
        assert_eq!(other.error_type, "Y");
    }

    #[test]
    fn faults_are_used_in_order_and_counted_down() {
        let shared = Shared::new(Config::default());
        shared
            .push_fault(FaultRule::once(Operation::DescribeDashboardSnapshotJob, Fault::EmptyBody).times(2))
            .unwrap();
        shared.push_fault(FaultRule::any(1, Fault::ConnectionReset)).unwrap();
        let start = shared.take_fault(Operation::StartDashboardSnapshotJob).unwrap();
        assert_eq!(start.fault, Fault::ConnectionReset);
        for _ in 0..2 {
            let taken = shared.take_fault(Operation::DescribeDashboardSnapshotJob).unwrap();
            assert_eq!(taken.fault, Fault::EmptyBody);
        }
        assert_eq!(shared.take_fault(Operation::DescribeDashboardSnapshotJob), None);
    }

    #[test]
    fn reset_restores_the_start_up_scenarios_and_drops_jobs() {
        let config = Config {
            scenarios: vec![ScenarioRule::default_for_all(Scenario::failed("X", "x"))],
            ..Config::default()
        };
        let shared = Shared::new(config);
        start(&shared, "123456789012", "j1").unwrap();
        shared.clear_scenarios();
        shared.reset();
        assert!(shared.jobs().is_empty());
        assert_eq!(shared.scenarios().len(), 1);
    }
}
