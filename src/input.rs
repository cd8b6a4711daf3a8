//! Every event shape real callers send, reduced to one [`Request`] or an `InvalidInput` error.
//!
//! Accepted shapes (any of them may be nested inside the wrappers):
//! - explicit ids, camelCase (`awsAccountId`, ...) or PascalCase (`AwsAccountId`, ...);
//! - a snapshot job ARN as `arn`/`Arn`, including StartDashboardSnapshotJob's output as is;
//! - DescribeDashboardSnapshotJob's output as is;
//! - this function's own output (its `job` object);
//! - wrappers: an EventBridge envelope (`detail` as object or JSON string) and the Step Functions
//!   `lambda:invoke` result (`Payload` beside `StatusCode`/`ExecutedVersion`/`SdkHttpMetadata`).
//!
//! No I/O here: the parser is pure and exhaustively tested.

use serde_json::{Map, Value};

use crate::error::Error;
use crate::output::Outcome;

/// The identity of one snapshot job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRef {
    pub account_id: String,
    pub dashboard_id: String,
    pub snapshot_job_id: String,
    /// From the ARN when one was given; explicit ids imply the function's own partition.
    pub partition: Option<String>,
    /// From the ARN when one was given: QuickSight is called in that region.
    pub region: Option<String>,
}

impl JobRef {
    /// The job's ARN in `region` (the ARN's own region when it came from one).
    pub fn arn(&self, default_region: &str) -> String {
        let region = self.region.as_deref().unwrap_or(default_region);
        let partition = self
            .partition
            .clone()
            .unwrap_or_else(|| partition_of(region).to_owned());
        format!(
            "arn:{partition}:quicksight:{region}:{}:dashboard/{}/snapshot-job/{}",
            self.account_id, self.dashboard_id, self.snapshot_job_id
        )
    }
}

/// The partition a region belongs to, for ARNs built from explicit ids.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("eusc-") {
        "aws-eusc"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

/// A parsed event: the job and the per-event options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub job: JobRef,
    /// `failOn` from the event; `None` means "use FAIL_ON".
    pub fail_on: Option<Vec<Outcome>>,
    /// `notify: false` skips the notification for this event.
    pub notify: bool,
}

/// Events above this size are refused before parsing (Lambda itself caps payloads at 6 MB).
pub const MAX_EVENT_BYTES: usize = 256 * 1024;
/// How many wrappers (EventBridge, lambda:invoke, own output) may enclose the reference.
const MAX_WRAPPERS: usize = 8;

/// Parses the raw event text.
pub fn parse_event(raw: &str) -> Result<Request, Error> {
    if raw.len() > MAX_EVENT_BYTES {
        return Err(Error::invalid(format!(
            "event is {} bytes; a job reference is at most {MAX_EVENT_BYTES} bytes",
            raw.len()
        )));
    }
    let value: Value =
        serde_json::from_str(raw).map_err(|e| Error::invalid(format!("event is not valid JSON: {e}")))?;
    parse(value)
}

/// Parses an event already decoded as JSON.
pub fn parse(event: Value) -> Result<Request, Error> {
    let mut current = event;
    let mut fail_on = None;
    let mut notify = None;
    for _ in 0..=MAX_WRAPPERS {
        let Value::Object(object) = current else {
            return Err(Error::invalid(format!(
                "event must be a JSON object holding a snapshot job reference, got {}",
                kind(&current)
            )));
        };
        // Options may sit at any level; the innermost one wins.
        if let Some(v) = object.get("failOn") {
            fail_on = Some(parse_fail_on(v)?);
        }
        if let Some(v) = object.get("notify") {
            notify = Some(
                v.as_bool()
                    .ok_or_else(|| Error::invalid("notify must be true or false"))?,
            );
        }
        match unwrap_once(object)? {
            Step::Inner(inner) => current = inner,
            Step::Reference(job) => {
                return Ok(Request {
                    job,
                    fail_on,
                    notify: notify.unwrap_or(true),
                });
            }
        }
    }
    Err(Error::invalid(format!(
        "event nests more than {MAX_WRAPPERS} wrappers around the job reference"
    )))
}

enum Step {
    Inner(Value),
    Reference(JobRef),
}

