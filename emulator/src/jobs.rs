//! Snapshot jobs: their lifecycle (computed from the clock, the settings and the job's scenario
//! whenever the job is read) and the Describe / DescribeResult bodies.

use crate::clock::epoch_seconds;
use crate::request::StartRequest;
use crate::scenario::{ErrorInfo, Outcome, Scenario};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;
use time::macros::format_description;

/// Runtime settings (the global part of the configuration), readable and patchable via the control API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub queued_seconds: f64,
    pub running_seconds: f64,
    pub max_running_per_account: usize,
    pub default_region: String,
}

/// The key a job lives under; a job id is unique within an account and dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct JobKey {
    pub account: String,
    pub dashboard: String,
    pub job_id: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub key: JobKey,
    pub arn: String,
    pub region: String,
    pub access_key_id: String,
    pub created: SystemTime,
    pub request: StartRequest,
    /// One unique object name per file group, e.g. `3f1c...e2.pdf`.
    pub object_names: Vec<String>,
}

/// A scenario that applies to a job, with the time it was set (for `finishNow` and `jobStatus`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Applied<'a> {
    pub scenario: &'a Scenario,
    pub set_at: SystemTime,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Phase {
    pub status: String,
    pub last_updated: SystemTime,
    pub terminal: Option<Outcome>,
}

fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or_default()
}

impl Job {
    pub(crate) fn new(
        key: JobKey,
        region: &str,
        access_key_id: &str,
        created: SystemTime,
        request: StartRequest,
    ) -> Self {
        let arn = format!(
            "arn:aws:quicksight:{region}:{}:dashboard/{}/snapshot-job/{}",
            key.account, key.dashboard, key.job_id
        );
        let object_names = request
            .file_groups
            .iter()
            .map(|group| format!("{}.{}", uuid::Uuid::new_v4().simple(), group.format.extension()))
            .collect();
        Self {
            key,
            arn,
            region: region.to_owned(),
            access_key_id: access_key_id.to_owned(),
            created,
            request,
            object_names,
        }
    }

    /// Where the job stands at `now`.
    pub(crate) fn phase(&self, now: SystemTime, settings: &Settings, applied: Option<Applied<'_>>) -> Phase {
        let scenario = applied.map(|a| a.scenario);
        let since_set = applied.map_or(self.created, |a| a.set_at.max(self.created));
        if let Some(pinned) = scenario.and_then(|s| s.job_status.as_deref()) {
            let terminal = match pinned {
                "COMPLETED" => Some(Outcome::Completed),
                "FAILED" => Some(Outcome::Failed),
                _ => None,
            };
            return Phase {
                status: pinned.to_owned(),
                last_updated: since_set,
                terminal,
            };
        }
        let queued = seconds(
            scenario
                .and_then(|s| s.queued_seconds)
                .unwrap_or(settings.queued_seconds),
        );
        let running = seconds(
            scenario
                .and_then(|s| s.running_seconds)
                .unwrap_or(settings.running_seconds),
        );
        let started = self.created + queued;
        let mut finished = started + running;
        if scenario.is_some_and(|s| s.finish_now) {
            finished = finished.min(since_set);
        }
        if now >= finished {
            let outcome = scenario.and_then(|s| s.outcome).unwrap_or_default();
            let status = match outcome {
                Outcome::Completed => "COMPLETED",
                Outcome::Failed => "FAILED",
            };
            Phase {
                status: status.to_owned(),
                last_updated: finished,
                terminal: Some(outcome),
            }
        } else if now >= started {
            Phase {
                status: "RUNNING".to_owned(),
                last_updated: started,
                terminal: None,
            }
        } else {
            Phase {
                status: "QUEUED".to_owned(),
                last_updated: self.created,
                terminal: None,
            }
        }
    }

