//! The QuickSight side of a local run: the real aws-sdk-quicksight client pointed at a loopback
//! endpoint with the harness's dummy credentials, and the realistic job the demo, the benchmark and the
//! end-to-end tests all start (a PDF of a whole sheet and a CSV of one visual, to S3).

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_quicksight::error::{BuildError, DisplayErrorContext};
use aws_sdk_quicksight::types::{
    S3BucketConfiguration, SessionTag, SnapshotAnonymousUser, SnapshotConfiguration, SnapshotDestinationConfiguration,
    SnapshotFile, SnapshotFileFormatType, SnapshotFileGroup, SnapshotFileSheetSelection,
    SnapshotFileSheetSelectionScope, SnapshotS3DestinationConfiguration, SnapshotUserConfiguration,
};
use serde_json::{Value, json};

use crate::function::{DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY};

/// The region of every local run.
pub const REGION: &str = "us-east-1";

/// The real client for `endpoint` (a loopback URL), in [`REGION`], signing with the same dummy
/// credentials [`crate::Function`] gives the bootstrap (the emulator refuses reads of a job by
/// another access key, like the service).
pub fn client(endpoint: &str) -> Client {
    let config = aws_sdk_quicksight::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            DUMMY_ACCESS_KEY_ID,
            DUMMY_SECRET_ACCESS_KEY,
            None,
            None,
            "harness",
        ))
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(config)
}

/// Where a job writes its files and which visual its CSV holds.
#[derive(Debug, Clone, Copy)]
pub struct JobShape<'a> {
    pub bucket: &'a str,
    pub prefix: &'a str,
    pub csv_visual: &'a str,
}

/// A realistic configuration: a PDF of all of sheet-1 and a CSV of one visual on it, each its own
/// file group, to `s3://{bucket}/{prefix}` in [`REGION`].
pub fn snapshot_configuration(shape: JobShape<'_>) -> Result<SnapshotConfiguration, BuildError> {
    let sheet = |scope: SnapshotFileSheetSelectionScope, visual: Option<&str>| {
        SnapshotFileSheetSelection::builder()
            .sheet_id("sheet-1")
            .selection_scope(scope)
            .set_visual_ids(visual.map(|v| vec![v.to_owned()]))
            .build()
    };
    let pdf = SnapshotFile::builder()
        .format_type(SnapshotFileFormatType::Pdf)
        .sheet_selections(sheet(SnapshotFileSheetSelectionScope::AllVisuals, None)?)
        .build()?;
    let csv = SnapshotFile::builder()
        .format_type(SnapshotFileFormatType::Csv)
        .sheet_selections(sheet(
            SnapshotFileSheetSelectionScope::SelectedVisuals,
            Some(shape.csv_visual),
        )?)
        .build()?;
    let bucket = S3BucketConfiguration::builder()
        .bucket_name(shape.bucket)
        .bucket_prefix(shape.prefix)
        .bucket_region(REGION)
        .build()?;
    SnapshotConfiguration::builder()
        .file_groups(SnapshotFileGroup::builder().files(pdf).build())
        .file_groups(SnapshotFileGroup::builder().files(csv).build())
        .destination_configuration(
            SnapshotDestinationConfiguration::builder()
                .s3_destinations(
                    SnapshotS3DestinationConfiguration::builder()
                        .bucket_configuration(bucket)
                        .build(),
                )
                .build(),
        )
        .build()
}

/// An anonymous user, with one row-level-security session tag `(key, value)` if given.
pub fn anonymous_user(tag: Option<(&str, &str)>) -> Result<SnapshotUserConfiguration, BuildError> {
    let tag = tag
        .map(|(key, value)| SessionTag::builder().key(key).value(value).build())
        .transpose()?;
    Ok(SnapshotUserConfiguration::builder()
        .anonymous_users(
            SnapshotAnonymousUser::builder()
                .set_row_level_permission_tags(tag.map(|t| vec![t]))
                .build(),
        )
        .build())
}

/// What to start: the job, its dashboard and account, and its configuration.
#[derive(Debug, Clone)]
pub struct StartJob<'a> {
    pub account: &'a str,
    pub dashboard: &'a str,
    pub job_id: &'a str,
    pub configuration: SnapshotConfiguration,
    pub user: SnapshotUserConfiguration,
}

/// Starts the job and returns StartDashboardSnapshotJob's output as a Step Functions task passes it
/// on: `{"Arn","SnapshotJobId","RequestId","Status"}`.
pub async fn start_job(client: &Client, job: StartJob<'_>) -> Result<Value, String> {
    let output = client
        .start_dashboard_snapshot_job()
        .aws_account_id(job.account)
        .dashboard_id(job.dashboard)
        .snapshot_job_id(job.job_id)
        .snapshot_configuration(job.configuration)
        .user_configuration(job.user)
        .send()
        .await
        .map_err(|e| format!("StartDashboardSnapshotJob {}: {}", job.job_id, DisplayErrorContext(e)))?;
    Ok(json!({
        "Arn": output.arn(),
        "SnapshotJobId": output.snapshot_job_id(),
        "RequestId": output.request_id(),
        "Status": output.status(),
    }))
}
