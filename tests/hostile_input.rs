//! Hostile or odd input. Property tests feed arbitrary JSON and arbitrary strings to the event parser
//! and arbitrary SDK values to the translation: never a panic, only `Ok` or the one documented error.
//! Then the real `bootstrap`: ids with path characters, oversized and deeply nested events are
//! `InvalidInput`, and nothing reaches QuickSight.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aws_sdk_quicksight::operation::describe_dashboard_snapshot_job_result::DescribeDashboardSnapshotJobResultOutput;
use aws_sdk_quicksight::primitives::DateTime;
use aws_sdk_quicksight::types::{
    AnonymousUserSnapshotJobResult, RegisteredUserSnapshotJobResult, S3BucketConfiguration, SnapshotFile,
    SnapshotFileFormatType, SnapshotFileSheetSelection, SnapshotFileSheetSelectionScope, SnapshotJobErrorInfo,
    SnapshotJobResult, SnapshotJobResultErrorInfo, SnapshotJobResultFileGroup, SnapshotJobS3Result, SnapshotJobStatus,
    SnapshotS3DestinationConfiguration,
};
use common::{ACCOUNT, DASHBOARD, emulator, error_of, function, job_arn, refused_before_any_request};
use proptest::prelude::*;
use quicksight_snapshot_result::Error;
use quicksight_snapshot_result::input::{self, MAX_EVENT_BYTES};
use quicksight_snapshot_result::output::JobIdentity;
use quicksight_snapshot_result::translate;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Oracles, written independently of src/input.rs from the documented rules.
// ---------------------------------------------------------------------------------------------

fn valid_account(id: &str) -> bool {
    id.len() == 12 && id.chars().all(|c| c.is_ascii_digit())
}

fn valid_id(id: &str) -> bool {
    (1..=512).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whatever the parser accepts is safe to put into the request path: no separators, no escapes.
fn assert_path_safe(job: &input::JobRef) {
    assert!(valid_account(&job.account_id), "{job:?}");
    assert!(valid_id(&job.dashboard_id), "{job:?}");
    assert!(valid_id(&job.snapshot_job_id), "{job:?}");
    for part in [&job.partition, &job.region].into_iter().flatten() {
        assert!(
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{job:?}"
        );
    }
}

fn invalid_input_only(result: &Result<input::Request, Error>) {
    if let Err(error) = result {
        assert_eq!(error.name(), "InvalidInput", "{error}");
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Strings an attacker or a broken caller might put in an id field.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9_-]{1,40}",
        "[0-9]{10,14}",
        Just("../".to_owned()),
        Just("..".to_owned()),
        Just("a/../../b".to_owned()),
        Just("a%2Fb".to_owned()),
        Just("%2e%2e".to_owned()),
        Just("a b".to_owned()),
        Just("jöb".to_owned()),
        Just("😀".to_owned()),
        Just("a\u{0}b".to_owned()),
        Just("a\nb".to_owned()),
        Just("a?b=c".to_owned()),
        Just("a#b".to_owned()),
        Just("a\\b".to_owned()),
        Just("１１１１２２２２３３３３".to_owned()),
        Just(" 111122223333".to_owned()),
        Just("x".repeat(513)),
        Just("x".repeat(512)),
        Just(String::new()),
    ]
}

