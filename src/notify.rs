//! SNS notification of an invocation's result: [`render`] (pure: subject, body, attributes, FIFO ids,
//! size limit) and [`Notifier::publish`] (the only SNS I/O).
//!
//! # One JSON body, with message attributes
//!
//! Every subscriber receives the same body: the JSON contract of [`Output`], exactly what the function
//! returns. The body carries message attributes (`outcome`, `errorCodes`, ...) so that subscriptions
//! can filter without parsing it.
//!
//! The SNS developer guide, "Amazon SNS message attributes"
//! (<https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html>), says in a note:
//! "Message attributes are sent only when the message structure is String, not JSON." A per-protocol
//! body (`MessageStructure=json` with a `default` and an `email` key) would therefore risk dropping the
//! attributes, and a subscription whose filter policy names an attribute would then receive nothing
//! at all, silently. Local emulators (moto, LocalStack) deliver and filter the attributes either way,
//! so a test here cannot settle the question; the documented behaviour wins. [`Delivery::JsonOnly`]
//! (String structure) is what [`Notifier`] publishes. [`Delivery::PerProtocol`] renders the readable
//! e-mail text beside the JSON for a topic whose subscribers do not filter on attributes; it is
//! opt-in via [`Notifier::with_delivery`].
//!
//! # Limits kept
//!
//! Subject: under 100 ASCII printable characters. At most 10 attributes (7 are sent), no control
//! characters. FIFO ids: at most 128 characters of ASCII punctuation and alphanumerics. Size: a message
//! whose UTF-8 bytes (body plus attribute names, types and values) exceed [`MAX_MESSAGE_BYTES`] is cut
//! down (files, then errors, then the summary) and marked `"truncated": true`; size never fails a publish.

use std::collections::BTreeSet;

use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::operation::RequestId;
use aws_sdk_sns::types::MessageAttributeValue;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tracing::info;

use crate::config::Config;
use crate::error::{Error, ServiceFault};
use crate::output::{Action, Notification, Output, Scope, UserKind};

/// The largest message SNS accepts: body plus every attribute's name, type and value, in UTF-8 bytes.
pub const MAX_MESSAGE_BYTES: usize = 262_144;
/// SNS wants a subject under 100 characters.
const MAX_SUBJECT_CHARS: usize = 99;
/// MessageGroupId and MessageDeduplicationId are at most 128 characters.
const MAX_FIFO_ID_CHARS: usize = 128;
/// A String or String.Array attribute value is cut to this many bytes (QuickSight ids are far shorter).
const MAX_ATTRIBUTE_VALUE_BYTES: usize = 1_024;
/// When even an output without files and errors is too large, its summary is cut to this many chars.
const TRUNCATED_SUMMARY_CHARS: usize = 1_024;

/// Which bodies a notification carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Delivery {
    /// One body for every protocol (the JSON contract); message attributes are delivered. The default.
    #[default]
    JsonOnly,
    /// `MessageStructure=json`: `default` is the JSON contract, `email` the readable text. See the module
    /// documentation for why attribute filtering may not work with it.
    PerProtocol,
}

/// One SNS message attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: &'static str,
    /// `String`, `String.Array` or `Number`.
    pub data_type: &'static str,
    pub value: String,
}

/// Everything a Publish call sends, computed without I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    /// The JSON contract, or for [`Delivery::PerProtocol`] the `{"default": ..., "email": ...}` document.
    pub message: String,
    /// `Some("json")` for [`Delivery::PerProtocol`].
    pub message_structure: Option<&'static str>,
    pub attributes: Vec<Attribute>,
    /// FIFO topics only.
    pub message_group_id: Option<String>,
    /// FIFO topics only.
    pub message_deduplication_id: Option<String>,
    /// Whether the body was cut down to fit [`MAX_MESSAGE_BYTES`].
    pub truncated: bool,
}

impl Rendered {
    /// The size SNS counts against [`MAX_MESSAGE_BYTES`].
    pub fn size(&self) -> usize {
        self.message.len() + attributes_size(&self.attributes)
    }
}

fn attributes_size(attributes: &[Attribute]) -> usize {
    attributes
        .iter()
        .map(|a| a.name.len() + a.data_type.len() + a.value.len())
        .sum()
}

/// Renders the notification of `output` for `topic_arn` with the default [`Delivery::JsonOnly`].
pub fn render(output: &Output, topic_arn: &str) -> Rendered {
    render_with(output, topic_arn, Delivery::JsonOnly)
}

