"""Checkout tokens and order placement: exactly one order per token.

Placement prices the order from `store.order_catalog.OrderCatalog` (products, their stock
records for the lot shown, the buyer's link, region groups when they matter): from a warm
process's cache when it has them, else from one batch read. It then makes ONE transaction: the
token's use (its uniqueness and replay record), the order, the order's id reference, the signed
request's nonce, a reservation per product (`free >= quantity`, and the lots the order shows)
and a check on each record the order was priced from. On the warm path that transaction is the
only DynamoDB request of the placement (docs/orders.md).

When the token was already used the transaction fails on the token and its stored first response
is replayed — for a different request body, `idempotency_key_mismatch`. A nonce already used
fails it on the nonce: 401 `nonce_reused`, nothing written (a replayed signed request). Not
enough stock fails it on a reservation: 409 `insufficient_stock`, nothing written, and the token
stays usable (like a request that failed validation, the failure is not remembered). A check
that fails (the cached price, listing, lot, buyer groups or region groups changed) writes
nothing either: the records are read again and the order priced again, so no order is ever
written at a price that is no longer the stored one.

A hot product's stock is in buckets (store/stock_buckets.py): its reservation goes to one of
them (`Reservations`), its product is read fresh rather than checked (a check is two write
units on the product's one partition with every order) and the listing rule after an order
runs for the products reserved in their records; a bucketed one's runs when a placement finds
it sold out.
"""
import hashlib
import json
from typing import Tuple

from chalicelib.domain import clock, pricing, secrets
from chalicelib.domain import orders as rules
from chalicelib.domain.errors import Conflict, DomainError, NotFound, UnprocessableRequest
from chalicelib.domain.ids import sortable_id
from chalicelib.store.checkout import CheckoutTokenStore
from chalicelib.store.order_catalog import OrderCatalog
from chalicelib.store.orders import StaleRecord, OrderStore, token_outcome

PRICING_ATTEMPTS = 3     # a catalog record changing under every attempt is answered 409 conflict
FIXED_OPS = 4            # token, order, reference, nonce


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


def place_order(channel_id: str, merchant_ids, token: str, request: dict, nonce=None) -> Tuple[str, bool]:
    """(the order body as JSON text, whether it is a replay of the token's first answer).
    `nonce`: the signed request's store.accounts.PendingNonce, written in the order's transaction."""
    merchant_id = request["merchant_id"]
    _merchant_of_channel(merchant_id, merchant_ids)
    tokens = CheckoutTokenStore(merchant_id)
    digest = fingerprint(request)
    quantities = rules.combine((line["erp_product_id"], line["quantity"]) for line in request["lines"])
    catalog = OrderCatalog(merchant_id, list(quantities), request["buyer"]["platform_customer_id"])
    use_cache = True
    for _ in range(PRICING_ATTEMPTS):
        catalog.read(use_cache and len(quantities) <= rules.MAX_LINES)
        try:
            order, province_used = _new_order(merchant_id, channel_id, token, request, quantities, catalog)
        except DomainError:
            if catalog.cached:            # never refuse an order on what a cache says: read again
                use_cache = False
                continue
            # a used token answers with its first order even if the catalog changed since
            used = tokens.get(token)
            if used and used.get("state") == "used":
                return token_outcome(used, lambda: used, channel_id, digest), True
            raise
        checked = catalog.fits(quantities, province_used, FIXED_OPS)
        if not checked and catalog.cached:
            use_cache = False             # too many lines to check: price from a fresh read
            continue
        body = json.dumps(rules.body(order), ensure_ascii=False, default=str)
        use = tokens.use_op(token, channel_id, order["order_id"], digest, body)
        reservations = catalog.reservations(quantities, with_lots=checked)
        try:
            replay = OrderStore(merchant_id).place(
                order, use, digest, reservations, lambda: tokens.get(token),
                checks=catalog.check_ops(province_used) if checked else [], nonce=nonce)
        except StaleRecord:
            catalog.forget()
            use_cache = False
            continue
        except rules.InsufficientStock:
            _stock_changed(merchant_id, reservations.emptied)     # a bucketed product just sold out
            raise
        if replay is not None:
            return replay, True
        _stock_changed(merchant_id, reservations.in_records())   # a bucketed one's rule runs when it sells out
        return body, False
    raise Conflict("The catalog changed while the order was being placed; send it again")


def _stock_changed(merchant_id: str, quantities) -> None:
    """The catalog's auto-list rule after reserving (services/orders.py: stock_changed), loaded
    only when the merchant has it on."""
    from chalicelib.store.order_catalog import auto_listing_on
    if not quantities:
        return
    try:
        if not auto_listing_on(merchant_id):
            return
    except Exception:      # best effort, as stock_changed itself: the order is committed
        from chalicelib import observability as obs
        obs.logger().exception("listing rule after an order's stock change failed")
        return
    from chalicelib.services.orders import stock_changed
    stock_changed(merchant_id, quantities)


def _new_order(merchant_id: str, channel_id: str, token: str, request: dict, quantities: dict,
               catalog: OrderCatalog) -> tuple:
    """(the order, whether the province mattered to its prices)."""
    if len(quantities) > rules.MAX_LINES:
        raise UnprocessableRequest("too_many_lines", f"At most {rules.MAX_LINES} products per order")
    address, buyer = request["address"], request["buyer"]
    customer_groups = catalog.customer_groups() if catalog.uses_customer_prices() else []
    prices, province_used = pricing.resolve_all(catalog.products, customer_groups, catalog.region_groups,
                                                address["province"])
    unknown = [e for e in quantities if e not in prices]
    if unknown:
        raise UnprocessableRequest("unknown_product", f"No product {', '.join(unknown)}",
                                   erp_product_ids=unknown)
    unlisted = [e for e in quantities if prices[e][2].get("listing") != "listed"]
    if unlisted:
        raise UnprocessableRequest("product_not_listed", f"Not for sale: {', '.join(unlisted)}",
                                   erp_product_ids=unlisted)
    lines = rules.priced_lines(quantities, prices,
                               {e: rules.shown_lot(stock.get("lots")) for e, stock in catalog.stocks.items()})
    now = clock.now()
    now_iso = clock.iso(now)
    return ({"order_id": sortable_id("o_", now), "merchant_id": merchant_id, "channel_id": channel_id,
             "token": token, "status": rules.PENDING_PAYMENT, "created_at": now_iso,
             "updated_at": now_iso, "pay_deadline": int(now + rules.PAYMENT_TIMEOUT_SECONDS),
             "buyer": buyer, "remark": request.get("remark"), "delivery": address,
             "invoice": request.get("invoice"), "amounts": rules.amounts(lines), "lines": lines,
             "refunds": []}, province_used)
