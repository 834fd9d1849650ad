"""Per-caller request counting in one-minute windows: one conditional update per request."""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import RateLimited
from chalicelib.store import keys
from chalicelib.store.table import ConditionFailed, Table


class RateStore:
    def __init__(self, table: Optional[Table] = None):
        self.table = table or Table()

    def take(self, caller: str, limit: int) -> None:
        """Count one request; past `limit` in this minute, RateLimited with the seconds left."""
        now = clock.now()
        minute = int(now // 60)
        pk, sk = keys.rate_window(caller, minute)
        try:
            self.table.update(pk, sk, "ADD #n :one SET #ttl = :ttl",
                              condition="attribute_not_exists(#n) OR #n < :limit",
                              values={":one": 1, ":limit": limit, ":ttl": (minute + 2) * 60},
                              names={"#n": "n", "#ttl": "ttl"})
        except ConditionFailed:
            raise RateLimited(retry_after=max(1, int((minute + 1) * 60 - now)),
                              detail=f"More than {limit} requests this minute")
