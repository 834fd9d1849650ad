"""Who is calling (contract section 2), once api/auth.py has read the credentials off the
request: the platform admin's token, a console session's user, the merchant or channel whose
secret signed a request, and that request's nonce (recorded once, so a replay is refused)."""
import hmac
from typing import Optional

from chalicelib.config import settings
from chalicelib.domain import clock, secrets, signing
from chalicelib.domain.errors import SignatureInvalid
from chalicelib.services import accounts
from chalicelib.store.accounts import AccountStore, PendingNonce

ACCOUNT_CACHE_SECONDS = 30
_accounts: dict = {}  # key id -> (valid until, account record, kind)


def is_admin(token: str) -> bool:
    admin = settings().admin_token
    return bool(admin) and hmac.compare_digest(token.encode(), admin.encode())


def session_user(token: str) -> Optional[dict]:
    """The console user of a session token (services/accounts.py), or None."""
    return accounts.session_user(token)


def pending_nonce(key_id: str, nonce: str) -> PendingNonce:
    """A verified request's nonce, written by `settle()` or inside the request's own transaction."""
    return PendingNonce(key_id, nonce, signing.NONCE_TTL_SECONDS, AccountStore())


def signing_account(key_id: str, message: str, signature: str) -> tuple:
    """(account, "merchant" | "channel") whose live secret signed `message`, or SignatureInvalid.
    A warm process keeps the accounts it has verified for ACCOUNT_CACHE_SECONDS and accepts from
    the cache only the secret that was newest when cached; anything else is checked against the
    table, so a new secret works at once and a retired one is refused once the table says so (a
    secret retired by two rotations within ACCOUNT_CACHE_SECONDS may live that long in a warm
    process)."""
    now = clock.now()
    cached = _accounts.get(key_id)
    if cached and cached[0] > now:
        newest = secrets.derive_secret(settings().secret_key, cached[2], key_id, cached[1]["salt"])
        if signing.signature_matches(newest, message, signature):
            return cached[1], cached[2]
    account, kind = _account(key_id, AccountStore())
    if account is None or not _signed_by(account, kind, key_id, message, signature):
        _accounts.pop(key_id, None)
        raise SignatureInvalid()
    _accounts[key_id] = (now + ACCOUNT_CACHE_SECONDS, account, kind)
    return account, kind


def forget() -> None:
    """Drop the warm process's verified accounts (what a cold start does not have)."""
    _accounts.clear()


def _signed_by(account: dict, kind: str, key_id: str, message: str, signature: str) -> bool:
    return any(signing.signature_matches(s, message, signature) for s in _live_secrets(account, kind, key_id))


def _account(key_id: str, store: AccountStore):
    if key_id.startswith("ch_"):
        return store.channel(key_id), "channel"
    return store.merchant(key_id), "merchant"


def _live_secrets(account: dict, kind: str, key_id: str) -> list:
    key = settings().secret_key
    found = [secrets.derive_secret(key, kind, key_id, account["salt"])]
    if account.get("prev_salt") and account.get("prev_valid_until", 0) > clock.now():
        found.append(secrets.derive_secret(key, kind, key_id, account["prev_salt"]))
    return found
