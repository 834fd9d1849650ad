"""Test helpers on top of the live stack: clients for the admin, a fresh merchant, a channel, operators."""
import uuid
from dataclasses import dataclass

from chalicelib.sdk import Client, signed_headers


@dataclass
class Merchant:
    merchant_id: str
    secret: str
    client: Client


def admin(stack) -> Client:
    return Client(stack.api_url, ("bearer", stack.admin_token))


def anonymous(stack) -> Client:
    return Client(stack.api_url)


def new_merchant(stack, name: str = "") -> Merchant:
    answer = admin(stack).post("/v1/admin/merchants", {"name": name or f"merchant {uuid.uuid4().hex[:6]}"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return Merchant(body["merchant_id"], body["secret"],
                    Client(stack.api_url, ("signed", body["merchant_id"], body["secret"])))


def new_channel(stack, merchant_ids: list) -> Client:
    answer = admin(stack).post("/v1/admin/channels", {"name": "shop", "merchant_ids": merchant_ids})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return Client(stack.api_url, ("signed", body["channel_id"], body["secret"]))


def operator(stack, merchant_id: str, role: str = "operator", username: str = "") -> Client:
    username = username or f"{role}-{uuid.uuid4().hex[:6]}"
    made = admin(stack).post(f"/v1/admin/merchants/{merchant_id}/operators",
                             {"username": username, "password": "password-1", "role": role})
    assert made.status_code == 201, made.text
    session = anonymous(stack).post("/v1/console/sessions", {"merchant_id": merchant_id,
                                                             "username": username, "password": "password-1"})
    assert session.status_code == 201, session.text
    client = Client(stack.api_url, ("bearer", session.json()["token"]))
    client.username = username
    return client


def signer(key_id: str, secret: str):
    """A `requests` auth (session.auth = signer(...)) that signs each prepared request as it goes
    on the wire: its method, its percent-encoded path and query, and its body's exact bytes."""
    def sign(request):
        body = request.body or b""
        if isinstance(body, str):
            body = request.body = body.encode("utf-8")
            request.headers["Content-Length"] = str(len(body))
        request.headers.update(signed_headers(key_id, secret, request.method, request.url, body))
        return request
    return sign


def assert_problem(answer, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    body = answer.json()
    assert body["code"] == code and body["status"] == status, body
    assert answer.headers.get("X-Request-Id")
    return body
