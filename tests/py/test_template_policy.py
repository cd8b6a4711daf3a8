"""template.yaml read as data (cfn-lint's loader turns !Ref/!Sub/!If/!GetAtt into their long forms): least-privilege
IAM, the function's runtime settings, and parameters and substitutions that stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from stepfunctions_local import REPO, load_template

# The Lambda's configuration variables (the README's configuration table). AWS_LAMBDA_LOG_FORMAT and
# AWS_LAMBDA_LOG_LEVEL are not listed: Lambda sets them from LoggingConfig, checked separately.
CONFIG_VARIABLES = {
    "FAIL_ON",
    "PENDING_RETRY_AFTER_SECONDS",
    "SNS_TOPIC_ARN",
    "NOTIFY_ON",
    "NOTIFY_EMAIL_TEXT",
    "PRESIGN_EXPIRES_SECONDS",
    "ALLOWED_ACCOUNT_IDS",
    "SDK_MAX_ATTEMPTS",
    "SDK_CONNECT_TIMEOUT_MS",
    "SDK_ATTEMPT_TIMEOUT_MS",
    "SDK_OPERATION_TIMEOUT_MS",
}

QUICKSIGHT_JOBS_OF_LISTED_DASHBOARD = (
    "arn:${AWS::Partition}:quicksight:${AWS::Region}:${AWS::AccountId}:dashboard/${DashboardId}/snapshot-job/*"
)
QUICKSIGHT_JOBS_OF_ALL_DASHBOARDS = (
    "arn:${AWS::Partition}:quicksight:${AWS::Region}:${AWS::AccountId}:dashboard/*/snapshot-job/*"
)

# Every action an Allow statement may grant, with the only resources it may name. The all-dashboards pattern is
# allowed only under the AllDashboards condition (checked in test_quicksight_wildcard_is_only_for_an_empty_list).
ALLOWED: dict[str, set[str]] = {
    "quicksight:DescribeDashboardSnapshotJobResult": {
        QUICKSIGHT_JOBS_OF_LISTED_DASHBOARD,
        QUICKSIGHT_JOBS_OF_ALL_DASHBOARDS,
    },
    "quicksight:DescribeDashboardSnapshotJob": {
        QUICKSIGHT_JOBS_OF_LISTED_DASHBOARD,
        QUICKSIGHT_JOBS_OF_ALL_DASHBOARDS,
    },
    "quicksight:StartDashboardSnapshotJob": {QUICKSIGHT_JOBS_OF_LISTED_DASHBOARD, QUICKSIGHT_JOBS_OF_ALL_DASHBOARDS},
    "sns:Publish": {"Ref:NotificationTopic", "Ref:ExistingTopicArn"},
    "s3:GetObject": {"arn:${AWS::Partition}:s3:::${ResultsBucketName}/${ResultsBucketPrefix}*"},
    "sqs:SendMessage": {"GetAtt:DeadLetterQueue.Arn"},
    "logs:CreateLogStream": {"GetAtt:SnapshotResultLogGroup.Arn"},
    "logs:PutLogEvents": {"GetAtt:SnapshotResultLogGroup.Arn"},
    "lambda:InvokeFunction": {"GetAtt:SnapshotResultFunction.Arn"},
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def branches(value: Any) -> list[tuple[str | None, Any]]:
    """Each value an Fn::If may produce, with the condition that selects it (None when unconditional)."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        condition, when_true, when_false = value["Fn::If"]
        out = [(condition, when_true)]
        if when_false != {"Ref": "AWS::NoValue"}:
            out.append((f"!{condition}", when_false))
        return out
    return [(None, value)]


