"""Console sessions (contract section 2), through HTTP on the live stack: logout, and changing a
user (password, role, disabled) ends every session of that user at once."""
import uuid

from chalicelib.sdk import Client
from tests.helpers import admin, anonymous, assert_problem, new_merchant

PASSWORD = "password-1"


def _user(stack, merchant_id, role="operator", password=PASSWORD):
    username = f"{role}-{uuid.uuid4().hex[:6]}"
    made = admin(stack).post(f"/v1/admin/merchants/{merchant_id}/operators",
                             {"username": username, "password": password, "role": role})
    assert made.status_code == 201, made.text
    return username


def _login(stack, merchant_id, username, password=PASSWORD):
    return anonymous(stack).post("/v1/console/sessions", {"merchant_id": merchant_id, "username": username,
                                                          "password": password})


def _session(stack, merchant_id, username, password=PASSWORD) -> Client:
    answer = _login(stack, merchant_id, username, password)
    assert answer.status_code == 201, answer.text
    client = Client(stack.api_url, ("bearer", answer.json()["token"]))
    client.role = answer.json()["role"]
    return client


def _works(client) -> bool:
    answer = client.get("/v1/desk/orders?stage=to_review")
    assert answer.status_code in (200, 401), answer.text
    if answer.status_code == 401:
        assert_problem(answer, 401, "unauthenticated")
    return answer.status_code == 200


def test_logout_ends_only_that_session(stack):
    m = new_merchant(stack)
    alice = _user(stack, m.merchant_id)
    first, second = _session(stack, m.merchant_id, alice), _session(stack, m.merchant_id, alice)
    answer = first.request("DELETE", "/v1/console/sessions/current")
    assert answer.status_code == 204 and answer.content == b"", answer.text
    assert not _works(first)
    assert_problem(first.request("DELETE", "/v1/console/sessions/current"), 401, "unauthenticated")
    assert _works(second)


def test_logout_is_for_console_sessions(stack):
    m = new_merchant(stack)
    assert_problem(m.client.request("DELETE", "/v1/console/sessions/current"), 403, "forbidden")
    assert_problem(anonymous(stack).request("DELETE", "/v1/console/sessions/current"), 401, "unauthenticated")


def test_disabling_a_user_ends_every_session_and_refuses_logins(stack):
    m = new_merchant(stack)
    bob, carol = _user(stack, m.merchant_id), _user(stack, m.merchant_id)
    bob_sessions = [_session(stack, m.merchant_id, bob) for _ in range(2)]
    carol_session = _session(stack, m.merchant_id, carol)
    supervisor = _session(stack, m.merchant_id, _user(stack, m.merchant_id, "supervisor"))
    changed = supervisor.put(f"/v1/desk/operators/{bob}", {"disabled": True})
    assert changed.status_code == 200, changed.text
    assert changed.json()["disabled"] is True and changed.json()["username"] == bob
    assert not any(_works(s) for s in bob_sessions)
    assert_problem(_login(stack, m.merchant_id, bob), 401, "unauthenticated")
    assert _works(carol_session) and _works(supervisor)
    listed = {u["username"]: u for u in m.client.get("/v1/desk/operators").json()["items"]}
    assert listed[bob]["disabled"] is True and listed[carol]["disabled"] is False
    # enabled again: a new login works, the old sessions stay ended
    assert m.client.put(f"/v1/desk/operators/{bob}", {"disabled": False}).status_code == 200
    assert _works(_session(stack, m.merchant_id, bob))
    assert not any(_works(s) for s in bob_sessions)


def test_a_new_password_ends_the_sessions_and_replaces_the_old_one(stack):
    m = new_merchant(stack)
    dave = _user(stack, m.merchant_id)
    old = _session(stack, m.merchant_id, dave)
    assert _works(old)
    assert m.client.put(f"/v1/desk/operators/{dave}", {"password": "a-new-password"}).status_code == 200
    assert not _works(old)
    assert_problem(_login(stack, m.merchant_id, dave), 401, "unauthenticated")
    assert _works(_session(stack, m.merchant_id, dave, "a-new-password"))


