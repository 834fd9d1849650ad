"""Sync switches of one merchant: one partition, read whole in a single query.

Each module's switch is its own attribute (`sw_<module>`), written with an update of just that
attribute, so two requests switching different modules at the same moment both take effect.
"""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table

PREFIX = "sw_"


class SyncStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    def load(self) -> tuple:
        """(module switches, {erp_product_id: product switches})."""
        pk, modules_sk = self.scope.sync_modules()
        modules, products = {}, {}
        for item in self.table.query_all(pk, consistent=True):
            switches = {k[len(PREFIX):]: v for k, v in item.items() if k.startswith(PREFIX)}
            if item["sk"] == modules_sk:
                modules = switches
            else:
                products[item["erp_product_id"]] = switches
        return modules, products

    def product(self, erp_product_id: str) -> dict:
        item = self.table.get(*self.scope.sync_product(erp_product_id)) or {}
        return {k[len(PREFIX):]: v for k, v in item.items() if k.startswith(PREFIX)}

    def set_modules(self, changes: dict) -> dict:
        """{module: bool} changes; answers the merged switches."""
        item = self._set(self.scope.sync_modules(), changes)
        return {k[len(PREFIX):]: v for k, v in item.items() if k.startswith(PREFIX)}

    def set_product(self, erp_product_id: str, switches: dict) -> None:
        """{module: {"on": bool, "until": epoch or None}} changes for one product."""
        self._set(self.scope.sync_product(erp_product_id), switches, erp_product_id=erp_product_id)

    def _set(self, key: tuple, changes: dict, **fields) -> dict:
        sets, values, names = ["#updated_at = :now"], {":now": clock.now_iso()}, {"#updated_at": "updated_at"}
        for i, (name, value) in enumerate(dict(fields, **{PREFIX + m: v for m, v in changes.items()}).items()):
            sets.append(f"#a{i} = :a{i}")
            names[f"#a{i}"], values[f":a{i}"] = name, value
        return self.table.update(*key, "SET " + ", ".join(sets), values=values, names=names)
