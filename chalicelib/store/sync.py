"""Sync switches of one merchant: one partition, read whole in a single query."""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table


class SyncStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    def load(self) -> tuple:
        """(module switches, {erp_product_id: product switches})."""
        pk, _ = self.scope.sync_modules()
        modules, products = {}, {}
        for item in self.table.query_all(pk, consistent=True):
            if item["sk"] == self.scope.sync_modules()[1]:
                modules = item.get("switches", {})
            else:
                products[item["erp_product_id"]] = item.get("switches", {})
        return modules, products

    def set_modules(self, changes: dict) -> dict:
        pk, sk = self.scope.sync_modules()
        current = self.table.get(pk, sk) or {}
        merged = dict(current.get("switches", {}), **changes)
        self.table.put({"pk": pk, "sk": sk, "switches": merged, "updated_at": clock.now_iso()})
        return merged

    def set_product(self, erp_product_id: str, switches: dict) -> None:
        pk, sk = self.scope.sync_product(erp_product_id)
        current = self.table.get(pk, sk) or {}
        merged = dict(current.get("switches", {}), **switches)
        self.table.put({"pk": pk, "sk": sk, "erp_product_id": erp_product_id, "switches": merged,
                        "updated_at": clock.now_iso()})
