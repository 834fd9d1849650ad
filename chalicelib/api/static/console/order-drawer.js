// The order drawer: lines, address, remarks (the merchant remark editable), holds, stage,
// carrier, waybill and the print log of one desk order.
import { h, replace } from "./h.js";
import { call, enc } from "./api.js";
import { stageName, STATUSES, codeText } from "./i18n.js";
import { table, time, address, busy, say, problemView } from "./ui.js";

export async function openOrder(orderId, { onChange } = {}) {
  const drawer = h("aside", { class: "drawer", role: "dialog", "aria-modal": "false", "aria-label": "订单 Order " + orderId,
    dataset: { drawerOrderId: orderId }, tabindex: "-1" });
  const existing = document.querySelector(".drawer");
  if (existing) existing.remove();
  document.body.append(drawer);
  const close = () => { drawer.remove(); document.removeEventListener("keydown", onKey); };
  const onKey = event => { if (event.key === "Escape") close(); };
  document.addEventListener("keydown", onKey);
  replace(drawer, h("p", {}, "加载中 Loading…"));
  try {
    const order = await call("GET", `/v1/desk/orders/${enc(orderId)}`);
    render(drawer, order, close, onChange);
  } catch (error) {
    replace(drawer, h("button", { type: "button", class: "close", on: { click: close } }, "×"), problemView(error, orderId));
  }
  drawer.focus();
  return drawer;
}

function render(drawer, order, close, onChange) {
  const d = order.delivery || {};
  const remark = h("textarea", { name: "merchant_remark", rows: "3", maxlength: "1000" });
  remark.value = order.merchant_remark || "";
  const save = h("button", { type: "button", on: { click: () => busy(save, async () => {
    const updated = await call("PUT", `/v1/desk/orders/${enc(order.order_id)}/remark`, { body: { merchant_remark: remark.value || null } });
    say("客服备注已保存 Remark saved: " + order.order_id);
    render(drawer, updated, close, onChange);
    if (onChange) onChange();
  }, "备注 Remark") } }, "保存备注 Save remark");
  replace(drawer,
    h("header", {}, h("h2", {}, "订单 Order ", h("code", {}, order.order_id)),
      h("button", { type: "button", class: "close", "aria-label": "关闭 Close", on: { click: close } }, "×")),
    h("dl", { class: "facts" },
      fact("环节 Stage", stageName(order.stage)),
      fact("状态 Status", STATUSES[order.status] || order.status),
      fact("拦截 Holds", (order.holds || []).map(codeText).join(", ") || "无 None", (order.holds || []).length ? "warn" : ""),
      fact("快递 Carrier", order.carrier_code || "—"),
      fact("运单号 Waybill", order.waybill_no || "—"),
      fact("打印次数 Prints", String(order.print_count || 0)),
      fact("付款时间 Paid", time(order.paid_at)),
      fact("买家 Buyer", (order.buyer && order.buyer.name) || ""),
      fact("客户编码 Customer code", order.erp_customer_code || "—"),
      order.exchange_of ? fact("换货原单 Exchange of", order.exchange_of) : null),
    h("h3", {}, "收货地址 Address"),
    h("p", { class: "address" }, h("span", { class: "recipient" }, d.name || ""), " ", h("span", {}, d.phone || ""), h("br"),
      h("span", { class: "address-text" }, address(d))),
    h("h3", {}, "商品 Lines"),
    table(["编码 Code", "品名 Name", "数量 Qty", "单价 Price", "已发 Shipped"], (order.lines || []).map(l =>
      h("tr", {}, h("td", {}, l.erp_product_id), h("td", { class: "line-name" }, l.name || ""), h("td", { class: "num" }, l.quantity),
        h("td", { class: "num" }, l.unit_price || ""), h("td", { class: "num" }, l.shipped_quantity || 0)))),
    h("h3", {}, "买家备注 Buyer remark"),
    h("p", { class: "remark buyer-remark" }, order.remark || "无 None"),
    h("h3", {}, "客服备注 Merchant remark"),
    h("div", { class: "row" }, remark, save),
    h("h3", {}, "打印记录 Print log"),
    (order.prints || []).length ? table(["操作员 Operator", "时间 At", "原因 Reason", "授权 Authorized by", "批次 Batch"],
      order.prints.map(p => h("tr", {}, h("td", {}, p.operator || ""), h("td", {}, time(p.at)), h("td", {}, p.reason || ""),
        h("td", {}, p.authorized_by || ""), h("td", {}, p.batch_id || "")))) : h("p", {}, "未打印 Not printed"));
}

function fact(label, value, cls) {
  return [h("dt", {}, label), h("dd", { class: cls || null }, value)];
}
