"""A cold start answering a placement imports only what that route needs (issue 14): a fresh
interpreter that loads the app, the request pipeline and the placement's handler, service and
store code, and parses a placement body, has not imported boto3 (its session, resources and
s3transfer: botocore's client is all the store uses), the route's response models (only the
OpenAPI document reads them), the document itself, the console, or the spreadsheet and PDF
libraries."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import app
from chalicelib.api import pipeline
from chalicelib.api.router import ROUTES
route = next(r for r in ROUTES if (r.method, r.path) == ("POST", "/v1/orders"))
fn = pipeline.load(route.target)
from chalicelib.api.models import parse
parse(fn.meta.body, {"merchant_id": "m_1", "buyer": {"platform_customer_id": "b1", "name": "n"},
      "lines": [{"erp_product_id": "P1", "quantity": 1}],
      "address": {"name": "a", "phone": "13800000000", "province": "p", "city": "c", "district": "d", "detail": "x"}})
from chalicelib.services import checkout
from chalicelib.store import table, order_catalog, stock_buckets, checked, replicas
table.serialize({"pk": "a", "n": 1})
print(json.dumps(sorted(sys.modules)))
"""

NOT_ON_THE_ORDER_PATH = ("boto3", "s3transfer", "chalicelib.api.order_views", "chalicelib.api.openapi",
                         "chalicelib.api.console", "chalicelib.api.console_page", "openpyxl",
                         "python_calamine", "reportlab", "cryptography", "chalicelib.adapters.sheet_writer")


def test_a_placement_imports_only_what_its_route_needs():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert [name for name in NOT_ON_THE_ORDER_PATH if name in loaded] == []


def test_the_placement_routes_response_model_is_still_declared_for_the_document():
    from chalicelib.api import pipeline
    from chalicelib.api.order_views import Order
    from chalicelib.api.router import ROUTES
    route = next(r for r in ROUTES if (r.method, r.path) == ("POST", "/v1/orders"))
    assert pipeline.load(route.target).meta.response is Order
