"""Requests per caller and minute (contract section 1): past the limit, RateLimited with the
seconds until the window ends (answered 429 with Retry-After)."""
from chalicelib.store.rate import RateStore


def take(caller_scope: str, limit: int) -> None:
    """Count one request of `caller_scope` in this minute's window."""
    RateStore().take(caller_scope, limit)
