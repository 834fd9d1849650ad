"""The ERP's pull: paid orders with stable paging; reading never marks, acknowledging does.

The feed is gsi3. From payment on, an order is under `M#<mid>#FEED#pending#<shard>` until the
ERP acknowledges it, then under `M#<mid>#FEED#synced#<shard>` (the same shard, from its id); its
sort key `<feed_at>#<order_id>` (feed_at: the server's time of payment) never changes. The
shards of the partitions asked for are read as one sequence in sort-key order
(store/sharded.py), pending's shards before synced's, and the orders the entries name are read
(consistently) to apply the filters to what they are now. A page is the next `limit` matching
orders after the cursor's sort key, and the cursor is the last sort key the page covers. So an
order shows up at most once across the pages of one query (keys only grow; an order is in one
partition at a time and moves only pending → synced; a window reads pending before synced and
drops an order it meets twice), and orders paid while the ERP pages get later keys and come on
later pages. Unacknowledged orders stay `pending`: an ERP that crashed between reading and
storing reads them again.
"""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain import orders as rules
from chalicelib.domain.errors import NotFound
from chalicelib.services import batch, paging
from chalicelib.services.customers import erp_customer_codes
from chalicelib.services.orders import load, merchant_view
from chalicelib.store import sharded
from chalicelib.store.keys import FEED_SHARDS
from chalicelib.store.orders import OrderStore, feed_partitions

PARTITIONS = {None: ("pending", "synced"), "pending": ("pending",), "synced": ("synced",)}
MAX_WINDOWS = 8     # index windows read for one page before answering a short page with its cursor


def _matches(item: dict, query) -> bool:
    """The filters, on the order as it is now (the index only says where it is)."""
    if item.get("sync_status") not in PARTITIONS[query.sync_status]:
        return False
    if query.status and item.get("status") != query.status:
        return False
    for name, field, later in (("created_after", "created_at", True), ("created_before", "created_at", False),
                               ("updated_after", "updated_at", True)):
        value = getattr(query, name)
        if value is None:
            continue
        bound, stored = clock.iso(value.timestamp()), item.get(field) or ""
        if (stored <= bound) if later else (stored >= bound):
            return False
    return True


def list_orders(merchant_id: str, query) -> dict:
    store = OrderStore(merchant_id)
    query_id = "|".join(str(x) for x in ("orders", merchant_id, query.sync_status, query.status,
                                         query.created_after, query.created_before, query.updated_after))
    after = paging.position(query.cursor, query_id)
    groups = [feed_partitions(merchant_id, status) for status in PARTITIONS[query.sync_status]]
    page, next_after = _page(store, groups, after, query)
    codes = erp_customer_codes(merchant_id, {item["buyer"]["platform_customer_id"] for item in page})
    return {"items": [rules.body(item, codes.get(item["buyer"]["platform_customer_id"])) for item in page],
            "next_cursor": paging.encode({"after": next_after}, query_id) if next_after else None}


def _page(store: OrderStore, groups: list, after: Optional[str], query) -> tuple:
    """(up to `limit` matching orders after `after`, the sort key to continue from or None)."""
    limit = query.limit
    per_shard = (5 * limit) // (4 * FEED_SHARDS) + 2
    page, seen = [], set()
    for _ in range(MAX_WINDOWS):
        entries, boundary = sharded.window(store.table, "gsi3", groups, after=after, per_shard=per_shard)
        entries = [e for e in entries if e["order_id"] not in seen]
        done = 0
        while done < len(entries):
            chunk = entries[done:done + limit - len(page)]      # as many orders as the page still needs
            orders = store.many(e["order_id"] for e in chunk)
            for entry in chunk:
                done += 1
                item = orders.get(entry["order_id"])
                if item is None or entry["order_id"] in seen or not _matches(item, query):
                    continue
                seen.add(entry["order_id"])
                page.append(item)
                if len(page) == limit:
                    more = done < len(entries) or boundary is not None
                    return page, (entry["gsi3sk"] if more else None)
        if boundary is None:
            return page, None
        after = boundary
    return page, after       # a short page: the filters matched little of what was read so far


def get_order(merchant_id: str, order_id: str) -> dict:
    order = load(OrderStore(merchant_id), order_id)
    if not order.get("sync_status"):
        raise NotFound("No such order (only paid orders are offered)")
    return merchant_view(merchant_id, order)


def acknowledge(merchant_id: str, order_ids: list) -> dict:
    store = OrderStore(merchant_id)
    outcomes = store.acknowledge_many(order_ids, clock.now_iso())
    results = []
    for order_id in order_ids:
        outcome = outcomes[order_id]
        if outcome in ("synced", "already_synced"):
            results.append(batch.ok(order_id, sync_status="synced"))
        else:
            results.append(batch.error(order_id, "not_found", "No such paid order"))
    return batch.answer(results)
