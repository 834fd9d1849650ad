// Words of the console: Chinese first, English beside. Codes from the API keep their code
// (shown too), these only add the words a warehouse floor reads.

export const STAGES = [
  ["to_review", "待审核", "To review"],
  ["reviewed", "已审核", "Reviewed"],
  ["waybill_reserved", "已预约单号", "Waybill reserved"],
  ["printed", "已打印", "Printed"],
  ["inspected", "已验货", "Inspected"],
  ["shipped", "已发货", "Shipped"],
];

export function stageName(stage) {
  const found = STAGES.find(s => s[0] === stage);
  return found ? found[1] + " " + found[2] : String(stage || "—");
}

export const STATUSES = {
  pending_payment: "待付款 Pending payment", paid: "已付款 Paid", partially_shipped: "部分发货 Partially shipped",
  shipped: "已发货 Shipped", completed: "已完成 Completed", cancelled: "已取消 Cancelled",
};

export const CODES = {
  insufficient_stock: "库存不足 Not enough stock",
  has_remark: "有备注,需人工审核 Has a remark",
  refund_pending: "退款中 Refund pending",
  already_reviewed: "已审核过 Already reviewed",
  already_shipped: "已发货 Already shipped",
  not_reviewed: "未审核 Not reviewed",
  not_printed: "未打印 Not printed",
  needs_inspection: "打印多次,需验货出库 Printed more than once: scan it out",
  no_carrier: "未指定快递 No carrier",
  no_waybill_numbers: "单号已用完 No waybill numbers left",
  waybill_reserved: "已预约单号 Waybill already reserved",
  carrier_changed: "快递已变更 Carrier changed",
  cancelled: "已取消 Cancelled",
  not_paid: "未付款 Not paid",
  not_found: "找不到 Not found",
  order_changed: "订单已变化,请重试 Order changed, try again",
  duplicate_key: "重复 Listed twice",
  sender_not_set: "未设置寄件人 Sender not set",
  reprint_not_authorized: "补打需主管授权 A reprint needs a supervisor",
  too_many_attempts: "尝试次数过多 Too many attempts",
  rate_limited: "请求过于频繁 Too many requests",
  forbidden: "无权限 Not allowed",
  unauthenticated: "未登录或登录已失效 Not logged in",
  inspection_mismatch: "货品与订单不符 Goods do not match the order",
  unknown_carrier: "未知快递 Unknown carrier",
  unknown_lane: "未知打印分组 Unknown print lane",
  not_matched: "未匹配基础商品 Not matched",
  no_stock: "无库存 No stock",
  duplicate_listing: "重复铺货 Duplicate listing",
  sync_off: "同步已关闭 Sync is off",
  validation_error: "输入有误 Invalid input",
  unknown_base_product: "未知基础商品 Unknown base product",
  url_not_allowed: "地址不允许 URL not allowed",
  waybill_range_overlap: "号段重叠 Range overlaps another",
  already_exists: "已存在 Already exists",
  conflict: "冲突,请重试 Conflict, try again",
};

export function codeText(code) {
  return CODES[code] || code || "";
}

export const UPLOAD_KINDS = [
  ["products", "商品 Products"], ["prices", "价格 Prices"], ["lots", "批次 Lots"], ["inventory", "库存 Inventory"],
  ["listings", "上下架 Listings"], ["customers", "客户 Customers"], ["order-status", "订单状态 Order status"],
  ["logistics", "物流 Logistics"],
];

export const JOB_STATUS = {
  in_queue: "排队中 In queue", in_progress: "处理中 In progress", done: "完成 Done", fatal: "失败 Failed",
};

export const MODULES = [
  ["products", "商品 Products"], ["prices", "价格 Prices"], ["lots", "批次 Lots"], ["inventory", "库存 Inventory"],
  ["listings", "上下架 Listings"], ["customers", "客户 Customers"],
];

export const ROLES = {
  operator: "操作员 Operator", supervisor: "主管 Supervisor", manager: "经理 Manager",
};
