"""Checkout tokens: issued when a buyer opens the order page, used by exactly one order.

Item `M#<mid>#CT#<token>` / `TOKEN`: `token`, `merchant_id`, `channel_id`, `state` (`issued` |
`used`), `expires_at` (an unused token may be used for 7 days) and `ttl` (unused tokens are
cleaned up). The token's use is an Update inside the order's own transaction (`use_op`): it
needs `state = issued` for the same channel and sets `state = used`, the order id, the request's
fingerprint and the first response, and removes `ttl`, so a used token is never deleted. A
second submission — concurrent, retried or replayed long after — finds `used` and can only
replay that first response (or be refused as a different request). Unlike a lock that is
released after the work, nothing ever makes the token usable again.
"""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.store.expr import Update
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table

UNUSED_SECONDS = 7 * 24 * 3600
ISSUED, USED = "issued", "used"


class CheckoutTokenStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.scope = MerchantScope(merchant_id)
        self.merchant_id = merchant_id
        self.table = table or Table()

    def issue(self, token: str, channel_id: str) -> dict:
        pk, sk = self.scope.checkout_token(token)
        now = clock.now()
        item = {"pk": pk, "sk": sk, "token": token, "merchant_id": self.merchant_id,
                "channel_id": channel_id, "state": ISSUED, "issued_at": clock.iso(now),
                "expires_at": int(now + UNUSED_SECONDS), "ttl": int(now + UNUSED_SECONDS + 86400)}
        self.table.put(item, condition="attribute_not_exists(pk)")
        return item

    def get(self, token: str) -> Optional[dict]:
        return self.table.get(*self.scope.checkout_token(token))

    def use_op(self, token: str, channel_id: str, order_id: str, fingerprint: str, response: str) -> dict:
        now = clock.now()
        return (Update()
                .set_all({"state": USED, "order_id": order_id, "fingerprint": fingerprint,
                          "response": response, "used_at": clock.iso(now)})
                .remove("ttl")
                .when("attribute_exists(#pk) AND #state = :issued AND #channel_id = :channel"
                      " AND #expires_at > :now", issued=ISSUED, channel=channel_id, now=int(now))
                .op(*self.scope.checkout_token(token)))


def usable_by(item: Optional[dict], channel_id: str) -> bool:
    """Could this token still place an order for this channel (it exists, is theirs, unused, fresh)?"""
    return bool(item) and item.get("state") == ISSUED and item.get("channel_id") == channel_id \
        and item.get("expires_at", 0) > clock.now()
