"""Console logins and operator management by supervisors (or the merchant's signed requests)."""
from pydantic import Field

from chalicelib.api.admin import NewOperator
from chalicelib.api.handler import handler
from chalicelib.api.models import Id, Strict
from chalicelib.services import accounts


class Login(Strict):
    merchant_id: Id
    username: Id
    password: str = Field(min_length=1, max_length=200)


@handler(body=Login, status=201)
def create_session(ctx):
    b = ctx.body
    return accounts.login(b.merchant_id, b.username, b.password)


@handler(body=NewOperator, status=201, idempotent=True)
def create_operator(ctx):
    b = ctx.body
    return accounts.create_operator(ctx.caller.merchant_id, b.username, b.password, b.role)
