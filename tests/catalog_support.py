"""Helpers for the catalog and customer tests: unique base products, stock records, request counts."""
import threading
import uuid
from contextlib import contextmanager

from tests.helpers import admin


def uid(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:10]


def base_product(stack, **fields) -> str:
    """A new base product with unique identifiers unless given; answers its id."""
    base_id = uid("BP")
    body = dict({"name": "base " + base_id}, **fields)
    answer = admin(stack).put(f"/v1/admin/base-products/{base_id}", body)
    assert answer.status_code == 200, answer.text
    return base_id


def put_products(merchant, items, headers=None) -> list:
    answer = merchant.client.put("/v1/products", {"items": items}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def product(erp_id: str, **fields) -> dict:
    return dict({"erp_product_id": erp_id, "name": "商品 " + erp_id, "default_price": "10.00"}, **fields)


def set_stock(merchant_id: str, erp_id: str, on_hand: int, reserved: int = 0) -> None:
    """The STOCK record that inventory owns (written directly until its endpoints exist here)."""
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    pk, sk = MerchantScope(merchant_id).stock(erp_id)
    Table().put({"pk": pk, "sk": sk, "on_hand": on_hand, "reserved": reserved, "free": on_hand - reserved})


@contextmanager
def dynamodb_calls():
    """Records the app's DynamoDB calls in this process as (thread id, operation, params)."""
    from chalicelib import aws
    calls = []

    def record(model, params, **_):
        calls.append((threading.get_ident(), model.name, repr(params)))

    events = aws.dynamodb().meta.events
    events.register("before-call.dynamodb", record)
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb", record)


def calls_of_request(calls: list, marker: str) -> list:
    """The operations made by the server thread whose calls mention `marker` (one request on a
    fresh connection is served by one thread)."""
    threads = {t for t, _, params in calls if marker in params}
    assert len(threads) == 1, threads
    return [op for t, op, _ in calls if t in threads]
