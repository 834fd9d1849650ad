"""Domain errors. Each carries a stable `code`; api/problems.py maps them to HTTP statuses."""
from typing import Optional


class DomainError(Exception):
    code = "error"
    title = "Request failed"

    def __init__(self, detail: Optional[str] = None, **extra):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class ValidationFailed(DomainError):
    code = "validation_error"
    title = "The request is not valid"

    def __init__(self, detail: Optional[str] = None, errors: Optional[list] = None, code: Optional[str] = None):
        super().__init__(detail, errors=errors or [])
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"
    title = "Not found"


class Unauthenticated(DomainError):
    code = "unauthenticated"
    title = "Authentication required"


class SignatureInvalid(Unauthenticated):
    code = "signature_invalid"
    title = "The request signature is not valid"


class SignatureExpired(Unauthenticated):
    code = "signature_expired"
    title = "The request timestamp is outside the allowed window"


class NonceReused(Unauthenticated):
    code = "nonce_reused"
    title = "The nonce was already used"


class InvalidSession(Unauthenticated):
    code = "unauthenticated"
    title = "The session token is not valid or has expired"


class Forbidden(DomainError):
    code = "forbidden"
    title = "Not allowed for this caller"


class Conflict(DomainError):
    code = "conflict"
    title = "Conflict with the current state"

    def __init__(self, detail: Optional[str] = None, code: Optional[str] = None, **extra):
        super().__init__(detail, **extra)
        if code:
            self.code = code


class AlreadyExists(Conflict):
    code = "already_exists"
    title = "Already exists"


class IdempotencyKeyMismatch(DomainError):
    code = "idempotency_key_mismatch"
    title = "This Idempotency-Key was used with a different request"


class IdempotencyInProgress(DomainError):
    code = "idempotency_in_progress"
    title = "A request with this Idempotency-Key is still running"


class IdempotencyKeyRequired(ValidationFailed):
    code = "idempotency_key_required"
    title = "This endpoint requires an Idempotency-Key header"


class UnprocessableRequest(DomainError):
    """A well-formed request the domain refuses (unknown carrier, over shipment, bad URL...)."""
    code = "unprocessable"
    title = "The request cannot be processed"

    def __init__(self, code: str, detail: Optional[str] = None, **extra):
        super().__init__(detail, **extra)
        self.code = code


class RateLimited(DomainError):
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, retry_after: int = 1, detail: Optional[str] = None):
        super().__init__(detail, retry_after=retry_after)


class TooManyAttempts(RateLimited):
    """Ten failed password checks of one console user within 15 minutes (contract section 2)."""
    code = "too_many_attempts"
    title = "Too many failed password checks for this user; try again later"


# inventory (issue 4) --------------------------------------------------------------------------
class InsufficientStock(Conflict):
    """Not enough stock: `erp_product_ids` names the products that lacked it."""
    code = "insufficient_stock"
    title = "Not enough stock"


class CompareFailed(Conflict):
    code = "compare_failed"
    title = "The stored value is not the one compared against"


class ChangedMeanwhile(Conflict):
    """A write based on what was read found the record changed since (optimistic check)."""
    code = "conflict"
    title = "The record changed concurrently"
