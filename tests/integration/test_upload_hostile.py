"""Hostile spreadsheets through the live stack (contract section 9, guarantee 8): real .xlsx and
.csv files dropped in the bucket. Every bad cell is its row's error, found in bounded time, while
the good rows around it apply and the job ends `done`; a file or sheet over the limits ends
`fatal` with its reason and applies nothing; the worker's temporary files are gone however a run
ends."""
import os
import time

import pytest

from chalicelib.adapters import bucket, scratch
from chalicelib.services import upload_runner
from tests import sheets
from tests.catalog_support import product, put_products, uid
from tests.helpers import new_merchant

MANUAL = {"X-Onceship-Source": "manual"}
LONG = 100_000
BACKTRACKS = "2024-01-05" + " " * LONG + "x"        # hung the old date pattern (n² steps)


@pytest.fixture(scope="module")
def shop(stack):
    return new_merchant(stack, "hostile sheets")


def products(shop, count: int) -> list:
    ids = [uid("H") for _ in range(count)]
    put_products(shop, [product(i) for i in ids], headers=MANUAL)
    return ids


def stock(shop, erp_id: str):
    answer = shop.client.get(f"/v1/inventory/{erp_id}")
    return answer.json() if answer.status_code == 200 else None


def untouched(shop, erp_id: str) -> bool:
    found = stock(shop, erp_id)
    return found is None or (found["on_hand"] == 0 and not found["lots"])


def lot_row(erp_id, lot_no="L1", made="2024-01-01", expires="2026-01-01", quantity=10):
    return [erp_id, lot_no, made, expires, quantity]


def test_every_bad_cell_kind_between_good_rows_of_an_xlsx(stack, shop):
    """Number cells hold what the file stores (`inf`, `NaN`, `1e5000` that the reader turns into
    inf, 1e300, 1.5), text cells the rest; good rows sit between the bad ones."""
    number = sheets.Number
    cases = [  # (changes to a good lot row, None for a good row or what its message must say)
        ({}, None),
        ({"quantity": number("inf")}, "数量 (quantity): 'inf' is not a whole number"),
        ({"quantity": "sNaN"}, "'sNaN' is not a whole number"),
        ({"quantity": "１２"}, None),
        ({"quantity": number("1e5000")}, "'inf' is not a whole number"),
        ({"quantity": "1e5000"}, "'1e5000' is not a whole number"),
        ({"quantity": "1e9999999"}, "'1e9999999' is not a whole number"),
        ({"quantity": 1.5}, "'1.5' is not a whole number"),
        ({"quantity": 1e300}, "'1e+300' is not a whole number"),
        ({"quantity": number("NaN")}, "'nan' is not a whole number"),
        ({"made": "2026-02-30"}, "生产日期 (production_date): '2026-02-30' is not a real date"),
        ({"lot_no": "L" * LONG}, "批号 (lot_no): 'LLLL"),
        ({"expires": BACKTRACKS}, "有效期至 (expiry_date): '2024-01-05"),
        ({"quantity": "－３"}, "lots[0].quantity: Input should be greater than or equal to 0"),
        ({"lot_no": "批" * 300}, "lots[0].lot_no: "),                  # the API model holds it to its length
        ({"quantity": "9" * LONG}, "数量 (quantity): '9999"),
        ({"made": "２０２４－０１－０５"}, None),
    ]
    ids = products(shop, len(cases))
    rows = [lot_row(erp_id, **changes) for erp_id, (changes, _) in zip(ids, cases)]
    body = sheets.raw_xlsx(sheets.raw_rows([["商品编码", "批号", "生产日期", "有效期至", "数量"]] + rows))
    job = sheets.drop(stack, shop.merchant_id, "lots", sheets.unique("hostile", "xlsx"), body)
    results = sheets.outcomes(stack, job)
    assert (job["status"], job["rows"], job["ok"], job["errors"]) == ("done", 17, 3, 14), results
    for erp_id, (outcome, message), (_, reason) in zip(ids, results, cases):
        if reason is None:
            assert outcome == "ok", message
            assert stock(shop, erp_id)["on_hand"] in (10, 12)
        else:
            assert outcome == "error" and reason in message and len(message) <= 300, (reason, message)
            assert untouched(shop, erp_id)
    assert sum("too long" in message for _, message in results) == 3      # the 100k-character cells
    assert stock(shop, ids[3])["on_hand"] == 12 and stock(shop, ids[-1])["lots"][0]["production_date"] == "2024-01-05"
    report = sheets.report(stack, job)
    assert all(len(str(cell)) <= 32767 for row in report for cell in row)   # Excel opens it
    assert str(report[12][1]).startswith("L" * 1000) and str(report[12][1]).endswith("…[cut]")


