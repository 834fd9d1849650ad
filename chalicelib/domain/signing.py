"""The request signature of merchants and channels (contract section 2), as pure functions."""
import hashlib
import hmac
import re
from urllib.parse import quote

TIMESTAMP_WINDOW_SECONDS = 300
NONCE_TTL_SECONDS = 15 * 60
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


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


def signature_matches(secret: str, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, message), signature.lower())


def timestamp_fresh(timestamp: str, now: float) -> bool:
    return timestamp.isdigit() and abs(int(timestamp) - now) <= TIMESTAMP_WINDOW_SECONDS


def nonce_well_formed(nonce: str) -> bool:
    return bool(NONCE_PATTERN.match(nonce or ""))
