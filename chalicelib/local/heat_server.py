"""The partition-heat meter inside the local AWS server (off unless ONCESHIP_HEAT=1).

`install()` (called by aws_server.py when the variable is set) wraps moto's DynamoDB actions:
each write action reads the items it names before and after it runs and tells the meter
(local/heat.py) what changed, which write committed and which was refused; GetItem,
BatchGetItem and TransactGetItems tell it the items read; a Query or Scan tells it the items it
evaluated before any filter (moto is asked for them unfiltered and the filter and projection
are applied here, exactly as moto would). Everything runs inside SerialDynamoDB's lock, so
"before" and "after" are those of this request alone. When the variable is not set nothing is
installed: the server runs as it always does.

The meter answers at `GET /moto-api/onceship/heat` (every partition's totals as JSON) and is
emptied by `POST /moto-api/onceship/heat/reset`; `read(endpoint)` and `reset(endpoint)` call them.
"""
from __future__ import annotations

import functools
import inspect
import json
import os
import urllib.request

from chalicelib.local.heat import Index, Meter, Schema

ENABLED = "ONCESHIP_HEAT"
PATH = "/moto-api/onceship/heat"
METER = Meter()


def enabled() -> bool:
    return os.environ.get(ENABLED, "") not in ("", "0")


# the client side (the bench) ------------------------------------------------------------------
def read(endpoint: str) -> list:
    with urllib.request.urlopen(endpoint + PATH, timeout=30) as answer:
        return json.loads(answer.read())["partitions"]


def reset(endpoint: str) -> None:
    request = urllib.request.Request(endpoint + PATH + "/reset", data=b"", method="POST")
    urllib.request.urlopen(request, timeout=30).read()


# the server side ------------------------------------------------------------------------------
def install() -> None:
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler
    from moto.moto_api._internal import urls

    if getattr(DynamoHandler, "_heat_installed", False):
        return
    DynamoHandler._heat_installed = True
    for action, observe in (("put_item", _single("Item")), ("update_item", _single("Key")),
                            ("delete_item", _single("Key")), ("batch_write_item", _batch_write),
                            ("transact_write_items", _transaction), ("get_item", _get),
                            ("batch_get_item", _batch_get), ("transact_get_items", _transact_get)):
        setattr(DynamoHandler, action, _metered(getattr(DynamoHandler, action), observe))
    Table.query = _evaluated(Table.query, "filter_expression", "projection_expressions")
    Table.scan = _evaluated(Table.scan, "filter_expression", "projection_expression", scan=True)
    urls.url_paths["{0}" + PATH + "$"] = _answer
    urls.url_paths["{0}" + PATH + "/reset$"] = _answer


def _answer(request, full_url, headers):
    if full_url.rstrip("/").endswith("/reset"):
        METER.reset()
        return 200, {"Content-Type": "application/json"}, "{}"
    return 200, {"Content-Type": "application/json"}, json.dumps({"partitions": METER.snapshot()})


def _metered(original, observe):
    """The action, with `observe(handler, request)` giving a function told whether it committed."""
    @functools.wraps(original)
    def action(self):
        try:
            finish = observe(self, json.loads(self.raw_body or b"{}"))
        except Exception:  # noqa: BLE001 - a request moto will refuse anyway: let moto answer it
            finish = None
        try:
            result = original(self)
        except Exception:
            if finish:
                finish(False)
            raise
        if finish:
            finish(True)
        return result
    return action


class _Target:
    """One table item a request names: its table, schema and key, and the item as stored."""

    def __init__(self, handler, table_name: str, key_source: dict):
        self.table = handler.dynamodb_backend.get_table(table_name)
        self.name = self.table.name
        self.schema = _schema(self.table)
        names = [self.schema.hash] + ([self.schema.range] if self.schema.range else [])
        self.key = {n: key_source[n] for n in names}

    def stored(self):
        from moto.dynamodb.models.dynamo_type import DynamoType
        range_value = DynamoType(self.key[self.schema.range]) if self.schema.range else None
        item = self.table.get_item(DynamoType(self.key[self.schema.hash]), range_value)
        return item.to_json()["Attributes"] if item is not None else None


