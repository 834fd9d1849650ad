"""The OpenAPI document's generator (chalicelib/api/openapi.py): every route declares what it
answers, a route that does not stops the document, and the document says what the contract says
about content types, statuses, problems and security."""
import sys
import types

import pytest

from chalicelib.api.handler import handler
from chalicelib.api.models import View
from chalicelib.api.openapi import UndeclaredResponses, build, document
from chalicelib.api.router import ADMIN, DESK, PUBLIC, ROUTES, Route


class Answer(View):
    done: bool


@pytest.fixture
def fake_handlers(monkeypatch):
    """A handler module of test routes, importable as chalicelib.api.fake_for_openapi_test."""
    module = types.ModuleType("chalicelib.api.fake_for_openapi_test")
    module.declared = handler(response=Answer, errors=("not_found",))(lambda ctx: {"done": True})
    module.no_response = handler(errors=())(lambda ctx: {})
    module.no_errors = handler(response=Answer)(lambda ctx: {})
    module.unknown_code = handler(response=Answer, errors=("no_such_code",))(lambda ctx: {})
    module.not_a_handler = lambda ctx: {}
    monkeypatch.setitem(sys.modules, module.__name__, module)
    from chalicelib.api.pipeline import load
    load.cache_clear()
    yield lambda name, auth=("merchant",), path="/v1/fake": Route("GET", path, module.__name__ + ":" + name, auth)
    load.cache_clear()


def test_every_route_of_the_table_declares_its_answers_and_the_document_is_valid():
    from openapi_spec_validator import validate
    doc = document()
    validate(doc)
    for route in ROUTES:
        assert route.method.lower() in doc["paths"][route.path], route


@pytest.mark.parametrize("name, says", [
    ("no_response", "declares no response="), ("no_errors", "declares no errors="),
    ("unknown_code", "no_such_code"), ("not_a_handler", "not a @handler")])
def test_a_route_without_its_declarations_stops_the_document(fake_handlers, name, says):
    with pytest.raises(UndeclaredResponses) as raised:
        build([fake_handlers("declared"), fake_handlers(name, path="/v1/other")])
    assert says in str(raised.value) and "GET /v1/other" in str(raised.value)
    assert "/v1/fake" not in str(raised.value)


def test_a_caller_kind_without_a_security_scheme_stops_the_document(fake_handlers):
    with pytest.raises(UndeclaredResponses, match="cashier"):
        build([fake_handlers("declared", auth=("cashier",))])


def test_a_new_route_gets_the_answers_of_its_callers_without_saying_them(fake_handlers):
    doc = build([fake_handlers("declared"), fake_handlers("declared", PUBLIC, "/v1/open"),
                 fake_handlers("declared", ADMIN, "/v1/admin/x")])
    signed = doc["paths"]["/v1/fake"]["get"]
    assert set(signed["responses"]) == {"200", "401", "403", "404", "413", "422", "429", "500", "504"}
    assert signed["security"] == [{"onceshipKey": [], "onceshipTimestamp": [], "onceshipNonce": [],
                                   "onceshipSignature": []}]
    public = doc["paths"]["/v1/open"]["get"]
    assert set(public["responses"]) == {"200", "404", "413", "422", "429", "500", "504"}
    assert public["security"] == []
    assert doc["paths"]["/v1/admin/x"]["get"]["security"] == [{"adminToken": []}]


def _op(method, path):
    return document()["paths"][path][method]


