"""infra/ and `make package`: the packaged template lints clean and carries the wiring the
guarantees depend on (partial batch failures, dead-letter queues)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
FUNCTIONS = {"APIHandler", "JobsWorker", "UploadsWorker", "WebhooksWorker", "SchedulerTick"}


def cfn_lint(*paths):
    """Run cfn-lint; errors fail (exit bit 2), warnings are printed (bit 4)."""
    answer = subprocess.run(
        [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
         *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert answer.returncode in (0, 4, 8, 12), answer.stdout + answer.stderr
    return answer


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("package") / "build"
    subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "package.py"), "--no-deps",
                    "--out", str(out)], check=True, cwd=PROJECT_DIR, timeout=120,
                   capture_output=True)
    return out


def test_infra_templates_lint_clean():
    answer = cfn_lint(PROJECT_DIR / "infra" / "resources.yaml")
    assert answer.returncode == 0, answer.stdout  # not even a warning


def test_packaged_template_lints(packaged):
    assert (packaged / "deployment.zip").stat().st_size > 0
    cfn_lint(packaged / "sam.json")


def test_every_event_source_mapping_reports_batch_item_failures(packaged):
    template = json.loads((packaged / "sam.json").read_text())
    mappings = {k: r for k, r in template["Resources"].items()
                if r["Type"] == "AWS::Lambda::EventSourceMapping"}
    assert {m["Properties"]["FunctionName"]["Ref"] for m in mappings.values()} == {
        "JobsWorker", "UploadsWorker", "WebhooksWorker"}
    for logical_id, mapping in mappings.items():
        assert "ReportBatchItemFailures" in mapping["Properties"]["FunctionResponseTypes"], \
            logical_id


def test_every_work_queue_has_a_redrive_policy(packaged):
    template = json.loads((packaged / "sam.json").read_text())
    resources = template["Resources"]
    queues = {k: r for k, r in resources.items() if r["Type"] == "AWS::SQS::Queue"}
    dead_letter_queues = {r["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
                          for r in queues.values() if "RedrivePolicy" in r["Properties"]}
    for logical_id, queue in queues.items():
        if logical_id in dead_letter_queues:
            assert queue["Properties"]["MessageRetentionPeriod"] == 1209600
            continue
        policy = queue["Properties"]["RedrivePolicy"]
        assert policy["maxReceiveCount"] == 5, logical_id
        assert policy["deadLetterTargetArn"]["Fn::GetAtt"][0] in queues
    assert {"JobsQueue", "UploadsQueue", "WebhooksQueue"} <= set(queues) - dead_letter_queues


def test_functions_take_resources_from_the_template(packaged):
    template = json.loads((packaged / "sam.json").read_text())
    resources = template["Resources"]
    assert FUNCTIONS <= set(resources)
    for name in FUNCTIONS:
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        assert variables["ONCESHIP_STAGE"] == "prod"
        assert variables["ONCESHIP_TABLE"] == {"Ref": "Table"}
        assert variables["ONCESHIP_BUCKET"] == {"Ref": "Bucket"}
        assert variables["ONCESHIP_JOBS_QUEUE_URL"] == {"Ref": "JobsQueue"}
        assert variables["ONCESHIP_ADMIN_TOKEN"] == {"Ref": "AdminToken"}
        assert not any(isinstance(v, str) and "${" in v for v in variables.values())
    # every SQS visibility timeout is at least six times its worker's timeout
    for mapping in (r for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"):
        queue = resources[mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]]
        timeout = resources[mapping["Properties"]["FunctionName"]["Ref"]]["Properties"]["Timeout"]
        assert queue["Properties"]["VisibilityTimeout"] >= 6 * timeout


def test_least_privilege_policy_names_only_template_resources(packaged):
    template = json.loads((packaged / "sam.json").read_text())
    roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert roles
    for role in roles:
        for policy in role["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                resources = statement["Resource"]
                for resource in resources if isinstance(resources, list) else [resources]:
                    assert resource != "*", statement
                    assert isinstance(resource, dict) or "${" not in resource, statement


def test_schedule_rule_invokes_scheduler_tick(packaged):
    template = json.loads((packaged / "sam.json").read_text())
    resources = template["Resources"]
    rules = [r for r in resources.values() if r["Type"] == "AWS::Events::Rule"]
    assert [r["Properties"]["ScheduleExpression"] for r in rules] == ["rate(1 minute)"]
    assert rules[0]["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": ["SchedulerTick", "Arn"]}
    permissions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
                   and r["Properties"]["Principal"] == "events.amazonaws.com"]
    assert permissions and permissions[0]["Properties"]["FunctionName"] == {"Ref": "SchedulerTick"}


def test_api_gateways_own_answers_are_problem_json_in_the_api_definition(packaged):
    template = json.loads((packaged / "sam.json").read_text())
    api = template["Resources"]["RestAPI"]
    assert api["Type"] == "AWS::Serverless::Api"
    responses = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    assert set(responses) >= {"MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "REQUEST_TOO_LARGE", "INTEGRATION_TIMEOUT"}
    for kind, response in responses.items():
        body = json.loads(response["responseTemplates"]["application/json"])
        assert body["status"] == int(response["statusCode"]) and body["code"], kind
        headers = response["responseParameters"]
        assert headers["gatewayresponse.header.Content-Type"] == "'application/problem+json'", kind
        assert headers["gatewayresponse.header.X-Request-Id"] == "context.requestId", kind
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert api["Properties"]["DefinitionBody"]["paths"], "Chalice's own definition was kept"


def test_aws_memory_has_the_template_resources(aws_memory):
    import os

    assert "AWS_ENDPOINT_URL" not in os.environ
    assert os.environ["ONCESHIP_TABLE"] == aws_memory.table_name
    assert os.environ["ONCESHIP_JOBS_QUEUE_URL"] == aws_memory.queue_urls["JobsQueue"]
    dynamodb = aws_memory.client("dynamodb")
    table = dynamodb.describe_table(TableName=aws_memory.table_name)["Table"]
    assert {index["IndexName"] for index in table["GlobalSecondaryIndexes"]} == {"gsi1", "gsi2", "gsi3", "gsi4"}
    ttl = dynamodb.describe_time_to_live(TableName=aws_memory.table_name)
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "ttl"
    sqs = aws_memory.client("sqs")
    redrive = json.loads(sqs.get_queue_attributes(
        QueueUrl=aws_memory.queue_urls["WebhooksQueue"], AttributeNames=["RedrivePolicy"])[
        "Attributes"]["RedrivePolicy"])
    assert redrive["maxReceiveCount"] == 5
    aws_memory.client("s3").put_object(Bucket=aws_memory.bucket, Key="uploads/m/x.csv", Body=b"")
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(
        QueueUrl=aws_memory.queue_urls["UploadsQueue"], MaxNumberOfMessages=10)["Messages"]]
    assert [b.get("Event") or b["Records"][0]["eventName"] for b in bodies] == [
        "s3:TestEvent", "ObjectCreated:Put"]
