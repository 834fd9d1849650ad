"""The partition-heat meter inside the local AWS server: what real requests over HTTP cost, by
partition of the table and of each index; off (not even installed) unless ONCESHIP_HEAT=1."""
import urllib.error
import urllib.request

import boto3
import pytest

from chalicelib.local import heat_server, template
from chalicelib.local.aws_server import AwsServerProcess


@pytest.fixture(scope="module")
def metered():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONCESHIP_HEAT", "1")
        server = AwsServerProcess(port=0)
        endpoint = server.start()
    try:
        client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id="heat", aws_secret_access_key="heat")
        props = template.load(template.RESOURCES_TEMPLATE)["Resources"]["Table"]["Properties"]
        client.create_table(TableName="heat", BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=props["AttributeDefinitions"], KeySchema=props["KeySchema"],
                            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"])
        yield endpoint, client
    finally:
        server.stop()


def by_partition(endpoint: str) -> dict:
    return {(r["index"], r["partition"]): r for r in heat_server.read(endpoint)}


def s(text):
    return {"S": text}


def test_writes_are_charged_to_the_table_and_index_partitions_they_touch(metered):
    endpoint, client = metered
    heat_server.reset(endpoint)
    order = {"pk": s("M#m1#O#o1"), "sk": s("ORDER"), "gsi2pk": s("M#m1#DESK"), "gsi2sk": s("1#a#o1"),
             "body": s("x" * 2500)}
    client.put_item(TableName="heat", Item=order)                                   # 3 units, gsi2 put 3
    client.update_item(TableName="heat", Key={"pk": order["pk"], "sk": order["sk"]},  # the desk moves it:
                       UpdateExpression="SET gsi2sk = :sk", ExpressionAttributeValues={":sk": s("2#a#o1")})
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):          # refused: still 3
        client.put_item(TableName="heat", Item=order, ConditionExpression="attribute_not_exists(pk)")
    client.transact_write_items(TransactItems=[                                     # 2 x 1 and a check 2 x 3
        {"Put": {"TableName": "heat", "Item": {"pk": s("M#m1#P#a"), "sk": s("STOCK")}}},
        {"ConditionCheck": {"TableName": "heat", "Key": {"pk": order["pk"], "sk": order["sk"]},
                            "ConditionExpression": "attribute_exists(pk)"}}])
    heat = by_partition(endpoint)
    assert heat[("", "M#m1#O#o1")]["write_units"] == 3 + 3 + 3 + 6
    assert heat[("gsi2", "M#m1#DESK")]["write_units"] == 3 + 3 + 3          # put, then delete + put
    assert heat[("gsi2", "M#m1#DESK")]["writes"] == 3
    assert heat[("", "M#m1#P#a")]["write_units"] == 2
    assert ("gsi1", "M#m1#DESK") not in heat


def test_a_cancelled_transaction_costs_its_prepare_and_reaches_no_index(metered):
    endpoint, client = metered
    heat_server.reset(endpoint)
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": "heat", "Item": {"pk": s("T#1"), "sk": s("A"), "gsi1pk": s("G"), "gsi1sk": s("1")}}},
            {"ConditionCheck": {"TableName": "heat", "Key": {"pk": s("T#missing"), "sk": s("A")},
                                "ConditionExpression": "attribute_exists(pk)"}}])
    heat = by_partition(endpoint)
    assert heat[("", "T#1")]["write_units"] == 1 and heat[("", "T#missing")]["write_units"] == 1
    assert not [k for k in heat if k[0]]


def test_reads_by_consistency_and_queries_by_what_they_evaluate(metered):
    endpoint, client = metered
    for n in range(4):
        client.put_item(TableName="heat", Item={"pk": s("R#1"), "sk": s(f"{n}"), "gsi1pk": s("R#INDEX"),
                                                 "gsi1sk": s(f"{n}"), "body": s("y" * 3000)})
    heat_server.reset(endpoint)
    client.get_item(TableName="heat", Key={"pk": s("R#1"), "sk": s("0")}, ConsistentRead=True)    # 1
    client.get_item(TableName="heat", Key={"pk": s("R#1"), "sk": s("1")})                         # 0.5
    client.batch_get_item(RequestItems={"heat": {"Keys": [{"pk": s("R#1"), "sk": s(f"{n}")} for n in range(2)],
                                                 "ConsistentRead": True}})                         # 1 + 1
    found = client.query(TableName="heat", KeyConditionExpression="pk = :p", ConsistentRead=True,
                         FilterExpression="attribute_exists(nothing)", ExpressionAttributeValues={":p": s("R#1")})
    assert found["Count"] == 0                              # 4 x 3 KB evaluated, none returned: 3 units
    client.query(TableName="heat", IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
                 ExpressionAttributeValues={":p": s("R#INDEX")})                                  # 12 KB: 1.5
    heat = by_partition(endpoint)
    assert heat[("", "R#1")]["read_units"] == 1 + 0.5 + 2 + 3
    assert heat[("gsi1", "R#INDEX")]["read_units"] == 1.5


def test_the_meter_is_not_installed_by_default(stack):
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(stack.aws_endpoint + heat_server.PATH, timeout=10)