    /// The DescribeDashboardSnapshotJob body (note the numeric `Status` member the service sends).
    pub(crate) fn describe_body(&self, phase: &Phase, request_id: &str) -> Value {
        let mut body = Map::new();
        body.insert("AwsAccountId".into(), json!(self.key.account));
        body.insert("DashboardId".into(), json!(self.key.dashboard));
        body.insert("SnapshotJobId".into(), json!(self.key.job_id));
        body.insert("Arn".into(), json!(self.arn));
        body.insert("JobStatus".into(), json!(phase.status));
        body.insert("CreatedTime".into(), json!(epoch_seconds(self.created)));
        body.insert("LastUpdatedTime".into(), json!(epoch_seconds(phase.last_updated)));
        body.insert("SnapshotConfiguration".into(), self.request.configuration.clone());
        if let Some(users) = &self.request.anonymous_users {
            let redacted: Vec<Value> = users
                .iter()
                .map(|keys| {
                    if keys.is_empty() {
                        json!({})
                    } else {
                        json!({"RowLevelPermissionTagKeys": keys})
                    }
                })
                .collect();
            body.insert("UserConfiguration".into(), json!({"AnonymousUsers": redacted}));
        }
        body.insert("RequestId".into(), json!(request_id));
        body.insert("Status".into(), json!(200));
        Value::Object(body)
    }

    /// The DescribeDashboardSnapshotJobResult body of a job in a terminal phase.
    pub(crate) fn result_body(
        &self,
        phase: &Phase,
        scenario: Option<&Scenario>,
        now: SystemTime,
        request_id: &str,
    ) -> Value {
        let mut body = Map::new();
        body.insert("Arn".into(), json!(self.arn));
        body.insert("JobStatus".into(), json!(phase.status));
        body.insert("CreatedTime".into(), json!(epoch_seconds(self.created)));
        body.insert("LastUpdatedTime".into(), json!(epoch_seconds(phase.last_updated)));
        let error_info = scenario.and_then(|s| s.error_info.as_ref());
        match phase.terminal {
            Some(Outcome::Failed) => {
                let info = error_info
                    .cloned()
                    .unwrap_or_else(|| ErrorInfo::new("INTERNAL_FAILURE", "The snapshot job failed."));
                body.insert("ErrorInfo".into(), error_info_json(&info));
            }
            _ => {
                body.insert("Result".into(), self.result_json(scenario, now));
                if let Some(info) = error_info {
                    body.insert("ErrorInfo".into(), error_info_json(info));
                }
            }
        }
        body.insert("RequestId".into(), json!(request_id));
        Value::Object(body)
    }

