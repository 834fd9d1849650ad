"""Who is calling: the admin token, signed merchant and channel requests, console sessions."""
import hmac
from typing import Optional, Tuple
from urllib.parse import parse_qs, urlsplit

from chalicelib.api.handler import Caller
from chalicelib.config import settings
from chalicelib.domain import clock, secrets, signing
from chalicelib.domain.errors import (Forbidden, InvalidSession, SignatureExpired, SignatureInvalid,
                                      Unauthenticated)
from chalicelib.services import accounts
from chalicelib.store.accounts import AccountStore, PendingNonce

ACCOUNT_CACHE_SECONDS = 30
_accounts: dict = {}  # key id -> (valid until, account record, kind)

SIGNED_HEADERS = tuple(name.lower() for name in signing.FORMS)


def authenticate(request, allowed: Tuple[str, ...], store: Optional[AccountStore] = None,
                 defer_nonce: bool = False) -> Optional[Caller]:
    """The caller of `request`, checked against the kinds `allowed` (empty: public route).
    A signed request's nonce is recorded here, or, with `defer_nonce`, left to the caller as
    `caller.nonce` (store.accounts.PendingNonce) once the signature is verified."""
    if not allowed:
        return None
    store = store or AccountStore()
    headers = request.headers
    bearer = _bearer(headers.get("authorization"))
    if any(headers.get(h) for h in SIGNED_HEADERS):
        caller = _signed(request, store, defer_nonce)
    elif bearer is not None:
        caller = _bearer_caller(bearer, store)
    else:
        raise Unauthenticated("Send a bearer token or a signed request")
    if headers.get("x-onceship-source", "").lower() == "manual":
        caller.manual = True
    if not _permitted(caller, allowed):
        if caller.nonce is not None:
            caller.nonce.settle()          # as for any signed request: recorded before the answer
        raise Forbidden(f"A {caller.role or caller.kind} may not call this endpoint")
    return caller


def _permitted(caller: Caller, allowed: Tuple[str, ...]) -> bool:
    """A console user by role (the route table names each role it lets in), others by kind."""
    if caller.kind == "operator":
        return caller.role in allowed
    return caller.kind in allowed


def _bearer(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _bearer_caller(token: str, store: AccountStore) -> Caller:
    admin = settings().admin_token
    if admin and hmac.compare_digest(token.encode(), admin.encode()):
        return Caller(kind="admin")
    user = accounts.session_user(token, store)
    if user is None:
        raise InvalidSession()
    return Caller(kind="operator", merchant_id=user["merchant_id"], username=user["username"],
                  role=user["role"], manual=True, session_key=user["session_key"])


def _signed(request, store: AccountStore, defer_nonce: bool = False) -> Caller:
    sent = {name: request.headers.get(name.lower()) or "" for name in signing.FORMS}
    problems = signing.malformed(sent)
    if problems:  # before the clock: a malformed request is never answered signature_expired
        raise SignatureInvalid("; ".join(problems))
    key_id, timestamp, nonce, signature = sent.values()
    if not signing.timestamp_fresh(timestamp, clock.now()):
        raise SignatureExpired()
    message = signing.string_to_sign(request.method, _wire_path(request), _query(request), timestamp,
                                     nonce, request.raw_body or b"")
    account, kind = _verified_account(key_id, message, signature, store)
    pending = PendingNonce(key_id, nonce, signing.NONCE_TTL_SECONDS, store)
    if not defer_nonce:
        pending.settle()
    if kind == "merchant":
        return Caller(kind="merchant", merchant_id=key_id, nonce=pending)
    return Caller(kind="channel", channel_id=key_id, merchant_ids=tuple(account.get("merchant_ids", [])),
                  nonce=pending)


def _verified_account(key_id: str, message: str, signature: str, store: AccountStore) -> tuple:
    """The account whose live secret signed `message`. A warm process keeps the accounts it has
    verified for ACCOUNT_CACHE_SECONDS and accepts from the cache only the secret that was newest
    when cached; anything else is checked against the table, so a new secret works at once and a
    retired one is refused once the table says so (a secret retired by two rotations within
    ACCOUNT_CACHE_SECONDS may live that long in a warm process)."""
    now = clock.now()
    cached = _accounts.get(key_id)
    if cached and cached[0] > now:
        newest = secrets.derive_secret(settings().secret_key, cached[2], key_id, cached[1]["salt"])
        if signing.signature_matches(newest, message, signature):
            return cached[1], cached[2]
    account, kind = _account(key_id, store)
    if account is None or not _signed_by(account, kind, key_id, message, signature):
        _accounts.pop(key_id, None)
        raise SignatureInvalid()
    _accounts[key_id] = (now + ACCOUNT_CACHE_SECONDS, account, kind)
    return account, kind


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


def _wire_path(request) -> str:
    return request.context.get("path") or request.path


def _query(request) -> str:
    params = request.query_params
    if not params:
        return ""
    return signing.canonical_query({name: params.getlist(name) for name in params})


def query_from_url(url: str) -> dict:
    """Decoded query parameters of a URL, for clients that sign requests."""
    return parse_qs(urlsplit(url).query, keep_blank_values=True)
