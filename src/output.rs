//! The public JSON contract: what the function returns, what Step Functions Choice states branch on
//! and what SNS subscribers receive. Field names and values here are stable; tests pin them.

use serde::{Deserialize, Serialize};

/// How the job ended, from the caller's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    /// COMPLETED, at least one file, every file has a URI and no error code anywhere.
    Succeeded,
    /// COMPLETED with an error code at job or file level, a file without URI, or no file at all.
    Partial,
    /// FAILED.
    Failed,
    /// QUEUED or RUNNING: ask again after `retryAfterSeconds`.
    Pending,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "SUCCEEDED",
            Outcome::Partial => "PARTIAL",
            Outcome::Failed => "FAILED",
            Outcome::Pending => "PENDING",
        }
    }

    /// Case-insensitive parse of the names above.
    pub fn parse(value: &str) -> Option<Outcome> {
        [Outcome::Succeeded, Outcome::Partial, Outcome::Failed, Outcome::Pending]
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(value))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub job: JobIdentity,
    /// QuickSight's JobStatus: QUEUED, RUNNING, COMPLETED or FAILED.
    pub job_status: String,
    pub outcome: Outcome,
    pub terminal: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_time: Option<String>,
    pub files: Vec<File>,
    pub errors: Vec<JobError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<Notification>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobIdentity {
    pub aws_account_id: String,
    pub dashboard_id: String,
    pub snapshot_job_id: String,
    pub arn: String,
    pub region: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserKind {
    Anonymous,
    Registered,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct File {
    pub user: UserKind,
    /// 0-based position of the file group in the job's SnapshotConfiguration.FileGroups.
    pub file_group: usize,
    /// CSV, PDF or EXCEL (verbatim if QuickSight adds a format); null when the result omits it.
    pub format: Option<String>,
    pub sheets: Vec<Sheet>,
    /// `s3://bucket/key`, or QuickSight's own `https://` link; null when the file was not exported.
    pub s3_uri: Option<String>,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub bucket_region: Option<String>,
    pub errors: Vec<FileError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url_expires_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sheet {
    pub sheet_id: String,
    pub selection_scope: String,
    pub visual_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileError {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Scope {
    Job,
    File,
}

/// What a person should do about an error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    /// RLS_CHANGED, CLS_CHANGED: the security settings changed while the job ran; run it again.
    RerunJob,
    /// DATASET_DELETED: verify the dataset before running again.
    CheckDataset,
    /// DASHBOARD_ACCESS_DENIED, CAPABILITY_RESTRICTED: grant access or the capability.
    FixAccess,
    /// A code QuickSight does not document: read the message.
    Review,
}

impl Action {
    pub fn for_code(code: &str) -> Action {
        match code {
            "RLS_CHANGED" | "CLS_CHANGED" => Action::RerunJob,
            "DATASET_DELETED" => Action::CheckDataset,
            "DASHBOARD_ACCESS_DENIED" | "CAPABILITY_RESTRICTED" => Action::FixAccess,
            _ => Action::Review,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::RerunJob => "RERUN_JOB",
            Action::CheckDataset => "CHECK_DATASET",
            Action::FixAccess => "FIX_ACCESS",
            Action::Review => "REVIEW",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobError {
    pub code: String,
    pub message: String,
    pub scope: Scope,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub topic_arn: String,
    pub message_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}
