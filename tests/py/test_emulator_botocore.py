"""The QuickSight emulator binary driven by boto3/botocore, an implementation independent of the Rust SDK.

botocore validates nothing on output, so every test asserts the exact parsed values: datetimes for timestamps,
ClientError codes and HTTP statuses, request ids, S3 URIs. The emulator runs as a subprocess on a free loopback
port (binary from $QUICKSIGHT_EMULATOR_BIN, default $CARGO_TARGET_DIR/debug/quicksight-emulator) with a
scenario file, and is reset through its control API before each test.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

ACCOUNT = "123456789012"
DASHBOARD = "sales-dashboard"
REGION = "eu-west-1"
AKID = "AKIDBOTOCORETEST0001"
ERROR_NAMESPACE = ":http://internal.amazon.com/coral/com.amazonaws.quicksight/"

PDF = {"FormatType": "PDF", "SheetSelections": [{"SheetId": "sheet-1", "SelectionScope": "ALL_VISUALS"}]}
CSV = {
    "FormatType": "CSV",
    "SheetSelections": [{"SheetId": "sheet-1", "SelectionScope": "SELECTED_VISUALS", "VisualIds": ["visual-1"]}],
}
EXCEL = {
    "FormatType": "EXCEL",
    "SheetSelections": [{"SheetId": "sheet-2", "SelectionScope": "SELECTED_VISUALS", "VisualIds": ["v1", "v2"]}],
}
BUCKET = {"BucketConfiguration": {"BucketName": "report-bucket", "BucketPrefix": "daily/", "BucketRegion": "eu-central-1"}}
PDF_ONLY = {"FileGroups": [{"Files": [PDF]}]}
ANONYMOUS = {"AnonymousUsers": [{"RowLevelPermissionTags": [{"Key": "region", "Value": "EU"}]}]}

SCENARIO_FILE = {
    "config": {"queuedSeconds": 60, "runningSeconds": 60},
    "scenarios": [
        {
            "match": {"snapshotJobId": "from-file"},
            "scenario": {
                "outcome": "FAILED",
                "finishNow": True,
                "errorInfo": {"ErrorType": "DASHBOARD_ACCESS_DENIED", "ErrorMessage": "No access to the dashboard."},
            },
        }
    ],
}


def emulator_binary() -> Path:
    explicit = os.environ.get("QUICKSIGHT_EMULATOR_BIN")
    if explicit:
        return Path(explicit)
    target = os.environ.get(
        "CARGO_TARGET_DIR", str(Path.home() / ".cache" / "quicksight-snapshot-result" / "target")
    )
    return Path(target) / "debug" / "quicksight-emulator"


class Emulator:
    """A running emulator process and its control API."""

    def __init__(self, args: list[str], log: Path) -> None:
        binary = emulator_binary()
        assert binary.is_file(), f"emulator binary not built: {binary} (make build)"
        self.log = log
        self._log_file = log.open("w")
        self.process = subprocess.Popen(
            [str(binary), "--port", "0", *args], stdout=subprocess.PIPE, stderr=self._log_file, text=True
        )
        first_line: list[str] = []
        reader = threading.Thread(target=lambda: first_line.append(self._stdout().readline()), daemon=True)
        reader.start()
        reader.join(timeout=20)
        assert first_line and first_line[0].startswith("listening on http://127.0.0.1:"), (
            f"no endpoint printed: {first_line!r}; log:\n{log.read_text()}"
        )
        self.endpoint = first_line[0].strip().removeprefix("listening on ")
        # No proxies, whatever the environment says: the emulator is on loopback.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _stdout(self) -> Any:
        assert self.process.stdout is not None
        return self.process.stdout

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=15)
        self._log_file.close()
        return code

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """A raw HTTP call; JSON bodies are encoded, answers decoded when they are JSON."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.endpoint + path, data=data, method=method, headers=headers or {})
        try:
            with self._opener.open(request, timeout=10) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode()

    def control(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.call(method, "/_emulator" + path, body)
        assert status == 200, (status, answer)
        return answer

    def scenario(self, job: str, **scenario: Any) -> None:
        self.control("POST", "/scenarios", {"match": {"snapshotJobId": job}, "scenario": scenario})

    def fault(self, fault: dict[str, Any], operation: str | None = None, count: int = 1, **extra: Any) -> None:
        rule: dict[str, Any] = {"fault": fault, "count": count, **extra}
        if operation:
            rule["operation"] = operation
        self.control("POST", "/faults", rule)

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]:
        return self.control("GET", "/requests" + (f"?operation={operation}" if operation else ""))

    def client(
        self, access_key_id: str = AKID, *, validate: bool = True, attempts: int = 1, signed: bool = True, **config: Any
    ) -> Any:
        session = boto3.session.Session(
            aws_access_key_id=access_key_id, aws_secret_access_key="dummy-secret", region_name=REGION
        )
        options: dict[str, Any] = {
            "retries": {"mode": "standard", "total_max_attempts": attempts},
            "parameter_validation": validate,
            "proxies": {},
            **config,
        }
        if not signed:
            options["signature_version"] = UNSIGNED
        return session.client("quicksight", endpoint_url=self.endpoint, config=Config(**options))


