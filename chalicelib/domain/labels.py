"""What a shipping label says, decided before anything is drawn.

Each product appears on a label exactly once: lines of the same code are merged and their
quantities added, so the "merchant code printed twice → two items packed" mistake of the seeds
cannot happen. The code is the product's barcode, else its `erp_product_id`; it is what the
outbound scan compares against (domain/inspection.py).
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional

SENDER_FIELDS = ("name", "phone", "province", "city", "district", "detail")


@dataclass(frozen=True)
class LabelLine:
    name: str
    code: str
    quantity: int


@dataclass(frozen=True)
class Label:
    order_id: str
    carrier_code: str
    carrier_name: str
    waybill_no: str
    recipient: dict
    sender: dict
    lines: List[LabelLine] = field(default_factory=list)


def line_code(erp_product_id: str, barcode: Optional[str]) -> str:
    return (barcode or "").strip() or erp_product_id


def label_lines(order_lines: List[dict], barcodes: Dict[str, Optional[str]]) -> List[LabelLine]:
    """One LabelLine per code, in the order's line order; `order_lines` carry erp_product_id,
    name and quantity; `barcodes` maps erp_product_id to the catalog barcode (or None)."""
    merged: Dict[str, list] = {}
    for line in order_lines:
        code = line_code(line["erp_product_id"], barcodes.get(line["erp_product_id"]))
        if code in merged:
            merged[code][1] += int(line["quantity"])
        else:
            merged[code] = [line.get("name") or line["erp_product_id"], int(line["quantity"])]
    return [LabelLine(name, code, quantity) for code, (name, quantity) in merged.items()]


def expected_units(lines: List[dict]) -> Dict[str, int]:
    """{code: quantity} of stored label lines (dicts with code and quantity)."""
    out: Dict[str, int] = {}
    for line in lines:
        out[line["code"]] = out.get(line["code"], 0) + int(line["quantity"])
    return out


def address_text(party: dict) -> str:
    return "".join(str(party.get(k) or "") for k in ("province", "city", "district", "detail"))


def label_from_snapshot(order_id: str, snapshot: dict) -> Label:
    """The Label stored on an order when its waybill was reserved."""
    return Label(order_id=order_id, carrier_code=snapshot["carrier_code"],
                 carrier_name=snapshot.get("carrier_name") or snapshot["carrier_code"],
                 waybill_no=snapshot["waybill_no"], recipient=snapshot.get("recipient") or {},
                 sender=snapshot.get("sender") or {},
                 lines=[LabelLine(l["name"], l["code"], int(l["quantity"])) for l in snapshot["lines"]])


def snapshot_of(label: Label) -> dict:
    return {"carrier_code": label.carrier_code, "carrier_name": label.carrier_name,
            "waybill_no": label.waybill_no, "recipient": label.recipient, "sender": label.sender,
            "lines": [{"name": l.name, "code": l.code, "quantity": l.quantity} for l in label.lines]}
