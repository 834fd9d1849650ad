"""ONCESHIP_DEMO=1 loads a usable merchant: listed products with stock, one product waiting to be
matched, console logins, desk settings and paid orders in every stage of the desk."""
from chalicelib.local import demo
from chalicelib.sdk import Client


def test_demo_merchant_has_products_logins_and_orders_in_every_stage(stack):
    (stack.state_dir / "demo.json").unlink(missing_ok=True)
    text = demo.load(stack)
    saved = __import__("json").loads((stack.state_dir / "demo.json").read_text())
    assert saved["merchant_id"] in text and "Console logins" in text
    shop = Client(stack.api_url, ("signed", saved["merchant_id"], saved["merchant_secret"]))
    products = shop.get("/v1/products?listing=listed").json()["items"]
    assert {p["erp_product_id"] for p in products} == {p[0] for p in demo.PRODUCTS}
    assert all(p["match"] == "matched" for p in products)
    pending = shop.get("/v1/products?match=pending_review").json()["items"]
    assert [p["erp_product_id"] for p in pending] == [demo.PENDING[0]]
    orders = shop.get("/v1/orders?sync_status=pending&limit=100").json()["items"]
    assert {o["order_id"] for o in orders} == set(saved["orders"])
    assert shop.get("/v1/inventory/YP-0001").json()["reserved"] > 0

    assert {"supervisor", "operator"} <= set(saved["operators"])
    for username in saved["operators"]:
        login = Client(stack.api_url).post("/v1/console/sessions", {
            "merchant_id": saved["merchant_id"], "username": username, "password": demo.PASSWORD})
        assert login.status_code == 201, (username, login.text)
    operator = Client(stack.api_url, ("bearer", login.json()["token"]))
    counts = operator.get("/v1/desk/stage-counts").json()["counts"]
    assert {stage: counts[stage] for stage, _ in demo.STAGES} == dict(demo.STAGES)
    assert operator.get("/v1/desk/print-lanes").json()["items"][0]["lane"] == "south"
    # a restart reuses the demo rather than making another
    assert demo.load(stack) == text
