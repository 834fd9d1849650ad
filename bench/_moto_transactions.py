"""For the benchmarks' own moto server only: TransactWriteItems without copying whole tables.

moto backs a transaction up by deep-copying every table it touches, once per operation, so a
100-operation transaction on a 100k-item table copies ten million items: the benchmark would
measure moto's copying. This patch backs up only the items the transaction touches and puts
them back when it is cancelled, which is the same outcome, since the local AWS server runs
DynamoDB requests one at a time (chalicelib/local/aws_server.py: SerialDynamoDB). It is loaded
into the benchmark's moto server process through a `sitecustomize` (see `environment()`); the
local stack of `make run` and the tests is left as it is.
"""
import copy
import os
import tempfile


def install() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    real_deepcopy = copy.deepcopy
    original = models.DynamoDBBackend.transact_write_items

    class _NoTableCopy:
        @staticmethod
        def deepcopy(obj, memo=None):
            return obj if isinstance(obj, Table) else real_deepcopy(obj, memo)

        def __getattr__(self, name):
            return getattr(copy, name)

    def transact_write_items(self, transact_items):
        saved = []
        for item in transact_items:
            _, op = next(iter(item.items()))
            name = op.get("TableName")
            if name not in self.tables:
                continue
            table = self.tables[name]
            if "Key" in op:
                key = op["Key"]
            else:
                attrs = op.get("Item") or {}
                key = {k: attrs[k] for k in (table.hash_key_attr, table.range_key_attr) if k and k in attrs}
            try:
                current = self.get_item(name, key)
            except Exception:  # noqa: BLE001 - the original reports a bad key its own way
                continue
            saved.append((name, key, current.to_json()["Attributes"] if current else None))
        models.copy = _NoTableCopy()
        try:
            return original(self, transact_items)
        except Exception:
            for name, key, attrs in reversed(saved):
                if attrs is None:
                    self.delete_item(name, key)
                else:
                    self.put_item(name, attrs)
            raise
        finally:
            models.copy = copy

    models.DynamoDBBackend.transact_write_items = transact_write_items


def environment() -> dict:
    """PYTHONPATH with a sitecustomize that installs the patch in every Python process started
    with it (the benchmark gives it to its local stack's moto server)."""
    folder = tempfile.mkdtemp(prefix="bench-moto-")
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(folder, "sitecustomize.py"), "w") as handle:
        handle.write("import sys\nsys.path.insert(0, %r)\n" % here
                     + "try:\n    import _moto_transactions\n    _moto_transactions.install()\n"
                       "except ImportError:\n    pass\n")
    return {"PYTHONPATH": os.pathsep.join(p for p in (folder, os.environ.get("PYTHONPATH", "")) if p)}
