//! The real aws-sdk-quicksight client against the emulator: every operation, every error the emulator
//! can produce, and every fault, asserted through the SDK's own types.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::config::retry::RetryConfig;
use aws_sdk_quicksight::config::timeout::TimeoutConfig;
use aws_sdk_quicksight::config::{Credentials, Region};
use aws_sdk_quicksight::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_quicksight::operation::RequestId;
use aws_sdk_quicksight::operation::describe_dashboard_snapshot_job::{
    DescribeDashboardSnapshotJobError, DescribeDashboardSnapshotJobOutput,
};
use aws_sdk_quicksight::operation::describe_dashboard_snapshot_job_result::{
    DescribeDashboardSnapshotJobResultError, DescribeDashboardSnapshotJobResultOutput,
};
use aws_sdk_quicksight::operation::start_dashboard_snapshot_job::{
    StartDashboardSnapshotJobError, StartDashboardSnapshotJobOutput,
};
use aws_sdk_quicksight::primitives::DateTime;
use aws_sdk_quicksight::types::{
    ExceptionResourceType, S3BucketConfiguration, SessionTag, SnapshotAnonymousUser, SnapshotConfiguration,
    SnapshotDestinationConfiguration, SnapshotFile, SnapshotFileFormatType, SnapshotFileGroup,
    SnapshotFileSheetSelection, SnapshotFileSheetSelectionScope, SnapshotJobStatus, SnapshotS3DestinationConfiguration,
    SnapshotUserConfiguration,
};
use quicksight_emulator::{
    Config, ErrorInfo, Fault, FaultRule, FileError, Handle, JobSelector, Operation, Outcome, Scenario, ScenarioRule,
};
use std::collections::BTreeMap;
use std::time::Duration;

const ACCOUNT: &str = "123456789012";
const DASHBOARD: &str = "sales-dashboard";
const REGION: &str = "eu-west-1";
const AKID: &str = "AKIDCONFORMANCE00001";

async fn emulator() -> Handle {
    // Long phases, so a job stays QUEUED until a scenario or the clock moves it on.
    let config = Config {
        queued_for: Duration::from_secs(60),
        running_for: Duration::from_secs(60),
        ..Config::default()
    };
    quicksight_emulator::spawn(config).await.unwrap()
}

async fn client_with(emulator: &Handle, access_key_id: &str, retry: RetryConfig, timeout: Option<Duration>) -> Client {
    let mut timeouts = TimeoutConfig::builder();
    if let Some(timeout) = timeout {
        timeouts = timeouts.operation_attempt_timeout(timeout);
    }
    let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            access_key_id,
            "dummy-secret",
            None,
            None,
            "conformance",
        ))
        .endpoint_url(emulator.endpoint())
        .retry_config(retry)
        .timeout_config(timeouts.build())
        .load()
        .await;
    Client::new(&sdk_config)
}

/// A client without retries, so each call is exactly one request.
async fn client(emulator: &Handle) -> Client {
    client_with(emulator, AKID, RetryConfig::disabled(), None).await
}

fn file(format: SnapshotFileFormatType, visuals: &[&str]) -> SnapshotFile {
    let mut selection = SnapshotFileSheetSelection::builder().sheet_id("sheet-1");
    if visuals.is_empty() {
        selection = selection.selection_scope(SnapshotFileSheetSelectionScope::AllVisuals);
    } else {
        selection = selection.selection_scope(SnapshotFileSheetSelectionScope::SelectedVisuals);
        for visual in visuals {
            selection = selection.visual_ids(*visual);
        }
    }
    SnapshotFile::builder()
        .format_type(format)
        .sheet_selections(selection.build().unwrap())
        .build()
        .unwrap()
}

fn group(file: SnapshotFile) -> SnapshotFileGroup {
    SnapshotFileGroup::builder().files(file).build()
}

fn pdf_configuration() -> SnapshotConfiguration {
    SnapshotConfiguration::builder()
        .file_groups(group(file(SnapshotFileFormatType::Pdf, &[])))
        .build()
        .unwrap()
}

fn bucket() -> S3BucketConfiguration {
    S3BucketConfiguration::builder()
        .bucket_name("report-bucket")
        .bucket_prefix("snapshots/daily")
        .bucket_region("eu-central-1")
        .build()
        .unwrap()
}

