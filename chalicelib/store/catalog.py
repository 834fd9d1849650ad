"""A merchant's products: the PRODUCT item (fields, match, listing, prices), the listed-image
guard items of the duplicate-listing rule, and the listing settings.

Reads are batch reads; writes are operation builders (`*_op`) that services pack into few
transactions with `store.groups.apply`.
"""
from typing import Iterable, Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.listing import LISTED, UNLISTED
from chalicelib.domain.matching import MATCHED, PENDING
from chalicelib.store import expressions
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table, TransactionCanceled, serialize, update_op

PRODUCT_FIELDS = ("name", "barcode", "approval_number", "spec", "manufacturer", "default_price",
                  "main_image_url", "main_image_sha256", "attributes")


class CatalogStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.merchant_id = merchant_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    # reads ---------------------------------------------------------------------------------
    def product(self, erp_product_id: str) -> Optional[dict]:
        return self.table.get(*self.scope.product(erp_product_id))

    def products(self, erp_product_ids: Iterable[str], extra_keys: Iterable[tuple] = (),
                 with_stock: bool = False) -> tuple:
        """({erp_id: product}, {erp_id: stock} when `with_stock`, {(pk, sk): item} for
        `extra_keys`), one batch read per 100 keys."""
        ids = list(dict.fromkeys(erp_product_ids))
        return self._read(ids, with_stock=with_stock, extra_keys=extra_keys)

    def products_and_stock(self, erp_product_ids: Iterable[str]) -> tuple:
        """Products and their stock's real figures (a bucketed product's buckets included)."""
        from chalicelib.store.stock import StockStore
        ids = list(dict.fromkeys(erp_product_ids))
        products, stocks, _ = self._read(ids, with_stock=True)
        if any(s.get("buckets") for s in stocks.values()):
            real = StockStore(self.merchant_id, self.table).with_buckets(list(stocks.values()))
            stocks = dict(zip(stocks, real))
        return products, stocks

    def _read(self, ids: list, with_stock: bool, extra_keys: Iterable[tuple] = ()) -> tuple:
        wanted = [self.scope.product(i) for i in ids]
        if with_stock:
            wanted += [self.scope.stock(i) for i in ids]
        extra = list(extra_keys)
        found = self.table.batch_get(wanted + extra)
        products, stocks, others = {}, {}, {}
        extra_set = set(extra)
        for item in found:
            if (item["pk"], item["sk"]) in extra_set:
                others[(item["pk"], item["sk"])] = item
            elif item["sk"] == "PRODUCT":
                products[item["erp_product_id"]] = item
            elif item["sk"] == "STOCK":
                stocks[self.scope.stock_id_of(item["pk"])] = item
        return products, stocks, others

    def listed_images(self, shas: Iterable[str]) -> dict:
        """{sha: guard item} for the listed-image guards that exist."""
        found = self.table.batch_get([self.scope.listed_image(s) for s in dict.fromkeys(shas)])
        return {item["main_image_sha256"]: item for item in found}

    def page(self, listing: Optional[str], match: Optional[str], limit: int,
             start: Optional[dict]) -> tuple:
        """Up to `limit` products in erp_product_id order, filtered; (items, last key or None)."""
        filters, values, names = [], {}, {}
        if listing:
            filters.append("#listing = :listing")
            values[":listing"], names["#listing"] = listing, "listing"
        if match:
            filters.append("#match = :match")
            values[":match"], names["#match"] = match, "match"
        items: list = []
        while True:
            page, start = self.table.query(
                self.scope.products_index(), index="gsi1", limit=limit, start=start,
                filter_expression=" AND ".join(filters) or None, filter_values=values or None,
                filter_names=names or None)
            items.extend(page)
            if len(items) >= limit or not start:
                break
        if len(items) > limit or (len(items) == limit and start):
            items = items[:limit]
            last = items[-1]
            return items, serialize({k: last[k] for k in ("pk", "sk", "gsi1pk", "gsi1sk")})
        return items, None

    # product writes ------------------------------------------------------------------------
    def upsert_op(self, erp_product_id: str, fields: dict, match, requested_base: Optional[str],
                  price_allowed: bool = True) -> dict:
        """Set the ERP's fields and the match; a new product starts unlisted and a product that
        is no longer matched is unlisted. Listing state and price lists are left alone, and so is
        a stored `default_price` when `price_allowed` is false (the prices switch is off)."""
        pk, sk = self.scope.product(erp_product_id)
        now = clock.now_iso()
        sets = {f: fields.get(f) for f in PRODUCT_FIELDS if f != "default_price" or price_allowed}
        sets.update({"erp_product_id": erp_product_id, "requested_base_product_id": requested_base,
                     "match": match.state, "base_product_id": match.base_product_id,
                     "match_source": match.source, "match_detail": match.detail, "updated_at": now,
                     "gsi1pk": self.scope.products_index(),
                     "gsi1sk": self.scope.products_index_sk(erp_product_id)})
        raw = ["#listing = :unlisted" if match.state == PENDING else "#listing = if_not_exists(#listing, :unlisted)",
               "created_at = if_not_exists(created_at, :now)"]
        values = {":unlisted": UNLISTED, ":now": now}
        if not price_allowed:
            raw.append("default_price = if_not_exists(default_price, :price)")
            values[":price"] = fields["default_price"]
        expression, values, names = expressions.update(sets, raw_sets=raw, values=values,
                                                       names={"#listing": "listing"})
        return update_op(pk, sk, expression, values=values, names=names)

    def review_op(self, erp_product_id: str, base_product_id: str) -> dict:
        pk, sk = self.scope.product(erp_product_id)
        expression, values, names = expressions.update(
            {"match": MATCHED, "base_product_id": base_product_id, "match_source": "review",
             "match_detail": None, "updated_at": clock.now_iso()})
        return update_op(pk, sk, expression, condition="attribute_exists(pk)", values=values, names=names)

    def review(self, erp_product_id: str, base_product_id: str) -> None:
        """A person's match; NotFound (nothing written) for a product the merchant does not have."""
        try:
            self.table.transact([self.review_op(erp_product_id, base_product_id)])
        except TransactionCanceled as cancelled:
            if cancelled.reasons[:1] == ["ConditionalCheckFailed"]:
                raise NotFound(f"no product {erp_product_id!r}")
            raise

    def list_op(self, erp_product_id: str) -> dict:
        pk, sk = self.scope.product(erp_product_id)
        now = clock.now_iso()
        return update_op(pk, sk, "SET #listing = :listed, listed_at = :now, updated_at = :now",
                         condition="attribute_exists(pk) AND #match = :matched",
                         values={":listed": LISTED, ":now": now, ":matched": MATCHED},
                         names={"#listing": "listing", "#match": "match"})

    def delist_op(self, erp_product_id: str) -> dict:
        pk, sk = self.scope.product(erp_product_id)
        return update_op(pk, sk, "SET #listing = :unlisted, updated_at = :now", condition="attribute_exists(pk)",
                         values={":unlisted": UNLISTED, ":now": clock.now_iso()}, names={"#listing": "listing"})

    def prices_op(self, erp_product_id: str, changes: dict) -> dict:
        """Replace the given prices (`default_price`, `suggested_retail_price`, `region_prices`,
        `customer_level_prices`); the product must exist."""
        pk, sk = self.scope.product(erp_product_id)
        expression, values, names = expressions.update(dict(changes, updated_at=clock.now_iso()))
        return update_op(pk, sk, expression, condition="attribute_exists(pk)", values=values, names=names)

    # listed-image guards -------------------------------------------------------------------
    def image_claim_op(self, sha: str, erp_product_ids: Iterable[str], version: Optional[int]) -> dict:
        """Add products to an image's listed set, if no one changed the set since it was read
        at `version` (None: it did not exist)."""
        pk, sk = self.scope.listed_image(sha)
        condition = "attribute_not_exists(pk)" if version is None else "version = :v"
        values = {":ids": set(erp_product_ids), ":one": 1, ":sha": sha}
        if version is not None:
            values[":v"] = version
        return update_op(pk, sk, "SET main_image_sha256 = :sha ADD erp_ids :ids, version :one",
                         condition=condition, values=values)

    def image_add_op(self, sha: str, erp_product_ids: Iterable[str]) -> dict:
        """Unconditional add (a listed product whose image changed on upsert)."""
        pk, sk = self.scope.listed_image(sha)
        return update_op(pk, sk, "SET main_image_sha256 = :sha ADD erp_ids :ids, version :one",
                         values={":ids": set(erp_product_ids), ":one": 1, ":sha": sha})

    def image_release_op(self, sha: str, erp_product_ids: Iterable[str]) -> dict:
        pk, sk = self.scope.listed_image(sha)
        return update_op(pk, sk, "SET main_image_sha256 = :sha DELETE erp_ids :ids ADD version :one",
                         values={":ids": set(erp_product_ids), ":one": 1, ":sha": sha})

    # settings ------------------------------------------------------------------------------
    def listing_settings(self) -> dict:
        found = self.table.get(*self.scope.settings("listing")) or {}
        return {"auto_list_when_stocked": bool(found.get("auto_list_when_stocked", False))}

    def put_listing_settings(self, auto_list_when_stocked: bool) -> dict:
        pk, sk = self.scope.settings("listing")
        self.table.put({"pk": pk, "sk": sk, "auto_list_when_stocked": auto_list_when_stocked,
                        "updated_at": clock.now_iso()})
        return {"auto_list_when_stocked": auto_list_when_stocked}
