"""The real statemachine/snapshot.asl.json, with template.yaml's DefinitionSubstitutions applied, executed by
moto's Step Functions interpreter. Its Task states reach a loopback stand-in (see stepfunctions_local.py) that
records the StartDashboardSnapshotJob request and answers Lambda invocations from a queue.

Waits are shortened through the template's own knobs: the InitialWaitSeconds substitution is 1 and the queued
PENDING outputs carry retryAfterSeconds 1. Retry intervals are the production ones (FULL jitter of 1-2 s).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config

from stepfunctions_local import (
    ACCOUNT,
    LOOPBACK_ENV,
    REGION,
    MotoServer,
    StackContext,
    TaskServices,
    load_template,
    render_definition,
    template_parameter_defaults,
)

FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:snapshot-result"
DASHBOARD = "sales-overview"
SNAPSHOT_CONFIGURATION = {
    "FileGroups": [
        {"Files": [{"FormatType": "PDF", "SheetSelections": [{"SheetId": "sheet-1", "SelectionScope": "ALL_VISUALS"}]}]}
    ],
    "DestinationConfiguration": {
        "S3Destinations": [
            {"BucketConfiguration": {"BucketName": "reports", "BucketPrefix": "daily/", "BucketRegion": REGION}}
        ]
    },
}
USER_CONFIGURATION = {"AnonymousUsers": [{"RowLevelPermissionTags": [{"Key": "region", "Value": "EU"}]}]}


@pytest.fixture(autouse=True)
def _loopback_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in LOOPBACK_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sfn(sfn_local: tuple[MotoServer, TaskServices]) -> Any:
    moto, _ = sfn_local
    return boto3.client(
        "stepfunctions",
        endpoint_url=moto.endpoint,
        region_name=REGION,
        aws_access_key_id=LOOPBACK_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOOPBACK_ENV["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1}),
    )


def definition(**parameters: str) -> str:
    values = template_parameter_defaults(load_template())
    values.update({"InitialWaitSeconds": "1", **parameters})
    context = StackContext(
        parameters=values,
        attributes={("SnapshotResultFunction", "Arn"): FUNCTION_ARN},
        refs={},
    )
    rendered = render_definition(context)
    assert "${" not in rendered
    return rendered


def job_arn(job_id: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:quicksight:{REGION}:{account}:dashboard/{DASHBOARD}/snapshot-job/{job_id}"


def lambda_output(job_id: str, outcome: str, **extra: Any) -> dict[str, Any]:
    status = {"PENDING": "RUNNING", "SUCCEEDED": "COMPLETED", "PARTIAL": "COMPLETED", "FAILED": "FAILED"}[outcome]
    output: dict[str, Any] = {
        "job": {
            "awsAccountId": ACCOUNT,
            "dashboardId": DASHBOARD,
            "snapshotJobId": job_id,
            "arn": job_arn(job_id),
            "region": REGION,
        },
        "jobStatus": status,
        "outcome": outcome,
        "terminal": outcome != "PENDING",
        "files": [],
        "errors": [],
        "requestId": f"describe-{outcome.lower()}",
        "summary": f"Snapshot job {job_id} is {outcome}.",
    }
    if outcome == "PENDING":
        output["retryAfterSeconds"] = 1
    output.update(extra)
    return output


def execution_input(**overrides: Any) -> dict[str, Any]:
    return {
        "dashboardId": DASHBOARD,
        "snapshotConfiguration": SNAPSHOT_CONFIGURATION,
        "userConfiguration": USER_CONFIGURATION,
        **overrides,
    }


def run(sfn: Any, machine_definition: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """Create a state machine, run one execution to its end; return (execution name, description, history)."""
    suffix = uuid.uuid4().hex[:10]
    machine = sfn.create_state_machine(
        name=f"snapshot-{suffix}",
        definition=machine_definition,
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/snapshot-state-machine",
    )
    name = f"export-{suffix}"
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=name, input=json.dumps(payload))
    deadline = time.monotonic() + 60
    while True:
        description = sfn.describe_execution(executionArn=execution["executionArn"])
        if description["status"] != "RUNNING":
            break
        assert time.monotonic() < deadline, "execution still running after 60 s"
        time.sleep(0.2)
    events = sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)["events"]
    return name, description, events


def entered_states(events: list[dict[str, Any]]) -> list[str]:
    return [event["stateEnteredEventDetails"]["name"] for event in events if "stateEnteredEventDetails" in event]


def start_output(job_id: str, account: str = ACCOUNT) -> dict[str, Any]:
    """What the aws-sdk:quicksight:startDashboardSnapshotJob Task hands on (the SDK output)."""
    return {"Arn": job_arn(job_id, account), "SnapshotJobId": job_id, "RequestId": "start-request-1", "Status": 202}


def test_pending_twice_then_succeeded_ends_in_success_after_two_waits(sfn: Any, task_services: TaskServices) -> None:
    # The job id is the execution name, which is only known inside run(): answers are built from a placeholder
    # and checked against the real name afterwards.
    placeholder = "job"
    task_services.queue_result(lambda_output(placeholder, "PENDING"))
    task_services.queue_result(lambda_output(placeholder, "PENDING"))
    succeeded = lambda_output(placeholder, "SUCCEEDED", files=[{"format": "PDF", "s3Uri": "s3://reports/daily/a.pdf"}])
    task_services.queue_result(succeeded)

    name, description, events = run(sfn, definition(), execution_input())

    assert description["status"] == "SUCCEEDED"
    assert json.loads(description["output"]) == succeeded
    states = entered_states(events)
    assert states.count("WaitBeforeFirstPoll") == 1
    assert states.count("WaitBeforeNextPoll") == 2
    assert states.count("GetSnapshotResult") == 3
    assert states[-1] == "SnapshotSucceeded"

    [start] = task_services.start_requests()
    assert start.path == f"/accounts/{ACCOUNT}/dashboards/{DASHBOARD}/snapshot-jobs"
    assert start.body == {
        "SnapshotJobId": name,
        "SnapshotConfiguration": SNAPSHOT_CONFIGURATION,
        "UserConfiguration": USER_CONFIGURATION,
    }
    first, second, third = task_services.invocations()
    assert first == start_output(name)
    assert second == {"Payload": lambda_output(placeholder, "PENDING"), "StatusCode": 200}
    assert third == second
    assert task_services.unexpected() == []


def test_partial_outcome_ends_in_success_and_stays_visible(sfn: Any, task_services: TaskServices) -> None:
    error = {"code": "DATASET_DELETED", "message": "dataset gone", "scope": "FILE", "action": "CHECK_DATASET"}
    partial = lambda_output("job", "PARTIAL", errors=[error])
    task_services.queue_result(partial)

    _, description, events = run(sfn, definition(), execution_input())

    assert description["status"] == "SUCCEEDED"
    output = json.loads(description["output"])
    assert output["outcome"] == "PARTIAL"
    assert output == partial
    assert entered_states(events)[-1] == "SnapshotPartiallySucceeded"


def test_failed_job_ends_in_the_fail_state_with_its_errors(sfn: Any, task_services: TaskServices) -> None:
    error = {"code": "DASHBOARD_ACCESS_DENIED", "message": "no access", "scope": "JOB", "action": "FIX_ACCESS"}
    failed = lambda_output("job", "FAILED", errors=[error], summary="Snapshot job job FAILED: DASHBOARD_ACCESS_DENIED.")
    task_services.queue_result(failed)

    _, description, events = run(sfn, definition(), execution_input())

    assert description["status"] == "FAILED"
    assert description["error"] == "SnapshotJobFailed"
    assert description["cause"] == (
        "Snapshot job job FAILED: DASHBOARD_ACCESS_DENIED. errors: "
        '[{"code":"DASHBOARD_ACCESS_DENIED","message":"no access","scope":"JOB","action":"FIX_ACCESS"}]'
    )
    assert entered_states(events)[-1] == "SnapshotJobFailed"
    assert len(task_services.invocations()) == 1


def test_throttled_lambda_error_is_retried_then_succeeds(sfn: Any, task_services: TaskServices) -> None:
    task_services.queue_function_error("QuickSightThrottled", "QuickSight ThrottlingException: Rate exceeded")
    succeeded = lambda_output("job", "SUCCEEDED")
    task_services.queue_result(succeeded)

    name, description, events = run(sfn, definition(), execution_input())

    assert description["status"] == "SUCCEEDED"
    assert json.loads(description["output"]) == succeeded
    failures = [event["taskFailedEventDetails"] for event in events if "taskFailedEventDetails" in event]
    assert [failure["error"] for failure in failures] == ["QuickSightThrottled"]
    assert json.loads(failures[0]["cause"]) == {
        "errorType": "QuickSightThrottled",
        "errorMessage": "QuickSight ThrottlingException: Rate exceeded",
    }
    # The retry sends the same request again: the Start output.
    assert task_services.invocations() == [start_output(name), start_output(name)]


def test_lambda_service_exception_is_retried_then_succeeds(sfn: Any, task_services: TaskServices) -> None:
    task_services.queue_service_error("ServiceException", 500)
    succeeded = lambda_output("job", "SUCCEEDED")
    task_services.queue_result(succeeded)

    _, description, events = run(sfn, definition(), execution_input())

    assert description["status"] == "SUCCEEDED"
    failures = [event["taskFailedEventDetails"]["error"] for event in events if "taskFailedEventDetails" in event]
    assert failures == ["Lambda.ServiceException"]
    assert len(task_services.invocations()) == 2


def test_non_retryable_lambda_error_fails_with_its_name_and_payload(sfn: Any, task_services: TaskServices) -> None:
    task_services.queue_function_error("SnapshotJobNotFound", "ResourceNotFoundException: no such job")

    _, description, events = run(sfn, definition(), execution_input())

    assert description["status"] == "FAILED"
    assert description["error"] == "SnapshotJobNotFound"
    assert json.loads(description["cause"]) == {
        "errorType": "SnapshotJobNotFound",
        "errorMessage": "ResourceNotFoundException: no such job",
    }
    assert entered_states(events)[-1] == "GetSnapshotResultFailed"
    assert len(task_services.invocations()) == 1


def test_poll_budget_ends_in_snapshot_job_timed_out(sfn: Any, task_services: TaskServices) -> None:
    task_services.queue_result(lambda_output("job", "PENDING"))
    task_services.queue_result(lambda_output("job", "PENDING"))

    _, description, events = run(sfn, definition(MaxPolls="2"), execution_input())

    assert description["status"] == "FAILED"
    assert description["error"] == "SnapshotJobTimedOut"
    assert description["cause"] == f"Snapshot job {job_arn('job')} was still pending after 2 polls."
    assert entered_states(events).count("WaitBeforeNextPoll") == 1
    assert len(task_services.invocations()) == 2


def test_input_overrides_account_and_job_id_and_may_omit_user_configuration(
    sfn: Any, task_services: TaskServices
) -> None:
    other_account = "210987654321"
    request = execution_input(awsAccountId=other_account, snapshotJobId="weekly-1", maxPolls=5)
    del request["userConfiguration"]
    task_services.queue_result(lambda_output("weekly-1", "SUCCEEDED"))

    _, description, events = run(sfn, definition(), request)

    assert description["status"] == "SUCCEEDED"
    [start] = task_services.start_requests()
    assert start.path == f"/accounts/{other_account}/dashboards/{DASHBOARD}/snapshot-jobs"
    assert start.body == {"SnapshotJobId": "weekly-1", "SnapshotConfiguration": SNAPSHOT_CONFIGURATION}
    assert "StartSnapshotJobWithoutUserConfiguration" in entered_states(events)
    assert task_services.invocations() == [start_output("weekly-1", other_account)]


def test_start_failure_ends_in_the_fail_state_without_polling(sfn: Any, task_services: TaskServices) -> None:
    task_services.queue_start_error("ResourceNotFoundException", 404, "Dashboard sales-overview not found.")

    _, description, events = run(sfn, definition(), execution_input())

    assert description["status"] == "FAILED"
    assert entered_states(events)[-1] == "StartSnapshotJobFailed"
    # AWS names this error QuickSight.ResourceNotFoundException; moto 5.1 names every aws-sdk error
    # "<service>.<service>Exception" (here quicksight.quicksightException), so only the cause is compared.
    assert description["cause"].startswith("Dashboard sales-overview not found.")
    assert len(task_services.start_requests()) == 1
    assert task_services.invocations() == []
