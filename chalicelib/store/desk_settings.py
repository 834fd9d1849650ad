"""The desk's settings: the sender printed on labels, carrier rules by province, print lanes."""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table


class DeskSettingsStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    def _put(self, key: tuple, fields: dict) -> dict:
        pk, sk = key
        item = dict(fields, pk=pk, sk=sk, updated_at=clock.now_iso())
        self.table.put(item)
        return item

    def put_sender(self, sender: dict) -> dict:
        return self._put(self.scope.settings("sender"), {"sender": sender})

    def sender(self) -> Optional[dict]:
        found = self.table.get(*self.scope.settings("sender"))
        return found["sender"] if found else None

    def put_carrier_rules(self, rules: list) -> dict:
        """The rules, and the copies every payment's transaction checks (store/replicas.py)."""
        from chalicelib.store import replicas
        from chalicelib.store.table import put_op
        key = self.scope.settings("carrier-rules")
        item = {"pk": key[0], "sk": key[1], "rules": rules, "updated_at": clock.now_iso()}
        self.table.transact([put_op(item)] + replicas.copy_ops(key, item, ("rules",)))
        return item

    def carrier_rules(self) -> list:
        found = self.table.get(*self.scope.settings("carrier-rules"))
        return found["rules"] if found else []

    def carrier_rules_checked(self, use_cache: bool = True) -> tuple:
        """(the rules, ConditionChecks for a transaction built on them): from a warm process's
        cache with a check that they are still the stored ones (store/checked.py), else read."""
        from chalicelib.store import checked
        found, checks = checked.read(self.scope.settings("carrier-rules"), ("rules",), use_cache, self.table,
                                     replicated=True)
        return (found["rules"] if found else []), checks

    def forget_carrier_rules(self) -> None:
        from chalicelib.store import checked
        checked.forget(self.scope.settings("carrier-rules"))

    def put_lane(self, lane: str, fields: dict) -> dict:
        return self._put(self.scope.print_lane(lane), dict(fields, lane=lane))

    def lane(self, lane: str) -> Optional[dict]:
        return self.table.get(*self.scope.print_lane(lane))

    def lanes(self) -> list:
        return self.table.query_all(*self.scope.print_lanes(), consistent=True)
