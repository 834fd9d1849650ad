"""Region groups (provinces) and customer groups (platform buyers) of one merchant.

A customer group's members are also written onto each member's buyer link
(`MerchantScope.buyer_link`, attribute `groups`), so pricing an order reads one item for the
buyer instead of every group.
"""
from typing import Iterable, Optional

from chalicelib.domain import clock
from chalicelib.store import groups
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table, put_op, update_op


class PricingStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    def put_region_group(self, region_group_id: str, name: str, provinces: list) -> dict:
        pk, sk = self.scope.region_group(region_group_id)
        item = {"pk": pk, "sk": sk, "region_group_id": region_group_id, "name": name,
                "provinces": provinces, "updated_at": clock.now_iso()}
        from chalicelib.store import replicas     # every placement priced by the group checks a copy
        self.table.transact([put_op(item)] + replicas.copy_ops((pk, sk), item, ("provinces",)))
        return item

    def region_groups(self) -> list:
        pk, prefix = self.scope.region_groups()
        return self.table.query_all(pk, prefix, consistent=True)

    def customer_group(self, customer_group_id: str) -> Optional[dict]:
        return self.table.get(*self.scope.customer_group(customer_group_id))

    def put_customer_group(self, customer_group_id: str, name: str, members: list) -> dict:
        """Replace the group; members that left or joined have their buyer links updated."""
        pk, sk = self.scope.customer_group(customer_group_id)
        old = set((self.table.get(pk, sk) or {}).get("platform_customer_ids") or ())
        item = {"pk": pk, "sk": sk, "customer_group_id": customer_group_id, "name": name,
                "platform_customer_ids": members, "updated_at": clock.now_iso()}
        writes = [groups.Group("group", [put_op(item)])]
        writes += [groups.Group(m, [self._membership_op(m, "ADD", customer_group_id)])
                   for m in dict.fromkeys(members) if m not in old]
        writes += [groups.Group(m, [self._membership_op(m, "DELETE", customer_group_id)])
                   for m in sorted(old - set(members))]
        failed = groups.apply(self.table, writes)
        if failed:
            raise RuntimeError(f"customer group {customer_group_id}: {len(failed)} writes failed")
        return item

    def _membership_op(self, platform_customer_id: str, verb: str, customer_group_id: str) -> dict:
        pk, sk = self.scope.buyer_link(platform_customer_id)
        return update_op(pk, sk, f"SET platform_customer_id = :id {verb} #groups :g",
                         values={":id": platform_customer_id, ":g": {customer_group_id}},
                         names={"#groups": "groups"})

    def group_keys(self, region_group_ids: Iterable[str], customer_group_ids: Iterable[str]) -> list:
        return ([self.scope.region_group(g) for g in region_group_ids]
                + [self.scope.customer_group(g) for g in customer_group_ids])