fn three_formats_to_s3() -> SnapshotConfiguration {
    SnapshotConfiguration::builder()
        .file_groups(group(file(SnapshotFileFormatType::Pdf, &[])))
        .file_groups(group(file(SnapshotFileFormatType::Csv, &["visual-1"])))
        .file_groups(group(file(SnapshotFileFormatType::Excel, &["visual-1", "visual-2"])))
        .destination_configuration(
            SnapshotDestinationConfiguration::builder()
                .s3_destinations(
                    SnapshotS3DestinationConfiguration::builder()
                        .bucket_configuration(bucket())
                        .build(),
                )
                .build(),
        )
        .build()
        .unwrap()
}

fn anonymous_user() -> SnapshotUserConfiguration {
    let tag = |k: &str, v: &str| SessionTag::builder().key(k).value(v).build().unwrap();
    SnapshotUserConfiguration::builder()
        .anonymous_users(
            SnapshotAnonymousUser::builder()
                .row_level_permission_tags(tag("region", "EU"))
                .row_level_permission_tags(tag("team", "sales"))
                .build(),
        )
        .build()
}

async fn start(
    client: &Client,
    job: &str,
    configuration: SnapshotConfiguration,
    user: Option<SnapshotUserConfiguration>,
) -> Result<StartDashboardSnapshotJobOutput, SdkError<StartDashboardSnapshotJobError>> {
    client
        .start_dashboard_snapshot_job()
        .aws_account_id(ACCOUNT)
        .dashboard_id(DASHBOARD)
        .snapshot_job_id(job)
        .snapshot_configuration(configuration)
        .set_user_configuration(user)
        .send()
        .await
}

async fn describe(
    client: &Client,
    job: &str,
) -> Result<DescribeDashboardSnapshotJobOutput, SdkError<DescribeDashboardSnapshotJobError>> {
    client
        .describe_dashboard_snapshot_job()
        .aws_account_id(ACCOUNT)
        .dashboard_id(DASHBOARD)
        .snapshot_job_id(job)
        .send()
        .await
}

async fn result(
    client: &Client,
    job: &str,
) -> Result<DescribeDashboardSnapshotJobResultOutput, SdkError<DescribeDashboardSnapshotJobResultError>> {
    client
        .describe_dashboard_snapshot_job_result()
        .aws_account_id(ACCOUNT)
        .dashboard_id(DASHBOARD)
        .snapshot_job_id(job)
        .send()
        .await
}

/// Gives job `job` of the test dashboard `scenario`.
fn set_scenario(emulator: &Handle, job: &str, scenario: Scenario) {
    emulator.set_job_scenario(ACCOUNT, DASHBOARD, job, scenario).unwrap();
}

fn finish_now(emulator: &Handle, job: &str, scenario: Scenario) {
    set_scenario(
        emulator,
        job,
        Scenario {
            finish_now: true,
            ..scenario
        },
    );
}

fn arn(job: &str) -> String {
    format!("arn:aws:quicksight:{REGION}:{ACCOUNT}:dashboard/{DASHBOARD}/snapshot-job/{job}")
}

/// The emulator's timestamp (epoch seconds, millisecond precision) as the SDK should have parsed it.
fn millis(at: &DateTime) -> i64 {
    at.secs() * 1000 + (f64::from(at.subsec_nanos()) / 1e6).round() as i64
}

fn expected_millis(epoch_seconds: f64) -> i64 {
    (epoch_seconds * 1000.0).round() as i64
}

fn last_request_id(emulator: &Handle) -> String {
    emulator.requests().last().unwrap().request_id.clone()
}

