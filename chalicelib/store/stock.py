"""Stock operations for other features' transactions (orders reserve, release and consume).

Minimal version written by the orders feature against the agreed interface of
docs/architecture.md; the inventory feature owns this module and its STOCK record
(`on_hand`, `reserved`, `free = on_hand - reserved`).
"""
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import update_op


def reserve_op(merchant_id: str, erp_product_id: str, quantity: int) -> dict:
    """Reserve `quantity`; the transaction fails on this operation unless `free >= quantity`."""
    pk, sk = MerchantScope(merchant_id).stock(erp_product_id)
    return update_op(pk, sk, "SET #reserved = #reserved + :q, #free = #free - :q",
                     condition="#free >= :q", values={":q": quantity},
                     names={"#reserved": "reserved", "#free": "free"})


def release_op(merchant_id: str, erp_product_id: str, quantity: int) -> dict:
    """Give back a reservation (an order cancelled or refunded before shipping)."""
    pk, sk = MerchantScope(merchant_id).stock(erp_product_id)
    return update_op(pk, sk, "SET #reserved = #reserved - :q, #free = #free + :q",
                     condition="attribute_exists(pk)", values={":q": quantity},
                     names={"#reserved": "reserved", "#free": "free"})


def consume_op(merchant_id: str, erp_product_id: str, quantity: int) -> dict:
    """Shipping: the reserved units leave the shelf (on_hand and reserved both go down)."""
    pk, sk = MerchantScope(merchant_id).stock(erp_product_id)
    return update_op(pk, sk, "SET #on_hand = #on_hand - :q, #reserved = #reserved - :q",
                     condition="attribute_exists(pk)", values={":q": quantity},
                     names={"#on_hand": "on_hand", "#reserved": "reserved"})
