"""Create the resources of infra/resources.yaml through the AWS API (moto server or mock_aws).

The template is read and its resources are created in dependency order with direct API calls,
including what moto's CloudFormation would drop: TTL, point-in-time recovery, queue policies,
bucket CORS/encryption/lifecycle and bucket notifications. Notifications are applied separately
(`apply_notifications`) so that restoring saved objects does not replay upload events.

Local physical names are `<stack name>-<logical id>` (CloudFormation's pattern without its random
suffix); the bucket takes its name from the BucketName parameter.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from chalicelib.local import template as cfn

log = logging.getLogger(__name__)

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
STACK_NAME = "onceship-local"

ClientFactory = Callable[[str], Any]

_QUEUE_ATTRIBUTES = (
    "VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds", "FifoQueue", "ContentBasedDeduplication",
    "SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
)


@dataclass
class Resources:
    """What was created: physical names, URLs and ARNs by logical id."""

    stack_name: str
    region: str
    physical: dict[str, dict[str, Any]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    def ref(self, logical_id: str) -> Any:
        return self.physical[logical_id]["Ref"]

    def of_type(self, resource_type: str) -> dict[str, Any]:
        return {lid: self.ref(lid) for lid, t in self.types.items() if t == resource_type}

    @property
    def tables(self) -> dict[str, str]:
        return self.of_type("AWS::DynamoDB::Table")

    @property
    def buckets(self) -> dict[str, str]:
        return self.of_type("AWS::S3::Bucket")

    @property
    def queue_urls(self) -> dict[str, str]:
        return self.of_type("AWS::SQS::Queue")

    @property
    def queue_arns(self) -> dict[str, str]:
        return {lid: self.physical[lid]["Arn"] for lid in self.queue_urls}

    @property
    def table_name(self) -> str:
        return self.ref("Table")

    @property
    def bucket(self) -> str:
        return self.ref("Bucket")


def client_factory(endpoint_url: str | None = None, region: str = REGION,
                   exempt_from_faults: bool = False) -> ClientFactory:
    """boto3 clients with dummy credentials, pointed at `endpoint_url` (None: default endpoints,
    which mock_aws intercepts). The local stack's own machinery is `exempt_from_faults`: its
    requests carry `X-Onceship-Faults: off` (chalicelib/local/faults.py)."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )
    config = Config(retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=32)
    cache: dict[str, Any] = {}

    def client(service: str):
        if service not in cache:
            made = session.client(service, endpoint_url=endpoint_url, config=config)
            if exempt_from_faults:
                made.meta.events.register("before-send", _exempt)
            cache[service] = made
        return cache[service]

    return client


def _exempt(request, **kwargs) -> None:
    from chalicelib.local.faults import EXEMPT_HEADER

    request.headers[EXEMPT_HEADER] = "off"


class _Creator:
    def __init__(self, client: ClientFactory, template: dict, parameters: dict, stack_name: str,
                 region: str, visibility_timeout: int | None):
        self.client = client
        self.template = template
        self.stack_name = stack_name
        self.region = region
        self.visibility_timeout = visibility_timeout
        self.parameters = _parameters(template, parameters)
        self.resources = Resources(stack_name=stack_name, region=region)

    def lookup(self, logical_id: str, attribute: str | None) -> Any:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::StackName": self.stack_name,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None,
        }
        if logical_id in pseudo:
            return pseudo[logical_id]
        if logical_id in self.parameters and attribute is None:
            return self.parameters[logical_id]
        try:
            return self.resources.physical[logical_id]["Ref" if attribute is None else attribute]
        except KeyError:
            raise KeyError(f"cannot resolve {logical_id}.{attribute or 'Ref'} locally") from None

    def props(self, resource: dict) -> dict:
        return cfn.resolve(resource.get("Properties", {}), self.lookup)

    def name(self, logical_id: str) -> str:
        return f"{self.stack_name}-{logical_id}"

    def create_all(self) -> Resources:
        resources = self.template.get("Resources", {})
        for logical_id in cfn.creation_order(resources):
            resource = resources[logical_id]
            kind = resource["Type"]
            create = _CREATORS.get(kind)
            if create is None:
                log.warning("local stack: %s (%s) is not created locally", logical_id, kind)
                continue
            self.resources.types[logical_id] = kind
            self.resources.physical[logical_id] = create(self, logical_id, self.props(resource))
        self.resources.outputs = {
            name: cfn.resolve(output.get("Value"), self.lookup)
            for name, output in self.template.get("Outputs", {}).items()
        }
        return self.resources


