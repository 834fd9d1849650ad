"""A small client for Onceship's API: signs merchant and channel requests as the contract says.

Merchant ERPs may copy it; the tests, the benchmarks and the demo loader use it.
"""
import hashlib
import hmac
import json
import secrets
import time
from typing import Optional
from urllib.parse import parse_qsl, quote, urlsplit


def segment(code: str) -> str:
    """A code as one path segment: percent-encoded UTF-8, `/`, `#`, `?`, `%` and spaces included."""
    return quote(code, safe="")


def canonical_query(query: str) -> str:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)


def signed_headers(key_id: str, secret: str, method: str, url: str, body: bytes,
                   timestamp: Optional[int] = None, nonce: Optional[str] = None) -> dict:
    parts = urlsplit(url)
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_urlsafe(24)
    message = "\n".join([method.upper(), parts.path, canonical_query(parts.query), timestamp, nonce,
                         hashlib.sha256(body).hexdigest()])
    signature = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return {"X-Onceship-Key": key_id, "X-Onceship-Timestamp": timestamp, "X-Onceship-Nonce": nonce,
            "X-Onceship-Signature": signature}


class Client:
    """`requests`-based; `auth` is ("signed", key_id, secret), ("bearer", token) or None."""

    def __init__(self, base_url: str, auth=None, session=None):
        import requests
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.http = session or requests.Session()

    def request(self, method: str, path: str, body=None, headers: Optional[dict] = None, **sign_args):
        """`path` may hold a query; put codes in it with `segment()`. The signature covers the
        path exactly as it goes on the wire (requests percent-encodes what is not yet)."""
        import requests
        data = b"" if body is None else (body if isinstance(body, bytes) else
                                         json.dumps(body, ensure_ascii=False).encode())
        sent = {"Content-Type": "application/json"}
        if self.auth and self.auth[0] == "bearer":
            sent["Authorization"] = f"Bearer {self.auth[1]}"
        prepared = self.http.prepare_request(requests.Request(method, self.base_url + path, data=data, headers=sent))
        if self.auth and self.auth[0] == "signed":
            prepared.headers.update(signed_headers(self.auth[1], self.auth[2], method, prepared.url, data, **sign_args))
        prepared.headers.update(headers or {})
        settings = self.http.merge_environment_settings(prepared.url, {}, None, None, None)
        return self.http.send(prepared, timeout=30, **settings)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body if body is not None else {}, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body if body is not None else {}, **kw)