def test_every_bad_amount_in_a_csv_between_good_rows(stack, shop):
    ids = products(shop, 12)
    cells = ["１２．５０", "inf", "NaN", "1e5000", "1e9999999", "￥１，２３４．５", "12.505", "-1", "9" * LONG,
             "Infinity", "0x10", "7"]
    body = sheets.csv_bytes([["商品编码", "默认价格"]] + [[i, c] for i, c in zip(ids, cells)]
                            + [["P" * LONG, "1"]])
    job = sheets.drop(stack, shop.merchant_id, "prices", sheets.unique("hostile", "csv"), body)
    assert (job["status"], job["rows"], job["ok"], job["errors"]) == ("done", 13, 3, 10), job
    results = sheets.outcomes(stack, job)
    assert [r[0] for r in results] == ["ok"] + ["error"] * 4 + ["ok"] + ["error"] * 5 + ["ok", "error"], results
    assert "more than two decimal places" in results[6][1] and "too long" in results[8][1]
    assert "商品编码 (erp_product_id)" in results[12][1] and len(results[12][1]) <= 300
    prices = [shop.client.get(f"/v1/products/{i}").json()["default_price"] for i in ids]
    assert prices == ["12.50"] + ["10.00"] * 4 + ["1234.50"] + ["10.00"] * 5 + ["7.00"]


def test_a_file_over_50_mb_is_fatal_from_its_metadata_without_being_downloaded(stack, shop, monkeypatch):
    (erp_id,) = products(shop, 1)
    downloads = []
    real = bucket.download
    monkeypatch.setattr(bucket, "download", lambda *a, **k: downloads.append(a) or real(*a, **k))
    head = f"商品编码,库存数量\n{erp_id},5\n".encode()
    body = head + b"#" * (50_000_001 - len(head))
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("big", "csv"), body)
    assert job["status"] == "fatal" and "the file is 50.0 MB; files of at most 50 MB are read" in job["detail"], job
    assert downloads == [] and untouched(shop, erp_id)
    small = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("small", "csv"), head)
    assert small["status"] == "done" and len(downloads) == 1 and stock(shop, erp_id)["on_hand"] == 5


def test_a_value_past_row_1000000_is_fatal_whatever_the_dimension_tag_says(stack, shop):
    (erp_id,) = products(shop, 1)
    data = (sheets.raw_row(1, ("A1", "商品编码"), ("B1", "库存数量")) + sheets.raw_row(2, ("A2", erp_id), ("B2", 3))
            + sheets.raw_row(1_000_001, ("A1000001", erp_id), ("B1000001", 4)))
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("rows", "xlsx"),
                      sheets.raw_xlsx(data, dimension="A1:B2"))
    assert job["status"] == "fatal" and "more than 1,000,000 rows" in job["detail"], job
    assert untouched(shop, erp_id)                      # row 2 was not applied


def test_a_csv_of_more_than_1000000_rows_is_fatal_before_a_row_applies(stack, shop):
    (erp_id,) = products(shop, 1)
    body = f"商品编码,库存数量\n{erp_id},3\n".encode() + b"X1,1\n" * 999_999
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("rows", "csv"), body)
    assert job["status"] == "fatal" and "more than 1,000,000 rows" in job["detail"], job
    assert untouched(shop, erp_id)