/// Renders the notification of `output` for `topic_arn`.
pub fn render_with(output: &Output, topic_arn: &str, delivery: Delivery) -> Rendered {
    let attributes = attributes(output);
    let budget = MAX_MESSAGE_BYTES.saturating_sub(attributes_size(&attributes));
    let message = fitted_message(output, delivery, budget);
    let fifo = topic_arn.ends_with(".fifo");
    Rendered {
        subject: subject(output),
        message: message.text,
        message_structure: (delivery == Delivery::PerProtocol).then_some("json"),
        attributes,
        message_group_id: fifo.then(|| message_group_id(&output.job.dashboard_id)),
        message_deduplication_id: fifo.then(|| message_deduplication_id(output)),
        truncated: message.truncated,
    }
}

/// `"<OUTCOME>: QuickSight snapshot of dashboard <id>"`, ASCII printable, under 100 characters.
pub fn subject(output: &Output) -> String {
    let text = format!(
        "{}: QuickSight snapshot of dashboard {}",
        output.outcome.as_str(),
        output.job.dashboard_id
    );
    let ascii: String = text
        .chars()
        .map(|c| if c == ' ' || c.is_ascii_graphic() { c } else { '?' })
        .collect();
    if ascii.len() <= MAX_SUBJECT_CHARS {
        return ascii;
    }
    // Every character is ASCII now, so any byte index is a character boundary.
    format!("{}...", &ascii[..MAX_SUBJECT_CHARS - 3])
}

/// The message attributes, in a fixed order. `formats` and `errorCodes` are left out when empty (SNS
/// refuses empty values, and a filter policy can then test them with `{"exists": false}`).
pub fn attributes(output: &Output) -> Vec<Attribute> {
    let string = |name, value: &str| Attribute {
        name,
        data_type: "String",
        value: attribute_text(value),
    };
    let mut attributes = vec![
        string("outcome", output.outcome.as_str()),
        string("jobStatus", &output.job_status),
        string("dashboardId", &output.job.dashboard_id),
        string("awsAccountId", &output.job.aws_account_id),
    ];
    let formats: BTreeSet<&str> = output.files.iter().filter_map(|f| f.format.as_deref()).collect();
    if let Some(value) = string_array(formats) {
        attributes.push(Attribute {
            name: "formats",
            data_type: "String.Array",
            value,
        });
    }
    let codes: BTreeSet<&str> = output.errors.iter().map(|e| e.code.as_str()).collect();
    if let Some(value) = string_array(codes) {
        attributes.push(Attribute {
            name: "errorCodes",
            data_type: "String.Array",
            value,
        });
    }
    attributes.push(Attribute {
        name: "fileCount",
        data_type: "Number",
        value: output.files.len().to_string(),
    });
    attributes.retain(|a| !a.value.is_empty());
    attributes
}

/// Printable text for a String attribute: control characters dropped, cut on a character boundary.
fn attribute_text(value: &str) -> String {
    let clean: String = value.chars().filter(|c| !c.is_control()).collect();
    cut_bytes(clean.trim(), MAX_ATTRIBUTE_VALUE_BYTES).to_owned()
}

