"""The local server's cheaper transaction rollback keeps moto's all-or-nothing behaviour."""
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


def test_a_table_query_reads_only_its_partition_and_answers_as_before(aws_memory):
    from chalicelib.local import moto_speedups
    moto_speedups.install()
    client = aws_memory.client("dynamodb")
    name = aws_memory.table_name
    for pk in ("p1", "p2"):
        for sk in ("c", "a", "b", "d"):
            client.put_item(TableName=name, Item={"pk": {"S": pk}, "sk": {"S": sk}, "gsi1pk": {"S": "g"},
                                                  "gsi1sk": {"S": pk + sk}})
    query = dict(TableName=name, KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
                 ExpressionAttributeValues={":p": {"S": "p2"}, ":lo": {"S": "b"}, ":hi": {"S": "d"}})
    page = client.query(**query, Limit=2)
    assert [i["sk"]["S"] for i in page["Items"]] == ["b", "c"]
    rest = client.query(**query, ExclusiveStartKey=page["LastEvaluatedKey"])
    assert [i["sk"]["S"] for i in rest["Items"]] == ["d"]
    backwards = client.query(**query, ScanIndexForward=False)
    assert [i["sk"]["S"] for i in backwards["Items"]] == ["d", "c", "b"]
    assert client.query(TableName=name, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "none"}})["Items"] == []
    index = client.query(TableName=name, IndexName="gsi1", KeyConditionExpression="gsi1pk = :g",
                         ExpressionAttributeValues={":g": {"S": "g"}})
    assert len(index["Items"]) == 8


def test_an_index_query_reads_only_its_index_partition_and_stays_right_through_every_write(aws_memory):
    """Random puts, updates, deletes, transactions (some cancelled) and batch writes move items in
    and out of index partitions; every index query answers what a scan says it should."""
    import random

    from chalicelib.local import moto_speedups
    moto_speedups.install()
    client = aws_memory.client("dynamodb")
    name = aws_memory.table_name
    rng = random.Random(4)
    key = lambda i: {"pk": {"S": f"item-{i}"}, "sk": {"S": "X"}}

    def attrs():
        found = {}
        if rng.random() < 0.8:
            found["gsi1pk"] = {"S": f"part-{rng.randint(0, 3)}"}
            found["gsi1sk"] = {"S": f"{rng.randint(0, 50):03d}"}
        return found

    ranges = {None: lambda sk: True, "between": lambda sk: "010" <= sk <= "030",
              "begins": lambda sk: sk.startswith("02"), "after": lambda sk: sk > "040"}
    conditions = {None: ("", {}), "between": (" AND gsi1sk BETWEEN :lo AND :hi", {":lo": {"S": "010"}, ":hi": {"S": "030"}}),
                  "begins": (" AND begins_with(gsi1sk, :b)", {":b": {"S": "02"}}),
                  "after": (" AND gsi1sk > :a", {":a": {"S": "040"}})}

    def expected(partition, kind=None, forward=True):
        items = client.scan(TableName=name, ConsistentRead=True)["Items"]
        chosen = [i for i in items if i.get("gsi1pk") == {"S": partition} and "gsi1sk" in i
                  and ranges[kind](i["gsi1sk"]["S"])]
        return sorted(((i["gsi1sk"]["S"], i["pk"]["S"]) for i in chosen), reverse=not forward)

    def queried(partition, kind=None, forward=True):
        extra, values = conditions[kind]
        pages = client.get_paginator("query").paginate(
            TableName=name, IndexName="gsi1", KeyConditionExpression="gsi1pk = :p" + extra,
            ExpressionAttributeValues={":p": {"S": partition}, **values}, ScanIndexForward=forward,
            PaginationConfig={"PageSize": 3})
        return [(i["gsi1sk"]["S"], i["pk"]["S"]) for page in pages for i in page["Items"]]

    assert queried("part-0") == []  # the partitions are built now, then kept up to date
    for step in range(300):
        i, roll = rng.randint(0, 30), rng.random()
        if roll < 0.3:
            client.put_item(TableName=name, Item={**key(i), **attrs()})
        elif roll < 0.5:
            new = attrs()
            if new:
                client.update_item(TableName=name, Key=key(i), UpdateExpression="SET gsi1pk = :p, gsi1sk = :s",
                                   ExpressionAttributeValues={":p": new["gsi1pk"], ":s": new["gsi1sk"]})
            else:
                client.update_item(TableName=name, Key=key(i), UpdateExpression="REMOVE gsi1pk")
        elif roll < 0.65:
            client.delete_item(TableName=name, Key=key(i))
        elif roll < 0.85:
            ops = [{"Put": {"TableName": name, "Item": {**key(i), **attrs()}}},
                   {"Delete": {"TableName": name, "Key": key(i + 31)}}]
            if rng.random() < 0.4:
                ops.append({"ConditionCheck": {"TableName": name, "Key": key(i + 62),
                                               "ConditionExpression": "attribute_exists(pk)"}})
            try:
                client.transact_write_items(TransactItems=ops)
            except ClientError:
                pass
        else:
            client.batch_write_item(RequestItems={name: [
                {"PutRequest": {"Item": {**key(i), **attrs()}}}, {"DeleteRequest": {"Key": key(i + 1)}}]})
        if step % 25 == 0:
            for partition in ("part-0", "part-1", "part-2", "part-3"):
                for kind in ranges:
                    assert queried(partition, kind) == expected(partition, kind), (step, kind)
                assert queried(partition, "between", False) == expected(partition, "between", False), step


