#!/usr/bin/env python3
"""`make package`: Chalice's deployment template merged with infra/, ready for CloudFormation.

1. infra/resources.yaml and infra/wiring.yaml are merged into one template (build/infra.json);
2. `chalice package --stage prod --merge-template build/infra.json build/` writes
   build/sam.json and build/deployment.zip;
3. build/sam.json is post-processed:
   - every SQS event source (EventSourceMapping or SAM SQS event) has
     FunctionResponseTypes [ReportBatchItemFailures];
   - environment variables and IAM policy strings written `${Logical}` / `${Logical.Attr}`
     in .chalice/ (Chalice only takes strings there) become Ref / Fn::GetAtt / Fn::Sub, and the
     variables of docs/architecture.md that a stage leaves out are added as Refs;
   - every reference must name a resource, parameter or pseudo parameter of the template.

Options: --stage (prod), --out (build), --bucket-name (default value of the BucketName
parameter), --no-deps (package from a copy of the project with an empty requirements.txt: the
same template in a second instead of a minute of downloading wheels; used by the tests).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from chalicelib.local import template as cfn  # noqa: E402

ENVIRONMENT_REFS = {
    "ONCESHIP_TABLE": "Table",
    "ONCESHIP_BUCKET": "Bucket",
    "ONCESHIP_JOBS_QUEUE_URL": "JobsQueue",
    "ONCESHIP_UPLOADS_QUEUE_URL": "UploadsQueue",
    "ONCESHIP_WEBHOOKS_QUEUE_URL": "WebhooksQueue",
    "ONCESHIP_JOBS_DLQ_URL": "JobsDLQ",
    "ONCESHIP_UPLOADS_DLQ_URL": "UploadsDLQ",
    "ONCESHIP_WEBHOOKS_DLQ_URL": "WebhooksDLQ",
}
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


def chalice_command() -> list[str]:
    script = Path(sys.executable).parent / "chalice"
    if script.exists():
        return [str(script)]
    found = shutil.which("chalice")
    if not found:
        raise SystemExit("chalice is not installed (make package installs requirements-dev.txt)")
    return [found]


def project_copy_without_dependencies(target: Path) -> Path:
    """app.py, chalicelib/ and .chalice/ settings, with an empty requirements.txt."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    target.mkdir(parents=True)
    shutil.copy2(PROJECT_DIR / "app.py", target / "app.py")
    shutil.copytree(PROJECT_DIR / "chalicelib", target / "chalicelib", ignore=ignore)
    if (PROJECT_DIR / "vendor").is_dir():
        shutil.copytree(PROJECT_DIR / "vendor", target / "vendor", ignore=ignore)
    (target / ".chalice").mkdir()
    for path in (PROJECT_DIR / ".chalice").glob("*.json"):
        shutil.copy2(path, target / ".chalice" / path.name)
    (target / "requirements.txt").write_text("")
    return target


def run_chalice(project_dir: Path, stage: str, merge_file: Path, out: Path) -> None:
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    command = chalice_command() + ["--project-dir", str(project_dir), "package", "--stage", stage,
                                   "--merge-template", str(merge_file), str(out)]
    subprocess.run(command, check=True, env=env, cwd=str(project_dir))


# -- post-processing ------------------------------------------------------------------------
def as_reference(text: str):
    """`${X}` -> Ref, `${X.Attr}` -> GetAtt, other text with ${...} -> Fn::Sub, else text."""
    variables = cfn.sub_variables(text)
    if not variables:
        return text
    if text == "${%s}" % variables[0]:
        logical_id, attribute = cfn.split_variable(variables[0])
        return {"Ref": logical_id} if attribute is None else {"Fn::GetAtt": [logical_id, attribute]}
    return {"Fn::Sub": text}


def substitute_strings(value):
    if isinstance(value, str):
        return as_reference(value)
    if isinstance(value, list):
        return [substitute_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: substitute_strings(item) for key, item in value.items()}
    return value


def queue_ids(template: dict) -> set[str]:
    return set(cfn.of_type(template, "AWS::SQS::Queue"))


def reads_sqs(event_source_arn, queues: set[str]) -> bool:
    if isinstance(event_source_arn, str):
        return ":sqs:" in event_source_arn
    return any(logical_id in queues for logical_id, _ in cfn.references(event_source_arn))


def add_report_batch_item_failures(properties: dict) -> None:
    kinds = set(properties.get("FunctionResponseTypes", []))
    properties["FunctionResponseTypes"] = sorted(kinds | {"ReportBatchItemFailures"})


def post_process(template: dict) -> dict:
    resources = template["Resources"]
    queues = queue_ids(template)
    for mapping in cfn.of_type(template, "AWS::Lambda::EventSourceMapping").values():
        if reads_sqs(mapping["Properties"].get("EventSourceArn"), queues):
            add_report_batch_item_failures(mapping["Properties"])
    for resource in resources.values():
        if resource["Type"] not in FUNCTION_TYPES:
            continue
        properties = resource["Properties"]
        for event in properties.get("Events", {}).values():
            if event.get("Type") == "SQS":
                add_report_batch_item_failures(event["Properties"])
        variables = properties.setdefault("Environment", {}).setdefault("Variables", {})
        for name, value in list(variables.items()):
            variables[name] = substitute_strings(value)
        for name, logical_id in ENVIRONMENT_REFS.items():
            variables.setdefault(name, {"Ref": logical_id})
    for role in cfn.of_type(template, "AWS::IAM::Role").values():
        for policy in role["Properties"].get("Policies", []):
            policy["PolicyDocument"] = substitute_strings(policy["PolicyDocument"])
    check_references(template)
    return template


def check_references(template: dict) -> None:
    known = set(template.get("Resources", {})) | set(template.get("Parameters", {}))
    missing = sorted({
        logical_id for logical_id, _ in cfn.references(template.get("Resources", {}))
        if not logical_id.startswith("AWS::") and logical_id not in known
    })
    if missing:
        raise SystemExit(f"the packaged template refers to unknown ids: {missing}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--out", default=str(PROJECT_DIR / "build"))
    parser.add_argument("--bucket-name", default=os.environ.get("BUCKET") or None)
    parser.add_argument("--no-deps", action="store_true")
    args = parser.parse_args(argv)

    out = Path(args.out).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    merged = cfn.infra()
    if args.bucket_name:
        merged["Parameters"]["BucketName"]["Default"] = args.bucket_name
    with tempfile.TemporaryDirectory(prefix="onceship-package-") as scratch:
        merge_file = Path(scratch) / "infra.json"
        merge_file.write_text(json.dumps(merged, indent=1))
        project = PROJECT_DIR
        if args.no_deps:
            project = project_copy_without_dependencies(Path(scratch) / "project")
        run_chalice(project, args.stage, merge_file, out)
        shutil.copy2(merge_file, out / "infra.json")
    template_path = out / "sam.json"
    template = post_process(json.loads(template_path.read_text()))
    template_path.write_text(json.dumps(template, indent=2) + "\n")
    print(f"packaged stage {args.stage}: {template_path} and {out / 'deployment.zip'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
