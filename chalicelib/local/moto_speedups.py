"""Make moto's TransactWriteItems cost what it touches, not the size of the table.

moto 5 backs up a transaction by deep-copying the whole table once per operation, before it runs
any of them, so a 100-operation transaction on a table of 10k items copies a million items. Here
the backup is an undo log of just the items the transaction names: on any failure, each is put
back as it was (or removed, if it did not exist), which is all a rollback has to do. The
semantics moto checks (conditions, one operation per item, cancellation reasons) are untouched.

Likewise a Query on the table itself (not an index) looks at the one partition it names: moto
gathers and sorts every item of the table first, which made each query cost the table's size.
A Query on an index looks only at the items whose index partition key is the one asked for
(moto sorts what it keeps by the index's keys itself), instead of sorting the whole table first.
Installed in the local AWS server process only.
"""
import copy
import functools


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
    models.DynamoDBBackend.transact_write_items = transact_write_items
    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "create_table", "delete_table"):
        setattr(models.DynamoDBBackend, name, _counting_writes(getattr(models.DynamoDBBackend, name)))
    Table.query = _partition_query(Table.query)


def _partition_query(original):
    """moto's Table.query, with `all_items` narrowed to the queried partition (of the table, or of
    a global index) for the duration of the query (moto filters those items by hash key again)."""
    @functools.wraps(original)
    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
              projection_expressions, index_name=None, *args, **kwargs):
        if hash_key is None or not self.range_key_attr:
            return original(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                            scan_index_forward, projection_expressions, index_name, *args, **kwargs)
        if index_name:
            index = next((i for i in self.global_indexes or [] if i.name == index_name), None)
            if index is None:
                return original(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                                scan_index_forward, projection_expressions, index_name, *args, **kwargs)
            name = next(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
            self.all_items = lambda: _index_partition(self, index_name, name, hash_key)
        else:
            partition = self.items.get(hash_key, {})
            self.all_items = lambda: sorted(partition.values(), key=lambda item: item.range_key)
        try:
            return original(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                            scan_index_forward, projection_expressions, index_name, *args, **kwargs)
        finally:
            del self.all_items
    return query


_WRITES = {"generation": 0}      # bumped by every write: index partitions found before are stale
_INDEX_PARTITIONS: dict = {}     # (table id, index name) -> (generation, {hash value: [items]})


def _counting_writes(original):
    @functools.wraps(original)
    def write(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        finally:
            _WRITES["generation"] += 1
    return write


def _index_partition(table, index_name: str, hash_name: str, hash_key) -> list:
    """The items of one partition of a global index: grouped once per generation of writes, so
    the shards a sharded reader asks for one after the other cost one pass over the table."""
    key = (id(table), index_name)
    cached = _INDEX_PARTITIONS.get(key)
    if cached is None or cached[0] != _WRITES["generation"]:
        groups: dict = {}
        for items in table.items.values():
            for item in items.values():
                value = item.attrs.get(hash_name)
                if value is not None:
                    groups.setdefault(value, []).append(item)
        cached = _INDEX_PARTITIONS[key] = (_WRITES["generation"], groups)
    return list(cached[1].get(hash_key, ()))


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
