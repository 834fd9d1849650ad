// 打印面单 Print station: pick a lane, claim a batch, open its labels PDF; 补打 reprint with a
// supervisor's authorization (username, password, reason), refusals shown plainly.
import { h, replace } from "./h.js";
import { call, enc } from "./api.js";
import { button, busy, field, select, say, problem, problemView, dialog, table, time } from "./ui.js";

export function mount(root, { session }) {
  const state = { alive: true };
  const lane = select("lane", [["", "全部 All orders"]], "");
  const max = h("input", { name: "max_orders", type: "number", min: "1", max: "100", value: "20" });
  const batches = h("div", { class: "batches" });
  const printed = h("div", { class: "printed" });

  call("GET", "/v1/desk/print-lanes").then(answer => {
    replace(lane, h("option", { value: "" }, "全部 All orders"),
      answer.items.map(l => h("option", { value: l.lane }, l.lane + " · " + laneText(l))));
  }).catch(error => problem(error, "打印分组 Lanes"));

  const claim = button("领取并打印 Claim a batch", () => busy(claim, async () => {
    const body = { max_orders: Number(max.value) || 20 };
    if (lane.value) body.lane = lane.value;
    const answer = await call("POST", "/v1/desk/print-batches", { body });
    if (!answer.order_ids.length) {
      say("没有待打印的订单 No orders to print in this lane", "warn");
      return;
    }
    say(`已领取 ${answer.order_ids.length} 单 Claimed ${answer.order_ids.length} orders`);
    batches.prepend(h("section", { class: "batch", dataset: { batchId: answer.batch_id } },
      h("h3", {}, "批次 Batch ", h("code", {}, answer.batch_id), " · ", time(new Date().toISOString())),
      h("p", {}, h("a", { href: answer.labels_url, target: "_blank", rel: "noopener noreferrer", class: "button primary labels-link" },
        "打开面单 PDF Open labels (" + answer.order_ids.length + ")"), " ", h("small", {}, "链接15分钟内有效 Link valid 15 minutes")),
      h("ul", { class: "batch-orders" }, answer.order_ids.map(id => h("li", { dataset: { orderId: id } }, id)))));
    loadPrinted();
  }, "打印 Print"), { class: "primary", id: "claim-batch" });

  async function loadPrinted() {
    try {
      const answer = await call("GET", "/v1/desk/orders", { query: { stage: "printed", limit: 50 } });
      if (!state.alive) return;
      replace(printed, h("h2", {}, "已打印 Printed (补打 Reprint)"), answer.items.length ? table(
        ["订单号 Order", "运单号 Waybill", "收件 Recipient", "打印次数 Prints", ""],
        answer.items.map(o => h("tr", { dataset: { orderId: o.order_id } }, h("td", {}, o.order_id), h("td", {}, o.waybill_no || ""),
          h("td", {}, (o.delivery && o.delivery.name) || ""), h("td", { class: "num" }, o.print_count),
          h("td", {}, button("补打 Reprint", () => reprintDialog(o.order_id, session, loadPrinted), { class: "reprint" }))))) :
        h("p", {}, "没有已打印订单 No printed orders"));
    } catch (error) {
      problem(error, "已打印 Printed");
    }
  }

  const byId = h("form", { class: "row", on: { submit: event => { event.preventDefault(); if (byId.order_id.value.trim()) reprintDialog(byId.order_id.value.trim(), session, loadPrinted); } } },
    field("订单号 Order", h("input", { name: "order_id", maxlength: "64" })), h("button", { type: "submit" }, "补打 Reprint"));

  replace(root, h("h1", {}, "打印面单 Print station"),
    h("div", { class: "row" }, field("打印分组 Lane", lane), field("最多 Max orders", max), claim),
    batches, h("h2", {}, "按单号补打 Reprint by order"), byId, printed);
  loadPrinted();
  return () => { state.alive = false; };
}

function laneText(l) {
  const parts = [];
  if (l.provinces && l.provinces.length) parts.push(l.provinces.join("、"));
  if (l.paid_from_hour !== null && l.paid_from_hour !== undefined) parts.push(`${l.paid_from_hour}–${l.paid_to_hour} 点`);
  if (l.carrier_code) parts.push(l.carrier_code);
  return parts.join(" · ") || "全部 all";
}

export function reprintDialog(orderId, session, done) {
  const lead = session.role === "supervisor" || session.role === "manager";
  const outcome = h("div", { class: "dialog-outcome", "aria-live": "assertive" });
  const form = h("form", { class: "reprint-form", on: { submit: async event => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    replace(outcome);
    const body = { reason: form.reason.value.trim() };
    if (form.supervisor_username.value.trim() || !lead) {
      body.supervisor = { username: form.supervisor_username.value.trim(), password: form.supervisor_password.value };
    }
    try {
      const answer = await call("POST", `/v1/desk/orders/${enc(orderId)}/reprints`, { body });
      form.supervisor_password.value = "";
      replace(outcome, h("p", { class: "ok" }, `已补打,第 ${answer.print_count} 次打印 Reprinted (print ${answer.print_count}) `),
        h("a", { href: answer.labels_url, target: "_blank", rel: "noopener noreferrer", class: "button primary labels-link" }, "打开面单 PDF Open label"));
      if (done) done();
    } catch (error) {
      form.supervisor_password.value = "";
      replace(outcome, problemView(error, "补打 Reprint"));
    } finally {
      submit.disabled = false;
    }
  } } },
    h("p", {}, "订单 Order ", h("code", {}, orderId)),
    field("原因 Reason", h("input", { name: "reason", required: true, maxlength: "200", placeholder: "卡纸 paper jam" })),
    field("主管用户名 Supervisor", h("input", { name: "supervisor_username", autocomplete: "off", required: !lead, maxlength: "64" }),
      lead ? "主管本人可留空 Leave empty to authorize it yourself" : null),
    field("主管密码 Supervisor password", h("input", { name: "supervisor_password", type: "password", autocomplete: "off", maxlength: "200" })),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "授权补打 Authorize reprint")),
    outcome);
  return dialog("补打 Reprint", form);
}
