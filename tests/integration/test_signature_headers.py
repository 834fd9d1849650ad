"""Malformed signed-request headers (contract section 2), through HTTP on the live stack: each
answers 401 signature_invalid, never signature_expired and never a 5xx; only a well-formed
timestamp outside ±300 s is signature_expired.

Every request below is otherwise correctly signed over the very header values sent (as the server
reads them: HTTP header bytes are latin-1), so a server that parsed a header leniently (`int()`
takes `²³`, `１７００…` and `+17…`) would accept it instead of refusing it."""
import hashlib
import hmac
import re
import time
import uuid

import pytest
import requests

from tests.helpers import assert_problem, new_merchant

PATH = "/v1/sync-switches"
NOW = str(int(time.time()))


@pytest.fixture(scope="module")
def merchant(stack):
    return new_merchant(stack)


def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _send(stack, merchant, key=None, timestamp=None, nonce=None, signature=None, secret=None):
    """GET PATH with the given header values (str or raw bytes); the others are right."""
    key = merchant.merchant_id if key is None else key
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    nonce = uuid.uuid4().hex if nonce is None else nonce
    if signature is None:
        message = "\n".join(["GET", PATH, "", _text(timestamp), _text(nonce), hashlib.sha256(b"").hexdigest()])
        signature = hmac.new((secret or merchant.secret).encode(), message.encode("utf-8", "surrogateescape"),
                             hashlib.sha256).hexdigest()
    headers = {"X-Onceship-Key": key, "X-Onceship-Timestamp": timestamp, "X-Onceship-Nonce": nonce,
               "X-Onceship-Signature": signature}
    return requests.get(stack.api_url + PATH, headers=headers, timeout=30)


def _id(value) -> str:
    """A stable test id: runs of digits (parts of the current time) shown as <n>, bytes as their
    latin-1 reading."""
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    return ("b" if isinstance(value, bytes) else "") + repr(re.sub(r"[0-9]{4,}", "<n>", text))[:40]


def _invalid(answer):
    assert answer.status_code == 401, (answer.status_code, answer.text)
    assert_problem(answer, 401, "signature_invalid")


MALFORMED_TIMESTAMPS = [
    "abc", "1.7e9", NOW + ".0", "1.7E9", "0x65A0B0C0", "+" + NOW, "-0", "-" + NOW, "9" * 13, "9" * 40, "1" * 5000,
    NOW + " ", "1 " + NOW[1:], NOW + "\t", NOW[:5] + "_" + NOW[5:],
    "²³".encode("utf-8"),                      # bytes that are not ASCII
    "²³".encode("latin-1"),                    # read by the server as the str '²³', which int() takes
    "１７００".encode("utf-8") + NOW[4:].encode(),   # full-width digits, which int() takes too
    "\u0661\u0667".encode("utf-8") + NOW[2:].encode(),  # Arabic-Indic digits
    NOW.encode() + b"\xa0",                    # a non-breaking space (latin-1)
    NOW.encode() + "\u3000".encode("utf-8"),  # an ideographic space
]


@pytest.mark.parametrize("timestamp", MALFORMED_TIMESTAMPS, ids=_id)
def test_a_malformed_timestamp_is_signature_invalid(stack, merchant, timestamp):
    _invalid(_send(stack, merchant, timestamp=timestamp))


MALFORMED_NONCES = [
    "short", "n" * 15, "n" * 65, "has space in it!", "dots.are.not.allowed", "base64+and/slash=",
    "é".encode("utf-8") * 16, b"\xe9" * 16, b"n" * 15 + b"\xff", "ノンス".encode("utf-8") * 6,
    uuid.uuid4().hex + " ",
]


@pytest.mark.parametrize("nonce", MALFORMED_NONCES, ids=_id)
def test_a_malformed_nonce_is_signature_invalid(stack, merchant, nonce):
    _invalid(_send(stack, merchant, nonce=nonce))


