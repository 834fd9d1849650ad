"""Copies of the records every order's transaction checks, on the local AWS server: written with
the record, each check of a copy holds exactly when the record is still what was read."""
import uuid

import pytest

from chalicelib.store import keys, replicas
from chalicelib.store.desk_settings import DeskSettingsStore
from chalicelib.store.pricing import PricingStore
from chalicelib.store.table import Table, TransactionCanceled
from chalicelib.store.webhooks import WebhookStore


def every_check(key, item, fields):
    """Run the check against each copy in turn (the check picks one at random)."""
    from chalicelib.store.table import check_op
    outcomes = []
    for n in range(keys.CHECK_REPLICAS):
        op = replicas.check(key, item, fields)
        body = op["ConditionCheck"]
        body["Key"]["pk"] = {"S": keys.check_replica(key, n)[0]}
        try:
            Table().transact([op])
            outcomes.append(True)
        except TransactionCanceled:
            outcomes.append(False)
    return outcomes


@pytest.fixture
def mid(stack):
    return "m_" + uuid.uuid4().hex[:12]


def test_carrier_rules_copies_follow_every_write(mid):
    store = DeskSettingsStore(mid)
    key = store.scope.settings("carrier-rules")
    first = store.put_carrier_rules([{"provinces": ["广东"], "carrier_code": "SF"}])
    assert all(every_check(key, first, ("rules",)))
    second = store.put_carrier_rules([{"provinces": ["广东"], "carrier_code": "ZTO"}])
    assert not any(every_check(key, first, ("rules",)))           # what was read is stale everywhere
    assert all(every_check(key, second, ("rules",)))
    rules, checks = store.carrier_rules_checked(use_cache=False)
    assert rules == second["rules"] and checks == []              # a fresh read needs no check


def test_the_endpoint_copies_hold_its_events(mid):
    store = WebhookStore(mid)
    key = store.scope.webhook_endpoint()
    assert all(every_check(key, None, ("events",)))               # no endpoint yet
    item = store.put_endpoint("https://example.com/hooks", ["order.paid"], "salt-1")
    assert item["salt"] == "salt-1" and not any(every_check(key, None, ("events",)))
    assert all(every_check(key, item, ("events",)))
    again = store.put_endpoint("https://example.com/hooks", ["order.paid", "order.shipped"], "salt-2")
    assert again["salt"] == "salt-1"                              # the salt stays
    assert not any(every_check(key, item, ("events",))) and all(every_check(key, again, ("events",)))


def test_region_group_copies_and_a_group_written_before_copies_existed(mid):
    store = PricingStore(mid)
    item = store.put_region_group("south", "华南", ["广东", "广西"])
    key = store.scope.region_group("south")
    assert all(every_check(key, item, ("provinces",)))
    changed = store.put_region_group("south", "华南", ["广东"])
    assert not any(every_check(key, item, ("provinces",))) and all(every_check(key, changed, ("provinces",)))
    legacy = store.scope.region_group("old")                      # no copies: its checks pass
    assert all(every_check(legacy, {"provinces": ["北京"]}, ("provinces",)))
