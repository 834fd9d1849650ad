"""Credentials: API secrets derived from a server key, and slow salted password hashes.

A merchant's or channel's signing secret is never stored: the table holds a random salt, and
the secret is HMAC(server key, kind|id|salt). A table dump alone reveals no secret; rotating
means a new salt, and the previous salt is kept 24 hours so the old secret keeps working.
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


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(8)
