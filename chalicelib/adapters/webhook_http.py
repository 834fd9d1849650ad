"""Webhook deliveries over HTTP to the merchant's URL, safely.

`check_url` refuses URLs whose host resolves to a disallowed address (domain/urls.py) with 422
`url_not_allowed`. `post` resolves again at send time and connects to the very address it
checked (the host name still goes in `Host` and TLS SNI/verification), so a DNS answer that
changes between the check and the connection (rebinding) cannot reach an internal address.
Redirects are not followed. urllib3 comes with botocore, so this adds no dependency.
"""
import socket
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

from chalicelib.config import settings
from chalicelib.domain import urls
from chalicelib.domain.errors import UnprocessableRequest

TIMEOUT_SECONDS = 10


class UrlNotAllowed(UnprocessableRequest):
    def __init__(self, detail: str):
        super().__init__("url_not_allowed", detail)


@dataclass
class Answer:
    status_code: Optional[int]
    error: Optional[str] = None


def resolve(url: str) -> tuple:
    """(host, port, the first allowed address) or UrlNotAllowed."""
    parts = urls.split(url)
    if parts is None:
        raise UrlNotAllowed("The URL must be http(s)://host[:port]/...")
    host, port = parts
    split = urlsplit(url)
    if split.username or split.password:
        raise UrlNotAllowed("Credentials do not belong in the URL")
    if split.scheme != "https" and not settings().allow_loopback:
        raise UrlNotAllowed("The URL must use https")
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UrlNotAllowed(f"{host} does not resolve")
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    allow_loopback = settings().allow_loopback
    refused = [a for a in addresses if not urls.address_allowed(a, allow_loopback)]
    if not addresses or refused:
        raise UrlNotAllowed(f"{host} resolves to an address that may not be called ({', '.join(refused)})")
    return host, port, addresses[0]


def check_url(url: str) -> None:
    resolve(url)


def post(url: str, body: bytes, headers: dict, timeout: float = TIMEOUT_SECONDS) -> Answer:
    """POST `body`; the answer's status code, or None with the error when nothing came back."""
    import urllib3
    try:
        host, port, address = resolve(url)
    except UrlNotAllowed as refused:
        return Answer(None, refused.detail)
    parts = urlsplit(url)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    sent = dict(headers, Host=host if port in (80, 443) else f"{host}:{port}")
    options = dict(timeout=urllib3.Timeout(connect=timeout, read=timeout), retries=False, maxsize=1)
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(address, port, server_hostname=host, assert_hostname=host,
                                           cert_reqs="CERT_REQUIRED", **options)
    else:
        pool = urllib3.HTTPConnectionPool(address, port, **options)
    try:
        answer = pool.urlopen("POST", target, body=body, headers=sent, redirect=False,
                              assert_same_host=False, preload_content=True)
        return Answer(answer.status)
    except urllib3.exceptions.HTTPError as failed:
        return Answer(None, f"{type(failed).__name__}: {failed}"[:300])
    finally:
        pool.close()
