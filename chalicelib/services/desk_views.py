"""Reads the console's desk screens need beyond contract section 8 (documented extensions):
how many orders each stage holds, the print lanes, and a parcel by its waybill number."""
from chalicelib.domain.desk import STAGES
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.services.printing import LANE_FIELDS
from chalicelib.store.desk import DeskStore
from chalicelib.store.desk_settings import DeskSettingsStore

COUNT_CAP = 10_000  # a stage with more orders than this is answered as "at least" (capped)


def stage_counts(merchant_id: str) -> dict:
    store = DeskStore(merchant_id)
    counts, capped = {}, []
    for stage in STAGES:
        counts[stage], stopped = store.count(stage, COUNT_CAP)
        if stopped:
            capped.append(stage)
    return {"counts": counts, "capped": capped}


def print_lanes(merchant_id: str) -> dict:
    items = [dict({"lane": i["lane"]}, **{k: i.get(k) for k in LANE_FIELDS})
             for i in DeskSettingsStore(merchant_id).lanes()]
    return {"items": items, "next_cursor": None}


def parcel(merchant_id: str, waybill_no: str) -> dict:
    """What the outbound scan expects for a waybill: the label's lines (code, name, quantity)."""
    store = DeskStore(merchant_id)
    order_id = store.waybill_owner(waybill_no)
    item = store.order(order_id) if order_id else None
    if item is None:
        raise NotFound(f"no order has waybill {waybill_no}")
    if not item.get("desk_label"):
        raise Conflict(f"the label of waybill {waybill_no} is not printed yet", code="not_printed")
    label = item["desk_label"]
    return {"waybill_no": waybill_no, "order_id": order_id, "stage": item.get("stage"),
            "carrier_code": item.get("desk_carrier"), "holds": sorted(item.get("holds") or []),
            "print_count": int(item.get("desk_print_count") or 0),
            "recipient": (item.get("delivery") or {}).get("name"),
            "lines": [{"code": l["code"], "name": l.get("name"), "quantity": int(l["quantity"])}
                      for l in label.get("lines") or []]}
