"""Rows of a sheet applied through the API's own models and service functions, as manual changes.

A row becomes the API item it stands for (domain/sheet_layout.py), is validated by the same
pydantic model as that item in the API, and is applied by the same service function as the
batch endpoint, with `manual=True` (a spreadsheet is a person's change; sync switches never
block it). Rows are applied in batches of up to 100 in file order; a batch is cut where a key
repeats, so a later row about the same product applies after an earlier one, as in the file.
A preview validates the same way and applies nothing.

Every call carries the receipts of the rows it applies (store/receipts.py): each row's effect and
the note that it was applied are one transaction, so rows that already have a receipt (a chunk
done again after a crash) are reported as applied before and not applied again.

Each kind is a `Target` (services/sheet_targets.py): how rows group into items, the model, and
the call.
"""
import logging
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Tuple

from pydantic import ValidationError

from chalicelib.domain.errors import DomainError
from chalicelib.domain.sheet_layout import Layout, RowInvalid, item, key_of
from chalicelib.models.base import field_errors
from chalicelib.store import receipts

OK, SKIPPED, ERROR = "ok", "skipped", "error"
BATCH = 99          # items per service call: with the receipt, one transaction for one-write items
PREVIEWED = (OK, "valid (preview: not applied)")
APPLIED_BEFORE = "applied before the job was interrupted; not applied again"
Outcome = Tuple[str, str]
Row = Tuple[int, List[str]]
SUMMARY_FIELDS = ("match", "base_product_id", "listing", "platform_customer_id", "duplicate_of",
                  "on_hand", "available", "order_status")


@dataclass(slots=True)
class Unit:
    """One API item, made of one row (or, for lots, the consecutive rows of one product)."""
    indexes: List[int]
    key: str
    raw: dict
    parsed: Any = None
    batch_tag: Optional[str] = None


@dataclass(frozen=True)
class Target:
    model: Callable[[dict], Any]                 # raw item → validated item (raises ValidationError)
    call: Callable[[str, list], list]            # (merchant_id, [(key, item, None)]) → results
    group: Optional[Callable[[List[Tuple[int, dict]]], List[Unit]]] = None
    tag: Optional[Callable[[Any], str]] = None   # batches hold one tag only (listing action)


# tests set this to interrupt a chunk after a batch was applied: fn(first_row, rows)
crash_after_batch = None


class Applier:
    def __init__(self, target: Target, layout: Layout, merchant_id: str, job_id: str, preview: bool,
                 defaults: Optional[dict] = None, refused: Sequence[str] = (), isolate: bool = False):
        """`isolate`: this chunk already failed several times on an unexpected error; apply its
        items one by one and report an item that still fails, rather than fail the file forever."""
        self.target, self.layout, self.merchant_id, self.job_id = target, layout, merchant_id, job_id
        self.preview, self.defaults, self.refused = preview, defaults or {}, set(refused)
        self.isolate = isolate

    def group_key(self, row: Row) -> Optional[str]:
        """Rows with the same group key must stay in one chunk (lots of one product)."""
        return key_of(self.layout, row[1]) if self.target.group else None

    def apply(self, rows: Sequence[Row], first_row: int, applied: frozenset = frozenset()) -> List[Outcome]:
        """Outcomes of `rows`, the file's data rows from `first_row` on (0-based); the rows in
        `applied` have receipts and are not applied again."""
        if self.preview and not self.target.group:
            return self._preview(rows)
        outcomes: List[Optional[Outcome]] = [None] * len(rows)
        entries = []
        layout, defaults, refused = self.layout, self.defaults, self.refused
        for index, (_, cells) in enumerate(rows):
            raw, failed = _read(layout, cells, defaults, refused)
            if failed:
                outcomes[index] = failed
                continue
            entries.append((index, raw))
        key = layout.kind.key
        units = self.target.group(entries) if self.target.group else [
            Unit([i], str(raw.get(key, "")), raw) for i, raw in entries]
        good = []
        model, tag = self.target.model, self.target.tag
        for unit in units:
            unit.parsed, failed = _parse(model, unit.raw)
            if failed:
                self._set(outcomes, unit, failed)
                continue
            if tag:
                unit.batch_tag = tag(unit.parsed)
            if applied and any(first_row + index in applied for index in unit.indexes):
                self._set(outcomes, unit, (OK, APPLIED_BEFORE))
                continue
            good.append(unit)
        if self.preview:        # nothing is applied, so no batch is made (each would answer this)
            for unit in good:
                self._set(outcomes, unit, PREVIEWED)
            return [o or (ERROR, "internal: no outcome") for o in outcomes]
        for batch in _batches(good):
            rows_by_key = {unit.key: [first_row + i for i in unit.indexes] for unit in batch}
            with receipts.carrying(receipts.Receipts(self.merchant_id, self.job_id, rows_by_key)):
                results = self._run(batch)
            for unit, outcome in zip(batch, results):
                self._set(outcomes, unit, outcome)
            if crash_after_batch is not None:
                crash_after_batch(first_row + batch[0].indexes[0], sum(len(u.indexes) for u in batch))
        return [o or (ERROR, "internal: no outcome") for o in outcomes]

    def _preview(self, rows: Sequence[Row]) -> List[Outcome]:
        """`apply` for a preview of rows that are one item each, in one loop: each row read, then
        validated by the model; the same outcomes as the batches of `apply`, none of them made."""
        outcomes: List[Outcome] = []
        add = outcomes.append
        layout, defaults, refused, model = self.layout, self.defaults, self.refused, self.target.model
        for _, cells in rows:
            raw, failed = _read(layout, cells, defaults, refused)
            if failed is None:
                failed = _parse(model, raw)[1]
            add(failed or PREVIEWED)
        return outcomes

    def _run(self, batch: List[Unit]) -> List[Outcome]:
        try:
            results = self.target.call(self.merchant_id, [(u.key, u.parsed, None) for u in batch])
        except DomainError as err:
            return [(ERROR, f"{err.code}: {detail_of(err)}")] * len(batch)
        except receipts.AlreadyApplied:
            raise               # another invocation ran these rows: this chunk starts over
        except Exception:
            if not self.isolate:
                raise
            return [self._alone(unit) for unit in batch]
        return [outcome(r) for r in results]

    def _alone(self, unit: Unit) -> Outcome:
        try:
            (result,) = self.target.call(self.merchant_id, [(unit.key, unit.parsed, None)])
            return outcome(result)
        except DomainError as err:
            return ERROR, f"{err.code}: {detail_of(err)}"
        except receipts.AlreadyApplied:
            raise
        except Exception as err:  # noqa: BLE001 - reported on the row, the rest of the file goes on
            logging.getLogger(__name__).exception("row failed unexpectedly")
            return ERROR, f"internal_error: {type(err).__name__}; this row was not applied"

    @staticmethod
    def _set(outcomes: list, unit: Unit, value: Outcome) -> None:
        for index in unit.indexes:
            outcomes[index] = value


