"""Update and condition expressions without reserved-word surprises.

Every attribute name goes through a placeholder: in the texts given here `#name` means the
attribute `name` (`status`, `lines`, `data` are DynamoDB reserved words), and `:name` a value
passed by keyword. `Update` collects SET / REMOVE / ADD / DELETE clauses and conditions and
turns them into a single `update_op` for a transaction or a single `Table.update`.
"""
import re
from typing import Optional

from chalicelib.store.table import Table, check_op, update_op

_NAME = re.compile(r"#([A-Za-z_][A-Za-z0-9_]*)")


def path(dotted: str) -> str:
    """`refunds[2].status` → `#refunds[2].#status`."""
    return ".".join("#" + part if not part.startswith("#") else part for part in dotted.split("."))


def names_in(*texts: Optional[str]) -> dict:
    found = {}
    for text in texts:
        for name in _NAME.findall(text or ""):
            found["#" + name] = name
    return found


class Update:
    def __init__(self):
        self._set, self._remove, self._add, self._delete, self._cond = [], [], [], [], []
        self.values: dict = {}
        self._count = 0

    def _value(self, value) -> str:
        key = f":u{self._count}"
        self._count += 1
        self.values[key] = value
        return key

    def set(self, dotted: str, value) -> "Update":
        if value is None:
            return self.remove(dotted)
        self._set.append(f"{path(dotted)} = {self._value(value)}")
        return self

    def set_all(self, fields: dict) -> "Update":
        for name, value in fields.items():
            self.set(name, value)
        return self

    def set_if_missing(self, dotted: str, value) -> "Update":
        p = path(dotted)
        self._set.append(f"{p} = if_not_exists({p}, {self._value(value)})")
        return self

    def increment(self, dotted: str, by: int = 1) -> "Update":
        p = path(dotted)
        self._set.append(f"{p} = if_not_exists({p}, {self._value(0)}) + {self._value(by)}")
        return self

    def append(self, dotted: str, items: list) -> "Update":
        p = path(dotted)
        self._set.append(f"{p} = list_append(if_not_exists({p}, {self._value([])}), {self._value(list(items))})")
        return self

    def remove(self, *dotted: str) -> "Update":
        self._remove.extend(path(d) for d in dotted)
        return self

    def add_to_set(self, dotted: str, members: set) -> "Update":
        self._add.append(f"{path(dotted)} {self._value(set(members))}")
        return self

    def delete_from_set(self, dotted: str, members: set) -> "Update":
        self._delete.append(f"{path(dotted)} {self._value(set(members))}")
        return self

    def when(self, condition: str, **values) -> "Update":
        self._cond.append(f"({condition})")
        self.values.update({f":{k}": v for k, v in values.items()})
        return self

    @property
    def expression(self) -> str:
        parts = []
        for word, clauses in (("SET", self._set), ("REMOVE", self._remove), ("ADD", self._add),
                              ("DELETE", self._delete)):
            if clauses:
                parts.append(word + " " + ", ".join(clauses))
        return " ".join(parts)

    @property
    def condition(self) -> Optional[str]:
        return " AND ".join(self._cond) or None

    def names(self) -> dict:
        return names_in(self.expression, self.condition)

    def op(self, pk: str, sk: str) -> dict:
        return update_op(pk, sk, self.expression, self.condition, self.values, self.names())

    def apply(self, table: Table, pk: str, sk: str) -> dict:
        return table.update(pk, sk, self.expression, self.condition, self.values, self.names())


def check(pk: str, sk: str, condition: str, **values) -> dict:
    """A ConditionCheck operation in the same `#name` / `:name` convention."""
    return check_op(pk, sk, condition, {f":{k}": v for k, v in values.items()} or None, names_in(condition))