@pytest.fixture(scope="module")
def emulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    workdir = tmp_path_factory.mktemp("quicksight-emulator")
    scenario_file = workdir / "scenarios.json"
    scenario_file.write_text(json.dumps(SCENARIO_FILE))
    emulator = Emulator(["--scenario-file", str(scenario_file)], workdir / "emulator.log")
    try:
        yield emulator
    finally:
        code = emulator.stop(signal.SIGTERM)
        assert code == 0, f"emulator exited with {code}; log:\n{emulator.log.read_text()}"


@pytest.fixture
def emu(emulator_process: Emulator) -> Emulator:
    emulator_process.control("POST", "/reset")
    return emulator_process


def start(client: Any, job: str, configuration: dict[str, Any] = PDF_ONLY, **extra: Any) -> dict[str, Any]:
    return client.start_dashboard_snapshot_job(
        AwsAccountId=ACCOUNT, DashboardId=DASHBOARD, SnapshotJobId=job, SnapshotConfiguration=configuration, **extra
    )


def describe(client: Any, job: str) -> dict[str, Any]:
    return client.describe_dashboard_snapshot_job(AwsAccountId=ACCOUNT, DashboardId=DASHBOARD, SnapshotJobId=job)


def result(client: Any, job: str) -> dict[str, Any]:
    return client.describe_dashboard_snapshot_job_result(AwsAccountId=ACCOUNT, DashboardId=DASHBOARD, SnapshotJobId=job)


def client_error(call: Any, *args: Any, **kwargs: Any) -> ClientError:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value


def arn(job: str) -> str:
    return f"arn:aws:quicksight:{REGION}:{ACCOUNT}:dashboard/{DASHBOARD}/snapshot-job/{job}"


def assert_timestamp(value: Any, epoch_seconds: float) -> None:
    assert isinstance(value, datetime.datetime)
    assert value.tzinfo is not None
    assert round(value.timestamp(), 3) == round(epoch_seconds, 3)


