"""Idempotency-Key semantics of contract section 1, through HTTP on the live stack."""
import json
import time
import uuid

import boto3

from chalicelib.store import keys
from tests.helpers import admin, assert_problem


def test_same_key_same_request_replays_status_and_body(stack):
    key = uuid.uuid4().hex
    first = admin(stack).post("/v1/admin/merchants", {"name": "A"}, headers={"Idempotency-Key": key})
    again = admin(stack).post("/v1/admin/merchants", {"name": "A"}, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers


def test_same_key_different_body_is_a_mismatch(stack):
    key = uuid.uuid4().hex
    admin(stack).post("/v1/admin/merchants", {"name": "A"}, headers={"Idempotency-Key": key})
    assert_problem(admin(stack).post("/v1/admin/merchants", {"name": "B"}, headers={"Idempotency-Key": key}),
                   422, "idempotency_key_mismatch")


def test_validation_failure_is_not_remembered(stack):
    key = uuid.uuid4().hex
    assert_problem(admin(stack).post("/v1/admin/merchants", {"nam": "A"}, headers={"Idempotency-Key": key}),
                   422, "validation_error")
    fixed = admin(stack).post("/v1/admin/merchants", {"name": "A"}, headers={"Idempotency-Key": key})
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers


def test_key_length_is_checked(stack):
    assert_problem(admin(stack).post("/v1/admin/merchants", {"name": "A"}, headers={"Idempotency-Key": "k" * 256}),
                   422, "validation_error")


def _fingerprint_of_first(stack, key, body):
    # run once to learn the fingerprint the server stores, then rewrite the record as running
    admin(stack).post("/v1/admin/merchants", body, headers={"Idempotency-Key": key})
    table = boto3.client("dynamodb", endpoint_url=stack.aws_endpoint)
    pk, sk = keys.idempotency("admin", key)
    item = table.get_item(TableName=stack.table_name, Key={"pk": {"S": pk}, "sk": {"S": sk}})["Item"]
    return table, pk, sk, item


def test_in_progress_key_answers_409_then_expired_lock_is_taken_over(stack):
    key = uuid.uuid4().hex
    table, pk, sk, item = _fingerprint_of_first(stack, key, {"name": "A"})
    now = int(time.time())
    running = {"pk": {"S": pk}, "sk": {"S": sk}, "status": {"S": "running"},
               "fingerprint": item["fingerprint"], "lock_until": {"N": str(now + 60)},
               "ttl": {"N": str(now + 90000)}}
    table.put_item(TableName=stack.table_name, Item=running)
    assert_problem(admin(stack).post("/v1/admin/merchants", {"name": "A"}, headers={"Idempotency-Key": key}),
                   409, "idempotency_in_progress")
    # the first request crashed: once its lock expires the key is usable again
    running["lock_until"] = {"N": str(now - 1)}
    table.put_item(TableName=stack.table_name, Item=running)
    retried = admin(stack).post("/v1/admin/merchants", {"name": "A"}, headers={"Idempotency-Key": key})
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    replay = admin(stack).post("/v1/admin/merchants", {"name": "A"}, headers={"Idempotency-Key": key})
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert json.loads(replay.text) == retried.json()


def test_keys_are_scoped_to_the_caller(stack):
    from tests.helpers import new_merchant
    a, b = new_merchant(stack), new_merchant(stack)
    key = uuid.uuid4().hex
    body = {"username": "same", "password": "password-1", "role": "operator"}
    assert a.client.post("/v1/desk/operators", body, headers={"Idempotency-Key": key}).status_code == 201
    second = b.client.post("/v1/desk/operators", body, headers={"Idempotency-Key": key})
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers


def test_concurrent_same_key_creates_one_merchant(stack):
    from concurrent.futures import ThreadPoolExecutor
    from chalicelib.sdk import Client
    key = uuid.uuid4().hex

    def call(_):
        return Client(stack.api_url, ("bearer", stack.admin_token)).post(
            "/v1/admin/merchants", {"name": "race"}, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(call, range(12)))
    created = {a.json()["merchant_id"] for a in answers if a.status_code == 201}
    assert len(created) == 1
    assert all(a.status_code in (201, 409) for a in answers)
    assert all(a.json()["code"] == "idempotency_in_progress" for a in answers if a.status_code == 409)
