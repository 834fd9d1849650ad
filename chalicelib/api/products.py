"""Catalog endpoints (contract section 4): products, review, listing and its settings."""
from typing import Annotated, Dict, List, Literal, Optional

from pydantic import Field, StrictBool

from chalicelib.api import paging
from chalicelib.api.batch import answer, batch_of, parse_items
from chalicelib.api.handler import handler
from chalicelib.api.models import Code, CodeEntry, Money, NonEmpty, Paging, Strict
from chalicelib.services import listing, products

AttributeName = Annotated[str, Field(min_length=1, max_length=64)]
AttributeValue = Annotated[str, Field(max_length=200)]


class ProductItem(Strict):
    erp_product_id: Code
    name: NonEmpty
    barcode: Optional[str] = Field(None, max_length=64)
    approval_number: Optional[str] = Field(None, max_length=64)
    spec: Optional[str] = Field(None, max_length=200)
    manufacturer: Optional[str] = Field(None, max_length=200)
    base_product_id: Optional[Code] = None
    default_price: Money
    main_image_url: Optional[str] = Field(None, max_length=2000, pattern=r"^https?://\S+$")
    main_image_sha256: Optional[str] = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    attributes: Optional[Dict[AttributeName, AttributeValue]] = Field(None, max_length=50)


ProductBatch = batch_of(ProductItem, "ProductBatch")


class ProductQuery(Paging):
    listing: Optional[Literal["listed", "unlisted"]] = None
    match: Optional[Literal["matched", "pending_review"]] = None


class Review(Strict):
    base_product_id: Code


class ListingAction(Strict):
    action: Literal["list", "delist"]
    erp_product_ids: List[CodeEntry] = Field(
        min_length=1, max_length=100, description="Each is a code; one that is not is that id's error result")


class ListingSettings(Strict):
    auto_list_when_stocked: StrictBool


@handler(body=ProductBatch)
def upsert_products(ctx):
    parsed = parse_items(ProductItem, ctx.body.items, "erp_product_id")
    return answer(products.upsert(ctx.caller.merchant_id, ctx.caller.manual, parsed))


@handler()
def get_product(ctx):
    return products.get(ctx.caller.merchant_id, ctx.params["erp_product_id"])


@handler(query=ProductQuery)
def list_products(ctx):
    q = ctx.query
    query_id = f"products|{ctx.caller.merchant_id}|{q.listing}|{q.match}"
    items, last = products.page(ctx.caller.merchant_id, q.listing, q.match, q.limit,
                                paging.decode(q.cursor, query_id))
    return {"items": items, "next_cursor": paging.encode(last, query_id)}


@handler(body=Review, idempotent=True)
def review_product(ctx):
    return products.review(ctx.caller.merchant_id, ctx.caller.manual, ctx.params["erp_product_id"],
                           ctx.body.base_product_id)


@handler(body=ListingAction, idempotent=True)
def apply_listing(ctx):
    return answer(listing.apply(ctx.caller.merchant_id, ctx.caller.manual, ctx.body.action,
                                ctx.body.erp_product_ids))


@handler(body=ListingSettings)
def put_listing_settings(ctx):
    return listing.put_settings(ctx.caller.merchant_id, ctx.body.auto_list_when_stocked)


@handler()
def get_listing_settings(ctx):
    return listing.settings(ctx.caller.merchant_id)