    fn result_json(&self, scenario: Option<&Scenario>, now: SystemTime) -> Value {
        let registered = scenario
            .and_then(|s| s.registered_users)
            .unwrap_or(self.request.anonymous_users.is_none());
        let groups: Vec<Value> = self
            .request
            .file_groups
            .iter()
            .zip(&self.object_names)
            .enumerate()
            .map(|(index, (group, object))| {
                let mut s3_result = Map::new();
                if let Some(destination) = &self.request.destination {
                    s3_result.insert("S3DestinationConfiguration".into(), destination.raw.clone());
                }
                s3_result.insert("S3Uri".into(), json!(self.object_uri(object, now)));
                let errors: Vec<Value> = scenario
                    .map(|s| {
                        s.file_errors
                            .iter()
                            .filter(|e| e.file_group_index == index)
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| json!({"ErrorType": e.error_type, "ErrorMessage": e.message_or_default()}))
                    .collect();
                if !errors.is_empty() {
                    s3_result.insert("ErrorInfo".into(), Value::Array(errors));
                }
                json!({"Files": group.files, "S3Results": [Value::Object(s3_result)]})
            })
            .collect();
        let per_user = json!({"FileGroups": groups});
        if registered {
            json!({"RegisteredUsers": [per_user]})
        } else {
            let users = self.request.anonymous_users.as_ref().map_or(1, Vec::len).max(1);
            json!({"AnonymousUsers": vec![per_user; users]})
        }
    }

    /// `s3://bucket/prefix/...` for a customer bucket, else a presigned-looking HTTPS URL.
    fn object_uri(&self, object: &str, now: SystemTime) -> String {
        let JobKey {
            account,
            dashboard,
            job_id,
        } = &self.key;
        match &self.request.destination {
            Some(destination) => {
                let prefix = destination.prefix.trim_matches('/');
                let key = format!("{dashboard}/{job_id}/{object}");
                if prefix.is_empty() {
                    format!("s3://{}/{key}", destination.bucket)
                } else {
                    format!("s3://{}/{prefix}/{key}", destination.bucket)
                }
            }
            None => presigned_url(&self.region, &format!("{account}/{dashboard}/{job_id}/{object}"), now),
        }
    }
}

fn error_info_json(info: &ErrorInfo) -> Value {
    json!({"ErrorType": info.error_type, "ErrorMessage": info.message_or_default()})
}

fn presigned_url(region: &str, key: &str, now: SystemTime) -> String {
    let at = OffsetDateTime::from(now);
    let amz_date = at
        .format(format_description!("[year][month][day]T[hour][minute][second]Z"))
        .unwrap_or_default();
    let day = amz_date.get(..8).unwrap_or_default();
    let signature = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    format!(
        "https://quicksight-snapshot-results-{region}.s3.{region}.amazonaws.com/{key}\
         ?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={amz_date}&X-Amz-SignedHeaders=host&X-Amz-Expires=300\
         &X-Amz-Credential=ASIAQUICKSIGHTEMULATOR%2F{day}%2F{region}%2Fs3%2Faws4_request&X-Amz-Signature={signature}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::parse_start;
    use crate::scenario::FileError;
    use std::time::UNIX_EPOCH;

    fn settings() -> Settings {
        Settings {
            queued_seconds: 1.0,
            running_seconds: 2.0,
            max_running_per_account: 12,
            default_region: "us-east-1".into(),
        }
    }

    fn job(body: Value) -> Job {
        let request = parse_start("123456789012", "dash", body.to_string().as_bytes()).unwrap();
        let key = JobKey {
            account: "123456789012".into(),
            dashboard: "dash".into(),
            job_id: "job".into(),
        };
        Job::new(
            key,
            "eu-west-1",
            "AKID",
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            request,
        )
    }

    fn pdf_and_csv(extra: Value) -> Value {
        let mut body = json!({
            "SnapshotJobId": "job",
            "SnapshotConfiguration": {"FileGroups": [
                {"Files": [{"FormatType": "PDF", "SheetSelections": [{"SheetId": "s", "SelectionScope": "ALL_VISUALS"}]}]},
                {"Files": [{"FormatType": "CSV", "SheetSelections": [{"SheetId": "s", "SelectionScope": "SELECTED_VISUALS", "VisualIds": ["v"]}]}]}
            ]}
        });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        body
    }

    fn at(job: &Job, secs: f64) -> SystemTime {
        job.created + Duration::from_secs_f64(secs)
    }

    #[test]
    fn a_job_is_queued_then_running_then_completed() {
        let job = job(pdf_and_csv(json!({})));
        let s = settings();
        let statuses: Vec<(String, SystemTime)> = [0.5, 1.5, 3.5]
            .iter()
            .map(|t| job.phase(at(&job, *t), &s, None))
            .map(|p| (p.status, p.last_updated))
            .collect();
        assert_eq!(
            statuses,
            vec![
                ("QUEUED".to_owned(), job.created),
                ("RUNNING".to_owned(), at(&job, 1.0)),
                ("COMPLETED".to_owned(), at(&job, 3.0)),
            ]
        );
    }

    #[test]
    fn finish_now_ends_the_job_when_the_scenario_was_set() {
        let job = job(pdf_and_csv(json!({})));
        let scenario = Scenario {
            outcome: Some(Outcome::Failed),
            finish_now: true,
            ..Scenario::default()
        };
        let applied = Applied {
            scenario: &scenario,
            set_at: at(&job, 0.25),
        };
        let phase = job.phase(at(&job, 0.5), &settings(), Some(applied));
        assert_eq!(
            phase,
            Phase {
                status: "FAILED".into(),
                last_updated: at(&job, 0.25),
                terminal: Some(Outcome::Failed)
            }
        );
    }

    #[test]
    fn a_pinned_status_is_reported_verbatim() {
        let job = job(pdf_and_csv(json!({})));
        let scenario = Scenario {
            job_status: Some("CANCELLED".into()),
            ..Scenario::default()
        };
        let applied = Applied {
            scenario: &scenario,
            set_at: UNIX_EPOCH,
        };
        let phase = job.phase(at(&job, 100.0), &settings(), Some(applied));
        assert_eq!(
            phase,
            Phase {
                status: "CANCELLED".into(),
                last_updated: job.created,
                terminal: None
            }
        );
    }

    #[test]
    fn registered_user_results_carry_presigned_urls_without_a_destination() {
        let job = job(pdf_and_csv(json!({})));
        let phase = job.phase(at(&job, 10.0), &settings(), None);
        let body = job.result_body(&phase, None, at(&job, 10.0), "req");
        let groups = &body["Result"]["RegisteredUsers"][0]["FileGroups"];
        assert_eq!(groups.as_array().unwrap().len(), 2);
        assert!(body["Result"].get("AnonymousUsers").is_none());
        let uri = groups[1]["S3Results"][0]["S3Uri"].as_str().unwrap();
        let prefix = "https://quicksight-snapshot-results-eu-west-1.s3.eu-west-1.amazonaws.com/123456789012/dash/job/";
        assert!(uri.starts_with(prefix), "{uri}");
        assert!(
            uri.contains(".csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20231114T221330Z&"),
            "{uri}"
        );
        assert!(groups[1]["S3Results"][0].get("S3DestinationConfiguration").is_none());
        assert_eq!(groups[0]["Files"][0]["FormatType"], "PDF");
        assert_eq!(body["CreatedTime"], json!(1_700_000_000.0));
        assert_eq!(body["LastUpdatedTime"], json!(1_700_000_003.0));
        assert_eq!(body["JobStatus"], "COMPLETED");
        assert!(body.get("ErrorInfo").is_none());
    }

    #[test]
    fn anonymous_results_echo_the_bucket_and_put_file_errors_on_their_group() {
        let job = job(pdf_and_csv(json!({
            "UserConfiguration": {"AnonymousUsers": [{"RowLevelPermissionTags": [{"Key": "k", "Value": "v"}]}]}
        })));
        let mut job = job;
        let dest = json!({"BucketConfiguration": {"BucketName": "bkt", "BucketPrefix": "reports/", "BucketRegion": "eu-west-1"}});
        job.request.destination = Some(crate::request::Destination {
            raw: dest.clone(),
            bucket: "bkt".into(),
            prefix: "reports/".into(),
        });
        let scenario = Scenario {
            file_errors: vec![FileError::new(1, "RLS_CHANGED", "rls")],
            ..Scenario::default()
        };
        let phase = job.phase(at(&job, 10.0), &settings(), None);
        let body = job.result_body(&phase, Some(&scenario), at(&job, 10.0), "req");
        let groups = &body["Result"]["AnonymousUsers"][0]["FileGroups"];
        let first = &groups[0]["S3Results"][0];
        assert_eq!(first["S3DestinationConfiguration"], dest);
        assert_eq!(
            first["S3Uri"],
            json!(format!("s3://bkt/reports/dash/job/{}", job.object_names[0]))
        );
        assert!(job.object_names[0].ends_with(".pdf"));
        assert!(first.get("ErrorInfo").is_none());
        assert_eq!(
            groups[1]["S3Results"][0]["ErrorInfo"],
            json!([{"ErrorType": "RLS_CHANGED", "ErrorMessage": "rls"}])
        );
        let describe = job.describe_body(&phase, "req");
        assert_eq!(
            describe["UserConfiguration"],
            json!({"AnonymousUsers": [{"RowLevelPermissionTagKeys": ["k"]}]})
        );
        assert_eq!(describe["Status"], json!(200));
    }

    #[test]
    fn a_failed_job_has_error_info_and_no_result() {
        let job = job(pdf_and_csv(json!({})));
        let scenario = Scenario::failed("DASHBOARD_ACCESS_DENIED", "denied");
        let applied = Applied {
            scenario: &scenario,
            set_at: UNIX_EPOCH,
        };
        let phase = job.phase(at(&job, 10.0), &settings(), Some(applied));
        let body = job.result_body(&phase, Some(&scenario), at(&job, 10.0), "req");
        assert_eq!(
            body["ErrorInfo"],
            json!({"ErrorType": "DASHBOARD_ACCESS_DENIED", "ErrorMessage": "denied"})
        );
        assert!(body.get("Result").is_none());
        assert_eq!(body["JobStatus"], "FAILED");
    }
}
