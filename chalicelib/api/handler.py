"""What a handler declares about itself (its body and query models, its success status and
response, the problem codes it answers, whether it is idempotent), and the context it is called with.

The OpenAPI document (api/openapi.py) is built from these declarations; it refuses a handler that
leaves `response` or `errors` out, so a new route cannot go undescribed.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Tuple, Type


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
class Media:
    """A success body that is not JSON: its content type, and whether it is bytes."""
    content_type: str
    binary: bool = False


HTML = Media("text/html")
XLSX = Media("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", binary=True)


@dataclass(frozen=True)
class Meta:
    """`response`: the pydantic model of the `status` body, or the Media (a tuple of them when the
    route serves several types), None only with 204. A model may be named "module:Name": it is
    imported only when asked for (the OpenAPI document), so a request never loads the response
    shapes of its route (handlers return plain dicts).
    `also`: other success statuses and their bodies. `errors`: the problem codes the handler and
    the services it calls may answer (api/problems.py CODES gives each code's status); the
    pipeline's and the authentication's codes are added by the document itself."""
    body: Optional[Type] = None
    query: Optional[Type] = None
    status: int = 200
    idempotent: bool = False
    declared_response: Any = None
    errors: Optional[Tuple[str, ...]] = None
    also: Mapping[int, Any] = field(default_factory=dict)
    defers_nonce: bool = False     # a signed request's nonce goes into the handler's transaction

    @property
    def response(self) -> Any:
        """The declared response, a model named "module:Name" imported now."""
        found = self.declared_response
        if isinstance(found, str):
            import importlib
            module, _, name = found.partition(":")
            found = getattr(importlib.import_module(module), name)
        return found


def handler(body: Optional[Type] = None, query: Optional[Type] = None, status: int = 200,
            idempotent: bool = False, response: Any = None, errors: Optional[Tuple[str, ...]] = None,
            also: Optional[Mapping[int, Any]] = None, defers_nonce: bool = False) -> Callable:
    """`defers_nonce`: the handler writes the caller's nonce (`ctx.caller.nonce`, a
    store.accounts.PendingNonce) inside its own transaction; the pipeline writes it alone after
    any answer for which that did not happen."""
    def mark(fn: Callable) -> Callable:
        fn.meta = Meta(body=body, query=query, status=status, idempotent=idempotent, declared_response=response,
                       errors=tuple(errors) if errors is not None else None, also=dict(also or {}),
                       defers_nonce=defers_nonce)
        return fn
    return mark
