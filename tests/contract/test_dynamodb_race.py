"""Conditional writes and transactions on the local AWS server are atomic under real
concurrency (the server runs DynamoDB requests one at a time, as the guarantees of contract
section 11 need), while SQS long polls are not held up by that."""
import threading
import time
import uuid

import pytest

THREADS = 30
ROUNDS = 20


@pytest.fixture(scope="module")
def clients(stack):
    """One boto3 DynamoDB client per racing thread, each from its own session."""
    import boto3

    return [boto3.session.Session().client("dynamodb", endpoint_url=stack.aws_endpoint)
            for _ in range(THREADS)]


def race(clients, attempt):
    """Run attempt(client) on every client at once; answer how many returned True."""
    barrier = threading.Barrier(len(clients))
    wins, errors = [], []

    def run(client):
        barrier.wait()
        try:
            if attempt(client):
                wins.append(1)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    return len(wins)


def test_conditional_put_has_exactly_one_winner(stack, clients):
    from botocore.exceptions import ClientError

    for _ in range(ROUNDS):
        pk = "RACE#" + uuid.uuid4().hex

        def put(client):
            try:
                client.put_item(TableName=stack.table_name,
                                Item={"pk": {"S": pk}, "sk": {"S": "guard"}},
                                ConditionExpression="attribute_not_exists(pk)")
                return True
            except ClientError as error:
                if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    return False
                raise

        assert race(clients, put) == 1


def test_transaction_race_has_exactly_one_winner(stack, clients):
    from botocore.exceptions import ClientError

    for _ in range(ROUNDS // 2):
        pk = "TXRACE#" + uuid.uuid4().hex

        def claim(client):
            try:
                client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": stack.table_name,
                             "Item": {"pk": {"S": pk}, "sk": {"S": "token"}},
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                    {"Update": {"TableName": stack.table_name,
                                "Key": {"pk": {"S": pk}, "sk": {"S": "counter"}},
                                "UpdateExpression": "ADD n :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                ])
                return True
            except ClientError as error:
                if error.response["Error"]["Code"] == "TransactionCanceledException":
                    return False
                raise

        assert race(clients, claim) == 1
        counter = clients[0].get_item(TableName=stack.table_name, ConsistentRead=True,
                                      Key={"pk": {"S": pk}, "sk": {"S": "counter"}})["Item"]
        assert counter["n"]["N"] == "1"


def test_conditional_decrement_never_oversells(stack, clients):
    from botocore.exceptions import ClientError

    key = {"pk": {"S": "STOCKRACE#" + uuid.uuid4().hex}, "sk": {"S": "stock"}}
    clients[0].put_item(TableName=stack.table_name, Item={**key, "units": {"N": "7"}})

    def take(client):
        try:
            client.update_item(TableName=stack.table_name, Key=key,
                               UpdateExpression="SET units = units - :one",
                               ConditionExpression="units >= :one",
                               ExpressionAttributeValues={":one": {"N": "1"}})
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    assert race(clients, take) == 7
    item = clients[0].get_item(TableName=stack.table_name, Key=key, ConsistentRead=True)["Item"]
    assert item["units"]["N"] == "0"


def test_sqs_long_polls_do_not_hold_up_dynamodb(stack, clients):
    import boto3

    sqs = boto3.session.Session().client("sqs", endpoint_url=stack.aws_endpoint)
    url = sqs.create_queue(QueueName="longpoll-" + uuid.uuid4().hex[:8])["QueueUrl"]
    pollers = [threading.Thread(target=sqs.receive_message,
                                kwargs={"QueueUrl": url, "WaitTimeSeconds": 2})
               for _ in range(4)]
    try:
        for poller in pollers:
            poller.start()
        time.sleep(0.3)
        started = time.monotonic()
        clients[0].put_item(TableName=stack.table_name,
                            Item={"pk": {"S": "POLL#" + uuid.uuid4().hex}, "sk": {"S": "x"}})
        assert time.monotonic() - started < 1.5
    finally:
        for poller in pollers:
            poller.join()
        sqs.delete_queue(QueueUrl=url)
