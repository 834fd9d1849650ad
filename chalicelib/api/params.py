"""Path parameters that become part of a DynamoDB key: checked like ids in bodies."""
import re

from chalicelib.domain.errors import ValidationFailed

_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")


def path_id(ctx, name: str) -> str:
    value = ctx.params[name]
    if not _ID.fullmatch(value or ""):
        raise ValidationFailed(f"{name} must be 1-64 characters of A-Z a-z 0-9 _ . : -",
                               [{"field": name, "message": "invalid id"}])
    return value
