"""Outbound URLs written as address literals that reach inside (contract section 10): the
webhook endpoint and the ERP connection answer 422 `url_not_allowed` on the live stack, which
allows plain loopback by design and none of these."""
import pytest

from tests.helpers import assert_problem, new_merchant
from tests.unit.test_outbound import REFUSED_EVEN_LOCALLY


@pytest.fixture(scope="module")
def merchant(stack):
    return new_merchant(stack, "outbound ranges")


def literal(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@pytest.mark.parametrize("address", REFUSED_EVEN_LOCALLY.values(), ids=REFUSED_EVEN_LOCALLY.keys())
def test_a_webhook_endpoint_at_such_an_address_is_refused(merchant, address):
    answer = merchant.client.put("/v1/webhook-endpoint", {"url": f"https://{literal(address)}:8443/hook",
                                                          "events": ["order.paid"]})
    assert_problem(answer, 422, "url_not_allowed")
    assert "not allowed" in answer.json()["detail"]
    assert merchant.client.get("/v1/webhook-endpoint").status_code == 404


@pytest.mark.parametrize("address", ["fec0::1", "2002:a00:1::1", "64:ff9b::a9fe:a9fe", "192.0.0.9", "::ffff:10.0.0.1"])
def test_an_erp_connection_at_such_an_address_is_refused(merchant, address):
    answer = merchant.client.put("/v1/erp-connection", {"inventory_url": f"http://{literal(address)}/inventory",
                                                        "poll_every_minutes": 5})
    assert_problem(answer, 422, "url_not_allowed")
