// 换货单 Exchange orders: a new order for the same buyer and address, paid at zero, entering
// 待审核 to_review.
import { h, replace } from "./h.js";
import { call, enc } from "./api.js";
import { button, busy, field, say, problem, address } from "./ui.js";
import { openOrder } from "./order-drawer.js";

export function mount(root) {
  const source = h("div", { class: "exchange-source" });
  const lines = h("div", { class: "exchange-lines" });
  const done = h("div", {});

  function lineRow(code = "", quantity = 1) {
    const row = h("div", { class: "row exchange-line" },
      field("商品编码 Product", h("input", { name: "erp_product_id", required: true, maxlength: "64", value: code })),
      field("数量 Qty", h("input", { name: "quantity", type: "number", min: "1", max: "100000", required: true, value: String(quantity) })),
      button("删除 Remove", () => row.remove()));
    return row;
  }

  const form = h("form", { class: "exchange", on: { submit: event => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    return busy(submit, async () => {
      const body = { from_order_id: form.from_order_id.value.trim(),
        lines: [...lines.querySelectorAll(".exchange-line")].map(r => ({
          erp_product_id: r.querySelector("[name=erp_product_id]").value.trim(),
          quantity: Number(r.querySelector("[name=quantity]").value) })),
        remark: form.remark.value.trim() || null };
      const order = await call("POST", "/v1/desk/manual-orders", { body });
      say("换货单已创建 Exchange order created: " + order.order_id);
      replace(done, h("p", { class: "ok" }, "新订单 New order ",
        h("button", { type: "button", class: "link", dataset: { orderId: order.order_id }, on: { click: () => openOrder(order.order_id) } }, order.order_id),
        " · 待审核 to_review"));
    }, "换货 Exchange");
  } } },
    h("div", { class: "row" },
      field("原订单号 From order", h("input", { name: "from_order_id", required: true, maxlength: "64" })),
      button("读取 Load", async () => {
        const id = form.from_order_id.value.trim();
        if (!id) return;
        try {
          const order = await call("GET", `/v1/desk/orders/${enc(id)}`);
          const d = order.delivery || {};
          replace(source, h("p", {}, "买家 Buyer: ", (order.buyer && order.buyer.name) || "", " · 收件 ", d.name || "", " ", d.phone || "", " ", address(d)));
          replace(lines, (order.lines || []).map(l => lineRow(l.erp_product_id, l.quantity)));
        } catch (error) {
          problem(error, "原订单 Order");
        }
      })),
    source,
    h("h2", {}, "换货商品 Lines"), lines,
    button("添加一行 Add line", () => lines.append(lineRow())),
    field("备注 Remark", h("textarea", { name: "remark", rows: "2", maxlength: "1000" })),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "创建换货单 Create exchange order")));
  lines.append(lineRow());
  replace(root, h("h1", {}, "换货单 Exchange order"), form, done);
}
