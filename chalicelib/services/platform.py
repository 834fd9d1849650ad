"""The platform's own records, kept by its admin (contract section 3): the base-product catalog
merchants' products are matched against, and the carriers every desk ships with."""
from chalicelib.store.platform import PlatformStore


def put_base_product(base_product_id: str, fields: dict) -> dict:
    """The base product as stored: its id, the `fields` given (in their order), updated_at."""
    item = PlatformStore().put_base_product(base_product_id, fields)
    return {k: item.get(k) for k in ("base_product_id", *fields, "updated_at")}


def put_carrier(carrier_code: str, name: str) -> dict:
    """A carrier's display name; codes are kept upper-case (`sf` is `SF`)."""
    code = carrier_code.upper()
    PlatformStore().put_carrier(code, name)
    return {"carrier_code": code, "name": name}


def carriers() -> dict:
    """Every carrier, by code (one page: the list is short)."""
    found = PlatformStore().carriers()
    return {"items": [{"carrier_code": c, "name": n} for c, n in sorted(found.items())], "next_cursor": None}
