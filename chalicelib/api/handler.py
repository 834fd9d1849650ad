"""What a handler declares about itself (its body and query models, its success status,
whether it is idempotent), and the context it is called with."""
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Type


@dataclass
class Caller:
    kind: str                      # admin | merchant | channel | operator (any console user)
    merchant_id: Optional[str] = None
    channel_id: Optional[str] = None
    merchant_ids: tuple = ()
    username: Optional[str] = None
    role: Optional[str] = None     # a console user's: operator | supervisor | manager
    manual: bool = False           # console and X-Onceship-Source: manual
    session_key: Optional[str] = None  # a console user's session, as stored (for logout)
    nonce: Any = None              # store.accounts.PendingNonce when the handler defers_nonce

    @property
    def scope(self) -> str:
        """Whose idempotency keys these are."""
        if self.kind == "merchant":
            return f"m:{self.merchant_id}"
        if self.kind == "channel":
            return f"c:{self.channel_id}"
        if self.kind == "operator":
            return f"o:{self.merchant_id}:{self.username}"
        return self.kind


@dataclass
class Context:
    caller: Optional[Caller]
    params: dict
    query: Any
    body: Any
    headers: Any
    request_id: str
    raw_body: bytes = b""


@dataclass
class Reply:
    body: Any
    status: int = 200
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Meta:
    body: Optional[Type] = None
    query: Optional[Type] = None
    status: int = 200
    idempotent: bool = False
    response: Optional[Type] = None
    defers_nonce: bool = False     # a signed request's nonce goes into the handler's transaction


def handler(body: Optional[Type] = None, query: Optional[Type] = None, status: int = 200,
            idempotent: bool = False, response: Optional[Type] = None,
            defers_nonce: bool = False) -> Callable:
    """`defers_nonce`: the handler writes the caller's nonce (`ctx.caller.nonce`, a
    store.accounts.PendingNonce) inside its own transaction; the pipeline writes it alone after
    any answer for which that did not happen."""
    def mark(fn: Callable) -> Callable:
        fn.meta = Meta(body, query, status, idempotent, response, defers_nonce)
        return fn
    return mark
