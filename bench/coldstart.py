"""Cold start, measured honestly: a fresh process until its first signed request is answered.

Starts one local stack (the local AWS endpoint the processes talk to), creates a merchant and a
channel and seeds a product, then samples, interleaved so all see the same machine load, fresh
interpreters (as a Lambda cold start is) that each time from their first statement:
  - floor: what any Chalice + boto3 + pydantic Lambda must do: import the three, create a DynamoDB
    client, one GetItem;
  - order: `import app`, then the first request handed to the Chalice app in-process as API
    Gateway would (a proxy event): a channel's signed `POST /v1/orders` with a fresh checkout token,
    until the app's answer is back (201);
  - read : the same for a merchant's signed `GET /v1/inventory/{erp_product_id}` (200).
Prints the medians and the ratios to the floor (target: <= 1.3), and the import time of `import
app` alone. `python -X importtime` on the probes shows where an import goes.

Both sides run from bytecode: the installed packages come with theirs (pip compiles them), and
the bench compiles the app's (`compileall`, as any run of the app leaves it in __pycache__;
PYTHONDONTWRITEBYTECODE would otherwise make every probe compile the app from source).

Run: .venv/bin/python bench/coldstart.py [samples]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

from support import ROOT, result

FLOOR = """
import time
started = time.perf_counter()
import chalice, boto3, pydantic
client = boto3.client("dynamodb")
client.get_item(TableName={table!r}, Key={{"pk": {{"S": {pk!r}}}, "sk": {{"S": "PRODUCT"}}}}, ConsistentRead=True)
print(time.perf_counter() - started)
"""

FIRST_REQUEST = """
import time
started = time.perf_counter()
import app
event = {event}
answer = app.app(event, Context())
elapsed = time.perf_counter() - started
assert answer["statusCode"] == {status}, answer
print(elapsed)
"""

CONTEXT = """
class Context:
    function_name, memory_limit_in_mb, aws_request_id = "api_handler", 512, "cold-start-bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:api_handler"
    log_group_name, log_stream_name, function_version = "/aws/lambda/api_handler", "bench", "$LATEST"
    def get_remaining_time_in_millis(self):
        return 30000
"""

IMPORT_APP = "import time\nstarted = time.perf_counter()\nimport app\nprint(time.perf_counter() - started)\n"


def signed_event(method: str, path: str, resource: str, params: dict, body, auth: tuple,
                 headers: dict = None) -> dict:
    """An API Gateway (REST, proxy) event of a request signed like the SDK signs it."""
    from chalicelib.sdk import signed_headers
    raw = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    signed = dict(signed_headers(auth[1], auth[2], method, "https://bench" + path, raw), **(headers or {}))
    if body is not None:
        signed["Content-Type"] = "application/json"
    return {"resource": resource, "path": path, "httpMethod": method, "headers": signed,
            "multiValueHeaders": {k: [v] for k, v in signed.items()}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": params or None,
            "stageVariables": None, "body": raw.decode() if body is not None else None,
            "isBase64Encoded": False,
            "requestContext": {"resourcePath": resource, "httpMethod": method, "path": path,
                               "stage": "api", "requestId": "bench", "identity": {"sourceIp": "127.0.0.1"}}}


def sample(code: str, env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return float(out.stdout.strip().splitlines()[-1])


def main(samples: int = 15) -> None:
    from chalicelib.local.stack import LocalStack
    from chalicelib.sdk import Client
    sys.path.insert(0, str(ROOT / "bench"))
    from orders import body as order_body, seed

    subprocess.run([sys.executable, "-m", "compileall", "-q", "chalicelib", "app.py"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as state_dir:
        stack = LocalStack(port=0, aws_port=0, state_dir=state_dir, run_schedules=False, snapshot_interval=0)
        stack.start()
        try:
            admin = Client(stack.api_url, ("bearer", stack.admin_token))
            m = admin.post("/v1/admin/merchants", {"name": "cold"}).json()
            ch = admin.post("/v1/admin/channels", {"name": "shop", "merchant_ids": [m["merchant_id"]]}).json()
            mid, cid = m["merchant_id"], ch["channel_id"]
            seed(mid, ["P001"])
            channel = Client(stack.api_url, ("signed", cid, ch["secret"]))
            env = dict(os.environ, **{k: v for k, v in stack.environment.items() if v is not None})
            for k, v in stack.environment.items():
                if v is None:
                    env.pop(k, None)
            from chalicelib.store.keys import MerchantScope
            floor_code = FLOOR.format(table=stack.table_name, pk=MerchantScope(mid).product("P001")[0])
            read_event = signed_event("GET", "/v1/inventory/P001", "/v1/inventory/{erp_product_id}",
                                      {"erp_product_id": "P001"}, None, ("signed", mid, m["secret"]))
            times = {"floor": [], "order": [], "read": [], "import": []}
            for i in range(samples + 1):               # interleaved; the first round warms the disk cache
                token = channel.post("/v1/checkout-tokens", {"merchant_id": mid}).json()["token"]
                order_event = signed_event("POST", "/v1/orders", "/v1/orders", {}, order_body(mid, ["P001"], i),
                                           ("signed", cid, ch["secret"]), {"Idempotency-Key": token})
                read_event = signed_event("GET", "/v1/inventory/P001", "/v1/inventory/{erp_product_id}",
                                          {"erp_product_id": "P001"}, None, ("signed", mid, m["secret"]))
                got = {"floor": sample(floor_code, env),
                       "order": sample(CONTEXT + FIRST_REQUEST.format(event=repr(order_event), status=201), env),
                       "read": sample(CONTEXT + FIRST_REQUEST.format(event=repr(read_event), status=200), env),
                       "import": sample(IMPORT_APP, env)}
                if i:
                    for k, v in got.items():
                        times[k].append(v)
        finally:
            stack.stop(save=False)
    floor, order, read, imp = (statistics.median(times[k]) for k in ("floor", "order", "read", "import"))
    print(f"fresh process, {samples} samples each, medians")
    print(f"{'':58} {'ms':>7} {'vs floor':>9}")
    print(f"{'floor: import chalice, boto3, pydantic; client; GetItem':58} {floor * 1000:7.1f} {1:9.2f}")
    print(f"{'first signed POST /v1/orders answered (201)':58} {order * 1000:7.1f} {order / floor:9.2f}")
    print(f"{'first signed GET /v1/inventory/{id} answered (200)':58} {read * 1000:7.1f} {read / floor:9.2f}")
    print(f"{'import app alone':58} {imp * 1000:7.1f} {imp / floor:9.2f}")
    print("target: first signed request <= 1.3 x floor")
    result("coldstart", first_request_ratio=order / floor, read_ratio=read / floor, import_app_ratio=imp / floor,
           floor_ms=floor * 1000, first_request_ms=order * 1000)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
