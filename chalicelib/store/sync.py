"""Sync switches of one merchant: one partition, read whole in a single query.

Each module's switch is its own attribute (`sw_<module>`), written with an update of just that
attribute, so two requests switching different modules at the same moment both take effect.
"""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import NotFound
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table, TransactionCanceled, check_op, update_op

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
        """The product's switches, read with the product itself: NotFound when there is none."""
        product_key, switches_key = self.scope.product(erp_product_id), self.scope.sync_product(erp_product_id)
        found = {(i["pk"], i["sk"]): i for i in self.table.batch_get([product_key, switches_key])}
        if product_key not in found:
            raise NotFound(f"no product {erp_product_id!r}")
        item = found.get(switches_key) or {}
        return {k[len(PREFIX):]: v for k, v in item.items() if k.startswith(PREFIX)}

    def set_modules(self, changes: dict) -> dict:
        """{module: bool} changes; answers the merged switches."""
        item = self._set(self.scope.sync_modules(), changes)
        return {k[len(PREFIX):]: v for k, v in item.items() if k.startswith(PREFIX)}

    def set_product(self, erp_product_id: str, switches: dict) -> None:
        """{module: {"on": bool, "until": epoch or None}} changes for one product, written only
        if the product exists (checked in the same transaction), else NotFound."""
        expression, values, names = self._expression(switches, erp_product_id=erp_product_id)
        try:
            self.table.transact([check_op(*self.scope.product(erp_product_id), "attribute_exists(pk)"),
                                 update_op(*self.scope.sync_product(erp_product_id), expression,
                                           values=values, names=names)])
        except TransactionCanceled as cancelled:
            if cancelled.reasons[:1] == ["ConditionalCheckFailed"]:
                raise NotFound(f"no product {erp_product_id!r}")
            raise

    def _set(self, key: tuple, changes: dict, **fields) -> dict:
        expression, values, names = self._expression(changes, **fields)
        return self.table.update(*key, expression, values=values, names=names)

    @staticmethod
    def _expression(changes: dict, **fields) -> tuple:
        sets, values, names = ["#updated_at = :now"], {":now": clock.now_iso()}, {"#updated_at": "updated_at"}
        for i, (name, value) in enumerate(dict(fields, **{PREFIX + m: v for m, v in changes.items()}).items()):
            sets.append(f"#a{i} = :a{i}")
            names[f"#a{i}"], values[f":a{i}"] = name, value
        return "SET " + ", ".join(sets), values, names
