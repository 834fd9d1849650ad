"""Catalog endpoints (contract section 4): products, review, listing and its settings."""
from typing import Dict, List, Literal, Optional

from pydantic import Field, StrictBool

from chalicelib.api.batch import batch_of
from chalicelib.api.handler import handler
from chalicelib.api.models import BatchResult, Code, Paging, Strict, View, results_of
from chalicelib.models.catalog import ListingAction, ProductItem
from chalicelib.services import listing, paging, products
from chalicelib.services.batch import answer, parse_items

ProductBatch = batch_of(ProductItem, "ProductBatch")


class ProductQuery(Paging):
    listing: Optional[Literal["listed", "unlisted"]] = None
    match: Optional[Literal["matched", "pending_review"]] = None


class Review(Strict):
    base_product_id: Code


class ListingSettings(Strict):
    auto_list_when_stocked: StrictBool


class RegionPriceView(View):
    region_group_id: str
    price: str


class CustomerLevelPriceView(View):
    customer_group_id: str
    price: str


class ProductView(View):
    erp_product_id: str
    name: str
    barcode: Optional[str]
    approval_number: Optional[str]
    spec: Optional[str]
    manufacturer: Optional[str]
    main_image_url: Optional[str]
    main_image_sha256: Optional[str]
    attributes: Dict[str, str]
    match: Literal["matched", "pending_review"]
    base_product_id: Optional[str]
    match_source: Optional[str] = Field(description="How the match was found (explicit, barcode, ...); null while pending")
    listing: Literal["listed", "unlisted"]
    default_price: str
    suggested_retail_price: Optional[str]
    region_prices: List[RegionPriceView]
    customer_level_prices: List[CustomerLevelPriceView]
    created_at: str
    updated_at: str


class ProductPage(View):
    items: List[ProductView]
    next_cursor: Optional[str]


class ProductResult(BatchResult):
    match: Optional[Literal["matched", "pending_review"]] = Field(description="null when the item was not written and no product is stored")
    base_product_id: Optional[str]


class Reviewed(ProductView):
    status: Literal["ok", "skipped"] = Field(description='"skipped" with code "sync_off" when automatic product sync is off')
    code: Optional[str]


class ListingResult(BatchResult):
    listing: Optional[Literal["listed", "unlisted"]]
    duplicate_of: Optional[str] = Field(description="duplicate_listing: the listed product this one duplicates")


class ListingSettingsView(View):
    auto_list_when_stocked: bool


ProductResults = results_of(ProductResult, "ProductResults")
ListingResults = results_of(ListingResult, "ListingResults")


@handler(body=ProductBatch, response=ProductResults, errors=())
def upsert_products(ctx):
    parsed = parse_items(ProductItem, ctx.body.items, "erp_product_id")
    return answer(products.upsert(ctx.caller.merchant_id, ctx.caller.manual, parsed))


@handler(response=ProductView, errors=("not_found",))
def get_product(ctx):
    return products.get(ctx.caller.merchant_id, ctx.params["erp_product_id"])


@handler(query=ProductQuery, response=ProductPage, errors=())
def list_products(ctx):
    q = ctx.query
    query_id = f"products|{ctx.caller.merchant_id}|{q.listing}|{q.match}"
    items, last = products.page(ctx.caller.merchant_id, q.listing, q.match, q.limit,
                                paging.decode(q.cursor, query_id))
    return {"items": items, "next_cursor": paging.encode(last, query_id)}


@handler(body=Review, idempotent=True, response=Reviewed, errors=("not_found", "unknown_base_product"))
def review_product(ctx):
    return products.review(ctx.caller.merchant_id, ctx.caller.manual, ctx.params["erp_product_id"],
                           ctx.body.base_product_id)


@handler(body=ListingAction, idempotent=True, response=ListingResults, errors=())
def apply_listing(ctx):
    return answer(listing.apply(ctx.caller.merchant_id, ctx.caller.manual, ctx.body.action,
                                ctx.body.erp_product_ids))


@handler(body=ListingSettings, response=ListingSettingsView, errors=())
def put_listing_settings(ctx):
    return listing.put_settings(ctx.caller.merchant_id, ctx.body.auto_list_when_stocked)


@handler(response=ListingSettingsView, errors=())
def get_listing_settings(ctx):
    return listing.settings(ctx.caller.merchant_id)