#[tokio::test]
async fn a_registered_user_job_goes_from_start_to_a_presigned_result() {
    let emulator = emulator().await;
    let client = client(&emulator).await;

    let started = start(&client, "job-1", pdf_configuration(), None).await.unwrap();
    assert_eq!(started.status(), 202);
    assert_eq!(started.arn(), Some(arn("job-1").as_str()));
    assert_eq!(started.snapshot_job_id(), Some("job-1"));
    let start_request_id = last_request_id(&emulator);
    assert_eq!(started.request_id(), Some(start_request_id.as_str()));
    assert_eq!(RequestId::request_id(&started), Some(start_request_id.as_str()));

    let recorded = emulator.requests_for(Operation::StartDashboardSnapshotJob);
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(
        recorded[0].path,
        format!("/accounts/{ACCOUNT}/dashboards/{DASHBOARD}/snapshot-jobs")
    );
    assert_eq!(recorded[0].access_key_id.as_deref(), Some(AKID));
    assert_eq!(recorded[0].region.as_deref(), Some(REGION));
    let body = recorded[0].body_json.as_ref().unwrap();
    assert_eq!(body["SnapshotJobId"], "job-1");
    assert_eq!(
        body["SnapshotConfiguration"]["FileGroups"][0]["Files"][0]["FormatType"],
        "PDF"
    );
    assert!(body.get("UserConfiguration").is_none(), "{body}");

    let described = describe(&client, "job-1").await.unwrap();
    let job = emulator.jobs().pop().unwrap();
    assert_eq!(described.job_status(), Some(&SnapshotJobStatus::Queued));
    assert_eq!(described.status(), 200);
    assert_eq!(described.aws_account_id(), Some(ACCOUNT));
    assert_eq!(described.dashboard_id(), Some(DASHBOARD));
    assert_eq!(described.snapshot_job_id(), Some("job-1"));
    assert_eq!(described.arn(), Some(arn("job-1").as_str()));
    assert_eq!(described.snapshot_configuration(), Some(&pdf_configuration()));
    assert_eq!(described.user_configuration(), None);
    assert_eq!(
        millis(described.created_time().unwrap()),
        expected_millis(job.created_time)
    );
    assert_eq!(described.last_updated_time(), described.created_time());
    assert_eq!(described.request_id(), Some(last_request_id(&emulator).as_str()));

    let early = result(&client, "job-1").await.unwrap_err();
    assert_eq!(early.raw_response().unwrap().status().as_u16(), 400);
    let early = early.into_service_error();
    assert!(early.is_precondition_not_met_exception(), "{early:?}");
    assert_eq!(
        early.message(),
        Some("Dashboard Snapshot Job with id job-1 has not reached a terminal state.")
    );
    assert_eq!(early.code(), Some("PreconditionNotMetException"));
    assert_eq!(early.request_id(), Some(last_request_id(&emulator).as_str()));

    finish_now(&emulator, "job-1", Scenario::default());
    let done = result(&client, "job-1").await.unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(done.job_status(), Some(&SnapshotJobStatus::Completed));
    assert_eq!(done.arn(), Some(arn("job-1").as_str()));
    assert_eq!(done.error_info(), None);
    assert!(done.last_updated_time().unwrap().as_secs_f64() >= done.created_time().unwrap().as_secs_f64());
    let results = done.result().unwrap();
    assert!(results.anonymous_users().is_empty());
    assert_eq!(results.registered_users().len(), 1);
    let groups = results.registered_users()[0].file_groups();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].files(), &[file(SnapshotFileFormatType::Pdf, &[])]);
    assert_eq!(groups[0].s3_results().len(), 1);
    let s3 = &groups[0].s3_results()[0];
    assert_eq!(s3.s3_destination_configuration(), None);
    assert!(s3.error_info().is_empty());
    let uri = s3.s3_uri().unwrap();
    let base =
        format!("https://quicksight-snapshot-results-{REGION}.s3.{REGION}.amazonaws.com/{ACCOUNT}/{DASHBOARD}/job-1/");
    assert!(uri.starts_with(&base), "{uri}");
    let (path, query) = uri.split_once('?').unwrap();
    assert!(path.ends_with(".pdf"), "{uri}");
    let params: BTreeMap<&str, &str> = query.split('&').filter_map(|p| p.split_once('=')).collect();
    assert_eq!(params["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
    assert_eq!(params["X-Amz-Date"].len(), 16);
    assert_eq!(params["X-Amz-Expires"], "300");
    assert_eq!(params["X-Amz-Signature"].len(), 64);
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_anonymous_user_job_writes_one_object_per_file_group_to_the_bucket() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    start(&client, "job-anon", three_formats_to_s3(), Some(anonymous_user()))
        .await
        .unwrap();
    assert_eq!(
        emulator.requests()[0].body_json.as_ref().unwrap()["UserConfiguration"]["AnonymousUsers"][0]["RowLevelPermissionTags"]
            [1]["Key"],
        "team"
    );

    let described = describe(&client, "job-anon").await.unwrap();
    let redacted = described.user_configuration().unwrap();
    assert_eq!(redacted.anonymous_users().len(), 1);
    assert_eq!(
        redacted.anonymous_users()[0].row_level_permission_tag_keys(),
        ["region", "team"]
    );
    assert_eq!(described.snapshot_configuration(), Some(&three_formats_to_s3()));

    finish_now(&emulator, "job-anon", Scenario::default());
    let done = result(&client, "job-anon").await.unwrap();
    let results = done.result().unwrap();
    assert!(results.registered_users().is_empty());
    assert_eq!(results.anonymous_users().len(), 1);
    let groups = results.anonymous_users()[0].file_groups();
    let expected_files = [
        file(SnapshotFileFormatType::Pdf, &[]),
        file(SnapshotFileFormatType::Csv, &["visual-1"]),
        file(SnapshotFileFormatType::Excel, &["visual-1", "visual-2"]),
    ];
    let mut uris = Vec::new();
    for ((group, expected_file), extension) in groups.iter().zip(&expected_files).zip([".pdf", ".csv", ".xlsx"]) {
        assert_eq!(group.files(), std::slice::from_ref(expected_file));
        let s3 = &group.s3_results()[0];
        assert_eq!(
            s3.s3_destination_configuration().unwrap().bucket_configuration(),
            Some(&bucket())
        );
        let uri = s3.s3_uri().unwrap().to_owned();
        assert!(
            uri.starts_with(&format!("s3://report-bucket/snapshots/daily/{DASHBOARD}/job-anon/")),
            "{uri}"
        );
        assert!(uri.ends_with(extension), "{uri}");
        uris.push(uri);
    }
    assert_eq!(groups.len(), 3);
    uris.sort();
    uris.dedup();
    assert_eq!(uris.len(), 3, "object keys must be unique");
}

#[tokio::test]
async fn a_scenario_set_before_the_start_fails_the_job_with_its_error_info() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    emulator
        .set_scenario(ScenarioRule::new(
            JobSelector::job_id("doomed"),
            Scenario {
                finish_now: true,
                ..Scenario::failed("DASHBOARD_ACCESS_DENIED", "The user cannot access the dashboard.")
            },
        ))
        .unwrap();
    start(&client, "doomed", pdf_configuration(), None).await.unwrap();
    let failed = result(&client, "doomed").await.unwrap();
    assert_eq!(failed.job_status(), Some(&SnapshotJobStatus::Failed));
    assert_eq!(failed.result(), None);
    let info = failed.error_info().unwrap();
    assert_eq!(info.error_type(), Some("DASHBOARD_ACCESS_DENIED"));
    assert_eq!(info.error_message(), Some("The user cannot access the dashboard."));
}

