"""Webhook deliveries over HTTP to the merchant's URL, through the one safe outbound client.

`check_url` refuses URLs whose host resolves to a disallowed address (domain/urls.py) with 422
`url_not_allowed`. `post` resolves again at send time and connects to the very address it checked
(adapters/outbound.py: resolve-then-connect, so DNS rebinding cannot reach an internal address).
Redirects are not followed.
"""
from dataclasses import dataclass
from typing import Optional

from chalicelib.adapters.outbound import OutboundError, PinnedClient, UrlRefused, resolve
from chalicelib.domain.errors import UnprocessableRequest

TIMEOUT_SECONDS = 10
MAX_ANSWER_BYTES = 1024 * 1024  # the body is not used; a huge one is cut off as a failure


class UrlNotAllowed(UnprocessableRequest):
    def __init__(self, detail: str):
        super().__init__("url_not_allowed", detail)


@dataclass
class Answer:
    status_code: Optional[int]
    error: Optional[str] = None


def check_url(url: str) -> None:
    try:
        resolve(url)
    except UrlRefused as refused:
        raise UrlNotAllowed(str(refused))


def post(url: str, body: bytes, headers: dict, timeout: float = TIMEOUT_SECONDS) -> Answer:
    """POST `body`; the answer's status code, or None with the error when nothing came back."""
    try:
        with PinnedClient(url, timeout, max_bytes=MAX_ANSWER_BYTES) as client:
            return Answer(client.request("POST", url, body, headers).status)
    except UrlRefused as refused:
        return Answer(None, str(refused))
    except OutboundError as failed:
        return Answer(None, str(failed)[:300])
