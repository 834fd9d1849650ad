"""Sync switch rules, without AWS."""
from chalicelib.domain import sync


def test_manual_always_applies():
    assert sync.allowed("inventory", True, {"inventory": False}, {"inventory": {"on": False}}, 0)


def test_module_switch_off_blocks_automatic_writes():
    assert not sync.allowed("inventory", False, {"inventory": False}, None, 0)
    assert sync.allowed("prices", False, {"inventory": False}, None, 0)


def test_product_switch_blocks_until_it_expires():
    switch = {"inventory": {"on": False, "until": 100}}
    assert not sync.allowed("inventory", False, {}, switch, 99)
    assert sync.allowed("inventory", False, {}, switch, 100)
    assert not sync.allowed("inventory", False, {}, {"inventory": {"on": False, "until": None}}, 10 ** 12)


def test_effective_view_shows_expired_switch_as_on():
    view = sync.effective({"inventory": {"on": False, "until": 100}}, 150)
    assert view["inventory"] == {"on": True, "until": None}
    assert sync.effective({"lots": {"on": False, "until": 200}}, 150)["lots"] == {"on": False, "until": 200}
