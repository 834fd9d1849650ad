"""The route table and its registration on the Chalice app.

Cold start matters, so this module is all that `app.py` imports for the API: each route names its
handler as "module:function" and the module (with its pydantic models and store code) is imported
on the first request that needs it. Who may call a route is declared here, in one place.
"""
import os
from dataclasses import dataclass
from typing import Optional, Tuple

# Callers by kind (admin, merchant, channel) and console users by role (operator, supervisor,
# manager). A manager reaches everything the merchant's signed requests reach, the desk included.
PUBLIC: Tuple[str, ...] = ()
ADMIN = ("admin",)
MERCHANT = ("merchant", "manager")
CHANNEL = ("channel",)
DESK = ("operator", "supervisor", "manager", "merchant")
SUPERVISOR = ("supervisor", "manager", "merchant")
SESSION = ("operator", "supervisor", "manager")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    target: str
    auth: Tuple[str, ...]
    summary: str = ""


def _r(method: str, path: str, target: str, auth: Tuple[str, ...], summary: str = "") -> Route:
    return Route(method, path, "chalicelib.api." + target, auth, summary)


ROUTES = [
    _r("GET", "/v1/health", "system:health", PUBLIC, "Readiness of the stack"),
    _r("GET", "/v1/openapi.json", "system:openapi", PUBLIC, "This OpenAPI document"),
    _r("GET", "/v1/console", "console_page:page", PUBLIC, "The console: back office and fulfillment desk (HTML)"),
    _r("GET", "/v1/console/assets/{name}", "console_page:asset", PUBLIC, "The console's scripts, style sheet and icon"),
    _r("POST", "/v1/admin/merchants", "admin:create_merchant", ADMIN, "Create a merchant"),
    _r("POST", "/v1/admin/merchants/{merchant_id}/secret", "admin:rotate_merchant_secret", ADMIN,
       "Rotate a merchant's secret"),
    _r("POST", "/v1/admin/channels", "admin:create_channel", ADMIN, "Create a storefront channel"),
    _r("POST", "/v1/admin/merchants/{merchant_id}/operators", "admin:create_operator", ADMIN,
       "Create a console operator"),
    _r("PUT", "/v1/admin/base-products/{base_product_id}", "admin:put_base_product", ADMIN,
       "Upsert a base product of the platform catalog"),
    _r("PUT", "/v1/admin/carriers/{carrier_code}", "admin:put_carrier", ADMIN, "Upsert a carrier"),
    _r("GET", "/v1/admin/dead-letters", "dead_letters:list_dead_letters", ADMIN,
       "Messages resting in each work queue's dead-letter queue"),
    _r("POST", "/v1/admin/dead-letters/{queue}/redrive", "dead_letters:redrive", ADMIN,
       "Move a work queue's dead letters back to it (jobs, uploads, webhooks)"),
    _r("GET", "/v1/carriers", "admin:list_carriers", ADMIN + CHANNEL + DESK, "The platform's carrier list"),
    _r("POST", "/v1/console/sessions", "console:create_session", PUBLIC, "Operator login"),
    _r("DELETE", "/v1/console/sessions/current", "console:delete_session", SESSION, "Logout: end this session"),
    _r("POST", "/v1/desk/operators", "console:create_operator", SUPERVISOR,
       "Add a console user (supervisors add operators and supervisors only)"),
    _r("GET", "/v1/desk/operators", "console:list_operators", SUPERVISOR, "The merchant's console users"),
    _r("PUT", "/v1/desk/operators/{username}", "console:change_operator", SUPERVISOR,
       "Change a user's password, role or disabled; ends the user's sessions"),
    _r("GET", "/v1/sync-switches", "sync_switches:get_switches", MERCHANT, "Module sync switches"),
    _r("PUT", "/v1/sync-switches", "sync_switches:put_switches", MERCHANT, "Set module sync switches"),
    _r("PUT", "/v1/products/{erp_product_id}/sync-switches", "sync_switches:put_product_switches",
       MERCHANT, "Set a product's sync switches"),
    # catalog (issue 3) ------------------------------------------------------------------------
    _r("PUT", "/v1/products", "products:upsert_products", MERCHANT, "Batch upsert of products, matched to the base catalog"),
    _r("GET", "/v1/products", "products:list_products", MERCHANT, "The merchant's products, by listing and match"),
    _r("GET", "/v1/products/{erp_product_id}", "products:get_product", MERCHANT, "One product with its prices"),
    _r("POST", "/v1/products/{erp_product_id}/review", "products:review_product", MERCHANT,
       "Resolve a pending_review match"),
    _r("POST", "/v1/listings", "products:apply_listing", MERCHANT, "List or delist products (batch)"),
    _r("GET", "/v1/settings/listing", "products:get_listing_settings", MERCHANT, "Listing settings"),
    _r("PUT", "/v1/settings/listing", "products:put_listing_settings", MERCHANT,
       "Set auto_list_when_stocked"),
    _r("PUT", "/v1/prices", "prices:put_prices", MERCHANT, "Batch of price changes"),
    _r("GET", "/v1/products/{erp_product_id}/price", "prices:get_price", MERCHANT,
       "The price a buyer pays: customer-level, else region, else default"),
    _r("PUT", "/v1/region-groups/{region_group_id}", "prices:put_region_group", MERCHANT,
       "Upsert a region group of provinces"),
    _r("PUT", "/v1/customer-groups/{customer_group_id}", "prices:put_customer_group", MERCHANT,
       "Upsert a customer group of platform buyers"),
    _r("PUT", "/v1/customers", "customers:upsert_customers", MERCHANT,
       "Batch upsert of customers, matched to platform buyers by credit code"),
    _r("GET", "/v1/customers/{erp_customer_code}", "customers:get_customer", MERCHANT, "One customer"),
    _r("PUT", "/v1/customers/by-platform-id/{platform_customer_id}", "customers:map_buyer", MERCHANT,
       "Name the merchant's customer code for a platform buyer"),
    _r("PUT", "/v1/buyers/{platform_customer_id}", "customers:put_buyer", CHANNEL,
       "Upsert a platform buyer (B2B buyers carry their credit code)"),
    # inventory and ERP polling (issue 4) ------------------------------------------------------
    _r("PUT", "/v1/inventory", "inventory:put_inventory", MERCHANT, "Set on-hand stock (batch, absolute)"),
    _r("POST", "/v1/inventory/adjustments", "inventory:post_adjustments", MERCHANT,
       "Adjust on-hand stock by deltas (batch)"),
    _r("GET", "/v1/inventory/{erp_product_id}", "inventory:get_inventory", MERCHANT, "A product's stock"),
    _r("PUT", "/v1/products/{erp_product_id}/lots", "inventory:put_lots", MERCHANT,
       "Replace a product's lots (on-hand becomes their sum)"),
    _r("GET", "/v1/products/{erp_product_id}/sync-switches", "sync_switches:get_product_switches",
       MERCHANT, "A product's sync switches"),
    _r("PUT", "/v1/erp-connection", "erp_connection:put_connection", MERCHANT,
       "Connect the ERP's inventory feed for scheduled polling"),
    _r("GET", "/v1/erp-connection", "erp_connection:get_connection", MERCHANT,
       "The ERP connection (never the auth header)"),
    _r("DELETE", "/v1/erp-connection", "erp_connection:delete_connection", MERCHANT,
       "Stop polling the ERP"),
    _r("GET", "/v1/erp-connection/status", "erp_connection:get_status", MERCHANT,
       "Outcome of the latest poll and when the next one runs"),
    _r("POST", "/v1/erp-connection/polls", "erp_connection:post_poll", MERCHANT,
       "Poll the ERP at the next tick (backoff does not apply)"),
    # orders and webhooks (issue 5) ------------------------------------------------------------
    _r("POST", "/v1/checkout-tokens", "orders:issue_token", CHANNEL, "Issue a checkout token for an order page"),
    _r("POST", "/v1/orders", "orders:place_order", CHANNEL,
       "Place an order; Idempotency-Key (required) is the checkout token"),
    _r("GET", "/v1/orders", "order_feed:list_orders", MERCHANT, "Paid orders for the ERP, stable cursor paging"),
    _r("POST", "/v1/orders/sync-acks", "order_feed:acknowledge", MERCHANT, "Mark orders synced by the ERP"),
    _r("GET", "/v1/orders/{order_id}", "order_feed:get_order", MERCHANT, "One paid order"),
    _r("POST", "/v1/orders/{order_id}/payment", "orders:pay", CHANNEL, "Record the order's payment"),
    _r("POST", "/v1/orders/{order_id}/refund-requests", "orders:request_refund", CHANNEL,
       "Ask for a refund (hold before shipping, after-sale after)"),
    _r("POST", "/v1/orders/{order_id}/refund-decision", "order_updates:decide_refund", MERCHANT,
       "Approve or reject the open refund request"),
    _r("POST", "/v1/orders/{order_id}/logistics", "order_updates:logistics", MERCHANT,
       "Carrier and waybill: the order is shipped"),
    _r("POST", "/v1/orders/{order_id}/shipments", "order_updates:shipments", MERCHANT,
       "A (partial) shipment with lots"),
    _r("POST", "/v1/orders/{order_id}/erp-status", "order_updates:erp_status", MERCHANT,
       "An ERP status, recorded as a tracking event"),
    _r("GET", "/v1/orders/{order_id}/tracking", "order_updates:tracking", MERCHANT + CHANNEL,
       "Tracking events, oldest first"),
    _r("PUT", "/v1/webhook-endpoint", "webhooks:put_endpoint", MERCHANT, "Set the webhook endpoint"),
    _r("GET", "/v1/webhook-endpoint", "webhooks:get_endpoint", MERCHANT, "The webhook endpoint (no secret)"),
    _r("GET", "/v1/webhook-deliveries", "webhooks:list_deliveries", MERCHANT, "Webhook deliveries by status"),
    _r("POST", "/v1/webhook-deliveries/{event_id}/retry", "webhooks:retry_delivery", MERCHANT,
       "Send a webhook event again"),
    # fulfillment desk (issue 6) ---------------------------------------------------------------
    _r("GET", "/v1/desk/orders", "desk:list_orders", DESK, "Orders at the desk, with the review screen's filters"),
    _r("GET", "/v1/desk/orders/{order_id}", "desk:get_order", DESK, "One order with its stage and print log"),
    _r("PUT", "/v1/desk/orders/{order_id}/remark", "desk:put_remark", DESK, "The merchant's own remark"),
    _r("POST", "/v1/desk/reviews", "desk:review", DESK, "Review orders by hand or automatically"),
    _r("PUT", "/v1/desk/orders/carrier", "desk:change_carrier", DESK, "Change the carrier of orders"),
    _r("PUT", "/v1/desk/carrier-rules", "desk:put_carrier_rules", SUPERVISOR, "Default carrier by province"),
    _r("GET", "/v1/desk/carrier-rules", "desk:get_carrier_rules", DESK, "The carrier rules"),
    _r("POST", "/v1/desk/refund-checks", "desk:refund_checks", DESK, "Which orders carry refund holds"),
    _r("PUT", "/v1/settings/sender", "printing:put_sender", SUPERVISOR, "The sender printed on labels"),
    _r("GET", "/v1/settings/sender", "printing:get_sender", DESK, "The sender printed on labels"),
    _r("POST", "/v1/desk/waybill-ranges", "printing:add_waybill_range", SUPERVISOR, "Add a carrier's waybill number range"),
    _r("GET", "/v1/desk/waybill-ranges", "printing:list_waybill_ranges", DESK, "Waybill ranges and what is left"),
    _r("POST", "/v1/desk/waybills", "printing:reserve_waybills", DESK, "Reserve one waybill number per order"),
    _r("PUT", "/v1/desk/print-lanes/{lane}", "printing:put_print_lane", SUPERVISOR, "Define a print lane"),
    _r("POST", "/v1/desk/print-batches", "printing:print_batch", DESK, "Claim a batch of orders to print"),
    _r("POST", "/v1/desk/orders/{order_id}/reprints", "printing:reprint", DESK, "Print again, with a supervisor's authorization"),
    _r("POST", "/v1/desk/shipments", "dispatch:ship", DESK, "Ship printed orders directly"),
    _r("POST", "/v1/desk/inspections", "dispatch:inspect", DESK, "Outbound scan: a match ships the order"),
    _r("POST", "/v1/desk/manual-orders", "dispatch:manual_order", SUPERVISOR, "An exchange order for the same buyer"),
    # console extensions (issue 12): reads the console's screens need -------------------------
    _r("GET", "/v1/desk/stage-counts", "desk_views:stage_counts", DESK, "Console extension: how many orders each stage holds"),
    _r("GET", "/v1/desk/print-lanes", "desk_views:print_lanes", DESK, "Console extension: the print lanes"),
    _r("GET", "/v1/desk/parcels/{waybill_no}", "desk_views:parcel", DESK,
       "Console extension: what the outbound scan expects for a waybill (the label's lines)"),
    _r("GET", "/v1/products/{erp_product_id}/candidates", "catalog_views:candidates", MERCHANT,
       "Console extension: base products a pending_review product may be, by the matching criteria"),
    _r("GET", "/v1/uploads/{job_id}/report", "uploads:get_report", MERCHANT, "Console extension: a download URL of an upload job's report"),
    # spreadsheets and exports (issue 7): the merchant's and managers', never the desk's ------
    _r("POST", "/v1/uploads", "uploads:create_upload", MERCHANT, "A presigned PUT for a spreadsheet"),
    _r("GET", "/v1/uploads", "uploads:list_uploads", MERCHANT, "Upload jobs, newest first"),
    _r("GET", "/v1/uploads/{job_id}", "uploads:get_upload", MERCHANT, "One upload job"),
    _r("GET", "/v1/templates/{template}", "uploads:get_template", MERCHANT,
       "The spreadsheet template of a kind (<kind>.xlsx)"),
    _r("POST", "/v1/exports/orders", "exports:create_orders_export", MERCHANT, "Export orders to .xlsx"),
    _r("GET", "/v1/exports/{job_id}", "exports:get_export", MERCHANT, "One export job"),
]


# Responses sent as bytes (API Gateway's binary media types); spreadsheet templates.
BINARY_TYPES = ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]


def register(app, routes: Optional[list] = None) -> None:
    """Register every route on `app`; one Chalice view per path dispatches by method. In Lambda
    (every function imports app.py) the settings are read here, at init, so a function without
    its secrets fails to start (chalicelib/config.py) instead of serving."""
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        from chalicelib import config
        config.check()
    app.api.binary_types.extend(t for t in BINARY_TYPES if t not in app.api.binary_types)
    by_path: dict = {}
    for route in routes or ROUTES:
        by_path.setdefault(route.path, {})[route.method] = route
    for path, methods in by_path.items():
        _register_path(app, path, methods)


def _register_path(app, path: str, methods: dict) -> None:
    def view(**params):
        from chalicelib.api.pipeline import run
        request = app.current_request
        return run(methods[request.method], request, params)

    view.__name__ = "view_" + path.strip("/").replace("/", "_").replace("{", "").replace("}", "").replace("-", "_").replace(".", "_")
    app.route(path, methods=sorted(methods), content_types=["application/json", "text/plain", ""],
              cors=False)(view)