NOT_TOGETHER = (ERROR, "rows_not_together: the rows of this key are not next to each other in the file; "
                       "put them together (nothing of it applied)")


def _read(layout, cells: List[str], defaults: dict, refused) -> Tuple[Optional[dict], Optional[Outcome]]:
    """(the row's item, None), or (None, the row's error): unreadable cells, or a key whose rows are
    scattered (`refused`)."""
    try:
        raw = item(layout, cells, defaults)
    except RowInvalid as err:
        return None, (ERROR, f"validation_error: {err.detail}")
    except Exception as err:  # noqa: BLE001 - a row that cannot be read is that row's error
        return None, (ERROR, _unreadable(err))
    if refused and key_of(layout, cells) in refused:
        return None, NOT_TOGETHER
    return raw, None


def _parse(model, raw: dict) -> tuple:
    """(the API model of an item, None), or (None, the item's error)."""
    try:
        return model(raw), None
    except ValidationError as err:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in field_errors(err))
        return None, (ERROR, f"validation_error: {detail}")
    except Exception as err:  # noqa: BLE001 - never the chunk's failure: it would come back forever
        return None, (ERROR, _unreadable(err))


def _unreadable(err: Exception) -> str:
    logging.getLogger(__name__).warning("a sheet row could not be converted", exc_info=err)
    return f"validation_error: the row cannot be read as an item ({type(err).__name__})"


def detail_of(err: DomainError) -> str:
    """The error's detail with its per-field errors, as a report line shows them."""
    fields = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in err.extra.get("errors") or [])
    return f"{err.detail}: {fields}" if fields else err.detail


def _batches(units: List[Unit]) -> List[List[Unit]]:
    batches, current, keys = [], [], set()
    for unit in units:
        if current and (len(current) == BATCH or unit.key in keys or unit.batch_tag != current[0].batch_tag):
            batches.append(current)
            current, keys = [], set()
        current.append(unit)
        keys.add(unit.key)
    if current:
        batches.append(current)
    return batches


def outcome(result: dict) -> Outcome:
    status = result.get("status")
    if status == OK:
        extra = [f"{name}: {result[name]}" for name in SUMMARY_FIELDS if result.get(name) is not None]
        return OK, "; ".join(extra)
    code, detail = result.get("code") or status, result.get("detail") or ""
    return (SKIPPED if status == SKIPPED else ERROR), f"{code}: {detail}" if detail else str(code)


def consecutive(key_field: str, into: Callable[[str, List[dict]], dict]) -> Callable:
    """A grouping: consecutive rows with the same key become one item made by `into`."""
    def group(entries: List[Tuple[int, dict]]) -> List[Unit]:
        units: List[Unit] = []
        for index, raw in entries:
            key = str(raw.get(key_field, ""))
            if units and units[-1].key == key:
                units[-1].indexes.append(index)
                units[-1].raw["rows"].append(raw)
            else:
                units.append(Unit([index], key, {"rows": [raw]}))
        for unit in units:
            unit.raw = into(unit.key, unit.raw["rows"])
        return units
    return group
