"""Failed password checks (contract section 2), through HTTP on the live stack: ten failures for one
user of one merchant within 15 minutes, from logins and reprint authorizations alike, lock that
user's checks (429 too_many_attempts with Retry-After) until the window has passed."""
import threading
import uuid

import pytest

from chalicelib.domain import clock
from tests.helpers import admin, anonymous, assert_problem, new_merchant
from tests.integration.desk_support import Desk

PASSWORD = "password-1"
WINDOW = 15 * 60


def _user(stack, merchant_id, role="operator", username=""):
    username = username or f"{role}-{uuid.uuid4().hex[:6]}"
    made = admin(stack).post(f"/v1/admin/merchants/{merchant_id}/operators",
                             {"username": username, "password": PASSWORD, "role": role})
    assert made.status_code == 201, made.text
    return username


def _login(stack, merchant_id, username, password):
    return anonymous(stack).post("/v1/console/sessions", {"merchant_id": merchant_id, "username": username,
                                                          "password": password})


def _fail(stack, merchant_id, username, times):
    for _ in range(times):
        assert_problem(_login(stack, merchant_id, username, "wrong-password"), 401, "unauthenticated")


def _locked(answer, at_most=WINDOW) -> int:
    body = assert_problem(answer, 429, "too_many_attempts")
    assert "token" not in body
    retry_after = int(answer.headers["Retry-After"])
    assert 1 <= retry_after <= at_most
    return retry_after


@pytest.fixture
def later(monkeypatch):
    """Move the server's clock (the API runs in this process) forward by some seconds."""
    real = clock.now
    shift = {"s": 0.0}
    monkeypatch.setattr(clock, "now", lambda: real() + shift["s"])

    def advance(seconds: float) -> None:
        shift["s"] += seconds
    return advance


def test_ten_failures_lock_the_user_even_with_the_right_password(stack):
    m = new_merchant(stack)
    alice = _user(stack, m.merchant_id)
    _fail(stack, m.merchant_id, alice, 10)
    _locked(_login(stack, m.merchant_id, alice, PASSWORD))
    _locked(_login(stack, m.merchant_id, alice, "wrong-password"))
    # only that user of that merchant: another user, and the same name at another merchant, log in
    assert _login(stack, m.merchant_id, _user(stack, m.merchant_id), PASSWORD).status_code == 201
    other = new_merchant(stack)
    _user(stack, other.merchant_id, username=alice)
    assert _login(stack, other.merchant_id, alice, PASSWORD).status_code == 201


def test_nine_failures_and_right_passwords_do_not_lock(stack):
    m = new_merchant(stack)
    bob = _user(stack, m.merchant_id)
    _fail(stack, m.merchant_id, bob, 9)
    for _ in range(3):  # a right password is not a failure
        assert _login(stack, m.merchant_id, bob, PASSWORD).status_code == 201
    _fail(stack, m.merchant_id, bob, 1)
    _locked(_login(stack, m.merchant_id, bob, PASSWORD))


def test_unknown_users_are_counted_the_same(stack):
    m = new_merchant(stack)
    _fail(stack, m.merchant_id, "nobody", 10)
    _locked(_login(stack, m.merchant_id, "nobody", "wrong-password"))


def test_the_lock_ends_when_the_window_has_passed(stack, later):
    m = new_merchant(stack)
    carol = _user(stack, m.merchant_id)
    _fail(stack, m.merchant_id, carol, 5)
    later(600)
    _fail(stack, m.merchant_id, carol, 5)
    retry_after = _locked(_login(stack, m.merchant_id, carol, PASSWORD), at_most=WINDOW - 600 + 1)
    assert retry_after >= WINDOW - 600 - 60
    later(retry_after + 1)
    # the five oldest failures are out of the window, the five newest still in it
    assert _login(stack, m.merchant_id, carol, PASSWORD).status_code == 201
    _fail(stack, m.merchant_id, carol, 5)
    _locked(_login(stack, m.merchant_id, carol, PASSWORD))
    later(WINDOW)
    assert _login(stack, m.merchant_id, carol, PASSWORD).status_code == 201


def _reprint(desk, order_id, supervisor, password, key=None):
    headers = {"Idempotency-Key": key} if key else None
    return desk.operator.post(f"/v1/desk/orders/{order_id}/reprints",
                              {"reason": "卡纸", "supervisor": {"username": supervisor, "password": password}},
                              headers=headers)


def test_reprint_authorizations_count_for_the_supervisor(stack, later):
    desk = Desk(stack)
    order_id = desk.printed(1)[0]
    supervisor = desk.supervisor.username
    _fail(stack, desk.mid, supervisor, 4)
    for _ in range(6):
        assert_problem(_reprint(desk, order_id, supervisor, "wrong-password"), 403, "reprint_not_authorized")
    _locked(_reprint(desk, order_id, supervisor, PASSWORD))
    _locked(_login(stack, desk.mid, supervisor, PASSWORD))
    # a refused check is not remembered under its Idempotency-Key: once the window has passed the
    # same key authorizes and prints
    key = uuid.uuid4().hex
    _locked(_reprint(desk, order_id, supervisor, PASSWORD, key))
    later(WINDOW + 1)
    done = _reprint(desk, order_id, supervisor, PASSWORD, key)
    assert done.status_code == 201 and "Idempotent-Replayed" not in done.headers, done.text
    assert desk.order(order_id)["print_count"] == 2


def test_concurrent_checks_let_no_more_than_ten_through(stack):
    m = new_merchant(stack)
    dave = _user(stack, m.merchant_id)
    answers, start = [], threading.Barrier(30)

    def attempt():
        start.wait()
        answers.append(_login(stack, m.merchant_id, dave, "wrong-password"))

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == 30
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(401) == 10 and statuses.count(429) == 20, statuses
    for answer in answers:
        if answer.status_code == 429:
            _locked(answer)
    _locked(_login(stack, m.merchant_id, dave, PASSWORD))

