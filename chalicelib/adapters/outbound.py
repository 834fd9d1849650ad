"""Outbound HTTP to URLs a merchant gave us: ERP polls and webhook deliveries.

Resolve, then connect: the host name is resolved once, every address it resolves to must pass
`domain.urls.address_allowed`, and the connection goes to that checked address (TLS still
verifies the certificate against the host name, and `Host` carries the name). A DNS answer that
changes between the check and the connection (rebinding) therefore cannot steer us to an
internal address. Redirects are not followed; a body larger than `max_bytes` or slower than the
deadline is cut off.
"""
import socket
import time
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

from chalicelib.config import settings
from chalicelib.domain import urls

CHUNK = 64 * 1024


class OutboundError(Exception):
    """The remote end could not be reached or answered badly; `str(error)` says why."""


class UrlRefused(OutboundError):
    """The URL's shape or addresses are not allowed (`url_not_allowed`)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    addresses: tuple

    @property
    def host_header(self) -> str:
        default = urls.SCHEMES[self.scheme]
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict


def resolve(url: str, allow_loopback: Optional[bool] = None) -> Target:
    """The checked target of `url`, or UrlRefused. https is required outside the local stack."""
    allow_loopback = settings().allow_loopback if allow_loopback is None else allow_loopback
    split = urls.split(url)
    if split is None:
        raise UrlRefused("the URL must be http(s)://host[:port]/path")
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise UrlRefused("credentials do not belong in the URL; use auth_header")
    if parts.scheme != "https" and not allow_loopback:
        raise UrlRefused("the URL must use https")
    host, port = split
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UrlRefused(f"the host {host!r} does not resolve")
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    refused = [a for a in addresses if not urls.address_allowed(a, allow_loopback)]
    if not addresses or refused:
        raise UrlRefused(f"the host {host!r} resolves to an address that is not allowed "
                         "(loopback, private, link-local or reserved)")
    return Target(parts.scheme, host, port, addresses)


class PinnedClient:
    """GETs against one checked target, over kept-alive connections to its checked address."""

    def __init__(self, url: str, timeout: float, allow_loopback: Optional[bool] = None,
                 max_bytes: int = 20 * 1024 * 1024):
        self.target = resolve(url, allow_loopback)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._pool = None

    def __enter__(self) -> "PinnedClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def get(self, url: str, headers: Optional[dict] = None, deadline: Optional[float] = None) -> Answer:
        """GET `url` (same scheme, host and port as the target) on the pinned address."""
        return self.request("GET", url, None, dict({"Accept": "application/json"}, **(headers or {})), deadline)

    def request(self, method: str, url: str, body: Optional[bytes] = None, headers: Optional[dict] = None,
                deadline: Optional[float] = None) -> Answer:
        """`method` `url` (same scheme, host and port as the target) on the pinned address."""
        import urllib3
        parts = urlsplit(url)
        if (parts.scheme, parts.hostname, parts.port or urls.SCHEMES.get(parts.scheme)) != \
                (self.target.scheme, self.target.host, self.target.port):
            raise UrlRefused("a follow-up URL must stay on the connection's host")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = dict(headers or {}, Host=self.target.host_header)
        sent.setdefault("User-Agent", "Onceship/1")
        timeout = self._timeout(deadline)
        try:
            answer = self._connection().urlopen(method, path, body=body, headers=sent, redirect=False,
                                                retries=False, preload_content=False, timeout=timeout)
        except urllib3.exceptions.TimeoutError:
            raise OutboundError(f"timed out after {timeout.read_timeout:g} s")
        except urllib3.exceptions.SSLError as err:
            raise OutboundError(f"TLS failed: {err}")
        except urllib3.exceptions.HTTPError as err:
            raise OutboundError(f"connection failed: {type(err).__name__}")
        try:
            body = self._read(answer, deadline)
        finally:
            answer.release_conn()
        return Answer(answer.status, body, dict(answer.headers))

    def _timeout(self, deadline: Optional[float]):
        import urllib3
        budget = self.timeout
        if deadline is not None:
            budget = min(budget, deadline - time.monotonic())
            if budget <= 0:
                raise OutboundError("the poll ran out of time")
        return urllib3.Timeout(connect=budget, read=budget)

    def _read(self, answer, deadline: Optional[float]) -> bytes:
        import urllib3
        chunks, size = [], 0
        try:
            while True:
                chunk = answer.read(CHUNK)
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > self.max_bytes:
                    raise OutboundError(f"the answer is larger than {self.max_bytes} bytes")
                if deadline is not None and time.monotonic() > deadline:
                    raise OutboundError("the poll ran out of time")
                chunks.append(chunk)
        except urllib3.exceptions.TimeoutError:
            raise OutboundError(f"timed out after {self.timeout:g} s reading the answer")
        except urllib3.exceptions.HTTPError as err:
            raise OutboundError(f"the answer broke off: {type(err).__name__}")

    def _connection(self):
        if self._pool is None:
            import urllib3
            address = self.target.addresses[0]
            if self.target.scheme == "https":
                self._pool = urllib3.HTTPSConnectionPool(
                    address, self.target.port, server_hostname=self.target.host,
                    assert_hostname=self.target.host, cert_reqs="CERT_REQUIRED", maxsize=1, retries=False)
            else:
                self._pool = urllib3.HTTPConnectionPool(address, self.target.port, maxsize=1, retries=False)
        return self._pool