def test_a_registered_user_job_runs_from_start_to_a_presigned_result(emu: Emulator) -> None:
    qs = emu.client()
    started = start(qs, "job-1")
    start_request = emu.requests()[-1]
    assert started["Status"] == 202
    assert started["Arn"] == arn("job-1")
    assert started["SnapshotJobId"] == "job-1"
    assert started["RequestId"] == start_request["requestId"]
    assert started["ResponseMetadata"]["RequestId"] == start_request["requestId"]
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 202

    assert start_request["operation"] == "StartDashboardSnapshotJob"
    assert start_request["method"] == "POST"
    assert start_request["path"] == f"/accounts/{ACCOUNT}/dashboards/{DASHBOARD}/snapshot-jobs"
    assert start_request["accessKeyId"] == AKID
    assert start_request["region"] == REGION
    assert start_request["headers"]["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={AKID}/")
    assert start_request["bodyJson"] == {"SnapshotJobId": "job-1", "SnapshotConfiguration": PDF_ONLY}
    assert start_request["status"] == 202

    described = describe(qs, "job-1")
    job = emu.control("GET", "/jobs")[0]
    assert described["JobStatus"] == "QUEUED"
    assert described["Status"] == 200
    assert described["AwsAccountId"] == ACCOUNT
    assert described["DashboardId"] == DASHBOARD
    assert described["SnapshotJobId"] == "job-1"
    assert described["Arn"] == arn("job-1")
    assert described["SnapshotConfiguration"] == PDF_ONLY
    assert "UserConfiguration" not in described
    assert_timestamp(described["CreatedTime"], job["createdTime"])
    assert described["LastUpdatedTime"] == described["CreatedTime"]
    assert described["RequestId"] == described["ResponseMetadata"]["RequestId"]

    early = client_error(result, qs, "job-1")
    assert early.response["Error"]["Code"] == "PreconditionNotMetException"
    assert early.response["Error"]["Message"] == "Dashboard Snapshot Job with id job-1 has not reached a terminal state."
    assert early.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert early.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == (
        "PreconditionNotMetException" + ERROR_NAMESPACE
    )

    emu.scenario("job-1", finishNow=True)
    done = result(qs, "job-1")
    assert done["Status"] == 200
    assert done["JobStatus"] == "COMPLETED"
    assert done["Arn"] == arn("job-1")
    assert "ErrorInfo" not in done
    assert_timestamp(done["CreatedTime"], job["createdTime"])
    assert isinstance(done["LastUpdatedTime"], datetime.datetime)
    assert set(done["Result"]) == {"RegisteredUsers"}
    (group,) = done["Result"]["RegisteredUsers"][0]["FileGroups"]
    assert group["Files"] == [PDF]
    (s3,) = group["S3Results"]
    assert set(s3) == {"S3Uri"}
    url, query = s3["S3Uri"].split("?")
    assert url.startswith(
        f"https://quicksight-snapshot-results-{REGION}.s3.{REGION}.amazonaws.com/{ACCOUNT}/{DASHBOARD}/job-1/"
    )
    assert url.endswith(".pdf")
    params = dict(p.split("=", 1) for p in query.split("&"))
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Expires"] == "300"
    assert len(params["X-Amz-Date"]) == 16 and params["X-Amz-Date"].endswith("Z")
    assert len(params["X-Amz-Signature"]) == 64


def test_an_anonymous_user_job_writes_each_file_group_to_the_bucket(emu: Emulator) -> None:
    qs = emu.client()
    configuration = {
        "FileGroups": [{"Files": [PDF]}, {"Files": [CSV]}, {"Files": [EXCEL]}],
        "DestinationConfiguration": {"S3Destinations": [BUCKET]},
    }
    start(qs, "anon", configuration, UserConfiguration=ANONYMOUS)
    described = describe(qs, "anon")
    assert described["UserConfiguration"] == {"AnonymousUsers": [{"RowLevelPermissionTagKeys": ["region"]}]}
    assert described["SnapshotConfiguration"] == configuration

    emu.scenario("anon", finishNow=True)
    done = result(qs, "anon")
    assert set(done["Result"]) == {"AnonymousUsers"}
    groups = done["Result"]["AnonymousUsers"][0]["FileGroups"]
    assert [g["Files"] for g in groups] == [[PDF], [CSV], [EXCEL]]
    uris = []
    for group, extension in zip(groups, [".pdf", ".csv", ".xlsx"], strict=True):
        (s3,) = group["S3Results"]
        assert s3["S3DestinationConfiguration"] == BUCKET
        assert s3["S3Uri"].startswith(f"s3://report-bucket/daily/{DASHBOARD}/anon/")
        assert s3["S3Uri"].endswith(extension)
        uris.append(s3["S3Uri"])
    assert len(set(uris)) == 3


def test_a_job_from_the_scenario_file_fails_with_its_error_info(emu: Emulator) -> None:
    qs = emu.client()
    start(qs, "from-file")
    failed = result(qs, "from-file")
    assert failed["JobStatus"] == "FAILED"
    assert failed["ErrorInfo"] == {"ErrorType": "DASHBOARD_ACCESS_DENIED", "ErrorMessage": "No access to the dashboard."}
    assert "Result" not in failed
    assert describe(qs, "from-file")["JobStatus"] == "FAILED"


def test_completed_jobs_carry_file_and_job_level_error_codes(emu: Emulator) -> None:
    qs = emu.client()
    start(qs, "partial", {"FileGroups": [{"Files": [PDF]}, {"Files": [CSV]}]}, UserConfiguration=ANONYMOUS)
    emu.scenario(
        "partial",
        finishNow=True,
        registeredUsers=True,
        errorInfo={"errorType": "CAPABILITY_RESTRICTED", "errorMessage": "Export is restricted."},
        fileErrors=[{"fileGroupIndex": 1, "errorType": "RLS_CHANGED"}, {"fileGroupIndex": 1, "errorType": "DATASET_DELETED"}],
    )
    done = result(qs, "partial")
    assert done["JobStatus"] == "COMPLETED"
    assert done["ErrorInfo"] == {"ErrorType": "CAPABILITY_RESTRICTED", "ErrorMessage": "Export is restricted."}
    first, second = done["Result"]["RegisteredUsers"][0]["FileGroups"]
    assert "ErrorInfo" not in first["S3Results"][0]
    assert second["S3Results"][0]["ErrorInfo"] == [
        {"ErrorType": "RLS_CHANGED", "ErrorMessage": "File generation reported error RLS_CHANGED."},
        {"ErrorType": "DATASET_DELETED", "ErrorMessage": "File generation reported error DATASET_DELETED."},
    ]


