#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

//! Every sample in events/ parses to the job it names; every sample in events/invalid/ is refused with
//! the message a user needs. A sample without an expectation here fails the test, so samples cannot rot.

use std::collections::BTreeMap;
use std::path::Path;

use quicksight_snapshot_result::input::{self, JobRef};
use quicksight_snapshot_result::{Error, Outcome};

fn job(partition: Option<&str>, region: Option<&str>) -> JobRef {
    JobRef {
        account_id: "111122223333".into(),
        dashboard_id: "sales-dashboard".into(),
        snapshot_job_id: "nightly-2026-12-03".into(),
        partition: partition.map(Into::into),
        region: region.map(Into::into),
    }
}

fn samples(dir: &str) -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_sample_event_parses_to_its_job() {
    let aws_east = (job(Some("aws"), Some("us-east-1")), None, true);
    let explicit = (job(None, None), None, true);
    let expected: BTreeMap<&str, (JobRef, Option<Vec<Outcome>>, bool)> = BTreeMap::from([
        ("explicit-camel.json", explicit.clone()),
        ("explicit-pascal.json", explicit.clone()),
        (
            "explicit-with-options.json",
            (job(None, None), Some(vec![Outcome::Pending, Outcome::Failed]), false),
        ),
        (
            "scheduled-constant-input.json",
            (job(None, None), Some(vec![Outcome::Failed]), true),
        ),
        ("arn.json", (job(Some("aws"), Some("eu-west-1")), None, true)),
        ("arn-aws-cn.json", (job(Some("aws-cn"), Some("cn-north-1")), None, true)),
        (
            "arn-aws-us-gov.json",
            (job(Some("aws-us-gov"), Some("us-gov-west-1")), None, true),
        ),
        ("start-output.json", aws_east.clone()),
        ("describe-output.json", aws_east.clone()),
        ("eventbridge-detail-object.json", aws_east.clone()),
        ("eventbridge-detail-string.json", explicit.clone()),
        ("sfn-lambda-invoke-start-output.json", aws_east.clone()),
        ("sfn-lambda-invoke-own-output.json", aws_east.clone()),
    ]);
    let found = samples("events");
    assert_eq!(
        found.keys().map(String::as_str).collect::<Vec<_>>(),
        expected.keys().copied().collect::<Vec<_>>()
    );
    for (name, text) in &found {
        let request = input::parse_event(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (job, fail_on, notify) = &expected[name.as_str()];
        assert_eq!(&request.job, job, "{name}");
        assert_eq!(&request.fail_on, fail_on, "{name}");
        assert_eq!(request.notify, *notify, "{name}");
    }
}

#[test]
fn every_invalid_sample_is_refused_with_a_clear_message() {
    let expected = BTreeMap::from([
        (
            "missing-dashboard-id.json",
            "incomplete snapshot job reference: missing dashboardId",
        ),
        (
            "path-traversal-id.json",
            "dashboardId must be 1-512 characters of letters, digits, '_' or '-', got \"../../accounts/999999999999\"",
        ),
        (
            "scheduled-event-without-input.json",
            "EventBridge event (\"Scheduled Event\") has an empty detail: give the rule a constant Input holding the \
             snapshot job reference",
        ),
        (
            "start-output-job-id-mismatch.json",
            "snapshotJobId \"nightly-2026-12-04\" disagrees with the ARN, which says \"nightly-2026-12-03\"",
        ),
    ]);
    let found = samples("events/invalid");
    assert_eq!(
        found.keys().map(String::as_str).collect::<Vec<_>>(),
        expected.keys().copied().collect::<Vec<_>>()
    );
    for (name, text) in &found {
        match input::parse_event(text) {
            Err(Error::InvalidInput(message)) => assert_eq!(message, expected[name.as_str()], "{name}"),
            other => panic!("{name}: expected InvalidInput, got {other:?}"),
        }
    }
}