def _codes(op, status):
    answer = op["responses"][str(status)]
    if "$ref" in answer:
        answer = document()["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    schema = answer["content"]["application/problem+json"]["schema"]
    return schema["allOf"][1]["properties"]["code"]["enum"]


def test_content_types_of_the_successes():
    assert list(_op("get", "/v1/console")["responses"]["200"]["content"]) == ["text/html"]
    batch = _op("post", "/v1/desk/print-batches")["responses"]
    for status in ("200", "201"):
        assert batch[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PrintedBatch"}
    template = _op("get", "/v1/templates/{template}")["responses"]["200"]
    assert list(template["content"]) == ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    assert "Content-Disposition" in template["headers"]
    deleted = _op("delete", "/v1/erp-connection")["responses"]["204"]
    assert "content" not in deleted


def test_errors_are_problems_listing_their_codes_by_status():
    doc = document()
    problem = doc["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "code", "detail", "errors"} <= set(problem["properties"])
    assert problem["properties"]["errors"]["items"]["required"] == ["field", "message"]
    reprint = _op("post", "/v1/desk/orders/{order_id}/reprints")
    assert _codes(reprint, 403) == ["forbidden", "reprint_not_authorized"]
    assert {"sender_not_set", "not_printed", "idempotency_in_progress"} <= set(_codes(reprint, 409))
    assert {"idempotency_key_mismatch", "validation_error"} <= set(_codes(reprint, 422))
    assert _codes(_op("get", "/v1/sync-switches"), 401) == ["unauthenticated", "signature_invalid",
                                                            "signature_expired", "nonce_reused"]
    placed = _op("post", "/v1/orders")
    assert {"idempotency_key_required", "invalid_checkout_token", "unknown_product"} <= set(_codes(placed, 422))
    assert _codes(placed, 409) == ["idempotency_in_progress", "insufficient_stock", "conflict"]


def test_429_carries_retry_after_and_every_answer_its_request_id():
    doc = document()
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            for status, answer in op["responses"].items():
                if "$ref" in answer:
                    answer = doc["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
                assert "X-Request-Id" in answer["headers"], (method, path, status)
                if status == "429":
                    assert "Retry-After" in answer["headers"], (method, path)
            assert "default" not in op["responses"], (method, path)
    assert doc["components"]["headers"]["Retry-After"]["required"] is True
    assert _codes(_op("post", "/v1/console/sessions"), 429) == ["too_many_attempts", "rate_limited"]


def test_parameters_and_request_bodies_have_their_schemas():
    listed = {p["name"]: p for p in _op("get", "/v1/desk/orders")["parameters"]}
    assert listed["limit"]["schema"] == {"default": 50, "maximum": 100, "minimum": 1, "type": "integer"}
    assert listed["paid_after"]["schema"]["format"] == "date-time"
    assert listed["stage"]["schema"]["enum"][0] == "to_review" and not listed["stage"]["required"]
    lots = _op("put", "/v1/products/{erp_product_id}/lots")
    assert lots["parameters"][0] == {"name": "erp_product_id", "in": "path", "required": True,
                                     "schema": {"type": "string", "minLength": 1}}
    assert lots["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/LotsBody"}
    key = {p["name"]: p for p in _op("post", "/v1/orders")["parameters"]}["Idempotency-Key"]
    assert key["required"] is True and key["in"] == "header"


def test_security_schemes_name_the_hmac_headers_and_both_bearers():
    schemes = document()["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values() if s["type"] == "apiKey"} == {
        "X-Onceship-Key", "X-Onceship-Timestamp", "X-Onceship-Nonce", "X-Onceship-Signature"}
    assert schemes["adminToken"]["scheme"] == schemes["sessionToken"]["scheme"] == "bearer"
    assert _op("get", "/v1/desk/orders")["security"] == [
        {"sessionToken": []}, {"onceshipKey": [], "onceshipTimestamp": [], "onceshipNonce": [], "onceshipSignature": []}]
    assert DESK  # desk routes: a console session or the merchant's signed requests


def test_the_suites_conformance_check_finds_every_kind_of_drift():
    """tests/conformance.py checks every answer of the live stack during the tests; it must see
    an unlisted status, a wrong content type, an undocumented field and a missing header."""
    import json

    from chalice import Response

    from tests.conformance import Conformance

    check = Conformance(document()).check

    def answer(body, status=200, content_type="application/json", **headers):
        return Response(body=json.dumps(body), status_code=status,
                        headers=dict({"Content-Type": content_type, "X-Request-Id": "req_1"}, **headers))

    assert check("GET", "/v1/health", answer({"status": "ok"})) == []
    assert "status 201 is not listed" in check("GET", "/v1/health", answer({"status": "ok"}, 201))[0]
    assert "content type 'text/plain'" in check("GET", "/v1/health", answer({"status": "ok"}, content_type="text/plain"))[0]
    assert "Additional properties" in check("GET", "/v1/health", answer({"status": "ok", "new": 1}))[0]
    missing = Response(body='{"status": "ok"}', status_code=200, headers={"Content-Type": "application/json"})
    assert check("GET", "/v1/health", missing) == ["header X-Request-Id is missing"]
    limited = {"type": "urn:onceship:problem:rate_limited", "title": "Too many requests", "status": 429,
               "code": "rate_limited", "detail": "slow down"}
    assert check("GET", "/v1/sync-switches", answer(limited, 429, "application/problem+json", **{"Retry-After": "3"})) == []
    assert check("GET", "/v1/sync-switches", answer(limited, 429, "application/problem+json")) == [
        "header Retry-After is missing"]
    wrong_code = dict(limited, status=404, code="sender_not_set")
    assert 'code: "sender_not_set" is not one of "not_found"' in check(
        "GET", "/v1/products/{erp_product_id}", answer(wrong_code, 404, "application/problem+json"))[0]
