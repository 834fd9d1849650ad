"""Nothing crackable at rest (contract section 2 and guarantee 10), through HTTP on the live stack.

The test exercises what takes or hands out secrets (merchants, rotations, channels, console users,
logins and logouts, password changes, reprint authorizations, the webhook endpoint, the ERP
connection with its auth header and a poll that sends it), then reads every item of the table and
every small object of the bucket, and looks for each secret, password, session token and auth
header value it used, in plain text, hex and base64, and for the plain sha256 hex of each of them,
of every request body it sent and of every request the idempotency layer fingerprinted."""
import base64
import binascii
import gzip
import hashlib
import io
import re
import uuid
import zipfile
import zlib

import boto3
import pytest
import requests

from chalicelib.sdk import Client
from tests.fake_erp import FakeErp
from tests.helpers import assert_problem
from tests.integration.desk_support import Desk

SMALL_OBJECT = 5 * 1024 * 1024


class Recorder(requests.Session):
    """A requests session that keeps the body of every request it sends."""

    def __init__(self):
        super().__init__()
        self.bodies = []

    def send(self, prepared, **kwargs):
        body = prepared.body or b""
        self.bodies.append(body.encode() if isinstance(body, str) else body)
        return super().send(prepared, **kwargs)


class Used:
    """Every secret-like value the test handled, and the bodies it sent."""

    def __init__(self, stack):
        self.stack = stack
        self.http = Recorder()
        self.values = {}          # label -> value
        self.fingerprinted = []   # the texts the server fingerprinted

    def keep(self, label, value):
        assert value and isinstance(value, str), label
        self.values[label] = value
        return value

    def client(self, auth=None) -> Client:
        return Client(self.stack.api_url, auth, session=self.http)

    def admin(self) -> Client:
        return self.client(("bearer", self.stack.admin_token))

    def login(self, merchant_id, username, password) -> Client:
        answer = self.client().post("/v1/console/sessions", {"merchant_id": merchant_id, "username": username,
                                                             "password": password})
        assert answer.status_code == 201, answer.text
        return self.client(("bearer", self.keep(f"token of {username}", answer.json()["token"])))


def _post_twice(client, path, body=None):
    """An idempotent POST and its replay: the replay answers the same, secret included."""
    key = uuid.uuid4().hex
    first = client.post(path, body, headers={"Idempotency-Key": key})
    again = client.post(path, body, headers={"Idempotency-Key": key})
    assert first.status_code == 201 and again.status_code == 201, (first.text, again.text)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    return first.json()