/// A JSON array of distinct printable values, as many as fit [`MAX_ATTRIBUTE_VALUE_BYTES`]; None when empty.
fn string_array<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut kept: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut size = 2;
    for value in values {
        let clean: String = value.chars().filter(|c| !c.is_control()).collect();
        let clean = clean.trim().to_owned();
        if clean.is_empty() || !seen.insert(clean.clone()) {
            continue;
        }
        let encoded = serde_json::Value::String(clean.clone()).to_string().len() + 1;
        if size + encoded > MAX_ATTRIBUTE_VALUE_BYTES {
            break;
        }
        size += encoded;
        kept.push(clean);
    }
    if kept.is_empty() {
        None
    } else {
        serde_json::to_string(&kept).ok()
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn cut_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The dashboard id as a FIFO message group: characters outside ASCII 33..=126 become `_`; an id longer
/// than 128 characters keeps its first 63 and a `-` and the SHA-256 hex of the whole id, so that two long
/// ids with a common prefix stay apart.
pub fn message_group_id(dashboard_id: &str) -> String {
    let clean: String = dashboard_id
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect();
    if clean.is_empty() {
        return "dashboard".to_owned();
    }
    if clean.len() <= MAX_FIFO_ID_CHARS {
        return clean;
    }
    format!("{}-{}", &clean[..MAX_FIFO_ID_CHARS - 65], sha256_hex(dashboard_id))
}

/// SHA-256 hex of the job ARN, createdTime and outcome: the same terminal result read twice (a retried
/// invocation, a redriven state machine) gets the same id, so a FIFO topic delivers it once.
pub fn message_deduplication_id(output: &Output) -> String {
    let created = output.created_time.as_deref().unwrap_or_default();
    sha256_hex(&format!("{}\n{}\n{}", output.job.arn, created, output.outcome.as_str()))
}

fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

struct Message {
    text: String,
    truncated: bool,
}

/// How much of the output a body shows.
#[derive(Debug, Clone, Copy)]
struct Shown {
    files: usize,
    errors: usize,
    cut_summary: bool,
}

/// The full body when it fits `budget`; otherwise the largest cut-down body that does: every error and as
/// many files as fit; else the same share of both lists (the first files and the first errors, the job's
/// own error first); else neither list and a cut summary.
fn fitted_message(output: &Output, delivery: Delivery, budget: usize) -> Message {
    let (files, errors) = (output.files.len(), output.errors.len());
    let full = body(output, delivery, None);
    if full.len() <= budget {
        return Message {
            text: full,
            truncated: false,
        };
    }
    let fits = |shown: Shown| -> Option<String> {
        let text = body(output, delivery, Some(shown));
        (text.len() <= budget).then_some(text)
    };
    let share = |total: usize, per_mille: usize| (total * per_mille).div_ceil(1_000);
    let text = largest(files, |n| {
        fits(Shown {
            files: n,
            errors,
            cut_summary: false,
        })
    })
    .or_else(|| {
        largest(1_000, |p| {
            fits(Shown {
                files: share(files, p),
                errors: share(errors, p),
                cut_summary: false,
            })
        })
    })
    .unwrap_or_else(|| {
        body(
            output,
            delivery,
            Some(Shown {
                files: 0,
                errors: 0,
                cut_summary: true,
            }),
        )
    });
    Message { text, truncated: true }
}

/// The body for the largest `n` in `0..=max` that `fits` (sizes grow with `n`, so bisection finds it).
fn largest(max: usize, fits: impl Fn(usize) -> Option<String>) -> Option<String> {
    let mut best = fits(0)?;
    let (mut low, mut high) = (1, max);
    while low <= high {
        let mid = low + (high - low) / 2;
        match fits(mid) {
            Some(text) => {
                best = text;
                low = mid + 1;
            }
            None => high = mid - 1,
        }
    }
    Some(best)
}

/// The JSON contract of a cut-down output: the output's own fields, then the marker and the full counts.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Truncated<'a> {
    #[serde(flatten)]
    output: &'a Output,
    truncated: bool,
    file_count: usize,
    error_count: usize,
}

fn body(output: &Output, delivery: Delivery, shown: Option<Shown>) -> String {
    let (json, text) = match shown {
        None => (
            to_json(output),
            (delivery == Delivery::PerProtocol).then(|| email_text(output, None)),
        ),
        Some(shown) => {
            let mut part = output.clone();
            part.files.truncate(shown.files);
            part.errors.truncate(shown.errors);
            if shown.cut_summary && part.summary.chars().count() > TRUNCATED_SUMMARY_CHARS {
                part.summary = part.summary.chars().take(TRUNCATED_SUMMARY_CHARS).collect::<String>() + "…";
            }
            let marked = Truncated {
                output: &part,
                truncated: true,
                file_count: output.files.len(),
                error_count: output.errors.len(),
            };
            let totals = (output.files.len(), output.errors.len());
            (
                to_json(&marked),
                (delivery == Delivery::PerProtocol).then(|| email_text(&part, Some(totals))),
            )
        }
    };
    match text {
        None => json,
        Some(email) => to_json(&serde_json::json!({"default": json, "email": email})),
    }
}

/// Serialises a contract type. These types have only string keys, so serialisation cannot fail; should it
/// anyway, the body still says so in JSON rather than the publish being skipped.
fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        serde_json::json!({"error": format!("notification body not serialisable: {e}")}).to_string()
    })
}

