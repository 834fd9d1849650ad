"""Secrets the platform must send again later (the ERP connection's auth header), sealed at rest.

AES-256-GCM under a key derived from the server key for one purpose. The associated data is the
owner id and what the secret is bound to (for the ERP header: the origin it was given for,
`scheme://host:port`), so a sealed value copied onto another merchant's record, or left on a
record whose URL was changed to point elsewhere, does not open.

`v2` values bind both; `v1` values (owner only) open only where nothing else is bound.
"""
import base64
import hashlib
import hmac
import os

VERSION = "v2"
_OWNER_ONLY = "v1"


class SealBroken(ValueError):
    """The value was not sealed with this server key for this owner (and binding)."""


def _key(server_key: bytes, purpose: str) -> bytes:
    return hmac.new(server_key, f"onceship/sealed/{purpose}".encode(), hashlib.sha256).digest()


def _associated(owner_id: str, bound_to: str) -> bytes:
    return f"{len(owner_id)}:{owner_id}\n{bound_to}".encode()


def seal(server_key: bytes, purpose: str, owner_id: str, plaintext: str, bound_to: str = "") -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    nonce = os.urandom(12)
    sealed = AESGCM(_key(server_key, purpose)).encrypt(nonce, plaintext.encode(), _associated(owner_id, bound_to))
    return f"{VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_sealed(server_key: bytes, purpose: str, owner_id: str, value: str, bound_to: str = "") -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    version, _, body = value.partition(":")
    if version == VERSION:
        associated = _associated(owner_id, bound_to)
    elif version == _OWNER_ONLY and not bound_to:
        associated = owner_id.encode()
    elif version == _OWNER_ONLY:
        raise SealBroken("sealed before it was bound to what it is for")
    else:
        raise SealBroken("unknown seal version")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        return AESGCM(_key(server_key, purpose)).decrypt(raw[:12], raw[12:], associated).decode()
    except (InvalidTag, ValueError):
        raise SealBroken("the sealed value does not open with this key")
