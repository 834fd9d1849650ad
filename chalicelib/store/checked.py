"""Single records a warm process may take from store/catalog_cache.py instead of reading them,
each with the ConditionCheck that keeps a transaction built on it honest.

`read(key, fields)` answers (item or None, checks): from the cache, with a ConditionCheck that
each of `fields` is still what the cached item has (or still absent); read fresh (one GetItem,
then cached), with no check, as any read-then-write would be. A caller puts the checks in its
transaction and, if one fails (store.orders.StaleRecord), calls `forget(key)` and builds the
write again from a fresh read. Used for the webhook endpoint's subscriptions and the buyer's
customer code, which every order change with an event carries.
"""
from typing import Optional, Tuple

from chalicelib.store import catalog_cache as cache
from chalicelib.store.table import Table, check_op


def read(key: tuple, fields: tuple, use_cache: bool = True, table: Optional[Table] = None,
         replicated: bool = False) -> Tuple[Optional[dict], list]:
    """`replicated`: the record keeps copies of `fields` (store/replicas.py); the check goes to one."""
    if use_cache:
        hit, item = cache.get(key)
        if hit:
            if replicated:
                from chalicelib.store import replicas
                return item, [replicas.check(key, item, fields)]
            return item, [equal_op(key, item or {}, fields)]
    item = (table or Table()).get(*key)
    cache.put(key, item)
    return item, []


def forget(*keys: tuple) -> None:
    cache.drop(keys)


def equal_op(key: tuple, item: dict, fields: tuple) -> dict:
    """A ConditionCheck that each field is what `item` has (absent where it has none)."""
    condition, values, names = fields_equal(item, fields)
    return check_op(*key, condition, values, names)


def fields_equal(item: dict, fields) -> Tuple[str, Optional[dict], dict]:
    """The condition (with its values and names) that each field is what `item` has, or absent
    where it has none."""
    parts, values, names = [], {}, {}
    for i, name in enumerate(fields):
        names[f"#f{i}"] = name
        if item.get(name) is None:
            parts.append(f"attribute_not_exists(#f{i})")
        else:
            parts.append(f"#f{i} = :f{i}")
            values[f":f{i}"] = item[name]
    return " AND ".join(parts), values or None, names