def _exercise(used: Used) -> dict:
    """Drive every secret-bearing flow through HTTP; what the scan must still find is returned."""
    admin = used.admin()
    made = _post_twice(admin, "/v1/admin/merchants", {"name": "静态检查药房"})
    mid = made["merchant_id"]
    used.keep("merchant secret", made["secret"])
    merchant = used.client(("signed", mid, made["secret"]))
    assert merchant.get("/v1/sync-switches").status_code == 200
    rotated = _post_twice(admin, f"/v1/admin/merchants/{mid}/secret")["secret"]
    used.keep("rotated secret", rotated)
    replayed = used.client(("signed", mid, rotated))
    assert replayed.get("/v1/sync-switches").status_code == 200
    newest = used.keep("second rotated secret", admin.post(f"/v1/admin/merchants/{mid}/secret").json()["secret"])
    merchant = used.client(("signed", mid, newest))
    channel = _post_twice(admin, "/v1/admin/channels", {"name": "商城", "merchant_ids": [mid]})
    used.keep("channel secret", channel["secret"])
    assert used.client(("signed", channel["channel_id"], channel["secret"])).get("/v1/carriers").status_code == 200

    # console users: created by the admin (idempotent), the merchant and a manager
    passwords = {role: used.keep(f"{role} password", f"Pw-{role}-{uuid.uuid4().hex[:10]}")
                 for role in ("manager", "supervisor", "operator")}
    _post_twice(admin, f"/v1/admin/merchants/{mid}/operators",
                {"username": "boss", "password": passwords["manager"], "role": "manager"})
    manager = used.login(mid, "boss", passwords["manager"])
    _post_twice(merchant, "/v1/desk/operators",
                {"username": "sup", "password": passwords["supervisor"], "role": "supervisor"})
    _post_twice(manager, "/v1/desk/operators",
                {"username": "op", "password": passwords["operator"], "role": "operator"})
    wrong = used.keep("a wrong password", f"Guess-{uuid.uuid4().hex[:10]}")
    assert_problem(used.client().post("/v1/console/sessions", {"merchant_id": mid, "username": "op",
                                                               "password": wrong}), 401, "unauthenticated")
    operator = used.login(mid, "op", passwords["operator"])
    assert operator.request("DELETE", "/v1/console/sessions/current").status_code == 204
    changed = used.keep("changed password", f"New-{uuid.uuid4().hex[:10]}")
    assert manager.put("/v1/desk/operators/op", {"password": changed}).status_code == 200
    used.login(mid, "op", changed)
    used.login(mid, "sup", passwords["supervisor"])

    # a reprint authorized by a supervisor's password, idempotent, and one refused
    desk = Desk(used.stack)
    desk_password = used.keep("desk supervisor password", f"Desk-{uuid.uuid4().hex[:10]}")
    assert desk.merchant.client.post("/v1/desk/operators", {"username": "chief", "password": desk_password,
                                                            "role": "supervisor"}).status_code == 201
    order_id = desk.printed(1)[0]
    reprints = Client(used.stack.api_url, desk.operator.auth, session=used.http)
    _post_twice(reprints, f"/v1/desk/orders/{order_id}/reprints",
                {"reason": "卡纸", "supervisor": {"username": "chief", "password": desk_password}})
    assert_problem(reprints.post(f"/v1/desk/orders/{order_id}/reprints",
                                 {"reason": "卡纸", "supervisor": {"username": "chief", "password": wrong}},
                                 headers={"Idempotency-Key": uuid.uuid4().hex}), 403, "reprint_not_authorized")

    # the webhook endpoint's signing secret, and the ERP connection's auth header, sent by a poll
    hook = merchant.put("/v1/webhook-endpoint", {"url": "http://127.0.0.1:9/hooks", "events": ["order.paid"]})
    assert hook.status_code == 200, hook.text
    used.keep("webhook signing secret", hook.json()["signing_secret"])
    token = used.keep("ERP bearer token", f"erp-{uuid.uuid4().hex}")
    header = used.keep("ERP auth header", f"Authorization: Bearer {token}")
    with FakeErp([{"erp_product_id": "REST-1", "on_hand": 2}]) as erp:
        erp.required_header = ("Authorization", f"Bearer {token}")
        connected = merchant.put("/v1/erp-connection", {"inventory_url": erp.url, "poll_every_minutes": 1,
                                                        "auth_header": header})
        assert connected.status_code == 200, connected.text
        used.stack.pump.run_schedule("SchedulerTick")
        used.stack.pump.drain()
        assert merchant.get("/v1/erp-connection/status").json()["outcome"] == "ok"
        assert erp.requests, "the poll reached the ERP with the header"
    return {"merchant_id": mid, "desk_merchant_id": desk.mid, "erp_url": erp.url}


# what is stored ------------------------------------------------------------------------------
def _table_blobs(stack) -> list:
    client = boto3.client("dynamodb", endpoint_url=stack.aws_endpoint)
    blobs = []
    for page in client.get_paginator("scan").paginate(TableName=stack.table_name):
        for item in page["Items"]:
            blobs.append(b"\x00".join(_values(item)))
    return blobs


