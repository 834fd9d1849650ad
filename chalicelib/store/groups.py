"""Many small all-or-nothing writes in few requests.

A batch endpoint turns each of its items into a *group* of transaction operations that must
happen together (a product update and its guard item, say). Whole groups are packed into
`TransactWriteItems` calls of at most 100 operations. When a call is cancelled, the groups whose
condition failed are reported and left out, and the rest of the call is sent again, so one
item's failed condition never blocks the others. Conflicts with concurrent transactions are
retried with a short backoff.

While an upload carries row receipts (store/receipts.py), each transaction also writes the
receipt of the rows whose groups it holds, and the groups that cover no row go first.
"""
import random
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from chalicelib.store import receipts as row_receipts
from chalicelib.store.table import AlreadyApplied, Table, TransactionCanceled

MAX_OPS = 100
ATTEMPTS = 5


@dataclass
class Group:
    key: Any
    ops: list
    covers: Optional[Tuple] = None     # the items (keys) whose own effect this group is; None: (key,)

    def items(self) -> Tuple:
        return self.covers if self.covers is not None else (self.key,)


@dataclass(frozen=True)
class Failed:
    """Why a group was not applied: `reason` is the failed operation's cancellation code,
    `index` that operation's position in the group and `old` the item it found."""
    reason: str
    index: Optional[int] = None
    old: Optional[dict] = None


def pack(groups: List[Group], max_ops: int = MAX_OPS) -> List[List[Group]]:
    chunks: List[List[Group]] = []
    size = 0
    for group in groups:
        if not group.ops:
            continue
        if len(group.ops) > max_ops:
            raise ValueError(f"group {group.key!r} has {len(group.ops)} operations (max {max_ops})")
        if not chunks or size + len(group.ops) > max_ops:
            chunks.append([])
            size = 0
        chunks[-1].append(group)
        size += len(group.ops)
    return chunks


def apply(table: Table, groups: List[Group]) -> Dict[Any, Failed]:
    """Apply every group that can be applied; {key: Failed} for those that were not."""
    failed: Dict[Any, Failed] = {}
    receipts = row_receipts.current()
    max_ops = MAX_OPS
    if receipts is not None:
        groups = sorted(groups, key=lambda g: bool(receipts.rows(g.items())))    # stable: uncovered first
        max_ops -= 1
    for chunk in pack(groups, max_ops):
        failed.update(_apply_chunk(table, chunk, receipts))
    return failed


def _apply_chunk(table: Table, chunk: List[Group],
                 receipts: Optional[row_receipts.Receipts] = None) -> Dict[Any, Failed]:
    failed: Dict[Any, Failed] = {}
    pending = list(chunk)
    for attempt in range(ATTEMPTS + len(chunk)):
        if not pending:
            return failed
        owners = [(group, index) for group in pending for index in range(len(group.ops))]
        ops = [op for group in pending for op in group.ops]
        rows = receipts.rows([item for group in pending for item in group.items()]) if receipts else []
        if rows:
            ops.append(receipts.op(rows))
        try:
            if rows:
                with row_receipts.unit_receipt_set_aside():
                    table.transact(ops)
                receipts.mark(rows)
            else:
                table.transact(ops)
            return failed
        except TransactionCanceled as cancelled:
            if rows and cancelled.reasons[len(owners):] == ["ConditionalCheckFailed"]:
                raise AlreadyApplied(f"rows {rows} were applied before")
            blamed = _blame(cancelled, owners)
            if blamed:
                failed.update(blamed)
                pending = [g for g in pending if g.key not in blamed]
            elif "TransactionConflict" in cancelled.reasons or "ThrottlingError" in cancelled.reasons:
                time.sleep(min(0.05 * 2 ** attempt, 1.0) * random.uniform(0.5, 1.5))
            else:
                raise
    for group in pending:
        failed[group.key] = Failed("TransactionConflict")
    return failed


def _blame(cancelled: TransactionCanceled, owners: list) -> Dict[Any, Failed]:
    blamed: Dict[Any, Failed] = {}
    for position in cancelled.failed_indexes():
        if position < len(owners):
            group, index = owners[position]
            old = cancelled.olds[position] if position < len(cancelled.olds) else None
            blamed.setdefault(group.key, Failed("ConditionalCheckFailed", index, old))
    return blamed
