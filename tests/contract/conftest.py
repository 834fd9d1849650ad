"""The store contract tests run against two engines: moto in memory (in-process, one thread)
and the local moto server over HTTP (the same engine `make run` serves)."""
import uuid

import boto3
import pytest

from chalicelib.local import template
from chalicelib.store.table import Table


def _create_table(client, name: str) -> None:
    props = template.load(template.RESOURCES_TEMPLATE)["Resources"]["Table"]["Properties"]
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=props["AttributeDefinitions"], KeySchema=props["KeySchema"],
                        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"])


@pytest.fixture(params=["memory", "server"])
def table(request):
    if request.param == "memory":
        memory = request.getfixturevalue("aws_memory")
        yield Table(memory.table_name, client=memory.client("dynamodb"))
    else:
        stack = request.getfixturevalue("stack")
        client = boto3.client("dynamodb", endpoint_url=stack.aws_endpoint)
        name = "contract-" + uuid.uuid4().hex[:8]
        _create_table(client, name)
        yield Table(name, client=client)
        client.delete_table(TableName=name)
