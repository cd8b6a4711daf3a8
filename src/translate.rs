//! DescribeDashboardSnapshotJobResult output -> [`Output`]. Pure: no I/O, no clock.

use aws_sdk_quicksight::operation::describe_dashboard_snapshot_job_result::DescribeDashboardSnapshotJobResultOutput;
use aws_sdk_quicksight::primitives::{DateTime, DateTimeFormat};
use aws_sdk_quicksight::types::{SnapshotJobResultFileGroup, SnapshotJobStatus};

use crate::error::Error;
use crate::output::{Action, File, FileError, JobError, JobIdentity, Outcome, Output, Scope, Sheet, UserKind};

/// Translates a result that QuickSight returned.
pub fn translate(
    identity: JobIdentity,
    result: &DescribeDashboardSnapshotJobResultOutput,
    retry_after_seconds: u32,
) -> Result<Output, Error> {
    let mut identity = identity;
    if let Some(arn) = result.arn().filter(|a| !a.is_empty()) {
        identity.arn = arn.to_owned();
    }
    let (job_status, outcome) = match result.job_status() {
        Some(SnapshotJobStatus::Completed) => ("COMPLETED", None),
        Some(SnapshotJobStatus::Failed) => ("FAILED", Some(Outcome::Failed)),
        Some(SnapshotJobStatus::Queued) => ("QUEUED", Some(Outcome::Pending)),
        Some(SnapshotJobStatus::Running) => ("RUNNING", Some(Outcome::Pending)),
        Some(other) => {
            return Err(Error::UnexpectedJobStatus {
                status: other.as_str().to_owned(),
                arn: identity.arn,
            });
        }
        None => {
            return Err(Error::UnexpectedJobStatus {
                status: "(missing)".to_owned(),
                arn: identity.arn,
            });
        }
    };

    let files = files(result);
    let mut errors = Vec::new();
    if let Some(info) = result.error_info() {
        errors.push(job_error(info.error_type(), info.error_message(), Scope::Job));
    }
    for file in &files {
        for e in &file.errors {
            errors.push(JobError {
                code: e.code.clone(),
                message: e.message.clone(),
                scope: Scope::File,
                action: Action::for_code(&e.code),
            });
        }
    }

    let outcome = outcome.unwrap_or_else(|| {
        let clean = !files.is_empty() && errors.is_empty() && files.iter().all(|f| f.s3_uri.is_some());
        if clean { Outcome::Succeeded } else { Outcome::Partial }
    });
    let terminal = outcome != Outcome::Pending;
    let summary = summary(outcome, job_status, &files, &errors, retry_after_seconds);
    Ok(Output {
        job: identity,
        job_status: job_status.to_owned(),
        outcome,
        terminal,
        retry_after_seconds: (!terminal).then_some(retry_after_seconds),
        created_time: result.created_time().and_then(rfc3339),
        last_updated_time: result.last_updated_time().and_then(rfc3339),
        files,
        errors,
        request_id: result.request_id().map(str::to_owned),
        summary,
        notification: None,
    })
}

/// The output for a job whose result QuickSight refused because the job is not terminal yet.
/// `job_status` comes from DescribeDashboardSnapshotJob when it was read (QUEUED or RUNNING).
pub fn pending(
    identity: JobIdentity,
    job_status: &str,
    created_time: Option<&DateTime>,
    last_updated_time: Option<&DateTime>,
    request_id: Option<String>,
    retry_after_seconds: u32,
) -> Output {
    Output {
        job: identity,
        job_status: job_status.to_owned(),
        outcome: Outcome::Pending,
        terminal: false,
        retry_after_seconds: Some(retry_after_seconds),
        created_time: created_time.and_then(rfc3339),
        last_updated_time: last_updated_time.and_then(rfc3339),
        files: Vec::new(),
        errors: Vec::new(),
        request_id,
        summary: summary(Outcome::Pending, job_status, &[], &[], retry_after_seconds),
        notification: None,
    }
}

/// RFC 3339 in UTC, rounded to the millisecond: QuickSight sends epoch seconds as binary floating
/// point (`1.764741601234E9`), whose nearest double is not exactly `.234`.
pub fn rfc3339(time: &DateTime) -> Option<String> {
    let millis = (u64::from(time.subsec_nanos()) + 500_000) / 1_000_000;
    let (secs, millis) = if millis >= 1_000 {
        (time.secs().checked_add(1)?, 0)
    } else {
        (time.secs(), millis)
    };
    let nanos = u32::try_from(millis * 1_000_000).ok()?;
    DateTime::from_secs_and_nanos(secs, nanos)
        .fmt(DateTimeFormat::DateTime)
        .ok()
}

