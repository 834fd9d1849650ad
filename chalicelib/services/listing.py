"""Listing and delisting (contract section 4), and the auto-list rule that inventory triggers.

`apply` answers one result per id. Listing reads the products and their stock in one batch,
refuses per item (`not_found`, `not_matched`, `no_stock`, `duplicate_listing` with
`duplicate_of`) and writes the rest in few transactions. The duplicate check reads, for each main
image, the guard item naming the products listed with it; the listing transaction claims that
guard at the version it read, so two concurrent listings of twins cannot both pass: the second
is cancelled, reads again and is refused.
"""
from typing import Dict, Iterable, List

from chalicelib.domain import codes, duplicates, listing as rules
from chalicelib.domain.listing import LISTED, UNLISTED
from chalicelib.services import batch
from chalicelib.services.sync import SYNC_OFF, SyncGate
from chalicelib.store import groups
from chalicelib.store.catalog import CatalogStore

MODULE = "listings"
ATTEMPTS = 4
MAX_PER_IMAGE = 99          # products claiming one image guard in one transaction (+ the guard)


def apply(merchant_id: str, manual: bool, action: str, erp_product_ids: List[str]) -> list:
    """One result per id, in order; an id given twice is an error the second time, one that is not
    a code (domain/codes.py) an error of its own."""
    gate = SyncGate.load(merchant_id, manual)
    seen, order = set(), []
    for erp_id in erp_product_ids:
        order.append((erp_id, erp_id in seen))
        seen.add(erp_id)
    valid = [i for i in dict.fromkeys(erp_product_ids) if codes.is_code(i)]
    allowed = [i for i in valid if gate.allows(MODULE, i)]
    store = CatalogStore(merchant_id)
    outcome = list_products(store, allowed) if action == "list" else delist_products(store, allowed)
    results = []
    for erp_id, repeated in order:
        if not codes.is_code(erp_id):
            results.append(batch.error(erp_id, "validation_error", f"erp_product_id {codes.problem(erp_id)} "
                                       f"({codes.RULE})", listing=None, duplicate_of=None))
        elif repeated:
            results.append(batch.error(erp_id, "duplicate_key", f"{erp_id!r} appears twice in this request",
                                       listing=None, duplicate_of=None))
        elif erp_id not in outcome:
            results.append(batch.skipped(erp_id, SYNC_OFF, "automatic listing sync is switched off",
                                         listing=None, duplicate_of=None))
        else:
            results.append(outcome[erp_id])
    return results


def list_products(store: CatalogStore, erp_product_ids: Iterable[str]) -> Dict[str, dict]:
    outcome: Dict[str, dict] = {}
    pending = list(dict.fromkeys(erp_product_ids))
    for _ in range(ATTEMPTS):
        if not pending:
            break
        pending = _list_round(store, pending, outcome)
    for erp_id in pending:
        outcome[erp_id] = _error(erp_id, "conflict", "the product changed concurrently; send it again", None)
    return outcome


def _list_round(store: CatalogStore, ids: list, outcome: dict) -> list:
    """Decide and write one round; the ids to try again (a concurrent change cancelled them)."""
    products, stocks = store.products_and_stock(ids)
    candidates = []
    for erp_id in ids:
        product = products.get(erp_id)
        if product is None:
            outcome[erp_id] = _error(erp_id, "not_found", f"no product {erp_id!r}", None)
        elif product.get("listing") == LISTED:
            outcome[erp_id] = _ok(erp_id, LISTED)
        else:
            refused = rules.refusal(product, stocks.get(erp_id), [])
            if refused:
                outcome[erp_id] = _error(erp_id, refused[0], refused[1], product.get("listing"))
            else:
                candidates.append(product)
    guards, listed = _listed_by_image(store, candidates, products)
    by_image: Dict[str, list] = {}
    writes, members, later = [], {}, []
    for product in candidates:
        erp_id, sha = product["erp_product_id"], duplicates.image_key(product)
        if sha is None:
            writes.append(groups.Group(erp_id, [store.list_op(erp_id)]))
            members[erp_id] = [erp_id]
            continue
        twin = duplicates.duplicate_of(product, listed.get(sha, []))
        if twin is not None:
            outcome[erp_id] = _error(erp_id, rules.DUPLICATE, f"the same image, title and attributes as listed "
                                     f"product {twin}", product.get("listing"), duplicate_of=twin)
        elif len(by_image.get(sha, [])) >= MAX_PER_IMAGE:
            later.append(erp_id)
        else:
            by_image.setdefault(sha, []).append(erp_id)
            listed.setdefault(sha, []).append(product)
    for sha, erp_ids in by_image.items():
        version = guards[sha]["version"] if sha in guards else None
        writes.append(groups.Group(("image", sha), [store.list_op(i) for i in erp_ids]
                                   + [store.image_claim_op(sha, erp_ids, version)], covers=tuple(erp_ids)))
        members[("image", sha)] = erp_ids
    failed = groups.apply(store.table, writes)
    retry = list(later)
    for key, erp_ids in members.items():
        for erp_id in erp_ids:
            if key in failed:
                retry.append(erp_id)
            else:
                outcome[erp_id] = _ok(erp_id, LISTED)
    return retry