def test_item_answers_written_as_plain_json_are_what_moto_would_write(aws_memory):
    """Every kind of attribute value, through every item operation: the answer moto's serializer
    writes and the plain JSON one decode to the same thing."""
    import json

    from moto.core import responses

    from chalicelib.local import moto_speedups
    moto_speedups.install()
    client = aws_memory.client("dynamodb")
    name = aws_memory.table_name
    item = {"pk": {"S": "plain"}, "sk": {"S": "json"}, "n": {"N": "12.50"}, "b": {"B": b"\x00\xffbytes"},
            "bs": {"BS": [b"a", b"\x01"]}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]},
            "l": {"L": [{"S": "in"}, {"N": "3"}, {"NULL": True}]}, "m": {"M": {"deep": {"BOOL": False}}},
            "z": {"S": "中文 ✓"}, "gsi1pk": {"S": "plain-index"}, "gsi1sk": {"S": "1"}}
    key = {"pk": item["pk"], "sk": item["sk"]}
    calls = [
        ("PutItem", lambda: client.put_item(TableName=name, Item=item, ReturnValues="ALL_OLD")),
        ("PutItem", lambda: client.put_item(TableName=name, Item=item, ReturnValues="ALL_OLD")),
        ("GetItem", lambda: client.get_item(TableName=name, Key=key, ConsistentRead=True)),
        ("GetItem", lambda: client.get_item(TableName=name, Key={"pk": {"S": "none"}, "sk": {"S": "x"}})),
        ("UpdateItem", lambda: client.update_item(TableName=name, Key=key, UpdateExpression="ADD n :one",
                                                  ExpressionAttributeValues={":one": {"N": "1"}},
                                                  ReturnValues="ALL_NEW")),
        ("Query", lambda: client.query(TableName=name, KeyConditionExpression="pk = :p",
                                       ExpressionAttributeValues={":p": {"S": "plain"}}, Limit=1)),
        ("Query", lambda: client.query(TableName=name, IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
                                       ExpressionAttributeValues={":p": {"S": "plain-index"}})),
        ("Scan", lambda: client.scan(TableName=name, Limit=5)),
        ("BatchGetItem", lambda: client.batch_get_item(RequestItems={name: {"Keys": [key]}})),
        ("TransactWriteItems", lambda: client.transact_write_items(TransactItems=[
            {"Update": {"TableName": name, "Key": key, "UpdateExpression": "SET z = :z",
                        "ExpressionAttributeValues": {":z": {"S": "t"}}}}])),
        ("DeleteItem", lambda: client.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")),
    ]
    plain = responses.ActionResult.execute_result
    model_driven = plain.__wrapped__
    for operation, call in calls:
        seen = {}

        def both(self, context, seen=seen):
            seen["plain"] = plain(self, context)
            seen["model"] = model_driven(self, context)
            return seen["model"]

        responses.ActionResult.execute_result = both
        try:
            answer = call()
        finally:
            responses.ActionResult.execute_result = plain
        assert seen, operation
        assert seen["plain"][0] == seen["model"][0]
        assert json.loads(seen["plain"][2]) == json.loads(seen["model"][2]), operation
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_an_index_query_answers_what_the_index_projects_in_key_order(aws_memory):
    from chalicelib.local import moto_speedups
    moto_speedups.install()
    client = aws_memory.client("dynamodb")
    name = aws_memory.table_name
    for n, (pk, g, gs) in enumerate([("p1", "g", "3"), ("p2", "g", "1"), ("p3", "other", "0"), ("p4", "g", "2"),
                                     ("p5", "g", "9")]):
        client.put_item(TableName=name, Item={"pk": {"S": pk}, "sk": {"S": "x"}, "gsi4pk": {"S": g},
                                              "gsi4sk": {"S": gs}, "order_id": {"S": f"o{n}"}, "big": {"S": "y"}})
    query = dict(TableName=name, IndexName="gsi4", KeyConditionExpression="gsi4pk = :g AND gsi4sk BETWEEN :lo AND :hi",
                 ExpressionAttributeValues={":g": {"S": "g"}, ":lo": {"S": "1"}, ":hi": {"S": "3"}})
    page = client.query(**query, Limit=2)
    assert [i["gsi4sk"]["S"] for i in page["Items"]] == ["1", "2"]
    assert "big" not in page["Items"][0] and page["Items"][0]["order_id"] == {"S": "o1"}   # INCLUDE projection
    rest = client.query(**query, ExclusiveStartKey=page["LastEvaluatedKey"])
    assert [i["gsi4sk"]["S"] for i in rest["Items"]] == ["3"] and "LastEvaluatedKey" not in rest
    backwards = client.query(**query, ScanIndexForward=False)
    assert [i["pk"]["S"] for i in backwards["Items"]] == ["p1", "p4", "p2"]
