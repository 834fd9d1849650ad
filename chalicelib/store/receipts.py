"""Upload row receipts: proof, written in the same transaction as a row's effect, that the row was
applied, so that a job resumed after a crash never applies a row twice (guarantee 8).

An upload applies its rows through the API's own service functions. Around each call it makes
the rows it is about to apply *pending* (`carrying`: {item key: row numbers}); the store then
adds a receipt to the writes that carry those items, without the services knowing:

- `groups.apply` (the batch services: products, prices, customers, listings) adds one receipt
  operation to each transaction, naming the rows of the groups in it (`Group.covers`, by
  default the group's key);
- a service that writes each item on its own (inventory, lots, order status, logistics, a
  buyer's customer code) runs the item's write inside `for_item(key)`; the first write of it
  that succeeds carries the item's rows (`Table` turns a lone put or update into a transaction
  of two for it).

A receipt is a conditional put (`attribute_not_exists`) of `UPLOAD#<job> / ROWS#<first row>`:
a receipt already there cancels the write (`AlreadyApplied`), so not even a second invocation
running the same rows could apply them again. Before a chunk is applied, the rows it already
has receipts for are read (`applied_rows`) and skipped.

A row's *effect* is the write that changes what the row names. Writes a service makes after it
(the listing rule once stock moved, a buyer link dropped when a customer's code moved) are
derived from the state they read, so making them again is harmless; so are groups that cover no
row (a product's image registration, a set addition), which `groups.apply` therefore sends
before the covered ones.
"""
import contextvars
from contextlib import contextmanager
from typing import Dict, Iterable, Iterator, List, Optional

from chalicelib.domain import clock
from chalicelib.store.keys import MerchantScope
from chalicelib.store import table as _table
from chalicelib.store.table import Table, pending_receipt, put_op

TTL_DAYS = 90
AlreadyApplied = _table.AlreadyApplied      # a write found its rows' receipt already there

_batch: contextvars.ContextVar[Optional["Receipts"]] = contextvars.ContextVar("upload_receipts", default=None)


class Receipts:
    """The rows of one upload job pending in this context, by the item key they are about."""

    def __init__(self, merchant_id: str, job_id: str, rows_by_key: Dict[object, List[int]]):
        self.scope, self.job_id = MerchantScope(merchant_id), job_id
        self.rows_by_key = rows_by_key
        self.landed: set = set()

    def rows(self, keys: Iterable[object]) -> List[int]:
        """The rows of these items still waiting for their receipt (a row gets one receipt: the
        writes a service makes after an item's effect, like the listing rule, carry none)."""
        return sorted({row for key in keys for row in self.rows_by_key.get(key, ())} - self.landed)

    def mark(self, rows: Iterable[int]) -> None:
        self.landed.update(rows)

    def op(self, rows: List[int]) -> dict:
        """The receipt for `rows` (not empty): put only if no receipt has their first row."""
        pk, sk = self.scope.upload_receipt(self.job_id, rows[0])
        return put_op({"pk": pk, "sk": sk, "rows": rows, "ttl": int(clock.now()) + TTL_DAYS * 86400},
                      condition="attribute_not_exists(pk)")


class Pending:
    """One item's receipt, waiting for the first write of that item to succeed (see Table)."""

    def __init__(self, receipts: Receipts, rows: List[int]):
        self.receipts, self.rows = receipts, rows

    @property
    def landed(self) -> bool:
        return self.receipts.landed.issuperset(self.rows)

    def op(self) -> dict:
        return self.receipts.op(self.rows)

    def land(self) -> None:
        self.receipts.mark(self.rows)


@contextmanager
def unit_receipt_set_aside() -> Iterator[None]:
    """For a write that carries its rows' receipt itself (groups.apply)."""
    token = pending_receipt.set(None)
    try:
        yield
    finally:
        pending_receipt.reset(token)


@contextmanager
def carrying(receipts: Receipts) -> Iterator[Receipts]:
    token = _batch.set(receipts)
    try:
        yield receipts
    finally:
        _batch.reset(token)


def current() -> Optional[Receipts]:
    return _batch.get()


@contextmanager
def for_item(key: object) -> Iterator[None]:
    """The writes inside are item `key`'s own: the first that succeeds carries its receipt."""
    receipts = _batch.get()
    rows = receipts.rows([key]) if receipts is not None else []
    if not rows:
        yield
        return
    token = pending_receipt.set(Pending(receipts, rows))
    try:
        yield
    finally:
        pending_receipt.reset(token)


def applied_rows(merchant_id: str, job_id: str, first_row: int, last_row: int,
                 table: Optional[Table] = None) -> set:
    """Rows in [first_row, last_row] that have a receipt (one query, a page at a time)."""
    pk, between = MerchantScope(merchant_id).upload_receipts(job_id, first_row, last_row)
    items = (table or Table()).query_all(pk, sk_between=between, consistent=True)
    return {row for item in items for row in item.get("rows") or ()}
