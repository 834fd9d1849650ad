"""Schemathesis against the live stack: every operation of the served OpenAPI document, with
requests generated from it (valid and invalid ones), answers only what the document says.

Checks on every answer: not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance and response_headers_conformance. Each operation is called as the
caller it is for: merchant and channel routes with signed requests (signed as sent, over the
wire path, by tests/helpers.signer), admin routes with the admin token, desk routes with a
supervisor's console session. Half the cases address records that exist (a product, an order, a
customer...), so the answers go past 404.

Nothing is left out. Two admin operations write platform-wide records (carriers, base products)
that other tests of the session read, so they are called on one id of their own (FIXED_PATHS);
operations that address jobs or events which cannot be made here cheaply (an upload job needs an
object in the bucket and the pump, a webhook event a delivery) answer their 404s and 422s here, and
their 200s are checked by tests/conformance.py during the upload, export and webhook tests.

The examples are deterministic (derandomized) and bounded per operation, so the whole test stays
within about a minute; ONCESHIP_SCHEMATHESIS_EXAMPLES raises the count for a deeper run.
"""
import os
import time

import pytest

from tests.helpers import anonymous, new_channel, new_merchant, operator, signer
from tests.orders_support import Shop, paid_order, seed_product

EXAMPLES = int(os.environ.get("ONCESHIP_SCHEMATHESIS_EXAMPLES", "5"))


@pytest.fixture(scope="module")
def world(stack):
    """A merchant with a product, a paid order, a customer and the desk's settings; its channel;
    a supervisor's session; and the path parameters that name these records."""
    m = new_merchant(stack)
    channel = new_channel(stack, [m.merchant_id])
    shop = Shop(m.merchant_id, m.client, channel, channel.auth[1], stack)
    seed_product(shop, "ST-1")
    order = paid_order(shop, [("ST-1", 1)])
    supervisor = operator(stack, m.merchant_id, "supervisor")
    other = new_merchant(stack)  # the admin's routes rotate its secret and add its operators
    changed = operator(stack, m.merchant_id, "operator")  # the operator routes may change or disable it
    assert m.client.put("/v1/customers", {"items": [{"erp_customer_code": "ST-C1", "name": "客户"}]}).ok
    assert channel.put("/v1/buyers/ST-B1", {"name": "买家"}).ok
    assert m.client.put("/v1/region-groups/ST-R1", {"name": "华南", "provinces": ["广东省"]}).ok
    assert m.client.put("/v1/customer-groups/ST-G1", {"name": "VIP", "platform_customer_ids": ["ST-B1"]}).ok
    assert supervisor.put("/v1/desk/print-lanes/ST-L1", {"provinces": ["广东省"]}).ok
    known = {"erp_product_id": "ST-1", "order_id": order["order_id"], "merchant_id": other.merchant_id,
             "erp_customer_code": "ST-C1", "platform_customer_id": "ST-B1", "region_group_id": "ST-R1",
             "customer_group_id": "ST-G1", "lane": "ST-L1", "template": "products.xlsx",
             "carrier_code": "ST-CARRIER", "base_product_id": "ST-BASE", "job_id": "up_none",
             "event_id": "ev_none", "username": changed.username}
    callers = {"merchant": signer(m.merchant_id, m.secret), "channel": signer(*channel.auth[1:]),
               "admin": bearer(stack.admin_token), "session": bearer(supervisor.auth[1]), "public": None,
               "fresh session": fresh_session(stack, m.merchant_id)}
    return known, callers


def fresh_session(stack, merchant_id: str):
    """A console session of its own for each request (logging out ends the session it is sent with)."""
    user = operator(stack, merchant_id, "supervisor")

    def sign(request):
        login = anonymous(stack).post("/v1/console/sessions", {"merchant_id": merchant_id, "username": user.username,
                                                               "password": "password-1"})
        assert login.status_code == 201, login.text
        request.headers["Authorization"] = f"Bearer {login.json()['token']}"
        return request
    return sign


def bearer(token: str):
    def sign(request):
        request.headers["Authorization"] = f"Bearer {token}"
        return request
    return sign


def caller_of(route) -> str:
    """Who calls the route here: the desk as a console session, the rest as what they are for."""
    if (route.method, route.path) in OWN_SESSION:
        return "fresh session"
    auth = set(route.auth)
    for kind, caller in (("supervisor", "session"), ("merchant", "merchant"), ("channel", "channel"),
                         ("admin", "admin")):
        if kind in auth:
            return caller
    return "public"


# Operations that end the session they are called with.
OWN_SESSION = {("DELETE", "/v1/console/sessions/current")}

# Platform-wide records the generated requests must not scatter over the session's stack:
# those operations are called on one id of their own.
FIXED_PATHS = {("PUT", "/v1/admin/carriers/{carrier_code}"), ("PUT", "/v1/admin/base-products/{base_product_id}")}


def test_every_operation_answers_as_documented(stack, world):
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings, strategies as st
    from schemathesis import GenerationMode
    from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                     response_schema_conformance, status_code_conformance)

    from chalicelib.api.router import ROUTES

    known, callers = world
    config = schemathesis.Config()
    config.projects.default.update(base_url=stack.api_url)
    config.projects.default.generation.update(with_security_parameters=False, allow_x00=False)
    raw = anonymous(stack).get("/v1/openapi.json")
    assert raw.status_code == 200
    schema = schemathesis.openapi.from_dict(raw.json(), config=config)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance, response_headers_conformance]
    routes = {(r.method, r.path): r for r in ROUTES}
    sessions = {name: _session(auth) for name, auth in callers.items()}
    failures, seen, started = [], set(), time.monotonic()

    for result in schema.get_all_operations():
        operation = result.ok()
        method, path = operation.method.upper(), operation.path
        route = routes[(method, path)]
        seen.add((method, path))
        session = sessions[caller_of(route)]
        names = [p.name for p in operation.path_parameters]
        existing = {name: known[name] for name in names if name in known}
        fixed = (method, path) in FIXED_PATHS
        strategies = []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if not fixed:
                strategies.append(operation.as_strategy(generation_mode=mode))
            if existing and len(existing) == len(names):
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=existing))

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(strategies))
        def call(case):
            response = case.call(session=session, timeout=30)
            case.validate_response(response, checks=checks)
            # every generated request carries valid credentials (signed over its wire path)
            assert not (route.auth and response.status_code == 401), f"credentials refused: {response.text}"

        try:
            call()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every operation's failure is reported
            failures.append(f"{method} {path}: {_describe(error)}")

    elapsed = time.monotonic() - started
    assert seen == set(routes), f"operations not in the served document: {set(routes) - seen}"
    assert not failures, f"{len(failures)} operations ({elapsed:.0f} s):\n\n" + "\n\n".join(failures)


def _session(auth):
    import requests

    session = requests.Session()
    if auth is not None:
        session.auth = auth
    return session


def _describe(error: BaseException) -> str:
    parts = error.exceptions if isinstance(error, BaseExceptionGroup) else [error]
    return "\n".join(f"{type(part).__name__}: {str(part)[:1200]}" for part in parts)
