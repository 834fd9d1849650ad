"""Setting up a merchant's desk for tests: operators, sender, waybill range, paid orders; reading
printed labels back (text with pypdf, barcodes with poppler and zbar)."""
import subprocess
import uuid
from datetime import datetime, timedelta, timezone

from tests import helpers

CN = timezone(timedelta(hours=8))
SENDER = {"name": "仁心大药房", "phone": "020-88886666", "province": "广东省", "city": "广州市",
          "district": "天河区", "detail": "体育西路 1 号"}
PROVINCES = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
             "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
             "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆"]


class Desk:
    """A merchant with a supervisor, an operator, an SF waybill range and (unless told otherwise)
    a sender and a carrier rule sending every province by SF."""

    def __init__(self, stack, range_size: int = 1000, prefix: str = "", carrier_rules: bool = True,
                 sender: bool = True):
        self.stack = stack
        self.merchant = helpers.new_merchant(stack)
        self.mid = self.merchant.merchant_id
        self.supervisor = helpers.operator(stack, self.mid, "supervisor")
        self.operator = helpers.operator(stack, self.mid, "operator")
        if sender:
            self.set_sender(SENDER)
        if carrier_rules:
            rules = {"rules": [{"provinces": PROVINCES, "carrier_code": "SF"}]}
            assert self.supervisor.put("/v1/desk/carrier-rules", rules).status_code == 200
        self.prefix = prefix or "SF" + uuid.uuid4().hex[:6].upper()
        made = self.supervisor.post("/v1/desk/waybill-ranges", {"carrier_code": "SF", "prefix": self.prefix,
                                                                 "first": 1, "last": range_size})
        assert made.status_code == 201, made.text
        self.products = {}
        self.channel = None

    def set_sender(self, sender: dict) -> None:
        answer = self.supervisor.put("/v1/settings/sender", sender)
        assert answer.status_code == 200, answer.text

    def with_channel(self) -> "Desk":
        """A storefront channel of this merchant; orders are then placed through it."""
        self.channel = helpers.new_channel(self.stack, [self.mid])
        return self

    def product(self, erp_product_id: str, on_hand: int = 1000, barcode: str = None, reserved: int = 0):
        seed_product(self.mid, erp_product_id, on_hand, barcode, reserved)
        self.products[erp_product_id] = barcode or erp_product_id

    def paid_order(self, lines=None, province: str = "广东省", paid_at: datetime = None, remark: str = "",
                   holds=None) -> str:
        lines = lines or [("P1", 1)]
        for erp_product_id, _ in lines:
            if erp_product_id not in self.products:
                self.product(erp_product_id)
        return seed_order(self.mid, lines, province, paid_at or datetime.now(CN), remark, holds,
                          self.channel.auth[1] if self.channel else "ch_test")

    def reviewed(self, count: int, **kw) -> list:
        ids = [self.paid_order(**kw) for _ in range(count)]
        for start in range(0, count, 100):
            answer = self.operator.post("/v1/desk/reviews", {"order_ids": ids[start:start + 100]})
            assert answer.status_code == 200, answer.text
            assert all(r["status"] == "ok" for r in answer.json()["results"]), answer.text
        return ids

    def reserved(self, count: int, **kw) -> list:
        ids = self.reviewed(count, **kw)
        for start in range(0, count, 100):
            answer = self.operator.post("/v1/desk/waybills", {"order_ids": ids[start:start + 100]})
            assert answer.status_code == 200, answer.text
            assert all(r["status"] == "ok" for r in answer.json()["results"]), answer.text
        return ids

    def printed(self, count: int, **kw) -> list:
        ids = self.reserved(count, **kw)
        claimed: set = set()
        while not claimed >= set(ids):   # (may also print reserved orders of earlier steps)
            answer = self.operator.post("/v1/desk/print-batches", {"max_orders": 100})
            assert answer.status_code == 201, answer.text
            claimed |= set(answer.json()["order_ids"])
        return ids

    def reprint(self, order_id: str) -> None:
        answer = self.operator.post(f"/v1/desk/orders/{order_id}/reprints", {
            "reason": "卡纸", "supervisor": {"username": self.supervisor.username, "password": "password-1"}})
        assert answer.status_code == 201, answer.text

    def stock(self, erp_product_id: str) -> dict:
        from chalicelib.store.keys import MerchantScope
        from chalicelib.store.table import Table
        return Table().get(*MerchantScope(self.mid).stock(erp_product_id))

    def order(self, order_id: str) -> dict:
        answer = self.operator.get(f"/v1/desk/orders/{order_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()


def seed_product(merchant_id, erp_product_id, on_hand, barcode=None, reserved=0):
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    scope = MerchantScope(merchant_id)
    table = Table()
    pk, sk = scope.product(erp_product_id)
    table.put({"pk": pk, "sk": sk, "erp_product_id": erp_product_id, "name": f"药品{erp_product_id}",
               "barcode": barcode})
    pk, sk = scope.stock(erp_product_id)
    table.put({"pk": pk, "sk": sk, "erp_product_id": erp_product_id, "on_hand": on_hand, "reserved": reserved,
               "free": on_hand - reserved, "source": "erp"})


def seed_order(merchant_id, lines, province, paid_at, remark="", holds=None, channel_id="ch_test") -> str:
    """A paid order written by the orders feature's own store (placed with its stock reserved,
    then paid as payment pays it, with its province's arrival carrier), without going through a
    storefront: it reaches the desk in to_review."""
    from chalicelib.domain import clock
    from chalicelib.domain import orders as rules
    from chalicelib.domain.ids import sortable_id
    from chalicelib.services.desk import arrival_carrier
    from chalicelib.store import keys, stock
    from chalicelib.store.orders import OrderStore
    from chalicelib.store.table import Table, put_op
    store = OrderStore(merchant_id)
    now = clock.now()
    quantities = rules.combine(lines)
    prices = {p: ("10.00", "default", {"name": f"药品{p}"}) for p in quantities}
    order_lines = rules.priced_lines(quantities, prices, {})
    order = {"order_id": sortable_id("o_", now), "merchant_id": merchant_id, "channel_id": channel_id,
             "token": "seeded", "status": rules.PENDING_PAYMENT, "created_at": clock.iso(now),
             "updated_at": clock.iso(now), "pay_deadline": int(now + rules.PAYMENT_TIMEOUT_SECONDS),
             "buyer": {"platform_customer_id": "b_1", "name": "张三"}, "remark": remark or None,
             "delivery": {"name": "张三", "phone": "13800000000", "province": province, "city": "某市",
                          "district": "某区", "detail": "某路 1 号"},
             "invoice": None, "amounts": rules.amounts(order_lines), "lines": order_lines, "refunds": []}
    ref_pk, ref_sk = keys.order_ref(order["order_id"])
    Table().transact([put_op(store.new_order_item(order), condition="attribute_not_exists(pk)"),
                      put_op({"pk": ref_pk, "sk": ref_sk, "order_id": order["order_id"],
                              "merchant_id": merchant_id, "channel_id": channel_id})]
                     + [stock.reserve_op(merchant_id, p, q) for p, q in quantities.items()])
    store.write([store.pay_op(store.get(order["order_id"]), clock.iso(paid_at.timestamp()), clock.iso(now),
                              arrival_carrier(merchant_id, order["delivery"]))])
    if holds:
        hold(merchant_id, order["order_id"])
    return order["order_id"]


def hold(merchant_id, order_id):
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    Table().update(*MerchantScope(merchant_id).order(order_id), "ADD holds :h", values={":h": {"refund_pending"}})


def set_on_hand(merchant_id, erp_product_id, on_hand):
    """An absolute stock count from the ERP, below what is reserved if it says so."""
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    Table().update(*MerchantScope(merchant_id).stock(erp_product_id), "SET on_hand = :n, #free = :n - reserved",
                   values={":n": on_hand}, names={"#free": "free"})


def label_texts(pdf: bytes) -> list:
    """The text of each page of a label PDF, one row per string drawn."""
    from io import BytesIO

    from pypdf import PdfReader
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def decode_pages(pdf: bytes) -> list:
    """The barcodes a scanner reads from the pages, in page order (pdftoppm, then zbarimg)."""
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "l.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "200", "-png", str(path), str(Path(tmp) / "p")], check=True)
        found = []
        for image in sorted(Path(tmp).glob("p-*.png")):
            out = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True)
            found += out.stdout.split()
        return found


def label_objects(merchant_id: str) -> list:
    """Keys of the label PDFs stored for a merchant."""
    from chalicelib import aws
    from chalicelib.config import settings
    listed = aws.client("s3").list_objects_v2(Bucket=settings().bucket, Prefix=f"labels/{merchant_id}/")
    return [o["Key"] for o in listed.get("Contents", [])]
