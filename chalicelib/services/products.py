"""Catalog use cases: batch upsert with matching to the base catalog, reads, review.

A 100-item upsert costs one query for the sync switches, one batch read of the stored products
and named base products, one batch read per matching round (barcode, then approval number, then
spec and manufacturer, each only for the products still unmatched) and one transaction.
"""
from typing import Optional

from chalicelib.domain import matching
from chalicelib.domain.errors import NotFound, UnprocessableRequest
from chalicelib.domain.listing import LISTED
from chalicelib.domain.matching import Match
from chalicelib.services import batch
from chalicelib.services.sync import SYNC_OFF, SyncGate
from chalicelib.store import groups, keys
from chalicelib.store.catalog import CatalogStore
from chalicelib.store.platform import PlatformStore

MODULE = "products"
PRICES = "prices"
UNKNOWN_BASE = "unknown_base_product"


def upsert(merchant_id: str, manual: bool, parsed: list) -> list:
    """Results, in order, for `parsed` = services.batch.parse_items output of product items."""
    store, platform = CatalogStore(merchant_id), PlatformStore()
    gate = SyncGate.load(merchant_id, manual)
    items = {key: _normalised(item.model_dump()) for key, item, failed in parsed if failed is None}
    named = {i["base_product_id"] for i in items.values() if i.get("base_product_id")}
    stored, _, found = store.products(items, extra_keys=[keys.base_product(b) for b in named])
    outcome = {key: batch.skipped(key, SYNC_OFF, "automatic product sync is switched off", **_match_fields(stored.get(key)))
               for key in items if not gate.allows(MODULE, key)}
    todo = {key: item for key, item in items.items() if key not in outcome}
    known_bases = {item["base_product_id"] for item in found.values()}
    writes, image_adds = [], {}
    for key, match in _match(todo, stored, known_bases, platform).items():
        item, old = todo[key], stored.get(key)
        price_allowed = gate.allows(PRICES, key)
        writes.append(groups.Group(key, [store.upsert_op(key, item, match, item.get("base_product_id"),
                                                         price_allowed)]))
        if _listed_with_new_image(old, item, match):
            image_adds.setdefault(item["main_image_sha256"], []).append(key)
        outcome[key] = batch.ok(key, match=match.state, base_product_id=match.base_product_id)
        notes = [_unknown_base_note(item, match), "default_price kept: automatic price sync is switched off"
                 if old and not price_allowed else None]
        outcome[key]["detail"] = "; ".join(n for n in notes if n) or None
    writes += [groups.Group(("image", sha), [store.image_add_op(sha, ids)]) for sha, ids in image_adds.items()]
    for key in groups.apply(store.table, writes):
        if key in outcome:
            outcome[key] = batch.error(key, "conflict", "the product changed concurrently; send it again",
                                       **_match_fields(stored.get(key)))
    return [dict(_match_fields(None), **failed) if failed is not None else outcome[key]
            for key, _, failed in parsed]


def _normalised(item: dict) -> dict:
    item["main_image_sha256"] = (item.get("main_image_sha256") or "").lower() or None
    return item


def _listed_with_new_image(old: Optional[dict], item: dict, match: Match) -> bool:
    """A listed product whose image changed joins the new image's listed set (duplicate guard)."""
    sha = item.get("main_image_sha256")
    return bool(old and old.get("listing") == LISTED and match.state == matching.MATCHED and sha
                and sha != old.get("main_image_sha256"))


def _unknown_base_note(item: dict, match: Match) -> Optional[str]:
    named = item.get("base_product_id")
    if not named or match.source == "explicit":
        return None
    return f"no base product {named!r} in the catalog: " + (
        f"matched by {match.source}" if match.state == matching.MATCHED else "the criteria found no single match")


def _match(items: dict, stored: dict, known_bases: set, platform: PlatformStore) -> dict:
    """{key: Match}. A named base product the catalog has decides; a product naming one it does
    not have is matched like one naming none (contract section 4). Products still open after
    their stored match is considered are matched in rounds, one criterion per round, each round
    one batch read for every product that has not found a base product yet."""
    decided, open_items = {}, {}
    for key, item in items.items():
        named = item.get("base_product_id")
        if named and named in known_bases:
            decided[key] = Match(matching.MATCHED, named, "explicit")
        elif matching.kept(stored.get(key), item) is not None:
            decided[key] = matching.kept(stored.get(key), item)
        else:
            open_items[key] = item
    candidates: dict = {key: {} for key in open_items}
    remaining = {key: list(matching.criteria(item)) for key, item in open_items.items()}
    while any(remaining.values()):
        round_keys = {key: crit.pop(0) for key, crit in remaining.items() if crit}
        found = platform.base_products_by_indexes([keys.base_index(*c) for c in round_keys.values()])
        for key, criterion in round_keys.items():
            candidates[key][criterion] = found.get(keys.base_index(*criterion), [])
            if candidates[key][criterion]:
                remaining[key] = []
    for key, item in open_items.items():
        decided[key] = matching.decide(item, candidates[key])
    return decided


def _match_fields(product: Optional[dict]) -> dict:
    product = product or {}
    return {"match": product.get("match"), "base_product_id": product.get("base_product_id")}


def get(merchant_id: str, erp_product_id: str) -> dict:
    product = CatalogStore(merchant_id).product(erp_product_id)
    if product is None:
        raise NotFound(f"no product {erp_product_id!r}")
    return body(product)


def page(merchant_id: str, listing: Optional[str], match: Optional[str], limit: int,
         start: Optional[dict]) -> tuple:
    items, last = CatalogStore(merchant_id).page(listing, match, limit, start)
    return [body(i) for i in items], last


def review(merchant_id: str, manual: bool, erp_product_id: str, base_product_id: str) -> dict:
    """A person's decision: the product is the given base product."""
    store = CatalogStore(merchant_id)
    product = store.product(erp_product_id)
    if product is None:
        raise NotFound(f"no product {erp_product_id!r}")
    if not SyncGate.load(merchant_id, manual).allows(MODULE, erp_product_id):
        return dict(body(product), status="skipped", code=SYNC_OFF)
    if PlatformStore().base_product(base_product_id) is None:
        raise UnprocessableRequest(UNKNOWN_BASE, f"no base product {base_product_id!r}")
    store.review(erp_product_id, base_product_id)
    from chalicelib.services import listing
    listing.on_stock_changed(merchant_id, erp_product_id)
    return dict(get(merchant_id, erp_product_id), status="ok", code=None)


def body(product: dict) -> dict:
    """A product as the API shows it."""
    fields = ("erp_product_id", "name", "barcode", "approval_number", "spec", "manufacturer",
              "main_image_url", "main_image_sha256")
    out = {f: product.get(f) for f in fields}
    out["attributes"] = product.get("attributes") or {}
    out.update({"match": product.get("match"), "base_product_id": product.get("base_product_id"),
                "match_source": product.get("match_source"), "listing": product.get("listing"),
                "default_price": product.get("default_price"),
                "suggested_retail_price": product.get("suggested_retail_price"),
                "region_prices": [{"region_group_id": g, "price": p}
                                  for g, p in sorted((product.get("region_prices") or {}).items())],
                "customer_level_prices": [{"customer_group_id": g, "price": p}
                                          for g, p in sorted((product.get("customer_level_prices") or {}).items())],
                "created_at": product.get("created_at"), "updated_at": product.get("updated_at")})
    return out
