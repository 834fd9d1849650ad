"""The request signature of merchants and channels (contract section 2), as pure functions.

Each header has one exact form, checked whole (`fullmatch`, explicit ASCII classes: never
`str.isdigit` or `int()`, which take `²³`, `１７`, `+17`, ` 17` and `1_7`). A header not of its form
is a malformed request (`signature_invalid`), whatever else is wrong with it; only a well-formed
timestamp can be stale (`signature_expired`).
"""
import hashlib
import hmac
import re
from typing import List
from urllib.parse import quote

TIMESTAMP_WINDOW_SECONDS = 300
NONCE_TTL_SECONDS = 15 * 60
FORMS = {
    "X-Onceship-Key": (re.compile(r"[A-Za-z0-9_-]{1,64}"), "an Onceship id"),
    "X-Onceship-Timestamp": (re.compile(r"[0-9]{1,12}"), "Unix seconds: 1-12 ASCII digits"),
    "X-Onceship-Nonce": (re.compile(r"[A-Za-z0-9_-]{16,64}"), "16-64 of A-Z a-z 0-9 _ -"),
    "X-Onceship-Signature": (re.compile(r"[0-9a-fA-F]{64}"), "64 hex digits"),
}
NONCE_PATTERN = FORMS["X-Onceship-Nonce"][0]


def canonical_query(params: dict) -> str:
    """`params` maps a decoded name to a list of decoded values."""
    pairs = sorted((name, value) for name, values in params.items() for value in values)
    return "&".join(f"{_encode(name)}={_encode(value)}" for name, value in pairs)


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def string_to_sign(method: str, path: str, query: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join([method.upper(), path, query, timestamp, nonce, hashlib.sha256(body).hexdigest()])


def sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def malformed(headers: dict) -> List[str]:
    """What is wrong with the signed-request headers (by their names in FORMS; missing ones as
    ""): one message per header that is missing or not of its form; empty when all are fine."""
    problems = []
    for name, (form, shape) in FORMS.items():
        value = headers.get(name) or ""
        if not form.fullmatch(value):
            problems.append(f"{name} is {'missing' if not value else 'not ' + shape}")
    return problems


def signature_matches(secret: str, message: str, signature: str) -> bool:
    """`signature` must be well formed (64 hex digits, either case)."""
    return hmac.compare_digest(sign(secret, message), signature.lower())


def timestamp_fresh(timestamp: str, now: float) -> bool:
    """`timestamp` must be well formed; within 300 s of `now` either way."""
    return _well_formed("X-Onceship-Timestamp", timestamp) and abs(int(timestamp) - now) <= TIMESTAMP_WINDOW_SECONDS


def nonce_well_formed(nonce: str) -> bool:
    return _well_formed("X-Onceship-Nonce", nonce)


def _well_formed(name: str, value: str) -> bool:
    return bool(FORMS[name][0].fullmatch(value or ""))
