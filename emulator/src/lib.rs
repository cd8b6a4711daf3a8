//! A local stand-in for the Amazon QuickSight dashboard snapshot-job API: StartDashboardSnapshotJob,
//! DescribeDashboardSnapshotJob and DescribeDashboardSnapshotJobResult, close enough to the service
//! that aws-sdk-quicksight and botocore cannot tell the difference, plus a control API under
//! `/_emulator/` to script job outcomes and inject faults. See README.md.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emulator = quicksight_emulator::spawn(quicksight_emulator::Config::default()).await?;
//! println!("point AWS_ENDPOINT_URL_QUICKSIGHT at {}", emulator.endpoint());
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```

mod api;
mod clock;
mod config;
mod control;
mod error;
mod fault;
mod jobs;
mod journal;
mod operation;
mod request;
mod scenario;
mod server;
mod state;

pub use config::{Config, ConfigPatch, Setup};
pub use fault::{Fault, FaultRule};
pub use jobs::Settings;
pub use journal::RecordedRequest;
pub use operation::Operation;
pub use scenario::{ErrorInfo, FileError, JobSelector, Outcome, Scenario, ScenarioRule};
pub use state::JobSummary;

use state::Shared;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A control call that was refused (bad scenario or fault); the text says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlError(pub String);

impl fmt::Display for ControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ControlError {}

/// Starts the emulator on 127.0.0.1 (`config.port`, 0 = any free port) and returns once it accepts.
pub async fn spawn(config: Config) -> std::io::Result<Handle> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(config));
    let router = axum::Router::new()
        .merge(api::routes())
        .nest(control::PREFIX, control::routes())
        .fallback(api::unknown)
        .method_not_allowed_fallback(api::unknown)
        .with_state(Arc::clone(&shared));
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(server::serve(listener, router, stopped));
    tracing::info!(%addr, "QuickSight emulator listening");
    Ok(Handle {
        addr,
        shared,
        stop: Some(stop),
        task: Some(task),
    })
}

/// A running emulator. Dropping it stops the server too (without waiting).
#[derive(Debug)]
pub struct Handle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Handle {
    /// The base URL for SDK endpoint overrides, e.g. `http://127.0.0.1:40123`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets open connections finish (for at most a few seconds), then returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
        {
            tracing::warn!(%error, "emulator task ended badly");
        }
    }

    /// Adds a scenario rule (replacing one with the same selector). Same as `POST /_emulator/scenarios`.
    pub fn set_scenario(&self, rule: ScenarioRule) -> Result<(), ControlError> {
        self.shared.add_scenario(rule).map_err(ControlError)
    }

    /// The scenario for one job (account, dashboard, job id).
    pub fn set_job_scenario(
        &self,
        account: &str,
        dashboard: &str,
        job: &str,
        scenario: Scenario,
    ) -> Result<(), ControlError> {
        self.set_scenario(ScenarioRule::new(JobSelector::job(account, dashboard, job), scenario))
    }

    /// The scenario for every job that no more specific rule matches.
    pub fn set_default_scenario(&self, scenario: Scenario) -> Result<(), ControlError> {
        self.set_scenario(ScenarioRule::default_for_all(scenario))
    }

    pub fn scenarios(&self) -> Vec<ScenarioRule> {
        self.shared.scenarios()
    }

    pub fn clear_scenarios(&self) {
        self.shared.clear_scenarios();
    }

    /// Queues a fault. Same as `POST /_emulator/faults`.
    pub fn push_fault(&self, rule: FaultRule) -> Result<(), ControlError> {
        self.shared.push_fault(rule).map_err(ControlError)
    }

    /// Faults not used up yet.
    pub fn faults(&self) -> Vec<FaultRule> {
        self.shared.faults()
    }

    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// Every QuickSight request seen since start (or the last reset / clear), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests(None)
    }

    /// The recorded requests of one operation.
    pub fn requests_for(&self, operation: Operation) -> Vec<RecordedRequest> {
        self.shared.requests(Some(operation))
    }

    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// Every job with its current status.
    pub fn jobs(&self) -> Vec<JobSummary> {
        self.shared.jobs()
    }

    pub fn settings(&self) -> Settings {
        self.shared.settings()
    }

    pub fn patch_settings(&self, patch: &ConfigPatch) -> Result<Settings, ControlError> {
        self.shared.patch_settings(patch).map_err(ControlError)
    }

    /// Applies a scenario document. Same as `POST /_emulator/setup`.
    pub fn apply_setup(&self, setup: Setup) -> Result<(), ControlError> {
        self.shared.apply_setup(setup).map_err(ControlError)
    }

    /// Moves the emulator clock forward (job phases, timestamps, the 24-hour id reuse window).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.advance_clock(by);
    }

    /// Back to the start-up state. Same as `POST /_emulator/reset`.
    pub fn reset(&self) {
        self.shared.reset();
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
