"""The benchmark's reference peer: the same function written the usual way in Python with boto3.

It makes the same call (DescribeDashboardSnapshotJobResult) and builds the same output document for a
terminal job as the Rust function, so that the benchmark compares like with like. It is a yardstick,
not a second implementation of the contract: it accepts only the ARN and explicit-id input shapes and
does no PENDING handling, notification or presigning.

Run as Lambda runs it: `python -m awslambdaric handler.handler`, with this folder on PYTHONPATH.
"""

import re
from datetime import datetime, timedelta, timezone

import boto3
from botocore.config import Config

# Created once at init, as every Python Lambda does; the same retry and timeout budget as the Rust
# function's defaults (3 attempts, standard mode, 2 s connect, 4 s per attempt).
_CLIENT = boto3.client(
    "quicksight",
    config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=4),
)
_REGION = _CLIENT.meta.region_name
_ARN = re.compile(r"^arn:[^:]+:quicksight:([^:]*):(\d{12}):dashboard/([^/]+)/snapshot-job/([^/]+)$")
_ACTIONS = {
    "RLS_CHANGED": "RERUN_JOB",
    "CLS_CHANGED": "RERUN_JOB",
    "DATASET_DELETED": "CHECK_DATASET",
    "DASHBOARD_ACCESS_DENIED": "FIX_ACCESS",
    "CAPABILITY_RESTRICTED": "FIX_ACCESS",
}


class InvalidInput(Exception):
    pass


def _job(event):
    arn = event.get("arn") or event.get("Arn")
    if arn:
        match = _ARN.match(arn)
        if not match:
            raise InvalidInput(f"not a snapshot job ARN: {arn}")
        region, account, dashboard, job = match.groups()
        return account, dashboard, job, region or _REGION
    try:
        return event["awsAccountId"], event["dashboardId"], event["snapshotJobId"], _REGION
    except KeyError as missing:
        raise InvalidInput(f"missing {missing}") from None


def _rfc3339(value):
    """UTC, rounded to the millisecond, trailing zeros of the fraction dropped (like the Rust output)."""
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    millis = round(value.microsecond / 1000)
    value = value.replace(microsecond=0) + timedelta(milliseconds=millis)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += ("." + f"{value.microsecond // 1000:03d}").rstrip("0")
    return text + "Z"


def _files(result):
    files = []
    users = [("ANONYMOUS", u) for u in result.get("AnonymousUsers", [])]
    users += [("REGISTERED", u) for u in result.get("RegisteredUsers", [])]
    for user, entry in users:
        for index, group in enumerate(entry.get("FileGroups", [])):
            specs = group.get("Files", [])
            template = {
                "user": user,
                "fileGroup": index,
                "format": (specs[0].get("FormatType") or None) if specs else None,
                "sheets": [
                    {
                        "sheetId": s.get("SheetId", ""),
                        "selectionScope": s.get("SelectionScope", ""),
                        "visualIds": s.get("VisualIds", []),
                    }
                    for f in specs
                    for s in f.get("SheetSelections", [])
                ],
                "s3Uri": None,
                "bucket": None,
                "key": None,
                "bucketRegion": None,
                "errors": [],
            }
            if not group.get("S3Results"):
                files.append(template)
                continue
            for s3 in group["S3Results"]:
                uri = s3.get("S3Uri") or None
                bucket = key = None
                if uri and uri.startswith("s3://"):
                    bucket, _, key = uri[len("s3://") :].partition("/")
                    bucket, key = bucket or None, key or None
                region = (
                    s3.get("S3DestinationConfiguration", {}).get("BucketConfiguration", {}).get("BucketRegion")
                    or None
                )
                errors = [
                    {"code": e.get("ErrorType") or "UNSPECIFIED", "message": e.get("ErrorMessage", "")}
                    for e in s3.get("ErrorInfo", [])
                ]
                files.append(
                    dict(template, s3Uri=uri, bucket=bucket, key=key, bucketRegion=region, errors=errors)
                )
    return files


def _summary(outcome, files, errors):
    total = len(files)
    exported = sum(1 for f in files if f["s3Uri"] and not f["errors"])
    noun = "file" if total == 1 else "files"
    job_codes = [e["code"] for e in errors if e["scope"] == "JOB"]
    if outcome == "FAILED":
        job_error = next((e for e in errors if e["scope"] == "JOB"), None)
        if job_error is None:
            return "job failed without an error code"
        if not job_error["message"]:
            return f"job failed: {job_error['code']}"
        return f"job failed: {job_error['code']}: {job_error['message']}"
    if outcome == "SUCCEEDED":
        return f"{exported} of {total} {noun} exported"
    if total == 0:
        line = "job completed but returned no files"
    else:
        line = f"{exported} of {total} {noun} exported"
        for f in files:
            what = f["format"] or "file"
            if f["errors"]:
                line += f"; {what} failed: " + ", ".join(e["code"] for e in f["errors"])
            elif not f["s3Uri"]:
                line += f"; {what} missing: no URI"
    if job_codes:
        line += "; job: " + ", ".join(job_codes)
    return line


def handler(event, context):
    account, dashboard, job, region = _job(event)
    client = _CLIENT if region == _REGION else boto3.client("quicksight", region_name=region)
    answer = client.describe_dashboard_snapshot_job_result(
        AwsAccountId=account, DashboardId=dashboard, SnapshotJobId=job
    )
    arn = answer.get("Arn") or f"arn:aws:quicksight:{region}:{account}:dashboard/{dashboard}/snapshot-job/{job}"
    status = answer.get("JobStatus")
    files = _files(answer.get("Result", {}))
    errors = []
    if answer.get("ErrorInfo"):
        code = answer["ErrorInfo"].get("ErrorType") or "UNSPECIFIED"
        errors.append(
            {"code": code, "message": answer["ErrorInfo"].get("ErrorMessage", ""), "scope": "JOB",
             "action": _ACTIONS.get(code, "REVIEW")}
        )
    for f in files:
        for e in f["errors"]:
            errors.append(dict(e, scope="FILE", action=_ACTIONS.get(e["code"], "REVIEW")))
    if status == "FAILED":
        outcome = "FAILED"
    elif status == "COMPLETED":
        clean = files and not errors and all(f["s3Uri"] for f in files)
        outcome = "SUCCEEDED" if clean else "PARTIAL"
    else:
        raise RuntimeError(f"job {arn} is {status}; the peer handles terminal jobs only")
    output = {
        "job": {"awsAccountId": account, "dashboardId": dashboard, "snapshotJobId": job, "arn": arn, "region": region},
        "jobStatus": status,
        "outcome": outcome,
        "terminal": True,
        "createdTime": _rfc3339(answer.get("CreatedTime")),
        "lastUpdatedTime": _rfc3339(answer.get("LastUpdatedTime")),
        "files": files,
        "errors": errors,
        "requestId": answer.get("RequestId") or answer["ResponseMetadata"].get("RequestId"),
        "summary": _summary(outcome, files, errors),
    }
    return {k: v for k, v in output.items() if v is not None or k not in ("createdTime", "lastUpdatedTime")}