fn unwrap_once(mut object: Map<String, Value>) -> Result<Step, Error> {
    // An error passed on where a job reference was expected: say so rather than "no reference".
    if let Some(error_type) = object.get("errorType").and_then(Value::as_str)
        && object.contains_key("errorMessage")
    {
        return Err(Error::invalid(format!(
            "event is a Lambda error result (errorType {:?}), not a snapshot job reference",
            shorten(error_type)
        )));
    }
    if let Some(error) = object.get("Error").and_then(Value::as_str)
        && object.contains_key("Cause")
    {
        return Err(Error::invalid(format!(
            "event is a Step Functions error output (Error {:?}), not a snapshot job reference",
            shorten(error)
        )));
    }
    // Step Functions lambda:invoke result: {"Payload": {...}, "StatusCode": 200, ...}
    if object.contains_key("Payload")
        && [
            "StatusCode",
            "ExecutedVersion",
            "SdkHttpMetadata",
            "SdkResponseMetadata",
        ]
        .iter()
        .any(|k| object.contains_key(*k))
    {
        let payload = object.remove("Payload").unwrap_or(Value::Null);
        return Ok(Step::Inner(decode_if_string(payload, "Payload")?));
    }
    // EventBridge envelope.
    if object.contains_key("detail") && (object.contains_key("detail-type") || object.contains_key("source")) {
        let detail = decode_if_string(object.remove("detail").unwrap_or(Value::Null), "detail")?;
        if detail.as_object().is_some_and(Map::is_empty) {
            let detail_type = object.get("detail-type").and_then(Value::as_str).unwrap_or("");
            return Err(Error::invalid(format!(
                "EventBridge event ({detail_type:?}) has an empty detail: give the rule a constant Input holding \
                 the snapshot job reference"
            )));
        }
        return Ok(Step::Inner(detail));
    }
    // This function's own output: {"job": {...}, "outcome": ...}
    if let Some(job) = object.get("job").filter(|j| j.is_object())
        && (object.contains_key("outcome") || object.contains_key("jobStatus"))
    {
        return Ok(Step::Inner(job.clone()));
    }
    reference(&object).map(Step::Reference)
}

fn decode_if_string(value: Value, field: &str) -> Result<Value, Error> {
    match value {
        Value::Null => Err(Error::invalid(format!(
            "{field} is null: it must hold the snapshot job reference"
        ))),
        Value::String(text) => serde_json::from_str(&text)
            .map_err(|e| Error::invalid(format!("{field} is a string but not valid JSON: {e}"))),
        other => Ok(other),
    }
}

fn reference(object: &Map<String, Value>) -> Result<JobRef, Error> {
    let arn = field(object, &["arn", "Arn"])?;
    let account = field(object, &["awsAccountId", "AwsAccountId"])?;
    let dashboard = field(object, &["dashboardId", "DashboardId"])?;
    let job = field(object, &["snapshotJobId", "SnapshotJobId"])?;

    if let Some(arn) = arn {
        let from_arn = parse_arn(arn)?;
        for (name, given, expected) in [
            ("awsAccountId", account, &from_arn.account_id),
            ("dashboardId", dashboard, &from_arn.dashboard_id),
            ("snapshotJobId", job, &from_arn.snapshot_job_id),
        ] {
            if let Some(given) = given
                && given != expected
            {
                return Err(Error::invalid(format!(
                    "{name} {given:?} disagrees with the ARN, which says {expected:?}"
                )));
            }
        }
        return Ok(from_arn);
    }

    let missing: Vec<&str> = [
        ("awsAccountId", account),
        ("dashboardId", dashboard),
        ("snapshotJobId", job),
    ]
    .iter()
    .filter(|(_, v)| v.is_none())
    .map(|(n, _)| *n)
    .collect();
    match (account, dashboard, job) {
        (Some(account), Some(dashboard), Some(job)) => {
            check_account(account)?;
            check_id("dashboardId", dashboard)?;
            check_id("snapshotJobId", job)?;
            Ok(JobRef {
                account_id: account.to_owned(),
                dashboard_id: dashboard.to_owned(),
                snapshot_job_id: job.to_owned(),
                partition: None,
                region: None,
            })
        }
        _ if missing.len() == 3 => Err(Error::invalid(
            "no snapshot job reference found: expected awsAccountId, dashboardId and snapshotJobId, or a snapshot \
             job arn",
        )),
        _ => Err(Error::invalid(format!(
            "incomplete snapshot job reference: missing {}",
            missing.join(", ")
        ))),
    }
}

