"""Console logins and operator management by supervisors (or the merchant's signed requests)."""
from pydantic import Field

from chalicelib.api.admin import NewOperator
from chalicelib.api.handler import handler
from chalicelib.api.admin import OperatorCreated
from chalicelib.api.models import Id, Strict, View
from chalicelib.services import accounts


class Login(Strict):
    merchant_id: Id
    username: Id
    password: str = Field(min_length=1, max_length=200)


class Session(View):
    token: str = Field(description="Send as Authorization: Bearer <token>")
    expires_at: str
    role: str


@handler(body=Login, status=201, response=Session, errors=("unauthenticated", "too_many_attempts"))
def create_session(ctx):
    b = ctx.body
    return accounts.login(b.merchant_id, b.username, b.password)


@handler(body=NewOperator, status=201, idempotent=True, response=OperatorCreated,
         errors=("not_found", "already_exists"))
def create_operator(ctx):
    b = ctx.body
    return accounts.create_operator(ctx.caller.merchant_id, b.username, b.password, b.role)
