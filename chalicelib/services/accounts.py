"""Use cases of the platform admin and of console users: merchants, channels, users, sessions.

Console users are operators, supervisors and managers (contract section 2). Every password check
(a login, a supervisor's authorization of a reprint) first takes one of the user's ten slots
(store/attempts.py), so ten failures within 15 minutes lock that user's checks until a slot frees.
A session names the user and the user's generation; any change of the user starts a new
generation, so the user's older sessions stop working at the next request.
"""
from functools import lru_cache
from typing import Optional

from chalicelib.config import settings
from chalicelib.domain import clock, secrets
from chalicelib.domain.errors import Forbidden, InvalidSession, NotFound, ValidationFailed
from chalicelib.store.accounts import AccountStore
from chalicelib.store.attempts import AttemptStore

SESSION_SECONDS = 12 * 3600
ROLES = ("operator", "supervisor", "manager")
DESK_ROLES = ("operator", "supervisor")   # what a supervisor may create and change


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


# console users ---------------------------------------------------------------------------------
def create_operator(merchant_id: str, username: str, password: str, role: str,
                    by_supervisor: bool = False, store: AccountStore = None) -> dict:
    """A console user of any role; a supervisor creates operators and supervisors only."""
    store = store or AccountStore()
    if by_supervisor and role not in DESK_ROLES:
        raise Forbidden("A supervisor creates operators and supervisors; managers are created by the "
                        "admin, the merchant's signed requests or a manager")
    if store.merchant(merchant_id) is None:
        raise NotFound("no such merchant")
    store.create_operator(merchant_id, username, secrets.hash_password(password), role)
    return {"merchant_id": merchant_id, "username": username, "role": role}


def change_operator(merchant_id: str, username: str, password: Optional[str] = None,
                    role: Optional[str] = None, disabled: Optional[bool] = None,
                    by_supervisor: bool = False, store: AccountStore = None) -> dict:
    """Change a user's password, role or disabled flag; the user's sessions end at once."""
    store = store or AccountStore()
    if by_supervisor and role is not None and role not in DESK_ROLES:
        raise Forbidden("A supervisor gives the roles operator and supervisor only")
    changes = {"role": role, "disabled": disabled,
               "password_hash": secrets.hash_password(password) if password is not None else None}
    changes = {k: v for k, v in changes.items() if v is not None}
    updated = store.update_operator(merchant_id, username, changes,
                                    only_roles=DESK_ROLES if by_supervisor else None)
    return user_view(updated)


def list_operators(merchant_id: str, limit: int, start: Optional[dict], store: AccountStore = None) -> tuple:
    """(users as user_view, last key or None), by username."""
    store = store or AccountStore()
    items, last = store.operators(merchant_id, limit, start)
    return [user_view(i) for i in items], last


def user_view(item: dict) -> dict:
    """What the console may see of a user: never the password hash."""
    return {"username": item["username"], "role": item["role"], "disabled": bool(item.get("disabled")),
            "created_at": item.get("created_at"), "updated_at": item.get("updated_at") or item.get("created_at")}


# password checks and sessions -------------------------------------------------------------------
def login(merchant_id: str, username: str, password: str, store: AccountStore = None) -> dict:
    store = store or AccountStore()
    operator = verify_operator(merchant_id, username, password, store)
    if operator is None or operator.get("disabled"):
        raise InvalidSession("Unknown merchant, username or password")
    token = secrets.new_token("sess_")
    expires = clock.now() + SESSION_SECONDS
    store.create_session(secrets.token_hash(settings().secret_key, token), operator, expires)
    return {"token": token, "expires_at": clock.iso(expires), "role": operator["role"]}


def verify_operator(merchant_id: str, username: str, password: str, store: AccountStore = None,
                    attempts: AttemptStore = None):
    """The user's record when the password is right, else None (the same work either way, known
    user or not). Raises TooManyAttempts after ten failures for the user within 15 minutes."""
    store = store or AccountStore()
    attempts = attempts or AttemptStore(store.table)
    attempt = attempts.take(merchant_id, username)
    operator = store.operator(merchant_id, username)
    stored = operator["password_hash"] if operator else _dummy_hash()
    ok = secrets.password_matches(password, stored) and operator is not None
    if ok:
        attempts.give_back(attempt)
    return operator if ok else None


def verify_supervisor(merchant_id: str, username: str, password: str, store: AccountStore = None) -> dict:
    """A supervisor's (or manager's) authorization: password checked like a login."""
    operator = verify_operator(merchant_id, username, password, store)
    if operator is None or operator.get("disabled") or operator["role"] not in ("supervisor", "manager"):
        raise Forbidden("A supervisor's username and password are required")
    return operator


def session_user(token: str, store: AccountStore = None) -> Optional[dict]:
    """The user behind a session token, read fresh on every use: None when the token is unknown
    or expired, or the user is gone, disabled or changed since the session began."""
    store = store or AccountStore()
    session_key = secrets.token_hash(settings().secret_key, token)
    session = store.session(session_key)
    if session is None:
        return None
    user = store.operator(session["merchant_id"], session["username"])
    if user is None or user.get("disabled") or user.get("generation", 0) != session.get("generation", 0):
        return None
    return {"merchant_id": user["merchant_id"], "username": user["username"], "role": user["role"],
            "session_key": session_key}


def logout(session_key: str, store: AccountStore = None) -> None:
    (store or AccountStore()).delete_session(session_key)


def _secret(kind: str, owner_id: str, salt: str) -> str:
    return secrets.derive_secret(settings().secret_key, kind, owner_id, salt)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the operator does not exist, so timing does not tell usernames."""
    return secrets.hash_password("not-a-password")