def test_lookup_and_ownership_errors(emu: Emulator) -> None:
    qs = emu.client()
    missing = client_error(describe, qs, "missing")
    assert missing.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.response["Error"]["Message"] == (
        f"Snapshot job missing for dashboard {DASHBOARD} in account {ACCOUNT} does not exist."
    )
    assert missing.response["ResourceType"] == "DASHBOARD_SNAPSHOT_JOB"
    assert missing.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert missing.response["ResponseMetadata"]["RequestId"] == emu.requests()[-1]["requestId"]
    assert client_error(result, qs, "missing").response["Error"]["Code"] == "ResourceNotFoundException"

    start(qs, "mine")
    stranger = emu.client("AKIDSOMEONEELSE00001")
    denied = client_error(describe, stranger, "mine")
    assert denied.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    assert client_error(result, stranger, "mine").response["Error"]["Code"] == "AccessDeniedException"

    unsigned = client_error(describe, emu.client(signed=False), "mine")
    assert unsigned.response["Error"]["Code"] == "AccessDeniedException"
    assert "authorization" not in emu.requests()[-1]["headers"]
    assert emu.requests()[-1]["accessKeyId"] is None


def test_a_job_id_is_taken_for_a_day_and_an_account_runs_at_most_the_limit(emu: Emulator) -> None:
    qs = emu.client()
    start(qs, "daily")
    exists = client_error(start, qs, "daily")
    assert exists.response["Error"]["Code"] == "ResourceExistsException"
    assert exists.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert exists.response["ResourceType"] == "DASHBOARD_SNAPSHOT_JOB"
    assert emu.control("POST", "/clock", {"advanceSeconds": 86400}) == {"offsetSeconds": 86400.0}
    assert start(qs, "daily")["Arn"] == arn("daily")

    settings = emu.control("PATCH", "/config", {"maxRunningPerAccount": 2})
    assert settings == {
        "queuedSeconds": 60.0,
        "runningSeconds": 60.0,
        "maxRunningPerAccount": 2,
        "defaultRegion": "us-east-1",
    }
    start(qs, "second")
    limited = client_error(start, qs, "third")
    assert limited.response["Error"]["Code"] == "LimitExceededException"
    assert limited.response["Error"]["Message"] == (
        f"Account {ACCOUNT} already has 2 snapshot jobs queued or running; the limit is 2."
    )
    assert limited.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert [j["snapshotJobId"] for j in emu.control("GET", "/jobs")] == ["daily", "second"]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"AwsAccountId": "12345"}, "'AwsAccountId'"),
        ({"SnapshotJobId": "has space"}, "'SnapshotJobId'"),
        ({"SnapshotConfiguration": {"FileGroups": [{"Files": [PDF]}] * 8}}, "'SnapshotConfiguration.FileGroups'"),
        ({"SnapshotConfiguration": {"FileGroups": [{"Files": [PDF, PDF]}]}}, "'SnapshotConfiguration.FileGroups[0].Files'"),
        (
            {"SnapshotConfiguration": {"FileGroups": [{"Files": [{**PDF, "SheetSelections": [{"SheetId": "s"}] * 6}]}]}},
            "'SnapshotConfiguration.FileGroups[0].Files[0].SheetSelections'",
        ),
        (
            {"SnapshotConfiguration": {"FileGroups": [{"Files": [{**EXCEL, "SheetSelections": [{"SheetId": "s", "SelectionScope": "ALL_VISUALS"}]}]}]}},
            "'SnapshotConfiguration.FileGroups[0].Files[0].SheetSelections[0].SelectionScope'",
        ),
        (
            {"SnapshotConfiguration": {"FileGroups": [{"Files": [PDF]}], "DestinationConfiguration": {"S3Destinations": [BUCKET, BUCKET]}}},
            "'SnapshotConfiguration.DestinationConfiguration.S3Destinations'",
        ),
        ({"UserConfiguration": {"AnonymousUsers": []}}, "'UserConfiguration.AnonymousUsers'"),
    ],
)
def test_invalid_start_input_is_invalid_parameter_value_naming_the_field(
    emu: Emulator, arguments: dict[str, Any], field: str
) -> None:
    qs = emu.client(validate=False)
    call = {
        "AwsAccountId": ACCOUNT,
        "DashboardId": DASHBOARD,
        "SnapshotJobId": "job",
        "SnapshotConfiguration": PDF_ONLY,
        **arguments,
    }
    error = client_error(qs.start_dashboard_snapshot_job, **call)
    assert error.response["Error"]["Code"] == "InvalidParameterValueException"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert field in error.response["Error"]["Message"]
    assert emu.control("GET", "/jobs") == []