def _parameters(template: dict, given: dict) -> dict:
    values = {}
    for name, spec in template.get("Parameters", {}).items():
        if name in given:
            values[name] = given[name]
        elif "Default" in spec:
            values[name] = spec["Default"]
        else:
            raise ValueError(f"template parameter {name} needs a value")
        if spec.get("Type") == "CommaDelimitedList" and isinstance(values[name], str):
            values[name] = [part.strip() for part in values[name].split(",")]
    return values


def _optional(call: Callable, **kwargs) -> None:
    """Apply a setting moto may not implement; a missing feature is logged, not fatal."""
    try:
        call(**kwargs)
    except Exception as error:  # noqa: BLE001 - moto raises several kinds for "not implemented"
        log.info("local stack: %s not applied: %s", getattr(call, "__name__", call), error)


def _table(creator: _Creator, logical_id: str, props: dict) -> dict:
    dynamodb = creator.client("dynamodb")
    name = props.get("TableName") or creator.name(logical_id)
    keys = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes", "BillingMode", "ProvisionedThroughput", "StreamSpecification")
    request = {key: props[key] for key in keys if key in props}
    description = dynamodb.create_table(TableName=name, **request)["TableDescription"]
    if "TimeToLiveSpecification" in props:
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"]
        )
    if "PointInTimeRecoverySpecification" in props:
        _optional(dynamodb.update_continuous_backups, TableName=name,
                  PointInTimeRecoverySpecification=props["PointInTimeRecoverySpecification"])
    return {"Ref": name, "Arn": description["TableArn"],
            "StreamArn": description.get("LatestStreamArn"),
            "TtlAttribute": props.get("TimeToLiveSpecification", {}).get("AttributeName")}


