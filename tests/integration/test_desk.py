"""The fulfillment desk over HTTP against the local stack (contract section 8)."""
import shutil
from datetime import datetime, timedelta
from io import BytesIO

import pytest
import requests

from tests.integration.desk_support import CN, Desk, decode_pages, hold, set_on_hand
from tests.helpers import assert_problem


@pytest.fixture(scope="module")
def desk(stack):
    return Desk(stack)


def results(answer) -> dict:
    assert answer.status_code == 200, answer.text
    return {r["key"]: r for r in answer.json()["results"]}


# review screen --------------------------------------------------------------------------
def test_filters_of_the_review_screen(stack):
    d = Desk(stack)
    early = datetime(2026, 11, 20, 9, 0, tzinfo=CN)
    a = d.paid_order([("A", 1)], province="吉林省", paid_at=early)
    b = d.paid_order([("A", 2), ("B", 1)], province="浙江省", paid_at=early + timedelta(hours=5), remark="加急")
    c = d.paid_order([("B", 3)], province="浙江省", paid_at=early + timedelta(days=1))

    def ids(**query):
        path = "/v1/desk/orders?" + "&".join(f"{k}={v}" for k, v in query.items())
        answer = d.operator.get(path)
        assert answer.status_code == 200, answer.text
        return [o["order_id"] for o in answer.json()["items"]]

    assert ids(stage="to_review") == [a, b, c]
    assert ids(province="浙江") == [b, c]
    assert ids(has_remark="true") == [b]
    assert ids(has_remark="false") == [a, c]
    assert ids(erp_product_id="B") == [b, c]
    assert ids(line_count=2) == [b]
    assert ids(quantity=3) == [b, c]
    assert ids(paid_after="2026-11-20T10:00:00%2B08:00", paid_before="2026-11-21T00:00:00%2B08:00") == [b]
    assert ids(stage="reviewed") == []
    page = d.operator.get("/v1/desk/orders?limit=2").json()
    rest = d.operator.get(f"/v1/desk/orders?limit=2&cursor={page['next_cursor']}").json()
    assert [o["order_id"] for o in page["items"] + rest["items"]] == [a, b, c] and rest["next_cursor"] is None
    assert_problem(d.operator.get("/v1/desk/orders?stage=nope"), 422, "validation_error")
    body = d.order(b)
    assert body["stage"] == "to_review" and body["print_count"] == 0 and body["prints"] == []
    assert body["remark"] == "加急" and len(body["lines"]) == 2


def test_remark_and_other_merchants(stack, desk):
    order_id = desk.paid_order()
    answer = desk.operator.put(f"/v1/desk/orders/{order_id}/remark", {"merchant_remark": "客服: 换顺丰"})
    assert answer.status_code == 200 and answer.json()["merchant_remark"] == "客服: 换顺丰"
    other = Desk(stack)
    assert_problem(other.operator.get(f"/v1/desk/orders/{order_id}"), 404, "not_found")
    assert_problem(other.operator.put(f"/v1/desk/orders/{order_id}/remark", {"merchant_remark": "x"}), 404,
                   "not_found")
    assert results(other.operator.post("/v1/desk/reviews", {"order_ids": [order_id]}))[order_id]["code"] == "not_found"


