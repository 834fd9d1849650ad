"""Make moto's TransactWriteItems cost what it touches, not the size of the table.

moto 5 backs up a transaction by deep-copying the whole table once per operation, before it runs
any of them, so a 100-operation transaction on a table of 10k items copies a million items. Here
the backup is an undo log of just the items the transaction names: on any failure, each is put
back as it was (or removed, if it did not exist), which is all a rollback has to do. The
semantics moto checks (conditions, one operation per item, cancellation reasons) are untouched.

Likewise a Query on the table itself (not an index) looks at the one partition it names: moto
gathers and sorts every item of the table first, which made each query cost the table's size.
A Query on a global secondary index looks at the items whose index hash key it names: each table
keeps, per index, the items by their index hash key (`_IndexPartitions`), built on the first
index query and brought up to date after every write the backend makes (put, update, delete,
transactions, batch writes go through those), so moto's own filtering and sorting then run over
one index partition instead of the whole table. And the answers of DynamoDB's item operations
(GetItem, Query, UpdateItem, ...) are written as the JSON they are (`_plain_json`), instead of
through moto's model-driven serializer, which took about a millisecond per item returned; the
bytes are the same JSON (tests/contract/test_moto_speedups.py compares them). The backend a
request's host names is looked up once per host (`_remembered_backends`), not by listing moto's
package directory on every request. Installed in the local AWS server process only.
"""
import base64
import copy
import datetime
import functools
import json
import threading


def install() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    if getattr(models.DynamoDBBackend.transact_write_items, "_undo_log", False):
        return

    class _NoTableCopy:
        """moto's own backup becomes a no-op for tables; every other deep copy stays real."""

        @staticmethod
        def deepcopy(value, memo=None):
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

        def __getattr__(self, name):
            return getattr(copy, name)

    models.copy = _NoTableCopy()
    original = models.DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self, transact_items):
        undo = [_saved(self, item) for item in transact_items]
        try:
            return original(self, transact_items)
        except Exception:
            for saved in reversed([u for u in undo if u is not None]):
                _restore(*saved)
            raise

    transact_write_items._undo_log = True
    models.DynamoDBBackend.transact_write_items = _reindexing(transact_write_items, _transaction_keys)
    for name, keys_of in (("put_item", _put_keys), ("update_item", _key_arg), ("delete_item", _key_arg)):
        setattr(models.DynamoDBBackend, name, _reindexing(getattr(models.DynamoDBBackend, name), keys_of))
    Table.query = _index_query(_partition_query(Table.query))
    _plain_json_answers()
    _remembered_backends()


def _partition_query(original):
    """moto's Table.query, with `all_items` narrowed to the queried partition for the duration of
    a query on the table's own key (moto filters those items by hash key again anyway)."""
    @functools.wraps(original)
    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
              projection_expressions, index_name=None, *args, **kwargs):
        if index_name or hash_key is None or not self.range_key_attr:
            return original(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                            scan_index_forward, projection_expressions, index_name, *args, **kwargs)
        partition = self.items.get(hash_key, {})
        with _NARROWED:
            return _narrowed(self, lambda: sorted(partition.values(), key=lambda item: item.range_key),
                             original, (self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                                        scan_index_forward, projection_expressions, index_name) + args, kwargs)
    return query


def _saved(backend, transact_item: dict):
    from moto.dynamodb.models.dynamo_type import DynamoType

    _, op = next(iter(transact_item.items()))
    table = backend.tables.get(op.get("TableName"))
    if table is None:
        return None
    key = op.get("Key") or op.get("Item") or {}
    if table.hash_key_attr not in key:
        return None
    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = None
    if table.has_range_key:
        if table.range_key_attr not in key:
            return None
        range_value = DynamoType(key[table.range_key_attr])
    current = table.get_item(hash_value, range_value)
    return table, hash_value, range_value, copy.deepcopy(current)


