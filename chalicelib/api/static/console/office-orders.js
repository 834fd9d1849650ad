// 订单 Orders: the ERP feed (pending / synced), one order with its tracking, exports to .xlsx.
import { h, replace } from "./h.js";
import { call, enc } from "./api.js";
import { STATUSES, codeText } from "./i18n.js";
import { button, busy, field, select, say, problem, table, time, address, beijing } from "./ui.js";

export function mount(root) {
  const state = { cursors: [null], page: 0, next: null, alive: true, timer: null };
  const list = h("div", {});
  const detail = h("div", { class: "order-detail" });
  const pager = h("div", { class: "pager" });
  const exports = h("div", { class: "exports" });
  const statuses = [["", "全部 All"], ...Object.entries(STATUSES)];
  const filters = h("form", { class: "filters", on: { submit: e => { e.preventDefault(); restart(); } } },
    field("同步 Sync", select("sync_status", [["", "全部 All"], ["pending", "待同步 Pending"], ["synced", "已同步 Synced"]], "pending")),
    field("状态 Status", select("status", statuses, "")),
    field("创建起 Created after", h("input", { name: "created_after", type: "datetime-local" })),
    field("创建止 Created before", h("input", { name: "created_before", type: "datetime-local" })),
    field("更新起 Updated after", h("input", { name: "updated_after", type: "datetime-local" })),
    h("div", { class: "filter-buttons" }, h("button", { type: "submit", class: "primary" }, "查询 Search"),
      button("导出 Export .xlsx", e => busy(e.target, startExport, "导出 Export"), { id: "act-export" })));

  function values() {
    const out = {};
    for (const [name, value] of new FormData(filters).entries()) {
      if (!value) continue;
      out[name] = name.endsWith("_after") || name.endsWith("_before") ? beijing(value) : value;
    }
    return out;
  }

  function restart() { state.cursors = [null]; state.page = 0; load(); }

  async function load() {
    try {
      const answer = await call("GET", "/v1/orders", { query: Object.assign({ limit: 50, cursor: state.cursors[state.page] }, values()) });
      if (!state.alive) return;
      state.next = answer.next_cursor;
      replace(list, answer.items.length ? table(["订单号 Order", "创建 Created", "状态 Status", "同步 Sync", "买家 Buyer", "客户编码 Customer code", "金额 Total", "收件 Recipient"],
        answer.items.map(o => h("tr", { dataset: { orderId: o.order_id } },
          h("td", {}, h("button", { type: "button", class: "link", on: { click: () => show(o.order_id) } }, o.order_id)),
          h("td", {}, time(o.created_at)), h("td", {}, STATUSES[o.status] || o.status), h("td", {}, o.sync_status),
          h("td", { class: "buyer" }, (o.buyer && o.buyer.name) || ""), h("td", {}, o.erp_customer_code || "—"),
          h("td", { class: "num" }, (o.amounts && o.amounts.total) || ""), h("td", { class: "recipient" }, (o.delivery && o.delivery.name) || ""))))
        : h("p", { class: "empty" }, "没有订单 No orders"));
      replace(pager,
        button("上一页 Previous", () => { state.page -= 1; load(); }, { disabled: state.page === 0 }),
        h("span", {}, `第 ${state.page + 1} 页 Page ${state.page + 1}`),
        button("下一页 Next", () => { state.cursors[state.page + 1] = state.next; state.page += 1; load(); }, { disabled: !state.next }));
    } catch (error) {
      problem(error, "订单 Orders");
    }
  }

  async function show(orderId) {
    try {
      const [o, tracking] = await Promise.all([call("GET", `/v1/orders/${enc(orderId)}`), call("GET", `/v1/orders/${enc(orderId)}/tracking`)]);
      const d = o.delivery || {};
      replace(detail, h("section", { class: "panel", dataset: { detailOrderId: o.order_id } },
        h("h2", {}, "订单 Order ", h("code", {}, o.order_id)),
        h("dl", { class: "facts" }, [["状态 Status", STATUSES[o.status] || o.status], ["拦截 Holds", (o.holds || []).map(codeText).join(", ") || "—"],
          ["同步 Sync", o.sync_status], ["付款 Paid", time(o.paid_at)], ["买家 Buyer", (o.buyer && o.buyer.name) || ""],
          ["客户编码 Customer code", o.erp_customer_code || "—"], ["快递 Carrier", o.carrier_code || "—"], ["运单号 Waybill", o.waybill_no || "—"],
          ["收件 Recipient", (d.name || "") + " " + (d.phone || "")], ["地址 Address", address(d)], ["买家备注 Remark", o.remark || ""],
          ["客服备注 Merchant remark", o.merchant_remark || ""],
          ["金额 Amounts", o.amounts ? `货款 ${o.amounts.goods} + 运费 ${o.amounts.freight} − 优惠 ${o.amounts.discount} = ${o.amounts.total}` : ""]]
          .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "")])),
        table(["编码 Code", "品名 Name", "数量 Qty", "单价 Price", "金额 Amount", "已发 Shipped"], (o.lines || []).map(l => h("tr", {},
          h("td", {}, l.erp_product_id), h("td", { class: "line-name" }, l.name || ""), h("td", { class: "num" }, l.quantity), h("td", { class: "num" }, l.unit_price),
          h("td", { class: "num" }, l.amount), h("td", { class: "num" }, l.shipped_quantity || 0)))),
        h("h3", {}, "物流跟踪 Tracking"),
        tracking.items.length ? h("ol", { class: "tracking" }, tracking.items.map(t => h("li", {}, time(t.at), " · ", t.text || t.status)))
          : h("p", {}, "暂无跟踪 No tracking yet")));
      detail.scrollIntoView({ block: "nearest" });
    } catch (error) {
      problem(error, "订单 Order " + orderId);
    }
  }

  async function startExport() {
    const job = await call("POST", "/v1/exports/orders", { body: values() });
    say("导出已开始 Export started: " + job.job_id);
    const row = h("li", { dataset: { exportId: job.job_id } }, job.job_id + " · 排队中 in queue");
    exports.prepend(row);
    const poll = async () => {
      try {
        const state2 = await call("GET", `/v1/exports/${enc(job.job_id)}`);
        if (state2.status === "done") {
          replace(row, job.job_id + " · 完成 done · ", h("a", { href: state2.download_url, class: "export-link", rel: "noopener noreferrer" }, "下载 Download .xlsx"));
        } else if (state2.status === "fatal") {
          replace(row, job.job_id + " · 失败 failed " + (state2.detail || ""));
        } else {
          replace(row, job.job_id + " · " + state2.status);
          if (state.alive) state.timer = setTimeout(poll, 1000);
        }
      } catch (error) {
        problem(error, "导出 Export");
      }
    };
    poll();
  }

  replace(root, h("h1", {}, "订单 Orders (ERP 订单流 feed)"), filters, h("ul", { class: "exports-list" }, exports), list, pager, detail);
  load();
  return () => { state.alive = false; clearTimeout(state.timer); };
}
