"""Drawing labels at print time: what a label says beyond its order (the sender as set right now,
the carrier's name, the products' barcodes), gathered once per print batch or reprint.

A label is drawn when it is printed, never earlier: a sender changed after a waybill was
reserved is on the next print. Without a sender nothing can be printed (`SenderNotSet`, raised
before anything is claimed or logged). What was drawn is stored with the print (`desk_label`), so
the outbound scan compares against the codes on the label the parcel carries.
"""
from typing import Dict, Iterable, List

from chalicelib.domain import labels as label_rules
from chalicelib.domain.errors import Conflict
from chalicelib.store.desk import DeskStore
from chalicelib.store.desk_settings import DeskSettingsStore
from chalicelib.store.platform import PlatformStore


class SenderNotSet(Conflict):
    code = "sender_not_set"
    title = "No sender is set for labels"

    def __init__(self):
        super().__init__("Set the sender printed on labels first (PUT /v1/settings/sender); nothing was printed")


class LabelDrawing:
    """The sender and carrier names read once; product barcodes read as orders need them."""

    def __init__(self, store: DeskStore, sender: dict, carriers: dict):
        self.store = store
        self.sender = {k: sender.get(k) for k in label_rules.SENDER_FIELDS}
        self.carriers = carriers
        self.barcodes: Dict[str, object] = {}

    @classmethod
    def load(cls, store: DeskStore) -> "LabelDrawing":
        """Raises SenderNotSet when the merchant has no sender."""
        sender = DeskSettingsStore(store.merchant_id, store.table).sender()
        if not sender:
            raise SenderNotSet()
        return cls(store, sender, PlatformStore().carriers())

    def snapshots(self, items: Iterable[dict]) -> Dict[str, dict]:
        """{order_id: what its label says now}, for orders that have a carrier and a waybill."""
        items = list(items)
        self._read_barcodes(l["erp_product_id"] for i in items for l in i.get("lines") or [])
        return {i["order_id"]: self.snapshot(i) for i in items}

    def snapshot(self, item: dict) -> dict:
        self._read_barcodes(l["erp_product_id"] for l in item.get("lines") or [])
        delivery = item.get("delivery") or {}
        carrier_code = item["desk_carrier"]
        label = label_rules.Label(
            order_id=item["order_id"], carrier_code=carrier_code,
            carrier_name=self.carriers.get(carrier_code, carrier_code), waybill_no=item["desk_waybill"],
            recipient={k: delivery.get(k) for k in label_rules.SENDER_FIELDS}, sender=self.sender,
            lines=label_rules.label_lines(item.get("lines") or [], self.barcodes))
        return label_rules.snapshot_of(label)

    def _read_barcodes(self, erp_product_ids: Iterable[str]) -> None:
        missing: List[str] = sorted({p for p in erp_product_ids if p not in self.barcodes})
        if not missing:
            return
        products = self.store.products(missing)
        self.barcodes.update({p: (products.get(p) or {}).get("barcode") for p in missing})