def _restore(table, hash_value, range_value, old) -> None:
    if old is None:
        table.delete_item(hash_value, range_value)
    elif range_value is not None:
        table.items[hash_value][range_value] = old
    else:
        table.items[hash_value] = old


# -- index partitions ------------------------------------------------------------------------------
class _IndexPartitions:
    """Per global index of one table (with a single hash key): index hash value -> {table key: item}."""

    def __init__(self, table):
        self.indexes = {index.name: [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"][0]
                        for index in table.global_indexes
                        if len([k for k in index.schema if k["KeyType"] == "HASH"]) == 1}
        self.ranges = {index.name: ranges[0]["AttributeName"] for index in table.global_indexes
                       if len(ranges := [k for k in index.schema if k["KeyType"] == "RANGE"]) == 1}
        self.partitions = {name: {} for name in self.indexes}
        self.placed = {}  # table key -> {index name: index hash value}
        for item in table.all_items():
            self.place(_table_key(item), item)

    def place(self, key, item) -> None:
        for name, value in self.placed.pop(key, {}).items():
            partition = self.partitions[name].get(value)
            if partition is not None:
                partition.pop(key, None)
                if not partition:
                    del self.partitions[name][value]
        if item is None:
            return
        placed = {}
        for name, attribute in self.indexes.items():
            value = item.attrs.get(attribute)
            if value is None:
                continue
            value = (value.type, _hashable(value.value))
            self.partitions[name].setdefault(value, {})[key] = item
            placed[name] = value
        if placed:
            self.placed[key] = placed

    def items(self, index_name: str, value) -> list:
        return list(self.partitions[index_name].get((value.type, _hashable(value.value)), {}).values())


def _sort_key(item, range_attribute: str) -> tuple:
    value = item.attrs.get(range_attribute)
    return (_comparable(value), _comparable(item.hash_key), _comparable(item.range_key))


def _comparable(value):
    if value is None:
        return ("", "")
    if value.type == "N":
        try:
            return ("N", float(value.value))
        except (TypeError, ValueError):
            return ("N", 0.0)
    return (value.type, value.value if isinstance(value.value, (str, bytes)) else repr(value.value))


def _hashable(value):
    return value if isinstance(value, (str, bytes)) else repr(value)


def _table_key(item):
    return (item.hash_key.type, _hashable(item.hash_key.value),
            None if item.range_key is None else (item.range_key.type, _hashable(item.range_key.value)))


def _reindexing(original, keys_of):
    """A backend write that, done or failed, brings the index partitions of what it touched up to date."""
    @functools.wraps(original)
    def write(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        finally:
            for table_name, key in keys_of(*args, **kwargs):
                _reindex(self, table_name, key)
    return write


def _put_keys(table_name, item_attrs, *args, **kwargs):
    return [(table_name, item_attrs)]


def _key_arg(table_name, key, *args, **kwargs):
    return [(table_name, key)]


def _transaction_keys(transact_items, *args, **kwargs):
    found = []
    for transact_item in transact_items:
        _, op = next(iter(transact_item.items()))
        found.append((op.get("TableName"), op.get("Key") or op.get("Item") or {}))
    return found


def _reindex(backend, table_name, key) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = backend.tables.get(table_name)
    partitions = getattr(table, "_onceship_index_partitions", None) if table is not None else None
    if partitions is None or table.hash_key_attr not in key:
        return
    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = None
    if table.has_range_key:
        if table.range_key_attr not in key:
            return
        range_value = DynamoType(key[table.range_key_attr])
    table_key = (hash_value.type, _hashable(hash_value.value),
                 None if range_value is None else (range_value.type, _hashable(range_value.value)))
    partitions.place(table_key, table.get_item(hash_value, range_value))


def _index_query(original):
    """moto's Table.query, with `all_items` narrowed to the named index partition."""
    @functools.wraps(original)
    def query(self, *args, **kwargs):
        index_name = args[7] if len(args) > 7 else kwargs.get("index_name")
        conditions = kwargs.get("hash_key_conditions") or []
        if not index_name or len(conditions) != 1:
            return original(self, *args, **kwargs)
        partitions = getattr(self, "_onceship_index_partitions", None)
        if partitions is None:
            partitions = self._onceship_index_partitions = _IndexPartitions(self)
        attribute, value = conditions[0]
        if partitions.indexes.get(index_name) != attribute:
            return original(self, *args, **kwargs)
        candidates = partitions.items(index_name, value)
        range_attribute = partitions.ranges.get(index_name)
        comparison = args[1] if len(args) > 1 else kwargs.get("range_comparison")
        if range_attribute:
            if comparison and not (kwargs.get("range_key_conditions") or [])[1:]:
                objects = args[2] if len(args) > 2 else kwargs.get("range_objs")
                candidates = [item for item in candidates if item.attrs.get(range_attribute) is not None
                              and item.attrs[range_attribute].compare(comparison, objects)]
            # moto sorts them again; nearly sorted already, that costs a pass instead of a sort
            candidates.sort(key=lambda item: _sort_key(item, range_attribute))
        with _NARROWED:
            return _narrowed(self, lambda: list(candidates), original, (self,) + args, kwargs)
    return query


# A query narrows `all_items` on the shared Table object for its own duration: one at a time (the
# server's lock does that already; an in-process engine read from several threads needs this one).
_NARROWED = threading.RLock()


def _narrowed(table, items, original, args: tuple, kwargs: dict):
    table.all_items = items
    try:
        return original(*args, **kwargs)
    finally:
        del table.all_items


# -- which backend a host is ---------------------------------------------------------------------------
def _remembered_backends() -> None:
    """moto's server finds a request's backend by listing its own package directory (a stat per
    service, ~150) and then trying every service's URL patterns, on every request; the answer for
    a host never changes, so it is kept (None, 'not found', is not: moto then looks further)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.get_backend_for_host
    if getattr(original, "_remembered", False):
        return
    known = {}

    @functools.wraps(original)
    def get_backend_for_host(self, host):
        backend = known.get(host)
        if backend is None:
            backend = original(self, host)
            if backend is not None:
                known[host] = backend
        return backend

    get_backend_for_host._remembered = True
    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host


# -- answers as plain JSON -----------------------------------------------------------------------------
ITEM_OPERATIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                             "BatchGetItem", "BatchWriteItem", "TransactWriteItems", "TransactGetItems"})


def _plain_json_answers() -> None:
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoResult

    plain_kinds = (ActionResult, DynamoResult)   # not the paginated or empty ones
    original = ActionResult.execute_result
    if getattr(original, "_plain_json", False):
        return

    @functools.wraps(original)
    def execute_result(self, context):
        if (type(self) in plain_kinds and not isinstance(self.result, BaseException)
                and context.service_model.service_name == "dynamodb"
                and context.operation_model.name in ITEM_OPERATIONS):
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, _plain_json(self, context)
        return original(self, context)

    execute_result._plain_json = True
    ActionResult.execute_result = execute_result


def _plain_json(action_result, context) -> str:
    """The answer's fields the operation's output shape names (as the serializer keeps only
    those), their values as they are."""
    from moto.dynamodb.models.utilities import dynamo_to_dict
    from moto.dynamodb.responses import DynamoResult

    result = action_result.result   # a DynamoResult holds it converted already
    if not isinstance(action_result, DynamoResult):
        result = dynamo_to_dict(result)
    shape = context.operation_model.output_shape
    members = shape.members if shape is not None else {}
    return json.dumps(_wire({k: v for k, v in (result or {}).items() if k in members}), separators=(",", ":"))


def _wire(value):
    """What moto's JSON serializer makes of a result: bytes base64, times epoch seconds, no nulls."""
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return value
