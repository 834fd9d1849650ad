"""The desk's state of an order, kept on the order item itself (`desk_*` attributes).

Keeping it on the order item means every desk step and every refund request write the same
item, so the conditions that guard them (no refund hold, still paid, the stage expected) are
checked by DynamoDB against one record: a hold and a print, or a hold and a shipment, can never
both land. A paid order is listed in gsi4 under `M#<mid>#DESK#<stage rank>#<shard>` (one of
DESK_SHARDS for its stage, from its id), sorted by stage then paid time; the index holds only
keys and the order id, and the desk's lists read a stage's shards (or every stage's) as one
sequence (store/sharded.py) and then the orders themselves.

Attributes: `stage`, `desk_carrier`, `desk_waybill`, `desk_print_count`, `desk_prints`
(the print log), `desk_batch`, `desk_label` (what the last printed label says, written by the
print itself), `desk_reviewed_at`/`_by`, `desk_inspected_at`, `desk_shipped_at`.

`desk_carrier` is set when the order arrives (its province's carrier rule, `entry_fields`), by a
batch change, or at review when it had none.
"""
from typing import Iterable, List, Optional, Tuple

from chalicelib.domain import clock
from chalicelib.domain.desk import PAID, STAGES, DeskOrder, stage_rank
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.store import keys, sharded
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import ConditionFailed, Table, update_op

LIVE = "attribute_exists(pk) AND #status = :paid AND attribute_not_exists(#holds)"
LIVE_VALUES = {":paid": PAID}
NAMES = {"#status": "status", "#stage": "stage", "#holds": "holds"}


def names(*texts: str) -> dict:
    """The placeholders of NAMES that the expressions use (DynamoDB refuses unused ones)."""
    return {k: v for k, v in NAMES.items() if any(k in (t or "") for t in texts)}


class StageConflict(Conflict):
    """The order was not in the state the step needs when it was written; `old` is what it was."""

    def __init__(self, old: Optional[dict]):
        super().__init__("The order changed while this step was being taken", code="order_changed")
        self.old = old


def desk_order(item: dict) -> DeskOrder:
    """The read-only view the desk's rules decide on."""
    delivery = item.get("delivery") or {}
    paid = item.get("paid_at")
    return DeskOrder(
        order_id=item["order_id"], status=item.get("status", ""), stage=item.get("stage"),
        paid_at=clock.parse(paid) if paid else None, province=delivery.get("province") or "",
        carrier_code=item.get("desk_carrier"), waybill_no=item.get("desk_waybill"),
        print_count=int(item.get("desk_print_count") or 0), holds=tuple(sorted(item.get("holds") or ())),
        remark=item.get("remark") or "", merchant_remark=item.get("merchant_remark") or "",
        lines=tuple({"erp_product_id": l["erp_product_id"], "name": l.get("name"),
                     "quantity": int(l["quantity"])} for l in item.get("lines") or ()))


def paid_key(paid_at: str) -> str:
    """Paid time as a fixed-width UTC string, so the index sorts by it."""
    return clock.iso(clock.parse(paid_at))


def entry_fields(merchant_id: str, order_id: str, paid_at: str, carrier_code: Optional[str] = None) -> dict:
    """What a paid order carries to appear at the desk in `to_review` (payment, manual orders),
    written by the same write that makes it paid: with `carrier_code`, the carrier its
    province's rule gives it on arrival (services/desk.py: arrival_carrier)."""
    scope = MerchantScope(merchant_id)
    fields = {"stage": "to_review", "desk_print_count": 0,
              "gsi4pk": desk_partition(merchant_id, order_id, "to_review"),
              "gsi4sk": scope.desk_sort(stage_rank("to_review"), paid_key(paid_at), order_id)}
    if carrier_code:
        fields["desk_carrier"] = carrier_code
    return fields


