"""The route table and its registration on the Chalice app.

Cold start matters, so this module is all that `app.py` imports for the API: each route names its
handler as "module:function" and the module (with its pydantic models and store code) is imported
on the first request that needs it. Who may call a route is declared here, in one place.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

PUBLIC: Tuple[str, ...] = ()
ADMIN = ("admin",)
MERCHANT = ("merchant",)
CHANNEL = ("channel",)
DESK = ("operator", "supervisor", "merchant")
SUPERVISOR = ("supervisor", "merchant")


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
    _r("POST", "/v1/admin/merchants", "admin:create_merchant", ADMIN, "Create a merchant"),
    _r("POST", "/v1/admin/merchants/{merchant_id}/secret", "admin:rotate_merchant_secret", ADMIN,
       "Rotate a merchant's secret"),
    _r("POST", "/v1/admin/channels", "admin:create_channel", ADMIN, "Create a storefront channel"),
    _r("POST", "/v1/admin/merchants/{merchant_id}/operators", "admin:create_operator", ADMIN,
       "Create a console operator"),
    _r("PUT", "/v1/admin/base-products/{base_product_id}", "admin:put_base_product", ADMIN,
       "Upsert a base product of the platform catalog"),
    _r("PUT", "/v1/admin/carriers/{carrier_code}", "admin:put_carrier", ADMIN, "Upsert a carrier"),
    _r("GET", "/v1/carriers", "admin:list_carriers", ("admin", "merchant", "channel", "operator", "supervisor"),
       "The platform's carrier list"),
    _r("POST", "/v1/console/sessions", "console:create_session", PUBLIC, "Operator login"),
    _r("POST", "/v1/desk/operators", "console:create_operator", SUPERVISOR, "Add an operator"),
    _r("GET", "/v1/sync-switches", "sync_switches:get_switches", MERCHANT, "Module sync switches"),
    _r("PUT", "/v1/sync-switches", "sync_switches:put_switches", MERCHANT, "Set module sync switches"),
    _r("PUT", "/v1/products/{erp_product_id}/sync-switches", "sync_switches:put_product_switches",
       MERCHANT, "Set a product's sync switches"),
    # catalog (issue 3) ------------------------------------------------------------------------
    # inventory and ERP polling (issue 4) ------------------------------------------------------
    # orders and webhooks (issue 5) ------------------------------------------------------------
    # fulfillment desk (issue 6) ---------------------------------------------------------------
    # spreadsheets and exports (issue 7) -------------------------------------------------------
]


def register(app, routes: Optional[list] = None) -> None:
    """Register every route on `app`; one Chalice view per path dispatches by method."""
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
