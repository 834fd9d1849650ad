"""The one DynamoDB table: plain-dict items in, plain-dict items out, failed conditions as exceptions.

Named store methods build on these primitives and turn `ConditionFailed` / `TransactionCanceled`
into domain errors; nothing above the store package sees a botocore `ClientError`.

Lost answers. Any answer may be lost after its write committed; the SDK then sends the same
request again. A transaction carries a ClientRequestToken (botocore fills it in once per call and
reuses it on every retry), so DynamoDB answers a retried one with its first success. A single
PutItem or UpdateItem has no such token, so each carries a write id of its own: the write stamps
it on the item, keeping the three before it (`_wid0` newest ... `_wid3`), and is conditional on
the item not carrying it yet. A retry of a write that already landed therefore fails that
condition (it is never applied twice, even an increment whose own condition still holds), and
the failure's ALL_OLD item shows the write id: the write succeeded, and the caller is told so
instead of a failed condition. It holds as long as fewer than four other single writes reach the
same item between the lost answer and the retry (a second or so). Reads never show the write ids.
A conditional delete is a one-operation transaction, for its token. Batch writes are plain puts,
safe to repeat.
"""
import contextvars
import re
import secrets
from typing import Iterable, Optional

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.store.wire import from_wire, to_wire


class ConditionFailed(Exception):
    """A conditional write found the item in another state; `old` is that item (or None)."""

    def __init__(self, old: Optional[dict]):
        super().__init__("condition failed")
        self.old = old


class AlreadyApplied(Exception):
    """An upload row's receipt is already there: the rows it names were applied before."""


# An upload row's receipt waiting for the first successful write of its item (store/receipts.py).
pending_receipt: contextvars.ContextVar = contextvars.ContextVar("pending_receipt", default=None)


class TransactionCanceled(Exception):
    """A transaction was cancelled; `reasons[i]` is the code for operation i ('None' when fine)."""

    def __init__(self, reasons: list, olds: list):
        super().__init__(f"transaction cancelled: {reasons}")
        self.reasons = reasons
        self.olds = olds

    def failed_indexes(self) -> list:
        return [i for i, r in enumerate(self.reasons) if r == "ConditionalCheckFailed"]


WRITE_IDS = ("_wid0", "_wid1", "_wid2", "_wid3")   # the latest single writes' ids, newest first
_WID_NAMES = {f"#onceship_w{i}": name for i, name in enumerate(WRITE_IDS)}
_WID_GUARD = "NOT (" + " OR ".join(f"{n} = :onceship_wid" for n in _WID_NAMES) + ")"
_WID_SHIFT = ", ".join([f"#onceship_w{i} = if_not_exists(#onceship_w{i - 1}, :onceship_nil)"
                        for i in range(len(WRITE_IDS) - 1, 0, -1)] + ["#onceship_w0 = :onceship_wid"])
_SET_CLAUSE = re.compile(r"(^|\s)SET\s", re.IGNORECASE)


def serialize(item: dict) -> dict:
    return {k: to_wire(v) for k, v in item.items() if v is not None}


def deserialize(raw: Optional[dict]) -> Optional[dict]:
    if raw is None:
        return None
    return {k: from_wire(v) for k, v in raw.items() if k not in WRITE_IDS}


def new_write_id() -> str:
    return secrets.token_hex(8)


def _guarded(condition: Optional[str], values: Optional[dict], names: Optional[dict],
             write_id: str) -> tuple:
    """(condition, values, names) with "this write id is not on the item yet" added."""
    condition = f"{_grouped(condition)} AND {_WID_GUARD}" if condition else _WID_GUARD
    values = dict(values or {}, **{":onceship_wid": write_id})
    return condition, values, dict(names or {}, **_WID_NAMES)


def _grouped(condition: str) -> str:
    """`condition` in parentheses, unless one pair already encloses all of it (DynamoDB refuses
    redundant ones)."""
    text = condition.strip()
    if text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, char in enumerate(text):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and i < len(text) - 1:
                break
        else:
            return text
    return f"({text})"


