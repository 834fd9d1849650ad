"""The ERP's pull: paid orders with stable paging; reading never marks, acknowledging does.

The feed is gsi1. From payment on, an order is under `M#<mid>#FEED#pending` until the ERP
acknowledges it, then under `M#<mid>#FEED#synced`; its sort key `<feed_at>#<order_id>` (feed_at:
the server's time of payment) never changes. A page is the next `limit` orders after the
cursor's sort key, merged across the partitions asked for, and the cursor is the last sort key
the page covers. So an order shows up at most once across the pages of one query (keys only grow;
an order is in one partition at a time and moves only pending → synced; one page reads pending
before synced and drops an order it meets twice), and orders paid while the ERP pages get later
keys and come on later pages. Unacknowledged orders stay `pending`: an ERP that crashed between
reading and storing reads them again.
"""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain import orders as rules
from chalicelib.domain.errors import NotFound
from chalicelib.services import batch, paging
from chalicelib.services.customers import erp_customer_codes
from chalicelib.services.orders import load, merchant_view
from chalicelib.store.orders import OrderStore

PARTITIONS = {None: ("pending", "synced"), "pending": ("pending",), "synced": ("synced",)}
MAX_READS_PER_PARTITION = 8


def _filters(query) -> tuple:
    parts, values = [], {}
    if query.status:
        parts.append("#status = :status")
        values[":status"] = query.status
    for name, op, field in (("created_after", ">", "created_at"), ("created_before", "<", "created_at"),
                            ("updated_after", ">", "updated_at")):
        value = getattr(query, name)
        if value is not None:
            parts.append(f"#{field} {op} :{name}")
            values[f":{name}"] = clock.iso(value.timestamp())
    names = {f"#{n}": n for n in ("status", "created_at", "updated_at") if any(f"#{n}" in p for p in parts)}
    return (" AND ".join(parts) or None), values, names


def list_orders(merchant_id: str, query) -> dict:
    store = OrderStore(merchant_id)
    query_id = "|".join(str(x) for x in ("orders", merchant_id, query.sync_status, query.status,
                                         query.created_after, query.created_before, query.updated_after))
    position = paging.decode(query.cursor, query_id)
    after = position["after"] if position else None
    expression, values, names = _filters(query)
    limit = query.limit
    matches, boundaries = {}, []
    for partition in PARTITIONS[query.sync_status]:
        found, scanned_to = _read(store, partition, after, limit + 1, expression, values, names)
        for item in found:
            matches.setdefault(item["order_id"], item)
        if scanned_to is not None:
            boundaries.append(scanned_to)
    boundary = min(boundaries) if boundaries else None
    candidates = sorted((i for i in matches.values() if boundary is None or i["gsi1sk"] <= boundary),
                        key=lambda i: i["gsi1sk"])
    page = candidates[:limit]
    if len(candidates) > limit:
        next_after = page[-1]["gsi1sk"]
    else:
        next_after = boundary
    codes = erp_customer_codes(merchant_id, {item["buyer"]["platform_customer_id"] for item in page})
    return {"items": [rules.body(item, codes.get(item["buyer"]["platform_customer_id"])) for item in page],
            "next_cursor": paging.encode({"after": next_after}, query_id) if next_after else None}


def _read(store: OrderStore, partition: str, after: Optional[str], wanted: int, expression, values,
          names) -> tuple:
    """(matching items, the sort key read up to — None when the partition is exhausted)."""
    found, start = [], None
    page_size = min(100, max(2 * wanted, 20))
    for _ in range(MAX_READS_PER_PARTITION):
        items, start = store.feed(partition, after, page_size, start, expression, values, names)
        found.extend(items)
        if not start or len(found) >= wanted:
            break
    return found, (start["gsi1sk"] if start else None)


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
