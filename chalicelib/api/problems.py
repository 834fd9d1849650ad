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
