"""The columns of each spreadsheet kind: Chinese and English names, which are required, and
what their text means. The English name is the API item's field name (contract section 9).

Families are open-ended column groups named `<prefix>:<id>`: a price sheet's
`region:<region_group_id>` and `customer_group:<customer_group_id>`, a product sheet's
`attr:<attribute name>`.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

TEXT, MONEY, INT, DAY, MOMENT, CHOICE = "text", "money", "int", "date", "datetime", "choice"


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    type: str = TEXT
    required: bool = False
    choices: Tuple[Tuple[str, str], ...] = ()   # (value, Chinese alias)
    note: str = ""


@dataclass(frozen=True)
class Family:
    """Columns `<prefix>:<id>` gathered into the item's `into` field: a list of
    {id_name: id, value_name: value} objects, or a {id: value} map when id_name is empty."""
    prefix: str
    zh: str
    type: str
    into: str
    id_name: str = ""
    value_name: str = ""
    note: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    key: str                                    # the column that names a row in messages
    columns: Tuple[Column, ...]
    families: Tuple[Family, ...] = ()
    grouped: bool = False                       # consecutive rows of one key make one item (lots)

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)


PRODUCT_ID = Column("erp_product_id", "商品编码", required=True, note="the ERP's own product code")
ORDER_ID = Column("order_id", "订单号", required=True)

KINDS = {k.name: k for k in (
    Kind("products", "商品", "erp_product_id", (
        PRODUCT_ID,
        Column("name", "商品名称", required=True),
        Column("barcode", "条形码"),
        Column("approval_number", "批准文号"),
        Column("spec", "规格"),
        Column("manufacturer", "生产厂家"),
        Column("base_product_id", "平台商品编码", note="the platform base product, when known"),
        Column("default_price", "默认价格", MONEY, required=True, note="CNY, at most two decimals"),
        Column("main_image_url", "主图地址"),
        Column("main_image_sha256", "主图SHA256"),
    ), (Family("attr", "属性", TEXT, "attributes", note="one column per attribute, e.g. attr:颜色"),)),
    Kind("prices", "价格", "erp_product_id", (
        PRODUCT_ID,
        Column("default_price", "默认价格", MONEY),
        Column("suggested_retail_price", "建议零售价", MONEY),
    ), (Family("region", "区域", MONEY, "region_prices", "region_group_id", "price",
               "one column per region group, e.g. region:south"),
        Family("customer_group", "客户组", MONEY, "customer_level_prices", "customer_group_id", "price",
               "one column per customer group, e.g. customer_group:vip"))),
    Kind("lots", "批次", "erp_product_id", (
        PRODUCT_ID,
        Column("lot_no", "批号", required=True),
        Column("production_date", "生产日期", DAY, required=True),
        Column("expiry_date", "有效期至", DAY, required=True),
        Column("quantity", "数量", INT, required=True, note="whole units, 0 or more"),
    ), grouped=True),
    Kind("inventory", "库存", "erp_product_id", (
        PRODUCT_ID,
        Column("on_hand", "库存数量", INT, required=True, note="absolute on-hand quantity"),
        Column("compare_on_hand", "原库存数量", INT,
               note="optional: written only if the stored quantity still equals this"),
    )),
    Kind("listings", "上下架", "erp_product_id", (
        PRODUCT_ID,
        Column("action", "操作", CHOICE, required=True, choices=(("list", "上架"), ("delist", "下架"))),
    )),
    Kind("customers", "客户", "erp_customer_code", (
        Column("erp_customer_code", "客户编码", required=True),
        Column("name", "客户名称", note="required, unless the row names a platform buyer"),
        Column("credit_code", "统一社会信用代码", note="18 characters, check digit verified"),
        Column("platform_customer_id", "平台客户编号",
               note="a platform buyer seen on an order: the row gives it this customer code "
                    "(PUT /v1/customers/by-platform-id/{id})"),
    )),
    Kind("order-status", "订单状态", "order_id", (
        ORDER_ID,
        Column("status", "状态", CHOICE, required=True, choices=(
            ("submitted", "已提交"), ("picking", "拣货中"), ("outbound", "已出库"),
            ("delivering", "配送中"), ("signed", "已签收"))),
        Column("at", "时间", MOMENT, note="when it happened; China time unless an offset is given; "
                                         "empty: when the file was dropped"),
    )),
    Kind("logistics", "物流", "order_id", (
        ORDER_ID,
        Column("carrier_code", "快递公司", required=True, note="carrier code (SF) or name (顺丰)"),
        Column("waybill_no", "运单号", required=True),
    )),
)}


def kind(name: str) -> Optional[Kind]:
    return KINDS.get(name)
