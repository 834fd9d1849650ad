"""Prices (contract section 4): the price batch, region and customer groups, and the resolution
that orders use (`resolve_prices`: one batch read for the products and the buyer's link, one
query for the region groups only when a province and some region price are involved)."""
from typing import Dict, Iterable, Optional, Tuple

from chalicelib.domain import pricing
from chalicelib.domain.errors import NotFound
from chalicelib.services import batch
from chalicelib.services.sync import SYNC_OFF, SyncGate
from chalicelib.store import groups
from chalicelib.store.catalog import CatalogStore
from chalicelib.store.pricing import PricingStore

MODULE = "prices"


def update(merchant_id: str, manual: bool, parsed: list) -> list:
    """Results, in order, for parsed price items; the given lists replace the stored ones.

    Each write insists the product exists (a product that does not comes back `not_found` from
    its failed condition), so a batch naming no region or customer group is one transaction and
    nothing read; one naming groups first reads them (and the products) in one batch read."""
    store, groups_store = CatalogStore(merchant_id), PricingStore(merchant_id)
    gate = SyncGate.load(merchant_id, manual)
    items = {key: item for key, item, failed in parsed if failed is None}
    region_ids = {p.region_group_id for i in items.values() for p in i.region_prices or ()}
    customer_ids = {p.customer_group_id for i in items.values() for p in i.customer_level_prices or ()}
    products, known_regions, known_customers = None, set(), set()
    if region_ids or customer_ids:
        products, _, found = store.products(items, extra_keys=groups_store.group_keys(region_ids, customer_ids))
        known_regions = {g["region_group_id"] for g in found.values() if "region_group_id" in g}
        known_customers = {g["customer_group_id"] for g in found.values() if "customer_group_id" in g}
    outcome, writes = {}, []
    for key, item in items.items():
        unknown_regions = sorted({p.region_group_id for p in item.region_prices or ()} - known_regions)
        unknown_customers = sorted({p.customer_group_id for p in item.customer_level_prices or ()} - known_customers)
        if products is not None and key not in products:
            outcome[key] = _not_found(key)
        elif not gate.allows(MODULE, key):
            outcome[key] = batch.skipped(key, SYNC_OFF, "automatic price sync is switched off")
        elif unknown_regions:
            outcome[key] = batch.error(key, "unknown_region_group", f"no region group {', '.join(unknown_regions)}")
        elif unknown_customers:
            outcome[key] = batch.error(key, "unknown_customer_group",
                                       f"no customer group {', '.join(unknown_customers)}")
        else:
            writes.append(groups.Group(key, [store.prices_op(key, _changes(item))]))
            outcome[key] = batch.ok(key)
    for key, failed in groups.apply(store.table, writes).items():
        outcome[key] = (_not_found(key) if failed.reason == "ConditionalCheckFailed"
                        else batch.error(key, "conflict", "the product changed concurrently; send it again"))
    return [failed if failed is not None else outcome[key] for key, _, failed in parsed]


def _not_found(key: str) -> dict:
    return batch.error(key, "not_found", f"no product {key!r}; upsert it first")


def _changes(item) -> dict:
    changes = {}
    for name in ("default_price", "suggested_retail_price"):
        if getattr(item, name) is not None:
            changes[name] = getattr(item, name)
    if item.region_prices is not None:
        changes["region_prices"] = {p.region_group_id: p.price for p in item.region_prices}
    if item.customer_level_prices is not None:
        changes["customer_level_prices"] = {p.customer_group_id: p.price for p in item.customer_level_prices}
    return changes


def resolve_prices(merchant_id: str, erp_product_ids: Iterable[str], province: Optional[str],
                   platform_customer_id: Optional[str]) -> Dict[str, Tuple[str, str, dict]]:
    """{erp_product_id: (price, source, product item)} for the products that exist: the price
    this buyer pays in this province (customer-level, else region, else default)."""
    return _resolve(merchant_id, erp_product_ids, province, platform_customer_id, False)[0]


def resolve_prices_and_stock(merchant_id: str, erp_product_ids: Iterable[str], province: Optional[str],
                             platform_customer_id: Optional[str]) -> tuple:
    """`resolve_prices` and the products' stock records ({erp_id: stock}), in the same batch read."""
    return _resolve(merchant_id, erp_product_ids, province, platform_customer_id, True)


def _resolve(merchant_id: str, erp_product_ids: Iterable[str], province: Optional[str],
             platform_customer_id: Optional[str], with_stock: bool) -> tuple:
    store, groups_store = CatalogStore(merchant_id), PricingStore(merchant_id)
    link_key = store.scope.buyer_link(platform_customer_id) if platform_customer_id else None
    products, stocks, found = store.products(erp_product_ids, extra_keys=[link_key] if link_key else [],
                                             with_stock=with_stock)
    customer_groups = sorted((found.get(link_key) or {}).get("groups") or ()) if link_key else []
    resolved, _ = pricing.resolve_all(products, customer_groups, groups_store.region_groups, province)
    return resolved, stocks


def price_for(merchant_id: str, erp_product_id: str, province: Optional[str],
              platform_customer_id: Optional[str]) -> dict:
    found = resolve_prices(merchant_id, [erp_product_id], province, platform_customer_id)
    if erp_product_id not in found:
        raise NotFound(f"no product {erp_product_id!r}")
    price, source, _ = found[erp_product_id]
    return {"erp_product_id": erp_product_id, "price": price, "source": source}


def put_region_group(merchant_id: str, manual: bool, region_group_id: str, name: str, provinces: list) -> dict:
    store = PricingStore(merchant_id)
    if not SyncGate.load(merchant_id, manual).allows(MODULE):
        return _skipped({"region_group_id": region_group_id})
    item = store.put_region_group(region_group_id, name, list(dict.fromkeys(provinces)))
    return {"status": "ok", "code": None, "region_group_id": region_group_id, "name": name,
            "provinces": item["provinces"], "updated_at": item["updated_at"]}


def put_customer_group(merchant_id: str, manual: bool, customer_group_id: str, name: str,
                       members: list) -> dict:
    store = PricingStore(merchant_id)
    if not SyncGate.load(merchant_id, manual).allows(MODULE):
        return _skipped({"customer_group_id": customer_group_id})
    item = store.put_customer_group(customer_group_id, name, list(dict.fromkeys(members)))
    return {"status": "ok", "code": None, "customer_group_id": customer_group_id, "name": name,
            "platform_customer_ids": item["platform_customer_ids"], "updated_at": item["updated_at"]}


def _skipped(fields: dict) -> dict:
    return dict(fields, status="skipped", code=SYNC_OFF, detail="automatic price sync is switched off")
