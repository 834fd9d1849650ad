"""Many small all-or-nothing writes in few requests.

A batch endpoint turns each of its items into a *group* of transaction operations that must
happen together (a product update and its guard item, say). Whole groups are packed into
`TransactWriteItems` calls of at most 100 operations. When a call is cancelled, the groups whose
condition failed are reported and left out, and the rest of the call is sent again, so one
item's failed condition never blocks the others. Conflicts with concurrent transactions are
retried with a short backoff.
"""
import random
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from chalicelib.store.table import Table, TransactionCanceled

MAX_OPS = 100
ATTEMPTS = 5


@dataclass
class Group:
    key: Any
    ops: list


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
    for chunk in pack(groups):
        failed.update(_apply_chunk(table, chunk))
    return failed


def _apply_chunk(table: Table, chunk: List[Group]) -> Dict[Any, Failed]:
    failed: Dict[Any, Failed] = {}
    pending = list(chunk)
    for attempt in range(ATTEMPTS + len(chunk)):
        if not pending:
            return failed
        owners = [(group, index) for group in pending for index in range(len(group.ops))]
        try:
            table.transact([op for group in pending for op in group.ops])
            return failed
        except TransactionCanceled as cancelled:
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
