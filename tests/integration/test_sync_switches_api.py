"""Sync switches over HTTP, and the seed's case end to end: a merchant switches one product's
inventory sync off, sets its stock by hand to sell against it, and neither an ERP push nor a
scheduled poll overwrites it until the switch turns itself back on."""
import threading
import time

import pytest

from chalicelib.domain import clock
from tests.catalog_support import product, put_products
from tests.fake_erp import FakeErp
from tests.helpers import assert_problem, new_merchant

MANUAL = {"X-Onceship-Source": "manual"}
MODULES = ["products", "prices", "lots", "inventory", "listings", "customers"]


@pytest.fixture
def merchant(stack):
    return new_merchant(stack)


def push(merchant, erp_id, on_hand, headers=None):
    answer = merchant.client.put("/v1/inventory", {"items": [{"erp_product_id": erp_id, "on_hand": on_hand}]},
                                 headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"][0]


def on_hand(merchant, erp_id):
    return merchant.client.get(f"/v1/inventory/{erp_id}").json()["on_hand"]


def test_module_switches_default_on_and_change_independently(merchant):
    assert merchant.client.get("/v1/sync-switches").json() == {m: True for m in MODULES}
    barrier = threading.Barrier(len(MODULES))

    def switch_off(module):
        barrier.wait()
        assert merchant.client.put("/v1/sync-switches", {module: False}).status_code == 200

    threads = [threading.Thread(target=switch_off, args=(m,)) for m in MODULES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert merchant.client.get("/v1/sync-switches").json() == {m: False for m in MODULES}
    assert merchant.client.put("/v1/sync-switches", {"prices": True}).json()["prices"] is True
    assert_problem(merchant.client.put("/v1/sync-switches", {"stock": False}), 422, "validation_error")
    assert_problem(merchant.client.put("/v1/sync-switches", {"inventory": "no"}), 422, "validation_error")


def test_a_module_switch_off_skips_automatic_writes_but_not_manual_ones(merchant):
    push(merchant, "M-1", 5)
    merchant.client.put("/v1/sync-switches", {"inventory": False})
    result = push(merchant, "M-1", 9)
    assert (result["status"], result["code"]) == ("skipped", "sync_off")
    adjusted = merchant.client.post("/v1/inventory/adjustments", {"items": [
        {"erp_product_id": "M-1", "delta": 1, "reason": "erp"}]}).json()["results"][0]
    assert adjusted["code"] == "sync_off" and on_hand(merchant, "M-1") == 5
    assert push(merchant, "M-1", 9, MANUAL)["status"] == "ok"
    body = merchant.client.get("/v1/inventory/M-1").json()
    assert (body["on_hand"], body["source"]) == (9, "manual")


def test_lots_switches(merchant):
    lots = {"lots": [{"lot_no": "L", "production_date": "2026-01-01", "expiry_date": "2027-01-01", "quantity": 6}]}
    put_products(merchant, [product("LS-1")])
    push(merchant, "LS-1", 2)
    merchant.client.put("/v1/products/LS-1/sync-switches", {"inventory": False})
    kept = merchant.client.put("/v1/products/LS-1/lots", lots).json()
    assert kept["status"] == "ok" and kept["on_hand"] == 2 and kept["lots"][0]["quantity"] == 6
    merchant.client.put("/v1/products/LS-1/sync-switches", {"lots": False})
    refused = merchant.client.put("/v1/products/LS-1/lots", {"lots": []}).json()
    assert (refused["status"], refused["code"]) == ("skipped", "sync_off") and len(refused["lots"]) == 1
    manual = merchant.client.put("/v1/products/LS-1/lots", {"lots": []}, headers=MANUAL).json()
    assert manual["status"] == "ok" and (manual["on_hand"], manual["lots"]) == (0, [])


def test_product_switch_shows_until_and_turns_itself_back_on(merchant):
    until = clock.iso(time.time() + 3600)
    put_products(merchant, [product("P-1")])
    answer = merchant.client.put("/v1/products/P-1/sync-switches", {"inventory": False, "until": until})
    assert answer.status_code == 200, answer.text
    switches = answer.json()["switches"]
    assert switches["inventory"] == {"on": False, "until": until} and switches["prices"] == {"on": True, "until": None}
    assert merchant.client.get("/v1/products/P-1/sync-switches").json()["switches"]["inventory"]["on"] is False
    past = "2020-01-01T08:00:00+08:00"
    expired = merchant.client.put("/v1/products/P-1/sync-switches", {"inventory": False, "until": past}).json()
    assert expired["switches"]["inventory"] == {"on": True, "until": None}
    naive = merchant.client.put("/v1/products/P-1/sync-switches", {"inventory": False, "until": "2030-01-01T00:00:00"})
    assert_problem(naive, 422, "validation_error")


def test_the_seed_case_end_to_end(stack, merchant, monkeypatch):
    """负卖: switch off, sell against a manual figure, ERP push and poll both kept out."""
    with FakeErp([{"erp_product_id": "HOT", "on_hand": 0}, {"erp_product_id": "OTHER", "on_hand": 4}]) as erp:
        merchant.client.put("/v1/erp-connection", {"inventory_url": erp.url, "poll_every_minutes": 1})
        put_products(merchant, [product("HOT")])
        until = time.time() + 120   # room for a loaded machine; the clock is moved past it below
        switched = merchant.client.put("/v1/products/HOT/sync-switches",
                                       {"inventory": False, "until": clock.iso(until)})
        assert switched.status_code == 200, switched.text
        assert push(merchant, "HOT", 50, MANUAL)["status"] == "ok"

        pushed = push(merchant, "HOT", 0)                               # the ERP pushes its 0
        assert (pushed["status"], pushed["code"]) == ("skipped", "sync_off")
        assert push(merchant, "OTHER", 4)["status"] == "ok"             # other products still sync

        stack.pump.run_schedule("SchedulerTick")                        # the ERP is polled
        stack.pump.drain()
        status = merchant.client.get("/v1/erp-connection/status").json()
        assert (status["outcome"], status["items_skipped"]) == ("ok", 1)
        assert on_hand(merchant, "HOT") == 50
        assert merchant.client.get("/v1/inventory/HOT").json()["source"] == "manual"

        real_now = clock.now                                            # the switch turns back on:
        monkeypatch.setattr(clock, "now", lambda: max(real_now(), until + 1))  # the API's clock passes it
        assert merchant.client.get("/v1/products/HOT/sync-switches").json()["switches"]["inventory"]["on"] is True
        merchant.client.post("/v1/erp-connection/polls")
        stack.pump.run_schedule("SchedulerTick")
        stack.pump.drain()
        status = merchant.client.get("/v1/erp-connection/status").json()
        assert (status["items_changed"], status["items_skipped"]) == (1, 0)
        body = merchant.client.get("/v1/inventory/HOT").json()
        assert (body["on_hand"], body["source"]) == (0, "erp")