def _listed_by_image(store: CatalogStore, candidates: list, loaded: dict) -> tuple:
    """(guards by image, {image: listed products that still carry it})."""
    shas = {duplicates.image_key(p) for p in candidates} - {None}
    if not shas:
        return {}, {}
    guards = store.listed_images(shas)
    named = {i for g in guards.values() for i in g.get("erp_ids") or ()}
    missing = [i for i in named if i not in loaded]
    members = dict(loaded)
    if missing:
        members.update(store.products(missing)[0])
    listed: Dict[str, list] = {}
    for sha, guard in guards.items():
        for erp_id in sorted(guard.get("erp_ids") or ()):
            product = members.get(erp_id)
            if product and product.get("listing") == LISTED and duplicates.image_key(product) == sha:
                listed.setdefault(sha, []).append(product)
    return guards, listed


def delist_products(store: CatalogStore, erp_product_ids: Iterable[str]) -> Dict[str, dict]:
    ids = list(dict.fromkeys(erp_product_ids))
    products, _, _ = store.products(ids)
    outcome, writes, by_image, members = {}, [], {}, {}
    for erp_id in ids:
        product = products.get(erp_id)
        if product is None:
            outcome[erp_id] = _error(erp_id, "not_found", f"no product {erp_id!r}", None)
        elif product.get("listing") != LISTED:
            outcome[erp_id] = _ok(erp_id, UNLISTED)
        elif duplicates.image_key(product):
            by_image.setdefault(duplicates.image_key(product), []).append(erp_id)
        else:
            writes.append(groups.Group(erp_id, [store.delist_op(erp_id)]))
            members[erp_id] = [erp_id]
    for sha, erp_ids in by_image.items():
        for start in range(0, len(erp_ids), MAX_PER_IMAGE):
            part = erp_ids[start:start + MAX_PER_IMAGE]
            release = [store.image_release_op(sha, erp_ids)] if start == 0 else []
            writes.append(groups.Group(("image", sha, start), [store.delist_op(i) for i in part] + release,
                                       covers=tuple(part)))
            members[("image", sha, start)] = part
    failed = groups.apply(store.table, writes)
    for key, erp_ids in members.items():
        for erp_id in erp_ids:
            outcome[erp_id] = (_error(erp_id, "conflict", "the product changed concurrently; send it again", LISTED)
                               if key in failed else _ok(erp_id, UNLISTED))
    return outcome


def on_stock_changed(merchant_id: str, erp_product_id: str) -> Dict[str, str]:
    """The auto-list rule for one product; see `on_stocks_changed`."""
    return on_stocks_changed(merchant_id, [erp_product_id])


def on_stocks_changed(merchant_id: str, erp_product_ids: Iterable[str]) -> Dict[str, str]:
    """Inventory calls this after any stock change. With `auto_list_when_stocked` on, a matched
    product whose available stock is positive is listed (unless it duplicates a listed one) and a
    listed product at 0 is delisted. It is an automatic change: the `listings` sync switches
    apply. Answers {erp_product_id: new listing} for the products it changed. One read when the
    setting is off."""
    store = CatalogStore(merchant_id)
    ids = list(dict.fromkeys(erp_product_ids))
    if not ids or not store.listing_settings()["auto_list_when_stocked"]:
        return {}
    gate = SyncGate.load(merchant_id, manual=False)
    products, stocks = store.products_and_stock(ids)
    actions = {i: rules.auto_action(products.get(i), stocks.get(i)) for i in ids if gate.allows(MODULE, i)}
    changed = {}
    listed = list_products(store, [i for i, a in actions.items() if a == "list"])
    delisted = delist_products(store, [i for i, a in actions.items() if a == "delist"])
    for erp_id, result in list(listed.items()) + list(delisted.items()):
        if result["status"] == "ok":
            changed[erp_id] = result["listing"]
    return changed


def _ok(erp_id: str, listing: str) -> dict:
    return batch.ok(erp_id, listing=listing, duplicate_of=None)


def _error(erp_id: str, code: str, detail: str, listing, duplicate_of=None) -> dict:
    return batch.error(erp_id, code, detail, listing=listing, duplicate_of=duplicate_of)


def settings(merchant_id: str) -> dict:
    return CatalogStore(merchant_id).listing_settings()


def put_settings(merchant_id: str, auto_list_when_stocked: bool) -> dict:
    return CatalogStore(merchant_id).put_listing_settings(auto_list_when_stocked)