def resource_text(value: Any) -> list[str]:
    """A resource as comparable text: Sub templates verbatim, Ref:Name, GetAtt:Name.Attribute, '*' as is."""
    out: list[str] = []
    for _, branch in branches(value):
        if isinstance(branch, str):
            out.append(branch)
        elif isinstance(branch, dict) and "Fn::Sub" in branch:
            sub = branch["Fn::Sub"]
            out.append(sub if isinstance(sub, str) else sub[0])
        elif isinstance(branch, dict) and "Ref" in branch:
            out.append(f"Ref:{branch['Ref']}")
        elif isinstance(branch, dict) and "Fn::GetAtt" in branch:
            target = branch["Fn::GetAtt"]
            out.append("GetAtt:" + (".".join(target) if isinstance(target, list) else target))
        else:
            out.append(f"UNRECOGNISED:{branch!r}")
    return out


def statements_of(document: dict[str, Any], source: str, condition: str | None) -> list[dict[str, Any]]:
    found = []
    for entry in as_list(document["Statement"]):
        for branch_condition, statement in branches(entry):
            found.append({**statement, "_source": source, "_condition": branch_condition or condition})
    return found


def expand_for_each(resources: dict[str, Any]) -> dict[str, Any]:
    """Fn::ForEach fragments with their identifier left as a placeholder (one copy per loop)."""
    out: dict[str, Any] = {}
    for key, value in resources.items():
        if key.startswith("Fn::ForEach::"):
            _identifier, _collection, fragment = value
            out.update(fragment)
        else:
            out[key] = value
    return out


