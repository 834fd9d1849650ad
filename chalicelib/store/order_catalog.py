"""What one placement prices from, and the checks that keep a cached copy of it honest.

`OrderCatalog.read` gathers, for the products of one order: the PRODUCT items, their STOCK
records (the lot shown to the buyer), the buyer's link (its customer groups) and the merchant's
listing settings, in ONE batch read — or none at all when a warm process has them in
store/catalog_cache.py; the region groups (one query) only when a province and a product's
region price are involved.

Whatever the order was priced from is then re-checked inside the order's own transaction:
- each product: a ConditionCheck that `name`, `listing`, `default_price`, `region_prices` and
  `customer_level_prices` are exactly what was read (equality works on maps too);
- each reservation: besides `free >= q`, the stock record's `lots` are the ones the lot was
  taken from;
- the buyer's link: its `groups`, when a product has customer-level prices;
- each region group a product prices (`region_prices` keys): its `provinces`, or its absence.
If any of them changed, the transaction fails on that operation (`stale`), nothing is written,
and the placement reads again. The checks are only left out when they would not fit the
transaction's 100 operations; such an order is priced from a fresh read (`fits`).

A hot product (its stock split into buckets, store/stock_buckets.py) is the exception: a
ConditionCheck costs write units on the product's one partition (2 a check), so at a 秒杀's rate
the checks alone would exceed what the partition takes. Its PRODUCT item is read fresh with
each placement instead (a read costs a third as much of a partition's limit, and leaves the
window of any read-then-write, not a cache's), and its lots are checked on the bucket the order
reserves in, which keeps a copy of them.
"""
from typing import Dict, List, Optional

from chalicelib.store import catalog_cache as cache
from chalicelib.store import replicas, stock_buckets
from chalicelib.store.keys import MerchantScope
from chalicelib.store.checked import equal_op
from chalicelib.store.table import Table

PRICED_FIELDS = ("name", "listing", "default_price", "region_prices", "customer_level_prices")
LISTING_SETTINGS_SECONDS = 5.0     # the auto-listing switch applies within seconds
MAX_TRANSACTION = 100


