"""Use cases of the platform admin and console logins: merchants, channels, operators, sessions."""
from functools import lru_cache

from chalicelib.config import settings
from chalicelib.domain import clock, secrets
from chalicelib.domain.errors import Forbidden, InvalidSession, NotFound, ValidationFailed
from chalicelib.store.accounts import AccountStore

SESSION_SECONDS = 12 * 3600
ROLES = ("operator", "supervisor")


def create_merchant(name: str, store: AccountStore = None) -> dict:
    store = store or AccountStore()
    merchant_id = secrets.new_id("m_")
    salt = secrets.new_salt()
    store.create_merchant(merchant_id, name, salt)
    return {"merchant_id": merchant_id, "secret": _secret("merchant", merchant_id, salt)}


def rotate_merchant_secret(merchant_id: str, store: AccountStore = None) -> dict:
    store = store or AccountStore()
    salt = secrets.new_salt()
    store.rotate_merchant_salt(merchant_id, salt, clock.now() + secrets.ROTATION_GRACE_SECONDS)
    return {"secret": _secret("merchant", merchant_id, salt)}


def create_channel(name: str, merchant_ids: list, store: AccountStore = None) -> dict:
    store = store or AccountStore()
    missing = [m for m in merchant_ids if store.merchant(m) is None]
    if missing:
        raise ValidationFailed("Unknown merchants", [{"field": "merchant_ids", "message": f"unknown merchant {m}"}
                                                    for m in missing])
    channel_id = secrets.new_id("ch_")
    salt = secrets.new_salt()
    store.create_channel(channel_id, name, list(dict.fromkeys(merchant_ids)), salt)
    return {"channel_id": channel_id, "secret": _secret("channel", channel_id, salt)}


def create_operator(merchant_id: str, username: str, password: str, role: str,
                    store: AccountStore = None) -> dict:
    store = store or AccountStore()
    if store.merchant(merchant_id) is None:
        raise NotFound("no such merchant")
    store.create_operator(merchant_id, username, secrets.hash_password(password), role)
    return {"merchant_id": merchant_id, "username": username, "role": role}


def login(merchant_id: str, username: str, password: str, store: AccountStore = None) -> dict:
    store = store or AccountStore()
    operator = verify_operator(merchant_id, username, password, store)
    if operator is None:
        raise InvalidSession("Unknown merchant, username or password")
    token = secrets.new_token("sess_")
    expires = clock.now() + SESSION_SECONDS
    store.create_session(secrets.token_hash(token), operator, expires)
    return {"token": token, "expires_at": clock.iso(expires), "role": operator["role"]}


def verify_operator(merchant_id: str, username: str, password: str, store: AccountStore = None):
    """The operator record when the password is right, else None (same work either way)."""
    store = store or AccountStore()
    operator = store.operator(merchant_id, username)
    stored = operator["password_hash"] if operator else _dummy_hash()
    ok = secrets.password_matches(password, stored)
    return operator if operator and ok else None


def verify_supervisor(merchant_id: str, username: str, password: str, store: AccountStore = None) -> dict:
    operator = verify_operator(merchant_id, username, password, store)
    if operator is None or operator["role"] != "supervisor":
        raise Forbidden("A supervisor's username and password are required")
    return operator


def _secret(kind: str, owner_id: str, salt: str) -> str:
    return secrets.derive_secret(settings().secret_key, kind, owner_id, salt)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the operator does not exist, so timing does not tell usernames."""
    return secrets.hash_password("not-a-password")