/// The readable text for people: what ran, the outcome, every file with its location (and download link),
/// every error with what to do about it. `totals` (all files, all errors) is given for a cut-down output.
pub fn email_text(output: &Output, totals: Option<(usize, usize)>) -> String {
    let job = &output.job;
    let mut lines = vec![
        format!("QuickSight dashboard snapshot job: {}", output.outcome.as_str()),
        line(&output.summary),
        String::new(),
        format!("Dashboard:   {}", line(&job.dashboard_id)),
        format!("Account:     {}", line(&job.aws_account_id)),
        format!("Region:      {}", line(&job.region)),
        format!("Job:         {}", line(&job.snapshot_job_id)),
        format!("Job ARN:     {}", line(&job.arn)),
        format!("Job status:  {}", line(&output.job_status)),
    ];
    if let Some(created) = &output.created_time {
        lines.push(format!("Created:     {}", line(created)));
    }
    if let Some(updated) = &output.last_updated_time {
        lines.push(format!("Updated:     {}", line(updated)));
    }
    if let Some(retry) = output.retry_after_seconds {
        lines.push(format!("Check again: in {retry} s"));
    }
    let (all_files, all_errors) = totals.unwrap_or((output.files.len(), output.errors.len()));
    lines.push(String::new());
    lines.push(format!("Files ({all_files}):"));
    if all_files == 0 {
        lines.push("  none".to_owned());
    }
    for (n, file) in output.files.iter().enumerate() {
        let user = match file.user {
            UserKind::Anonymous => "anonymous user",
            UserKind::Registered => "registered user",
        };
        let kind = file.format.as_deref().map_or_else(|| "file".to_owned(), line);
        lines.push(format!("  {}. {kind} (file group {}, {user})", n + 1, file.file_group));
        match &file.s3_uri {
            Some(uri) => lines.push(format!("     Location: {}", line(uri))),
            None => lines.push("     Location: none (not exported)".to_owned()),
        }
        if let Some(url) = &file.download_url {
            match &file.download_url_expires_at {
                Some(expires) => lines.push(format!("     Download: {} (expires {})", line(url), line(expires))),
                None => lines.push(format!("     Download: {}", line(url))),
            }
        }
        for error in &file.errors {
            lines.push(format!(
                "     Error:    {}: {}",
                line(&error.code),
                line(&error.message)
            ));
        }
    }
    if output.files.len() < all_files {
        lines.push(format!(
            "  ... {} more not shown (message size limit)",
            all_files - output.files.len()
        ));
    }
    lines.push(String::new());
    lines.push(format!("Errors ({all_errors}):"));
    if all_errors == 0 {
        lines.push("  none".to_owned());
    }
    for error in &output.errors {
        let scope = match error.scope {
            Scope::Job => "job",
            Scope::File => "file",
        };
        lines.push(format!("  - {} ({scope}): {}", line(&error.code), line(&error.message)));
        lines.push(format!(
            "    Action {}: {}",
            error.action.as_str(),
            explain(error.action)
        ));
    }
    if output.errors.len() < all_errors {
        lines.push(format!(
            "  ... {} more not shown (message size limit)",
            all_errors - output.errors.len()
        ));
    }
    if let Some(request_id) = &output.request_id {
        lines.push(String::new());
        lines.push(format!("QuickSight request id: {}", line(request_id)));
    }
    lines.join("\n") + "\n"
}

/// What a person should do, in words.
fn explain(action: Action) -> &'static str {
    match action {
        Action::RerunJob => "row- or column-level security changed while the job ran; run the job again.",
        Action::CheckDataset => "a dataset of the dashboard was deleted; check the dataset, then run the job again.",
        Action::FixAccess => "access or a capability is missing; grant it, then run the job again.",
        Action::Review => "QuickSight reported an undocumented code; read the message.",
    }
}

/// One line of text: control characters (line breaks included) become spaces.
fn line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

pub struct Notifier {
    client: aws_sdk_sns::Client,
    topic_arn: String,
    delivery: Delivery,
}

impl Notifier {
    /// A notifier when SNS_TOPIC_ARN is set.
    pub fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Option<Self> {
        let topic_arn = config.topic_arn.clone()?;
        Some(Notifier {
            client: aws_sdk_sns::Client::new(sdk),
            topic_arn,
            delivery: if config.notify_email_text {
                Delivery::PerProtocol
            } else {
                Delivery::default()
            },
        })
    }

    /// Chooses the bodies sent (see [`Delivery`]).
    pub fn with_delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    /// Publishes `output`; the last step of an invocation. Any failure is [`Error::NotificationFailed`].
    pub async fn publish(&self, output: &Output) -> Result<Notification, Error> {
        let rendered = render_with(output, &self.topic_arn, self.delivery);
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(&rendered.subject)
            .message(&rendered.message)
            .set_message_structure(rendered.message_structure.map(str::to_owned))
            .set_message_group_id(rendered.message_group_id.clone())
            .set_message_deduplication_id(rendered.message_deduplication_id.clone());
        for attribute in &rendered.attributes {
            let value = MessageAttributeValue::builder()
                .data_type(attribute.data_type)
                .string_value(&attribute.value)
                .build()
                .map_err(|e| self.failed("ConstructionFailure", e.to_string(), None))?;
            request = request.message_attributes(attribute.name, value);
        }
        let published = request.send().await.map_err(|e| self.classify(e))?;
        // SNS always answers with a MessageId; an empty one is reported as it came rather than failing a
        // publish that happened (a retry would only deliver the message twice).
        let message_id = published.message_id().unwrap_or_default().to_owned();
        info!(topic_arn = %self.topic_arn, message_id = %message_id, truncated = rendered.truncated, "notification published");
        Ok(Notification {
            topic_arn: self.topic_arn.clone(),
            message_id,
            sequence_number: published.sequence_number().map(str::to_owned),
        })
    }

