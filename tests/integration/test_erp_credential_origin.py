"""The ERP credential stays with its origin (contract section 5): two real HTTP ERPs on two
loopback ports; the auth header reaches the one it was given for and never the other, whether the
URL is moved through the API or the stored record is edited behind its back."""
import pytest

from chalicelib.store.erp import ErpConnectionStore
from tests.fake_erp import FakeErp
from tests.helpers import new_merchant

TICK = "SchedulerTick"
HEADER = ("Authorization", "Bearer origin-bound-s3cret")
LINE = "Authorization: Bearer origin-bound-s3cret"


@pytest.fixture
def merchant(stack):
    """A new merchant; its connection is removed afterwards, so that later tests' schedule ticks
    do not poll an ERP that is gone."""
    merchant = new_merchant(stack, "erp origin")
    yield merchant
    merchant.client.request("DELETE", "/v1/erp-connection")


@pytest.fixture
def first():
    with FakeErp([{"erp_product_id": "O1", "on_hand": 1}]) as erp:
        erp.required_header = HEADER
        yield erp


@pytest.fixture
def second():
    with FakeErp([{"erp_product_id": "O2", "on_hand": 2}]) as erp:
        yield erp


def connect(merchant, url, **extra) -> dict:
    answer = merchant.client.put("/v1/erp-connection", dict({"inventory_url": url, "poll_every_minutes": 1}, **extra))
    assert answer.status_code == 200, answer.text
    return answer.json()


def poll(stack, merchant) -> dict:
    assert merchant.client.post("/v1/erp-connection/polls").status_code == 202
    stack.pump.run_schedule(TICK)
    stack.pump.drain()
    return merchant.client.get("/v1/erp-connection/status").json()


def authorizations(erp) -> list:
    return [headers.get("Authorization") for _, headers in erp.requests]


def test_the_header_reaches_the_first_erp_and_never_the_second_after_a_move(stack, merchant, first, second):
    assert connect(merchant, first.url, auth_header=LINE)["auth_header_set"] is True
    assert poll(stack, merchant)["outcome"] == "ok"
    assert authorizations(first) == [HEADER[1]]

    moved = connect(merchant, second.url)                      # another port, no new header
    assert moved["auth_header_set"] is False
    assert "auth_sealed" not in ErpConnectionStore(merchant.merchant_id).get()
    assert poll(stack, merchant)["outcome"] == "ok"
    assert second.requests and authorizations(second) == [None] * len(second.requests)

    back = connect(merchant, first.url)                        # moving back does not bring it back
    assert back["auth_header_set"] is False
    status = poll(stack, merchant)
    assert status["outcome"] == "failed" and "401" in status["error"]
    assert authorizations(first) == [HEADER[1], None]


def test_a_new_path_on_the_same_origin_keeps_the_header(stack, merchant, first):
    connect(merchant, first.url, auth_header=LINE)
    host_port = first.url.split("/")[2]
    for url in (f"http://{host_port}/v2/stock", f"HTTP://{host_port}/v3/stock?format=json"):
        assert connect(merchant, url, poll_every_minutes=5)["auth_header_set"] is True
        assert poll(stack, merchant)["outcome"] == "ok"
    assert [path.split("?")[0] for path, _ in first.requests] == ["/v2/stock", "/v3/stock"]
    assert authorizations(first) == [HEADER[1]] * 2


@pytest.mark.parametrize("elsewhere", ["https://{host}:{port}/erp/inventory", "http://localhost:{port}/erp/inventory"])
def test_another_scheme_or_host_on_the_same_port_drops_the_header(stack, merchant, first, elsewhere):
    connect(merchant, first.url, auth_header=LINE)
    host, port = first.url.split("/")[2].split(":")
    assert connect(merchant, elsewhere.format(host=host, port=port))["auth_header_set"] is False
    assert "auth_sealed" not in ErpConnectionStore(merchant.merchant_id).get()


def test_a_new_header_with_the_move_goes_to_the_new_origin(stack, merchant, first, second):
    connect(merchant, first.url, auth_header=LINE)
    second.required_header = ("X-Api-Key", "k2")
    assert connect(merchant, second.url, auth_header="X-Api-Key: k2")["auth_header_set"] is True
    assert poll(stack, merchant)["outcome"] == "ok"
    assert [headers.get("X-Api-Key") for _, headers in second.requests] == ["k2"]
    assert first.requests == []


def test_a_stored_record_edited_to_point_elsewhere_sends_nothing_and_says_why(stack, merchant, first, second):
    connect(merchant, first.url, auth_header=LINE)
    store = ErpConnectionStore(merchant.merchant_id)
    origin = "http://" + second.url.split("/")[2]
    store._update({"inventory_url": second.url, "auth_origin": origin})   # someone with table access
    status = poll(stack, merchant)
    assert status["outcome"] == "failed"
    assert f"cannot be opened for {origin}" in status["error"] and "auth_header again" in status["error"]
    assert second.requests == [] and first.requests == []
