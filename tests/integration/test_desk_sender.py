"""Waybills and the sender over HTTP (contract section 8): reserving needs a carrier and a range
only; the label is drawn when printed, with the sender set at that moment; printing without a
sender answers 409 `sender_not_set` and claims, prints and logs nothing."""
import shutil

import pytest
import requests

from tests.helpers import assert_problem
from tests.integration.desk_support import SENDER, Desk, decode_pages, label_objects, label_texts

needs_scanner = pytest.mark.skipif(
    not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
    reason="poppler-utils (pdftoppm) and zbar-tools (zbarimg) are not installed; `make test` installs them")

MOVED = {"name": "康宁医药 深圳仓", "phone": "0755-12345678", "province": "广东省", "city": "深圳市",
         "district": "宝安区", "detail": "福永物流园 8 栋"}
THIRD = {"name": "仁心 城东仓", "phone": "020-66667777", "province": "广东省", "city": "广州市",
         "district": "黄埔区", "detail": "开发大道 3 号"}
LINES = [("AMX", 2), ("IBU", 1)]


def pdf_of(answer) -> bytes:
    assert answer.status_code == 201, answer.text
    pdf = requests.get(answer.json()["labels_url"], timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    return pdf.content


def assert_label(text: str, view: dict, sender: dict, codes: dict) -> None:
    """What section 8 says a label carries: carrier, waybill number, recipient, the sender given,
    and each line's name, code and quantity exactly once (`codes`: {code: (name, quantity)})."""
    rows = text.splitlines()
    assert "顺丰" in rows and "SF" in rows and rows.count(view["waybill_no"]) == 1
    delivery = view["delivery"]
    for party in (delivery, sender):
        assert party["name"] in rows and party["phone"] in rows, party
        address = "".join(party[k] for k in ("province", "city", "district", "detail"))
        assert address in text.replace("\n", ""), address
    for code, (name, quantity) in codes.items():
        assert rows.count(code) == 1 and rows.count(name) == 1, code
        assert rows[rows.index(code) + 1] == f"x{quantity}", code


def test_reserving_needs_no_sender_and_printing_waits_for_one(stack):
    d = Desk(stack, sender=False)
    d.product("AMX", barcode="6901234567892")
    assert d.supervisor.get("/v1/settings/sender").json()["sender"] is None
    ids = d.reserved(3, lines=LINES)          # a carrier and a range: every order gets its number
    numbers = [d.order(o)["waybill_no"] for o in ids]
    assert numbers == [f"{d.prefix}{n:04d}" for n in (1, 2, 3)]

    for lane in (None, "all"):
        if lane:
            assert d.supervisor.put(f"/v1/desk/print-lanes/{lane}", {}).status_code == 200
        body = {"max_orders": 2, **({"lane": lane} if lane else {})}
        assert_problem(d.operator.post("/v1/desk/print-batches", body), 409, "sender_not_set")
    for order_id in ids:                      # claimed, printed, logged: nothing
        view = d.order(order_id)
        assert (view["stage"], view["print_count"], view["prints"]) == ("waybill_reserved", 0, [])
    assert label_objects(d.mid) == []
    assert d.operator.get("/v1/desk/orders?stage=printed").json()["items"] == []

    d.set_sender(SENDER)
    first = d.operator.post("/v1/desk/print-batches", {"max_orders": 2})
    assert first.json()["order_ids"] == ids[:2]                  # the same orders, still ready
    pages = label_texts(pdf_of(first))
    assert len(pages) == 2
    for order_id, text in zip(ids, pages):
        view = d.order(order_id)
        assert view["stage"] == "printed" and view["print_count"] == 1
        assert_label(text, view, SENDER, {"6901234567892": ("药品AMX", 2), "IBU": ("药品IBU", 1)})
    rest = d.operator.post("/v1/desk/print-batches", {"max_orders": 5})
    assert rest.json()["order_ids"] == ids[2:]
    assert len(label_objects(d.mid)) == 2


def test_a_sender_changed_after_reservation_is_on_the_next_print(stack):
    d = Desk(stack)                                   # reserved while SENDER is set
    order_id = d.reserved(1, lines=LINES)[0]
    d.set_sender(MOVED)
    set_barcode(d.mid, "IBU", "6920000011117")        # the ERP sent IBU's barcode meanwhile
    batch = d.operator.post("/v1/desk/print-batches", {"max_orders": 5})
    assert batch.json()["order_ids"] == [order_id]
    (text,) = label_texts(pdf_of(batch))
    view = d.order(order_id)
    assert_label(text, view, MOVED, {"AMX": ("药品AMX", 2), "6920000011117": ("药品IBU", 1)})
    assert SENDER["name"] not in text and SENDER["detail"] not in text

    d.set_sender(THIRD)
    d.reprint(order_id)
    reprinted = d.operator.get(f"/v1/desk/orders/{order_id}").json()
    assert reprinted["print_count"] == 2
    key = next(k for k in label_objects(d.mid) if "/reprints/" in k)
    assert key.endswith(f"{order_id}-2.pdf")
    from chalicelib.adapters import bucket
    (again,) = label_texts(bucket.get_bytes(key))
    assert_label(again, reprinted, THIRD, {"AMX": ("药品AMX", 2), "6920000011117": ("药品IBU", 1)})
    assert MOVED["name"] not in again

    # the outbound scan compares against the codes on the label the parcel carries
    scan = d.operator.post("/v1/desk/inspections", {"waybill_no": view["waybill_no"],
                                                     "scanned": ["AMX", "AMX", "6920000011117"]})
    assert scan.status_code == 200 and scan.json()["stage"] == "shipped", scan.text


def test_a_reprint_without_a_sender_prints_and_logs_nothing(stack):
    d = Desk(stack)
    order_id = d.printed(1)[0]
    forget_sender(d.mid)
    path = f"/v1/desk/orders/{order_id}/reprints"
    authorized = {"reason": "卡纸", "supervisor": {"username": d.supervisor.username, "password": "password-1"}}
    assert_problem(d.operator.post(path, authorized), 409, "sender_not_set")
    assert_problem(d.supervisor.post(path, {"reason": "卡纸"}), 409, "sender_not_set")
    view = d.order(order_id)
    assert (view["stage"], view["print_count"], len(view["prints"])) == ("printed", 1, 1)
    assert [k for k in label_objects(d.mid) if "/reprints/" in k] == []

    d.set_sender(MOVED)
    answer = d.operator.post(path, authorized)
    assert answer.status_code == 201 and answer.json()["print_count"] == 2, answer.text
    assert MOVED["name"] in label_texts(pdf_of(answer))[0].splitlines()


@needs_scanner
def test_labels_drawn_at_print_scan_as_their_waybill_numbers(stack):
    d = Desk(stack, sender=False)
    ids = d.reserved(2)
    d.set_sender(MOVED)
    batch = d.operator.post("/v1/desk/print-batches", {"max_orders": 2})
    assert decode_pages(pdf_of(batch)) == [d.order(o)["waybill_no"] for o in ids]


def forget_sender(merchant_id: str) -> None:
    """A merchant whose sender is gone (no endpoint removes one; a restored or migrated table
    can lack it): the settings item deleted straight from the table."""
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    Table().delete(*MerchantScope(merchant_id).settings("sender"))


def set_barcode(merchant_id: str, erp_product_id: str, barcode: str) -> None:
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    Table().update(*MerchantScope(merchant_id).product(erp_product_id), "SET barcode = :b", values={":b": barcode})