#[tokio::test]
async fn a_completed_job_carries_per_file_and_job_level_error_codes_set_after_the_start() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    start(&client, "partial", three_formats_to_s3(), None).await.unwrap();
    set_scenario(
        &emulator,
        "partial",
        Scenario {
            outcome: Some(Outcome::Completed),
            error_info: Some(ErrorInfo::new("CAPABILITY_RESTRICTED", "Some formats are restricted.")),
            file_errors: vec![
                FileError::new(0, "RLS_CHANGED", "Row-level security changed."),
                FileError::new(2, "CLS_CHANGED", "Column-level security changed."),
                FileError::new(2, "DATASET_DELETED", "A dataset was deleted."),
            ],
            finish_now: true,
            ..Scenario::default()
        },
    );
    let done = result(&client, "partial").await.unwrap();
    assert_eq!(done.job_status(), Some(&SnapshotJobStatus::Completed));
    let job_error = done.error_info().unwrap();
    assert_eq!(job_error.error_type(), Some("CAPABILITY_RESTRICTED"));
    assert_eq!(job_error.error_message(), Some("Some formats are restricted."));
    let groups = done.result().unwrap().registered_users()[0].file_groups();
    let codes: Vec<Vec<(&str, &str)>> = groups
        .iter()
        .map(|g| {
            g.s3_results()[0]
                .error_info()
                .iter()
                .map(|e| (e.error_type().unwrap(), e.error_message().unwrap()))
                .collect()
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            vec![("RLS_CHANGED", "Row-level security changed.")],
            vec![],
            vec![
                ("CLS_CHANGED", "Column-level security changed."),
                ("DATASET_DELETED", "A dataset was deleted.")
            ],
        ]
    );
}

#[tokio::test]
async fn a_scenario_can_put_an_anonymous_jobs_results_under_registered_users() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    emulator
        .set_default_scenario(Scenario {
            registered_users: Some(true),
            finish_now: true,
            ..Scenario::default()
        })
        .unwrap();
    start(
        &client,
        "anon-as-registered",
        pdf_configuration(),
        Some(anonymous_user()),
    )
    .await
    .unwrap();
    let done = result(&client, "anon-as-registered").await.unwrap();
    let results = done.result().unwrap();
    assert!(results.anonymous_users().is_empty());
    assert_eq!(results.registered_users()[0].file_groups().len(), 1);
}