/// Keys the parser looks at, mixed with arbitrary ones, so generated objects reach every branch.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "awsAccountId", "AwsAccountId", "dashboardId", "DashboardId", "snapshotJobId", "SnapshotJobId",
            "arn", "Arn", "job", "outcome", "jobStatus", "Payload", "StatusCode", "ExecutedVersion",
            "SdkHttpMetadata", "SdkResponseMetadata", "detail", "detail-type", "source", "failOn", "notify",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        hostile_string().prop_map(Value::String),
        Just(json!(ACCOUNT)),
        Just(json!(job_arn(ACCOUNT, "j-1"))),
        Just(json!(["PENDING", "FAILED"])),
        Just(json!({"awsAccountId": ACCOUNT, "dashboardId": DASHBOARD, "snapshotJobId": "j-1"}).to_string())
            .prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8).prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// Parser properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_json_value_is_a_request_or_invalid_input_and_accepted_ids_are_path_safe(event in json_value()) {
        let text = event.to_string();
        let parsed = input::parse(event);
        invalid_input_only(&parsed);
        if let Ok(request) = &parsed {
            assert_path_safe(&request.job);
        }
        // The raw-text entry point agrees with the value entry point.
        let from_text = input::parse_event(&text);
        prop_assert_eq!(from_text.as_ref().ok(), parsed.as_ref().ok());
        invalid_input_only(&from_text);
    }

    #[test]
    fn any_text_is_a_request_or_invalid_input(text in any::<String>()) {
        invalid_input_only(&input::parse_event(&text));
    }

    #[test]
    fn explicit_ids_are_accepted_exactly_when_every_field_is_valid(
        account in hostile_string(),
        dashboard in hostile_string(),
        job in hostile_string(),
        pascal in any::<bool>(),
    ) {
        let names = if pascal {
            ["AwsAccountId", "DashboardId", "SnapshotJobId"]
        } else {
            ["awsAccountId", "dashboardId", "snapshotJobId"]
        };
        let mut object = Map::new();
        for (name, value) in names.iter().zip([&account, &dashboard, &job]) {
            object.insert((*name).to_owned(), json!(value));
        }
        let parsed = input::parse(Value::Object(object));
        invalid_input_only(&parsed);
        let valid = valid_account(&account) && valid_id(&dashboard) && valid_id(&job);
        prop_assert_eq!(parsed.is_ok(), valid, "{:?}", parsed);
        if let Ok(request) = parsed {
            prop_assert_eq!(
                (request.job.account_id, request.job.dashboard_id, request.job.snapshot_job_id),
                (account, dashboard, job)
            );
        }
    }

    #[test]
    fn arns_are_accepted_exactly_when_every_part_is_valid(
        account in hostile_string(),
        dashboard in hostile_string(),
        job in hostile_string(),
    ) {
        let arn = format!("arn:aws:quicksight:eu-west-1:{account}:dashboard/{dashboard}/snapshot-job/{job}");
        let parsed = input::parse(json!({ "arn": arn }));
        invalid_input_only(&parsed);
        let valid = valid_account(&account) && valid_id(&dashboard) && valid_id(&job);
        prop_assert_eq!(parsed.is_ok(), valid, "{:?}", parsed);
        if let Ok(request) = parsed {
            assert_path_safe(&request.job);
            prop_assert_eq!(request.job.region.as_deref(), Some("eu-west-1"));
        }
    }

    #[test]
    fn any_string_as_an_arn_is_a_request_or_invalid_input(arn in any::<String>(), prefix in any::<bool>()) {
        // With and without a plausible head, so the later checks are reached too.
        let arn = if prefix { format!("arn:aws:quicksight:{arn}") } else { arn };
        let parsed = input::parse(json!({ "Arn": arn }));
        invalid_input_only(&parsed);
        if let Ok(request) = parsed {
            assert_path_safe(&request.job);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Translation properties: SDK builders fed arbitrary strings
// ---------------------------------------------------------------------------------------------

/// An error as (ErrorType, ErrorMessage), both optional.
type ArbitraryError = (Option<String>, Option<String>);
/// One S3 result: (S3Uri, BucketRegion, errors).
type ArbitraryResult = (Option<String>, String, Vec<ArbitraryError>);

#[derive(Debug, Clone)]
struct ArbitraryFile {
    format: String,
    sheet_id: String,
    scope: String,
    visuals: Vec<String>,
    results: Vec<ArbitraryResult>,
}

fn enum_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "PDF",
            "CSV",
            "EXCEL",
            "ALL_VISUALS",
            "SELECTED_VISUALS",
            "",
            "no value was set",
            "PPTX",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

fn arbitrary_file() -> impl Strategy<Value = ArbitraryFile> {
    let error = (prop::option::of(any::<String>()), prop::option::of(any::<String>()));
    let result = (
        prop::option::of(prop_oneof![
            any::<String>(),
            "s3://[a-z]{0,8}/?[ -~]{0,20}",
            Just("s3://".to_owned())
        ]),
        any::<String>(),
        prop::collection::vec(error, 0..3),
    );
    (
        enum_text(),
        any::<String>(),
        enum_text(),
        prop::collection::vec(any::<String>(), 0..3),
        prop::collection::vec(result, 0..3),
    )
        .prop_map(|(format, sheet_id, scope, visuals, results)| ArbitraryFile {
            format,
            sheet_id,
            scope,
            visuals,
            results,
        })
}

fn group(file: &ArbitraryFile) -> SnapshotJobResultFileGroup {
    let selection = SnapshotFileSheetSelection::builder()
        .sheet_id(&file.sheet_id)
        .selection_scope(SnapshotFileSheetSelectionScope::from(file.scope.as_str()))
        .set_visual_ids(Some(file.visuals.clone()))
        .build()
        .unwrap();
    let snapshot_file = SnapshotFile::builder()
        .format_type(SnapshotFileFormatType::from(file.format.as_str()))
        .sheet_selections(selection)
        .build()
        .unwrap();
    let results = file
        .results
        .iter()
        .map(|(uri, region, errors)| {
            let bucket = S3BucketConfiguration::builder()
                .bucket_name("b")
                .bucket_prefix("p/")
                .bucket_region(region)
                .build()
                .unwrap();
            let mut b = SnapshotJobS3Result::builder()
                .set_s3_uri(uri.clone())
                .s3_destination_configuration(
                    SnapshotS3DestinationConfiguration::builder()
                        .bucket_configuration(bucket)
                        .build(),
                );
            for (code, message) in errors {
                b = b.error_info(
                    SnapshotJobResultErrorInfo::builder()
                        .set_error_type(code.clone())
                        .set_error_message(message.clone())
                        .build(),
                );
            }
            b.build()
        })
        .collect();
    SnapshotJobResultFileGroup::builder()
        .files(snapshot_file)
        .set_s3_results(Some(results))
        .build()
}

fn identity() -> JobIdentity {
    JobIdentity {
        aws_account_id: ACCOUNT.into(),
        dashboard_id: DASHBOARD.into(),
        snapshot_job_id: "j-1".into(),
        arn: job_arn(ACCOUNT, "j-1"),
        region: "us-east-1".into(),
    }
}

fn status_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        3 => prop::sample::select(vec!["COMPLETED", "FAILED", "QUEUED", "RUNNING", "PAUSED", ""]).prop_map(str::to_owned),
        1 => any::<String>(),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_sdk_answer_translates_or_is_unexpected_job_status(
        status in status_text(),
        arn in prop::option::of(any::<String>()),
        job_error in prop::option::of((prop::option::of(any::<String>()), prop::option::of(any::<String>()))),
        anonymous in prop::collection::vec(arbitrary_file(), 0..4),
        registered in prop::collection::vec(arbitrary_file(), 0..3),
        times in (any::<i64>(), 0u32..1_000_000_000, any::<i64>(), 0u32..1_000_000_000),
        request_id in prop::option::of(any::<String>()),
    ) {
        let mut result = SnapshotJobResult::builder();
        if !anonymous.is_empty() {
            result = result.anonymous_users(
                AnonymousUserSnapshotJobResult::builder()
                    .set_file_groups(Some(anonymous.iter().map(group).collect()))
                    .build(),
            );
        }
        if !registered.is_empty() {
            result = result.registered_users(
                RegisteredUserSnapshotJobResult::builder()
                    .set_file_groups(Some(registered.iter().map(group).collect()))
                    .build(),
            );
        }
        let mut answer = DescribeDashboardSnapshotJobResultOutput::builder()
            .set_arn(arn.clone())
            .set_job_status(status.as_deref().map(SnapshotJobStatus::from))
            .created_time(DateTime::from_secs_and_nanos(times.0, times.1))
            .last_updated_time(DateTime::from_secs_and_nanos(times.2, times.3))
            .set_request_id(request_id)
            .result(result.build());
        if let Some((code, message)) = &job_error {
            answer = answer.error_info(
                SnapshotJobErrorInfo::builder()
                    .set_error_type(code.clone())
                    .set_error_message(message.clone())
                    .build(),
            );
        }
        let answer = answer.build();

        let known = matches!(status.as_deref(), Some("COMPLETED" | "FAILED" | "QUEUED" | "RUNNING"));
        match translate::translate(identity(), &answer, 30) {
            Ok(output) => {
                prop_assert!(known, "{:?} was translated", status);
                prop_assert_eq!(Some(output.job_status.as_str()), status.as_deref());
                let expected_files: usize = anonymous
                    .iter()
                    .chain(&registered)
                    .map(|f| f.results.len().max(1))
                    .sum();
                prop_assert_eq!(output.files.len(), expected_files);
                let file_errors: usize = anonymous
                    .iter()
                    .chain(&registered)
                    .flat_map(|f| &f.results)
                    .map(|(_, _, errors)| errors.len())
                    .sum();
                prop_assert_eq!(output.errors.len(), file_errors + usize::from(job_error.is_some()));
                prop_assert!(output.files.iter().all(|f| f.format.as_deref() != Some("no value was set")));
                prop_assert!(!output.summary.is_empty());
                // The output always serializes.
                let text = serde_json::to_string(&output).unwrap();
                prop_assert!(text.starts_with(r#"{"job":"#), "{}", text);
            }
            Err(error) => {
                prop_assert!(!known, "{:?}: {}", status, error);
                prop_assert_eq!(error.name(), "UnexpectedJobStatus");
                let shown = status.clone().unwrap_or_else(|| "(missing)".to_owned());
                match error {
                    Error::UnexpectedJobStatus { status, .. } => prop_assert_eq!(status, shown),
                    other => prop_assert!(false, "{}", other),
                }
            }
        }
    }

    #[test]
    fn any_s3_uri_splits_without_panicking_and_s3_uris_split_back_to_themselves(uri in prop_oneof![
        any::<String>(),
        "s3://[ -~]{0,30}",
    ]) {
        let (bucket, key) = translate::split_s3_uri(&uri);
        match uri.strip_prefix("s3://") {
            None => prop_assert_eq!((bucket, key), (None, None)),
            Some(rest) => {
                let rebuilt = match (&bucket, &key) {
                    (Some(b), Some(k)) => format!("{b}/{k}"),
                    (Some(b), None) => b.clone(),
                    (None, Some(k)) => format!("/{k}"),
                    (None, None) => String::new(),
                };
                prop_assert_eq!(rebuilt.trim_end_matches('/'), rest.trim_end_matches('/'));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Through the real bootstrap
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn ids_with_path_characters_are_invalid_input_and_nothing_is_sent() {
    let emulator = emulator().await;
    let function = function(&emulator.endpoint(), &[]).await;
    let hostile = [
        "../x",
        "..",
        "a/../../b",
        "a/b",
        "a%2Fb",
        "%2e%2e",
        "a b",
        "jöb",
        "😀",
        "a\u{0}b",
        "a\r\nHost: evil",
        "a?x=1",
        "a#frag",
        "a\\b",
        "",
    ];
    let mut count = 0;
    for bad in hostile {
        for event in [
            json!({"awsAccountId": ACCOUNT, "dashboardId": bad, "snapshotJobId": "j-1"}),
            json!({"AwsAccountId": ACCOUNT, "DashboardId": DASHBOARD, "SnapshotJobId": bad}),
            json!({"arn": format!("arn:aws:quicksight:us-east-1:{ACCOUNT}:dashboard/{bad}/snapshot-job/j-1")}),
            json!({"Arn": job_arn(ACCOUNT, bad)}),
            json!({"detail-type": "x", "source": "y", "detail": {"awsAccountId": bad, "dashboardId": DASHBOARD, "snapshotJobId": "j-1"}}),
        ] {
            let (error_type, message) = error_of(function.invoke(event.clone()).await);
            assert_eq!(error_type, "InvalidInput", "{event}: {message}");
            count += 1;
        }
    }
    // Account ids that only look like one.
    for bad in [
        "11112222333",
        "1111222233334",
        "11112222333a",
        "１１１１２２２２３３３３",
        " 111122223333",
        "-11122223333",
    ] {
        let (error_type, message) = error_of(
            function
                .invoke(json!({"awsAccountId": bad, "dashboardId": DASHBOARD, "snapshotJobId": "j-1"}))
                .await,
        );
        assert_eq!(error_type, "InvalidInput");
        assert!(
            message.starts_with("awsAccountId must be exactly 12 digits, got "),
            "{message}"
        );
        count += 1;
    }
    assert_eq!(count, 81);
    assert!(emulator.requests().is_empty(), "{:?}", emulator.requests());
    assert_eq!(function.exit_status(), None);
    function.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_event_over_256_kib_is_invalid_input_and_nothing_is_sent() {
    let arn = job_arn(ACCOUNT, "j-1");
    let events: Vec<Value> = [MAX_EVENT_BYTES, 5 * 1024 * 1024]
        .into_iter()
        .map(|padding| json!({"arn": arn, "padding": "x".repeat(padding)}))
        .collect();
    let expected: Vec<_> = events
        .iter()
        .map(|event| {
            let size = event.to_string().len();
            (
                "InvalidInput".to_owned(),
                format!("event is {size} bytes; a job reference is at most 262144 bytes"),
            )
        })
        .collect();
    assert_eq!(refused_before_any_request(&[], events).await, expected);
}

/// 100,000 nested arrays (and 40,000 nested objects, as many as fit in 256 KiB): the Lambda runtime
/// accepts the text (it does not recurse), the parser refuses it at its recursion limit. Building,
/// sending and dropping so deep a value needs a deep stack, hence the thread.
#[test]
fn a_100k_level_nested_event_is_invalid_input_not_a_runtime_error() {
    fn array(inner: Value) -> Value {
        Value::Array(vec![inner])
    }
    fn object(inner: Value) -> Value {
        Value::Object(Map::from_iter([("a".to_owned(), inner)]))
    }
    let worker = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    let emulator = emulator().await;
                    let function = function(&emulator.endpoint(), &[]).await;
                    for (wrap, depth) in [(array as fn(Value) -> Value, 100_000), (object, 40_000)] {
                        let mut event = json!({"arn": "x"});
                        for _ in 0..depth {
                            event = wrap(event);
                        }
                        assert!(event.to_string().len() < MAX_EVENT_BYTES);
                        let (error_type, message) = error_of(function.invoke(event).await);
                        assert_eq!(error_type, "InvalidInput");
                        assert!(
                            message.starts_with("event is not valid JSON: recursion limit exceeded at line 1 column "),
                            "{message}"
                        );
                    }
                    assert!(emulator.requests().is_empty());
                    assert_eq!(function.exit_status(), None);
                    function.shutdown().await;
                    emulator.shutdown().await;
                });
        })
        .unwrap();
    worker.join().unwrap();
}
