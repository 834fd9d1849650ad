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


def derive_secret(server_key: bytes, kind: str, owner_id: str, salt: str) -> "DerivedSecret":
    digest = hmac.new(server_key, f"{kind}|{owner_id}|{salt}".encode(), hashlib.sha256).digest()
    return DerivedSecret("sk_" + base64.urlsafe_b64encode(digest).decode().rstrip("="), (kind, owner_id, salt))


class DerivedSecret(str):
    """A secret as it is answered, carrying its `recipe` (kind, owner id, salt): whatever keeps
    an answer for later (an idempotent replay) keeps the recipe instead and derives the same
    secret again with `rederive`. The recipe alone, without the server key, gives nothing."""
    recipe: tuple

    def __new__(cls, value: str, recipe: tuple):
        made = super().__new__(cls, value)
        made.recipe = tuple(recipe)
        return made

    def with_prefix(self, prefix: str, strip: int = 0) -> "DerivedSecret":
        """The same secret shown as `prefix` + self[strip:] (webhook signing secrets: whsec_...)."""
        return DerivedSecret(prefix + self[strip:], self.recipe + (prefix, strip))


def rederive(server_key: bytes, recipe: tuple) -> str:
    kind, owner_id, salt, *shown = recipe
    secret = derive_secret(server_key, kind, owner_id, salt)
    return secret.with_prefix(*shown) if shown else secret


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