/// Reads a field under any of its spellings (`arn`/`Arn`, ...). A present non-string value is bad
/// input, and so are two spellings with different values.
fn field<'a>(object: &'a Map<String, Value>, names: &[&str]) -> Result<Option<&'a str>, Error> {
    let mut found: Option<(&str, &'a str)> = None;
    for name in names {
        let value = match object.get(*name) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => s.as_str(),
            Some(other) => return Err(Error::invalid(format!("{name} must be a string, got {}", kind(other)))),
        };
        match found {
            Some((first, earlier)) if earlier != value => {
                return Err(Error::invalid(format!(
                    "{first} {:?} and {name} {:?} disagree",
                    shorten(earlier),
                    shorten(value)
                )));
            }
            Some(_) => {}
            None => found = Some((name, value)),
        }
    }
    Ok(found.map(|(_, value)| value))
}

/// `arn:{partition}:quicksight:{region}:{account}:dashboard/{DashboardId}/snapshot-job/{SnapshotJobId}`
pub fn parse_arn(arn: &str) -> Result<JobRef, Error> {
    let bad = |why: &str| Error::invalid(format!("not a QuickSight snapshot job ARN ({why}): {:?}", shorten(arn)));
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(bad(
            "expected arn:partition:quicksight:region:account:dashboard/ID/snapshot-job/ID",
        ));
    };
    if *prefix != "arn" {
        return Err(bad("it does not start with arn:"));
    }
    if *service != "quicksight" {
        return Err(bad("service is not quicksight"));
    }
    if !is_region(region) {
        return Err(bad("invalid region"));
    }
    if *partition != partition_of(region) {
        return Err(bad("the partition does not match the region"));
    }
    let segments: Vec<&str> = resource.split('/').collect();
    let ["dashboard", dashboard, "snapshot-job", job] = segments.as_slice() else {
        return Err(bad("resource is not dashboard/ID/snapshot-job/ID"));
    };
    check_account(account)?;
    check_id("dashboardId", dashboard)?;
    check_id("snapshotJobId", job)?;
    Ok(JobRef {
        account_id: (*account).to_owned(),
        dashboard_id: (*dashboard).to_owned(),
        snapshot_job_id: (*job).to_owned(),
        partition: Some((*partition).to_owned()),
        region: Some((*region).to_owned()),
    })
}

/// An AWS region name: `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eusc-de-east-1`, ... (a 2-4
/// letter area, one or more lowercase words, a number). A typo would otherwise become a DNS failure,
/// which looks transient and would be retried.
fn is_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    let lower = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    match parts.as_slice() {
        [area, words @ .., number] if !words.is_empty() => {
            r.len() <= 30
                && (2..=4).contains(&area.len())
                && lower(area)
                && words.iter().all(lower)
                && (1..=2).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// Exactly 12 ASCII digits, as AWS requires.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

fn check_account(id: &str) -> Result<(), Error> {
    if is_account_id(id) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "awsAccountId must be exactly 12 digits, got {:?}",
            shorten(id)
        )))
    }
}

/// QuickSight ids: 1-512 characters of `[\w-]` (ASCII letters, digits, `_` and `-`).
fn check_id(name: &str, id: &str) -> Result<(), Error> {
    let valid =
        !id.is_empty() && id.len() <= 512 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "{name} must be 1-512 characters of letters, digits, '_' or '-', got {:?}",
            shorten(id)
        )))
    }
}

