"""Console logins and logout, and the merchant's console users (contract section 2): created and
changed by supervisors (operators and supervisors only), managers or the merchant's signed requests."""
from typing import List, Literal, Optional

from chalice import Response
from pydantic import Field, model_validator

from chalicelib.api.admin import NewOperator, OperatorCreated
from chalicelib.api.handler import handler
from chalicelib.api.models import Id, Paging, Strict, View
from chalicelib.api.params import path_id
from chalicelib.services import accounts, paging


class Login(Strict):
    merchant_id: Id
    username: Id
    password: str = Field(min_length=1, max_length=200)


class Session(View):
    token: str = Field(description="Send as Authorization: Bearer <token>")
    expires_at: str
    role: str


class UserChange(Strict):
    """At least one of the fields; any change ends the user's sessions."""
    password: Optional[str] = Field(None, min_length=8, max_length=200)
    role: Optional[Literal["operator", "supervisor", "manager"]] = None
    disabled: Optional[bool] = None

    @model_validator(mode="after")
    def _something(self):
        if self.password is None and self.role is None and self.disabled is None:
            raise ValueError("give password, role or disabled")
        return self


class User(Strict):
    username: str
    role: Literal["operator", "supervisor", "manager"]
    disabled: bool
    created_at: Optional[str] = None
    updated_at: Optional[str] = None


class UserPage(Strict):
    items: List[User]
    next_cursor: Optional[str]


@handler(body=Login, status=201, response=Session, errors=("unauthenticated", "too_many_attempts"))
def create_session(ctx):
    b = ctx.body
    return accounts.login(b.merchant_id, b.username, b.password)


@handler(status=204, errors=())
def delete_session(ctx):
    accounts.logout(ctx.caller.session_key)
    return Response(body="", status_code=204)


@handler(body=NewOperator, status=201, idempotent=True, response=OperatorCreated,
         errors=("not_found", "already_exists"))
def create_operator(ctx):
    b = ctx.body
    return accounts.create_operator(ctx.caller.merchant_id, b.username, b.password, b.role,
                                    by_supervisor=_supervisor(ctx.caller))


@handler(body=UserChange, response=User, errors=("not_found",))
def change_operator(ctx):
    b = ctx.body
    return accounts.change_operator(ctx.caller.merchant_id, path_id(ctx, "username"), b.password, b.role,
                                    b.disabled, by_supervisor=_supervisor(ctx.caller))


@handler(query=Paging, response=UserPage, errors=())
def list_operators(ctx):
    query_id = f"operators|{ctx.caller.merchant_id}"
    items, last = accounts.list_operators(ctx.caller.merchant_id, ctx.query.limit,
                                          paging.decode(ctx.query.cursor, query_id))
    return {"items": items, "next_cursor": paging.encode(last, query_id)}


def _supervisor(caller) -> bool:
    return caller.kind == "operator" and caller.role == "supervisor"
