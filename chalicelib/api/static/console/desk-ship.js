// 直接发货 Direct ship: printed orders, selected, shipped with one result per order (orders
// printed more than once, held or refunded are refused per order).
import { h, replace } from "./h.js";
import { call } from "./api.js";
import { button, busy, showResults, say, problem } from "./ui.js";
import { orderList } from "./order-list.js";

export function mount(root) {
  const state = { alive: true, cursor: null };
  const list = orderList({ onChange: () => load() });
  const results = h("div", { class: "batch-results" });
  const more = h("div", { class: "pager" });

  async function load() {
    try {
      const answer = await call("GET", "/v1/desk/orders", { query: { stage: "printed", limit: 100 } });
      if (!state.alive) return;
      list.show(answer.items);
      replace(more, answer.next_cursor ? h("p", {}, "只显示前100单,发货后刷新 Showing the first 100: ship, then refresh") : null);
    } catch (error) {
      problem(error, "已打印 Printed");
    }
  }

  const ship = button("直接发货 Ship selected", () => {
    const ids = list.selected();
    if (!ids.length) return say("请先选择订单 Select orders first", "warn");
    return busy(ship, async () => {
      const answer = await call("POST", "/v1/desk/shipments", { body: { order_ids: ids } });
      showResults(results, answer, "直接发货 Direct ship", ["stage", "waybill_no"]);
      list.clearSelection();
      await load();
    }, "发货 Ship");
  }, { class: "primary", id: "act-ship" });

  replace(root, h("h1", {}, "直接发货 Direct ship"),
    h("p", { class: "hint" }, "只能发货打印一次、无拦截的订单;打印多次的请到验货出库 · Only orders printed once and not held; others go through Scan out"),
    h("div", { class: "actions" }, ship, button("刷新 Refresh", () => load())), results, list.element, more);
  load();
  return () => { state.alive = false; };
}
