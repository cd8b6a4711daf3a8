//! Every QuickSight request the emulator saw, for tests to assert on (`GET /_emulator/requests`).

use crate::operation::Operation;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRequest {
    /// 1, 2, 3, ... in arrival order (restarts at 1 after a reset).
    pub sequence: u64,
    /// The `x-amzn-requestid` the emulator answered with.
    pub request_id: String,
    /// `None` for a path/method that is not one of the three operations.
    pub operation: Option<Operation>,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Header names in lower case; repeated headers joined with ", ".
    pub headers: BTreeMap<String, String>,
    /// From the SigV4 `Authorization: ... Credential=AKID/date/region/service/aws4_request`.
    pub access_key_id: Option<String>,
    pub region: Option<String>,
    /// The body as text (lossy UTF-8).
    pub body: String,
    /// The body parsed as JSON, when it is JSON.
    pub body_json: Option<Value>,
    /// HTTP status answered; `None` when the connection was reset instead.
    pub status: Option<u16>,
    /// The injected fault's type, if one was used.
    pub fault: Option<String>,
    /// Epoch seconds on the emulator clock.
    pub received_at: f64,
}
