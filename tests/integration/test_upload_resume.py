"""A crash in the middle of a chunk resumes without applying a row twice (guarantee 8), for each
way the services write (one transaction per batch, one write per item, writes in threads).

The worker dies after the second batch of a chunk; before the job resumes, someone else changes
an item of the first batch through the API. The resumed job must leave that change alone (rows
with receipts are not applied again), apply the rest once, and report every row once."""
from typing import Callable, NamedTuple

import pytest

from chalicelib.services import sheet_apply
from tests import sheets
from tests.catalog_support import base_product, product, put_products, set_stock, uid
from tests.helpers import new_merchant

MANUAL = {"X-Onceship-Source": "manual"}
ROWS = 6


@pytest.fixture(scope="module")
def shop(stack):
    return new_merchant(stack, "resumed uploads")


@pytest.fixture
def crash_in_second_batch(monkeypatch):
    """Batches of 2 rows, one chunk of 6; the worker dies once, after the batch of rows 3-4,
    and `meanwhile` runs before it dies (another writer, while the job waits to be resumed)."""
    monkeypatch.setenv("ONCESHIP_UPLOAD_CHUNK_ROWS", str(ROWS))
    monkeypatch.setattr(sheet_apply, "BATCH", 2)
    return lambda meanwhile: sheets.crash_once(monkeypatch, sheet_apply, "crash_after_batch", at=2,
                                               meanwhile=meanwhile)


def ok(answer, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def items(shop, count: int = ROWS) -> list:
    ids = [uid("R") for _ in range(count)]
    put_products(shop, [product(i) for i in ids], headers=MANUAL)
    return ids


class Case(NamedTuple):
    """One kind: the items, the sheet, what the other writer changes, and how to read it back."""
    ids: list
    rows: list                       # header first, then one row per id
    change: tuple                    # (method, path, body) of the API call on ids[0]
    read: Callable[[str], object]
    changed: object                  # what `read(ids[0])` answers after the change
    from_sheet: list                 # what `read` answers for each id once the sheet applied


def field(shop, path: str, name: str) -> Callable[[str], object]:
    return lambda key: ok(shop.client.get(path.format(key)))[name]


def prices_case(stack, shop):
    ids = items(shop)
    return Case(ids, [["商品编码", "默认价格"]] + [[i, f"{n + 20}.00"] for n, i in enumerate(ids)],
                ("PUT", "/v1/prices", {"items": [{"erp_product_id": ids[0], "default_price": "99.00"}]}),
                field(shop, "/v1/products/{}", "default_price"), "99.00", [f"{n + 20}.00" for n in range(ROWS)])


def inventory_case(stack, shop):
    ids = items(shop)
    return Case(ids, [["商品编码", "库存数量"]] + [[i, n + 20] for n, i in enumerate(ids)],
                ("PUT", "/v1/inventory", {"items": [{"erp_product_id": ids[0], "on_hand": 77}]}),
                field(shop, "/v1/inventory/{}", "on_hand"), 77, [n + 20 for n in range(ROWS)])


def lots_case(stack, shop):
    ids = items(shop)
    lots = [{"lot_no": "API", "production_date": "2026-02-01", "expiry_date": "2028-02-01", "quantity": 5}]
    lots_of = field(shop, "/v1/inventory/{}", "lots")
    return Case(ids, [["商品编码", "批号", "生产日期", "有效期至", "数量"]] + [
                    [i, f"L{n}", "2026-01-01", "2028-01-01", n + 20] for n, i in enumerate(ids)],
                ("PUT", f"/v1/products/{ids[0]}/lots", {"lots": lots}),
                lambda i: [lot["lot_no"] for lot in lots_of(i)], ["API"], [[f"L{n}"] for n in range(ROWS)])


def customers_case(stack, shop):
    codes = [uid("C") for _ in range(ROWS)]
    return Case(codes, [["客户编码", "客户名称"]] + [[c, f"客户{n}"] for n, c in enumerate(codes)],
                ("PUT", "/v1/customers", {"items": [{"erp_customer_code": codes[0], "name": "改过的名字"}]}),
                field(shop, "/v1/customers/{}", "name"), "改过的名字", [f"客户{n}" for n in range(ROWS)])


def products_case(stack, shop):
    ids = [uid("R") for _ in range(ROWS)]
    return Case(ids, [["商品编码", "商品名称", "默认价格"]] + [[i, f"表格商品{n}", "10.00"] for n, i in enumerate(ids)],
                ("PUT", "/v1/products", {"items": [product(ids[0], name="接口改名")]}),
                field(shop, "/v1/products/{}", "name"), "接口改名", [f"表格商品{n}" for n in range(ROWS)])


def listings_case(stack, shop):
    ids = [uid("R") for _ in range(ROWS)]
    barcodes = {i: uid("69") for i in ids}
    for i in ids:
        base_product(stack, barcode=barcodes[i])
        set_stock(shop.merchant_id, i, 5)
    put_products(shop, [product(i, barcode=barcodes[i]) for i in ids], headers=MANUAL)
    return Case(ids, [["商品编码", "操作"]] + [[i, "上架"] for i in ids],
                ("POST", "/v1/listings", {"action": "delist", "erp_product_ids": [ids[0]]}),
                field(shop, "/v1/products/{}", "listing"), "unlisted", ["listed"] * ROWS)


CASES = {"prices": prices_case, "inventory": inventory_case, "lots": lots_case, "customers": customers_case,
         "products": products_case, "listings": listings_case}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_crash_mid_chunk_never_applies_a_row_twice(stack, shop, crash_in_second_batch, kind):
    case = CASES[kind](stack, shop)
    method, path, body = case.change

    def meanwhile():                 # another writer changes row 1's item through the API
        answer = ok(shop.client.request(method, path, body=body, headers=MANUAL))
        assert all(r["status"] == "ok" for r in answer.get("results", [])), answer
    crashes = crash_in_second_batch(meanwhile)
    job = sheets.drop(stack, shop.merchant_id, kind, sheets.unique(f"resume-{kind}", "csv"),
                      sheets.csv_bytes(case.rows))
    assert crashes == [2], "the worker was not interrupted"
    assert (job["status"], job["rows"], job["ok"], job["errors"]) == ("done", ROWS, ROWS, 0), job
    # the other writer's change to row 1's item stands: row 1 was not applied again
    assert case.read(case.ids[0]) == case.changed
    assert [case.read(i) for i in case.ids[1:]] == case.from_sheet[1:]
    results = sheets.outcomes(stack, job)
    assert [m for _, m in results[:4]] == [sheet_apply.APPLIED_BEFORE] * 4, results
    assert all(o == "ok" and m != sheet_apply.APPLIED_BEFORE for o, m in results[4:]), results