def test_auto_review_passes_clean_orders_and_says_why_not_for_the_rest(stack):
    d = Desk(stack)
    d.product("SHORT", on_hand=2)
    clean = d.paid_order([("P1", 2)])
    remarked = d.paid_order([("P1", 1)], remark="请周末送")
    held = d.paid_order([("P1", 1)])
    hold(d.mid, held)
    short1 = d.paid_order([("SHORT", 1)])
    short2 = d.paid_order([("SHORT", 1)])
    set_on_hand(d.mid, "SHORT", 1)   # the ERP counted the shelf: 2 reserved, 1 on hand → oversold
    answer = results(d.operator.post("/v1/desk/reviews", {"auto": True}))
    assert answer[clean]["status"] == "ok", answer[clean]
    assert (answer[remarked]["status"], answer[remarked]["code"]) == ("skipped", "has_remark")
    assert (answer[held]["status"], answer[held]["code"]) == ("skipped", "refund_pending")
    assert answer[short1]["code"] == answer[short2]["code"] == "insufficient_stock"
    assert d.order(clean)["stage"] == "reviewed"
    assert d.order(remarked)["stage"] == "to_review"
    # a person reviews the remarked order by hand; a held one stays refused
    manual = results(d.operator.post("/v1/desk/reviews", {"order_ids": [remarked, held, clean]}))
    assert manual[remarked]["status"] == "ok" and manual[held]["code"] == "refund_pending"
    assert manual[clean]["status"] == "skipped"
    dup = d.operator.post("/v1/desk/reviews", {"order_ids": [clean, clean]}).json()["results"]
    assert dup[1]["code"] == "duplicate_key"
    assert_problem(d.operator.post("/v1/desk/reviews", {"auto": True, "order_ids": [clean]}), 422,
                   "validation_error")


def test_carrier_rules_apply_at_review_and_batch_changes(stack):
    d = Desk(stack, carrier_rules=False)
    assert d.operator.put("/v1/desk/carrier-rules", {"rules": []}).status_code == 403
    rules = {"rules": [{"provinces": ["北京", "天津"], "carrier_code": "JD"},
                       {"provinces": ["广东省"], "carrier_code": "ZTO"}]}
    assert d.supervisor.put("/v1/desk/carrier-rules", rules).status_code == 200
    assert_problem(d.supervisor.put("/v1/desk/carrier-rules", {"rules": [{"provinces": ["x"], "carrier_code": "NOPE"}]}),
                   422, "unknown_carrier")
    bj, gd, xz = d.paid_order(province="北京市"), d.paid_order(province="广东省"), d.paid_order(province="西藏自治区")
    changed = results(d.operator.put("/v1/desk/orders/carrier", {"order_ids": [gd], "carrier_code": "SF"}))
    assert changed[gd]["status"] == "ok"
    results(d.operator.post("/v1/desk/reviews", {"order_ids": [bj, gd, xz]}))
    assert [d.order(o)["carrier_code"] for o in (bj, gd, xz)] == ["JD", "SF", None]
    reserved = results(d.operator.post("/v1/desk/waybills", {"order_ids": [xz, gd]}))
    assert reserved[xz]["code"] == "no_carrier" and reserved[gd]["status"] == "ok"
    again = results(d.operator.put("/v1/desk/orders/carrier", {"order_ids": [gd, xz], "carrier_code": "STO"}))
    assert again[gd]["code"] == "waybill_reserved" and again[xz]["status"] == "ok"


# waybills -------------------------------------------------------------------------------
def test_waybill_ranges_refuse_overlaps(stack, desk):
    prefix = desk.prefix
    assert_problem(desk.supervisor.post("/v1/desk/waybill-ranges",
                                        {"carrier_code": "SF", "prefix": prefix, "first": 900, "last": 1200}),
                   409, "waybill_range_overlap")
    assert_problem(desk.supervisor.post("/v1/desk/waybill-ranges",   # same spelled numbers, other prefix
                                        {"carrier_code": "ZTO", "prefix": prefix + "0", "first": 5, "last": 999}),
                   409, "waybill_range_overlap")
    assert desk.supervisor.post("/v1/desk/waybill-ranges", {"carrier_code": "SF", "prefix": prefix,
                                                            "first": 1001, "last": 1200}).status_code == 201
    assert desk.operator.post("/v1/desk/waybill-ranges", {"carrier_code": "SF", "prefix": "Q", "first": 1,
                                                          "last": 2}).status_code == 403
    assert_problem(desk.supervisor.post("/v1/desk/waybill-ranges", {"carrier_code": "SF", "prefix": "Q",
                                                                     "first": 5, "last": 2}), 422, "validation_error")