#[tokio::test]
async fn jobs_move_through_queued_and_running_as_the_clock_advances() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    start(&client, "clocked", pdf_configuration(), None).await.unwrap();
    set_scenario(
        &emulator,
        "clocked",
        Scenario {
            queued_seconds: Some(10.0),
            running_seconds: Some(20.0),
            ..Scenario::default()
        },
    );
    let status = || async {
        let out = describe(&client, "clocked").await.unwrap();
        (
            out.job_status().cloned().unwrap(),
            out.created_time().unwrap().as_secs_f64(),
            out.last_updated_time().unwrap().as_secs_f64(),
        )
    };
    let (queued, created, updated) = status().await;
    assert_eq!((queued, updated), (SnapshotJobStatus::Queued, created));
    emulator.advance_clock(Duration::from_secs(11));
    let (running, _, updated) = status().await;
    assert_eq!(running, SnapshotJobStatus::Running);
    assert_eq!(((updated - created) * 1000.0).round(), 10_000.0);
    emulator.advance_clock(Duration::from_secs(20));
    let (completed, _, updated) = status().await;
    assert_eq!(completed, SnapshotJobStatus::Completed);
    assert_eq!(((updated - created) * 1000.0).round(), 30_000.0);
}

#[tokio::test]
async fn a_pinned_unknown_status_reaches_the_sdk_as_an_unknown_variant() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    start(&client, "odd", pdf_configuration(), None).await.unwrap();
    set_scenario(
        &emulator,
        "odd",
        Scenario {
            job_status: Some("CANCELLED".into()),
            ..Scenario::default()
        },
    );
    let out = describe(&client, "odd").await.unwrap();
    assert_eq!(out.job_status(), Some(&SnapshotJobStatus::from("CANCELLED")));
    assert_eq!(out.job_status().unwrap().as_str(), "CANCELLED");
    assert!(
        result(&client, "odd")
            .await
            .unwrap_err()
            .into_service_error()
            .is_precondition_not_met_exception()
    );
}

#[tokio::test]
async fn an_unknown_job_is_resource_not_found_for_both_reads() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    let err = describe(&client, "missing").await.unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 404);
    let DescribeDashboardSnapshotJobError::ResourceNotFoundException(not_found) = err.into_service_error() else {
        panic!("expected ResourceNotFoundException");
    };
    assert_eq!(
        not_found.resource_type(),
        Some(&ExceptionResourceType::from("DASHBOARD_SNAPSHOT_JOB"))
    );
    assert_eq!(not_found.request_id(), Some(last_request_id(&emulator).as_str()));
    assert_eq!(
        not_found.message(),
        Some(format!("Snapshot job missing for dashboard {DASHBOARD} in account {ACCOUNT} does not exist.").as_str())
    );

    let err = result(&client, "missing").await.unwrap_err().into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    assert_eq!(err.meta().request_id(), Some(last_request_id(&emulator).as_str()));
}

#[tokio::test]
async fn reading_a_job_with_another_access_key_is_access_denied() {
    let emulator = emulator().await;
    let owner = client(&emulator).await;
    let stranger = client_with(&emulator, "AKIDSOMEBODYELSE0001", RetryConfig::disabled(), None).await;
    start(&owner, "private", pdf_configuration(), None).await.unwrap();
    let err = describe(&stranger, "private").await.unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 401);
    let err = err.into_service_error();
    assert!(err.is_access_denied_exception(), "{err:?}");
    assert_eq!(err.code(), Some("AccessDeniedException"));
    let err = result(&stranger, "private").await.unwrap_err().into_service_error();
    assert!(err.is_access_denied_exception(), "{err:?}");
    assert_eq!(
        emulator.requests().last().unwrap().access_key_id.as_deref(),
        Some("AKIDSOMEBODYELSE0001")
    );
}

#[tokio::test]
async fn a_job_id_is_taken_for_24_hours_after_its_start() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    start(&client, "daily", pdf_configuration(), None).await.unwrap();
    let err = start(&client, "daily", pdf_configuration(), None).await.unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 409);
    let StartDashboardSnapshotJobError::ResourceExistsException(exists) = err.into_service_error() else {
        panic!("expected ResourceExistsException");
    };
    assert_eq!(
        exists.resource_type(),
        Some(&ExceptionResourceType::from("DASHBOARD_SNAPSHOT_JOB"))
    );
    emulator.advance_clock(Duration::from_secs(24 * 60 * 60));
    let again = start(&client, "daily", pdf_configuration(), None).await.unwrap();
    assert_eq!(again.arn(), Some(arn("daily").as_str()));
}

