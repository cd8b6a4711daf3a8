//! The QuickSight calls, and the translation of SDK errors into [`Error`] with code, message and
//! request id kept. The only module besides `notify` that talks to AWS.

use std::time::Duration;

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::config::Region;
use aws_sdk_quicksight::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_quicksight::operation::RequestId;
use aws_sdk_quicksight::types::SnapshotJobStatus;

use crate::error::{Error, ServiceFault, error_chain, transport_class};
use crate::input::JobRef;
use crate::output::{JobIdentity, Output};
use crate::translate;

/// The message QuickSight gives when the result is asked for too early (the exception name varies).
const NOT_TERMINAL_MARKER: &str = "has not reached a terminal state";

pub struct QuickSight {
    client: Client,
    default_region: String,
    /// The whole budget of one invocation's QuickSight calls (each call also has its own limits).
    budget: Duration,
}

impl QuickSight {
    pub fn new(client: Client, budget: Duration) -> Self {
        let default_region = client
            .config()
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".to_owned());
        QuickSight {
            client,
            default_region,
            budget,
        }
    }

    /// The job identity as the output reports it (the ARN's region, else the function's).
    pub fn identity(&self, job: &JobRef) -> JobIdentity {
        JobIdentity {
            aws_account_id: job.account_id.clone(),
            dashboard_id: job.dashboard_id.clone(),
            snapshot_job_id: job.snapshot_job_id.clone(),
            arn: job.arn(&self.default_region),
            region: job.region.clone().unwrap_or_else(|| self.default_region.clone()),
        }
    }

    /// Reads the job's result and translates it. A job that is not terminal yet becomes a PENDING
    /// output with its status read from DescribeDashboardSnapshotJob.
    pub async fn snapshot_result(&self, job: &JobRef, retry_after_seconds: u32) -> Result<Output, Error> {
        match tokio::time::timeout(self.budget, self.read(job, retry_after_seconds)).await {
            Ok(result) => result,
            Err(_) => Err(Error::QuickSightUnavailable(ServiceFault {
                code: "TimeoutError".to_owned(),
                message: format!("no answer from QuickSight within {} ms", self.budget.as_millis()),
                request_id: None,
            })),
        }
    }

    async fn read(&self, job: &JobRef, retry_after_seconds: u32) -> Result<Output, Error> {
        let identity = self.identity(job);
        // A job may finish between the two calls; then its result is read once more.
        for _ in 0..2 {
            match self.describe_result(job).await? {
                Fetched::Result(result) => return translate::translate(identity, &result, retry_after_seconds),
                Fetched::NotTerminal => {}
            }
            let described = self
                .client
                .describe_dashboard_snapshot_job()
                .aws_account_id(&job.account_id)
                .dashboard_id(&job.dashboard_id)
                .snapshot_job_id(&job.snapshot_job_id)
                .customize()
                .config_override(self.region_override(job))
                .send()
                .await
                .map_err(|e| match classify("DescribeDashboardSnapshotJob", e) {
                    Classified::Error(error) => error,
                    Classified::NotTerminal(fault) => Error::QuickSightRejected(fault),
                })?;
            let status = match described.job_status() {
                Some(SnapshotJobStatus::Queued) => "QUEUED",
                Some(SnapshotJobStatus::Running) | None => "RUNNING",
                Some(SnapshotJobStatus::Completed | SnapshotJobStatus::Failed) => continue,
                Some(other) => {
                    return Err(Error::UnexpectedJobStatus {
                        status: other.as_str().to_owned(),
                        arn: identity.arn,
                    });
                }
            };
            return Ok(translate::pending(
                identity,
                status,
                described.created_time(),
                described.last_updated_time(),
                described.request_id().map(str::to_owned),
                retry_after_seconds,
            ));
        }
        Ok(translate::pending(
            identity,
            "RUNNING",
            None,
            None,
            None,
            retry_after_seconds,
        ))
    }

