"""Who is calling: the admin token, signed merchant and channel requests, console sessions.
The credentials are read off the request here; services/callers.py checks them."""
from typing import Optional, Tuple
from urllib.parse import parse_qs, urlsplit

from chalicelib.api.handler import Caller
from chalicelib.domain import clock, signing
from chalicelib.domain.errors import Forbidden, InvalidSession, SignatureExpired, SignatureInvalid, Unauthenticated
from chalicelib.services import callers

SIGNED_HEADERS = tuple(name.lower() for name in signing.FORMS)


def authenticate(request, allowed: Tuple[str, ...], defer_nonce: bool = False) -> Optional[Caller]:
    """The caller of `request`, checked against the kinds `allowed` (empty: public route).
    A signed request's nonce is recorded here, or, with `defer_nonce`, left to the caller as
    `caller.nonce` (store.accounts.PendingNonce) once the signature is verified."""
    if not allowed:
        return None
    headers = request.headers
    bearer = _bearer(headers.get("authorization"))
    if any(headers.get(h) for h in SIGNED_HEADERS):
        caller = _signed(request, defer_nonce)
    elif bearer is not None:
        caller = _bearer_caller(bearer)
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


def _bearer_caller(token: str) -> Caller:
    if callers.is_admin(token):
        return Caller(kind="admin")
    user = callers.session_user(token)
    if user is None:
        raise InvalidSession()
    return Caller(kind="operator", merchant_id=user["merchant_id"], username=user["username"],
                  role=user["role"], manual=True, session_key=user["session_key"])


def _signed(request, defer_nonce: bool = False) -> Caller:
    sent = {name: request.headers.get(name.lower()) or "" for name in signing.FORMS}
    problems = signing.malformed(sent)
    if problems:  # before the clock: a malformed request is never answered signature_expired
        raise SignatureInvalid("; ".join(problems))
    key_id, timestamp, nonce, signature = sent.values()
    if not signing.timestamp_fresh(timestamp, clock.now()):
        raise SignatureExpired()
    message = signing.string_to_sign(request.method, _wire_path(request), _query(request), timestamp,
                                     nonce, request.raw_body or b"")
    account, kind = callers.signing_account(key_id, message, signature)
    pending = callers.pending_nonce(key_id, nonce)
    if not defer_nonce:
        pending.settle()
    if kind == "merchant":
        return Caller(kind="merchant", merchant_id=key_id, nonce=pending)
    return Caller(kind="channel", channel_id=key_id, merchant_ids=tuple(account.get("merchant_ids", [])),
                  nonce=pending)


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