def test_a_new_role_ends_the_sessions_and_the_next_login_has_it(stack):
    m = new_merchant(stack)
    erin = _user(stack, m.merchant_id)
    old = _session(stack, m.merchant_id, erin)
    assert_problem(old.get("/v1/desk/operators"), 403, "forbidden")
    manager = _session(stack, m.merchant_id, _user(stack, m.merchant_id, "manager"))
    changed = manager.put(f"/v1/desk/operators/{erin}", {"role": "supervisor"})
    assert changed.status_code == 200 and changed.json()["role"] == "supervisor", changed.text
    assert_problem(old.get("/v1/desk/operators"), 401, "unauthenticated")
    new = _session(stack, m.merchant_id, erin)
    assert new.role == "supervisor" and new.get("/v1/desk/operators").status_code == 200


def test_a_session_ends_when_its_own_user_changes_its_password(stack):
    m = new_merchant(stack)
    frank = _user(stack, m.merchant_id, "supervisor")
    session = _session(stack, m.merchant_id, frank)
    assert session.put(f"/v1/desk/operators/{frank}", {"password": "password-9"}).status_code == 200
    assert not _works(session)


def test_what_a_supervisor_may_change(stack):
    m = new_merchant(stack)
    supervisor = _session(stack, m.merchant_id, _user(stack, m.merchant_id, "supervisor"))
    other_supervisor = _user(stack, m.merchant_id, "supervisor")
    operator = _user(stack, m.merchant_id)
    manager = _user(stack, m.merchant_id, "manager")
    manager_session = _session(stack, m.merchant_id, manager)
    assert supervisor.put(f"/v1/desk/operators/{other_supervisor}", {"role": "operator"}).status_code == 200
    assert_problem(supervisor.put(f"/v1/desk/operators/{operator}", {"role": "manager"}), 403, "forbidden")
    for change in ({"disabled": True}, {"password": "password-7"}, {"role": "operator"}):
        assert_problem(supervisor.put(f"/v1/desk/operators/{manager}", change), 403, "forbidden")
    # the refused changes changed nothing: the manager's session still works, with its role
    assert manager_session.get("/v1/products").status_code == 200
    listed = {u["username"]: u["role"] for u in m.client.get("/v1/desk/operators").json()["items"]}
    assert listed[manager] == "manager" and listed[operator] == "operator"
    # an operator changes nobody; the merchant and managers change anyone, managers included
    operator_session = _session(stack, m.merchant_id, operator)
    assert_problem(operator_session.put(f"/v1/desk/operators/{operator}", {"password": "password-8"}),
                   403, "forbidden")
    assert manager_session.put(f"/v1/desk/operators/{_user(stack, m.merchant_id, 'manager')}",
                               {"disabled": True}).status_code == 200
    assert m.client.put(f"/v1/desk/operators/{manager}", {"role": "supervisor"}).status_code == 200
    assert_problem(manager_session.get("/v1/products"), 401, "unauthenticated")


def test_changing_a_user_is_checked(stack):
    m, other = new_merchant(stack), new_merchant(stack)
    grace = _user(stack, m.merchant_id)
    assert_problem(m.client.put("/v1/desk/operators/nobody-here", {"disabled": True}), 404, "not_found")
    assert_problem(other.client.put(f"/v1/desk/operators/{grace}", {"disabled": True}), 404, "not_found")
    assert_problem(m.client.put(f"/v1/desk/operators/{grace}", {}), 422, "validation_error")
    assert_problem(m.client.put(f"/v1/desk/operators/{grace}", {"password": "short"}), 422, "validation_error")
    assert_problem(m.client.put(f"/v1/desk/operators/{grace}", {"role": "admin"}), 422, "validation_error")
    assert_problem(m.client.put(f"/v1/desk/operators/{grace}", {"disabled": "yes", "x": 1}), 422,
                   "validation_error")
    assert _works(_session(stack, m.merchant_id, grace))
