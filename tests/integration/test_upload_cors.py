"""The bucket's CORS (infra/resources.yaml, ConsoleOrigins) as the local stack applies it: the
console's origin may PUT a spreadsheet to its presigned URL from the browser, another may not."""
import requests

from tests import helpers


def _upload_url(stack) -> str:
    merchant = helpers.new_merchant(stack).client
    answer = merchant.post("/v1/uploads", {"kind": "inventory", "filename": "库存.csv", "preview": True})
    assert answer.status_code == 201, answer.text
    return answer.json()["upload_url"]


def _preflight(url: str, origin: str):
    return requests.options(url, timeout=10, headers={
        "Origin": origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"})


def test_the_consoles_origin_may_put_to_a_presigned_url(stack):
    url = _upload_url(stack)
    answer = _preflight(url, stack.api_url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == stack.api_url
    assert "PUT" in answer.headers["Access-Control-Allow-Methods"]
    put = requests.put(url, data=b"erp_product_id,on_hand\n", timeout=10,
                       headers={"Origin": stack.api_url, "Content-Type": "text/csv"})
    assert put.status_code == 200 and put.headers["Access-Control-Allow-Origin"] == stack.api_url


def test_another_origin_is_not_allowed(stack):
    answer = _preflight(_upload_url(stack), "https://evil.example")
    assert answer.status_code == 403
    assert "Access-Control-Allow-Origin" not in answer.headers