class OrderCatalog:
    def __init__(self, merchant_id: str, erp_product_ids: List[str], platform_customer_id: Optional[str],
                 table: Optional[Table] = None):
        self.scope = MerchantScope(merchant_id)
        self.merchant_id = merchant_id
        self.erp_ids = list(dict.fromkeys(erp_product_ids))
        self.buyer = platform_customer_id
        self.table = table or Table()
        self.products: Dict[str, dict] = {}
        self.stocks: Dict[str, dict] = {}
        self.link: Optional[dict] = None
        self.cached = False            # whether anything came from the warm cache
        self._groups: Optional[list] = None
        self._groups_cached = False

    # reads ----------------------------------------------------------------------------------
    def _keys(self) -> list:
        keys = [self.scope.product(e) for e in self.erp_ids] + [self.scope.stock(e) for e in self.erp_ids]
        if self.buyer:
            keys.append(self.scope.buyer_link(self.buyer))
        return keys

    def read(self, use_cache: bool = True) -> "OrderCatalog":
        """Fill products, stocks and link; from the cache where allowed, the rest in one batch
        read (which also refreshes the listing settings when they are older than a few seconds).
        The buyer's link is only needed when a product has customer-level prices; it is read
        along whenever there is a batch read anyway."""
        self.cached, found, missing = False, {}, []
        hot = {e for e in self.erp_ids if use_cache and ((cache.get(self.scope.stock(e))[1] or {}).get("buckets"))}
        for key in self._keys()[:2 * len(self.erp_ids)]:
            hit, item = cache.get(key) if use_cache else (False, None)
            if key[1] == "PRODUCT" and key in {self.scope.product(e) for e in hot}:
                hit = False                                         # a hot product is read fresh
            if hit and (item is not None or key[1] != "PRODUCT"):   # an unknown product is read again
                found[key], self.cached = item, True
            else:
                missing.append(key)
        if self.buyer:
            link_key = self.scope.buyer_link(self.buyer)
            needed = missing or any(found[self.scope.product(e)].get("customer_level_prices") for e in self.erp_ids)
            hit, item = cache.get(link_key) if use_cache else (False, None)
            if hit:
                found[link_key] = item
            elif needed:
                missing.append(link_key)
        settings_key = self.scope.settings("listing")
        if missing:
            if not cache.get(settings_key, LISTING_SETTINGS_SECONDS)[0]:
                missing.append(settings_key)
            read = {(i["pk"], i["sk"]): i for i in self.table.batch_get(missing)}
            for key in missing:
                found[key] = read.get(key)
                if key[1] != "PRODUCT" or key in read:
                    cache.put(key, read.get(key))
        self.products = {e: found[self.scope.product(e)] for e in self.erp_ids if found.get(self.scope.product(e))}
        self.stocks = {e: found[self.scope.stock(e)] for e in self.erp_ids if found.get(self.scope.stock(e))}
        self.link = found.get(self.scope.buyer_link(self.buyer)) if self.buyer else None
        if not use_cache:
            self._groups = None
        return self

    def customer_groups(self) -> list:
        return sorted((self.link or {}).get("groups") or ())

    def region_groups(self) -> list:
        """Every region group of the merchant (one query, or the cached one)."""
        if self._groups is None:
            key = self.scope.region_groups()
            hit, item = cache.get(key) if self.cached else (False, None)
            if hit:
                self._groups, self._groups_cached = item["groups"], True
            else:
                pk, prefix = key
                self._groups = self.table.query_all(pk, prefix, consistent=True)
                cache.put(key, {"groups": self._groups})
        return self._groups

    def forget(self) -> None:
        """Drop this order's records from the warm cache (after a check found one stale)."""
        cache.drop(self._keys() + [self.scope.region_groups()])

    # the checks -------------------------------------------------------------------------------
    def uses_customer_prices(self) -> bool:
        return any(p.get("customer_level_prices") for p in self.products.values())

    def priced_region_groups(self) -> list:
        return sorted({g for p in self.products.values() for g in (p.get("region_prices") or {})})

    def hot(self, erp_id: str) -> bool:
        """Whether the product's stock is split into buckets (its record as read or cached)."""
        return bool((self.stocks.get(erp_id) or {}).get("buckets"))

    def check_ops(self, province_used: bool) -> list:
        """ConditionChecks on what the order was priced from (see the module docstring)."""
        ops = [equal_op(self.scope.product(e), self.products[e], PRICED_FIELDS) for e in self.products
               if not self.hot(e)]
        if self.buyer and self.uses_customer_prices():
            ops.append(equal_op(self.scope.buyer_link(self.buyer), self.link or {}, ("groups",)))
        if province_used and self._groups is not None:
            by_id = {g["region_group_id"]: g for g in self._groups}
            for group_id in self.priced_region_groups():   # on a copy: every placement checks them
                ops.append(replicas.check(self.scope.region_group(group_id), by_id.get(group_id), ("provinces",)))
        return ops

    def reservations(self, quantities: Dict[str, int], with_lots: bool) -> "stock_buckets.Reservations":
        """One reservation per product, in its record or in a bucket of a bucketed one; `with_lots`
        also requires the lots the order shows."""
        lots = {e: (self.stocks.get(e) or {}).get("lots") for e in quantities} if with_lots else {}
        return stock_buckets.Reservations(self.merchant_id, quantities, self.stocks, self.table, lots)

    def fits(self, quantities: Dict[str, int], province_used: bool, fixed_ops: int) -> bool:
        """Whether the order's transaction with its checks stays within DynamoDB's 100 operations."""
        return fixed_ops + len(quantities) + len(self.check_ops(province_used)) <= MAX_TRANSACTION


def auto_listing_on(merchant_id: str, table: Optional[Table] = None) -> bool:
    """The merchant's auto-listing switch, read at most every LISTING_SETTINGS_SECONDS per
    process (a placement's batch read refreshes it on the way): placing an order then costs no
    extra read, and a switch just turned on applies within seconds."""
    key = MerchantScope(merchant_id).settings("listing")
    hit, item = cache.get(key, LISTING_SETTINGS_SECONDS)
    if not hit:
        item = (table or Table()).get(*key)
        cache.put(key, item)
    return bool((item or {}).get("auto_list_when_stocked", False))
