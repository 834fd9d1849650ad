"""Each spreadsheet kind's API model and service function (the code behind its endpoint).

Everything is called with `manual=True`. Models and services are imported when a kind is first
used, so a worker only loads the features its files need.
"""
from typing import List, Tuple

from chalicelib.domain.errors import DomainError
from chalicelib.services.batch import error, ok
from chalicelib.services.sheet_apply import Target, consecutive, detail_of
from chalicelib.store import receipts

MANUAL = True


class KindUnavailable(Exception):
    pass


def target(kind: str) -> Target:
    try:
        return _BUILDERS[kind]()
    except ImportError as err:
        raise KindUnavailable(f"{kind} files cannot be applied yet ({err.name} is missing)")


def _each(call) -> callable:
    """A batch call made of one service call per item; a domain error fails that item alone.
    The item's first write carries its rows' receipt (store/receipts.py)."""
    def run(merchant_id: str, parsed: list) -> list:
        results = []
        for key, item, _ in parsed:
            try:
                with receipts.for_item(key):
                    results.append(call(merchant_id, key, item))
            except DomainError as err:
                results.append(error(key, err.code, detail_of(err)))
        return results
    return run



def _products() -> Target:
    from chalicelib.models.catalog import ProductItem
    from chalicelib.services import products
    return Target(ProductItem.model_validate, lambda mid, parsed: products.upsert(mid, MANUAL, parsed))


def _prices() -> Target:
    from chalicelib.models.prices import PriceItem
    from chalicelib.services import pricing
    return Target(PriceItem.model_validate, lambda mid, parsed: pricing.update(mid, MANUAL, parsed))


def _customers() -> Target:
    """A row is a customer (PUT /v1/customers), or, when it names a platform buyer, that buyer's
    customer code (PUT /v1/customers/by-platform-id/{id})."""
    from chalicelib.models.customers import BuyerCode, CustomerItem
    from chalicelib.services import customers

    def model(raw: dict):
        if raw.get("platform_customer_id"):
            body = BuyerCode.model_validate({"erp_customer_code": raw.get("erp_customer_code")})
            return _Mapping(_checked(raw["platform_customer_id"], "Code"), body.erp_customer_code)
        return CustomerItem.model_validate(raw)

    def map_one(mid: str, key: str, item) -> dict:
        answer = customers.map_buyer(mid, MANUAL, item.platform_customer_id, item.erp_customer_code)
        if answer.get("status", "ok") != "ok":
            return error(key, answer.get("code") or "error", answer.get("detail") or "")
        return ok(key, platform_customer_id=item.platform_customer_id)

    def call(mid: str, parsed: list) -> list:
        if isinstance(parsed[0][1], _Mapping):
            return _each(map_one)(mid, parsed)
        return customers.upsert(mid, MANUAL, parsed)

    return Target(model, call, tag=lambda item: "map" if isinstance(item, _Mapping) else "upsert")


class _Mapping:
    def __init__(self, platform_customer_id: str, erp_customer_code: str):
        self.platform_customer_id, self.erp_customer_code = platform_customer_id, erp_customer_code


def _checked(value, type_name: str) -> str:
    """`value` checked as the API's `Code` (codes ERPs choose) or `Id` (ids Onceship issues)."""
    from pydantic import TypeAdapter
    from chalicelib.models import base
    return TypeAdapter(getattr(base, type_name)).validate_python(value)


def _inventory() -> Target:
    from chalicelib.models.inventory import InventorySet
    from chalicelib.services import inventory
    return Target(InventorySet.model_validate, lambda mid, parsed: inventory.set_many(mid, MANUAL, parsed))


def _listings() -> Target:
    from chalicelib.models.catalog import ListingAction
    from chalicelib.services import listing

    def model(raw: dict):
        return ListingAction.model_validate({"action": raw.get("action"),
                                             "erp_product_ids": [raw.get("erp_product_id")]})

    def call(mid: str, parsed: list) -> list:
        action = parsed[0][1].action
        return listing.apply(mid, MANUAL, action, [item.erp_product_ids[0] for _, item, _ in parsed])

    return Target(model, call, tag=lambda item: item.action)


def _lots() -> Target:
    from chalicelib.models.inventory import LotsBody
    from chalicelib.services import inventory

    def into(key: str, rows: List[dict]) -> dict:
        return {"erp_product_id": key,
                "lots": [{k: v for k, v in r.items() if k != "erp_product_id"} for r in rows]}

    def model(raw: dict) -> Tuple[str, object]:
        return _checked(raw["erp_product_id"], "Code"), LotsBody.model_validate({"lots": raw["lots"]})

    def call(mid: str, key: str, item) -> dict:
        erp_id, body = item
        answer = inventory.put_lots(mid, MANUAL, erp_id, [lot.model_dump() for lot in body.lots])
        fields = {k: answer.get(k) for k in ("on_hand", "available")}
        if answer.get("status", "ok") != "ok":
            return error(key, answer.get("code") or "error", answer.get("detail") or "", **fields)
        return ok(key, **fields)

    return Target(model, _each(call), group=consecutive("erp_product_id", into))


def _order_status() -> Target:
    from chalicelib.models.orders import ErpStatus
    from chalicelib.domain import clock
    from chalicelib.services import shipping

    def model(raw: dict):
        status = ErpStatus.model_validate({k: raw.get(k) for k in ("status", "at")})
        return _order_id(raw), status.status, clock.iso(status.at.timestamp())

    def call(mid: str, key: str, item) -> dict:
        order_id, status, at = item
        answer = shipping.erp_status(mid, order_id, status, at)
        return ok(key, order_status=answer.get("order_status"))

    return Target(model, _each(call))


def _logistics() -> Target:
    from chalicelib.models.orders import Logistics
    from chalicelib.domain.normalize import ident
    from chalicelib.services import shipping
    from chalicelib.store.platform import PlatformStore

    by_name = {}

    def carrier(text) -> str:
        if not by_name:
            by_name.update({ident(name): code for code, name in PlatformStore().carriers().items()})
        return by_name.get(ident(text), text) if isinstance(text, str) else text

    def model(raw: dict):
        body = Logistics.model_validate({"carrier_code": carrier(raw.get("carrier_code")),
                                         "waybill_no": raw.get("waybill_no")})
        return _order_id(raw), body.carrier_code, body.waybill_no

    def call(mid: str, key: str, item) -> dict:
        order_id, carrier_code, waybill_no = item
        answer = shipping.logistics(mid, order_id, carrier_code, waybill_no)
        return ok(key, order_status=answer.get("status"))

    return Target(model, _each(call))


def _order_id(raw: dict) -> str:
    return _checked(raw.get("order_id"), "Id")


_BUILDERS = {
    "products": _products, "prices": _prices, "customers": _customers, "inventory": _inventory,
    "listings": _listings, "lots": _lots, "order-status": _order_status, "logistics": _logistics,
}

