//! Parsing and validating QuickSight request input the way the service does: every violation becomes
//! one line of an InvalidParameterValueException message that names the field.

use serde::Deserialize;
use serde_json::Value;

const FORMATS: &str = "[CSV, PDF, EXCEL]";
const SCOPES: &str = "[ALL_VISUALS, SELECTED_VISUALS]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Pdf,
    Excel,
}

impl Format {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "CSV" => Some(Self::Csv),
            "PDF" => Some(Self::Pdf),
            "EXCEL" => Some(Self::Excel),
            _ => None,
        }
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Pdf => "pdf",
            Self::Excel => "xlsx",
        }
    }
}

/// One validated file group: its format and the `Files` array as the caller sent it (echoed in results).
#[derive(Debug, Clone)]
pub(crate) struct FileGroupSpec {
    pub format: Format,
    pub files: Value,
}

/// The validated S3 destination, with the raw `S3Destinations[0]` object echoed in results.
#[derive(Debug, Clone)]
pub(crate) struct Destination {
    pub raw: Value,
    pub bucket: String,
    pub prefix: String,
}

/// A StartDashboardSnapshotJob body that passed validation.
#[derive(Debug, Clone)]
pub(crate) struct StartRequest {
    pub snapshot_job_id: String,
    pub configuration: Value,
    pub file_groups: Vec<FileGroupSpec>,
    pub destination: Option<Destination>,
    /// Row-level permission tag keys per anonymous user; `None` when the job runs for a registered user.
    pub anonymous_users: Option<Vec<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawStart {
    snapshot_job_id: Option<String>,
    snapshot_configuration: Option<RawConfiguration>,
    user_configuration: Option<RawUserConfiguration>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawConfiguration {
    file_groups: Option<Vec<RawFileGroup>>,
    destination_configuration: Option<RawDestinationConfiguration>,
    parameters: Option<RawParameters>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawFileGroup {
    files: Option<Vec<RawFile>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawFile {
    format_type: Option<String>,
    sheet_selections: Option<Vec<RawSheetSelection>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawSheetSelection {
    sheet_id: Option<String>,
    selection_scope: Option<String>,
    visual_ids: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawDestinationConfiguration {
    s3_destinations: Option<Vec<RawS3Destination>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawS3Destination {
    bucket_configuration: Option<RawBucketConfiguration>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawBucketConfiguration {
    bucket_name: Option<String>,
    bucket_prefix: Option<String>,
    bucket_region: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawParameters {
    string_parameters: Option<Vec<Value>>,
    integer_parameters: Option<Vec<Value>>,
    decimal_parameters: Option<Vec<Value>>,
    date_time_parameters: Option<Vec<Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawUserConfiguration {
    anonymous_users: Option<Vec<RawAnonymousUser>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawAnonymousUser {
    row_level_permission_tags: Option<Vec<RawTag>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawTag {
    key: Option<String>,
    value: Option<String>,
}

/// Collected constraint violations; rendered like the service's validation messages.
#[derive(Debug, Default)]
pub(crate) struct Violations(Vec<String>);

impl Violations {
    fn push(&mut self, line: String) {
        self.0.push(line);
    }

    fn value(&mut self, value: &str, path: &str, constraint: &str) {
        self.push(format!(
            "Value '{value}' at '{path}' failed to satisfy constraint: Member must {constraint}"
        ));
    }

    fn missing(&mut self, path: &str) {
        self.value("null", path, "not be null");
    }

    fn count(&mut self, path: &str, len: usize, min: usize, max: usize) {
        if len < min {
            self.push(format!(
                "Value at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {min}"
            ));
        } else if len > max {
            self.push(format!(
                "Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max}"
            ));
        }
    }

    fn into_result(self) -> Result<(), String> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(format!("1 validation error detected: {}", self.0.join("; "))),
            n => Err(format!("{n} validation errors detected: {}", self.0.join("; "))),
        }
    }
}

fn is_identifier(s: &str) -> bool {
    (1..=512).contains(&s.chars().count()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn check_account(v: &mut Violations, account: &str) {
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        v.value(
            account,
            "AwsAccountId",
            "satisfy regular expression pattern: ^[0-9]{12}$",
        );
    }
}

fn check_identifier(v: &mut Violations, value: &str, path: &str) {
    if !is_identifier(value) {
        v.value(
            value,
            path,
            "have length between 1 and 512 and satisfy regular expression pattern: [\\w\\-]+",
        );
    }
}

/// Validates the path of a Describe/DescribeResult call.
pub(crate) fn check_job_path(account: &str, dashboard: &str, job: &str) -> Result<(), String> {
    let mut v = Violations::default();
    check_account(&mut v, account);
    check_identifier(&mut v, dashboard, "DashboardId");
    check_identifier(&mut v, job, "SnapshotJobId");
    v.into_result()
}

/// Parses and validates a StartDashboardSnapshotJob call. The error is the exception message.
pub(crate) fn parse_start(account: &str, dashboard: &str, body: &[u8]) -> Result<StartRequest, String> {
    let mut v = Violations::default();
    check_account(&mut v, account);
    check_identifier(&mut v, dashboard, "DashboardId");
    v.into_result()?;

    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(serde_json::Map::new())
    } else {
        serde_json::from_slice(body).map_err(|e| format!("Request body is not valid JSON: {e}"))?
    };
    if !value.is_object() {
        return Err("Request body must be a JSON object".to_owned());
    }
    let raw: RawStart = serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        format!(
            "Value at '{path}' failed to satisfy constraint: Member has an invalid type: {}",
            e.inner()
        )
    })?;

    let mut v = Violations::default();
    match raw.snapshot_job_id.as_deref() {
        None => v.missing("SnapshotJobId"),
        Some(id) => check_identifier(&mut v, id, "SnapshotJobId"),
    }
    let mut file_groups = Vec::new();
    let mut destination = None;
    match &raw.snapshot_configuration {
        None => v.missing("SnapshotConfiguration"),
        Some(config) => {
            file_groups = check_file_groups(&mut v, config, &value["SnapshotConfiguration"]);
            destination = check_destination(&mut v, config, &value["SnapshotConfiguration"]);
            check_parameters(&mut v, config);
        }
    }
    let anonymous_users = raw
        .user_configuration
        .as_ref()
        .map(|user| check_user_configuration(&mut v, user));
    v.into_result()?;

    Ok(StartRequest {
        snapshot_job_id: raw.snapshot_job_id.unwrap_or_default(),
        configuration: value["SnapshotConfiguration"].clone(),
        file_groups,
        destination,
        anonymous_users,
    })
}

fn check_file_groups(v: &mut Violations, config: &RawConfiguration, raw: &Value) -> Vec<FileGroupSpec> {
    let Some(groups) = &config.file_groups else {
        v.missing("SnapshotConfiguration.FileGroups");
        return Vec::new();
    };
    v.count("SnapshotConfiguration.FileGroups", groups.len(), 1, 7);
    let mut specs = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let path = format!("SnapshotConfiguration.FileGroups[{g}].Files");
        let Some(files) = &group.files else {
            v.missing(&path);
            continue;
        };
        v.count(&path, files.len(), 1, 1);
        for (f, file) in files.iter().enumerate() {
            if let Some(format) = check_file(v, file, &format!("{path}[{f}]"))
                && f == 0
            {
                specs.push(FileGroupSpec {
                    format,
                    files: raw["FileGroups"][g]["Files"].clone(),
                });
            }
        }
    }
    specs
}

fn check_file(v: &mut Violations, file: &RawFile, path: &str) -> Option<Format> {
    let format = match file.format_type.as_deref() {
        None => {
            v.missing(&format!("{path}.FormatType"));
            None
        }
        Some(s) => {
            let format = Format::parse(s);
            if format.is_none() {
                v.value(
                    s,
                    &format!("{path}.FormatType"),
                    &format!("satisfy enum value set: {FORMATS}"),
                );
            }
            format
        }
    };
    let selections_path = format!("{path}.SheetSelections");
    let Some(selections) = &file.sheet_selections else {
        v.missing(&selections_path);
        return format;
    };
    v.count(&selections_path, selections.len(), 1, 5);
    for (s, selection) in selections.iter().enumerate() {
        check_sheet_selection(v, selection, format, &format!("{selections_path}[{s}]"));
    }
    format
}

fn check_sheet_selection(v: &mut Violations, selection: &RawSheetSelection, format: Option<Format>, path: &str) {
    match selection.sheet_id.as_deref() {
        None => v.missing(&format!("{path}.SheetId")),
        Some(id) => check_identifier(v, id, &format!("{path}.SheetId")),
    }
    let scope_path = format!("{path}.SelectionScope");
    let visuals_path = format!("{path}.VisualIds");
    let scope = selection.selection_scope.as_deref();
    match scope {
        None => v.missing(&scope_path),
        Some("ALL_VISUALS" | "SELECTED_VISUALS") => {}
        Some(other) => v.value(other, &scope_path, &format!("satisfy enum value set: {SCOPES}")),
    }
    if let Some(ids) = &selection.visual_ids {
        let max = if format == Some(Format::Csv) { 1 } else { 5 };
        v.count(&visuals_path, ids.len(), 1, max);
        for (i, id) in ids.iter().enumerate() {
            check_identifier(v, id, &format!("{visuals_path}[{i}]"));
        }
    }
    match (format, scope) {
        (Some(Format::Pdf), Some("SELECTED_VISUALS")) => v.push(format!(
            "Value 'SELECTED_VISUALS' at '{scope_path}' is not supported for PDF snapshots: use ALL_VISUALS"
        )),
        (Some(f @ (Format::Csv | Format::Excel)), Some("ALL_VISUALS")) => v.push(format!(
            "Value 'ALL_VISUALS' at '{scope_path}' is not supported for {} snapshots: use SELECTED_VISUALS",
            if f == Format::Csv { "CSV" } else { "EXCEL" }
        )),
        (_, Some("SELECTED_VISUALS")) if selection.visual_ids.is_none() => {
            v.push(format!("Value at '{visuals_path}' failed to satisfy constraint: Member must not be null when SelectionScope is SELECTED_VISUALS"))
        }
        _ => {}
    }
}

fn check_destination(v: &mut Violations, config: &RawConfiguration, raw: &Value) -> Option<Destination> {
    let destination = config.destination_configuration.as_ref()?;
    let path = "SnapshotConfiguration.DestinationConfiguration.S3Destinations";
    let Some(list) = &destination.s3_destinations else {
        v.missing(path);
        return None;
    };
    v.count(path, list.len(), 1, 1);
    let first = list.first()?;
    let bucket_path = format!("{path}[0].BucketConfiguration");
    let Some(bucket) = &first.bucket_configuration else {
        v.missing(&bucket_path);
        return None;
    };
    let mut required = |value: &Option<String>, name: &str| -> String {
        match value {
            Some(s) if !s.is_empty() => s.clone(),
            Some(_) => {
                v.count(&format!("{bucket_path}.{name}"), 0, 1, usize::MAX);
                String::new()
            }
            None => {
                v.missing(&format!("{bucket_path}.{name}"));
                String::new()
            }
        }
    };
    let bucket_name = required(&bucket.bucket_name, "BucketName");
    let _region = required(&bucket.bucket_region, "BucketRegion");
    let prefix = match &bucket.bucket_prefix {
        Some(p) => p.clone(),
        None => {
            v.missing(&format!("{bucket_path}.BucketPrefix"));
            String::new()
        }
    };
    Some(Destination {
        raw: raw["DestinationConfiguration"]["S3Destinations"][0].clone(),
        bucket: bucket_name,
        prefix,
    })
}

fn check_parameters(v: &mut Violations, config: &RawConfiguration) {
    let Some(parameters) = &config.parameters else { return };
    for (name, list) in [
        ("StringParameters", &parameters.string_parameters),
        ("IntegerParameters", &parameters.integer_parameters),
        ("DecimalParameters", &parameters.decimal_parameters),
        ("DateTimeParameters", &parameters.date_time_parameters),
    ] {
        if let Some(list) = list {
            v.count(&format!("SnapshotConfiguration.Parameters.{name}"), list.len(), 0, 100);
        }
    }
}

fn check_user_configuration(v: &mut Violations, user: &RawUserConfiguration) -> Vec<Vec<String>> {
    let path = "UserConfiguration.AnonymousUsers";
    let Some(users) = &user.anonymous_users else {
        v.missing(path);
        return Vec::new();
    };
    v.count(path, users.len(), 1, 1);
    users
        .iter()
        .enumerate()
        .map(|(u, anonymous)| {
            let tags_path = format!("{path}[{u}].RowLevelPermissionTags");
            let Some(tags) = &anonymous.row_level_permission_tags else {
                return Vec::new();
            };
            v.count(&tags_path, tags.len(), 1, 50);
            tags.iter()
                .enumerate()
                .filter_map(|(t, tag)| {
                    if tag.value.is_none() {
                        v.missing(&format!("{tags_path}[{t}].Value"));
                    }
                    if tag.key.is_none() {
                        v.missing(&format!("{tags_path}[{t}].Key"));
                    }
                    tag.key.clone()
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ACCOUNT: &str = "123456789012";

    fn pdf_group() -> Value {
        json!({"Files": [{"FormatType": "PDF", "SheetSelections": [{"SheetId": "s1", "SelectionScope": "ALL_VISUALS"}]}]})
    }

    fn start(body: Value) -> Result<StartRequest, String> {
        parse_start(ACCOUNT, "dash-1", body.to_string().as_bytes())
    }

    #[test]
    fn a_minimal_pdf_request_is_accepted_for_a_registered_user() {
        let req =
            start(json!({"SnapshotJobId": "job_1", "SnapshotConfiguration": {"FileGroups": [pdf_group()]}})).unwrap();
        assert_eq!(req.snapshot_job_id, "job_1");
        assert_eq!(req.file_groups.len(), 1);
        assert_eq!(req.file_groups[0].format, Format::Pdf);
        assert_eq!(req.file_groups[0].files, pdf_group()["Files"]);
        assert!(req.destination.is_none());
        assert!(req.anonymous_users.is_none());
    }

    #[test]
    fn null_user_configuration_means_a_registered_user() {
        let req = start(json!({
            "SnapshotJobId": "j", "UserConfiguration": null, "SnapshotConfiguration": {"FileGroups": [pdf_group()]}
        }))
        .unwrap();
        assert!(req.anonymous_users.is_none());
    }

    #[test]
    fn anonymous_users_and_destination_are_kept() {
        let req = start(json!({
            "SnapshotJobId": "j",
            "SnapshotConfiguration": {
                "FileGroups": [pdf_group()],
                "DestinationConfiguration": {"S3Destinations": [{"BucketConfiguration": {
                    "BucketName": "b", "BucketPrefix": "p/q", "BucketRegion": "eu-west-1"}}]}
            },
            "UserConfiguration": {"AnonymousUsers": [{"RowLevelPermissionTags": [{"Key": "region", "Value": "EU"}]}]}
        }))
        .unwrap();
        assert_eq!(req.anonymous_users, Some(vec![vec!["region".to_owned()]]));
        let dest = req.destination.unwrap();
        assert_eq!((dest.bucket.as_str(), dest.prefix.as_str()), ("b", "p/q"));
        assert_eq!(dest.raw["BucketConfiguration"]["BucketRegion"], "eu-west-1");
    }

    #[test]
    fn each_violation_names_its_field() {
        let cases = [
            (
                json!({"SnapshotConfiguration": {"FileGroups": [pdf_group()]}}),
                "'SnapshotJobId'",
            ),
            (
                json!({"SnapshotJobId": "a.b", "SnapshotConfiguration": {"FileGroups": [pdf_group()]}}),
                "'SnapshotJobId'",
            ),
            (json!({"SnapshotJobId": "j"}), "'SnapshotConfiguration'"),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": []}}),
                "'SnapshotConfiguration.FileGroups'",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": vec![pdf_group(); 8]}}),
                "'SnapshotConfiguration.FileGroups' failed to satisfy constraint: Member must have length less than or equal to 7",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": [{"Files": [pdf_group()["Files"][0], pdf_group()["Files"][0]]}]}}),
                "'SnapshotConfiguration.FileGroups[0].Files' failed to satisfy constraint: Member must have length less than or equal to 1",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": [{"Files": [{"FormatType": "PDF", "SheetSelections": [{"SheetId": "s", "SelectionScope": "SELECTED_VISUALS", "VisualIds": ["v"]}]}]}]}}),
                "Value 'SELECTED_VISUALS' at 'SnapshotConfiguration.FileGroups[0].Files[0].SheetSelections[0].SelectionScope' is not supported for PDF",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": [{"Files": [{"FormatType": "CSV", "SheetSelections": [{"SheetId": "s", "SelectionScope": "ALL_VISUALS"}]}]}]}}),
                "Value 'ALL_VISUALS' at 'SnapshotConfiguration.FileGroups[0].Files[0].SheetSelections[0].SelectionScope' is not supported for CSV",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": [{"Files": [{"FormatType": "CSV", "SheetSelections": [{"SheetId": "s", "SelectionScope": "SELECTED_VISUALS", "VisualIds": ["a", "b"]}]}]}]}}),
                "'SnapshotConfiguration.FileGroups[0].Files[0].SheetSelections[0].VisualIds' failed to satisfy constraint: Member must have length less than or equal to 1",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": [{"Files": [{"FormatType": "EXCEL", "SheetSelections": [{"SheetId": "s", "SelectionScope": "SELECTED_VISUALS", "VisualIds": ["a", "b", "c", "d", "e", "f"]}]}]}]}}),
                "'SnapshotConfiguration.FileGroups[0].Files[0].SheetSelections[0].VisualIds' failed to satisfy constraint: Member must have length less than or equal to 5",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": [{"Files": [{"FormatType": "DOCX", "SheetSelections": [{"SheetId": "s", "SelectionScope": "ALL_VISUALS"}]}]}]}}),
                "Value 'DOCX' at 'SnapshotConfiguration.FileGroups[0].Files[0].FormatType' failed to satisfy constraint: Member must satisfy enum value set: [CSV, PDF, EXCEL]",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": [{"Files": [{"FormatType": "PDF", "SheetSelections": vec![json!({"SheetId": "s", "SelectionScope": "ALL_VISUALS"}); 6]}]}]}}),
                "'SnapshotConfiguration.FileGroups[0].Files[0].SheetSelections' failed to satisfy constraint: Member must have length less than or equal to 5",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": [pdf_group()], "DestinationConfiguration": {"S3Destinations": []}}}),
                "'SnapshotConfiguration.DestinationConfiguration.S3Destinations' failed to satisfy constraint: Member must have length greater than or equal to 1",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": [pdf_group()]}, "UserConfiguration": {"AnonymousUsers": [{}, {}]}}),
                "'UserConfiguration.AnonymousUsers' failed to satisfy constraint: Member must have length less than or equal to 1",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": [pdf_group()]}, "UserConfiguration": {}}),
                "Value 'null' at 'UserConfiguration.AnonymousUsers' failed to satisfy constraint: Member must not be null",
            ),
            (
                json!({"SnapshotJobId": "j", "SnapshotConfiguration": {"FileGroups": "PDF"}}),
                "Value at 'SnapshotConfiguration.FileGroups' failed to satisfy constraint: Member has an invalid type",
            ),
        ];
        for (body, expected) in cases {
            let message = start(body.clone()).unwrap_err();
            assert!(
                message.contains(expected),
                "body {body}\nmessage {message}\nexpected {expected}"
            );
            assert!(
                message.starts_with("1 validation error detected: ") || message.starts_with("Value at"),
                "{message}"
            );
        }
    }

    #[test]
    fn several_violations_are_counted_in_one_message() {
        let message = parse_start("12345", "bad id", b"{}").unwrap_err();
        assert_eq!(
            message,
            "2 validation errors detected: Value '12345' at 'AwsAccountId' failed to satisfy constraint: Member must \
             satisfy regular expression pattern: ^[0-9]{12}$; Value 'bad id' at 'DashboardId' failed to satisfy \
             constraint: Member must have length between 1 and 512 and satisfy regular expression pattern: [\\w\\-]+"
        );
    }

    #[test]
    fn malformed_json_is_reported_as_such() {
        let message = parse_start(ACCOUNT, "d", b"{\"SnapshotJobId\": ").unwrap_err();
        assert!(message.starts_with("Request body is not valid JSON: "), "{message}");
    }

    #[test]
    fn identifiers_allow_word_characters_and_dashes_up_to_512() {
        assert!(is_identifier("a-B_9"));
        assert!(is_identifier(&"x".repeat(512)));
        assert!(!is_identifier(&"x".repeat(513)));
        assert!(!is_identifier(""));
        assert!(!is_identifier("a/b"));
        assert!(check_job_path(ACCOUNT, "d", "j").is_ok());
    }
}