    fn failed(&self, code: &str, message: String, request_id: Option<String>) -> Error {
        Error::NotificationFailed {
            topic_arn: self.topic_arn.clone(),
            fault: ServiceFault {
                code: code.to_owned(),
                message,
                request_id,
            },
        }
    }

    /// Keeps the SNS error code, message and request id; transport failures are named by their class.
    fn classify<E, R>(&self, error: SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
        SdkError<E, R>: RequestId,
    {
        let request_id = error.request_id().map(str::to_owned);
        let (code, message) = match &error {
            // SNS answered 2xx but the body could not be read: no code to report, so say what happened.
            SdkError::ServiceError(service) if service.err().code().is_none() => (
                "UnreadableResponse".to_owned(),
                format!("Publish: {}", crate::error::error_chain(&error)),
            ),
            SdkError::ServiceError(service) => (
                service.err().code().unwrap_or("Unknown").to_owned(),
                format!("Publish: {}", service.err().message().unwrap_or_default()),
            ),
            other => (
                crate::error::transport_class(other).to_owned(),
                // The error chain's Display only: the Debug form holds the raw HTTP response.
                format!("Publish: {}", crate::error::error_chain(&error)),
            ),
        };
        self.failed(&code, message, request_id)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::output::{File, FileError, JobError, JobIdentity, Outcome, Sheet};

    const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:snapshots";
    const FIFO_TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:snapshots.fifo";
    const ARN: &str = "arn:aws:quicksight:us-east-1:111122223333:dashboard/sales/snapshot-job/job-1";

    fn file(group: usize, format: &str, key: Option<&str>, errors: Vec<FileError>) -> File {
        File {
            user: UserKind::Anonymous,
            file_group: group,
            format: Some(format.to_owned()),
            sheets: vec![Sheet {
                sheet_id: "sheet-1".into(),
                selection_scope: "ALL_VISUALS".into(),
                visual_ids: vec![],
            }],
            s3_uri: key.map(|k| format!("s3://reports/{k}")),
            bucket: key.map(|_| "reports".to_owned()),
            key: key.map(str::to_owned),
            bucket_region: Some("us-east-1".into()),
            errors,
            download_url: None,
            download_url_expires_at: None,
        }
    }

    /// A PARTIAL job: the PDF exported (with a download link), the CSV failed with RLS_CHANGED.
    fn partial() -> Output {
        let mut pdf = file(0, "PDF", Some("daily/sales/job-1/a.pdf"), vec![]);
        pdf.download_url =
            Some("https://reports.s3.us-east-1.amazonaws.com/daily/sales/job-1/a.pdf?X-Amz-Signature=abc".into());
        pdf.download_url_expires_at = Some("2024-05-01T13:00:00Z".into());
        let rls = FileError {
            code: "RLS_CHANGED".into(),
            message: "Row-level security changed\nduring the job.".into(),
        };
        let csv = file(1, "CSV", Some("daily/sales/job-1/b.csv"), vec![rls.clone()]);
        Output {
            job: JobIdentity {
                aws_account_id: "111122223333".into(),
                dashboard_id: "sales".into(),
                snapshot_job_id: "job-1".into(),
                arn: ARN.into(),
                region: "us-east-1".into(),
            },
            job_status: "COMPLETED".into(),
            outcome: Outcome::Partial,
            terminal: true,
            retry_after_seconds: None,
            created_time: Some("2024-05-01T12:00:00Z".into()),
            last_updated_time: Some("2024-05-01T12:01:30Z".into()),
            files: vec![pdf, csv],
            errors: vec![JobError {
                code: rls.code,
                message: rls.message,
                scope: Scope::File,
                action: Action::RerunJob,
            }],
            request_id: Some("req-1".into()),
            summary: "1 of 2 files exported; CSV failed: RLS_CHANGED".into(),
            notification: None,
        }
    }

    fn attribute_map(rendered: &Rendered) -> Vec<(&str, &str, &str)> {
        rendered
            .attributes
            .iter()
            .map(|a| (a.name, a.data_type, a.value.as_str()))
            .collect()
    }

    #[test]
    fn a_standard_topic_gets_the_json_contract_with_attributes_and_no_fifo_ids() {
        let output = partial();
        let rendered = render(&output, TOPIC);
        assert_eq!(rendered.subject, "PARTIAL: QuickSight snapshot of dashboard sales");
        assert_eq!(rendered.message, serde_json::to_string(&output).unwrap());
        assert_eq!(rendered.message_structure, None);
        assert_eq!(
            attribute_map(&rendered),
            [
                ("outcome", "String", "PARTIAL"),
                ("jobStatus", "String", "COMPLETED"),
                ("dashboardId", "String", "sales"),
                ("awsAccountId", "String", "111122223333"),
                ("formats", "String.Array", r#"["CSV","PDF"]"#),
                ("errorCodes", "String.Array", r#"["RLS_CHANGED"]"#),
                ("fileCount", "Number", "2"),
            ]
        );
        assert_eq!(
            (rendered.message_group_id, rendered.message_deduplication_id),
            (None, None)
        );
        assert!(!rendered.truncated);
    }

    #[test]
    fn the_email_text_of_a_partial_job_names_every_file_error_and_action() {
        let expected = "\
QuickSight dashboard snapshot job: PARTIAL
1 of 2 files exported; CSV failed: RLS_CHANGED

Dashboard:   sales
Account:     111122223333
Region:      us-east-1
Job:         job-1
Job ARN:     arn:aws:quicksight:us-east-1:111122223333:dashboard/sales/snapshot-job/job-1
Job status:  COMPLETED
Created:     2024-05-01T12:00:00Z
Updated:     2024-05-01T12:01:30Z

Files (2):
  1. PDF (file group 0, anonymous user)
     Location: s3://reports/daily/sales/job-1/a.pdf
     Download: https://reports.s3.us-east-1.amazonaws.com/daily/sales/job-1/a.pdf?X-Amz-Signature=abc (expires 2024-05-01T13:00:00Z)
  2. CSV (file group 1, anonymous user)
     Location: s3://reports/daily/sales/job-1/b.csv
     Error:    RLS_CHANGED: Row-level security changed during the job.

Errors (1):
  - RLS_CHANGED (file): Row-level security changed during the job.
    Action RERUN_JOB: row- or column-level security changed while the job ran; run the job again.

QuickSight request id: req-1
";
        assert_eq!(email_text(&partial(), None), expected);
    }

    #[test]
    fn per_protocol_delivery_sends_the_contract_by_default_and_the_text_by_email() {
        let output = partial();
        let rendered = render_with(&output, TOPIC, Delivery::PerProtocol);
        assert_eq!(rendered.message_structure, Some("json"));
        let bodies: Value = serde_json::from_str(&rendered.message).unwrap();
        assert_eq!(
            bodies,
            json!({"default": serde_json::to_string(&output).unwrap(), "email": email_text(&output, None)})
        );
        assert_eq!(rendered.attributes, render(&output, TOPIC).attributes);
    }

    #[test]
    fn a_fifo_topic_gets_a_group_from_the_dashboard_and_a_stable_deduplication_id() {
        let output = partial();
        let rendered = render(&output, FIFO_TOPIC);
        assert_eq!(rendered.message_group_id.as_deref(), Some("sales"));
        let expected = sha256_hex(&format!("{ARN}\n2024-05-01T12:00:00Z\nPARTIAL"));
        assert_eq!(rendered.message_deduplication_id.as_deref(), Some(expected.as_str()));
        assert_eq!(expected.len(), 64);
        assert!(expected.chars().all(|c| c.is_ascii_hexdigit()));

        // The same result read again (other request id, other presigned link) is the same message.
        let mut again = output.clone();
        again.request_id = Some("req-2".into());
        again.files[0].download_url = Some("https://elsewhere".into());
        assert_eq!(
            render(&again, FIFO_TOPIC).message_deduplication_id,
            rendered.message_deduplication_id
        );
        // Another outcome or another run of the same job id is another message.
        let mut failed = output.clone();
        failed.outcome = Outcome::Failed;
        assert_ne!(
            render(&failed, FIFO_TOPIC).message_deduplication_id,
            rendered.message_deduplication_id
        );
        let mut rerun = output;
        rerun.created_time = Some("2024-05-02T12:00:00Z".into());
        assert_ne!(
            render(&rerun, FIFO_TOPIC).message_deduplication_id,
            rendered.message_deduplication_id
        );
    }

    #[test]
    fn group_ids_keep_only_valid_characters_and_at_most_128() {
        assert_eq!(message_group_id("sales-2024_q1"), "sales-2024_q1");
        assert_eq!(message_group_id("ventes été\t2024"), "ventes__t__2024");
        let long = "d".repeat(300);
        let id = message_group_id(&long);
        assert_eq!(id.len(), 128);
        assert_eq!(id, format!("{}-{}", "d".repeat(63), sha256_hex(&long)));
        assert_ne!(message_group_id(&format!("{long}x")), id);
        assert_eq!(message_group_id(&"d".repeat(128)), "d".repeat(128));
        assert_eq!(message_group_id(""), "dashboard");
    }

    #[test]
    fn the_subject_is_short_printable_ascii_on_one_line() {
        let mut output = partial();
        output.job.dashboard_id = "ventes\r\nété".into();
        assert_eq!(
            subject(&output),
            "PARTIAL: QuickSight snapshot of dashboard ventes???t?"
        );
        output.job.dashboard_id = "é".repeat(200);
        let cut = subject(&output);
        assert_eq!(cut.len(), 99);
        assert_eq!(
            cut,
            format!("PARTIAL: QuickSight snapshot of dashboard {}...", "?".repeat(54))
        );
        output.outcome = Outcome::Failed;
        output.job.dashboard_id = "sales".into();
        assert_eq!(subject(&output), "FAILED: QuickSight snapshot of dashboard sales");
    }

    #[test]
    fn attribute_values_drop_control_characters_and_empty_lists() {
        let mut output = partial();
        output.job_status = "COMP\u{7}LETED\n".into();
        output.errors[0].code = "RLS_\u{0}CHANGED".into();
        output.errors.push(JobError {
            code: "RLS_CHANGED".into(),
            message: String::new(),
            scope: Scope::Job,
            action: Action::RerunJob,
        });
        output.errors.push(JobError {
            code: "\u{1b}".into(),
            message: String::new(),
            scope: Scope::Job,
            action: Action::Review,
        });
        let attributes = attributes(&output);
        assert_eq!(attributes[1].value, "COMPLETED");
        assert_eq!(
            attributes[5],
            Attribute {
                name: "errorCodes",
                data_type: "String.Array",
                value: r#"["RLS_CHANGED"]"#.into()
            }
        );
        assert!(attributes.iter().all(|a| a.value.chars().all(|c| !c.is_control())));

        // A FAILED job without files: no formats, and no errorCodes when QuickSight sent none.
        output.files.clear();
        output.errors.clear();
        let names: Vec<(&str, String)> = attributes_of(&output);
        assert_eq!(
            names,
            [
                ("outcome", "PARTIAL".to_owned()),
                ("jobStatus", "COMPLETED".to_owned()),
                ("dashboardId", "sales".to_owned()),
                ("awsAccountId", "111122223333".to_owned()),
                ("fileCount", "0".to_owned()),
            ]
        );
    }

    fn attributes_of(output: &Output) -> Vec<(&'static str, String)> {
        attributes(output).into_iter().map(|a| (a.name, a.value)).collect()
    }

    #[test]
    fn long_code_lists_are_cut_to_whole_values() {
        let mut output = partial();
        output.errors = (0..200)
            .map(|i| JobError {
                code: format!("CODE_{i:03}"),
                message: String::new(),
                scope: Scope::Job,
                action: Action::Review,
            })
            .collect();
        let codes = attributes(&output)
            .into_iter()
            .find(|a| a.name == "errorCodes")
            .unwrap();
        assert!(codes.value.len() <= MAX_ATTRIBUTE_VALUE_BYTES);
        let parsed: Vec<String> = serde_json::from_str(&codes.value).unwrap();
        assert_eq!(parsed.len(), 1022 / 11);
        assert_eq!(parsed[0], "CODE_000");
    }

    fn oversized(files: usize, errors: usize, message_len: usize) -> Output {
        let mut output = partial();
        let message = "m".repeat(message_len);
        output.files = (0..files)
            .map(|i| file(i, "PDF", Some(&format!("k/{i:05}.pdf")), vec![]))
            .collect();
        output.errors = (0..errors)
            .map(|_| JobError {
                code: "RLS_CHANGED".into(),
                message: message.clone(),
                scope: Scope::Job,
                action: Action::RerunJob,
            })
            .collect();
        output
    }

    #[test]
    fn an_oversized_file_list_is_shortened_and_marked() {
        let output = oversized(2_000, 1, 10);
        let full = serde_json::to_string(&output).unwrap();
        assert!(full.len() > MAX_MESSAGE_BYTES);
        let rendered = render(&output, TOPIC);
        assert!(rendered.truncated);
        assert!(rendered.size() <= MAX_MESSAGE_BYTES);
        let body: Value = serde_json::from_str(&rendered.message).unwrap();
        assert_eq!(
            (
                body["truncated"].clone(),
                body["fileCount"].clone(),
                body["errorCount"].clone()
            ),
            (json!(true), json!(2000), json!(1))
        );
        let kept = body["files"].as_array().unwrap().len();
        assert!(kept > 100 && kept < 2_000, "{kept}");
        assert_eq!(body["errors"].as_array().unwrap().len(), 1);
        assert_eq!(body["files"][kept - 1]["key"], json!(format!("k/{:05}.pdf", kept - 1)));
        // The largest cut: one more file would not fit.
        let one_more = Shown {
            files: kept + 1,
            errors: 1,
            cut_summary: false,
        };
        assert!(body_len(&output, one_more) + attributes_size(&rendered.attributes) > MAX_MESSAGE_BYTES);
        // Attributes describe the whole result.
        assert_eq!(rendered.attributes.last().unwrap().value, "2000");
        // The contract's fields keep their order; the marker and counts come last.
        assert!(rendered.message.starts_with(r#"{"job":{"awsAccountId":"111122223333""#));
        assert!(
            rendered
                .message
                .ends_with(r#","truncated":true,"fileCount":2000,"errorCount":1}"#)
        );
    }

    fn body_len(output: &Output, shown: Shown) -> usize {
        body(output, Delivery::JsonOnly, Some(shown)).len()
    }

    #[test]
    fn when_the_errors_alone_are_too_large_both_lists_keep_the_same_share() {
        let output = oversized(10, 400, 1_000);
        let rendered = render(&output, TOPIC);
        assert!(rendered.truncated);
        assert!(rendered.size() <= MAX_MESSAGE_BYTES);
        let body: Value = serde_json::from_str(&rendered.message).unwrap();
        let errors = body["errors"].as_array().unwrap().len();
        let files = body["files"].as_array().unwrap().len();
        assert!(errors > 200 && errors < 400, "{errors}");
        // The same share (rounded up) of the ten files.
        assert_eq!(files, (errors * 10).div_ceil(400), "{files} files, {errors} errors");
        assert_eq!(
            (body["fileCount"].clone(), body["errorCount"].clone()),
            (json!(10), json!(400))
        );
    }

    #[test]
    fn a_body_too_large_without_any_list_keeps_a_cut_summary() {
        let mut output = oversized(1, 1, 300_000);
        output.summary = "s".repeat(300_000);
        let rendered = render_with(&output, FIFO_TOPIC, Delivery::PerProtocol);
        assert!(rendered.truncated);
        assert!(rendered.size() <= MAX_MESSAGE_BYTES);
        let bodies: Value = serde_json::from_str(&rendered.message).unwrap();
        let body: Value = serde_json::from_str(bodies["default"].as_str().unwrap()).unwrap();
        assert_eq!(body["files"], json!([]));
        assert_eq!(body["errors"], json!([]));
        assert_eq!(
            body["summary"].as_str().unwrap().chars().count(),
            TRUNCATED_SUMMARY_CHARS + 1
        );
        let email = bodies["email"].as_str().unwrap();
        assert!(
            email.contains("Files (1):\n  ... 1 more not shown (message size limit)\n"),
            "{email}"
        );
        assert!(
            email.contains("Errors (1):\n  ... 1 more not shown (message size limit)\n"),
            "{email}"
        );
    }

    #[test]
    fn multibyte_text_is_measured_in_bytes() {
        let mut output = oversized(1, 200, 0);
        for e in &mut output.errors {
            e.message = "é".repeat(1_000);
        }
        // 200 x 1,000 characters is under the limit, 200 x 2,000 bytes is not.
        assert!(serde_json::to_string(&output).unwrap().chars().count() < MAX_MESSAGE_BYTES);
        let rendered = render(&output, TOPIC);
        assert!(rendered.truncated);
        assert!(rendered.size() <= MAX_MESSAGE_BYTES);
        let body: Value = serde_json::from_str(&rendered.message).unwrap();
        assert!(body["errors"].as_array().unwrap().len() < MAX_MESSAGE_BYTES / 2_000);
    }
}