def policy_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every identity-policy statement of the template: inline role policies, role policies, SAM Policies."""
    found: list[dict[str, Any]] = []
    for name, resource in expand_for_each(template["Resources"]).items():
        kind = resource["Type"]
        props = resource.get("Properties", {})
        condition = resource.get("Condition")
        if kind == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                found += statements_of(policy["PolicyDocument"], f"{name}/{policy['PolicyName']}", condition)
            assert not props.get("ManagedPolicyArns"), f"{name} attaches managed policies"
        elif kind in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found += statements_of(props["PolicyDocument"], name, condition)
        elif kind in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            for policy in as_list(props.get("Policies", [])):
                if isinstance(policy, str):
                    found.append({"Effect": "Allow", "Action": f"managed-policy:{policy}", "Resource": "*",
                                  "_source": name, "_condition": condition})
                elif "Statement" in policy:
                    found += statements_of(policy, name, condition)
                else:
                    # A SAM policy template ({"SQSSendMessagePolicy": {...}}): only named, scoped ones pass.
                    for template_name in policy:
                        found.append({"Effect": "Allow", "Action": f"sam-policy-template:{template_name}",
                                      "Resource": "*", "_source": name, "_condition": condition})
    return found


def violations(statements: list[dict[str, Any]]) -> list[str]:
    problems = []
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        where = statement["_source"]
        if "NotAction" in statement or "NotResource" in statement:
            problems.append(f"{where}: NotAction/NotResource")
        actions = as_list(statement.get("Action", []))
        resources = [text for value in as_list(statement.get("Resource", [])) for text in resource_text(value)]
        for action in actions:
            if not isinstance(action, str) or "*" in action:
                problems.append(f"{where}: wildcard action {action!r}")
                continue
            if action not in ALLOWED:
                problems.append(f"{where}: action {action} is not one the code needs")
                continue
            for resource in resources:
                if resource not in ALLOWED[action]:
                    problems.append(f"{where}: {action} on {resource} is broader than documented")
    return problems


def test_every_policy_statement_is_least_privilege(template: dict[str, Any]) -> None:
    statements = policy_statements(template)
    assert violations(statements) == []
    granted = {action for s in statements if s["Effect"] == "Allow" for action in as_list(s["Action"])}
    assert granted == set(ALLOWED)


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "wildcard action '*'"),
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, "wildcard action 's3:*'"),
        ({"Effect": "Allow", "Action": "quicksight:Describe*", "Resource": "*"}, "wildcard action"),
        ({"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}, "sns:Publish on * is broader"),
        (
            {"Effect": "Allow", "Action": "quicksight:StartDashboardSnapshotJob",
             "Resource": {"Fn::Sub": "arn:${AWS::Partition}:quicksight:*:*:dashboard/*"}},
            "is broader than documented",
        ),
        ({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}, "is not one the code needs"),
    ],
)
def test_the_policy_check_rejects_broad_statements(statement: dict[str, Any], problem: str) -> None:
    found = violations([{**statement, "_source": "Example", "_condition": None}])
    assert any(problem in line for line in found), found


def test_managed_policies_and_sam_policy_templates_are_flagged() -> None:
    template = {
        "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function",
                   "Properties": {"Policies": ["AmazonS3ReadOnlyAccess", {"S3ReadPolicy": {"BucketName": "b"}}]}}
        }
    }
    found = violations(policy_statements(template))
    assert len(found) == 2


def test_quicksight_wildcard_is_only_for_an_empty_list(template: dict[str, Any]) -> None:
    statements = policy_statements(template)
    for statement in statements:
        resources = [text for value in as_list(statement.get("Resource", [])) for text in resource_text(value)]
        if QUICKSIGHT_JOBS_OF_ALL_DASHBOARDS in resources:
            assert statement["_condition"] == "AllDashboards", statement["_source"]
        if QUICKSIGHT_JOBS_OF_LISTED_DASHBOARD in resources:
            assert statement["_condition"] == "SomeDashboards", statement["_source"]
    assert template["Conditions"]["AllDashboards"] == {
        "Fn::Equals": [{"Fn::Join": [",", {"Ref": "DashboardIds"}]}, ""]
    }
    loop = template["Resources"]["Fn::ForEach::DashboardAccess"]
    assert loop[:2] == ["DashboardId", {"Ref": "DashboardIds"}]
    assert "dashboard/*/snapshot-job/*" in template["Parameters"]["DashboardIds"]["Description"]


def test_s3_read_exists_only_with_a_results_bucket(template: dict[str, Any]) -> None:
    s3 = [s for s in policy_statements(template) if s.get("Action") == "s3:GetObject"]
    assert [s["_condition"] for s in s3] == ["HasResultsBucket"]
    assert template["Conditions"]["HasResultsBucket"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "ResultsBucketName"}, ""]}]}


def test_trust_policies_name_only_their_service(template: dict[str, Any]) -> None:
    principals = {}
    for name, resource in template["Resources"].items():
        if isinstance(resource, dict) and resource.get("Type") == "AWS::IAM::Role":
            [statement] = resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            assert statement["Action"] == "sts:AssumeRole"
            principals[name] = statement["Principal"]
    assert principals == {
        "SnapshotResultFunctionRole": {"Service": "lambda.amazonaws.com"},
        "StateMachineRole": {"Service": "states.amazonaws.com"},
    }


def test_function_runtime_build_and_limits(template: dict[str, Any]) -> None:
    function = template["Resources"]["SnapshotResultFunction"]
    props = function["Properties"]
    assert function["Metadata"] == {"BuildMethod": "rust-cargolambda", "BuildProperties": {"Binary": "bootstrap"}}
    assert props["Runtime"] == "provided.al2023"
    assert props["Handler"] == "bootstrap"
    assert props["CodeUri"] == "."
    assert props["MemorySize"] == 128
    assert props["Timeout"] > 20
    assert props["Architectures"] == [{"Ref": "Architecture"}]
    architecture = template["Parameters"]["Architecture"]
    assert (architecture["Default"], architecture["AllowedValues"]) == ("arm64", ["arm64", "x86_64"])
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    assert props["LoggingConfig"]["ApplicationLogLevel"] == {"Ref": "ApplicationLogLevel"}
    assert props["LoggingConfig"]["SystemLogLevel"] == {"Ref": "SystemLogLevel"}


def test_timeout_covers_the_largest_sdk_budget(template: dict[str, Any]) -> None:
    # Two calls (QuickSight, then SNS), each bounded by SDK_OPERATION_TIMEOUT_MS.
    timeout = template["Resources"]["SnapshotResultFunction"]["Properties"]["Timeout"]
    operation = template["Parameters"]["SdkOperationTimeoutMs"]
    assert operation["Default"] == 10000
    assert 2 * operation["MaxValue"] / 1000 < timeout


def test_every_config_variable_is_in_the_function_environment(template: dict[str, Any]) -> None:
    variables = template["Resources"]["SnapshotResultFunction"]["Properties"]["Environment"]["Variables"]
    assert set(variables) == CONFIG_VARIABLES
    assert variables["SNS_TOPIC_ARN"] == {
        "Fn::If": ["CreateTopic", {"Ref": "NotificationTopic"}, {"Ref": "ExistingTopicArn"}]
    }


def test_every_parameter_has_a_description_a_default_and_a_constraint(template: dict[str, Any]) -> None:
    for name, spec in template["Parameters"].items():
        assert spec.get("Description"), name
        assert "Default" in spec, name
        constrained = "AllowedValues" in spec or "AllowedPattern" in spec or {"MinValue", "MaxValue"} <= set(spec)
        assert constrained, name


def test_failed_async_invocations_go_to_the_dead_letter_queue(template: dict[str, Any]) -> None:
    props = template["Resources"]["SnapshotResultFunction"]["Properties"]
    config = props["EventInvokeConfig"]
    assert config["MaximumRetryAttempts"] == {"Ref": "DeadLetterRetryAttempts"}
    assert config["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
    }
    [allow, deny] = template["Resources"]["DeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"AWS": {"Fn::GetAtt": ["SnapshotResultFunctionRole", "Arn"]}}
    assert (allow["Effect"], allow["Action"]) == ("Allow", "sqs:SendMessage")
    assert deny["Effect"] == "Deny"


def test_schedule_is_off_by_default(template: dict[str, Any]) -> None:
    schedule = template["Resources"]["SnapshotResultFunction"]["Properties"]["Events"]["Scheduled"]
    assert schedule["Type"] == "Schedule"
    assert schedule["Properties"]["State"] == {"Fn::If": ["ScheduleOn", "ENABLED", "DISABLED"]}
    assert schedule["Properties"]["Input"] == {"Ref": "ScheduleInput"}
    assert template["Parameters"]["ScheduleEnabled"]["Default"] == "false"
    assert template["Conditions"]["ScheduleOn"] == {"Fn::Equals": [{"Ref": "ScheduleEnabled"}, "true"]}


def test_topic_is_created_unless_one_is_given(template: dict[str, Any]) -> None:
    assert template["Resources"]["NotificationTopic"]["Condition"] == "CreateTopic"
    assert template["Conditions"]["CreateTopic"] == {"Fn::Equals": [{"Ref": "ExistingTopicArn"}, ""]}


def test_outputs(template: dict[str, Any]) -> None:
    assert {"FunctionArn", "StateMachineArn", "TopicArn", "DeadLetterQueueUrl"} <= set(template["Outputs"])


def test_definition_substitutions_match_the_definition(template: dict[str, Any]) -> None:
    machine = template["Resources"]["SnapshotStateMachine"]["Properties"]
    definition = Path(REPO / machine["DefinitionUri"]).read_text()
    used = set(re.findall(r"\$\{([^}]+)\}", definition))
    assert used == set(machine["DefinitionSubstitutions"])


def test_samconfig_deploys_with_the_needed_capabilities() -> None:
    import tomllib

    config = tomllib.loads((REPO / "samconfig.toml").read_text())["default"]
    assert config["global"]["parameters"]["stack_name"] == "quicksight-snapshot-result"
    assert config["build"]["parameters"]["beta_features"] is True
    deploy = config["deploy"]["parameters"]
    assert set(deploy["capabilities"].split()) == {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}
    assert deploy["resolve_s3"] is True
    assert deploy["confirm_changeset"] is True


def test_presign_lifetime_parameter_accepts_exactly_what_sigv4_allows(template: dict[str, Any]) -> None:
    pattern = re.compile(template["Parameters"]["PresignExpiresSeconds"]["AllowedPattern"])
    assert pattern.fullmatch("")
    assert all(pattern.fullmatch(str(n)) for n in (1, 59, 3600, 99999, 100000, 599999, 600000, 604799, 604800))
    assert not any(pattern.fullmatch(str(n)) for n in (0, 604801, 605000, 700000, 999999, 1000000, -1))
