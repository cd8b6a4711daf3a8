"""Run the real state machine definition offline: moto's Step Functions interpreter plus a loopback stand-in
for the two services its Task states call.

How the pieces fit (moto 5.1):
- moto executes state machines for real only with the setting stepfunctions.execute_state_machine, which
  moto_server takes through POST /moto-api/config.
- The interpreter calls the services of Task states through boto3 clients pointed at
  http://localhost:$MOTO_PORT. moto_server only sets MOTO_PORT when it is unset, so starting it with MOTO_PORT
  naming another loopback port sends those calls there, to `TaskServices` below.
- Why not moto's own services for them: moto's QuickSight has no snapshot-job operations (the aws-sdk:quicksight
  Task would get a 404), and its docker-free Lambda ("lambda-simple", answers queued via
  /moto-api/static/lambda-simple/response) always answers 200 without X-Amz-Function-Error, so a Lambda error
  such as QuickSightThrottled cannot be produced. `TaskServices` answers both, so the Start state runs unchanged.
Everything listens on 127.0.0.1 and the clients use dummy credentials.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REGION = "us-east-1"
ACCOUNT = "123456789012"
REPO = Path(__file__).resolve().parents[2]

LOOPBACK_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDLOCALTESTONLY000",
    "AWS_SECRET_ACCESS_KEY": "local-test-secret-not-a-real-key",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")

_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<function>[^/]+)/invocations$")
_START_JOB = re.compile(r"^/accounts/(?P<account>\d{12})/dashboards/(?P<dashboard>[\w-]+)/snapshot-jobs$")


def loopback_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """A process environment that keeps AWS traffic on this machine."""
    env = dict(os.environ if base is None else base)
    for name in PROXY_VARS:
        env.pop(name, None)
    env.update(LOOPBACK_ENV)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Call:
    service: str
    path: str
    body: Any


@dataclass
class TaskServices:
    """Loopback stand-in for the Lambda Invoke and QuickSight StartDashboardSnapshotJob APIs."""

    lambda_answers: list[dict[str, Any]] = field(default_factory=list)
    start_errors: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    def reset(self) -> None:
        with self.lock:
            self.lambda_answers.clear()
            self.start_errors.clear()
            self.calls.clear()

    def queue_result(self, payload: dict[str, Any]) -> None:
        """The next invocation returns `payload` (HTTP 200, no function error)."""
        with self.lock:
            self.lambda_answers.append({"kind": "result", "payload": payload})

    def queue_function_error(self, error_type: str, message: str) -> None:
        """The next invocation fails the way a Rust Lambda error does (X-Amz-Function-Error: Unhandled)."""
        with self.lock:
            self.lambda_answers.append({"kind": "function_error", "type": error_type, "message": message})

    def queue_service_error(self, code: str, status: int) -> None:
        """The next Invoke call itself fails (Step Functions names it Lambda.<code>)."""
        with self.lock:
            self.lambda_answers.append({"kind": "service_error", "code": code, "status": status})

    def queue_start_error(self, code: str, status: int, message: str) -> None:
        """The next StartDashboardSnapshotJob call fails with this QuickSight error."""
        with self.lock:
            self.start_errors.append({"code": code, "status": status, "message": message})

    def invocations(self) -> list[Any]:
        return [call.body for call in self.calls if call.service == "lambda"]

    def start_requests(self) -> list[Call]:
        return [call for call in self.calls if call.service == "quicksight"]

    def unexpected(self) -> list[Call]:
        return [call for call in self.calls if call.service == "unexpected"]

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    def start(self) -> None:
        services = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("x-amzn-RequestId", "local-request-1")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                invoke = _INVOKE.match(self.path)
                start = _START_JOB.match(self.path)
                if invoke:
                    with services.lock:
                        services.calls.append(Call("lambda", self.path, body))
                        answer = services.lambda_answers.pop(0) if services.lambda_answers else None
                    if answer is None:
                        self._send(500, {"message": "no Lambda answer queued"}, {"x-amzn-ErrorType": "ServiceException"})
                    elif answer["kind"] == "result":
                        self._send(200, answer["payload"], {"X-Amz-Executed-Version": "$LATEST"})
                    elif answer["kind"] == "function_error":
                        error = {"errorType": answer["type"], "errorMessage": answer["message"]}
                        self._send(200, error, {"X-Amz-Function-Error": "Unhandled", "X-Amz-Executed-Version": "$LATEST"})
                    else:
                        self._send(answer["status"], {"message": "stand-in service error"}, {"x-amzn-ErrorType": answer["code"]})
                elif start:
                    with services.lock:
                        services.calls.append(Call("quicksight", self.path, body))
                        error = services.start_errors.pop(0) if services.start_errors else None
                    if error is not None:
                        headers = {"x-amzn-ErrorType": error["code"]}
                        self._send(error["status"], {"Message": error["message"], "RequestId": "start-1"}, headers)
                        return
                    job_id = (body or {}).get("SnapshotJobId", "")
                    arn = (
                        f"arn:aws:quicksight:{REGION}:{start['account']}:"
                        f"dashboard/{start['dashboard']}/snapshot-job/{job_id}"
                    )
                    self._send(202, {"Arn": arn, "SnapshotJobId": job_id, "RequestId": "start-request-1"})
                else:
                    with services.lock:
                        services.calls.append(Call("unexpected", self.path, body))
                    self._send(404, {"message": f"no stand-in for {self.path}"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class MotoServer:
    """moto_server on a free loopback port with state machine execution switched on."""

    def __init__(self, task_services_port: int, log_path: Path) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        env = loopback_env()
        env["MOTO_PORT"] = str(task_services_port)
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        self.reset()

    def reset(self) -> None:
        """Forget every resource and execution. Needed between executions: moto 5.1 deep-copies the whole backend
        (through StateMachine.backend) on StartExecution, which fails once an earlier execution holds a lock."""
        self._post("/moto-api/reset", {})
        self._post("/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/config", timeout=1) as response:
                    if response.status == 201:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("moto_server did not answer within 30 s")

    def _post(self, path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(
            f"{self.endpoint}{path}", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            if response.status not in (200, 201):
                raise RuntimeError(f"{path} answered {response.status}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()


# --- template.yaml: DefinitionSubstitutions resolved the way CloudFormation would -----------------------------


def load_template() -> dict[str, Any]:
    """template.yaml with its short-form tags (!Ref, !Sub, !If, ...) as the long-form dictionaries."""
    from cfnlint.decode import cfn_yaml

    return cfn_yaml.load(str(REPO / "template.yaml"))


@dataclass
class StackContext:
    """What CloudFormation would know at deploy time: pseudo parameters, parameter values and resource ARNs."""

    parameters: dict[str, str]
    attributes: dict[tuple[str, str], str]
    refs: dict[str, str]

    def pseudo(self) -> dict[str, str]:
        return {
            "AWS::Partition": "aws",
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::URLSuffix": "amazonaws.com",
        }

    def ref(self, name: str) -> str:
        values = {**self.pseudo(), **self.parameters, **self.refs}
        if name not in values:
            raise KeyError(f"no value for Ref {name}")
        return values[name]

    def resolve(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, dict) and len(value) == 1:
            (function, argument), = value.items()
            if function == "Ref":
                return self.ref(argument)
            if function == "Fn::GetAtt":
                resource, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.attributes[(resource, attribute)]
            if function == "Fn::Sub":
                template, variables = (argument, {}) if isinstance(argument, str) else argument
                local = {key: self.resolve(val) for key, val in variables.items()}

                def replace(match: re.Match[str]) -> str:
                    name = match.group(1)
                    if name in local:
                        return local[name]
                    if "." in name:
                        resource, attribute = name.split(".", 1)
                        return self.attributes[(resource, attribute)]
                    return self.ref(name)

                return re.sub(r"\$\{([^}!]+)\}", replace, template)
        raise ValueError(f"cannot resolve {value!r}")


def template_parameter_defaults(template: dict[str, Any]) -> dict[str, str]:
    return {name: str(spec.get("Default", "")) for name, spec in template["Parameters"].items()}


def render_definition(context: StackContext) -> str:
    """statemachine/snapshot.asl.json with the template's DefinitionSubstitutions applied."""
    template = load_template()
    machine = template["Resources"]["SnapshotStateMachine"]["Properties"]
    definition = (REPO / machine["DefinitionUri"]).read_text()
    substitutions = {key: context.resolve(value) for key, value in machine["DefinitionSubstitutions"].items()}
    rendered = re.sub(r"\$\{([^}]+)\}", lambda match: substitutions[match.group(1)], definition)
    return rendered
