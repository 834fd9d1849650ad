"""Candidate base products of a merchant product (a console extension to contract section 4):
every base product that one of the matching criteria (barcode, approval number, spec with
manufacturer) finds, so that a person can resolve a `pending_review` match by picking one."""
from chalicelib.domain import matching
from chalicelib.domain.errors import NotFound
from chalicelib.store import keys
from chalicelib.store.catalog import CatalogStore
from chalicelib.store.platform import PlatformStore

BASE_FIELDS = ("base_product_id", "name", "barcode", "approval_number", "spec", "manufacturer")


def candidates(merchant_id: str, erp_product_id: str) -> dict:
    product = CatalogStore(merchant_id).product(erp_product_id)
    if product is None:
        raise NotFound(f"no product {erp_product_id!r}")
    platform = PlatformStore()
    found_by: dict = {}
    criteria = matching.criteria(product)
    by_index = platform.base_products_by_indexes([keys.base_index(*c) for c in criteria])
    for criterion in criteria:
        for base_id in by_index.get(keys.base_index(*criterion), []):
            found_by.setdefault(base_id, []).append(criterion[0])
    bases = platform.base_products(list(found_by))
    items = [dict({f: bases[b].get(f) for f in BASE_FIELDS}, matched_by=found_by[b])
             for b in found_by if b in bases]
    return {"erp_product_id": erp_product_id, "match": product.get("match"),
            "base_product_id": product.get("base_product_id"), "items": items}