fn job_error(code: Option<&str>, message: Option<&str>, scope: Scope) -> JobError {
    let code = code.filter(|c| !c.is_empty()).unwrap_or("UNSPECIFIED").to_owned();
    JobError {
        action: Action::for_code(&code),
        code,
        message: message.unwrap_or_default().to_owned(),
        scope,
    }
}

fn files(result: &DescribeDashboardSnapshotJobResultOutput) -> Vec<File> {
    let Some(result) = result.result() else {
        return Vec::new();
    };
    let anonymous = result
        .anonymous_users()
        .iter()
        .map(|u| (UserKind::Anonymous, u.file_groups()));
    let registered = result
        .registered_users()
        .iter()
        .map(|u| (UserKind::Registered, u.file_groups()));
    let mut files = Vec::new();
    for (user, groups) in anonymous.chain(registered) {
        for (index, group) in groups.iter().enumerate() {
            files_of_group(user, index, group, &mut files);
        }
    }
    files
}

fn files_of_group(user: UserKind, index: usize, group: &SnapshotJobResultFileGroup, out: &mut Vec<File>) {
    let format = group
        .files()
        .first()
        .and_then(|f| enum_value(f.format_type().as_str()))
        .map(str::to_owned);
    let sheets: Vec<Sheet> = group
        .files()
        .iter()
        .flat_map(|f| f.sheet_selections())
        .map(|s| Sheet {
            sheet_id: s.sheet_id().to_owned(),
            selection_scope: enum_value(s.selection_scope().as_str()).unwrap_or_default().to_owned(),
            visual_ids: s.visual_ids().to_vec(),
        })
        .collect();
    let template = File {
        user,
        file_group: index,
        format,
        sheets,
        s3_uri: None,
        bucket: None,
        key: None,
        bucket_region: None,
        errors: Vec::new(),
        download_url: None,
        download_url_expires_at: None,
    };
    if group.s3_results().is_empty() {
        // A file group QuickSight reports without any result was not exported.
        out.push(template);
        return;
    }
    for s3 in group.s3_results() {
        let uri = s3.s3_uri().filter(|u| !u.is_empty()).map(str::to_owned);
        let (bucket, key) = uri.as_deref().map(split_s3_uri).unwrap_or_default();
        let bucket_region = s3
            .s3_destination_configuration()
            .and_then(|d| d.bucket_configuration())
            .map(|b| b.bucket_region().to_owned())
            .filter(|r| !r.is_empty());
        let errors = s3
            .error_info()
            .iter()
            .map(|e| {
                let code = e
                    .error_type()
                    .filter(|c| !c.is_empty())
                    .unwrap_or("UNSPECIFIED")
                    .to_owned();
                FileError {
                    code,
                    message: e.error_message().unwrap_or_default().to_owned(),
                }
            })
            .collect();
        out.push(File {
            s3_uri: uri,
            bucket,
            key,
            bucket_region,
            errors,
            ..template.clone()
        });
    }
}

/// What the SDK puts in a required enum member that the answer left out ("client error correction"):
/// a placeholder, not a value QuickSight sent.
const SDK_MISSING_ENUM: &str = "no value was set";

/// An enum member as QuickSight sent it (unknown values verbatim), or `None` when it was absent.
fn enum_value(value: &str) -> Option<&str> {
    Some(value).filter(|v| !v.is_empty() && *v != SDK_MISSING_ENUM)
}

/// `s3://bucket/key` -> (bucket, key). Other schemes (QuickSight's https links) are not split.
pub fn split_s3_uri(uri: &str) -> (Option<String>, Option<String>) {
    let Some(rest) = uri.strip_prefix("s3://") else {
        return (None, None);
    };
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket = Some(bucket.to_owned()).filter(|b| !b.is_empty());
    let key = Some(key.to_owned()).filter(|k| !k.is_empty());
    (bucket, key)
}

