"""The one error map: domain errors to RFC 9457 problem+json responses."""
import json
from typing import Optional

from chalice import Response

from chalicelib.domain import errors as e

STATUS = [
    (e.IdempotencyKeyRequired, 422),
    (e.ValidationFailed, 422),
    (e.IdempotencyKeyMismatch, 422),
    (e.UnprocessableRequest, 422),
    (e.NotFound, 404),
    (e.Unauthenticated, 401),
    (e.Forbidden, 403),
    (e.IdempotencyInProgress, 409),
    (e.Conflict, 409),
    (e.RateLimited, 429),
]

PROBLEM_TYPE = "urn:onceship:problem:"

# Every problem code an operation may answer, with its status and what it means. Handlers name the
# codes they answer (`errors=` in their @handler); the OpenAPI document lists them per status.
CODES = {
    # 401 and 403: who is calling (api/auth.py)
    "unauthenticated": (401, "No credentials, or a session token that is not valid or has expired"),
    "signature_invalid": (401, "A signed request's headers are missing or malformed, or the signature is wrong"),
    "signature_expired": (401, "X-Onceship-Timestamp is more than 300 s from the server's clock"),
    "nonce_reused": (401, "X-Onceship-Nonce was used before within 15 minutes"),
    "forbidden": (403, "A caller of the wrong kind or role"),
    "reprint_not_authorized": (403, "A reprint without a supervisor's valid authorization"),
    # 404
    "not_found": (404, "No such record of this caller (another merchant's records do not exist for it)"),
    # 409: the state of a record
    "idempotency_in_progress": (409, "A request with this Idempotency-Key is still running; retry later"),
    "conflict": (409, "The record changed concurrently; retry"),
    "already_exists": (409, "Already exists"),
    "insufficient_stock": (409, "Not enough stock; erp_product_ids names the products"),
    "order_not_paid": (409, "The order is not paid"),
    "order_cancelled": (409, "The order is cancelled"),
    "order_not_shipped": (409, "The order is not shipped yet"),
    "refund_pending": (409, "The order carries a refund hold"),
    "refund_already_requested": (409, "A refund request is already open"),
    "no_refund_pending": (409, "No refund request is waiting for a decision"),
    "already_shipped": (409, "The order has already shipped"),
    "already_reviewed": (409, "The order is past review"),
    "not_reviewed": (409, "The order is not reviewed yet"),
    "not_paid": (409, "Only paid orders are at the desk"),
    "cancelled": (409, "The order is cancelled"),
    "no_carrier": (409, "The order has no carrier"),
    "not_printed": (409, "The order's label is not printed"),
    "needs_inspection": (409, "The label was printed more than once; inspect the parcel"),
    "order_changed": (409, "The order changed meanwhile; try again"),
    "carrier_changed": (409, "The order's carrier changed meanwhile; try again"),
    "waybill_reserved": (409, "The order already has a waybill number of its carrier"),
    "waybill_range_overlap": (409, "The range overlaps one of the carrier's ranges; overlaps_with names it"),
    "waybill_ranges_changed": (409, "The carrier's ranges changed meanwhile; try again"),
    "sender_not_set": (409, "Printing needs the sender (PUT /v1/settings/sender); nothing was claimed or printed"),
    # 422: the request, or what it names
    "validation_error": (422, "The request is not valid; errors lists each field"),
    "idempotency_key_mismatch": (422, "This Idempotency-Key was used with a different request"),
    "idempotency_key_required": (422, "This endpoint requires an Idempotency-Key header"),
    "invalid_checkout_token": (422, "The checkout token was not issued to this channel for this merchant"),
    "invalid_credit_code": (422, "The credit code fails the GB 32100-2015 check digit"),
    "unknown_carrier": (422, "The carrier is not on the platform's list (GET /v1/carriers)"),
    "unknown_product": (422, "No such product; erp_product_ids names them"),
    "unknown_base_product": (422, "No such base product"),
    "unknown_lane": (422, "No such print lane"),
    "product_not_listed": (422, "A product is not for sale; erp_product_ids names them"),
    "too_many_lines": (422, "Too many products in one order"),
    "over_shipment": (422, "More shipped than ordered"),
    "inspection_mismatch": (422, "The scanned goods differ from the order's lines; missing and extra say how"),
    "url_not_allowed": (422, "The URL is not allowed (loopback, private, link-local or not http(s))"),
    # answered for any operation: by API Gateway (413, 429, 504) or on a failure of ours (500)
    "request_too_large": (413, "The request body is over the API's limit"),
    "rate_limited": (429, "Too many requests; retry after Retry-After seconds"),
    "too_many_attempts": (429, "10 failed password checks for this user within 15 minutes; retry after Retry-After seconds"),
    "internal_error": (500, "Something went wrong on our side; the request may be retried"),
    "timeout": (504, "The request took too long and may or may not have been done; retry it with the same Idempotency-Key"),
}


def status_of(error: e.DomainError) -> int:
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return 400


def problem(status: int, code: str, title: str, detail: Optional[str] = None, request_id: str = "",
            **extra) -> Response:
    body = {"type": PROBLEM_TYPE + code, "title": title, "status": status, "code": code,
            "detail": detail or title}
    body.update({k: v for k, v in extra.items() if v is not None and k != "retry_after"})
    headers = {"Content-Type": "application/problem+json", "X-Request-Id": request_id}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return Response(body=json.dumps(body, ensure_ascii=False, default=str), status_code=status,
                    headers=headers)


def from_error(error: e.DomainError, request_id: str) -> Response:
    return problem(status_of(error), error.code, error.title, error.detail, request_id, **error.extra)


def internal(request_id: str) -> Response:
    return problem(500, "internal_error", "Internal error",
                   "Something went wrong on our side; the request may be retried.", request_id)