MALFORMED_SIGNATURES = ["0" * 63, "0" * 65, "g" * 64, "0" * 62 + "é", ("é" * 64).encode("utf-8"), b"\xe9" * 64,
                        "0" * 63 + " ", "0x" + "0" * 62, "sig", "０" * 64]


@pytest.mark.parametrize("signature", MALFORMED_SIGNATURES, ids=_id)
def test_a_malformed_signature_is_signature_invalid(stack, merchant, signature):
    if isinstance(signature, str) and not signature.isascii():
        signature = signature.encode("utf-8")
    _invalid(_send(stack, merchant, signature=signature))


@pytest.mark.parametrize("key", ["m_é".encode("utf-8"), b"m_\xe9\xe9", "商户".encode("utf-8"), "m 1", "m_1#2",
                                 "k" * 65], ids=_id)
def test_a_malformed_key_is_signature_invalid(stack, merchant, key):
    _invalid(_send(stack, merchant, key=key))


def test_a_non_ascii_byte_after_a_real_key_is_signature_invalid(stack, merchant):
    _invalid(_send(stack, merchant, key=merchant.merchant_id.encode() + b"\xe9"))
    _invalid(_send(stack, merchant, key=merchant.merchant_id.encode() + "é".encode("utf-8")))


@pytest.mark.parametrize("missing", ["X-Onceship-Key", "X-Onceship-Timestamp", "X-Onceship-Nonce",
                                     "X-Onceship-Signature"])
def test_a_missing_header_is_signature_invalid(stack, merchant, missing):
    fields = {"key": "", "timestamp": "", "nonce": "", "signature": ""}
    name = missing.split("-")[-1].lower()
    _invalid(_send(stack, merchant, **{name: fields[name]}))


def test_malformed_beats_stale(stack, merchant):
    """A stale request with any malformed header is malformed, not expired."""
    stale = str(int(time.time()) - 3600)
    _invalid(_send(stack, merchant, timestamp=stale, nonce="short"))
    _invalid(_send(stack, merchant, timestamp=stale, signature="g" * 64))
    _invalid(_send(stack, merchant, timestamp=stale, signature=b"\xe9" * 64))
    _invalid(_send(stack, merchant, timestamp=stale, key=b"m_\xe9"))


def test_only_a_well_formed_timestamp_outside_the_window_is_expired(stack, merchant):
    for timestamp in (str(int(time.time()) - 301), str(int(time.time()) + 400), "0", "999999999999"):
        assert_problem(_send(stack, merchant, timestamp=timestamp), 401, "signature_expired")


def test_well_formed_requests_still_pass(stack, merchant):
    assert _send(stack, merchant).status_code == 200
    assert _send(stack, merchant, nonce="A-z_09" * 10 + "abcd").status_code == 200   # 64 chars
    assert _send(stack, merchant, nonce="n" * 16).status_code == 200
    upper = _send(stack, merchant, nonce=uuid.uuid4().hex, signature=None)
    assert upper.status_code == 200
    # the signature in capitals is the same 64 hex digits
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
    message = "\n".join(["GET", PATH, "", timestamp, nonce, hashlib.sha256(b"").hexdigest()])
    signature = hmac.new(merchant.secret.encode(), message.encode(), hashlib.sha256).hexdigest().upper()
    assert _send(stack, merchant, timestamp=timestamp, nonce=nonce, signature=signature).status_code == 200


def test_a_wrong_signature_of_the_right_form_is_signature_invalid(stack, merchant):
    _invalid(_send(stack, merchant, signature="0" * 64))
    _invalid(_send(stack, merchant, secret=merchant.secret + "x"))


@pytest.mark.parametrize("token", ["Bearer " + "é" * 10, "Bearer \xe9\xe9", "Bearer sess_ü"], ids=_id)
def test_a_bearer_token_with_non_ascii_bytes_is_unauthenticated(stack, token):
    answer = requests.get(stack.api_url + PATH, headers={"Authorization": token.encode("utf-8")}, timeout=30)
    assert_problem(answer, 401, "unauthenticated")
