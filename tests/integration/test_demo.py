"""ONCESHIP_DEMO=1 loads a usable merchant: listed products with stock and paid orders."""
from chalicelib.local import demo
from chalicelib.sdk import Client


def test_demo_merchant_has_listed_products_stock_and_paid_orders(stack):
    (stack.state_dir / "demo.json").unlink(missing_ok=True)
    text = demo.load(stack)
    saved = __import__("json").loads((stack.state_dir / "demo.json").read_text())
    assert saved["merchant_id"] in text
    shop = Client(stack.api_url, ("signed", saved["merchant_id"], saved["merchant_secret"]))
    products = shop.get("/v1/products?listing=listed").json()["items"]
    assert {p["erp_product_id"] for p in products} == {p[0] for p in demo.PRODUCTS}
    assert all(p["match"] == "matched" for p in products)
    orders = shop.get("/v1/orders?sync_status=pending").json()["items"]
    assert {o["order_id"] for o in orders} == set(saved["orders"])
    assert all(o["status"] == "paid" for o in orders)
    assert shop.get("/v1/inventory/YP-0001").json()["reserved"] > 0
    # a restart reuses the demo rather than making another
    assert demo.load(stack) == text
