"""Printing: lanes that split the work, print batches claimed by one operator, reprints that
only a supervisor may authorize. The claim is the print record: an order is claimed once, by a
conditional write that also stores the label drawn for it (with the sender set at that moment),
and that label is then put once into the batch's PDF.

Claiming n orders costs one index query, one batch read of the products' barcodes and one
transaction of n conditional updates (n ≤ 100). When another operator got some of them first,
the transaction changes nothing and the claim goes on order by order through the rest of what
the query found (shuffled, so that racing operators spread out), then through further pages.

Printing without a sender (a claim or a reprint) raises SenderNotSet before anything is
claimed, drawn or logged: the orders stay ready to print.
"""
import random
from typing import List, Optional

from chalicelib.adapters import label_files
from chalicelib.domain import clock, secrets
from chalicelib.domain import desk as rules
from chalicelib.domain.desk import Lane, Refusal
from chalicelib.domain.errors import Forbidden, UnprocessableRequest, ValidationFailed
from chalicelib.domain.labels import label_from_snapshot
from chalicelib.services import accounts
from chalicelib.services.labels import LabelDrawing
from chalicelib.services.desk import attempt, known_carrier, refused
from chalicelib.store.desk import DeskStore, desk_order
from chalicelib.store.desk_settings import DeskSettingsStore
from chalicelib.store.table import TransactionCanceled

MAX_BATCH = 100
TOGETHER_ATTEMPTS = 4


class ReprintNotAuthorized(Forbidden):
    code = "reprint_not_authorized"
    title = "A reprint needs a supervisor's authorization"


# sender ---------------------------------------------------------------------------------
def put_sender(merchant_id: str, sender: dict) -> dict:
    """The sender drawn on every label printed from now on (a label is drawn when printed)."""
    DeskSettingsStore(merchant_id).put_sender(sender)
    return dict(sender)


def sender(merchant_id: str) -> dict:
    """{"sender": the sender set, or None until one is}."""
    return {"sender": DeskSettingsStore(merchant_id).sender()}


# lanes ----------------------------------------------------------------------------------
LANE_FIELDS = ("provinces", "paid_from_hour", "paid_to_hour", "carrier_code")


def put_lane(merchant_id: str, lane: str, fields: dict) -> dict:
    if fields.get("carrier_code"):
        fields = dict(fields, carrier_code=known_carrier(fields["carrier_code"]))
    problem = rules.lane_problem(_lane(fields))
    if problem:
        raise ValidationFailed(problem, [{"field": "paid_to_hour", "message": problem}])
    DeskSettingsStore(merchant_id).put_lane(lane, fields)
    return dict({"lane": lane}, **{k: fields.get(k) for k in LANE_FIELDS})


def _lane(fields: dict) -> Lane:
    return Lane(tuple(fields.get("provinces") or ()), fields.get("paid_from_hour"), fields.get("paid_to_hour"),
                fields.get("carrier_code"))


def load_lane(merchant_id: str, name: Optional[str]) -> Lane:
    if name is None:
        return Lane()
    found = DeskSettingsStore(merchant_id).lane(name)
    if found is None:
        raise UnprocessableRequest("unknown_lane", f"no print lane {name!r}; define it with PUT /v1/desk/print-lanes/{name}")
    return _lane(found)


# print batches --------------------------------------------------------------------------
def print_batch(merchant_id: str, operator: str, lane_name: Optional[str], max_orders: int) -> tuple:
    """(status, body): 201 with the batch, or 200 with no orders when none is free."""
    lane = load_lane(merchant_id, lane_name)
    store = DeskStore(merchant_id)
    drawing = LabelDrawing.load(store)   # no sender: 409 before anything is claimed
    batch_id = secrets.new_id("pb_")
    entry = {"operator": operator, "at": clock.now_iso(), "reason": "print batch", "authorized_by": None,
             "batch_id": batch_id}
    claimed = claim(store, lane, max_orders, batch_id, entry, drawing)
    if not claimed:
        return 200, {"batch_id": None, "order_ids": [], "labels_url": None}
    key = label_files.batch_key(merchant_id, batch_id)
    label_files.store(key, _pdf(claimed))
    return 201, {"batch_id": batch_id, "order_ids": [i["order_id"] for i in claimed],
                 "labels_url": label_files.download_url(key)}


