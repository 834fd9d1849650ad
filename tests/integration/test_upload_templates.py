"""GET /v1/templates/<kind>.xlsx: Chinese headers, a legend sheet, data validation; and a template
filled in and dropped back is a file the reader takes as it is."""
import io

import pytest

from chalicelib.domain.sheet_kinds import KINDS
from tests import helpers


@pytest.fixture(scope="module")
def merchant(stack):
    return helpers.new_merchant(stack, "templates")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_a_template(stack, merchant, kind):
    from openpyxl import load_workbook
    answer = merchant.client.get(f"/v1/templates/{kind}.xlsx")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(answer.content))
    first, legend = book.worksheets
    header = [c.value for c in first[1]]
    spec = KINDS[kind]
    assert header[:len(spec.columns)] == [c.zh for c in spec.columns]
    pairs = {row[0]: row[1] for row in legend.iter_rows(min_row=2, values_only=True)}
    assert all(pairs[c.zh] == c.field for c in spec.columns)
    kinds_with_checks = {"products", "prices", "lots", "inventory", "listings", "order-status"}
    if kind in kinds_with_checks:
        assert first.data_validations.dataValidation


def test_lists_and_dates_are_validated(stack, merchant):
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(merchant.client.get("/v1/templates/lots.xlsx").content))
    kinds = {v.type for v in book.worksheets[0].data_validations.dataValidation}
    assert {"date", "whole"} <= kinds
    book = load_workbook(io.BytesIO(merchant.client.get("/v1/templates/listings.xlsx").content))
    (rule,) = book.worksheets[0].data_validations.dataValidation
    assert rule.type == "list" and rule.formula1 == '"上架,下架"'


def test_unknown_templates(stack, merchant):
    helpers.assert_problem(merchant.client.get("/v1/templates/stock.xlsx"), 404, "not_found")
    helpers.assert_problem(merchant.client.get("/v1/templates/prices.csv"), 404, "not_found")
    helpers.assert_problem(helpers.anonymous(stack).get("/v1/templates/prices.xlsx"), 401, "unauthenticated")


def test_a_filled_in_template_is_applied(stack, merchant):
    from openpyxl import load_workbook
    from tests import sheets
    book = load_workbook(io.BytesIO(merchant.client.get("/v1/templates/products.xlsx").content))
    sheet = book.worksheets[0]
    sheet.append(["0099", "板蓝根颗粒", "", "", "10g*20袋", "", "", "15.8", "", "", "绿"])
    out = io.BytesIO()
    book.save(out)
    job = sheets.drop(stack, merchant.merchant_id, "products", sheets.unique("模板", "xlsx"), out.getvalue())
    assert (job["status"], job["ok"], job["errors"]) == ("done", 1, 0), sheets.outcomes(stack, job)
    product = merchant.client.get("/v1/products/0099").json()
    assert (product["name"], product["default_price"], product["attributes"]) == ("板蓝根颗粒", "15.80", {"颜色": "绿"})
