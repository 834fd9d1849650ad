"""Copies of a record that every order's transaction checks, each in its own partition.

A warm process builds an order's write from cached records and checks them in the write's
transaction (store/checked.py). A ConditionCheck costs write units on the checked item's
partition (2 a check), so a record that every payment or every event checks (the carrier
rules, the webhook endpoint's subscriptions, a region group) would cap a merchant at a few
hundred orders a second on that one partition. Such a record is kept whole where it always was,
plus CHECK_REPLICAS copies of the fields that are checked (`keys.check_replica`), written in the
same transaction as the record, so a check of any copy is a check of the record; each check goes
to a copy picked at random and takes a CHECK_REPLICAS-th of the heat. Readers read the record.
"""
import random
from typing import Iterable, Optional

from chalicelib.store import keys
from chalicelib.store.checked import fields_equal
from chalicelib.store.table import check_op, put_op


def copy_ops(key: tuple, item: Optional[dict], fields: Iterable[str]) -> list:
    """The puts that make every copy of `key` hold `fields` as `item` has them."""
    fields = list(fields)
    ops = []
    for n in range(keys.CHECK_REPLICAS):
        pk, sk = keys.check_replica(key, n)
        ops.append(put_op(dict({f: (item or {}).get(f) for f in fields}, pk=pk, sk=sk, replica_of=key[0])))
    return ops


def check(key: tuple, item: Optional[dict], fields: Iterable[str]) -> dict:
    """A ConditionCheck on one copy (picked at random) that each field is what `item` has (absent
    where it has none), or, for `item` None, that there is no such record. A record written
    before it had copies has none: its check passes until its next write makes them."""
    replica = keys.check_replica(key, random.randrange(keys.CHECK_REPLICAS))
    if item is None:
        return check_op(*replica, "attribute_not_exists(pk)")
    condition, values, names = fields_equal(item, fields)
    return check_op(*replica, "attribute_not_exists(pk) OR (" + condition + ")", values, names)
