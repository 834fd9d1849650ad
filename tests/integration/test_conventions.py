"""Conventions of contract section 1: request ids, problem+json, unknown fields, OpenAPI."""
from tests.helpers import admin, anonymous, assert_problem, new_merchant


def test_health_and_request_id(stack):
    answer = anonymous(stack).get("/v1/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    assert answer.headers["X-Request-Id"].startswith("req_")


def test_unknown_field_is_422_with_field_errors(stack):
    body = assert_problem(admin(stack).post("/v1/admin/merchants", {"name": "x", "nmae": "y"}), 422,
                          "validation_error")
    assert {"field": "nmae", "message": "Extra inputs are not permitted"} in body["errors"]


def test_invalid_json_and_wrong_types(stack):
    assert_problem(admin(stack).request("POST", "/v1/admin/merchants", body=b"{not json"), 422,
                   "validation_error")
    body = assert_problem(admin(stack).post("/v1/admin/merchants", {"name": 5}), 422, "validation_error")
    assert body["errors"][0]["field"] == "name"


def test_unknown_query_parameter_is_422(stack):
    assert_problem(anonymous(stack).get("/v1/health?verbose=1"), 422, "validation_error")


def test_unknown_merchant_is_404(stack):
    assert_problem(admin(stack).post("/v1/admin/merchants/m_nope/secret"), 404, "not_found")


def test_a_route_or_method_that_does_not_exist_is_a_problem_404(stack):
    """API Gateway answers these itself, with the gateway response infra/wiring.yaml defines; the
    local server answers the same from that definition."""
    for method, path in (("GET", "/v1/nothing"), ("GET", "/"), ("DELETE", "/v1/health"), ("PATCH", "/v1/orders")):
        body = assert_problem(anonymous(stack).request(method, path), 404, "not_found")
        assert "/v1/openapi.json" in body["detail"]


def test_openapi_document_covers_every_route_and_is_valid(stack):
    from openapi_spec_validator import validate
    from chalicelib.api.router import ROUTES
    doc = anonymous(stack).get("/v1/openapi.json").json()
    validate(doc)
    for route in ROUTES:
        assert route.method.lower() in doc["paths"][route.path], route


def test_carriers_list_starts_with_the_platform_defaults_and_admin_can_add(stack):
    m = new_merchant(stack)
    codes = {c["carrier_code"] for c in m.client.get("/v1/carriers").json()["items"]}
    assert {"SF", "ZTO", "YTO", "STO", "YUNDA", "EMS", "JD", "DBL"} <= codes
    assert admin(stack).put("/v1/admin/carriers/JT", {"name": "极兔"}).status_code == 200
    assert "JT" in {c["carrier_code"] for c in m.client.get("/v1/carriers").json()["items"]}


def test_rate_limit_answers_429_with_retry_after(stack, monkeypatch):
    import dataclasses
    from chalicelib.api import pipeline
    m = new_merchant(stack)
    limited = dataclasses.replace(pipeline.settings(), rate_limit_per_minute=2)
    monkeypatch.setattr(pipeline, "settings", lambda: limited)
    answers = [m.client.get("/v1/sync-switches") for _ in range(5)]
    # at most 2 a window and 5 requests span at most 2 windows: at least one is refused
    refused = [a for a in answers if a.status_code == 429]
    assert refused and all(a.status_code in (200, 429) for a in answers)
    body = assert_problem(refused[0], 429, "rate_limited")
    assert 1 <= int(refused[0].headers["Retry-After"]) <= 60 and "retry_after" not in body


def test_console_desk_list_has_the_fields_the_page_shows(stack):
    from tests.orders_support import paid_order, seed_product, shop
    from tests.helpers import operator
    s = shop(stack)
    seed_product(s.merchant_id, "A", on_hand=5)
    paid_order(s, [("A", 1)])
    desk = operator(stack, s.merchant_id).get("/v1/desk/orders?stage=to_review").json()["items"]
    assert desk and {"order_id", "stage", "delivery", "carrier_code", "waybill_no", "print_count"} <= set(desk[0])