def stage_fields(merchant_id: str, order: dict, stage: str) -> dict:
    """The stage and, for an order at the desk, its index position (ERP shipping uses this too)."""
    fields = {"stage": stage}
    scope = MerchantScope(merchant_id)
    if (order.get("gsi4pk") or "").startswith(scope.pk("DESK", "")) and order.get("paid_at"):
        fields["gsi4pk"] = desk_partition(merchant_id, order["order_id"], stage)
        fields["gsi4sk"] = scope.desk_sort(stage_rank(stage), paid_key(order["paid_at"]), order["order_id"])
    return fields


def desk_partition(merchant_id: str, order_id: str, stage: str) -> str:
    return MerchantScope(merchant_id).desk_index(stage_rank(stage), keys.shard_of(order_id, keys.DESK_SHARDS))


def desk_partitions(merchant_id: str, stages=STAGES) -> List[str]:
    scope = MerchantScope(merchant_id)
    return [scope.desk_index(stage_rank(s), n) for s in stages for n in range(keys.DESK_SHARDS)]


class DeskStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.merchant_id = merchant_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    # reading ------------------------------------------------------------------------------
    def order(self, order_id: str) -> Optional[dict]:
        return self.table.get(*self.scope.order(order_id))

    def existing(self, order_id: str) -> dict:
        item = self.order(order_id)
        if item is None:
            raise NotFound(f"no order {order_id}")
        return item

    def orders(self, order_ids: Iterable[str]) -> dict:
        """{order_id: item} for the ids that exist (100 a request)."""
        items = self.table.batch_get(self.scope.order(o) for o in order_ids)
        return {i["order_id"]: i for i in items if i.get("sk") == self.scope.order("x")[1]}

    def page(self, stage: Optional[str], paid_range: Tuple[str, str], after: Optional[str],
             limit: int) -> Tuple[list, Optional[str]]:
        """About `limit` orders of the desk index after the position `after` (a sort key): a stage's
        key range (between paid times) or all stages, in index order, read consistently; and the
        position to go on from (None at the end). Orders that moved or left the desk since the index
        entry was written are left out (the index holds a moved order where it is now)."""
        low, high = sharded.LOW, sharded.HIGH
        if stage:
            rank = stage_rank(stage)
            low, high = f"{rank}#{paid_range[0]}", f"{rank}#{paid_range[1]}"
        partitions = desk_partitions(self.merchant_id, (stage,) if stage else STAGES)
        per_shard = (5 * limit) // (4 * len(partitions)) + 2
        entries, boundary = sharded.window(self.table, "gsi4", [partitions], low, high, after, per_shard)
        items = self.orders(e["order_id"] for e in entries)
        current = [items.get(e["order_id"]) for e in entries]   # an entry that moved is met again where it is
        return [i for i, e in zip(current, entries) if i and i.get("gsi4sk") == e["gsi4sk"]], boundary

    def count(self, stage: str, cap: int) -> Tuple[int, bool]:
        """How many orders are in `stage` (cancelled ones leave the index), counting at most about
        `cap`: each shard's stage range, counted (Select=COUNT) in parallel."""
        from chalicelib.store.parallel import each
        rank = stage_rank(stage)
        share = max(1, cap // keys.DESK_SHARDS)
        counted = each([lambda pk=pk: self.table.count(pk, index="gsi4", sk_between=(f"{rank}#", f"{rank}#~"), cap=share)
                        for pk in desk_partitions(self.merchant_id, (stage,))])
        return sum(n for n, _ in counted), any(stopped for _, stopped in counted)

    def waybill_owner(self, waybill_no: str) -> Optional[str]:
        found = self.table.get(*self.scope.waybill(waybill_no))
        return found["order_id"] if found else None

    def products(self, erp_product_ids: Iterable[str]) -> dict:
        items = self.table.batch_get(self.scope.product(p) for p in erp_product_ids)
        return {i["erp_product_id"]: i for i in items if "erp_product_id" in i}

    def stock(self, erp_product_ids: Iterable[str]) -> dict:
        """{erp_product_id: stock record} with the product's real figures (buckets included)."""
        from chalicelib.store.stock import StockStore
        records = StockStore(self.merchant_id, self.table).many(list(erp_product_ids))
        return {self.scope.stock_id_of(r["pk"]): r for r in records}

    # steps --------------------------------------------------------------------------------
    def _sort(self, item: dict, stage: str) -> str:
        return self.scope.desk_sort(stage_rank(stage), paid_key(item["paid_at"]), item["order_id"])

    def _at(self, item: dict, stage: str) -> dict:
        """The index position of `item` at `stage` (its partition and sort key), as values."""
        return {":dpk": desk_partition(self.merchant_id, item["order_id"], stage), ":sk": self._sort(item, stage)}

    def _update(self, order_id: str, expression: str, condition: str, values: dict) -> dict:
        try:
            return self.table.update(*self.scope.order(order_id), expression, condition=condition,
                                     values=values, names=names(expression, condition))
        except ConditionFailed as failed:
            raise StageConflict(failed.old)

    def review(self, item: dict, operator: str, carrier_code: Optional[str]) -> dict:
        """to_review → reviewed; the carrier given (from the rules) only when none was chosen."""
        sets = ["#stage = :to", "gsi4pk = :dpk", "gsi4sk = :sk", "desk_reviewed_at = :now", "desk_reviewed_by = :by"]
        values = dict(LIVE_VALUES, **{":to": "reviewed", ":from": "to_review", **self._at(item, "reviewed"),
                                      ":now": clock.now_iso(), ":by": operator})
        if carrier_code:
            sets.append("desk_carrier = if_not_exists(desk_carrier, :carrier)")
            values[":carrier"] = carrier_code
        return self._update(item["order_id"], "SET " + ", ".join(sets), LIVE + " AND #stage = :from", values)

    def set_carrier(self, order_id: str, carrier_code: str) -> dict:
        return self._update(order_id, "SET desk_carrier = :c",
                            "attribute_exists(pk) AND #status = :paid AND attribute_not_exists(desk_waybill)"
                            " AND attribute_exists(#stage)",
                            {":c": carrier_code, ":paid": PAID})

    def set_remark(self, order_id: str, remark: Optional[str]) -> dict:
        try:
            return self.table.update(*self.scope.order(order_id),
                                     "SET merchant_remark = :r, updated_at = :now",
                                     condition="attribute_exists(pk)",
                                     values={":r": remark, ":now": clock.now_iso()})
        except ConditionFailed:
            raise NotFound(f"no order {order_id}")

    def reserve(self, assignments: List[tuple], counters: List[tuple]) -> None:
        """One transaction: each counter moves from the value read (`counter_op`s), each order
        (item, waybill_no) takes its number if it still has the carrier read, each number its
        guard item. Nothing of the label is decided here: it is drawn when printed."""
        from chalicelib.store.waybills import guard_op
        ops = list(counters)
        expression = "SET #stage = :to, desk_waybill = :no, gsi4pk = :dpk, gsi4sk = :sk"
        condition = LIVE + " AND #stage = :from AND desk_carrier = :carrier AND attribute_not_exists(desk_waybill)"
        for item, waybill_no in assignments:
            ops.append(update_op(
                *self.scope.order(item["order_id"]), expression, condition=condition,
                values=dict(LIVE_VALUES, **{":to": "waybill_reserved", ":from": "reviewed", ":no": waybill_no,
                                            **self._at(item, "waybill_reserved"),
                                            ":carrier": item["desk_carrier"]}),
                names=names(expression, condition)))
            ops.append(guard_op(self.scope, waybill_no, item["order_id"], item["desk_carrier"]))
        self.table.transact(ops)

    def _claim(self, item: dict, batch_id: str, entry: dict, label: dict) -> tuple:
        """(expression, condition, values) of claiming one reserved, unprinted, unheld order; the
        label drawn for it is stored with the claim, on the waybill and carrier it was drawn with."""
        return ("SET #stage = :to, desk_print_count = :one, desk_prints = :log, desk_batch = :batch,"
                " desk_label = :label, gsi4pk = :dpk, gsi4sk = :sk",
                LIVE + " AND #stage = :from AND (attribute_not_exists(desk_print_count)"
                       " OR desk_print_count = :zero) AND desk_waybill = :no AND desk_carrier = :carrier",
                dict(LIVE_VALUES, **{":to": "printed", ":from": "waybill_reserved", ":one": 1, ":zero": 0,
                                     ":log": [entry], ":batch": batch_id, ":label": label,
                                     ":no": label["waybill_no"], ":carrier": label["carrier_code"],
                                     **self._at(item, "printed")}))

    def claim_together(self, items: List[dict], batch_id: str, entry: dict, labels: dict) -> None:
        """Claims all of `items` for one print batch in one transaction (at most 100), or none:
        raises TransactionCanceled naming the orders that were no longer free. `labels` holds
        each order's drawn label by order id."""
        ops = []
        for item in items:
            expression, condition, values = self._claim(item, batch_id, entry, labels[item["order_id"]])
            ops.append(update_op(*self.scope.order(item["order_id"]), expression, condition, values,
                                 names(expression, condition)))
        self.table.transact(ops)

    def claim_one(self, item: dict, batch_id: str, entry: dict, label: dict) -> bool:
        expression, condition, values = self._claim(item, batch_id, entry, label)
        try:
            self.table.update(*self.scope.order(item["order_id"]), expression, condition=condition,
                              values=values, names=names(expression, condition))
            return True
        except ConditionFailed:
            return False

    def reprint(self, item: dict, entry: dict, label: dict) -> dict:
        """One more print of a printed order with the label drawn now; the order goes back to
        `printed` (a new label exists, so it needs inspection again), counted and logged."""
        seen = int(item.get("desk_print_count") or 0)
        return self._update(
            item["order_id"],
            "SET #stage = :to, gsi4pk = :dpk, gsi4sk = :sk, desk_print_count = :n, desk_label = :label,"
            " desk_prints = list_append(desk_prints, :log)",
            LIVE + " AND #stage IN (:printed, :inspected) AND desk_print_count = :seen",
            dict(LIVE_VALUES, **{":to": "printed", **self._at(item, "printed"), ":n": seen + 1,
                                 ":log": [entry], ":label": label, ":printed": "printed",
                                 ":inspected": "inspected", ":seen": seen}))

    def mark_inspected(self, item: dict) -> dict:
        return self._update(
            item["order_id"], "SET #stage = :to, gsi4pk = :dpk, gsi4sk = :sk, desk_inspected_at = :now",
            LIVE + " AND #stage IN (:printed, :inspected)",
            dict(LIVE_VALUES, **{":to": "inspected", **self._at(item, "inspected"),
                                 ":now": clock.now_iso(), ":printed": "printed", ":inspected": "inspected"}))



def exchange_ops(merchant_id: str, order: dict, carrier_code: Optional[str] = None) -> list:
    """A manual (exchange) order, paid at zero: the order item as the orders feature keeps a paid
    one (ERP feed, desk entry in to_review with its arrival carrier) and its id reference;
    written once."""
    from chalicelib.store.orders import feed_fields
    from chalicelib.store.table import put_op
    scope = MerchantScope(merchant_id)
    pk, sk = scope.order(order["order_id"])
    item = dict(order, pk=pk, sk=sk, version=1, sync_status="pending", feed_at=order["paid_at"],
                **feed_fields(merchant_id, order["order_id"], order["paid_at"]),
                **entry_fields(merchant_id, order["order_id"], order["paid_at"], carrier_code))
    ref_pk, ref_sk = keys.order_ref(order["order_id"])
    return [put_op(item, condition="attribute_not_exists(pk)"),
            put_op({"pk": ref_pk, "sk": ref_sk, "order_id": order["order_id"], "merchant_id": merchant_id,
                    "channel_id": order.get("channel_id")}, condition="attribute_not_exists(pk)")]
