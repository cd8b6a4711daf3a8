//! Notifications end to end: the real handler reads jobs from the QuickSight emulator and publishes to a
//! real moto server (spawned here on 127.0.0.1), whose topics deliver to SQS queues that this test reads.
//! What arrives in the queues is asserted exactly: body, attributes, filtering, FIFO deduplication,
//! truncation, and the error when publishing fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_quicksight::config::{Credentials, Region, SharedCredentialsProvider};
use aws_sdk_quicksight::types::{
    S3BucketConfiguration, SnapshotConfiguration, SnapshotDestinationConfiguration, SnapshotFile,
    SnapshotFileFormatType, SnapshotFileGroup, SnapshotFileSheetSelection, SnapshotFileSheetSelectionScope,
    SnapshotS3DestinationConfiguration,
};
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};
use lambda_runtime::{Context, LambdaEvent};
use quicksight_emulator::{FileError, Scenario};
use quicksight_snapshot_result::output::{Notification, Output};
use quicksight_snapshot_result::{App, Config, Error, Outcome, handle};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REGION: &str = "us-east-1";
/// QuickSight account of the jobs.
const ACCOUNT: &str = "111122223333";
/// moto's default account: the account of its topics and queues.
const MOTO_ACCOUNT: &str = "123456789012";
const DASHBOARD: &str = "sales";
const BUCKET: &str = "report-bucket";

/// A moto server on a free loopback port, killed when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server_path() -> PathBuf {
    let path = std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server"));
    assert!(
        path.is_file(),
        "moto_server not found at {}: run `make tools` (creates ./.venv from requirements-dev.txt) or set MOTO_SERVER",
        path.display()
    );
    path
}

fn start_moto() -> Moto {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(moto_server_path())
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("AWS_ACCESS_KEY_ID", "AKIDLOCALTESTONLY000")
        .env("AWS_SECRET_ACCESS_KEY", "local-test-secret-not-a-real-key")
        .env("AWS_DEFAULT_REGION", REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start moto_server (run `make tools`): {e}"));
    let mut moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if let Some(status) = moto.child.try_wait().unwrap() {
            panic!("moto_server exited before listening: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "moto_server did not listen on port {port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

/// Per-service endpoints, as AWS_ENDPOINT_URL_<SERVICE> would give them, without touching the process env.
#[derive(Debug)]
struct Endpoints {
    quicksight: String,
    moto: String,
}

impl LoadServiceConfig for Endpoints {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        if key.env() != "AWS_ENDPOINT_URL" {
            return None;
        }
        match key.service_id() {
            "QuickSight" => Some(self.quicksight.clone()),
            "SNS" | "SQS" => Some(self.moto.clone()),
            _ => Some("http://127.0.0.1:9".to_owned()),
        }
    }
}

fn sdk_config(quicksight: &str, moto: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDLOCALTESTONLY000",
            "local-test-secret-not-a-real-key",
            None,
            None,
            "sns-test",
        )))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(20))
                .build(),
        )
        .service_config(Endpoints {
            quicksight: quicksight.to_owned(),
            moto: moto.to_owned(),
        })
        .build()
}

/// Everything one test needs: emulator, moto, clients.
struct World {
    emulator: quicksight_emulator::Handle,
    _moto: Moto,
    sdk: SdkConfig,
    quicksight: aws_sdk_quicksight::Client,
    sns: aws_sdk_sns::Client,
    sqs: aws_sdk_sqs::Client,
}

async fn world() -> World {
    let emulator = quicksight_emulator::spawn(quicksight_emulator::Config {
        queued_for: Duration::ZERO,
        running_for: Duration::ZERO,
        ..quicksight_emulator::Config::default()
    })
    .await
    .unwrap();
    let moto = start_moto();
    let sdk = sdk_config(&emulator.endpoint(), &moto.endpoint);
    World {
        quicksight: aws_sdk_quicksight::Client::new(&sdk),
        sns: aws_sdk_sns::Client::new(&sdk),
        sqs: aws_sdk_sqs::Client::new(&sdk),
        emulator,
        _moto: moto,
        sdk,
    }
}

struct Queue {
    url: String,
}

impl World {
    async fn topic(&self, name: &str) -> String {
        let mut create = self.sns.create_topic().name(name);
        if name.ends_with(".fifo") {
            create = create.attributes("FifoTopic", "true");
        }
        create.send().await.unwrap().topic_arn().unwrap().to_owned()
    }

