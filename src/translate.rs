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
            return Err(Error::UnexpectedJobStatus { status: other.as_str().to_owned(), arn: identity.arn });
        }
        None => return Err(Error::UnexpectedJobStatus { status: "(missing)".to_owned(), arn: identity.arn }),
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

fn rfc3339(time: &DateTime) -> Option<String> {
    time.fmt(DateTimeFormat::DateTime).ok()
}

fn job_error(code: Option<&str>, message: Option<&str>, scope: Scope) -> JobError {
    let code = code.filter(|c| !c.is_empty()).unwrap_or("UNSPECIFIED").to_owned();
    JobError { action: Action::for_code(&code), code, message: message.unwrap_or_default().to_owned(), scope }
}

fn files(result: &DescribeDashboardSnapshotJobResultOutput) -> Vec<File> {
    let Some(result) = result.result() else { return Vec::new() };
    let anonymous = result.anonymous_users().iter().map(|u| (UserKind::Anonymous, u.file_groups()));
    let registered = result.registered_users().iter().map(|u| (UserKind::Registered, u.file_groups()));
    let mut files = Vec::new();
    for (user, groups) in anonymous.chain(registered) {
        for (index, group) in groups.iter().enumerate() {
            files_of_group(user, index, group, &mut files);
        }
    }
    files
}

fn files_of_group(user: UserKind, index: usize, group: &SnapshotJobResultFileGroup, out: &mut Vec<File>) {
    let format = group.files().first().map(|f| f.format_type().as_str().to_owned()).filter(|f| !f.is_empty());
    let sheets: Vec<Sheet> = group
        .files()
        .iter()
        .flat_map(|f| f.sheet_selections())
        .map(|s| Sheet {
            sheet_id: s.sheet_id().to_owned(),
            selection_scope: s.selection_scope().as_str().to_owned(),
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
                let code = e.error_type().filter(|c| !c.is_empty()).unwrap_or("UNSPECIFIED").to_owned();
                FileError { code, message: e.error_message().unwrap_or_default().to_owned() }
            })
            .collect();
        out.push(File { s3_uri: uri, bucket, key, bucket_region, errors, ..template.clone() });
    }
}

/// `s3://bucket/key` -> (bucket, key). Other schemes (QuickSight's https links) are not split.
pub fn split_s3_uri(uri: &str) -> (Option<String>, Option<String>) {
    let Some(rest) = uri.strip_prefix("s3://") else { return (None, None) };
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket = Some(bucket.to_owned()).filter(|b| !b.is_empty());
    let key = Some(key.to_owned()).filter(|k| !k.is_empty());
    (bucket, key)
}

fn summary(outcome: Outcome, job_status: &str, files: &[File], errors: &[JobError], retry_after: u32) -> String {
    let exported = files.iter().filter(|f| f.s3_uri.is_some() && f.errors.is_empty()).count();
    let total = files.len();
    let job_codes: Vec<&str> = errors.iter().filter(|e| e.scope == Scope::Job).map(|e| e.code.as_str()).collect();
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
