"""Secrets the platform must send again later (the ERP connection's auth header), sealed at rest.

AES-256-GCM under a key derived from the server key for one purpose; the owner id is the
associated data, so a sealed value copied onto another merchant's record does not open.
"""
import base64
import hashlib
import hmac
import os

VERSION = "v1"


class SealBroken(ValueError):
    """The value was not sealed with this server key for this owner."""


def _key(server_key: bytes, purpose: str) -> bytes:
    return hmac.new(server_key, f"onceship/sealed/{purpose}".encode(), hashlib.sha256).digest()


def seal(server_key: bytes, purpose: str, owner_id: str, plaintext: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    nonce = os.urandom(12)
    sealed = AESGCM(_key(server_key, purpose)).encrypt(nonce, plaintext.encode(), owner_id.encode())
    return f"{VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_sealed(server_key: bytes, purpose: str, owner_id: str, value: str) -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    version, _, body = value.partition(":")
    if version != VERSION:
        raise SealBroken("unknown seal version")
    raw = base64.urlsafe_b64decode(body.encode())
    try:
        return AESGCM(_key(server_key, purpose)).decrypt(raw[:12], raw[12:], owner_id.encode()).decode()
    except InvalidTag:
        raise SealBroken("the sealed value does not open with this key")
