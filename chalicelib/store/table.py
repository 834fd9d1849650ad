"""The one DynamoDB table: plain-dict items in, plain-dict items out, failed conditions as exceptions.

Named store methods build on these primitives and turn `ConditionFailed` / `TransactionCanceled`
into domain errors; nothing above the store package sees a botocore `ClientError`.
"""
import contextvars
from decimal import Decimal
from typing import Any, Iterable, Optional

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import settings

_ser = TypeSerializer()
_de = TypeDeserializer()


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


def serialize(item: dict) -> dict:
    return {k: _ser.serialize(_clean(v)) for k, v in item.items() if v is not None}


def deserialize(raw: Optional[dict]) -> Optional[dict]:
    if raw is None:
        return None
    return {k: _plain(_de.deserialize(v)) for k, v in raw.items()}


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """Integers come back as int; other numbers stay Decimal (money is stored as strings anyway)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return {_plain(v) for v in value}
    return value


def _values(values: Optional[dict]) -> Optional[dict]:
    if not values:
        return None
    return {k: _ser.serialize(_clean(v)) for k, v in values.items()}


def _args(**kwargs) -> dict:
    return {k: v for k, v in kwargs.items() if v is not None}


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
        try:
            self.client.put_item(**_args(
                TableName=self.name, Item=serialize(item), ConditionExpression=condition,
                ExpressionAttributeValues=_values(values), ExpressionAttributeNames=names,
                ReturnValuesOnConditionCheckFailure="ALL_OLD" if condition else None))
        except ClientError as err:
            raise _condition_or_raise(err)

    def update(self, pk: str, sk: str, expression: str, condition: Optional[str] = None,
               values: Optional[dict] = None, names: Optional[dict] = None) -> dict:
        if _receipt_waiting():
            self._lone_with_receipt(update_op(pk, sk, expression, condition, values, names))
            return self.get(pk, sk) or {}
        try:
            raw = self.client.update_item(**_args(
                TableName=self.name, Key=serialize({"pk": pk, "sk": sk}),
                UpdateExpression=expression, ConditionExpression=condition,
                ExpressionAttributeValues=_values(values), ExpressionAttributeNames=names,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD" if condition else None))
        except ClientError as err:
            raise _condition_or_raise(err)
        return deserialize(raw.get("Attributes")) or {}

    def delete(self, pk: str, sk: str, condition: Optional[str] = None,
               values: Optional[dict] = None, names: Optional[dict] = None) -> None:
        try:
            self.client.delete_item(**_args(
                TableName=self.name, Key=serialize({"pk": pk, "sk": sk}),
                ConditionExpression=condition, ExpressionAttributeValues=_values(values),
                ExpressionAttributeNames=names))
        except ClientError as err:
            raise _condition_or_raise(err)

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