fn parse_fail_on(value: &Value) -> Result<Vec<Outcome>, Error> {
    let items = match value {
        Value::Array(items) => items.as_slice(),
        Value::Null => return Ok(Vec::new()),
        other => {
            return Err(Error::invalid(format!(
                "failOn must be an array of outcomes, got {}",
                kind(other)
            )));
        }
    };
    let mut outcomes = Vec::new();
    for item in items {
        let outcome = item.as_str().and_then(Outcome::parse).ok_or_else(|| {
            Error::invalid(format!(
                "failOn: {} is not an outcome (expected SUCCEEDED, PARTIAL, FAILED or PENDING)",
                shorten(&item.to_string())
            ))
        })?;
        if outcome == Outcome::Succeeded {
            return Err(Error::invalid("failOn cannot contain SUCCEEDED"));
        }
        if !outcomes.contains(&outcome) {
            outcomes.push(outcome);
        }
    }
    Ok(outcomes)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Keeps error messages small whatever the input holds.
fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(event: Value) -> String {
        match parse(event) {
            Err(Error::InvalidInput(m)) => m,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    const ARN: &str = "arn:aws:quicksight:us-east-1:111122223333:dashboard/d-1/snapshot-job/j-1";

    #[test]
    fn an_arn_gives_account_dashboard_job_partition_and_region() {
        let request = parse(json!({ "arn": ARN })).unwrap();
        assert_eq!(
            request.job,
            JobRef {
                account_id: "111122223333".into(),
                dashboard_id: "d-1".into(),
                snapshot_job_id: "j-1".into(),
                partition: Some("aws".into()),
                region: Some("us-east-1".into()),
            }
        );
        assert_eq!(request.job.arn("eu-west-1"), ARN);
    }

    #[test]
    fn explicit_ids_build_the_arn_in_the_partition_of_the_region() {
        let request = parse(json!({"awsAccountId": "111122223333", "dashboardId": "d", "snapshotJobId": "j"})).unwrap();
        assert_eq!(
            request.job.arn("cn-northwest-1"),
            "arn:aws-cn:quicksight:cn-northwest-1:111122223333:dashboard/d/snapshot-job/j"
        );
        assert_eq!(
            request.job.arn("us-gov-east-1"),
            "arn:aws-us-gov:quicksight:us-gov-east-1:111122223333:dashboard/d/snapshot-job/j"
        );
        assert_eq!(
            request.job.arn("eu-west-1"),
            "arn:aws:quicksight:eu-west-1:111122223333:dashboard/d/snapshot-job/j"
        );
    }

    #[test]
    fn wrappers_nest_in_any_order() {
        let inner = json!({ "Arn": ARN, "SnapshotJobId": "j-1", "Status": 202 });
        let eventbridge = json!({ "detail-type": "x", "source": "y", "detail": inner.to_string() });
        let wrapped = json!({ "Payload": eventbridge, "StatusCode": 200, "failOn": ["partial"] });
        let request = parse(wrapped).unwrap();
        assert_eq!(request.job.snapshot_job_id, "j-1");
        assert_eq!(request.fail_on, Some(vec![Outcome::Partial]));
    }

    #[test]
    fn the_innermost_option_wins() {
        let event = json!({ "Payload": { "arn": ARN, "notify": true, "failOn": [] }, "StatusCode": 200, "notify": false, "failOn": ["FAILED"] });
        let request = parse(event).unwrap();
        assert!(request.notify);
        assert_eq!(request.fail_on, Some(vec![]));
    }

    #[test]
    fn each_bad_input_class_is_named() {
        let cases = [
            (
                json!([1, 2]),
                "event must be a JSON object holding a snapshot job reference, got an array",
            ),
            (
                json!("text"),
                "event must be a JSON object holding a snapshot job reference, got a string",
            ),
            (
                json!(null),
                "event must be a JSON object holding a snapshot job reference, got null",
            ),
            (
                json!({}),
                "no snapshot job reference found: expected awsAccountId, dashboardId and snapshotJobId, or a snapshot job arn",
            ),
            (
                json!({"awsAccountId": "111122223333"}),
                "incomplete snapshot job reference: missing dashboardId, snapshotJobId",
            ),
            (
                json!({"awsAccountId": 111122223333u64, "dashboardId": "d", "snapshotJobId": "j"}),
                "awsAccountId must be a string, got a number",
            ),
            (
                json!({"awsAccountId": "11112222333", "dashboardId": "d", "snapshotJobId": "j"}),
                "awsAccountId must be exactly 12 digits, got \"11112222333\"",
            ),
            (
                json!({"awsAccountId": "111122223333", "dashboardId": "", "snapshotJobId": "j"}),
                "dashboardId must be 1-512 characters of letters, digits, '_' or '-', got \"\"",
            ),
            (
                json!({"awsAccountId": "111122223333", "dashboardId": "d", "snapshotJobId": "a%2Fb"}),
                "snapshotJobId must be 1-512 characters of letters, digits, '_' or '-', got \"a%2Fb\"",
            ),
            (
                json!({"awsAccountId": "111122223333", "dashboardId": "d", "snapshotJobId": "a b"}),
                "snapshotJobId must be 1-512 characters of letters, digits, '_' or '-', got \"a b\"",
            ),
            (
                json!({"awsAccountId": "111122223333", "dashboardId": "d", "snapshotJobId": "jöb"}),
                "snapshotJobId must be 1-512 characters of letters, digits, '_' or '-', got \"jöb\"",
            ),
            (
                json!({"awsAccountId": "111122223333", "dashboardId": "d", "snapshotJobId": "x".repeat(513)}),
                &format!(
                    "snapshotJobId must be 1-512 characters of letters, digits, '_' or '-', got \"{}…\"",
                    "x".repeat(80)
                ),
            ),
            (
                json!({"arn": "arn:aws:s3:::bucket"}),
                "not a QuickSight snapshot job ARN (service is not quicksight): \"arn:aws:s3:::bucket\"",
            ),
            (
                json!({"arn": "dashboard/d/snapshot-job/j"}),
                "not a QuickSight snapshot job ARN (expected arn:partition:quicksight:region:account:dashboard/ID/snapshot-job/ID): \"dashboard/d/snapshot-job/j\"",
            ),
            (
                json!({"arn": "arn:aws:sns:us-east-1:111122223333:topic"}),
                "not a QuickSight snapshot job ARN (service is not quicksight): \"arn:aws:sns:us-east-1:111122223333:topic\"",
            ),
            (
                json!({"arn": "arn:gcp:quicksight:us-east-1:111122223333:dashboard/d/snapshot-job/j"}),
                "not a QuickSight snapshot job ARN (the partition does not match the region): \"arn:gcp:quicksight:us-east-1:111122223333:dashboard/d/snapshot-job/j\"",
            ),
            (
                json!({"arn": "arn:aws:quicksight:US_EAST:111122223333:dashboard/d/snapshot-job/j"}),
                "not a QuickSight snapshot job ARN (invalid region): \"arn:aws:quicksight:US_EAST:111122223333:dashboard/d/snapshot-job/j\"",
            ),
            (
                json!({"arn": "arn:aws:quicksight:us-east-1:111122223333:dashboard/d"}),
                "not a QuickSight snapshot job ARN (resource is not dashboard/ID/snapshot-job/ID): \"arn:aws:quicksight:us-east-1:111122223333:dashboard/d\"",
            ),
            (
                json!({"arn": "arn:aws:quicksight:us-east-1:111122223333:dashboard/../snapshot-job/j"}),
                "dashboardId must be 1-512 characters of letters, digits, '_' or '-', got \"..\"",
            ),
            (
                json!({"arn": ARN, "awsAccountId": "999999999999"}),
                "awsAccountId \"999999999999\" disagrees with the ARN, which says \"111122223333\"",
            ),
            (
                json!({"arn": ARN, "DashboardId": "other"}),
                "dashboardId \"other\" disagrees with the ARN, which says \"d-1\"",
            ),
            (
                json!({"arn": ARN, "failOn": "FAILED"}),
                "failOn must be an array of outcomes, got a string",
            ),
            (
                json!({"arn": ARN, "failOn": ["DONE"]}),
                "failOn: \"DONE\" is not an outcome (expected SUCCEEDED, PARTIAL, FAILED or PENDING)",
            ),
            (json!({"arn": ARN, "notify": "no"}), "notify must be true or false"),
            (
                json!({"arn": ARN, "failOn": ["SUCCEEDED"]}),
                "failOn cannot contain SUCCEEDED",
            ),
            (
                json!({"arn": "arn:aws-cn:quicksight:us-east-1:111122223333:dashboard/d/snapshot-job/j"}),
                "not a QuickSight snapshot job ARN (the partition does not match the region): \"arn:aws-cn:quicksight:us-east-1:111122223333:dashboard/d/snapshot-job/j\"",
            ),
            (
                json!({"arn": "arn:aws:quicksight:xx:111122223333:dashboard/d/snapshot-job/j"}),
                "not a QuickSight snapshot job ARN (invalid region): \"arn:aws:quicksight:xx:111122223333:dashboard/d/snapshot-job/j\"",
            ),
            (
                json!({"arn": ARN, "Arn": "garbage"}),
                &format!("arn {ARN:?} and Arn \"garbage\" disagree"),
            ),
            (
                json!({"awsAccountId": "111122223333", "AwsAccountId": "999999999999", "dashboardId": "d", "snapshotJobId": "j"}),
                "awsAccountId \"111122223333\" and AwsAccountId \"999999999999\" disagree",
            ),
            (
                json!({"Payload": {"errorType": "QuickSightThrottled", "errorMessage": "x"}, "StatusCode": 200, "FunctionError": "Unhandled"}),
                "event is a Lambda error result (errorType \"QuickSightThrottled\"), not a snapshot job reference",
            ),
            (
                json!({"Error": "States.Timeout", "Cause": "x"}),
                "event is a Step Functions error output (Error \"States.Timeout\"), not a snapshot job reference",
            ),
            (
                json!({"detail-type": "x", "source": "s", "detail": null}),
                "detail is null: it must hold the snapshot job reference",
            ),
            (
                json!({"Payload": null, "StatusCode": 200}),
                "Payload is null: it must hold the snapshot job reference",
            ),
            (
                json!({"Payload": "{not json", "StatusCode": 200}),
                "Payload is a string but not valid JSON: key must be a string at line 1 column 2",
            ),
            (
                json!({"detail-type": "x", "source": "s", "detail": 5}),
                "event must be a JSON object holding a snapshot job reference, got a number",
            ),
        ];
        for (event, expected) in cases {
            assert_eq!(message(event.clone()), expected, "{event}");
        }
    }

    #[test]
    fn endless_wrapping_is_refused() {
        let mut event = json!({ "arn": ARN });
        for _ in 0..20 {
            event = json!({ "Payload": event, "StatusCode": 200 });
        }
        assert_eq!(
            message(event),
            "event nests more than 8 wrappers around the job reference"
        );
    }

    #[test]
    fn raw_events_that_are_too_big_deep_or_not_json_are_invalid_input() {
        let big = format!("{{\"arn\":\"{ARN}\",\"pad\":\"{}\"}}", "x".repeat(MAX_EVENT_BYTES));
        assert!(matches!(parse_event(&big), Err(Error::InvalidInput(m)) if m.starts_with("event is 262")));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(
            matches!(parse_event(&deep), Err(Error::InvalidInput(m)) if m.starts_with("event is not valid JSON: recursion limit exceeded"))
        );
        assert!(
            matches!(parse_event("{"), Err(Error::InvalidInput(m)) if m.starts_with("event is not valid JSON: EOF"))
        );
    }

    #[test]
    fn regions_and_partitions_must_be_real_and_agree() {
        for (partition, region) in [
            ("aws", "us-east-1"),
            ("aws", "ap-southeast-2"),
            ("aws", "il-central-1"),
            ("aws-cn", "cn-northwest-1"),
            ("aws-us-gov", "us-gov-west-1"),
            ("aws-iso", "us-iso-east-1"),
            ("aws-iso-b", "us-isob-east-1"),
            ("aws-iso-e", "eu-isoe-west-1"),
            ("aws-iso-f", "us-isof-south-1"),
            ("aws-eusc", "eusc-de-east-1"),
        ] {
            let arn = format!("arn:{partition}:quicksight:{region}:111122223333:dashboard/d/snapshot-job/j");
            let job = parse_arn(&arn).unwrap_or_else(|e| panic!("{arn}: {e}"));
            assert_eq!(job.arn("unused-1"), arn);
        }
        for region in [
            "xx",
            "us-east",
            "useast-1",
            "us-east-123",
            "US-east-1",
            "us--east-1",
            "-us-east-1",
            "us-east-1-",
        ] {
            assert!(!is_region(region), "{region}");
        }
    }
}