def _schema(table) -> Schema:
    indexes = []
    for index in table.global_indexes or []:
        keys = {k["KeyType"]: k["AttributeName"] for k in index.schema}
        projection = index.projection or {}
        indexes.append(Index(index.name, keys["HASH"], keys.get("RANGE"), projection.get("ProjectionType", "ALL"),
                             tuple(projection.get("NonKeyAttributes") or ())))
    return Schema(table.hash_key_attr, table.range_key_attr, tuple(indexes))


def _writes(targets: list, transaction: bool):
    """Read each target now; the returned function reads them again and records the writes."""
    before = [t.stored() for t in targets]

    def finish(committed: bool) -> None:
        for target, old in zip(targets, before):
            if committed:
                METER.write(target.name, target.schema, old, target.stored(), transaction=transaction)
            else:   # refused: the stored item's size, or 1 unit (the key alone) when there is none
                METER.write(target.name, target.schema, old or target.key, None, committed=False)
    return finish


def _single(key_field: str):
    def observe(handler, request):
        return _writes([_Target(handler, request["TableName"], request[key_field])], transaction=False)
    return observe


def _batch_write(handler, request):
    targets = [_Target(handler, table, (op.get("PutRequest") or {}).get("Item") or op["DeleteRequest"]["Key"])
               for table, ops in request["RequestItems"].items() for op in ops]
    return _writes(targets, transaction=False)


def _transaction(handler, request):
    targets, checks = [], []
    for op in request["TransactItems"]:
        (kind, body), = op.items()
        target = _Target(handler, body["TableName"], body.get("Item") or body["Key"])
        (checks if kind == "ConditionCheck" else targets).append(target)
    writes = _writes(targets, transaction=True)
    checked = [(t, t.stored()) for t in checks]

    def finish(committed: bool) -> None:
        writes(committed)
        for target, item in checked:
            if committed:
                METER.condition_check(target.name, target.schema, target.key, item)
            else:
                METER.write(target.name, target.schema, item or target.key, None, committed=False)
    return finish


def _reads(targets: list, consistent: list, transaction: bool = False) -> None:
    for target, strong in zip(targets, consistent):
        METER.read_item(target.name, target.schema, target.key, target.stored(), strong, transaction)


def _get(handler, request):
    _reads([_Target(handler, request["TableName"], request["Key"])], [bool(request.get("ConsistentRead"))])


def _batch_get(handler, request):
    targets, consistent = [], []
    for table, ask in request["RequestItems"].items():
        for key in ask["Keys"]:
            targets.append(_Target(handler, table, key))
            consistent.append(bool(ask.get("ConsistentRead")))
    _reads(targets, consistent)


def _transact_get(handler, request):
    targets = [_Target(handler, op["Get"]["TableName"], op["Get"]["Key"]) for op in request["TransactItems"]]
    _reads(targets, [True] * len(targets), transaction=True)


def _evaluated(original, filter_name: str, projection_name: str, scan: bool = False):
    """moto's Table.query / Table.scan, asked for what it evaluates (no filter, no projection),
    metered, then filtered and projected as moto itself does at its end."""
    signature = inspect.signature(original)

    @functools.wraps(original)
    def read(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        wanted_filter = bound.arguments.get(filter_name)
        projection = bound.arguments.get(projection_name)
        bound.arguments[filter_name] = None
        bound.arguments[projection_name] = None
        items, scanned, last = original(*bound.args, **bound.kwargs)
        index = bound.arguments.get("index_name")
        consistent = bool(bound.arguments.get("consistent_read"))
        schema = _schema(self)
        evaluated = [i.to_json()["Attributes"] for i in items]
        if scan:
            partition = "(scan)"
        else:
            hash_key = bound.arguments.get("hash_key")
            partition = str(hash_key.value) if hash_key is not None else "(unknown)"
        METER.read_range(self.name, schema, index, partition, evaluated, consistent)
        if wanted_filter is not None:
            items = [i for i in items if wanted_filter.expr(i)]
        if projection:
            items = [i.project(projection) for i in items]
        return items, scanned, last
    return read