def test_a_malformed_json_body_is_invalid_parameter_value(emu: Emulator) -> None:
    auth = f"AWS4-HMAC-SHA256 Credential={AKID}/20240101/{REGION}/quicksight/aws4_request, SignedHeaders=host, Signature=0"
    status, body = emu.call(
        "POST",
        f"/accounts/{ACCOUNT}/dashboards/{DASHBOARD}/snapshot-jobs",
        b'{"SnapshotJobId": "j", ',
        {"Authorization": auth, "Content-Type": "application/json"},
    )
    assert status == 400
    assert body["Message"].startswith("Request body is not valid JSON: ")
    assert set(body) == {"Message", "RequestId"}


def test_service_error_faults_become_client_errors(emu: Emulator) -> None:
    qs = emu.client()
    start(qs, "job")
    op = "DescribeDashboardSnapshotJob"
    cases = [
        ({"type": "throttling"}, "ThrottlingException", 429, "Rate exceeded"),
        ({"type": "internalFailure", "message": "boom"}, "InternalFailureException", 500, "boom"),
        ({"type": "serviceUnavailable"}, "ServiceUnavailable", 503, "Service Unavailable"),
        (
            {"type": "error", "status": 403, "errorType": "UnsupportedUserEditionException", "message": "Standard"},
            "UnsupportedUserEditionException",
            403,
            "Standard",
        ),
    ]
    for fault, code, status, message in cases:
        emu.fault(fault, op)
        error = client_error(describe, qs, "job")
        assert error.response["Error"]["Code"] == code
        assert error.response["Error"]["Message"] == message
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert [r["fault"] for r in emu.requests(op)] == ["throttling", "internalFailure", "serviceUnavailable", "error"]
    assert describe(qs, "job")["JobStatus"] == "QUEUED"


def test_body_and_transport_faults(emu: Emulator) -> None:
    qs = emu.client()
    start(qs, "job")
    emu.scenario("job", finishNow=True)
    op = "DescribeDashboardSnapshotJobResult"

    # botocore parses an unreadable 200 body as an empty document.
    for fault in ({"type": "truncatedBody"}, {"type": "nonJsonBody"}, {"type": "emptyBody"}):
        emu.fault(fault, op)
        parsed = result(qs, "job")
        assert set(parsed) == {"ResponseMetadata", "Status"}, fault
        assert parsed["Status"] == 200

    emu.fault({"type": "connectionReset"}, op)
    with pytest.raises(ConnectionClosedError):
        result(qs, "job")
    assert emu.requests(op)[-1]["status"] is None
    assert emu.requests(op)[-1]["fault"] == "connectionReset"

    emu.fault({"type": "delay", "ms": 1500}, op)
    with pytest.raises(ReadTimeoutError):
        result(emu.client(read_timeout=0.3), "job")
    assert result(qs, "job")["JobStatus"] == "COMPLETED"


