"""How a poll compares against what is stored: the snapshot of the previous poll plus the
records written since, with the revision check as the safety net (live local stack)."""
import uuid

import pytest

from chalicelib.adapters import poll_snapshots
from chalicelib.domain import inventory as rules
from chalicelib.domain.polling import ErpItem
from chalicelib.services import polling
from chalicelib.store.stock import StockStore


@pytest.fixture
def merchant_id(stack):
    return "m_" + uuid.uuid4().hex[:12]


def erp(**on_hand) -> dict:
    return {k: ErpItem(k, v, None) for k, v in on_hand.items()}


def no_full_read(monkeypatch):
    def refuse(self):
        raise AssertionError("the poll read every record although it had a snapshot")
    monkeypatch.setattr(StockStore, "everything", refuse)


def test_first_poll_reads_everything_and_later_ones_start_from_the_snapshot(merchant_id, monkeypatch):
    store = StockStore(merchant_id)
    store.set_on_hand("OLD", 3, "manual")
    assert polling.apply(merchant_id, erp(OLD=3, A=5, B=0))["items_changed"] == 1   # A only
    snapshot = poll_snapshots.load(merchant_id)
    assert set(snapshot["records"]) == {"OLD", "A"}

    no_full_read(monkeypatch)
    store.adjust("A", 4, "manual", "found more")                   # written since the snapshot
    counts = polling.apply(merchant_id, erp(OLD=3, A=5, B=0))
    assert counts["items_changed"] == 1 and store.get("A")["on_hand"] == 5
    assert polling.apply(merchant_id, erp(OLD=3, A=5, B=0))["items_changed"] == 0


def test_a_stale_snapshot_never_causes_a_wrong_write(merchant_id, monkeypatch):
    store = StockStore(merchant_id)
    polling.apply(merchant_id, erp(A=5))
    current = store.get("A")
    stale = rules.Known(current["rev"] - 1, 7, rules.lots_digest([]))       # what an old poll saw
    poll_snapshots.save(merchant_id, 4102444800.0, {"A": [stale.rev, stale.on_hand, stale.lots]})
    no_full_read(monkeypatch)
    counts = polling.apply(merchant_id, erp(A=5))                           # equal after a re-read
    assert (counts["items_changed"], counts["items_conflicted"]) == (0, 0)
    assert store.get("A")["rev"] == current["rev"]


def test_a_missing_or_broken_snapshot_means_a_full_read(merchant_id, stack):
    store = StockStore(merchant_id)
    store.set_on_hand("A", 2, "manual")
    stack.client("s3").put_object(Bucket=stack.bucket, Key=poll_snapshots.key(merchant_id), Body=b"not gzip")
    assert polling.apply(merchant_id, erp(A=2))["items_changed"] == 0
    assert poll_snapshots.load(merchant_id)["records"]["A"][1] == 2