#[tokio::test]
async fn the_thirteenth_active_job_of_an_account_is_limit_exceeded() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    for i in 0..12 {
        start(&client, &format!("job-{i}"), pdf_configuration(), None)
            .await
            .unwrap();
    }
    let err = start(&client, "job-12", pdf_configuration(), None).await.unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 409);
    let err = err.into_service_error();
    assert!(err.is_limit_exceeded_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("Account {ACCOUNT} already has 12 snapshot jobs queued or running; the limit is 12.").as_str())
    );
    finish_now(&emulator, "job-0", Scenario::default());
    start(&client, "job-12", pdf_configuration(), None).await.unwrap();
}

#[tokio::test]
async fn invalid_input_is_invalid_parameter_value_naming_the_field() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    let pdf_selected = SnapshotConfiguration::builder()
        .file_groups(group(file(SnapshotFileFormatType::Pdf, &["visual-1"])))
        .build()
        .unwrap();
    let eight_groups = SnapshotConfiguration::builder()
        .set_file_groups(Some(vec![group(file(SnapshotFileFormatType::Pdf, &[])); 8]))
        .build()
        .unwrap();
    let two_csv_visuals = SnapshotConfiguration::builder()
        .file_groups(group(file(SnapshotFileFormatType::Csv, &["a", "b"])))
        .build()
        .unwrap();
    let two_destinations = SnapshotConfiguration::builder()
        .file_groups(group(file(SnapshotFileFormatType::Pdf, &[])))
        .destination_configuration(
            SnapshotDestinationConfiguration::builder()
                .s3_destinations(
                    SnapshotS3DestinationConfiguration::builder()
                        .bucket_configuration(bucket())
                        .build(),
                )
                .s3_destinations(
                    SnapshotS3DestinationConfiguration::builder()
                        .bucket_configuration(bucket())
                        .build(),
                )
                .build(),
        )
        .build()
        .unwrap();
    let two_users = SnapshotUserConfiguration::builder()
        .anonymous_users(SnapshotAnonymousUser::builder().build())
        .anonymous_users(SnapshotAnonymousUser::builder().build())
        .build();
    let cases = [
        ("bad.id", pdf_configuration(), None, "'SnapshotJobId'"),
        (
            "j",
            pdf_selected,
            None,
            "'SnapshotConfiguration.FileGroups[0].Files[0].SheetSelections[0].SelectionScope'",
        ),
        ("j", eight_groups, None, "'SnapshotConfiguration.FileGroups'"),
        (
            "j",
            two_csv_visuals,
            None,
            "'SnapshotConfiguration.FileGroups[0].Files[0].SheetSelections[0].VisualIds'",
        ),
        (
            "j",
            two_destinations,
            None,
            "'SnapshotConfiguration.DestinationConfiguration.S3Destinations'",
        ),
        (
            "j",
            pdf_configuration(),
            Some(two_users),
            "'UserConfiguration.AnonymousUsers'",
        ),
    ];
    for (job, configuration, user, field) in cases {
        let err = start(&client, job, configuration, user).await.unwrap_err();
        assert_eq!(err.raw_response().unwrap().status().as_u16(), 400);
        let err = err.into_service_error();
        assert!(err.is_invalid_parameter_value_exception(), "{err:?}");
        let message = err.message().unwrap();
        assert!(message.starts_with("1 validation error detected: "), "{message}");
        assert!(message.contains(field), "{message} should name {field}");
    }
    assert!(emulator.jobs().is_empty());

    let err = client
        .start_dashboard_snapshot_job()
        .aws_account_id("12345")
        .dashboard_id(DASHBOARD)
        .snapshot_job_id("j")
        .snapshot_configuration(pdf_configuration())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_value_exception(), "{err:?}");
    assert!(err.message().unwrap().contains("'AwsAccountId'"));

    // Describe does not model InvalidParameterValueException: the SDK keeps the code on `Unhandled`.
    let err = client
        .describe_dashboard_snapshot_job()
        .aws_account_id("not-an-account")
        .dashboard_id(DASHBOARD)
        .snapshot_job_id("j")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        DisplayErrorContext(&err).to_string().starts_with("unhandled error"),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
}