def _queue(creator: _Creator, logical_id: str, props: dict) -> dict:
    sqs = creator.client("sqs")
    name = props.get("QueueName") or creator.name(logical_id)
    if props.get("FifoQueue") and not name.endswith(".fifo"):
        name += ".fifo"
    attributes = {key: _attribute(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
    if creator.visibility_timeout is not None and "RedrivePolicy" in props:
        attributes["VisibilityTimeout"] = str(creator.visibility_timeout)
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    return {"Ref": url, "Arn": arn, "QueueName": name, "QueueUrl": url,
            "RedrivePolicy": props.get("RedrivePolicy")}


def _attribute(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _queue_policy(creator: _Creator, logical_id: str, props: dict) -> dict:
    sqs = creator.client("sqs")
    for url in props["Queues"]:
        sqs.set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": json.dumps(props["PolicyDocument"])}
        )
    return {"Ref": creator.name(logical_id)}


def _bucket(creator: _Creator, logical_id: str, props: dict) -> dict:
    s3 = creator.client("s3")
    name = props.get("BucketName") or creator.name(logical_id).lower()
    if creator.region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={
            "LocationConstraint": creator.region})
    if "OwnershipControls" in props:
        _optional(s3.put_bucket_ownership_controls, Bucket=name,
                  OwnershipControls=props["OwnershipControls"])
    if "PublicAccessBlockConfiguration" in props:
        _optional(s3.put_public_access_block, Bucket=name,
                  PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
    if "BucketEncryption" in props:
        rules = [
            {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
            for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        _optional(s3.put_bucket_encryption, Bucket=name,
                  ServerSideEncryptionConfiguration={"Rules": rules})
    if "CorsConfiguration" in props:
        _optional(s3.put_bucket_cors, Bucket=name, CORSConfiguration={
            "CORSRules": [_cors_rule(rule) for rule in props["CorsConfiguration"]["CorsRules"]]})
    if "LifecycleConfiguration" in props:
        _optional(s3.put_bucket_lifecycle_configuration, Bucket=name, LifecycleConfiguration={
            "Rules": [_lifecycle_rule(rule) for rule in props["LifecycleConfiguration"]["Rules"]]})
    if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return {"Ref": name, "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{creator.region}.amazonaws.com",
            "NotificationConfiguration": props.get("NotificationConfiguration")}


def apply_bucket_cors(client: ClientFactory, resources: Resources, parameters: dict,
                      template: dict | None = None) -> None:
    """(Re)apply each bucket's CorsConfiguration of the template with these parameter values
    (the local stack knows its console's origin only once the API listens)."""
    template = template if template is not None else cfn.load(cfn.RESOURCES_TEMPLATE)
    creator = _Creator(client, template, parameters, resources.stack_name, resources.region, None)
    creator.resources = resources
    for logical_id, name in resources.buckets.items():
        cors = template["Resources"][logical_id].get("Properties", {}).get("CorsConfiguration")
        if cors:
            rules = cfn.resolve(cors, creator.lookup)["CorsRules"]
            client("s3").put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [_cors_rule(r) for r in rules]})


def _cors_rule(rule: dict) -> dict:
    renamed = {"ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds", "Id": "ID"}
    return {renamed.get(key, key): value for key, value in rule.items()}


def _lifecycle_rule(rule: dict) -> dict:
    converted: dict[str, Any] = {"ID": rule.get("Id", "rule"), "Status": rule["Status"],
                                 "Filter": {"Prefix": rule.get("Prefix", "")}}
    if "AbortIncompleteMultipartUpload" in rule:
        converted["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
    if "ExpirationInDays" in rule:
        converted["Expiration"] = {"Days": rule["ExpirationInDays"]}
    return converted


_CREATORS = {
    "AWS::DynamoDB::Table": _table,
    "AWS::SQS::Queue": _queue,
    "AWS::SQS::QueuePolicy": _queue_policy,
    "AWS::S3::Bucket": _bucket,
}


def create(client: ClientFactory, template: dict | None = None, parameters: dict | None = None,
           stack_name: str = STACK_NAME, region: str = REGION,
           visibility_timeout: int | None = None, notifications: bool = True) -> Resources:
    """Create every resource of `template` (default infra/resources.yaml).

    `visibility_timeout` overrides the VisibilityTimeout of the queues that have a redrive
    policy (the work queues), so tests see redeliveries in seconds. With `notifications` False
    the bucket notifications are left for `apply_notifications`.
    """
    template = template if template is not None else cfn.load(cfn.RESOURCES_TEMPLATE)
    creator = _Creator(client, template, parameters or {}, stack_name, region, visibility_timeout)
    resources = creator.create_all()
    if notifications:
        apply_notifications(client, resources)
    return resources


def apply_notifications(client: ClientFactory, resources: Resources) -> None:
    """Apply the buckets' NotificationConfiguration (S3 then sends its s3:TestEvent, as AWS does)."""
    s3 = client("s3")
    for logical_id, name in resources.buckets.items():
        config = resources.physical[logical_id].get("NotificationConfiguration") or {}
        queues = [_queue_notification(item) for item in config.get("QueueConfigurations", [])]
        if queues:
            s3.put_bucket_notification_configuration(
                Bucket=name, NotificationConfiguration={"QueueConfigurations": queues}
            )


def _queue_notification(item: dict) -> dict:
    converted: dict[str, Any] = {"QueueArn": item["Queue"], "Events": [item["Event"]]}
    rules = item.get("Filter", {}).get("S3Key", {}).get("Rules")
    if rules:
        converted["Filter"] = {"Key": {"FilterRules": rules}}
    return converted
