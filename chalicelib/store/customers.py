"""Platform buyers (with their credit-code lookup) and each merchant's customers and buyer links.

- Buyer: `keys.buyer(id)`; the set of buyers per credit code: `keys.buyers_by_credit_code(code)`.
- Customer: `MerchantScope.customer(erp_customer_code)`, indexed across merchants by credit code
  (gsi1 `keys.customers_by_credit_code`) so a buyer who appears later is linked then.
- Buyer link: `MerchantScope.buyer_link(platform_customer_id)` holds the merchant's
  `erp_customer_code` for that buyer (and its customer groups, see store.pricing).
"""
from typing import Iterable, Optional

from chalicelib.domain import clock
from chalicelib.store import expressions, keys
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import ConditionFailed, Table, put_op, update_op


class BuyerStore:
    def __init__(self, table: Optional[Table] = None):
        self.table = table or Table()

    def buyer(self, platform_customer_id: str) -> Optional[dict]:
        return self.table.get(*keys.buyer(platform_customer_id))

    def put_buyer(self, platform_customer_id: str, name: str, credit_code: Optional[str]) -> dict:
        pk, sk = keys.buyer(platform_customer_id)
        old = self.table.get(pk, sk) or {}
        now = clock.now_iso()
        item = {"pk": pk, "sk": sk, "platform_customer_id": platform_customer_id, "name": name,
                "credit_code": credit_code, "created_at": old.get("created_at", now), "updated_at": now}
        ops = [put_op(item)]
        if old.get("credit_code") and old.get("credit_code") != credit_code:
            ops.append(update_op(*keys.buyers_by_credit_code(old["credit_code"]), "DELETE ids :id",
                                 values={":id": {platform_customer_id}}))
        if credit_code and old.get("credit_code") != credit_code:
            ops.append(update_op(*keys.buyers_by_credit_code(credit_code), "ADD ids :id",
                                 values={":id": {platform_customer_id}}))
        self.table.transact(ops)
        return item

    def customers_with_credit_code(self, credit_code: str) -> list:
        """Every merchant's customers carrying this credit code."""
        return self.table.query_all(keys.customers_by_credit_code(credit_code), index="gsi1")


class CustomerStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.merchant_id = merchant_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    def read(self, erp_customer_codes: Iterable[str], credit_codes: Iterable[str]) -> tuple:
        """({code: customer}, {credit code: sorted buyer ids}) in one batch read per 100 keys."""
        wanted = [self.scope.customer(c) for c in dict.fromkeys(erp_customer_codes)]
        wanted += [keys.buyers_by_credit_code(c) for c in dict.fromkeys(credit_codes)]
        customers, buyers = {}, {}
        for item in self.table.batch_get(wanted):
            if item["sk"] == "CUSTOMER":
                customers[item["erp_customer_code"]] = item
            else:
                buyers[item["pk"][len(keys.buyers_by_credit_code("")[0]):]] = sorted(item.get("ids") or ())
        return customers, buyers

    def customer(self, erp_customer_code: str) -> Optional[dict]:
        return self.table.get(*self.scope.customer(erp_customer_code))

    def link(self, platform_customer_id: str) -> Optional[dict]:
        return self.table.get(*self.scope.buyer_link(platform_customer_id))

    def links(self, platform_customer_ids: Iterable[str]) -> dict:
        """{platform_customer_id: link} for the buyers this merchant has a link for."""
        found = self.table.batch_get([self.scope.buyer_link(p) for p in dict.fromkeys(platform_customer_ids)])
        return {item["platform_customer_id"]: item for item in found}

    def customer_op(self, erp_customer_code: str, name: Optional[str], credit_code: Optional[str],
                    platform_customer_id: Optional[str], source: Optional[str]) -> dict:
        pk, sk = self.scope.customer(erp_customer_code)
        now = clock.now_iso()
        sets = {"erp_customer_code": erp_customer_code, "merchant_id": self.merchant_id, "name": name,
                "credit_code": credit_code, "platform_customer_id": platform_customer_id,
                "match": "matched" if platform_customer_id else "unmatched", "match_source": source,
                "gsi1pk": keys.customers_by_credit_code(credit_code) if credit_code else None,
                "gsi1sk": keys.customers_by_credit_code_sk(self.merchant_id, erp_customer_code) if credit_code else None,
                "updated_at": now}
        expression, values, names = expressions.update(
            sets, raw_sets=["created_at = if_not_exists(created_at, :now)"], values={":now": now})
        return update_op(pk, sk, expression, values=values, names=names)

    def matched_op(self, erp_customer_code: str, platform_customer_id: str, source: str,
                   default_name: Optional[str] = None) -> dict:
        """Match an existing or new customer to a buyer, keeping its other fields."""
        pk, sk = self.scope.customer(erp_customer_code)
        now = clock.now_iso()
        expression, values, names = expressions.update(
            {"erp_customer_code": erp_customer_code, "merchant_id": self.merchant_id,
             "platform_customer_id": platform_customer_id, "match": "matched", "match_source": source,
             "updated_at": now},
            raw_sets=["created_at = if_not_exists(created_at, :now)", "#n = if_not_exists(#n, :name)"],
            values={":now": now, ":name": default_name or erp_customer_code}, names={"#n": "name"})
        return update_op(pk, sk, expression, values=values, names=names)

    def link_op(self, platform_customer_id: str, erp_customer_code: str) -> dict:
        pk, sk = self.scope.buyer_link(platform_customer_id)
        return update_op(pk, sk, "SET erp_customer_code = :code, platform_customer_id = :id, updated_at = :now",
                         values={":code": erp_customer_code, ":id": platform_customer_id,
                                 ":now": clock.now_iso()})

    def unlink(self, platform_customer_id: str, erp_customer_code: str) -> None:
        """Forget the buyer's code if it is still this one (a customer moved to another buyer)."""
        try:
            self.table.update(*self.scope.buyer_link(platform_customer_id), "REMOVE erp_customer_code",
                              condition="erp_customer_code = :code", values={":code": erp_customer_code})
        except ConditionFailed:
            pass

    def unmatch(self, erp_customer_code: str, platform_customer_id: str) -> None:
        """Mark a customer unmatched if it is still matched to this buyer."""
        try:
            self.table.update(*self.scope.customer(erp_customer_code),
                              "SET #m = :unmatched REMOVE platform_customer_id, match_source",
                              condition="platform_customer_id = :id",
                              values={":unmatched": "unmatched", ":id": platform_customer_id},
                              names={"#m": "match"})
        except ConditionFailed:
            pass
