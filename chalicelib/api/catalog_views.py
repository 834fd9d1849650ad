"""Catalog reads for the console (an extension to contract section 4, in the OpenAPI document)."""
from chalicelib.api.handler import handler
from chalicelib.services import candidates as found


@handler()
def candidates(ctx):
    return found.candidates(ctx.caller.merchant_id, ctx.params["erp_product_id"])
