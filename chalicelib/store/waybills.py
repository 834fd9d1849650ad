"""Waybill number ranges: one partition per merchant holding every range and a version item.

A range item keeps its own counter `next_no` (the next number to give). Numbers are given out
by the reservation transaction in store/desk.py, which moves the counter with the condition
that it still holds the value read (`counter_op`), so two reservations never share a number.
Adding a range bumps the version with the condition that it is still the one read, so two
overlapping ranges added at the same moment cannot both land.
"""
from typing import Optional, Tuple

from chalicelib.domain import clock
from chalicelib.domain.errors import Conflict
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table, TransactionCanceled, put_op, update_op


class RangesChanged(Conflict):
    code = "waybill_ranges_changed"
    title = "The waybill ranges changed while this one was being added; try again"


class WaybillStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    def ranges(self, carrier_code: Optional[str] = None) -> Tuple[int, list]:
        """(version, ranges) in one consistent query; ranges of one carrier when given."""
        pk, prefix = self.scope.waybill_ranges()
        version = 0
        found = []
        for item in self.table.query_all(pk, consistent=True):
            if item["sk"] == self.scope.waybill_ranges_version()[1]:
                version = item.get("version", 0)
            elif item["sk"].startswith(prefix) and carrier_code in (None, item["carrier_code"]):
                found.append(item)
        found.sort(key=lambda r: (r["created_at"], r["range_id"]))
        return version, found

    def add_range(self, range_id: str, carrier_code: str, prefix: str, first: int, last: int,
                  seen_version: int) -> dict:
        pk, sk = self.scope.waybill_range(carrier_code, range_id)
        item = {"pk": pk, "sk": sk, "range_id": range_id, "carrier_code": carrier_code,
                "prefix": prefix, "first": first, "last": last, "next_no": first,
                "created_at": clock.now_iso()}
        vpk, vsk = self.scope.waybill_ranges_version()
        try:
            self.table.transact([
                put_op(item, condition="attribute_not_exists(pk)"),
                update_op(vpk, vsk, "SET version = :new",
                          condition="attribute_not_exists(version) OR version = :seen",
                          values={":new": seen_version + 1, ":seen": seen_version}),
            ])
        except TransactionCanceled:
            raise RangesChanged()
        return item


def counter_op(range_item: dict, seen_next: int, new_next: int) -> dict:
    """Moves a range's counter from the value read to `new_next` (part of a reservation)."""
    return update_op(range_item["pk"], range_item["sk"], "SET next_no = :new",
                     condition="next_no = :seen", values={":new": new_next, ":seen": seen_next})


def guard_op(scope: MerchantScope, waybill_no: str, order_id: str, carrier_code: str) -> dict:
    """The number's own item: exists once, names its order."""
    pk, sk = scope.waybill(waybill_no)
    return put_op({"pk": pk, "sk": sk, "waybill_no": waybill_no, "order_id": order_id,
                   "carrier_code": carrier_code, "created_at": clock.now_iso()},
                  condition="attribute_not_exists(pk)")
