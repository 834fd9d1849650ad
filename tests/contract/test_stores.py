"""Named store operations: each condition and transaction outcome, on both engines."""
import time

import pytest

from chalicelib.domain import clock
from chalicelib.domain.errors import (AlreadyExists, IdempotencyInProgress, IdempotencyKeyMismatch,
                                      NonceReused, NotFound)
from chalicelib.store.accounts import AccountStore
from chalicelib.store.idempotency import IdempotencyStore, StoredResponse
from chalicelib.store.platform import PlatformStore
from chalicelib.store.sync import SyncStore
from chalicelib.store.table import ConditionFailed, TransactionCanceled, check_op, put_op


def test_conditional_put_reports_the_old_item(table):
    table.put({"pk": "a", "sk": "b", "v": 1})
    with pytest.raises(ConditionFailed) as caught:
        table.put({"pk": "a", "sk": "b", "v": 2}, condition="attribute_not_exists(pk)")
    assert caught.value.old is None or caught.value.old["v"] == 1
    assert table.get("a", "b")["v"] == 1


def test_transaction_is_all_or_nothing_and_names_the_failed_operation(table):
    table.put({"pk": "t", "sk": "1"})
    with pytest.raises(TransactionCanceled) as caught:
        table.transact([put_op({"pk": "t", "sk": "2"}),
                        put_op({"pk": "t", "sk": "1"}, condition="attribute_not_exists(pk)")])
    assert caught.value.failed_indexes() == [1]
    assert table.get("t", "2") is None
    table.transact([put_op({"pk": "t", "sk": "3"}), check_op("t", "1", "attribute_exists(pk)")])
    assert table.get("t", "3") is not None


def test_nonce_is_used_once_and_again_after_expiry(table, monkeypatch):
    store = AccountStore(table)
    store.use_nonce("m_1", "n" * 16, 900)
    with pytest.raises(NonceReused):
        store.use_nonce("m_1", "n" * 16, 900)
    store.use_nonce("m_2", "n" * 16, 900)  # nonces are per key id
    later = time.time() + 901
    monkeypatch.setattr(clock, "now", lambda: later)
    store.use_nonce("m_1", "n" * 16, 900)


def test_operator_usernames_are_unique_per_merchant(table):
    store = AccountStore(table)
    store.create_operator("m_1", "alice", "h", "operator")
    store.create_operator("m_2", "alice", "h", "operator")
    with pytest.raises(AlreadyExists):
        store.create_operator("m_1", "alice", "h2", "supervisor")
    assert store.operator("m_1", "alice")["role"] == "operator"


def test_rotation_keeps_one_previous_salt(table):
    store = AccountStore(table)
    store.create_merchant("m_1", "A", "s1")
    store.rotate_merchant_salt("m_1", "s2", 100)
    store.rotate_merchant_salt("m_1", "s3", 200)
    merchant = store.merchant("m_1")
    assert (merchant["salt"], merchant["prev_salt"], merchant["prev_valid_until"]) == ("s3", "s2", 200)
    with pytest.raises(NotFound):
        store.rotate_merchant_salt("m_nope", "s", 1)


def test_sessions_expire(table, monkeypatch):
    store = AccountStore(table)
    store.create_session("h1", {"merchant_id": "m", "username": "u", "role": "operator"}, time.time() + 60)
    assert store.session("h1")["username"] == "u"
    later = time.time() + 61
    monkeypatch.setattr(clock, "now", lambda: later)
    assert store.session("h1") is None


def test_idempotency_claim_finish_replay_mismatch_release(table):
    store = IdempotencyStore(table)
    assert store.claim("admin", "k", "fp1") is None
    with pytest.raises(IdempotencyInProgress):
        store.claim("admin", "k", "fp1")
    with pytest.raises(IdempotencyKeyMismatch):
        store.claim("admin", "k", "fp2")
    store.finish("admin", "k", "fp1", StoredResponse(201, '{"a": 1}', {"Content-Type": "application/json"}))
    replay = store.claim("admin", "k", "fp1")
    assert (replay.status, replay.body, replay.headers) == (201, '{"a": 1}', {"Content-Type": "application/json"})
    assert store.claim("admin", "k2", "fp") is None
    store.release("admin", "k2", "fp")
    assert store.claim("admin", "k2", "other") is None  # released: a new request may use it


def test_idempotency_expired_lock_is_taken_over_only_by_the_same_request(table, monkeypatch):
    store = IdempotencyStore(table)
    assert store.claim("admin", "k", "fp1") is None
    later = time.time() + 61
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(IdempotencyKeyMismatch):
        store.claim("admin", "k", "fp2")
    assert store.claim("admin", "k", "fp1") is None


def test_base_product_indexes_follow_its_identifiers(table):
    store = PlatformStore(table)
    store.put_base_product("b1", {"name": "x", "barcode": "６９０１ 23", "spec": "10mg", "manufacturer": "Acme"})
    assert store.base_products_by_index("BASEIDX#barcode#690123") == ["b1"]
    store.put_base_product("b1", {"name": "x", "barcode": "777"})
    assert store.base_products_by_index("BASEIDX#barcode#690123") == []
    assert store.base_products_by_index("BASEIDX#specmaker#10mg|acme") == []
    assert store.base_products_by_index("BASEIDX#barcode#777") == ["b1"]


def test_sync_switches_round_trip(table):
    store = SyncStore("m_1", table)
    for erp_id in ("p1", "A#B"):
        table.put(dict(zip(("pk", "sk"), store.scope.product(erp_id)), erp_product_id=erp_id))
    store.set_modules({"inventory": False})
    store.set_modules({"prices": False})
    store.set_product("p1", {"inventory": {"on": False, "until": 5}})
    store.set_product("A#B", {"lots": {"on": False, "until": 7}})
    modules, products = store.load()
    assert modules == {"inventory": False, "prices": False}
    assert products == {"p1": {"inventory": {"on": False, "until": 5}}, "A#B": {"lots": {"on": False, "until": 7}}}
    assert store.product("A#B") == {"lots": {"on": False, "until": 7}}
    assert SyncStore("m_2", table).load() == ({}, {})


def test_switches_of_a_product_the_merchant_does_not_have_are_not_found_and_not_written(table):
    store = SyncStore("m_1", table)
    table.put(dict(zip(("pk", "sk"), store.scope.product("A")), erp_product_id="A"))
    with pytest.raises(NotFound):
        store.set_product("A#2", {"inventory": {"on": False, "until": None}})
    with pytest.raises(NotFound):
        store.product("A#2")
    assert store.load() == ({}, {})
    assert SyncStore("m_2", table).load() == ({}, {})
    with pytest.raises(NotFound):
        SyncStore("m_2", table).set_product("A", {"inventory": {"on": False, "until": None}})
    assert SyncStore("m_2", table).load() == ({}, {})


def test_rate_window_refuses_past_the_limit_with_retry_after(table):
    from chalicelib.domain.errors import RateLimited
    from chalicelib.store.rate import RateStore
    store = RateStore(table)
    for _ in range(3):
        store.take("m:1", 3)
    with pytest.raises(RateLimited) as caught:
        store.take("m:1", 3)
    assert 1 <= caught.value.extra["retry_after"] <= 60
    store.take("m:2", 3)  # per caller
