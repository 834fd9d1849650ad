"""What an idempotency record keeps of an answer that holds secrets (contract section 2: a replayed
answer carries the same secret, yet nothing stored holds it): the answer with each secret blanked
(`None`), and for each its place and recipe (domain/secrets.DerivedSecret), from which the server
key derives the same secret again."""
from typing import Any, Callable, List, Tuple

from chalicelib.domain.secrets import DerivedSecret


def without_secrets(value: Any) -> Tuple[Any, List[list]]:
    """(value with every DerivedSecret replaced by None, [[path, recipe], ...])."""
    found: List[list] = []
    return _strip(value, [], found), found


def with_secrets(value: Any, recipes: List[list], derive: Callable[[tuple], str]) -> Any:
    """`value` (as parsed back from JSON) with each secret derived again at its place."""
    for path, recipe in recipes:
        holder = value
        for part in path[:-1]:
            holder = holder[part]
        holder[path[-1]] = derive(tuple(recipe))
    return value


def _strip(value: Any, path: list, found: List[list]) -> Any:
    if isinstance(value, DerivedSecret):
        found.append([list(path), list(value.recipe)])
        return None
    if isinstance(value, dict):
        return {k: _strip(v, path + [k], found) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strip(v, path + [i], found) for i, v in enumerate(value)]
    return value
