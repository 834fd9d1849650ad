"""Signed requests, the admin token, operator sessions and roles (contract section 2)."""
import time
import uuid

from chalicelib.sdk import Client
from tests.helpers import admin, anonymous, assert_problem, new_channel, new_merchant, operator


def test_signed_merchant_request_is_accepted(stack):
    m = new_merchant(stack)
    answer = m.client.get("/v1/sync-switches")
    assert answer.status_code == 200, answer.text


def test_forged_signature_is_refused(stack):
    m = new_merchant(stack)
    forged = Client(stack.api_url, ("signed", m.merchant_id, m.secret + "x"))
    assert_problem(forged.get("/v1/sync-switches"), 401, "signature_invalid")


def test_tampered_body_or_query_is_refused(stack):
    m = new_merchant(stack)
    from chalicelib.sdk import signed_headers
    import requests
    url = stack.api_url + "/v1/sync-switches"
    headers = signed_headers(m.merchant_id, m.secret, "PUT", url, b'{"inventory": true}')
    answer = requests.put(url, data=b'{"inventory": false}', headers=headers, timeout=10)
    assert_problem(answer, 401, "signature_invalid")


def test_stale_timestamp_is_refused(stack):
    m = new_merchant(stack)
    assert_problem(m.client.request("GET", "/v1/sync-switches", timestamp=int(time.time()) - 301),
                   401, "signature_expired")


def test_replayed_nonce_is_refused(stack):
    m = new_merchant(stack)
    nonce = uuid.uuid4().hex
    assert m.client.request("GET", "/v1/sync-switches", nonce=nonce).status_code == 200
    assert_problem(m.client.request("GET", "/v1/sync-switches", nonce=nonce), 401, "nonce_reused")


def test_malformed_nonce_is_refused(stack):
    m = new_merchant(stack)
    assert_problem(m.client.request("GET", "/v1/sync-switches", nonce="short"), 401, "signature_invalid")


def test_rotated_secret_keeps_the_previous_one_only(stack):
    m = new_merchant(stack)
    second = admin(stack).post(f"/v1/admin/merchants/{m.merchant_id}/secret").json()["secret"]
    with_second = Client(stack.api_url, ("signed", m.merchant_id, second))
    assert with_second.get("/v1/sync-switches").status_code == 200
    assert m.client.get("/v1/sync-switches").status_code == 200  # previous: 24 h grace
    third = admin(stack).post(f"/v1/admin/merchants/{m.merchant_id}/secret").json()["secret"]
    assert Client(stack.api_url, ("signed", m.merchant_id, third)).get("/v1/sync-switches").status_code == 200
    assert with_second.get("/v1/sync-switches").status_code == 200
    assert_problem(m.client.get("/v1/sync-switches"), 401, "signature_invalid")


def test_no_credentials_and_wrong_kind(stack):
    assert_problem(anonymous(stack).get("/v1/sync-switches"), 401, "unauthenticated")
    m = new_merchant(stack)
    assert_problem(m.client.post("/v1/admin/merchants", {"name": "x"}), 403, "forbidden")
    assert_problem(Client(stack.api_url, ("bearer", "wrong")).post("/v1/admin/merchants", {"name": "x"}),
                   401, "unauthenticated")
    channel = new_channel(stack, [m.merchant_id])
    assert_problem(channel.get("/v1/sync-switches"), 403, "forbidden")


def test_operator_roles(stack):
    m = new_merchant(stack)
    op = operator(stack, m.merchant_id, "operator")
    sup = operator(stack, m.merchant_id, "supervisor")
    body = {"username": "newbie", "password": "password-2", "role": "operator"}
    assert_problem(op.post("/v1/desk/operators", body), 403, "forbidden")
    assert sup.post("/v1/desk/operators", body).status_code == 201
    assert_problem(sup.post("/v1/desk/operators", body), 409, "already_exists")
    assert m.client.post("/v1/desk/operators", dict(body, username="by-erp")).status_code == 201


def test_bad_password_and_unknown_user_look_the_same(stack):
    m = new_merchant(stack)
    operator(stack, m.merchant_id, username="alice")
    bad = anonymous(stack).post("/v1/console/sessions", {"merchant_id": m.merchant_id, "username": "alice",
                                                         "password": "nope"})
    unknown = anonymous(stack).post("/v1/console/sessions", {"merchant_id": m.merchant_id, "username": "bob",
                                                             "password": "nope"})
    assert bad.json()["code"] == unknown.json()["code"] == "unauthenticated"
    assert bad.status_code == unknown.status_code == 401


def test_expired_or_unknown_session_token_is_refused(stack):
    assert_problem(Client(stack.api_url, ("bearer", "sess_unknown")).get("/v1/carriers"), 401, "unauthenticated")


def test_operator_of_one_merchant_cannot_add_operators_to_another(stack):
    a, b = new_merchant(stack), new_merchant(stack)
    sup_a = operator(stack, a.merchant_id, "supervisor")
    sup_a.post("/v1/desk/operators", {"username": "x1", "password": "password-2", "role": "operator"})
    # the operator was created under a's scope; b's login does not know it
    login = anonymous(stack).post("/v1/console/sessions", {"merchant_id": b.merchant_id, "username": "x1",
                                                           "password": "password-2"})
    assert_problem(login, 401, "unauthenticated")
