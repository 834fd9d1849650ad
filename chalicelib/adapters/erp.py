"""Reading a merchant ERP's inventory pages over HTTP (contract section 5, scheduled polling).

Every page of one poll is read before anything is written (see services/polling.py for why),
over one pinned connection, within one deadline.
"""
import json
import time
from dataclasses import dataclass, field
from typing import Optional

from chalicelib.adapters.outbound import OutboundError, PinnedClient
from chalicelib.domain.polling import ErpGarbage, header_line, page_url, parse_page

MAX_PAGES = 10_000
MAX_ITEMS = 500_000


class ErpUnavailable(Exception):
    """The poll could not read the ERP; `str(error)` is the reason recorded in the status."""


@dataclass
class Snapshot:
    items: dict = field(default_factory=dict)     # erp_product_id -> ErpItem (last one wins)
    invalid: list = field(default_factory=list)
    pages: int = 0


def read_inventory(url: str, auth_header: Optional[str], timeout: float, max_seconds: float,
                   allow_loopback: Optional[bool] = None) -> Snapshot:
    """All pages, or ErpUnavailable naming the page and the reason."""
    deadline = time.monotonic() + max_seconds
    headers = dict([header_line(auth_header)]) if auth_header else {}
    snapshot, cursor, seen = Snapshot(), None, set()
    try:
        with PinnedClient(url, timeout, allow_loopback) as client:
            while True:
                snapshot.pages += 1
                page = _page(client, page_url(url, cursor), headers, deadline, snapshot.pages)
                for item in page.items:
                    snapshot.items[item.erp_product_id] = item
                snapshot.invalid.extend(page.invalid)
                cursor = page.next_cursor
                if cursor is None:
                    return snapshot
                if cursor in seen:
                    raise ErpGarbage(f"page {snapshot.pages} repeats an earlier next_cursor")
                seen.add(cursor)
                if snapshot.pages >= MAX_PAGES or len(snapshot.items) > MAX_ITEMS:
                    raise ErpGarbage(f"more than {MAX_PAGES} pages or {MAX_ITEMS} items")
    except (OutboundError, ErpGarbage) as err:
        raise ErpUnavailable(str(err))


def _page(client: PinnedClient, url: str, headers: dict, deadline: float, number: int):
    try:
        answer = client.get(url, headers, deadline)
    except OutboundError as err:
        raise OutboundError(f"page {number}: {err}")
    if answer.status != 200:
        raise OutboundError(f"page {number}: the ERP answered HTTP {answer.status}")
    try:
        data = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ErpGarbage(f"page {number} is not UTF-8 JSON")
    return parse_page(data, number)