def test_a_raw_fault_delivers_unknown_fields_enum_values_and_nulls(emu: Emulator) -> None:
    body = {
        "Arn": arn("raw"),
        "JobStatus": "PAUSED",
        "CreatedTime": 1.689000349563e9,
        "LastUpdatedTime": None,
        "SomethingNew": {"nested": True},
        "Result": {"RegisteredUsers": [{"FileGroups": [{"S3Results": [{"S3Uri": "s3://b/k.pdf", "ErrorInfo": [{"ErrorType": "NEW_CODE"}]}]}]}]},
        "RequestId": "body-id",
    }
    emu.fault(
        {
            "type": "raw",
            "status": 200,
            "headers": {"content-type": "application/json", "x-amzn-requestid": "header-id"},
            "body": json.dumps(body).replace("1689000349.563", "1.689000349563E9"),
        }
    )
    parsed = result(emu.client(), "anything")
    assert parsed["JobStatus"] == "PAUSED"
    assert_timestamp(parsed["CreatedTime"], 1689000349.563)
    assert "LastUpdatedTime" not in parsed
    assert "SomethingNew" not in parsed
    assert parsed["RequestId"] == "body-id"
    assert parsed["ResponseMetadata"]["RequestId"] == "header-id"
    s3 = parsed["Result"]["RegisteredUsers"][0]["FileGroups"][0]["S3Results"][0]
    assert s3 == {"S3Uri": "s3://b/k.pdf", "ErrorInfo": [{"ErrorType": "NEW_CODE"}]}
    assert emu.requests()[-1]["body"] == ""


def test_botocore_retries_throttling_until_the_faults_are_used_up(emu: Emulator) -> None:
    emu.fault({"type": "throttling"}, "StartDashboardSnapshotJob", count=1)
    started = start(emu.client(attempts=3), "retried")
    assert started["Status"] == 202
    assert started["ResponseMetadata"]["RetryAttempts"] == 1
    assert [r["status"] for r in emu.requests()] == [429, 202]
    assert emu.control("GET", "/faults") == []


def test_the_control_api_lists_filters_and_refuses_bad_input(emu: Emulator) -> None:
    qs = emu.client()
    start(qs, "job")
    describe(qs, "job")
    assert [r["operation"] for r in emu.requests()] == ["StartDashboardSnapshotJob", "DescribeDashboardSnapshotJob"]
    assert [r["sequence"] for r in emu.requests("DescribeDashboardSnapshotJob")] == [2]
    assert emu.control("DELETE", "/requests") == []
    assert emu.requests() == []

    status, answer = emu.call("POST", "/_emulator/scenarios", {"scenario": {"outcomes": "FAILED"}})
    assert status == 400
    assert "unknown field `outcomes`" in answer["error"]
    status, answer = emu.call("POST", "/_emulator/faults", {"count": 0, "fault": {"type": "emptyBody"}})
    assert (status, answer) == (400, {"error": "count must be at least 1"})
    status, answer = emu.call("GET", "/_emulator/requests?operation=Nope")
    assert status == 400
    status, answer = emu.call("GET", "/_emulator/nothing-here")
    assert status == 404

    assert emu.control("DELETE", "/scenarios") == []
    rules = [{"match": {"snapshotJobId": "a"}, "scenario": {"jobStatus": "RUNNING"}}, {"scenario": {"queuedSeconds": 0}}]
    assert emu.control("POST", "/scenarios", rules) == [
        {"match": {"snapshotJobId": "a"}, "scenario": {"jobStatus": "RUNNING"}},
        {"match": {}, "scenario": {"queuedSeconds": 0.0}},
    ]

    status, answer = emu.call("GET", f"/accounts/{ACCOUNT}/dashboards/{DASHBOARD}/snapshot-jobs/job/nope")
    assert status == 404
    assert answer["Message"] == "The requested operation is not supported by the QuickSight emulator."
    assert emu.requests()[-1]["operation"] is None

    # Reset restores the scenario file's rule (and only that).
    emu.control("POST", "/reset")
    assert emu.control("GET", "/scenarios") == [
        {
            "match": {"snapshotJobId": "from-file"},
            "scenario": {
                "outcome": "FAILED",
                "errorInfo": {"errorType": "DASHBOARD_ACCESS_DENIED", "errorMessage": "No access to the dashboard."},
                "finishNow": True,
            },
        }
    ]


def test_the_binary_rejects_a_bad_scenario_file_and_stops_on_sigint(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"scenarios": [{"scenario": {"finishNow": "yes"}}]}')
    finished = subprocess.run(
        [str(emulator_binary()), "--port", "0", "--scenario-file", str(bad)], capture_output=True, text=True, timeout=20
    )
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert "bad scenario file" in finished.stderr

    emulator = Emulator(["--queued-seconds", "0", "--running-seconds", "0"], tmp_path / "sigint.log")
    try:
        qs = emulator.client()
        start(qs, "instant")
        assert result(qs, "instant")["JobStatus"] == "COMPLETED"
    finally:
        assert emulator.stop(signal.SIGINT) == 0
