"""API reads the console needs beyond the contract (documented extensions): stage counts, print
lanes, a parcel by waybill, a pending product's candidates, an upload job's report URL."""
import uuid

from tests import helpers
from tests.helpers import assert_problem
from tests.integration.desk_support import Desk


def test_stage_counts_count_live_orders_of_each_stage(stack):
    desk = Desk(stack)
    desk.paid_order()
    desk.reviewed(2)
    desk.reserved(1)
    counts = desk.operator.get("/v1/desk/stage-counts").json()
    assert counts["counts"] == {"to_review": 1, "reviewed": 2, "waybill_reserved": 1, "printed": 0,
                                "inspected": 0, "shipped": 0}
    assert counts["capped"] == []
    other = Desk(stack)
    assert other.operator.get("/v1/desk/stage-counts").json()["counts"]["reviewed"] == 0   # per merchant


def test_print_lanes_are_listed(stack):
    desk = Desk(stack)
    assert desk.operator.get("/v1/desk/print-lanes").json()["items"] == []
    made = desk.supervisor.put("/v1/desk/print-lanes/south", {"provinces": ["广东省"], "carrier_code": "sf"})
    assert made.status_code == 200, made.text
    lanes = desk.operator.get("/v1/desk/print-lanes").json()["items"]
    assert lanes == [{"lane": "south", "provinces": ["广东省"], "paid_from_hour": None, "paid_to_hour": None,
                      "carrier_code": "SF"}]


def test_a_parcel_is_what_its_label_says(stack):
    desk = Desk(stack)
    desk.product("A1", barcode="6901234567892")
    (order_id,) = desk.printed(1, lines=[("A1", 2), ("B2", 1)])
    waybill = desk.order(order_id)["waybill_no"]
    parcel = desk.operator.get(f"/v1/desk/parcels/{waybill}").json()
    assert parcel["order_id"] == order_id and parcel["stage"] == "printed"
    assert sorted((l["code"], l["quantity"]) for l in parcel["lines"]) == [("6901234567892", 2), ("B2", 1)]
    assert_problem(desk.operator.get("/v1/desk/parcels/NO-SUCH-1"), 404, "not_found")
    (unprinted,) = desk.reserved(1)
    assert_problem(desk.operator.get(f"/v1/desk/parcels/{desk.order(unprinted)['waybill_no']}"), 409, "not_printed")
    other = Desk(stack)
    assert_problem(other.operator.get(f"/v1/desk/parcels/{waybill}"), 404, "not_found")  # tenancy


def test_a_pending_products_candidates_are_the_base_products_its_criteria_find(stack):
    m = helpers.new_merchant(stack)
    barcode = "69" + uuid.uuid4().hex[:11]
    bases = [f"BP-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for base in bases:
        assert helpers.admin(stack).put(f"/v1/admin/base-products/{base}", {"name": base, "barcode": barcode}).status_code == 200
    m.client.put("/v1/products", {"items": [{"erp_product_id": "X1", "name": "x", "barcode": barcode, "default_price": "1.00"}]})
    found = m.client.get("/v1/products/X1/candidates").json()
    assert found["match"] == "pending_review"
    assert sorted(c["base_product_id"] for c in found["items"]) == sorted(bases)
    assert all(c["matched_by"] == ["barcode"] for c in found["items"])
    assert_problem(m.client.get("/v1/products/NOPE/candidates"), 404, "not_found")


def test_an_upload_jobs_report_has_a_download_url(stack):
    import requests
    m = helpers.new_merchant(stack)
    grant = m.client.post("/v1/uploads", {"kind": "inventory", "filename": "库存 \"11\".csv"}).json()
    assert requests.put(grant["upload_url"], data=b"erp_product_id,on_hand\nZ1,3\n", timeout=10).status_code == 200
    stack.pump.drain(names=["UploadsQueue", "JobsQueue"])
    job = m.client.get("/v1/uploads").json()["items"][0]
    assert job["status"] == "done", job
    report = m.client.get(f"/v1/uploads/{job['job_id']}/report").json()
    assert report["report_key"] == job["report_key"]
    got = requests.get(report["download_url"], timeout=10)
    assert got.status_code == 200 and got.content[:2] == b"PK"
    disposition = got.headers.get("Content-Disposition", "")
    assert 'filename="__ _11_.csv.result.xlsx"' in disposition
    assert "filename*=UTF-8''%E5%BA%93%E5%AD%98%20%2211%22.csv.result.xlsx" in disposition
    assert_problem(m.client.get("/v1/uploads/up_nope/report"), 404, "not_found")