#[tokio::test]
async fn service_error_faults_arrive_as_the_sdks_typed_errors() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    start(&client, "job", pdf_configuration(), None).await.unwrap();
    let op = Operation::DescribeDashboardSnapshotJob;

    emulator
        .push_fault(FaultRule::once(op, Fault::Throttling { message: None }))
        .unwrap();
    let err = describe(&client, "job").await.unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 429);
    let err = err.into_service_error();
    assert!(err.is_throttling_exception(), "{err:?}");
    assert_eq!(err.message(), Some("Rate exceeded"));

    emulator
        .push_fault(FaultRule::once(
            op,
            Fault::InternalFailure {
                message: Some("boom".into()),
            },
        ))
        .unwrap();
    let err = describe(&client, "job").await.unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 500);
    let err = err.into_service_error();
    assert!(err.is_internal_failure_exception(), "{err:?}");
    assert_eq!(err.message(), Some("boom"));

    emulator
        .push_fault(FaultRule::once(op, Fault::ServiceUnavailable { message: None }))
        .unwrap();
    let err = describe(&client, "job").await.unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 503);
    let err = err.into_service_error();
    assert!(
        DisplayErrorContext(&err).to_string().starts_with("unhandled error"),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("ServiceUnavailable"));

    emulator
        .push_fault(FaultRule::once(
            op,
            Fault::Error {
                status: 403,
                error_type: "UnsupportedUserEditionException".into(),
                message: Some("Standard edition".into()),
                resource_type: None,
            },
        ))
        .unwrap();
    let err = describe(&client, "job").await.unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
    let err = err.into_service_error();
    assert!(err.is_unsupported_user_edition_exception(), "{err:?}");
    assert_eq!(err.message(), Some("Standard edition"));
    assert_eq!(err.meta().request_id(), Some(last_request_id(&emulator).as_str()));

    // Start models UnsupportedPricingPlanException; a custom error without a message gets its name as message.
    emulator
        .push_fault(FaultRule::once(
            Operation::StartDashboardSnapshotJob,
            Fault::Error {
                status: 403,
                error_type: "UnsupportedPricingPlanException".into(),
                message: None,
                resource_type: None,
            },
        ))
        .unwrap();
    let err = start(&client, "other", pdf_configuration(), None)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_unsupported_pricing_plan_exception(), "{err:?}");
    assert_eq!(err.message(), Some("UnsupportedPricingPlanException"));
    assert_eq!(emulator.jobs().len(), 1, "a faulted Start must not create a job");

    let faults: Vec<Option<String>> = emulator.requests_for(op).into_iter().map(|r| r.fault).collect();
    assert_eq!(
        faults,
        ["throttling", "internalFailure", "serviceUnavailable", "error"]
            .map(|f| Some(f.to_owned()))
            .to_vec()
    );
}

#[tokio::test]
async fn broken_transport_faults_surface_as_sdk_transport_errors() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    start(&client, "job", pdf_configuration(), None).await.unwrap();
    finish_now(&emulator, "job", Scenario::default());
    let op = Operation::DescribeDashboardSnapshotJobResult;

    emulator
        .push_fault(FaultRule::once(op, Fault::ConnectionReset))
        .unwrap();
    let err = result(&client, "job").await.unwrap_err();
    assert!(matches!(err, SdkError::DispatchFailure(_)), "{err:?}");
    let SdkError::DispatchFailure(failure) = &err else {
        unreachable!()
    };
    assert!(failure.is_io(), "{failure:?}");
    assert_eq!(emulator.requests().last().unwrap().status, None);

    emulator.push_fault(FaultRule::once(op, Fault::TruncatedBody)).unwrap();
    let err = result(&client, "job").await.unwrap_err();
    assert!(matches!(&err, SdkError::ServiceError(_)), "{err:?}");
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 200);
    let err = err.into_service_error();
    assert_eq!(err.code(), None);
    let text = DisplayErrorContext(&err).to_string();
    assert!(text.starts_with("unhandled error: Error at offset "), "{text}");
    assert!(text.contains("unexpected end of stream"), "{text}");

    emulator.push_fault(FaultRule::once(op, Fault::NonJsonBody)).unwrap();
    let err = result(&client, "job").await.unwrap_err();
    let err = err.into_service_error();
    assert_eq!(err.code(), None);
    let text = DisplayErrorContext(&err).to_string();
    assert!(
        text.starts_with("unhandled error: Error at offset 0: unexpected token '<'"),
        "{text}"
    );

    // An empty 200 body parses as an empty document: every member absent.
    emulator.push_fault(FaultRule::once(op, Fault::EmptyBody)).unwrap();
    let empty = result(&client, "job").await.unwrap();
    assert_eq!(
        (empty.job_status(), empty.result(), empty.arn(), empty.status()),
        (None, None, None, 200)
    );

    let slow = client_with(&emulator, AKID, RetryConfig::disabled(), Some(Duration::from_secs(1))).await;
    emulator
        .push_fault(FaultRule::once(op, Fault::Delay { ms: 3_000 }))
        .unwrap();
    let err = result(&slow, "job").await.unwrap_err();
    assert!(matches!(err, SdkError::TimeoutError(_)), "{err:?}");
    emulator
        .push_fault(FaultRule {
            delay_ms: Some(50),
            ..FaultRule::once(op, Fault::Delay { ms: 0 })
        })
        .unwrap();
    let delayed = result(&slow, "job").await.unwrap();
    assert_eq!(delayed.job_status(), Some(&SnapshotJobStatus::Completed));
}

