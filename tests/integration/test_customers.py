"""PUT /v1/buyers (channel), PUT /v1/customers, PUT /v1/customers/by-platform-id, erp_customer_code."""
import pytest

from chalicelib.domain import credit_code
from chalicelib.services.customers import erp_customer_code, erp_customer_codes
from tests.catalog_support import uid
from tests.helpers import assert_problem, new_channel, new_merchant


def new_code() -> str:
    """A fresh valid unified social credit code."""
    first17 = "91440300" + uid("").upper().translate(str.maketrans("IOSVZ", "12345"))[:9]
    return first17 + credit_code.check_char(first17)


@pytest.fixture(scope="module")
def shops(stack):
    a, b = new_merchant(stack), new_merchant(stack)
    return a, b, new_channel(stack, [a.merchant_id, b.merchant_id])


def put_customers(merchant, items, headers=None):
    answer = merchant.client.put("/v1/customers", {"items": items}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def test_buyers_are_put_by_channels_with_a_checked_credit_code(stack, shops):
    a, _, channel = shops
    code = new_code()
    answer = channel.put(f"/v1/buyers/{uid('b')}", {"name": "某某药房有限公司", "credit_code": code.lower()})
    assert answer.status_code == 200, answer.text
    assert answer.json()["credit_code"] == code
    assert channel.put(f"/v1/buyers/{uid('b')}", {"name": "个人买家"}).status_code == 200
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    body = assert_problem(channel.put("/v1/buyers/b1", {"name": "x", "credit_code": bad}), 422, "invalid_credit_code")
    assert body["errors"][0]["field"] == "credit_code"
    assert_problem(channel.put("/v1/buyers/b1", {"name": "x", "credit_code": 91}), 422, "validation_error")
    assert_problem(a.client.put("/v1/buyers/b1", {"name": "x"}), 403, "forbidden")


def test_customers_match_buyers_by_credit_code_and_two_merchants_keep_their_own_codes(stack, shops):
    a, b, channel = shops
    code, buyer = new_code(), uid("buyer")
    channel.put(f"/v1/buyers/{buyer}", {"name": "连锁药房", "credit_code": code})
    results = put_customers(a, [
        {"erp_customer_code": "C001", "name": "连锁药房", "credit_code": code},
        {"erp_customer_code": "C002", "name": "无证客户"},
        {"erp_customer_code": "C003", "name": "错码", "credit_code": code[:17] + "?"},
        {"erp_customer_code": "C004", "name": "别家", "credit_code": new_code()},
        {"erp_customer_code": "C001", "name": "again"},
        {"erp_customer_code": "C005", "name": 5},
        {"erp_customer_code": "C006", "name": "x", "extra": 1},
    ])
    assert [(r["key"], r["status"], r["code"], r["match"], r["platform_customer_id"]) for r in results[:4]] == [
        ("C001", "ok", None, "matched", buyer), ("C002", "ok", None, "unmatched", None),
        ("C003", "error", "invalid_credit_code", None, None), ("C004", "ok", None, "unmatched", None)]
    assert [(r["status"], r["code"]) for r in results[4:]] == [("error", "duplicate_key"),
                                                               ("error", "validation_error"),
                                                               ("error", "validation_error")]
    put_customers(b, [{"erp_customer_code": "KH-9", "name": "连锁药房", "credit_code": code}])
    assert erp_customer_code(a.merchant_id, buyer) == "C001"
    assert erp_customer_code(b.merchant_id, buyer) == "KH-9"
    assert erp_customer_code(a.merchant_id, uid("nobody")) is None
    assert erp_customer_codes(b.merchant_id, [buyer, "nobody"]) == {buyer: "KH-9", "nobody": None}
    assert a.client.get("/v1/customers/C001").json()["platform_customer_id"] == buyer
    assert_problem(b.client.get("/v1/customers/C001"), 404, "not_found")


def test_a_buyer_who_appears_later_is_linked_then(stack, shops):
    a, _, channel = shops
    code, buyer = new_code(), uid("late")
    assert put_customers(a, [{"erp_customer_code": "LATE1", "name": "后来者", "credit_code": code}])[0]["match"] == "unmatched"
    channel.put(f"/v1/buyers/{buyer}", {"name": "后来者", "credit_code": code})
    assert a.client.get("/v1/customers/LATE1").json()["match"] == "matched"
    assert erp_customer_code(a.merchant_id, buyer) == "LATE1"


def test_a_changed_credit_code_matches_again_and_the_old_buyer_forgets_the_code(stack, shops):
    a, _, channel = shops
    old_code, new = new_code(), new_code()
    old_buyer, new_buyer = uid("old"), uid("new")
    channel.put(f"/v1/buyers/{old_buyer}", {"name": "旧", "credit_code": old_code})
    channel.put(f"/v1/buyers/{new_buyer}", {"name": "新", "credit_code": new})
    put_customers(a, [{"erp_customer_code": "MOVE1", "name": "客户", "credit_code": old_code}])
    assert erp_customer_code(a.merchant_id, old_buyer) == "MOVE1"
    result = put_customers(a, [{"erp_customer_code": "MOVE1", "name": "客户", "credit_code": new}])[0]
    assert result["platform_customer_id"] == new_buyer
    assert erp_customer_code(a.merchant_id, old_buyer) is None
    assert erp_customer_code(a.merchant_id, new_buyer) == "MOVE1"


def test_the_merchant_names_its_code_for_a_buyer(stack, shops):
    a, b, channel = shops
    buyer = uid("walkin")
    channel.put(f"/v1/buyers/{buyer}", {"name": "散客"})
    answer = a.client.put(f"/v1/customers/by-platform-id/{buyer}", {"erp_customer_code": "WALK-1"})
    assert answer.status_code == 200 and answer.json()["status"] == "ok", answer.text
    assert erp_customer_code(a.merchant_id, buyer) == "WALK-1"
    assert erp_customer_code(b.merchant_id, buyer) is None
    assert a.client.get("/v1/customers/WALK-1").json()["name"] == "散客"
    put_customers(a, [{"erp_customer_code": "WALK-1", "name": "散客（ERP）"}])     # unchanged: the link stays
    assert a.client.get("/v1/customers/WALK-1").json()["platform_customer_id"] == buyer
    a.client.put(f"/v1/customers/by-platform-id/{buyer}", {"erp_customer_code": "WALK-2"})
    assert erp_customer_code(a.merchant_id, buyer) == "WALK-2"
    assert a.client.get("/v1/customers/WALK-1").json()["match"] == "unmatched"
    assert_problem(a.client.put(f"/v1/customers/by-platform-id/{uid('x')}", {"erp_customer_code": "Z"}), 404,
                   "not_found")
    assert_problem(a.client.put(f"/v1/customers/by-platform-id/{buyer}", {"code": "Z"}), 422, "validation_error")


def test_switch_off_skips_automatic_customer_writes(stack, shops):
    _, _, channel = shops
    merchant = new_merchant(stack)
    buyer = uid("sw")
    channel_for = new_channel(stack, [merchant.merchant_id])
    channel_for.put(f"/v1/buyers/{buyer}", {"name": "x"})
    merchant.client.put("/v1/sync-switches", {"customers": False})
    assert put_customers(merchant, [{"erp_customer_code": "S1", "name": "x"}])[0]["code"] == "sync_off"
    assert merchant.client.put(f"/v1/customers/by-platform-id/{buyer}", {"erp_customer_code": "S1"}).json()["code"] == "sync_off"
    manual = put_customers(merchant, [{"erp_customer_code": "S1", "name": "x"}], headers={"X-Onceship-Source": "manual"})
    assert manual[0]["status"] == "ok"


def test_batch_envelope(shops):
    a, _, _ = shops
    assert_problem(a.client.put("/v1/customers", {"items": []}), 422, "validation_error")
    assert_problem(a.client.put("/v1/customers", {"items": [{"erp_customer_code": f"c{i}", "name": "x"} for i in range(101)]}),
                   422, "validation_error")
