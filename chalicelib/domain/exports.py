"""The order export's columns: one row per order line, the order's fields repeated on each."""
from typing import Iterator, List

COLUMNS = [
    ("订单号", lambda o, l: o.get("order_id")),
    ("订单状态", lambda o, l: o.get("status")),
    ("同步状态", lambda o, l: o.get("sync_status")),
    ("下单时间", lambda o, l: o.get("created_at")),
    ("支付时间", lambda o, l: o.get("paid_at")),
    ("更新时间", lambda o, l: o.get("updated_at")),
    ("买家编号", lambda o, l: (o.get("buyer") or {}).get("platform_customer_id")),
    ("买家名称", lambda o, l: (o.get("buyer") or {}).get("name")),
    ("客户编码", lambda o, l: o.get("erp_customer_code")),
    ("买家备注", lambda o, l: o.get("remark")),
    ("客服备注", lambda o, l: o.get("merchant_remark")),
    ("商品金额", lambda o, l: (o.get("amounts") or {}).get("goods")),
    ("运费", lambda o, l: (o.get("amounts") or {}).get("freight")),
    ("优惠", lambda o, l: (o.get("amounts") or {}).get("discount")),
    ("订单金额", lambda o, l: (o.get("amounts") or {}).get("total")),
    ("收货人", lambda o, l: (o.get("delivery") or {}).get("name")),
    ("电话", lambda o, l: (o.get("delivery") or {}).get("phone")),
    ("省", lambda o, l: (o.get("delivery") or {}).get("province")),
    ("市", lambda o, l: (o.get("delivery") or {}).get("city")),
    ("区", lambda o, l: (o.get("delivery") or {}).get("district")),
    ("详细地址", lambda o, l: (o.get("delivery") or {}).get("detail")),
    ("快递公司", lambda o, l: o.get("carrier_code")),
    ("运单号", lambda o, l: o.get("waybill_no")),
    ("商品编码", lambda o, l: l.get("erp_product_id")),
    ("商品名称", lambda o, l: l.get("name")),
    ("数量", lambda o, l: l.get("quantity")),
    ("单价", lambda o, l: l.get("unit_price")),
    ("金额", lambda o, l: l.get("amount")),
    ("已发数量", lambda o, l: l.get("shipped_quantity")),
    ("批号", lambda o, l: _lot(l)),
]
ORDER_HEADER = [name for name, _ in COLUMNS]


def _lot(line: dict):
    lot = line.get("lot")
    if isinstance(lot, dict):
        return lot.get("lot_no")
    return lot if lot is not None else line.get("lot_no")


def order_rows(order: dict) -> Iterator[List]:
    for line in order.get("lines") or [{}]:
        yield [_cell(get(order, line)) for _, get in COLUMNS]


def _cell(value):
    if value is None:
        return None
    if isinstance(value, (int, str)):
        return value
    return str(value)