fn summary(outcome: Outcome, job_status: &str, files: &[File], errors: &[JobError], retry_after: u32) -> String {
    let exported = files
        .iter()
        .filter(|f| f.s3_uri.is_some() && f.errors.is_empty())
        .count();
    let total = files.len();
    let job_codes: Vec<&str> = errors
        .iter()
        .filter(|e| e.scope == Scope::Job)
        .map(|e| e.code.as_str())
        .collect();
    match outcome {
        Outcome::Pending => format!("job is {job_status}; check again in {retry_after} s"),
        Outcome::Failed => match errors.iter().find(|e| e.scope == Scope::Job) {
            Some(e) if e.message.is_empty() => format!("job failed: {}", e.code),
            Some(e) => format!("job failed: {}: {}", e.code, e.message),
            None => "job failed without an error code".to_owned(),
        },
        Outcome::Succeeded => format!("{exported} of {total} {} exported", plural(total)),
        Outcome::Partial if total == 0 => {
            let mut line = "job completed but returned no files".to_owned();
            if !job_codes.is_empty() {
                line.push_str(&format!("; job: {}", job_codes.join(", ")));
            }
            line
        }
        Outcome::Partial => {
            let mut line = format!("{exported} of {total} {} exported", plural(total));
            for f in files.iter().filter(|f| f.s3_uri.is_none() || !f.errors.is_empty()) {
                let what = f.format.as_deref().unwrap_or("file");
                if f.errors.is_empty() {
                    line.push_str(&format!("; {what} missing: no URI"));
                } else {
                    let codes: Vec<&str> = f.errors.iter().map(|e| e.code.as_str()).collect();
                    line.push_str(&format!("; {what} failed: {}", codes.join(", ")));
                }
            }
            if !job_codes.is_empty() {
                line.push_str(&format!("; job: {}", job_codes.join(", ")));
            }
            line
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "file" } else { "files" }
}

#[cfg(test)]
mod tests {
    use aws_sdk_quicksight::types::{
        AnonymousUserSnapshotJobResult, RegisteredUserSnapshotJobResult, S3BucketConfiguration, SnapshotFile,
        SnapshotFileFormatType, SnapshotFileSheetSelection, SnapshotFileSheetSelectionScope, SnapshotJobErrorInfo,
        SnapshotJobResult, SnapshotJobResultErrorInfo, SnapshotJobS3Result, SnapshotS3DestinationConfiguration,
    };
    use serde_json::{Value, json};

    use super::*;

    const ARN: &str = "arn:aws:quicksight:us-east-1:111122223333:dashboard/sales/snapshot-job/job-1";

    fn identity() -> JobIdentity {
        JobIdentity {
            aws_account_id: "111122223333".into(),
            dashboard_id: "sales".into(),
            snapshot_job_id: "job-1".into(),
            arn: ARN.into(),
            region: "us-east-1".into(),
        }
    }

    fn pdf() -> SnapshotFile {
        SnapshotFile::builder()
            .format_type(SnapshotFileFormatType::Pdf)
            .sheet_selections(
                SnapshotFileSheetSelection::builder()
                    .sheet_id("sheet-1")
                    .selection_scope(SnapshotFileSheetSelectionScope::AllVisuals)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    }

    fn csv() -> SnapshotFile {
        SnapshotFile::builder()
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
            .unwrap()
    }

    fn s3(uri: Option<&str>, errors: &[(&str, &str)]) -> SnapshotJobS3Result {
        let bucket = S3BucketConfiguration::builder()
            .bucket_name("reports")
            .bucket_prefix("daily/")
            .bucket_region("eu-west-1")
            .build()
            .unwrap();
        let mut b = SnapshotJobS3Result::builder()
            .set_s3_uri(uri.map(Into::into))
            .s3_destination_configuration(
                SnapshotS3DestinationConfiguration::builder()
                    .bucket_configuration(bucket)
                    .build(),
            );
        for (code, message) in errors {
            b = b.error_info(
                SnapshotJobResultErrorInfo::builder()
                    .error_type(*code)
                    .error_message(*message)
                    .build(),
            );
        }
        b.build()
    }

    fn group(file: SnapshotFile, results: Vec<SnapshotJobS3Result>) -> SnapshotJobResultFileGroup {
        SnapshotJobResultFileGroup::builder()
            .files(file)
            .set_s3_results(Some(results))
            .build()
    }

    fn anonymous(groups: Vec<SnapshotJobResultFileGroup>) -> SnapshotJobResult {
        SnapshotJobResult::builder()
            .anonymous_users(
                AnonymousUserSnapshotJobResult::builder()
                    .set_file_groups(Some(groups))
                    .build(),
            )
            .build()
    }

    fn output(status: SnapshotJobStatus) -> aws_sdk_quicksight::operation::describe_dashboard_snapshot_job_result::builders::DescribeDashboardSnapshotJobResultOutputBuilder{
        DescribeDashboardSnapshotJobResultOutput::builder()
            .arn(ARN)
            .job_status(status)
            .created_time(DateTime::from_secs_f64(1_764_741_601.5))
            .last_updated_time(DateTime::from_secs_f64(1_764_741_660.25))
            .request_id("req-1")
            .status(200)
    }

    fn translated(result: DescribeDashboardSnapshotJobResultOutput) -> Value {
        serde_json::to_value(translate(identity(), &result, 30).unwrap()).unwrap()
    }

    fn job_json() -> Value {
        json!({"awsAccountId": "111122223333", "dashboardId": "sales", "snapshotJobId": "job-1", "arn": ARN, "region": "us-east-1"})
    }

    fn pdf_json(uri: Value, bucket: Value, key: Value, errors: Value) -> Value {
        json!({"user": "ANONYMOUS", "fileGroup": 0, "format": "PDF",
               "sheets": [{"sheetId": "sheet-1", "selectionScope": "ALL_VISUALS", "visualIds": []}],
               "s3Uri": uri, "bucket": bucket, "key": key, "bucketRegion": "eu-west-1", "errors": errors})
    }

    fn csv_json(group: usize, uri: Value, key: Value, errors: Value) -> Value {
        json!({"user": "ANONYMOUS", "fileGroup": group, "format": "CSV",
               "sheets": [{"sheetId": "sheet-1", "selectionScope": "SELECTED_VISUALS", "visualIds": ["visual-7"]}],
               "s3Uri": uri, "bucket": if uri.is_null() { Value::Null } else { json!("reports") }, "key": key,
               "bucketRegion": "eu-west-1", "errors": errors})
    }

    #[test]
    fn enum_members_the_answer_left_out_are_absent_and_unknown_ones_are_verbatim() {
        // The SDK fills a missing required enum member with a placeholder; it is not a value.
        let file = |format: &str, scope: &str| {
            SnapshotFile::builder()
                .format_type(SnapshotFileFormatType::from(format))
                .sheet_selections(
                    SnapshotFileSheetSelection::builder()
                        .sheet_id("sheet-1")
                        .selection_scope(SnapshotFileSheetSelectionScope::from(scope))
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap()
        };
        let result = output(SnapshotJobStatus::Completed)
            .result(anonymous(vec![
                group(file(SDK_MISSING_ENUM, SDK_MISSING_ENUM), vec![s3(None, &[])]),
                group(
                    file("PPTX", "SELECTED_PAGES"),
                    vec![s3(Some("s3://reports/daily/c.pptx"), &[])],
                ),
            ]))
            .build();
        let out = translated(result);
        assert_eq!(out["files"][0]["format"], Value::Null);
        assert_eq!(out["files"][0]["sheets"][0]["selectionScope"], "");
        assert_eq!(out["files"][1]["format"], "PPTX");
        assert_eq!(out["files"][1]["sheets"][0]["selectionScope"], "SELECTED_PAGES");
        assert_eq!(out["summary"], "1 of 2 files exported; file missing: no URI");
    }

    #[test]
    fn a_completed_job_with_every_file_succeeds() {
        let result = output(SnapshotJobStatus::Completed)
            .result(anonymous(vec![
                group(pdf(), vec![s3(Some("s3://reports/daily/a1.pdf"), &[])]),
                group(csv(), vec![s3(Some("s3://reports/daily/b2.csv"), &[])]),
            ]))
            .build();
        assert_eq!(
            translated(result),
            json!({
                "job": job_json(),
                "jobStatus": "COMPLETED",
                "outcome": "SUCCEEDED",
                "terminal": true,
                "createdTime": "2025-12-03T06:00:01.5Z",
                "lastUpdatedTime": "2025-12-03T06:01:00.25Z",
                "files": [
                    pdf_json(json!("s3://reports/daily/a1.pdf"), json!("reports"), json!("daily/a1.pdf"), json!([])),
                    csv_json(1, json!("s3://reports/daily/b2.csv"), json!("daily/b2.csv"), json!([])),
                ],
                "errors": [],
                "requestId": "req-1",
                "summary": "2 of 2 files exported"
            })
        );
    }

    #[test]
    fn each_documented_file_code_makes_the_job_partial_with_its_action() {
        for (code, action) in [
            ("CAPABILITY_RESTRICTED", "FIX_ACCESS"),
            ("RLS_CHANGED", "RERUN_JOB"),
            ("CLS_CHANGED", "RERUN_JOB"),
            ("DATASET_DELETED", "CHECK_DATASET"),
            ("SOMETHING_NEW", "REVIEW"),
        ] {
            let result = output(SnapshotJobStatus::Completed)
                .result(anonymous(vec![
                    group(pdf(), vec![s3(Some("s3://reports/daily/a1.pdf"), &[])]),
                    group(csv(), vec![s3(None, &[(code, "not exported")])]),
                ]))
                .build();
            let out = translated(result);
            assert_eq!(out["outcome"], "PARTIAL", "{code}");
            assert_eq!(
                out["files"][1],
                csv_json(
                    1,
                    Value::Null,
                    Value::Null,
                    json!([{"code": code, "message": "not exported"}])
                )
            );
            assert_eq!(
                out["errors"],
                json!([{"code": code, "message": "not exported", "scope": "FILE", "action": action}])
            );
            assert_eq!(out["summary"], format!("1 of 2 files exported; CSV failed: {code}"));
        }
    }

    #[test]
    fn a_job_level_code_on_a_completed_job_makes_it_partial() {
        let result = output(SnapshotJobStatus::Completed)
            .result(anonymous(vec![group(
                pdf(),
                vec![s3(Some("s3://reports/daily/a1.pdf"), &[])],
            )]))
            .error_info(
                SnapshotJobErrorInfo::builder()
                    .error_type("RLS_CHANGED")
                    .error_message("RLS changed")
                    .build(),
            )
            .build();
        let out = translated(result);
        assert_eq!(out["outcome"], "PARTIAL");
        assert_eq!(
            out["errors"],
            json!([{"code": "RLS_CHANGED", "message": "RLS changed", "scope": "JOB", "action": "RERUN_JOB"}])
        );
        assert_eq!(out["summary"], "1 of 1 file exported; job: RLS_CHANGED");
    }

    #[test]
    fn a_file_without_uri_makes_the_job_partial() {
        let result = output(SnapshotJobStatus::Completed)
            .result(anonymous(vec![group(pdf(), vec![s3(None, &[])]), group(csv(), vec![])]))
            .build();
        let out = translated(result);
        assert_eq!(out["outcome"], "PARTIAL");
        assert_eq!(
            out["files"][0],
            pdf_json(Value::Null, Value::Null, Value::Null, json!([]))
        );
        assert_eq!(
            out["files"][1]["bucketRegion"],
            Value::Null,
            "a group without results has no destination"
        );
        assert_eq!(
            out["summary"],
            "0 of 2 files exported; PDF missing: no URI; CSV missing: no URI"
        );
    }

    #[test]
    fn a_failed_job_reports_its_error_info() {
        let result = output(SnapshotJobStatus::Failed)
            .error_info(
                SnapshotJobErrorInfo::builder()
                    .error_type("DASHBOARD_ACCESS_DENIED")
                    .error_message("The user has no access to the dashboard.")
                    .build(),
            )
            .build();
        assert_eq!(
            translated(result),
            json!({
                "job": job_json(),
                "jobStatus": "FAILED",
                "outcome": "FAILED",
                "terminal": true,
                "createdTime": "2025-12-03T06:00:01.5Z",
                "lastUpdatedTime": "2025-12-03T06:01:00.25Z",
                "files": [],
                "errors": [{"code": "DASHBOARD_ACCESS_DENIED", "message": "The user has no access to the dashboard.", "scope": "JOB", "action": "FIX_ACCESS"}],
                "requestId": "req-1",
                "summary": "job failed: DASHBOARD_ACCESS_DENIED: The user has no access to the dashboard."
            })
        );
    }

    #[test]
    fn registered_user_results_follow_anonymous_ones() {
        let result = output(SnapshotJobStatus::Completed)
            .result(
                SnapshotJobResult::builder()
                    .registered_users(
                        RegisteredUserSnapshotJobResult::builder()
                            .file_groups(group(pdf(), vec![s3(Some("s3://reports/daily/r.pdf"), &[])]))
                            .build(),
                    )
                    .build(),
            )
            .build();
        let out = translated(result);
        assert_eq!(out["outcome"], "SUCCEEDED");
        let mut expected = pdf_json(
            json!("s3://reports/daily/r.pdf"),
            json!("reports"),
            json!("daily/r.pdf"),
            json!([]),
        );
        expected["user"] = json!("REGISTERED");
        assert_eq!(out["files"], json!([expected]));
    }

    #[test]
    fn an_https_uri_is_kept_whole_and_not_split() {
        let link = "https://quicksight-results.s3.us-east-1.amazonaws.com/x/a1.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600";
        let result = output(SnapshotJobStatus::Completed)
            .result(anonymous(vec![group(pdf(), vec![s3(Some(link), &[])])]))
            .build();
        let out = translated(result);
        assert_eq!(out["outcome"], "SUCCEEDED");
        assert_eq!(
            out["files"][0],
            pdf_json(json!(link), Value::Null, Value::Null, json!([]))
        );
    }

    #[test]
    fn an_unknown_or_missing_status_is_an_error_never_success() {
        let result = output(SnapshotJobStatus::from("PAUSED"))
            .result(anonymous(vec![]))
            .build();
        match translate(identity(), &result, 30) {
            Err(Error::UnexpectedJobStatus { status, arn }) => {
                assert_eq!((status.as_str(), arn.as_str()), ("PAUSED", ARN))
            }
            other => panic!("{other:?}"),
        }
        let result = DescribeDashboardSnapshotJobResultOutput::builder().build();
        assert_eq!(
            translate(identity(), &result, 30).unwrap_err().name(),
            "UnexpectedJobStatus"
        );
    }

    #[test]
    fn a_completed_job_with_no_file_is_partial() {
        for result in [
            output(SnapshotJobStatus::Completed).build(),
            output(SnapshotJobStatus::Completed).result(anonymous(vec![])).build(),
        ] {
            let out = translated(result);
            assert_eq!(out["outcome"], "PARTIAL");
            assert_eq!(out["summary"], "job completed but returned no files");
        }
    }

    #[test]
    fn queued_and_running_are_pending_with_a_retry_delay() {
        for (status, name) in [
            (SnapshotJobStatus::Queued, "QUEUED"),
            (SnapshotJobStatus::Running, "RUNNING"),
        ] {
            let out = translated(output(status).build());
            assert_eq!(out["outcome"], "PENDING");
            assert_eq!(out["terminal"], false);
            assert_eq!(out["retryAfterSeconds"], 30);
            assert_eq!(out["summary"], format!("job is {name}; check again in 30 s"));
        }
    }

    #[test]
    fn the_pending_output_of_a_refused_result_call() {
        let out = pending(
            identity(),
            "QUEUED",
            Some(&DateTime::from_secs(1_764_741_601)),
            None,
            Some("req-9".into()),
            45,
        );
        assert_eq!(
            serde_json::to_value(out).unwrap(),
            json!({
                "job": job_json(), "jobStatus": "QUEUED", "outcome": "PENDING", "terminal": false,
                "retryAfterSeconds": 45, "createdTime": "2025-12-03T06:00:01Z", "files": [], "errors": [],
                "requestId": "req-9", "summary": "job is QUEUED; check again in 45 s"
            })
        );
    }

    #[test]
    fn times_are_rounded_to_the_millisecond() {
        assert_eq!(
            rfc3339(&DateTime::from_secs_f64(1.764741601234E9)).unwrap(),
            "2025-12-03T06:00:01.234Z"
        );
        assert_eq!(
            rfc3339(&DateTime::from_secs_and_nanos(1_764_741_601, 999_600_000)).unwrap(),
            "2025-12-03T06:00:02Z"
        );
        assert_eq!(rfc3339(&DateTime::from_secs(0)).unwrap(), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn s3_uris_split_into_bucket_and_key() {
        assert_eq!(
            split_s3_uri("s3://b/k/x.pdf"),
            (Some("b".into()), Some("k/x.pdf".into()))
        );
        assert_eq!(split_s3_uri("s3://b"), (Some("b".into()), None));
        assert_eq!(split_s3_uri("s3://"), (None, None));
        assert_eq!(split_s3_uri("https://b.s3.amazonaws.com/k"), (None, None));
    }
}