def test_one_number_per_order_kept_and_ranges_run_out(stack):
    d = Desk(stack, range_size=5)
    ids = d.reviewed(7)
    first = results(d.operator.post("/v1/desk/waybills", {"order_ids": ids[:3]}))
    numbers = [first[o]["waybill_no"] for o in ids[:3]]
    assert numbers == [f"{d.prefix}{n}" for n in (1, 2, 3)]
    second = results(d.operator.post("/v1/desk/waybills", {"order_ids": ids}))
    assert [second[o]["waybill_no"] for o in ids[:3]] == numbers          # a reserved number stays
    assert [second[o]["waybill_no"] for o in ids[3:5]] == [f"{d.prefix}4", f"{d.prefix}5"]
    assert [second[o]["code"] for o in ids[5:]] == ["no_waybill_numbers"] * 2
    more = d.supervisor.post("/v1/desk/waybill-ranges", {"carrier_code": "SF", "prefix": d.prefix + "X",
                                                         "first": 10, "last": 99})
    assert more.status_code == 201, more.text
    third = results(d.operator.post("/v1/desk/waybills", {"order_ids": ids[5:]}))
    assert [third[o]["waybill_no"] for o in ids[5:]] == [f"{d.prefix}X10", f"{d.prefix}X11"]
    view = d.order(ids[0])
    assert view["stage"] == "waybill_reserved" and view["waybill_no"] == numbers[0]
    ranges = d.operator.get("/v1/desk/waybill-ranges").json()["items"]
    assert [r["remaining"] for r in ranges] == [0, 88]


def test_reservations_need_review_and_no_hold(stack, desk):
    fresh = desk.paid_order()
    held = desk.reviewed(1)[0]
    hold(desk.mid, held)
    answer = results(desk.operator.post("/v1/desk/waybills", {"order_ids": [fresh, held, "o_missing"]}))
    assert answer[fresh]["code"] == "not_reviewed"
    assert answer[held]["code"] == "refund_pending"
    assert answer["o_missing"]["code"] == "not_found"


# printing -------------------------------------------------------------------------------
def test_print_batch_claims_and_labels_scan(stack):
    d = Desk(stack)
    d.product("AMX", barcode="6901234567892")
    ids = d.reserved(3, lines=[("AMX", 2), ("IBU", 1)])
    answer = d.operator.post("/v1/desk/print-batches", {"max_orders": 2})
    assert answer.status_code == 201, answer.text
    batch = answer.json()
    assert batch["order_ids"] == ids[:2]
    pdf = requests.get(batch["labels_url"], timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader
    pages = PdfReader(BytesIO(pdf.content)).pages
    assert len(pages) == 2
    for order_id, page in zip(ids, pages):
        view = d.order(order_id)
        assert view["stage"] == "printed" and view["print_count"] == 1
        assert view["prints"][0]["operator"] == d.operator.username
        assert view["prints"][0]["authorized_by"] is None
        text = page.extract_text()
        rows = text.splitlines()
        assert rows.count("6901234567892") == 1 and rows.count("IBU") == 1 and rows.count(view["waybill_no"]) == 1
        assert rows.count("药品AMX") == 1 and rows.count("药品IBU") == 1
        assert rows[rows.index("6901234567892") + 1] == "x2" and rows[rows.index("IBU") + 1] == "x1"
    rest = d.operator.post("/v1/desk/print-batches", {"max_orders": 5}).json()
    assert rest["order_ids"] == ids[2:]
    empty = d.operator.post("/v1/desk/print-batches", {"max_orders": 5})
    assert empty.status_code == 200 and empty.json()["order_ids"] == [] and empty.json()["labels_url"] is None


@pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                    reason="poppler-utils (pdftoppm) and zbar-tools (zbarimg) are not installed; `make test` installs them")
def test_batch_labels_scan_as_their_waybill_numbers(stack):
    d = Desk(stack)
    ids = d.reserved(3, lines=[("AMX", 1)])
    batch = d.operator.post("/v1/desk/print-batches", {"max_orders": 3}).json()
    pdf = requests.get(batch["labels_url"], timeout=10).content
    assert decode_pages(pdf) == [d.order(o)["waybill_no"] for o in batch["order_ids"]]
    assert sorted(batch["order_ids"]) == sorted(ids)


