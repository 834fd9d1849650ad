"""The local server's cheaper transaction rollback keeps moto's all-or-nothing behaviour."""
import boto3
import pytest
from botocore.exceptions import ClientError


def test_failed_transaction_restores_every_touched_item(aws_memory):
    from chalicelib.local import moto_speedups
    moto_speedups.install()
    client = aws_memory.client("dynamodb")
    name = aws_memory.table_name
    key = lambda sk: {"pk": {"S": "p"}, "sk": {"S": sk}}
    client.put_item(TableName=name, Item={**key("a"), "n": {"N": "1"}})
    client.put_item(TableName=name, Item={**key("b"), "n": {"N": "1"}})
    client.put_item(TableName=name, Item={**key("c"), "n": {"N": "1"}})
    with pytest.raises(ClientError) as caught:
        client.transact_write_items(TransactItems=[
            {"Update": {"TableName": name, "Key": key("a"), "UpdateExpression": "SET n = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}}}},
            {"Put": {"TableName": name, "Item": {**key("new"), "n": {"N": "9"}}}},
            {"Delete": {"TableName": name, "Key": key("b")}},
            {"ConditionCheck": {"TableName": name, "Key": key("c"), "ConditionExpression": "n = :nine",
                                "ExpressionAttributeValues": {":nine": {"N": "9"}}}},
        ])
    assert caught.value.response["Error"]["Code"] == "TransactionCanceledException"
    get = lambda sk: client.get_item(TableName=name, Key=key(sk), ConsistentRead=True).get("Item")
    assert get("a")["n"] == {"N": "1"}
    assert get("b")["n"] == {"N": "1"}
    assert get("new") is None
    client.transact_write_items(TransactItems=[
        {"Update": {"TableName": name, "Key": key("a"), "UpdateExpression": "SET n = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}}}}])
    assert get("a")["n"] == {"N": "2"}
