// A list of desk orders: one row per order (each row carries data-order-id), a check box per
// row and "select all"; the order number opens the drawer. Used by review and ship screens.
import { h, replace } from "./h.js";
import { codeText, stageName } from "./i18n.js";
import { table, time } from "./ui.js";
import { openOrder } from "./order-drawer.js";

export function orderList({ onChange } = {}) {
  const state = { orders: [], selected: new Set() };
  const box = h("div", { class: "order-list" });
  const all = h("input", { type: "checkbox", name: "select_all", "aria-label": "全选 Select all", on: { change: () => {
    state.selected = all.checked ? new Set(state.orders.map(o => o.order_id)) : new Set();
    for (const c of box.querySelectorAll("tbody input[type=checkbox]")) c.checked = all.checked;
  } } });

  function linesText(order) {
    return (order.lines || []).map(l => (l.name || l.erp_product_id) + " ×" + l.quantity).join(";");
  }

  function row(order) {
    const check = h("input", { type: "checkbox", name: "order", value: order.order_id, "aria-label": "选择 Select " + order.order_id,
      checked: state.selected.has(order.order_id), on: { change: () => {
        if (check.checked) state.selected.add(order.order_id); else state.selected.delete(order.order_id);
        all.checked = state.selected.size === state.orders.length && state.orders.length > 0;
      } } });
    const holds = order.holds || [];
    const d = order.delivery || {};
    return h("tr", { dataset: { orderId: order.order_id }, class: holds.length ? "held" : null },
      h("td", {}, check),
      h("td", {}, h("button", { type: "button", class: "link open-order", on: { click: () => openOrder(order.order_id, { onChange }) } }, order.order_id)),
      h("td", {}, time(order.paid_at)),
      h("td", { class: "buyer" }, (order.buyer && order.buyer.name) || ""),
      h("td", { class: "recipient" }, (d.name || "") + " " + (d.province || "") + (d.city || "")),
      h("td", { class: "lines" }, linesText(order)),
      h("td", { class: "remarks" }, order.remark ? h("div", { class: "buyer-remark" }, "买家: " + order.remark) : null,
        order.merchant_remark ? h("div", { class: "merchant-remark" }, "客服: " + order.merchant_remark) : null),
      h("td", {}, order.carrier_code || "—"),
      h("td", {}, order.waybill_no || "—"),
      h("td", {}, stageName(order.stage), order.print_count > 1 ? h("div", { class: "warn" }, "打印 " + order.print_count + " 次") : null),
      h("td", { class: holds.length ? "warn" : null }, holds.map(codeText).join(", ")));
  }

  function show(orders) {
    state.orders = orders;
    const ids = new Set(orders.map(o => o.order_id));
    state.selected = new Set([...state.selected].filter(id => ids.has(id)));
    all.checked = state.selected.size === orders.length && orders.length > 0;
    replace(box, orders.length ? table([all, "订单号 Order", "付款 Paid", "买家 Buyer", "收件 Recipient", "商品 Lines",
      "备注 Remarks", "快递 Carrier", "运单号 Waybill", "环节 Stage", "拦截 Holds"], orders.map(row), { class: "orders" })
      : h("p", { class: "empty" }, "没有订单 No orders"));
  }

  return { element: box, show, selected: () => state.orders.filter(o => state.selected.has(o.order_id)).map(o => o.order_id),
    clearSelection: () => { state.selected.clear(); show(state.orders); } };
}