#[tokio::test]
async fn a_raw_body_reaches_the_sdk_verbatim() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    let body = r#"{
        "Arn": "arn:aws:quicksight:us-east-1:123456789012:dashboard/d/snapshot-job/j",
        "JobStatus": "PAUSED",
        "CreatedTime": 1.689000349563E9,
        "LastUpdatedTime": null,
        "SomethingNew": {"nested": [1, 2, 3]},
        "Result": {"AnonymousUsers": null, "RegisteredUsers": [{"FileGroups": [{"Files": [], "S3Results": [
            {"S3Uri": "s3://b/k.pdf", "ErrorInfo": [{"ErrorType": "NEW_CODE", "ErrorMessage": null}]}
        ]}]}]},
        "ErrorInfo": {"ErrorType": "SOMETHING_ELSE"},
        "RequestId": "body-request-id"
    }"#;
    let headers = BTreeMap::from([
        ("content-type".to_owned(), "application/json".to_owned()),
        ("x-amzn-requestid".to_owned(), "header-request-id".to_owned()),
    ]);
    emulator
        .push_fault(FaultRule::any(
            1,
            Fault::Raw {
                status: 200,
                headers,
                body: body.to_owned(),
            },
        ))
        .unwrap();
    let out = result(&client, "whatever").await.unwrap();
    assert_eq!(out.job_status(), Some(&SnapshotJobStatus::from("PAUSED")));
    let created = out.created_time().unwrap();
    assert_eq!(millis(created), 1_689_000_349_563);
    assert_eq!(out.last_updated_time(), None);
    assert_eq!(out.request_id(), Some("body-request-id"));
    assert_eq!(RequestId::request_id(&out), Some("header-request-id"));
    assert_eq!(out.error_info().unwrap().error_type(), Some("SOMETHING_ELSE"));
    let s3 = &out.result().unwrap().registered_users()[0].file_groups()[0].s3_results()[0];
    assert_eq!(s3.s3_uri(), Some("s3://b/k.pdf"));
    assert_eq!(s3.error_info()[0].error_type(), Some("NEW_CODE"));
    assert_eq!(s3.error_info()[0].error_message(), None);
    assert!(out.result().unwrap().anonymous_users().is_empty());
}

#[tokio::test]
async fn the_sdk_retries_throttling_and_succeeds_once_the_faults_are_used_up() {
    let emulator = emulator().await;
    let retrying = client_with(
        &emulator,
        AKID,
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(5)),
        None,
    )
    .await;
    emulator
        .push_fault(
            FaultRule::once(
                Operation::StartDashboardSnapshotJob,
                Fault::Throttling { message: None },
            )
            .times(2),
        )
        .unwrap();
    let started = start(&retrying, "retried", pdf_configuration(), None).await.unwrap();
    assert_eq!(started.status(), 202);
    let statuses: Vec<Option<u16>> = emulator.requests().into_iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![Some(429), Some(429), Some(202)]);
    assert!(emulator.faults().is_empty());
}

#[tokio::test]
async fn the_region_comes_from_the_signature_and_reset_forgets_everything() {
    let emulator = emulator().await;
    let client = client(&emulator).await;
    start(&client, "job", pdf_configuration(), None).await.unwrap();
    assert_eq!(emulator.jobs()[0].region, REGION);
    assert_eq!(emulator.jobs()[0].access_key_id, AKID);
    emulator.set_default_scenario(Scenario::failed("X", "y")).unwrap();
    emulator.reset();
    assert!(emulator.jobs().is_empty());
    assert!(emulator.requests().is_empty());
    assert!(emulator.scenarios().is_empty());
    let err = result(&client, "job").await.unwrap_err().into_service_error();
    assert!(err.is_resource_not_found_exception());
}