def claim(store: DeskStore, lane: Lane, wanted: int, batch_id: str, entry: dict,
          drawing: LabelDrawing) -> List[dict]:
    """Up to `wanted` orders of the lane, claimed for this batch, each with the label drawn for
    it (`desk_label`). First the oldest ones in one transaction; when another operator took some
    of them, a fresh look and a transaction on a random stretch of what is left (so racing
    operators spread out), a few times; last, one order at a time."""
    pool, start = _candidates(store, lane, None, wanted)
    picked = pool[:wanted]
    for _ in range(TOGETHER_ATTEMPTS):
        if not picked:
            return []
        labels = drawing.snapshots(picked)
        try:
            store.claim_together(picked, batch_id, entry, labels)
            return [dict(item, desk_label=labels[item["order_id"]]) for item in picked]
        except TransactionCanceled:
            pass
        pool, start = _candidates(store, lane, None, wanted)
        offset = random.randrange(max(1, len(pool) - wanted + 1))
        picked = pool[offset:offset + wanted]
    claimed: List[dict] = []
    while True:
        random.shuffle(pool)
        for item in pool:
            if len(claimed) == wanted:
                return claimed
            label = drawing.snapshot(item)
            if store.claim_one(item, batch_id, entry, label):
                claimed.append(dict(item, desk_label=label))
        if len(claimed) == wanted or start is None:
            return claimed
        pool, start = _candidates(store, lane, start, wanted)


def _candidates(store: DeskStore, lane: Lane, start: Optional[str], wanted: int) -> tuple:
    """Printable orders of the lane from the reserved stage, oldest payment first: at least
    `wanted` of them unless the stage runs out (reading a little more than that, as some may be
    held or of another lane), and where the next read would start."""
    found: List[dict] = []
    while True:
        page, start = store.page("waybill_reserved", ("", "~"), start, min(1000, 2 * wanted + 10))
        found += [i for i in page if rules.printable(desk_order(i)) and lane.matches(desk_order(i))]
        if len(found) >= wanted or start is None:
            return found, start


def _pdf(items: List[dict]) -> bytes:
    from chalicelib.adapters import labels
    return labels.render([label_from_snapshot(i["order_id"], i["desk_label"]) for i in items])


# reprints -------------------------------------------------------------------------------
def reprint(merchant_id: str, caller, order_id: str, reason: str, supervisor: Optional[dict]) -> dict:
    store = DeskStore(merchant_id)
    item = store.existing(order_id)
    try:
        rules.check_reprint(desk_order(item))
        drawing = LabelDrawing.load(store)   # no sender: 409, nothing logged
        authorized_by = _authorization(merchant_id, caller, supervisor)
        entry = {"operator": operator_name(caller), "at": clock.now_iso(), "reason": reason,
                 "authorized_by": authorized_by, "batch_id": None}
        label = drawing.snapshot(item)
        updated = attempt(lambda: store.reprint(item, entry, label), rules.check_reprint)
    except Refusal as refusal:
        raise refused(refusal)
    count = int(updated["desk_print_count"])
    key = label_files.reprint_key(merchant_id, order_id, count)
    label_files.store(key, _pdf([updated]))
    return {"order_id": order_id, "print_count": count, "labels_url": label_files.download_url(key)}


def _authorization(merchant_id: str, caller, supervisor: Optional[dict]) -> str:
    """Who authorized the reprint: the supervisor named in the request (password checked), or
    the caller when it is itself a supervisor, a manager or the merchant."""
    if supervisor:
        try:
            return accounts.verify_supervisor(merchant_id, supervisor["username"], supervisor["password"])["username"]
        except Forbidden:
            raise ReprintNotAuthorized("The supervisor's username or password is wrong, or the user is no supervisor")
    if caller.kind == "merchant" or caller.role in ("supervisor", "manager"):
        return operator_name(caller)
    raise ReprintNotAuthorized("A reprint needs a supervisor's username and password")


def operator_name(caller) -> str:
    return caller.username if caller.kind == "operator" else "merchant"
