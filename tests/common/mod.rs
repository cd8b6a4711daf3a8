//! Shared pieces of the end-to-end tests: the local QuickSight emulator, a real SDK client to start
//! jobs on it, and the real `bootstrap` binary under the loopback Lambda Runtime API.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use aws_sdk_quicksight::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_quicksight::types::{
    S3BucketConfiguration, SessionTag, SnapshotAnonymousUser, SnapshotConfiguration, SnapshotDestinationConfiguration,
    SnapshotFile, SnapshotFileFormatType, SnapshotFileGroup, SnapshotFileSheetSelection,
    SnapshotFileSheetSelectionScope, SnapshotS3DestinationConfiguration, SnapshotUserConfiguration,
};
use harness::function::{DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY};
use harness::{Function, FunctionConfig};
use quicksight_emulator::Handle;

pub const ACCOUNT: &str = "111122223333";
pub const DASHBOARD: &str = "sales-dashboard";

/// An emulator whose jobs stay QUEUED/RUNNING until a scenario finishes them.
pub async fn emulator() -> Handle {
    quicksight_emulator::spawn(quicksight_emulator::Config {
        queued_for: Duration::from_secs(600),
        running_for: Duration::from_secs(600),
        ..quicksight_emulator::Config::default()
    })
    .await
    .unwrap()
}

/// The real aws-sdk-quicksight client, with the same credentials as the function (the emulator
/// refuses reads of a job by another access key, like the service).
pub fn client(endpoint: &str) -> aws_sdk_quicksight::Client {
    let config = aws_sdk_quicksight::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            DUMMY_ACCESS_KEY_ID,
            DUMMY_SECRET_ACCESS_KEY,
            None,
            None,
            "test",
        ))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_quicksight::Client::from_conf(config)
}

/// A realistic configuration: a PDF of a whole sheet and a CSV of one visual, to S3.
pub fn snapshot_configuration() -> SnapshotConfiguration {
    let pdf = SnapshotFile::builder()
        .format_type(SnapshotFileFormatType::Pdf)
        .sheet_selections(
            SnapshotFileSheetSelection::builder()
                .sheet_id("sheet-1")
                .selection_scope(SnapshotFileSheetSelectionScope::AllVisuals)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let csv = SnapshotFile::builder()
        .format_type(SnapshotFileFormatType::Csv)
        .sheet_selections(
            SnapshotFileSheetSelection::builder()
                .sheet_id("sheet-1")
                .selection_scope(SnapshotFileSheetSelectionScope::SelectedVisuals)
                .visual_ids("visual-7")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let bucket = S3BucketConfiguration::builder()
        .bucket_name("reports-bucket")
        .bucket_prefix("snapshots/")
        .bucket_region("us-east-1")
        .build()
        .unwrap();
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
        .unwrap()
}

/// Starts a job and returns StartDashboardSnapshotJob's output as a Step Functions task passes it on.
pub async fn start_job(client: &aws_sdk_quicksight::Client, job_id: &str) -> serde_json::Value {
    let user = SnapshotUserConfiguration::builder()
        .anonymous_users(
            SnapshotAnonymousUser::builder()
                .row_level_permission_tags(SessionTag::builder().key("region").value("EMEA").build().unwrap())
                .build(),
        )
        .build();
    let out = client
        .start_dashboard_snapshot_job()
        .aws_account_id(ACCOUNT)
        .dashboard_id(DASHBOARD)
        .snapshot_job_id(job_id)
        .snapshot_configuration(snapshot_configuration())
        .user_configuration(user)
        .send()
        .await
        .unwrap();
    serde_json::json!({
        "Arn": out.arn().unwrap(),
        "SnapshotJobId": out.snapshot_job_id().unwrap(),
        "RequestId": out.request_id().unwrap(),
        "Status": out.status(),
    })
}

pub fn bootstrap() -> &'static str {
    env!("CARGO_BIN_EXE_bootstrap")
}

/// The real bootstrap, talking to `endpoint` for QuickSight, with extra environment.
pub async fn function(endpoint: &str, env: &[(&str, &str)]) -> Function {
    let mut config = FunctionConfig::new(bootstrap())
        .endpoint("QUICKSIGHT", endpoint)
        .log_format("JSON");
    for (name, value) in env {
        config = config.env(*name, *value);
    }
    Function::start(config).await.unwrap()
}
