//! The ARN's region selects the QuickSight region of the call, whatever the function's own region.
//! The emulator, like the service, only knows a job in the region it was started in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use harness::Invocation;
use serde_json::json;

#[tokio::test]
async fn the_arn_region_is_where_the_job_is_read() {
    let emulator = common::emulator().await;
    let qs = common::client(&emulator.endpoint());
    let start = common::start_job(&qs, "regional-1").await; // started in us-east-1
    let arn = start["Arn"].as_str().unwrap().to_owned();
    assert!(arn.starts_with("arn:aws:quicksight:us-east-1:"), "{arn}");

    // A function deployed in eu-west-1 reads the us-east-1 job named by the ARN.
    let function = common::function(
        &emulator.endpoint(),
        &[("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "eu-west-1")],
    )
    .await;
    let out = match function.invoke(json!({ "arn": arn })).await {
        Invocation::Response(value) => value,
        other => panic!("{other:?}"),
    };
    assert_eq!(out["outcome"], "PENDING");
    assert_eq!(out["job"]["region"], "us-east-1");

    // Explicit ids carry no region: the function's own region is used, where this job does not exist.
    let explicit =
        json!({"awsAccountId": common::ACCOUNT, "dashboardId": common::DASHBOARD, "snapshotJobId": "regional-1"});
    match function.invoke(explicit).await {
        Invocation::Error { error_type, .. } => assert_eq!(error_type, "SnapshotJobNotFound"),
        other => panic!("{other:?}"),
    }
    let regions: Vec<Option<String>> = emulator
        .requests()
        .iter()
        .skip(1) // the Start call
        .map(|r| r.region.clone())
        .collect();
    assert_eq!(
        regions,
        [
            Some("us-east-1".to_owned()),
            Some("us-east-1".to_owned()),
            Some("eu-west-1".to_owned())
        ],
        "result + status read in the ARN's region, then the explicit-id read in the function's region"
    );
    function.shutdown().await;
    emulator.shutdown().await;
}