def _values(value) -> list:
    """Every string, number and binary inside a low-level DynamoDB item, as bytes."""
    if isinstance(value, dict):
        return [b for v in value.values() for b in _values(v)]
    if isinstance(value, list):
        return [b for v in value for b in _values(v)]
    if isinstance(value, bytes):
        return [value]
    if isinstance(value, str):
        return [value.encode()]
    return [str(value).encode()]


def _bucket_blobs(stack) -> list:
    s3 = boto3.client("s3", endpoint_url=stack.aws_endpoint)
    blobs = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack.bucket):
        for obj in page.get("Contents", []):
            if obj["Size"] <= SMALL_OBJECT:
                blobs.extend(_unpacked(s3.get_object(Bucket=stack.bucket, Key=obj["Key"])["Body"].read()))
            blobs.append(obj["Key"].encode())
    return blobs


def _unpacked(data: bytes) -> list:
    """The object, and what it holds compressed: xlsx members, gzip, PDF streams."""
    found = [data]
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            found += [archive.read(name) for name in archive.namelist()]
    elif data[:2] == b"\x1f\x8b":
        found.append(gzip.decompress(data))
    elif data[:5] == b"%PDF-":
        for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
            try:
                found.append(zlib.decompress(stream))
            except zlib.error:
                pass
    return found


# what is looked for ----------------------------------------------------------------------------
def _forms(value: bytes) -> set:
    """`value` as plain bytes, hex, and base64 (standard and URL-safe) at each of the three
    alignments it can have inside a longer base64 text (the characters that depend only on it)."""
    forms = {value, binascii.hexlify(value), binascii.hexlify(value).upper()}
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\x00" * pad + value)
            core = text[-(-8 * pad // 6):8 * (pad + len(value)) // 6]   # whole 6-bit groups of `value`
            if len(core) >= 16:
                forms.add(core)
    return forms


def _needles(used: Used) -> dict:
    needles = {}
    for label, value in used.values.items():
        raw = value.encode()
        for form in _forms(raw):
            needles[form] = label
        needles[hashlib.sha256(raw).hexdigest().encode()] = f"sha256 of {label}"
    for i, body in enumerate(b for b in used.http.bodies if b):
        needles[hashlib.sha256(body).hexdigest().encode()] = f"sha256 of request body {i}: {body[:80]!r}"
    for text in used.fingerprinted:
        needles[hashlib.sha256(text.encode()).hexdigest().encode()] = f"sha256 of fingerprinted {text[:80]!r}"
    return needles


def test_forms_are_found_inside_longer_encodings():
    """The search itself: a value inside longer base64 or hex text is found at every alignment."""
    value = b"sk_the-secret-value-0123456789"
    for pad in (b"", b"x", b"xy", b"xyz"):
        for encode in (base64.b64encode, base64.urlsafe_b64encode, binascii.hexlify):
            text = encode(pad + value + b"tail")
            assert any(form in text for form in _forms(value)), (pad, encode)


@pytest.fixture
def used(stack, monkeypatch):
    from chalicelib.api import pipeline
    recorder = Used(stack)
    real = pipeline.fingerprint_text

    def recording(route, ctx):
        text = real(route, ctx)
        recorder.fingerprinted.append(text)
        return text
    monkeypatch.setattr(pipeline, "fingerprint_text", recording)
    return recorder


def test_no_secret_password_token_or_plain_body_hash_is_stored(stack, used):
    seen = _exercise(used)
    assert len(used.fingerprinted) >= 10 and len(used.values) >= 14
    blobs = _table_blobs(stack) + _bucket_blobs(stack)
    stored = b"\x00\x01".join(blobs)
    # the scan sees what was written: the merchants, the URLs, the password hashes
    for expected in (seen["merchant_id"], seen["desk_merchant_id"], seen["erp_url"], "http://127.0.0.1:9/hooks",
                     "scrypt$"):
        assert expected.encode() in stored, expected
    leaks = sorted({label for needle, label in _needles(used).items() if needle in stored})
    assert leaks == [], leaks