def _stamped(expression: str) -> str:
    """The update expression with the write id shifted in (into its SET clause, or a new one)."""
    found = _SET_CLAUSE.search(expression)
    if found is None:
        return f"SET {_WID_SHIFT} {expression}"
    at = found.end()
    return f"{expression[:at]}{_WID_SHIFT}, {expression[at:]}"


def _landed_before(err: ClientError, write_id: str) -> Optional[dict]:
    """The item as it is when a failed condition was our own write's retry (it already landed)."""
    if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
        return None
    old = err.response.get("Item") or {}
    if any(old.get(name, {}).get("S") == write_id for name in WRITE_IDS):
        return old
    return None


def _values(values: Optional[dict]) -> Optional[dict]:
    if not values:
        return None
    return {k: to_wire(v) for k, v in values.items()}


def _args(**kwargs) -> dict:
    return {k: v for k, v in kwargs.items() if v is not None}


CONFLICT_ATTEMPTS = 3   # a one-operation transaction meeting another transaction on its item


class Table:
    """Thin wrapper over the low-level client; `name` defaults to the configured table."""

    def __init__(self, name: Optional[str] = None, client=None):
        self.name = name or settings().table
        self._client = client

    @property
    def client(self):
        return self._client or aws.dynamodb()

    def get(self, pk: str, sk: str, consistent: bool = True) -> Optional[dict]:
        raw = self.client.get_item(TableName=self.name, Key=serialize({"pk": pk, "sk": sk}),
                                   ConsistentRead=consistent)
        return deserialize(raw.get("Item"))

    def put(self, item: dict, condition: Optional[str] = None, values: Optional[dict] = None,
            names: Optional[dict] = None) -> None:
        if _receipt_waiting():
            return self._lone_with_receipt(put_op(item, condition, values, names))
        write_id = new_write_id()
        condition, values, names = _guarded(condition, values, names, write_id)
        try:
            self.client.put_item(
                TableName=self.name, Item=serialize(dict(item, **{WRITE_IDS[0]: write_id})),
                ConditionExpression=condition, ExpressionAttributeValues=_values(values),
                ExpressionAttributeNames=names, ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except ClientError as err:
            if _landed_before(err, write_id) is not None:
                return None
            raise _condition_or_raise(err)

    def update(self, pk: str, sk: str, expression: str, condition: Optional[str] = None,
               values: Optional[dict] = None, names: Optional[dict] = None) -> dict:
        if _receipt_waiting():
            self._lone_with_receipt(update_op(pk, sk, expression, condition, values, names))
            return self.get(pk, sk) or {}
        write_id = new_write_id()
        condition, values, names = _guarded(condition, values, names, write_id)
        values[":onceship_nil"] = "-"
        try:
            raw = self.client.update_item(
                TableName=self.name, Key=serialize({"pk": pk, "sk": sk}),
                UpdateExpression=_stamped(expression), ConditionExpression=condition,
                ExpressionAttributeValues=_values(values), ExpressionAttributeNames=names,
                ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except ClientError as err:
            landed = _landed_before(err, write_id)
            if landed is not None:
                return deserialize(landed) or {}
            raise _condition_or_raise(err)
        return deserialize(raw.get("Attributes")) or {}

    def delete(self, pk: str, sk: str, condition: Optional[str] = None,
               values: Optional[dict] = None, names: Optional[dict] = None) -> None:
        if condition is None:
            self.client.delete_item(TableName=self.name, Key=serialize({"pk": pk, "sk": sk}))
            return
        operation = {"Delete": _args(
            Key=serialize({"pk": pk, "sk": sk}), ConditionExpression=condition,
            ExpressionAttributeValues=_values(values), ExpressionAttributeNames=names,
            ReturnValuesOnConditionCheckFailure="ALL_OLD")}
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                return self._transact([{"Delete": dict(operation["Delete"])}])
            except TransactionCanceled as cancelled:
                if cancelled.reasons[:1] == ["ConditionalCheckFailed"]:
                    raise ConditionFailed(cancelled.olds[0] if cancelled.olds else None)
                if attempt == CONFLICT_ATTEMPTS - 1 or cancelled.reasons[:1] != ["TransactionConflict"]:
                    raise

    def transact(self, operations: list) -> None:
        """Run up to 100 operations built with `put_op`/`update_op`/`check_op`/`delete_op`.
        While an upload row's receipt is pending, it is added as one more operation."""
        pending = _receipt_waiting()
        if pending is None:
            return self._transact(operations)
        try:
            self._transact(list(operations) + [pending.op()])
        except TransactionCanceled as cancelled:
            if cancelled.reasons[len(operations):] == ["ConditionalCheckFailed"]:
                raise AlreadyApplied(f"rows {pending.rows} were applied before")
            raise TransactionCanceled(cancelled.reasons[:len(operations)], cancelled.olds[:len(operations)])
        pending.land()

    def _lone_with_receipt(self, operation: dict) -> None:
        """A single put or update made as a transaction with the pending receipt."""
        try:
            self.transact([operation])
        except TransactionCanceled as cancelled:
            if cancelled.reasons[:1] == ["ConditionalCheckFailed"]:
                raise ConditionFailed(cancelled.olds[0] if cancelled.olds else None)
            raise

    def _transact(self, operations: list) -> None:
        for op in operations:
            for body in op.values():
                body["TableName"] = self.name
        try:
            self.client.transact_write_items(TransactItems=operations)
        except ClientError as err:
            if err.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = err.response.get("CancellationReasons") or []
            codes = [r.get("Code", "None") for r in reasons]
            olds = [deserialize(r.get("Item")) for r in reasons]
            if not codes:
                codes = _codes_from_message(err.response["Error"].get("Message", ""))
            raise TransactionCanceled(codes, olds or [None] * len(codes))

    def query(self, pk: str, sk_prefix: Optional[str] = None, index: Optional[str] = None,
              limit: Optional[int] = None, start: Optional[dict] = None, forward: bool = True,
              sk_between: Optional[tuple] = None, sk_after: Optional[str] = None,
              filter_expression: Optional[str] = None, filter_values: Optional[dict] = None,
              filter_names: Optional[dict] = None, consistent: bool = False) -> tuple:
        """One page: (items, last_evaluated_key_or_None)."""
        pk_name, sk_name = ("pk", "sk") if index is None else (f"{index}pk", f"{index}sk")
        cond = "#pk = :pk"
        names = {"#pk": pk_name}
        values: dict = {":pk": pk}
        if sk_prefix is not None:
            cond += " AND begins_with(#sk, :skp)"
            names["#sk"] = sk_name
            values[":skp"] = sk_prefix
        elif sk_between is not None:
            cond += " AND #sk BETWEEN :lo AND :hi"
            names["#sk"] = sk_name
            values[":lo"], values[":hi"] = sk_between
        elif sk_after is not None:
            cond += " AND #sk > :after"
            names["#sk"] = sk_name
            values[":after"] = sk_after
        names.update(filter_names or {})
        values.update(filter_values or {})
        raw = self.client.query(**_args(
            TableName=self.name, IndexName=index, KeyConditionExpression=cond,
            ExpressionAttributeNames=names, ExpressionAttributeValues=_values(values),
            FilterExpression=filter_expression, Limit=limit, ExclusiveStartKey=start,
            ScanIndexForward=forward, ConsistentRead=consistent if index is None else None))
        return [deserialize(i) for i in raw.get("Items", [])], raw.get("LastEvaluatedKey")

    def query_all(self, pk: str, sk_prefix: Optional[str] = None, index: Optional[str] = None,
                  **kwargs) -> list:
        items, start = [], None
        while True:
            page, start = self.query(pk, sk_prefix, index=index, start=start, **kwargs)
            items.extend(page)
            if not start:
                return items

    def count(self, pk: str, index: Optional[str] = None, sk_between: Optional[tuple] = None,
              filter_expression: Optional[str] = None, filter_values: Optional[dict] = None,
              filter_names: Optional[dict] = None, cap: Optional[int] = None) -> tuple:
        """(items counted, whether counting stopped at `cap` before the end): Select=COUNT pages."""
        pk_name, sk_name = ("pk", "sk") if index is None else (f"{index}pk", f"{index}sk")
        cond, names, values = "#pk = :pk", {"#pk": pk_name}, {":pk": pk}
        if sk_between is not None:
            cond += " AND #sk BETWEEN :lo AND :hi"
            names["#sk"] = sk_name
            values[":lo"], values[":hi"] = sk_between
        names.update(filter_names or {})
        values.update(filter_values or {})
        total, start = 0, None
        while True:
            raw = self.client.query(**_args(
                TableName=self.name, IndexName=index, KeyConditionExpression=cond, Select="COUNT",
                ExpressionAttributeNames=names, ExpressionAttributeValues=_values(values),
                FilterExpression=filter_expression, ExclusiveStartKey=start))
            total += raw.get("Count", 0)
            start = raw.get("LastEvaluatedKey")
            if not start:
                return total, False
            if cap is not None and total >= cap:
                return total, True

    def batch_get(self, keys: Iterable[tuple]) -> list:
        """Items for (pk, sk) pairs, 100 keys a request, unprocessed keys retried."""
        keys = list(dict.fromkeys(keys))
        found: list = []
        for i in range(0, len(keys), 100):
            request = {self.name: {"Keys": [serialize({"pk": pk, "sk": sk}) for pk, sk in keys[i:i + 100]],
                                   "ConsistentRead": True}}
            while request:
                raw = self.client.batch_get_item(RequestItems=request)
                found.extend(deserialize(x) for x in raw["Responses"].get(self.name, []))
                request = raw.get("UnprocessedKeys") or None
        return found

    def batch_put(self, items: list) -> None:
        """Unconditional puts, 25 a request, unprocessed items retried."""
        for i in range(0, len(items), 25):
            request = {self.name: [{"PutRequest": {"Item": serialize(it)}} for it in items[i:i + 25]]}
            while request:
                raw = self.client.batch_write_item(RequestItems=request)
                request = raw.get("UnprocessedItems") or None


def _receipt_waiting():
    pending = pending_receipt.get()
    return None if pending is None or pending.landed else pending


def put_op(item: dict, condition: Optional[str] = None, values: Optional[dict] = None,
           names: Optional[dict] = None) -> dict:
    return {"Put": _args(Item=serialize(item), ConditionExpression=condition,
                         ExpressionAttributeValues=_values(values), ExpressionAttributeNames=names,
                         ReturnValuesOnConditionCheckFailure="ALL_OLD" if condition else None)}


def update_op(pk: str, sk: str, expression: str, condition: Optional[str] = None,
              values: Optional[dict] = None, names: Optional[dict] = None) -> dict:
    return {"Update": _args(Key=serialize({"pk": pk, "sk": sk}), UpdateExpression=expression,
                            ConditionExpression=condition, ExpressionAttributeValues=_values(values),
                            ExpressionAttributeNames=names,
                            ReturnValuesOnConditionCheckFailure="ALL_OLD" if condition else None)}


def check_op(pk: str, sk: str, condition: str, values: Optional[dict] = None,
             names: Optional[dict] = None) -> dict:
    return {"ConditionCheck": _args(Key=serialize({"pk": pk, "sk": sk}), ConditionExpression=condition,
                                    ExpressionAttributeValues=_values(values),
                                    ExpressionAttributeNames=names,
                                    ReturnValuesOnConditionCheckFailure="ALL_OLD")}


def delete_op(pk: str, sk: str, condition: Optional[str] = None, values: Optional[dict] = None) -> dict:
    return {"Delete": _args(Key=serialize({"pk": pk, "sk": sk}), ConditionExpression=condition,
                            ExpressionAttributeValues=_values(values))}


def _condition_or_raise(err: ClientError) -> Exception:
    if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
        return ConditionFailed(deserialize(err.response.get("Item")))
    return err


def _codes_from_message(message: str) -> list:
    """moto and older SDKs put the reasons only in the message: '[None, ConditionalCheckFailed]'."""
    start, end = message.find("["), message.rfind("]")
    if start < 0 or end < 0:
        return []
    return [part.strip() for part in message[start + 1:end].split(",")]
