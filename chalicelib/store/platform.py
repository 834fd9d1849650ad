"""Platform-wide records: the base-product catalog (with its match indexes) and carriers."""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain.carriers import DEFAULT_CARRIERS
from chalicelib.domain.normalize import ident
from chalicelib.store import keys
from chalicelib.store.table import Table, delete_op, put_op


def base_index_keys(product: dict) -> list:
    """The match-index partitions a base product appears in: barcode, approval number, spec+maker."""
    found = []
    if ident(product.get("barcode")):
        found.append(f"BASEIDX#barcode#{ident(product['barcode'])}")
    if ident(product.get("approval_number")):
        found.append(f"BASEIDX#approval#{ident(product['approval_number'])}")
    if ident(product.get("spec")) and ident(product.get("manufacturer")):
        found.append(f"BASEIDX#specmaker#{ident(product['spec'])}|{ident(product['manufacturer'])}")
    return found


class PlatformStore:
    def __init__(self, table: Optional[Table] = None):
        self.table = table or Table()

    def put_base_product(self, base_product_id: str, fields: dict) -> dict:
        pk, sk = keys.base_product(base_product_id)
        old = self.table.get(pk, sk)
        item = dict(fields, pk=pk, sk=sk, base_product_id=base_product_id, updated_at=clock.now_iso())
        new_index = base_index_keys(item)
        stale = [k for k in (base_index_keys(old) if old else []) if k not in new_index]
        ops = [put_op(item)]
        ops += [delete_op(k, f"BASE#{base_product_id}") for k in stale]
        ops += [put_op({"pk": k, "sk": f"BASE#{base_product_id}", "base_product_id": base_product_id})
                for k in new_index]
        self.table.transact(ops)
        return item

    def base_product(self, base_product_id: str) -> Optional[dict]:
        return self.table.get(*keys.base_product(base_product_id))

    def base_products_by_index(self, index_key: str) -> list:
        """Ids of the base products under one match-index key (at most a few)."""
        return [i["base_product_id"] for i in self.table.query_all(index_key, "BASE#", consistent=True)]

    def put_carrier(self, code: str, name: str) -> dict:
        pk, sk = keys.carrier(code)
        item = {"pk": pk, "sk": sk, "carrier_code": code, "name": name}
        self.table.put(item)
        return item

    def carriers(self) -> dict:
        pk, prefix = keys.carriers()
        found = dict(DEFAULT_CARRIERS)
        found.update({i["carrier_code"]: i["name"] for i in self.table.query_all(pk, prefix)})
        return found
