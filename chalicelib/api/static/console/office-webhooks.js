// Webhooks: the endpoint (the signing secret is shown once), deliveries by status, retry.
import { h, replace } from "./h.js";
import { call, enc } from "./api.js";
import { button, busy, field, select, say, problem, table, time } from "./ui.js";

const EVENTS = ["order.paid", "order.refund_requested", "order.cancelled", "order.shipped", "upload.finished"];

export function mount(root) {
  const endpoint = h("div", {});
  const deliveries = h("div", {});
  const status = select("status", [["", "全部 All"], ["failed", "失败 Failed"], ["succeeded", "成功 Succeeded"], ["pending", "待发送 Pending"]], "",
    { on: { change: () => loadDeliveries() } });
  replace(root, h("h1", {}, "Webhooks"),
    h("section", { class: "panel" }, h("h2", {}, "接收地址 Endpoint"), endpoint),
    h("section", { class: "panel" }, h("h2", {}, "投递记录 Deliveries"), h("div", { class: "row" }, field("状态 Status", status), button("刷新 Refresh", () => loadDeliveries())), deliveries));

  async function loadEndpoint() {
    let current = null;
    try {
      current = await call("GET", "/v1/webhook-endpoint");
    } catch (error) {
      if (error.status !== 404) problem(error, "Webhook");
    }
    const events = new Set((current && current.events) || EVENTS);
    const secret = h("div", {});
    const form = h("form", { on: { submit: event => {
      event.preventDefault();
      const body = { url: form.url.value.trim(), events: EVENTS.filter(e => form.elements[e].checked) };
      return busy(form.querySelector("button"), async () => {
        const answer = await call("PUT", "/v1/webhook-endpoint", { body });
        say("Webhook 地址已保存 Endpoint saved");
        replace(secret, h("p", { class: "warn" }, "签名密钥只显示这一次 The signing secret is shown once: ", h("code", { class: "signing-secret" }, answer.signing_secret)));
      }, "Webhook");
    } } },
      field("地址 URL", h("input", { name: "url", type: "url", required: true, size: "60", value: (current && current.url) || "" })),
      h("div", {}, EVENTS.map(e => h("label", { class: "switch" }, h("input", { type: "checkbox", name: e, checked: events.has(e) }), e))),
      h("button", { type: "submit", class: "primary" }, "保存 Save"), secret);
    replace(endpoint, form);
  }

  async function loadDeliveries() {
    try {
      const answer = await call("GET", "/v1/webhook-deliveries", { query: { status: status.value, limit: 100 } });
      replace(deliveries, answer.items.length ? table(["事件 Event", "类型 Type", "状态 Status", "次数 Attempts", "最后状态码 Last code", "下次 Next attempt", "放弃 Gave up", "错误 Error", ""],
        answer.items.map(d => h("tr", { dataset: { eventId: d.event_id } }, h("td", {}, h("code", {}, d.event_id)), h("td", {}, d.type),
          h("td", { class: d.status === "failed" ? "warn" : null }, d.status), h("td", { class: "num" }, d.attempts), h("td", {}, d.last_status_code ?? ""),
          h("td", {}, time(d.next_attempt_at)), h("td", {}, d.gave_up ? "是 yes" : ""), h("td", {}, d.last_error || ""),
          h("td", {}, button("重发 Retry", e => busy(e.target, async () => {
            await call("POST", `/v1/webhook-deliveries/${enc(d.event_id)}/retry`);
            say("已重新排队 Queued again: " + d.event_id);
            loadDeliveries();
          }, "重发 Retry"), { class: "retry" }))))) : h("p", { class: "empty" }, "没有投递 No deliveries"));
    } catch (error) {
      problem(error, "投递 Deliveries");
    }
  }

  loadEndpoint();
  loadDeliveries();
}
