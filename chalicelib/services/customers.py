"""Customers (contract section 6) and platform buyers (section 7, channel).

A merchant's customer whose unified social credit code equals exactly one platform buyer's is
matched to that buyer, and the merchant's buyer link then carries its `erp_customer_code`
(orders read it with `erp_customer_code`). A re-upsert with an unchanged credit code keeps a
match (a manual one too); a changed code matches again and the old buyer forgets the code.
A buyer who registers after the customer was sent is linked when it registers.
"""
from typing import Optional

from chalicelib.domain import credit_code as codes
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.services import batch
from chalicelib.services.sync import SYNC_OFF, SyncGate
from chalicelib.store import groups
from chalicelib.store.customers import BuyerStore, CustomerStore

MODULE = "customers"
INVALID = "invalid_credit_code"


def upsert(merchant_id: str, manual: bool, parsed: list) -> list:
    store = CustomerStore(merchant_id)
    gate = SyncGate.load(merchant_id, manual)
    items = {key: item for key, item, failed in parsed if failed is None}
    outcome = {}
    if not gate.allows(MODULE):
        outcome = {key: _skipped(key) for key in items}
        items = {}
    for key, item in list(items.items()):
        if item.credit_code is not None and not codes.is_valid(item.credit_code):
            outcome[key] = batch.error(key, INVALID, f"{item.credit_code!r} fails the GB 32100-2015 check",
                                       match=None, platform_customer_id=None)
            del items[key]
    credit = {key: codes.normalize(i.credit_code) or None for key, i in items.items()}
    stored, buyers = store.read(items, [c for c in credit.values() if c])
    by_buyer, writes, moved = {}, [], []
    for key, item in items.items():
        old = stored.get(key) or {}
        buyer, source = _match(old, credit[key], buyers)
        if old.get("platform_customer_id") and old["platform_customer_id"] != buyer:
            moved.append((old["platform_customer_id"], key))
        op = store.customer_op(key, item.name, credit[key], buyer, source)
        if buyer:
            by_buyer.setdefault(buyer, []).append((key, op))
        else:
            writes.append(groups.Group(key, [op]))
        outcome[key] = batch.ok(key, match="matched" if buyer else "unmatched", platform_customer_id=buyer)
    for buyer, members in by_buyer.items():
        writes.append(groups.Group(("buyer", buyer), [op for _, op in members]
                                   + [store.link_op(buyer, members[-1][0])], covers=tuple(m for m, _ in members)))
    failed = groups.apply(store.table, writes)
    not_written = set()
    for key in failed:
        not_written.update([m for m, _ in by_buyer[key[1]]] if isinstance(key, tuple) else [key])
    for code in not_written:
        outcome[code] = batch.error(code, "conflict", "changed concurrently; send it again",
                                    match=None, platform_customer_id=None)
    for buyer, code in moved:
        if code not in not_written:
            store.unlink(buyer, code)
    return [dict(failed_item, match=None, platform_customer_id=None) if failed_item is not None else outcome[key]
            for key, _, failed_item in parsed]


def _match(old: dict, credit: Optional[str], buyers: dict) -> tuple:
    """(platform_customer_id or None, match source)."""
    if old.get("platform_customer_id") and (old.get("credit_code") or None) == credit:
        return old["platform_customer_id"], old.get("match_source")
    found = buyers.get(credit, []) if credit else []
    return (found[0], "credit_code") if len(found) == 1 else (None, None)


def _skipped(key: str) -> dict:
    return batch.skipped(key, SYNC_OFF, "automatic customer sync is switched off",
                         match=None, platform_customer_id=None)


def map_buyer(merchant_id: str, manual: bool, platform_customer_id: str, erp_customer_code: str) -> dict:
    """The merchant names its code for a buyer it saw on an order."""
    buyer = BuyerStore().buyer(platform_customer_id)
    if buyer is None:
        raise NotFound(f"no buyer {platform_customer_id!r}")
    answer = {"platform_customer_id": platform_customer_id, "erp_customer_code": erp_customer_code}
    if not SyncGate.load(merchant_id, manual).allows(MODULE):
        return dict(answer, status="skipped", code=SYNC_OFF, detail="automatic customer sync is switched off")
    store = CustomerStore(merchant_id)
    previous = (store.link(platform_customer_id) or {}).get("erp_customer_code")
    store.table.transact([store.link_op(platform_customer_id, erp_customer_code),
                          store.matched_op(erp_customer_code, platform_customer_id, "manual", buyer["name"])])
    if previous and previous != erp_customer_code:
        store.unmatch(previous, platform_customer_id)
    return dict(answer, status="ok", code=None, detail=None)


def erp_customer_code(merchant_id: str, platform_customer_id: str) -> Optional[str]:
    """The merchant's code for a buyer, or None (orders show it when read)."""
    return (CustomerStore(merchant_id).link(platform_customer_id) or {}).get("erp_customer_code")


def erp_customer_codes(merchant_id: str, platform_customer_ids) -> dict:
    """{platform_customer_id: code or None} for many buyers, one batch read per 100 (order lists)."""
    ids = list(dict.fromkeys(platform_customer_ids))
    links = CustomerStore(merchant_id).links(ids) if ids else {}
    return {p: (links.get(p) or {}).get("erp_customer_code") for p in ids}


def customer(merchant_id: str, erp_customer_code: str) -> dict:
    found = CustomerStore(merchant_id).customer(erp_customer_code)
    if found is None:
        raise NotFound(f"no customer {erp_customer_code!r}")
    return {k: found.get(k) for k in ("erp_customer_code", "name", "credit_code", "match",
                                      "platform_customer_id", "created_at", "updated_at")}


def put_buyer(platform_customer_id: str, name: str, credit_code: Optional[str]) -> dict:
    """A platform buyer (channel). Merchants' unmatched customers with its credit code are linked."""
    if credit_code is not None and not codes.is_valid(credit_code):
        raise ValidationFailed(f"{credit_code!r} fails the GB 32100-2015 check digit",
                               [{"field": "credit_code", "message": "not a valid unified social credit code"}],
                               code=INVALID)
    credit = codes.normalize(credit_code) or None
    store = BuyerStore()
    item = store.put_buyer(platform_customer_id, name, credit)
    if credit:
        _link_waiting_customers(store, platform_customer_id, credit)
    return {k: item.get(k) for k in ("platform_customer_id", "name", "credit_code", "created_at", "updated_at")}


def _link_waiting_customers(store: BuyerStore, platform_customer_id: str, credit: str) -> None:
    _, buyers = CustomerStore("-", store.table).read([], [credit])
    if buyers.get(credit) != [platform_customer_id]:
        return                                      # several buyers share the code: a person decides
    waiting: dict = {}
    for found in store.customers_with_credit_code(credit):
        if not found.get("platform_customer_id"):
            waiting.setdefault(found["merchant_id"], []).append(found["erp_customer_code"])
    writes = []
    for merchant_id, customer_codes in waiting.items():
        merchant = CustomerStore(merchant_id, store.table)
        writes.append(groups.Group(merchant_id, [merchant.matched_op(c, platform_customer_id, "credit_code")
                                                 for c in customer_codes[:99]]
                                   + [merchant.link_op(platform_customer_id, customer_codes[-1])]))
    groups.apply(store.table, writes)