def test_lanes_split_the_work(stack):
    d = Desk(stack)
    morning = datetime(2026, 11, 21, 8, 0, tzinfo=CN)
    north = d.reserved(2, province="吉林省", paid_at=morning)
    south_am = d.reserved(1, province="广东省", paid_at=morning)
    south_pm = d.reserved(1, province="广东省", paid_at=morning + timedelta(hours=8))
    assert d.supervisor.put("/v1/desk/print-lanes/north", {"provinces": ["吉林", "黑龙江", "辽宁"]}).status_code == 200
    assert d.supervisor.put("/v1/desk/print-lanes/am", {"paid_from_hour": 0, "paid_to_hour": 12}).status_code == 200
    assert_problem(d.operator.post("/v1/desk/print-batches", {"lane": "nope", "max_orders": 5}), 422, "unknown_lane")
    assert sorted(d.operator.post("/v1/desk/print-batches", {"lane": "north", "max_orders": 5}).json()["order_ids"]) \
        == sorted(north)
    assert d.operator.post("/v1/desk/print-batches", {"lane": "am", "max_orders": 5}).json()["order_ids"] == south_am
    assert d.operator.post("/v1/desk/print-batches", {"max_orders": 5}).json()["order_ids"] == south_pm


def test_held_orders_are_not_printed(stack):
    d = Desk(stack)
    ids = d.reserved(2)
    hold(d.mid, ids[0])
    assert d.operator.post("/v1/desk/print-batches", {"max_orders": 5}).json()["order_ids"] == [ids[1]]


def test_reprint_needs_a_supervisor(stack):
    d = Desk(stack)
    order_id = d.reserved(1)[0]
    assert_problem(d.operator.post(f"/v1/desk/orders/{order_id}/reprints", {"reason": "卡纸"}), 409, "not_printed")
    d.operator.post("/v1/desk/print-batches", {"max_orders": 1})
    path = f"/v1/desk/orders/{order_id}/reprints"
    assert_problem(d.operator.post(path, {"reason": "卡纸"}), 403, "reprint_not_authorized")
    wrong = {"username": d.supervisor.username, "password": "wrong-password"}
    assert_problem(d.operator.post(path, {"reason": "卡纸", "supervisor": wrong}), 403, "reprint_not_authorized")
    peer = {"username": d.operator.username, "password": "password-1"}   # an operator is no supervisor
    assert_problem(d.operator.post(path, {"reason": "卡纸", "supervisor": peer}), 403, "reprint_not_authorized")
    assert d.order(order_id)["print_count"] == 1
    ok = d.operator.post(path, {"reason": "卡纸", "supervisor": {"username": d.supervisor.username,
                                                                "password": "password-1"}})
    assert ok.status_code == 201, ok.text
    assert ok.json()["print_count"] == 2
    assert requests.get(ok.json()["labels_url"], timeout=10).content.startswith(b"%PDF")
    view = d.order(order_id)
    assert view["print_count"] == 2 and view["stage"] == "printed"
    assert [(p["reason"], p["authorized_by"]) for p in view["prints"]] == [("print batch", None),
                                                                          ("卡纸", d.supervisor.username)]
    assert view["prints"][1]["operator"] == d.operator.username


def test_refund_checks_report_holds(stack, desk):
    a, b = desk.paid_order(), desk.paid_order()
    hold(desk.mid, b)
    answer = results(desk.operator.post("/v1/desk/refund-checks", {"order_ids": [a, b]}))
    assert answer[a]["refund_pending"] is False and answer[b]["refund_pending"] is True
    assert answer[b]["holds"] == ["refund_pending"]
    # the batch status stays the result's (contract section 1); the order's status is order_status
    assert answer[a]["status"] == "ok" and answer[a]["order_status"] == "paid"
