"""Platform-wide records: the base-product catalog (with its match indexes) and carriers."""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain.carriers import DEFAULT_CARRIERS
from chalicelib.domain.matching import criteria
from chalicelib.store import keys
from chalicelib.store.table import Table, delete_op, put_op, update_op


def base_index_keys(product: dict) -> list:
    """The match-index partitions a base product appears in: barcode, approval number, spec+maker
    (the same criteria, in the same order, that a merchant product is matched by)."""
    return [keys.base_index(criterion, value) for criterion, value in criteria(product)]


class PlatformStore:
    def __init__(self, table: Optional[Table] = None):
        self.table = table or Table()

    def put_base_product(self, base_product_id: str, fields: dict) -> dict:
        pk, sk = keys.base_product(base_product_id)
        old = self.table.get(pk, sk)
        item = dict(fields, pk=pk, sk=sk, base_product_id=base_product_id, updated_at=clock.now_iso())
        new_index = base_index_keys(item)
        stale = [k for k in (base_index_keys(old) if old else []) if k not in new_index]
        member = keys.base_index_member(base_product_id)
        ops = [put_op(item)]
        ops += [delete_op(k, member) for k in stale]
        ops += [update_op(*keys.base_index_ids(k), "DELETE ids :id", values={":id": {base_product_id}})
                for k in stale]
        ops += [put_op({"pk": k, "sk": member, "base_product_id": base_product_id}) for k in new_index]
        ops += [update_op(*keys.base_index_ids(k), "ADD ids :id", values={":id": {base_product_id}})
                for k in new_index]
        self.table.transact(ops)
        return item

    def base_product(self, base_product_id: str) -> Optional[dict]:
        return self.table.get(*keys.base_product(base_product_id))

    def base_products_by_index(self, index_key: str) -> list:
        """Ids of the base products under one match-index key (at most a few)."""
        return [i["base_product_id"] for i in self.table.query_all(index_key, "BASE#", consistent=True)]

    def base_products_by_indexes(self, index_keys: list) -> dict:
        """{index key: sorted base product ids} for many match-index keys, in batch reads."""
        found = self.table.batch_get([keys.base_index_ids(k) for k in dict.fromkeys(index_keys)])
        by_key = {item["pk"]: sorted(item.get("ids") or ()) for item in found}
        return {k: by_key.get(k, []) for k in index_keys}

    def base_products(self, base_product_ids: list) -> dict:
        """{base_product_id: item} for those that exist, in batch reads."""
        found = self.table.batch_get([keys.base_product(b) for b in dict.fromkeys(base_product_ids)])
        return {item["base_product_id"]: item for item in found}

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
