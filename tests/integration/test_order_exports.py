"""POST /v1/exports/orders → a job → an .xlsx of the same orders GET /v1/orders answers."""
import io

import pytest
import requests

from tests import orders_support
from tests.helpers import assert_problem, operator


@pytest.fixture(scope="module")
def shop(stack):
    shop = orders_support.shop(stack)
    orders_support.seed_product(shop.merchant_id, "EX1", price="12.50")
    orders_support.seed_product(shop.merchant_id, "EX2", price="3.00")
    return shop


def rows_of(url: str) -> list:
    from python_calamine import CalamineWorkbook
    data = requests.get(url, timeout=30)
    assert data.status_code == 200
    return [list(r) for r in CalamineWorkbook.from_filelike(io.BytesIO(data.content)).get_sheet_by_index(0).iter_rows()]


def test_orders_export_streams_the_feed_into_xlsx(stack, shop):
    paid = [orders_support.paid_order(shop, [("EX1", 2), ("EX2", 1)])["order_id"] for _ in range(3)]
    orders_support.place(shop, [("EX1", 1)])                     # unpaid: not offered to the ERP
    answer = shop.merchant.post("/v1/exports/orders", {"sync_status": "pending"},
                                headers={"Idempotency-Key": "export-1"})
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    again = shop.merchant.post("/v1/exports/orders", {"sync_status": "pending"}, headers={"Idempotency-Key": "export-1"})
    assert again.json()["job_id"] == job_id and again.headers.get("Idempotent-Replayed") == "true"
    stack.pump.drain(timeout=60)
    job = shop.merchant.get(f"/v1/exports/{job_id}").json()
    assert job["status"] == "done" and job["key"] == f"exports/{shop.merchant_id}/{job_id}.xlsx", job
    rows = rows_of(job["download_url"])
    header = rows[0]
    assert header[:2] == ["订单号", "订单状态"]
    lines = [dict(zip(header, r)) for r in rows[1:]]
    assert sorted({line["订单号"] for line in lines}) == sorted(paid)
    assert len(lines) == 6 and {line["商品编码"] for line in lines} == {"EX1", "EX2"}
    first = next(line for line in lines if line["商品编码"] == "EX1")
    assert (first["数量"], first["单价"], first["订单金额"]) == (2, "12.50", "28.00")     # quantities are numbers, money exact text


def test_exports_follow_the_query_and_stay_the_merchants(stack, shop):
    answer = shop.merchant.post("/v1/exports/orders", {"status": "cancelled"})
    stack.pump.drain(timeout=60)
    job = shop.merchant.get(f"/v1/exports/{answer.json()['job_id']}").json()
    assert job["status"] == "done" and job["rows"] == 0
    assert rows_of(job["download_url"])[1:] == []
    other = orders_support.shop(stack)
    assert_problem(other.merchant.get(f"/v1/exports/{answer.json()['job_id']}"), 404, "not_found")
    assert_problem(shop.merchant.post("/v1/exports/orders", {"status": "lost"}), 422, "validation_error")
    assert_problem(shop.merchant.post("/v1/exports/orders", {"limit": 5}), 422, "validation_error")


def test_console_managers_export_too_operators_do_not(stack, shop):
    manager = operator(stack, shop.merchant_id, "manager")
    answer = manager.post("/v1/exports/orders", {})
    assert answer.status_code == 202, answer.text
    stack.pump.drain(timeout=60)
    assert manager.get(f"/v1/exports/{answer.json()['job_id']}").json()["status"] == "done"
    desk = operator(stack, shop.merchant_id)
    assert_problem(desk.post("/v1/exports/orders", {}), 403, "forbidden")
    assert_problem(desk.get(f"/v1/exports/{answer.json()['job_id']}"), 403, "forbidden")


def test_an_export_that_would_outrun_its_invocation_stops_with_a_clear_reason(stack, shop, monkeypatch):
    from chalicelib.services import exports
    orders_support.paid_order(shop, [("EX1", 1)])
    monkeypatch.setattr(exports, "FINISH_RESERVE", 10.0 ** 6)      # no time left at the first order
    answer = shop.merchant.post("/v1/exports/orders", {"sync_status": "pending"})
    stack.pump.drain(timeout=60)
    job = shop.merchant.get(f"/v1/exports/{answer.json()['job_id']}").json()
    assert (job["status"], job["key"], job["download_url"]) == ("fatal", None, None), job
    assert job["detail"].startswith("too many orders for one export: 0 rows were written") and "narrow" in job["detail"]