def test_a_value_past_column_200_is_fatal_in_xlsx_and_csv(stack, shop):
    (erp_id,) = products(shop, 1)
    data = (sheets.raw_row(1, ("A1", "商品编码"), ("B1", "库存数量")) + sheets.raw_row(2, ("A2", erp_id), ("B2", 3))
            + sheets.raw_row(3, ("GS3", "x")))
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("wide", "xlsx"),
                      sheets.raw_xlsx(data, dimension="A1:B3"))
    assert job["status"] == "fatal" and "more than 200 columns" in job["detail"], job
    rows = [["商品编码", "库存数量"], [erp_id, "3"]] + [["X", "1"]] * 50 + [["X", "1"] + [""] * 198 + ["boo"]]
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("wide", "csv"), sheets.csv_bytes(rows))
    assert job["status"] == "fatal" and "more than 200 columns (a value in column 201)" in job["detail"], job
    trailing = [["商品编码", "库存数量"] + [""] * 300, [erp_id, "6"] + [""] * 300]   # empty fields are no columns
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("trailing", "csv"), sheets.csv_bytes(trailing))
    assert job["status"] == "done" and stock(shop, erp_id)["on_hand"] == 6, job


def test_a_tiny_workbook_whose_used_range_no_worker_could_hold_is_fatal(stack, shop):
    (erp_id,) = products(shop, 1)
    data = (sheets.raw_row(1, ("A1", "商品编码"), ("B1", "库存数量")) + sheets.raw_row(2, ("A2", erp_id), ("B2", 3))
            + sheets.raw_row(999_999, ("GR999999", 1)))
    body = sheets.raw_xlsx(data)
    assert len(body) < 2000
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("sparse", "xlsx"), body)
    assert job["status"] == "fatal" and "would need about" in job["detail"], job
    assert untouched(shop, erp_id)


def test_an_old_xls_workbook_is_fatal_with_a_hint(stack, shop):
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("old", "xls"),
                      b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert job["status"] == "fatal" and "save it as .xlsx" in job["detail"], job


def _folders(*jobs) -> list:
    """Scratch folders of these jobs (other processes on this machine may use the same /tmp)."""
    root = scratch.root()
    names = os.listdir(root) if os.path.isdir(root) else []
    return [os.path.join(root, n) for n in names for job in jobs if n.startswith(job["job_id"])]


def test_temporary_files_are_removed_on_success_fatal_and_a_crash_mid_chunk(stack, shop, monkeypatch):
    ids = products(shop, 6)
    stale = os.path.join(scratch.root(), "up_dead.run")          # left by a worker killed outright
    os.makedirs(stale, exist_ok=True)
    with open(os.path.join(stale, "file"), "wb") as handle:
        handle.write(b"x" * 1000)
    old = time.time() - scratch.STALE_SECONDS - 60
    os.utime(stale, (old, old))
    done = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("ok", "csv"),
                       sheets.csv_bytes([["商品编码", "库存数量"], [ids[0], "1"]]))
    assert done["status"] == "done" and not os.path.exists(stale)
    fatal = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("bad", "csv"),
                        sheets.csv_bytes([["商品编码", "什么"], [ids[0], "1"]]))
    assert fatal["status"] == "fatal"
    assert _folders(done, fatal) == []

    monkeypatch.setenv("ONCESHIP_UPLOAD_CHUNK_ROWS", "2")
    seen = []

    def look():   # just before the worker dies: its copy of the file is there
        seen.extend(d for d in os.listdir(scratch.root()) if os.path.exists(os.path.join(scratch.root(), d, "file")))

    crashed = sheets.crash_once(monkeypatch, upload_runner, "crash_after_rows", at=2, meanwhile=look)
    rows = [["商品编码", "库存数量"]] + [[i, "7"] for i in ids]
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("crash", "xlsx"), sheets.xlsx(rows))
    assert crashed == [2] and job["status"] == "done" and job["ok"] == 6, job
    mine = [d for d in seen if d.startswith(job["job_id"])]
    assert mine and not any(os.path.exists(os.path.join(scratch.root(), d)) for d in mine)
    assert _folders(job) == []
