"""UpdateExpression building for the store: SET and REMOVE of plain fields by placeholder, so
reserved words (`name`, `match`...) never need special care."""
from typing import Dict, Iterable, Optional, Tuple


def update(sets: Dict[str, object], removes: Iterable[str] = (), raw_sets: Iterable[str] = (),
           raw_tail: str = "", values: Optional[dict] = None,
           names: Optional[dict] = None) -> Tuple[str, dict, dict]:
    """(expression, values, names). `None` values are removed instead of set. `raw_sets` are
    extra SET clauses written with the caller's own `values` / `names` placeholders;
    `raw_tail` is appended as is (an `ADD ...` or `DELETE ...` clause)."""
    values = dict(values or {})
    names = dict(names or {})
    set_parts, remove_parts = list(raw_sets), []
    for i, (field, value) in enumerate(sets.items()):
        names[f"#s{i}"] = field
        if value is None:
            remove_parts.append(f"#s{i}")
        else:
            values[f":s{i}"] = value
            set_parts.append(f"#s{i} = :s{i}")
    for i, field in enumerate(removes):
        names[f"#r{i}"] = field
        remove_parts.append(f"#r{i}")
    expression = ""
    if set_parts:
        expression += "SET " + ", ".join(set_parts)
    if remove_parts:
        expression += " REMOVE " + ", ".join(remove_parts)
    if raw_tail:
        expression += " " + raw_tail
    return expression.strip(), values, names
