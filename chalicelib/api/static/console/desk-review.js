// 审核 Review: stage tabs with counts, every filter of GET /v1/desk/orders, paging, select all;
// manual review, smart review of the filter (each skipped order with its reason), carrier
// change, waybill reservation, refund checks.
import { h, replace } from "./h.js";
import { call } from "./api.js";
import { STAGES } from "./i18n.js";
import { button, busy, field, select, showResults, say, beijing, problem } from "./ui.js";
import { carrierOptions } from "./carriers.js";
import { orderList } from "./order-list.js";

const PAGE_SIZES = [["20", "20"], ["50", "50"], ["100", "100"]];

export function mount(root) {
  const state = { stage: "to_review", cursors: [null], page: 0, next: null, alive: true };
  const tabs = h("div", { class: "tabs", role: "tablist", "aria-label": "环节 Stages" });
  const list = orderList({ onChange: () => load() });
  const results = h("div", { class: "batch-results" });
  const pager = h("div", { class: "pager" });
  const actions = h("div", { class: "actions" });
  const carrierSelect = select("carrier_code_change", [], "", { "aria-label": "改为快递 New carrier" });
  const filterCarrier = select("carrier_code", [["", "全部 Any"]], "");
  const filters = h("form", { class: "filters", "aria-label": "筛选 Filters", on: { submit: event => { event.preventDefault(); restart(); } } },
    field("省份 Province", h("input", { name: "province", maxlength: "50", placeholder: "广东省" })),
    field("付款起 Paid after", h("input", { name: "paid_after", type: "datetime-local" })),
    field("付款止 Paid before", h("input", { name: "paid_before", type: "datetime-local" })),
    field("快递 Carrier", filterCarrier),
    field("备注 Remark", select("has_remark", [["", "全部 Any"], ["true", "有备注 With"], ["false", "无备注 Without"]], "")),
    field("商品编码 Product", h("input", { name: "erp_product_id", maxlength: "64" })),
    field("行数 Lines", h("input", { name: "line_count", type: "number", min: "1", max: "1000" })),
    field("件数 Units", h("input", { name: "quantity", type: "number", min: "1", max: "1000000" })),
    field("每页 Page size", select("limit", PAGE_SIZES, "50")),
    h("div", { class: "filter-buttons" },
      h("button", { type: "submit", class: "primary" }, "查询 Search"),
      h("button", { type: "reset", on: { click: () => setTimeout(restart, 0) } }, "清空 Clear")));

  carrierOptions(true).then(options => {
    replace(filterCarrier, options.map(([v, l]) => h("option", { value: v }, l)));
    replace(carrierSelect, options.filter(o => o[0]).map(([v, l]) => h("option", { value: v, selected: v === "SF" }, l)));
  });

  function filterValues() {
    const out = {};
    for (const [name, value] of new FormData(filters).entries()) {
      const text = String(value).trim();
      if (!text || name === "limit") continue;
      out[name] = name === "paid_after" || name === "paid_before" ? beijing(text) : text;
    }
    return out;
  }

  function query() {
    const q = Object.assign({ stage: state.stage, limit: filters.limit.value }, filterValues());
    const cursor = state.cursors[state.page];
    if (cursor) q.cursor = cursor;
    return q;
  }

  async function counts() {
    try {
      const answer = await call("GET", "/v1/desk/stage-counts");
      for (const [stage] of STAGES) {
        const badge = tabs.querySelector(`[data-stage="${stage}"] .count`);
        if (badge) badge.textContent = String(answer.counts[stage] ?? 0) + (answer.capped && answer.capped.includes(stage) ? "+" : "");
      }
    } catch (error) {
      if (error.status !== 403) problem(error, "数量 Counts");
    }
  }

  async function load() {
    try {
      const answer = await call("GET", "/v1/desk/orders", { query: query() });
      if (!state.alive) return;
      state.next = answer.next_cursor;
      list.show(answer.items);
      renderPager(answer.items.length);
    } catch (error) {
      problem(error, "订单 Orders");
    }
    counts();
  }

  function restart() {
    state.cursors = [null];
    state.page = 0;
    replace(results);
    load();
  }

  function renderPager(shown) {
    replace(pager,
      button("上一页 Previous", () => { state.page -= 1; load(); }, { disabled: state.page === 0 }),
      h("span", {}, `第 ${state.page + 1} 页 Page ${state.page + 1} · ${shown} 单 orders`),
      button("下一页 Next", () => { state.cursors[state.page + 1] = state.next; state.page += 1; load(); }, { disabled: !state.next }));
  }

  function needSelection() {
    const ids = list.selected();
    if (!ids.length) say("请先选择订单 Select orders first", "warn");
    return ids.length ? ids : null;
  }

  async function batchAction(el, title, method, path, body, extra) {
    await busy(el, async () => {
      const answer = await call(method, path, { body });
      showResults(results, answer, title, extra);
      list.clearSelection();
      await load();
      return answer;
    }, title);
  }

  function renderActions() {
    const review = button("审核 Review", e => { const ids = needSelection(); if (ids) batchAction(e.target, "审核 Review", "POST", "/v1/desk/reviews", { order_ids: ids }, ["stage", "carrier_code"]); }, { id: "act-review" });
    const smart = button("智能审核 Smart review", async e => {
      await busy(e.target, async () => {
        const filter = Object.assign({ limit: Number(filters.limit.value) }, filterValues());
        const answer = await call("POST", "/v1/desk/reviews", { body: { auto: true, filter } });
        showResults(results, answer, "智能审核 Smart review", ["stage", "carrier_code"]);
        if (answer.next_cursor) results.prepend(h("p", { class: "warn" }, "还有更多订单未处理,请再次点击智能审核 · More orders match: run smart review again"));
        await load();
      }, "智能审核 Smart review");
    }, { id: "act-smart-review" });
    const carrier = button("改快递 Change carrier", e => { const ids = needSelection(); if (ids) batchAction(e.target, "改快递 Carrier", "PUT", "/v1/desk/orders/carrier", { order_ids: ids, carrier_code: carrierSelect.value }, ["carrier_code"]); }, { id: "act-carrier" });
    const reserve = button("预约单号 Reserve waybills", e => { const ids = needSelection(); if (ids) batchAction(e.target, "预约单号 Waybills", "POST", "/v1/desk/waybills", { order_ids: ids }, ["carrier_code", "waybill_no"]); }, { id: "act-reserve" });
    const refunds = button("退款检查 Refund check", e => { const ids = needSelection(); if (ids) batchAction(e.target, "退款检查 Refund check", "POST", "/v1/desk/refund-checks", { order_ids: ids }, ["refund_pending", "holds", "stage"]); }, { id: "act-refund-check" });
    const carrierGroup = () => h("span", { class: "group" }, carrierSelect, carrier);
    const byStage = {
      to_review: () => [review, smart, carrierGroup(), refunds],
      reviewed: () => [reserve, carrierGroup(), refunds],
    };
    replace(actions, byStage[state.stage] ? byStage[state.stage]() : [refunds]);
  }

  function renderTabs() {
    replace(tabs, STAGES.map(([stage, zh, en]) => h("button", {
      type: "button", role: "tab", "aria-selected": String(stage === state.stage), dataset: { stage },
      class: stage === state.stage ? "tab active" : "tab",
      on: { click: () => { state.stage = stage; renderTabs(); renderActions(); restart(); },
        keydown: event => {
          const i = STAGES.findIndex(s => s[0] === state.stage);
          const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
          if (!step) return;
          state.stage = STAGES[(i + step + STAGES.length) % STAGES.length][0];
          renderTabs(); renderActions(); restart();
          tabs.querySelector(".tab.active").focus();
        } } },
      zh + " ", h("small", {}, en), " ", h("span", { class: "count" }, "…"))));
  }

  renderTabs();
  renderActions();
  replace(root, h("h1", {}, "订单审核 Review"), tabs, filters, actions, results, list.element, pager);
  load();
  return () => { state.alive = false; };
}
