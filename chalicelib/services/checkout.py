"""Checkout tokens and order placement: exactly one order per token.

Placement reads the prices and the stock records (for the lot shown to the buyer) in one batch
read (catalog's `resolve_prices_and_stock`), then makes ONE transaction: the token's use (its uniqueness and replay record),
the order, the order's id reference and a reservation per product (`free >= quantity`). When the
token was already used the same transaction fails on the token alone and its stored first
response is replayed — for a different request body, `idempotency_key_mismatch`. Not enough
stock fails it on a reservation: 409 `insufficient_stock`, nothing written, and the token stays
usable (like a request that failed validation, the failure is not remembered).
"""
import hashlib
import json
from typing import Tuple

from chalicelib.domain import clock, secrets
from chalicelib.domain import orders as rules
from chalicelib.domain.errors import DomainError, NotFound, UnprocessableRequest
from chalicelib.domain.ids import sortable_id
from chalicelib.services.orders import stock_changed
from chalicelib.store.checkout import CheckoutTokenStore
from chalicelib.store.orders import OrderStore, token_outcome
from chalicelib.store.stock_buckets import Reservations


def _merchant_of_channel(merchant_id: str, merchant_ids) -> None:
    if merchant_id not in merchant_ids:
        raise NotFound("No such merchant")


def issue_token(channel_id: str, merchant_ids, merchant_id: str) -> dict:
    _merchant_of_channel(merchant_id, merchant_ids)
    token = secrets.new_token("ct_")
    CheckoutTokenStore(merchant_id).issue(token, channel_id)
    return {"token": token}


def fingerprint(request: dict) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def place_order(channel_id: str, merchant_ids, token: str, request: dict) -> Tuple[str, bool]:
    """(the order body as JSON text, whether it is a replay of the token's first answer)."""
    merchant_id = request["merchant_id"]
    _merchant_of_channel(merchant_id, merchant_ids)
    tokens = CheckoutTokenStore(merchant_id)
    digest = fingerprint(request)
    try:
        order, stocks = _new_order(merchant_id, channel_id, token, request)
    except DomainError:
        # a used token answers with its first order even if the catalog changed since
        used = tokens.get(token)
        if used and used.get("state") == "used":
            return token_outcome(used, lambda: used, channel_id, digest), True
        raise
    body = json.dumps(rules.body(order), ensure_ascii=False, default=str)
    use = tokens.use_op(token, channel_id, order["order_id"], digest, body)
    quantities = {line["erp_product_id"]: line["quantity"] for line in order["lines"]}
    reservations = Reservations(merchant_id, quantities, stocks)
    try:
        replay = OrderStore(merchant_id).place(order, use, digest, reservations, lambda: tokens.get(token))
    except rules.InsufficientStock:
        stock_changed(merchant_id, reservations.emptied)   # a bucketed product just sold out
        raise
    if replay is not None:
        return replay, True
    stock_changed(merchant_id, reservations.in_records())
    return body, False


def _new_order(merchant_id: str, channel_id: str, token: str, request: dict) -> tuple:
    """(the order, the stock records read for it)."""
    from chalicelib.services.pricing import resolve_prices_and_stock
    quantities = rules.combine((line["erp_product_id"], line["quantity"]) for line in request["lines"])
    if len(quantities) > rules.MAX_LINES:
        raise UnprocessableRequest("too_many_lines", f"At most {rules.MAX_LINES} products per order")
    address, buyer = request["address"], request["buyer"]
    prices, stocks = resolve_prices_and_stock(merchant_id, list(quantities), address["province"],
                                              buyer["platform_customer_id"])
    unknown = [e for e in quantities if e not in prices]
    if unknown:
        raise UnprocessableRequest("unknown_product", f"No product {', '.join(unknown)}",
                                   erp_product_ids=unknown)
    unlisted = [e for e in quantities if prices[e][2].get("listing") != "listed"]
    if unlisted:
        raise UnprocessableRequest("product_not_listed", f"Not for sale: {', '.join(unlisted)}",
                                   erp_product_ids=unlisted)
    lines = rules.priced_lines(quantities, prices,
                               {e: rules.shown_lot(stock.get("lots")) for e, stock in stocks.items()})
    now = clock.now()
    now_iso = clock.iso(now)
    return {"order_id": sortable_id("o_", now), "merchant_id": merchant_id, "channel_id": channel_id,
            "token": token, "status": rules.PENDING_PAYMENT, "created_at": now_iso,
            "updated_at": now_iso, "pay_deadline": int(now + rules.PAYMENT_TIMEOUT_SECONDS),
            "buyer": buyer, "remark": request.get("remark"), "delivery": address,
            "invoice": request.get("invoice"), "amounts": rules.amounts(lines), "lines": lines,
            "refunds": []}, stocks
