"""Credentials: API secrets derived from a server key, and slow salted password hashes.

A merchant's or channel's signing secret is never stored: the table holds a random salt, and
the secret is HMAC(server key, kind|id|salt). A table dump alone reveals no secret; rotating
means a new salt, and the previous salt is kept 24 hours so the old secret keeps working.

Whatever else must be recognised later without being kept (session tokens, the fingerprint of a
request body that may hold a password) is stored only as a keyed hash (`keyed_hash`): without the
server key, a table dump gives nothing to test guesses against offline.
"""
import base64
import hashlib
import hmac
import secrets

ROTATION_GRACE_SECONDS = 24 * 3600
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}


def new_salt() -> str:
    return secrets.token_hex(16)


def derive_secret(server_key: bytes, kind: str, owner_id: str, salt: str) -> str:
    digest = hmac.new(server_key, f"{kind}|{owner_id}|{salt}".encode(), hashlib.sha256).digest()
    return "sk_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, salt, digest = stored.split("$")
    except (AttributeError, ValueError):
        return False
    if scheme != "scrypt":
        return False
    params = dict(_SCRYPT, n=int(n))
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **params)
    return hmac.compare_digest(candidate.hex(), digest)


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def keyed_hash(server_key: bytes, purpose: str, data: bytes) -> str:
    """HMAC-SHA256 under the server key, separated by `purpose`, as hex."""
    return hmac.new(server_key, purpose.encode() + b"|" + data, hashlib.sha256).hexdigest()


def token_hash(server_key: bytes, token: str) -> str:
    """How a session token is stored and looked up."""
    return keyed_hash(server_key, "session", token.encode())


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(8)