    /// A queue subscribed to `topic` with raw delivery or not, and an optional filter policy.
    async fn queue(&self, name: &str, topic: &str, raw: bool, filter_policy: Option<Value>) -> Queue {
        let mut create = self.sqs.create_queue().queue_name(name);
        if name.ends_with(".fifo") {
            create = create.attributes(QueueAttributeName::FifoQueue, "true");
        }
        let url = create.send().await.unwrap().queue_url().unwrap().to_owned();
        let arn = format!("arn:aws:sqs:{REGION}:{MOTO_ACCOUNT}:{name}");
        let mut subscribe = self.sns.subscribe().topic_arn(topic).protocol("sqs").endpoint(&arn);
        if raw {
            subscribe = subscribe.attributes("RawMessageDelivery", "true");
        }
        if let Some(policy) = filter_policy {
            subscribe = subscribe.attributes("FilterPolicy", policy.to_string());
        }
        subscribe.send().await.unwrap();
        Queue { url }
    }

    /// Every message waiting in `queue` (moto delivers during Publish, so nothing is late).
    async fn drain(&self, queue: &Queue) -> Vec<aws_sdk_sqs::types::Message> {
        let mut all = Vec::new();
        loop {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&queue.url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .message_attribute_names("All")
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap();
            let messages = received.messages().to_vec();
            if messages.is_empty() {
                return all;
            }
            for message in &messages {
                self.sqs
                    .delete_message()
                    .queue_url(&queue.url)
                    .receipt_handle(message.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
            all.extend(messages);
        }
    }

    /// Starts a job with `groups` file groups (PDF, CSV, EXCEL, ...) written to S3, scripted by `scenario`.
    async fn job(&self, job_id: &str, groups: &[SnapshotFileFormatType], scenario: Scenario) -> String {
        self.emulator
            .set_job_scenario(ACCOUNT, DASHBOARD, job_id, scenario)
            .unwrap();
        let mut configuration = SnapshotConfiguration::builder().destination_configuration(
            SnapshotDestinationConfiguration::builder()
                .s3_destinations(
                    SnapshotS3DestinationConfiguration::builder()
                        .bucket_configuration(
                            S3BucketConfiguration::builder()
                                .bucket_name(BUCKET)
                                .bucket_prefix("snapshots")
                                .bucket_region(REGION)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        );
        for format in groups {
            // PDF may take whole sheets; CSV and Excel name their visuals.
            let selection = SnapshotFileSheetSelection::builder().sheet_id("sheet-1");
            let selection = match format {
                SnapshotFileFormatType::Pdf => selection.selection_scope(SnapshotFileSheetSelectionScope::AllVisuals),
                _ => selection
                    .selection_scope(SnapshotFileSheetSelectionScope::SelectedVisuals)
                    .visual_ids("visual-1"),
            };
            let selection = selection.build().unwrap();
            let file = SnapshotFile::builder()
                .format_type(format.clone())
                .sheet_selections(selection)
                .build()
                .unwrap();
            configuration = configuration.file_groups(SnapshotFileGroup::builder().files(file).build());
        }
        let started = self
            .quicksight
            .start_dashboard_snapshot_job()
            .aws_account_id(ACCOUNT)
            .dashboard_id(DASHBOARD)
            .snapshot_job_id(job_id)
            .snapshot_configuration(configuration.build().unwrap())
            .send()
            .await
            .unwrap();
        started.arn().unwrap().to_owned()
    }

    fn app(&self, topic_arn: &str) -> App {
        App::new(
            Config {
                topic_arn: Some(topic_arn.to_owned()),
                ..Config::default()
            },
            &self.sdk,
        )
    }
}

async fn invoke(app: &App, event: Value) -> Result<Output, Error> {
    let raw = RawValue::from_string(event.to_string()).unwrap();
    handle(app, LambdaEvent::new(raw, Context::default())).await
}

/// The body subscribers get: the function's output as it was before the notification was added to it.
fn published_body(output: &Output) -> String {
    let mut before = output.clone();
    before.notification = None;
    serde_json::to_string(&before).unwrap()
}

/// A raw-delivered message's attributes as (name -> (type, value)).
fn attributes(message: &aws_sdk_sqs::types::Message) -> BTreeMap<String, (String, String)> {
    message
        .message_attributes()
        .unwrap()
        .iter()
        .map(|(name, value)| {
            (
                name.clone(),
                (
                    value.data_type().to_owned(),
                    value.string_value().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect()
}

fn expected_attributes(pairs: &[(&str, &str, &str)]) -> BTreeMap<String, (String, String)> {
    pairs
        .iter()
        .map(|(n, t, v)| ((*n).to_owned(), ((*t).to_owned(), (*v).to_owned())))
        .collect()
}

#[tokio::test]
async fn a_partial_job_arrives_exactly_and_a_filter_on_outcome_lets_only_failed_through() {
    let w = world().await;
    let topic = w.topic("snapshots").await;
    let raw = w.queue("raw", &topic, true, None).await;
    let envelope = w.queue("envelope", &topic, false, None).await;
    let failed_only = w
        .queue("failed-only", &topic, true, Some(json!({"outcome": ["FAILED"]})))
        .await;
    let app = w.app(&topic);

    // PARTIAL: the CSV of a PDF + CSV job failed with RLS_CHANGED.
    let rls = "Row-level security changed while the job ran.";
    let partial_arn = w
        .job(
            "job-partial",
            &[SnapshotFileFormatType::Pdf, SnapshotFileFormatType::Csv],
            Scenario {
                file_errors: vec![FileError::new(1, "RLS_CHANGED", rls)],
                ..Scenario::default()
            },
        )
        .await;
    let output = invoke(&app, json!({"Arn": partial_arn})).await.unwrap();
    assert_eq!(output.outcome, Outcome::Partial);

    let raw_messages = w.drain(&raw).await;
    assert_eq!(raw_messages.len(), 1);
    let body = raw_messages[0].body().unwrap();
    assert_eq!(body, published_body(&output));
    let parsed: Value = serde_json::from_str(body).unwrap();
    assert_eq!(parsed["outcome"], "PARTIAL");
    assert_eq!(parsed["jobStatus"], "COMPLETED");
    assert_eq!(parsed["summary"], "1 of 2 files exported; CSV failed: RLS_CHANGED");
    assert_eq!(
        parsed["errors"],
        json!([{"code": "RLS_CHANGED", "message": rls, "scope": "FILE", "action": "RERUN_JOB"}])
    );
    assert_eq!(
        parsed["files"][1]["errors"],
        json!([{"code": "RLS_CHANGED", "message": rls}])
    );
    let key = parsed["files"][0]["key"].as_str().unwrap();
    assert!(
        key.starts_with("snapshots/sales/job-partial/") && key.ends_with(".pdf"),
        "{key}"
    );
    assert_eq!(parsed["files"][0]["s3Uri"], json!(format!("s3://{BUCKET}/{key}")));
    assert!(parsed.get("notification").is_none());
    assert_eq!(
        attributes(&raw_messages[0]),
        expected_attributes(&[
            ("outcome", "String", "PARTIAL"),
            ("jobStatus", "String", "COMPLETED"),
            ("dashboardId", "String", DASHBOARD),
            ("awsAccountId", "String", ACCOUNT),
            ("formats", "String.Array", r#"["CSV","PDF"]"#),
            ("errorCodes", "String.Array", r#"["RLS_CHANGED"]"#),
            ("fileCount", "Number", "2"),
        ])
    );

    // The SNS envelope carries the subject and the SNS message id the function reported.
    let envelopes = w.drain(&envelope).await;
    assert_eq!(envelopes.len(), 1);
    let sns: Value = serde_json::from_str(envelopes[0].body().unwrap()).unwrap();
    assert_eq!(sns["Type"], "Notification");
    assert_eq!(sns["TopicArn"], json!(topic));
    assert_eq!(sns["Subject"], "PARTIAL: QuickSight snapshot of dashboard sales");
    assert_eq!(sns["Message"], json!(published_body(&output)));
    assert_eq!(
        sns["MessageAttributes"]["outcome"],
        json!({"Type": "String", "Value": "PARTIAL"})
    );
    assert_eq!(
        output.notification,
        Some(Notification {
            topic_arn: topic.clone(),
            message_id: sns["MessageId"].as_str().unwrap().to_owned(),
            sequence_number: None,
        })
    );
    assert!(
        w.drain(&failed_only).await.is_empty(),
        "PARTIAL passed the FAILED-only filter"
    );

    // SUCCEEDED and FAILED: everything reaches the raw queue, only FAILED the filtered one.
    let ok_arn = w
        .job("job-ok", &[SnapshotFileFormatType::Pdf], Scenario::default())
        .await;
    let failed_arn = w
        .job(
            "job-failed",
            &[SnapshotFileFormatType::Pdf],
            Scenario::failed("DASHBOARD_ACCESS_DENIED", "no access"),
        )
        .await;
    let succeeded = invoke(&app, json!({"Arn": ok_arn})).await.unwrap();
    let failed = invoke(&app, json!({"Arn": failed_arn})).await.unwrap();
    assert_eq!(
        (succeeded.outcome, failed.outcome),
        (Outcome::Succeeded, Outcome::Failed)
    );

    let outcomes: Vec<String> = w
        .drain(&raw)
        .await
        .iter()
        .map(|m| attributes(m)["outcome"].1.clone())
        .collect();
    assert_eq!(outcomes, ["SUCCEEDED", "FAILED"]);
    let filtered = w.drain(&failed_only).await;
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0].body().unwrap(), published_body(&failed));
    assert_eq!(
        attributes(&filtered[0]),
        expected_attributes(&[
            ("outcome", "String", "FAILED"),
            ("jobStatus", "String", "FAILED"),
            ("dashboardId", "String", DASHBOARD),
            ("awsAccountId", "String", ACCOUNT),
            ("errorCodes", "String.Array", r#"["DASHBOARD_ACCESS_DENIED"]"#),
            ("fileCount", "Number", "0"),
        ])
    );
    w.emulator.shutdown().await;
}

#[tokio::test]
async fn the_same_terminal_job_processed_twice_reaches_a_fifo_queue_once() {
    let w = world().await;
    let topic = w.topic("snapshots.fifo").await;
    let queue = w.queue("fifo-q.fifo", &topic, true, None).await;
    let app = w.app(&topic);
    let arn = w
        .job("job-fifo", &[SnapshotFileFormatType::Pdf], Scenario::default())
        .await;

    let first = invoke(&app, json!({"Arn": arn})).await.unwrap();
    let second = invoke(&app, json!({"Arn": arn})).await.unwrap();
    assert_eq!(first.outcome, Outcome::Succeeded);
    assert_ne!(first.notification, None);
    assert_ne!(second.notification, None);

    let messages = w.drain(&queue).await;
    assert_eq!(messages.len(), 1, "a retried invocation was delivered twice");
    assert_eq!(messages[0].body().unwrap(), published_body(&first));
    let system = messages[0].attributes().unwrap();
    assert_eq!(
        system
            .get(&MessageSystemAttributeName::MessageGroupId)
            .map(String::as_str),
        Some(DASHBOARD)
    );
    let created = first.created_time.as_deref().unwrap();
    let dedup = format!(
        "{:x}",
        Sha256::digest(format!("{arn}\n{created}\nSUCCEEDED").as_bytes())
    );
    assert_eq!(
        system
            .get(&MessageSystemAttributeName::MessageDeduplicationId)
            .map(String::as_str),
        Some(dedup.as_str())
    );

    // Another job is another message in the same group.
    let other = w
        .job("job-fifo-2", &[SnapshotFileFormatType::Csv], Scenario::default())
        .await;
    invoke(&app, json!({"Arn": other})).await.unwrap();
    let messages = w.drain(&queue).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(
        attributes(&messages[0])["formats"],
        ("String.Array".to_owned(), r#"["CSV"]"#.to_owned())
    );
    w.emulator.shutdown().await;
}

#[tokio::test]
async fn an_oversized_result_arrives_truncated_with_the_full_counts() {
    let w = world().await;
    let topic = w.topic("snapshots").await;
    let queue = w.queue("raw", &topic, true, None).await;
    let app = w.app(&topic);
    // 150 errors of 1,000 characters on the CSV: each is in files[1].errors and in errors, about 300 KB.
    let errors: Vec<FileError> = (0..150)
        .map(|i| FileError::new(1, "RLS_CHANGED", &format!("{i:03} {}", "x".repeat(996))))
        .collect();
    let arn = w
        .job(
            "job-big",
            &[
                SnapshotFileFormatType::Pdf,
                SnapshotFileFormatType::Csv,
                SnapshotFileFormatType::Excel,
            ],
            Scenario {
                file_errors: errors,
                ..Scenario::default()
            },
        )
        .await;
    let output = invoke(&app, json!({"Arn": arn})).await.unwrap();
    assert_eq!((output.files.len(), output.errors.len()), (3, 150));
    assert!(published_body(&output).len() > 262_144);

    let messages = w.drain(&queue).await;
    assert_eq!(messages.len(), 1);
    let body = messages[0].body().unwrap();
    let attributes = attributes(&messages[0]);
    let attribute_bytes: usize = attributes.iter().map(|(n, (t, v))| n.len() + t.len() + v.len()).sum();
    assert!(
        body.len() + attribute_bytes <= 262_144,
        "{} bytes",
        body.len() + attribute_bytes
    );
    let parsed: Value = serde_json::from_str(body).unwrap();
    assert_eq!(parsed["truncated"], true);
    assert_eq!(parsed["fileCount"], 3);
    assert_eq!(parsed["errorCount"], 150);
    assert_eq!(parsed["outcome"], "PARTIAL");
    assert_eq!(parsed["summary"], json!(output.summary));
    // What is kept is the start of each list, unchanged.
    let kept_files = parsed["files"].as_array().unwrap();
    let kept_errors = parsed["errors"].as_array().unwrap();
    // Every error fits once the CSV (which repeats them) and the files after it are left out.
    assert_eq!((kept_files.len(), kept_errors.len()), (1, 150));
    assert_eq!(kept_files[0]["format"], "PDF");
    assert_eq!(
        *kept_files,
        serde_json::to_value(&output.files[..kept_files.len()])
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(
        *kept_errors,
        serde_json::to_value(&output.errors[..kept_errors.len()])
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    );
    // Attributes describe the whole result.
    assert_eq!(attributes["fileCount"], ("Number".to_owned(), "3".to_owned()));
    assert_eq!(
        attributes["formats"],
        ("String.Array".to_owned(), r#"["CSV","EXCEL","PDF"]"#.to_owned())
    );
    // The function's own output is never cut.
    assert!(serde_json::to_value(&output).unwrap().get("truncated").is_none());
    w.emulator.shutdown().await;
}

#[tokio::test]
async fn publishing_to_a_missing_topic_fails_with_notification_failed() {
    let w = world().await;
    let missing = format!("arn:aws:sns:{REGION}:{MOTO_ACCOUNT}:no-such-topic");
    let app = w.app(&missing);
    let arn = w
        .job("job-lost", &[SnapshotFileFormatType::Pdf], Scenario::default())
        .await;

    let error = invoke(&app, json!({"Arn": arn})).await.unwrap_err();
    assert_eq!(error.name(), "NotificationFailed");
    assert!(error.retryable());
    let Error::NotificationFailed { topic_arn, fault } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(topic_arn, &missing);
    assert_eq!(fault.code, "NotFound");
    assert_eq!(fault.message, "Publish: Endpoint does not exist");
    assert!(
        fault.request_id.as_deref().is_some_and(|id| !id.is_empty()),
        "{fault:?}"
    );
    let diagnostic: lambda_runtime::Diagnostic = error.into();
    assert_eq!(diagnostic.error_type, "NotificationFailed");
    assert!(
        diagnostic.error_message.starts_with(&format!(
            "publishing to {missing} failed: NotFound: Publish: Endpoint does not exist (request id "
        )),
        "{}",
        diagnostic.error_message
    );
    w.emulator.shutdown().await;
}

#[tokio::test]
async fn notify_false_publishes_nothing() {
    let w = world().await;
    let topic = w.topic("snapshots").await;
    let queue = w.queue("raw", &topic, true, None).await;
    let app = w.app(&topic);
    let arn = w
        .job("job-quiet", &[SnapshotFileFormatType::Pdf], Scenario::default())
        .await;

    let quiet = invoke(&app, json!({"Arn": arn, "notify": false})).await.unwrap();
    assert_eq!(quiet.outcome, Outcome::Succeeded);
    assert_eq!(quiet.notification, None);
    assert!(w.drain(&queue).await.is_empty());

    // The same event without the flag is published: the queue above was listening.
    let loud = invoke(&app, json!({"Arn": arn})).await.unwrap();
    assert_eq!(
        loud.notification.as_ref().map(|n| n.topic_arn.as_str()),
        Some(topic.as_str())
    );
    assert_eq!(w.drain(&queue).await.len(), 1);
    w.emulator.shutdown().await;
}