    async fn describe_result(&self, job: &JobRef) -> Result<Fetched, Error> {
        let answer = self
            .client
            .describe_dashboard_snapshot_job_result()
            .aws_account_id(&job.account_id)
            .dashboard_id(&job.dashboard_id)
            .snapshot_job_id(&job.snapshot_job_id)
            .customize()
            .config_override(self.region_override(job))
            .send()
            .await;
        match answer {
            Ok(result) => Ok(Fetched::Result(Box::new(result))),
            Err(e) => match classify("DescribeDashboardSnapshotJobResult", e) {
                Classified::NotTerminal(_) => Ok(Fetched::NotTerminal),
                Classified::Error(error) => Err(error),
            },
        }
    }

    /// Sends a call in the job's own region when its ARN named another one than the function's;
    /// an empty override changes nothing.
    fn region_override(&self, job: &JobRef) -> aws_sdk_quicksight::config::Builder {
        let overrides = aws_sdk_quicksight::config::Builder::default();
        match job.region.as_deref().filter(|r| *r != self.default_region) {
            Some(region) => overrides.region(Region::new(region.to_owned())),
            None => overrides,
        }
    }
}

enum Fetched {
    Result(Box<aws_sdk_quicksight::operation::describe_dashboard_snapshot_job_result::DescribeDashboardSnapshotJobResultOutput>),
    NotTerminal,
}

type HttpResponse = aws_sdk_quicksight::config::http::HttpResponse;

pub(crate) enum Classified {
    NotTerminal(ServiceFault),
    Error(Error),
}

/// Maps any QuickSight SDK error to a stable error class, keeping code, message and request id.
pub(crate) fn classify<E>(operation: &str, error: SdkError<E, HttpResponse>) -> Classified
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = error.raw_response().map(|r| r.status().as_u16());
    let request_id = error.request_id().map(str::to_owned).or_else(|| {
        error
            .raw_response()
            .and_then(|r| r.headers().get("x-amzn-requestid"))
            .map(str::to_owned)
    });
    let transport = |code: &str, error: &SdkError<E, HttpResponse>| ServiceFault {
        code: code.to_owned(),
        message: format!("{operation}: {}", error_chain(error)),
        request_id: request_id.clone(),
    };
    match &error {
        // A 2xx answer only fails when its body could not be read (truncated, not JSON, wrong shape):
        // QuickSight did answer, so this is a transient fault, not a rejection of the request.
        SdkError::ServiceError(service)
            if service.err().code().is_none() && status.is_some_and(|s| (200..300).contains(&s)) =>
        {
            Classified::Error(Error::QuickSightUnavailable(transport("UnreadableResponse", &error)))
        }
        SdkError::ServiceError(service) => {
            let err = service.err();
            let code = err.code().unwrap_or("Unknown").to_owned();
            let message = err.message().unwrap_or_default().to_owned();
            let fault = ServiceFault {
                code: code.clone(),
                message: format!("{operation}: {message}"),
                request_id,
            };
            if message.contains(NOT_TERMINAL_MARKER) {
                return Classified::NotTerminal(fault);
            }
            Classified::Error(match (code.as_str(), status) {
                ("AccessDeniedException", _) => Error::QuickSightAccessDenied(fault),
                ("ResourceNotFoundException", _) => Error::SnapshotJobNotFound(fault),
                ("ThrottlingException" | "TooManyRequestsException" | "Throttling" | "LimitExceededException", _) => {
                    Error::QuickSightThrottled(fault)
                }
                ("UnsupportedUserEditionException" | "UnsupportedPricingPlanException", _) => {
                    Error::QuickSightEditionUnsupported(fault)
                }
                ("InternalFailureException" | "ServiceUnavailable" | "ServiceUnavailableException", _) => {
                    Error::QuickSightUnavailable(fault)
                }
                (_, Some(429)) => Error::QuickSightThrottled(fault),
                (_, Some(s)) if s >= 500 => Error::QuickSightUnavailable(fault),
                (_, Some(401 | 403)) => Error::QuickSightAccessDenied(fault),
                (_, Some(404)) => Error::SnapshotJobNotFound(fault),
                _ => Error::QuickSightRejected(fault),
            })
        }
        other => {
            let class = transport_class(other);
            let fault = transport(class, &error);
            // A request the SDK could not even build will not succeed later; anything else is transient.
            Classified::Error(match other {
                SdkError::ConstructionFailure(_) => Error::QuickSightRejected(fault),
                _ => Error::QuickSightUnavailable(fault),
            })
        }
    }
}
