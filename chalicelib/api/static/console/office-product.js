// 商品详情 A product's page: fields, prices, stock (on hand, reserved, available, oversold),
// lots, its sync switches with `until`, list/delist and resolve.
import { h, replace } from "./h.js";
import { call, enc } from "./api.js";
import { MODULES } from "./i18n.js";
import { button, busy, field, say, problem, table, time, beijing } from "./ui.js";
import { listingResults, resolveDialog } from "./office-products.js";

export function mount(root, { args, go }) {
  const id = args[0];
  const box = h("div", {});
  const results = h("div", {});
  replace(root, h("p", {}, h("a", { href: "#/products" }, "← 商品列表 Products")), box, results);

  async function load() {
    let product, stock, switches;
    try {
      [product, stock, switches] = await Promise.all([
        call("GET", `/v1/products/${enc(id)}`),
        call("GET", `/v1/inventory/${enc(id)}`).catch(e => (e.status === 404 ? null : Promise.reject(e))),
        call("GET", `/v1/products/${enc(id)}/sync-switches`)]);
    } catch (error) {
      problem(error, "商品 Product " + id);
      return;
    }
    render(product, stock, switches);
  }

  function render(p, stock, switches) {
    const listAct = action => event => busy(event.target, async () => {
      const answer = await call("POST", "/v1/listings", { body: { action, erp_product_ids: [p.erp_product_id] } });
      replace(results, listingResults(answer, action === "list" ? "上架 List" : "下架 Delist"));
      load();
    }, action);
    replace(box,
      h("h1", {}, h("span", { class: "product-name" }, p.name || ""), " ", h("small", {}, p.erp_product_id)),
      h("div", { class: "actions" },
        p.listing === "listed" ? button("下架 Delist", listAct("delist"), { id: "act-delist" }) : button("上架 List", listAct("list"), { id: "act-list" }),
        p.match === "pending_review" ? button("匹配 Resolve", () => resolveDialog(p, load), { class: "resolve" }) : null),
      h("dl", { class: "facts" },
        [["条码 Barcode", p.barcode], ["批准文号 Approval no.", p.approval_number], ["规格 Spec", p.spec], ["厂家 Manufacturer", p.manufacturer],
          ["匹配 Match", p.match], ["基础商品 Base product", p.base_product_id], ["上架 Listing", p.listing],
          ["主图 Main image", p.main_image_url], ["属性 Attributes", Object.entries(p.attributes || {}).map(([k, v]) => k + "=" + v).join("; ")],
          ["更新 Updated", time(p.updated_at)]].map(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "—")])),
      h("h2", {}, "价格 Prices"),
      table(["类型 Kind", "分组 Group", "价格 Price"], [
        h("tr", {}, h("td", {}, "默认价 Default"), h("td", {}, ""), h("td", { class: "num" }, p.default_price || "")),
        h("tr", {}, h("td", {}, "建议零售价 Suggested retail"), h("td", {}, ""), h("td", { class: "num" }, p.suggested_retail_price || "—")),
        ...(p.region_prices || []).map(r => h("tr", {}, h("td", {}, "区域价 Region"), h("td", {}, r.region_group_id), h("td", { class: "num" }, r.price))),
        ...(p.customer_level_prices || []).map(r => h("tr", {}, h("td", {}, "客户等级价 Customer level"), h("td", {}, r.customer_group_id), h("td", { class: "num" }, r.price)))]),
      h("h2", {}, "库存 Stock"), stockView(stock),
      h("h2", {}, "同步开关 Sync switches"), switchesView(p.erp_product_id, switches, load));
  }

  load();
}

function stockView(stock) {
  if (!stock) return h("p", {}, "无库存记录 No stock record");
  const card = (label, value, cls) => h("div", { class: ["card", cls], dataset: { stock: label.split(" ")[1].toLowerCase() } },
    h("div", {}, label), h("div", { class: "big" }, String(value)));
  return h("div", {},
    h("div", { class: "cards" }, card("在库 On_hand", stock.on_hand), card("占用 Reserved", stock.reserved),
      card("可用 Available", stock.available), card("超卖 Oversold", stock.oversold, stock.oversold > 0 ? "bad" : null)),
    h("p", { class: "hint" }, "来源 Source: " + (stock.source || "") + " · 更新 Updated " + time(stock.updated_at)),
    (stock.lots || []).length ? table(["批号 Lot", "生产日期 Produced", "有效期 Expires", "数量 Qty"],
      stock.lots.map(l => h("tr", {}, h("td", {}, l.lot_no), h("td", {}, l.production_date || ""), h("td", {}, l.expiry_date || ""), h("td", { class: "num" }, l.quantity))))
      : h("p", {}, "没有批次 No lots"));
}

function switchesView(erpProductId, answer, reload) {
  const current = (answer && answer.switches) || {};
  const until = h("input", { name: "until", type: "datetime-local" });
  const boxes = MODULES.map(([module, label]) => {
    const s = current[module] || { on: true, until: null };
    return h("label", { class: "switch", dataset: { module } },
      h("input", { type: "checkbox", name: module, checked: s.on, role: "switch" }), label,
      !s.on ? h("small", { class: "warn" }, s.until ? " 关闭至 off until " + time(s.until) : " 已关闭 off") : null);
  });
  const form = h("form", { class: "switches", on: { submit: event => {
    event.preventDefault();
    const body = {};
    for (const [module] of MODULES) body[module] = form.elements[module].checked;
    if (until.value) body.until = beijing(until.value);
    return busy(form.querySelector("button[type=submit]"), async () => {
      await call("PUT", `/v1/products/${enc(erpProductId)}/sync-switches`, { body });
      say("同步开关已保存 Sync switches saved: " + erpProductId);
      reload();
    }, "同步开关 Switches");
  } } },
    h("p", { class: "hint" }, "关闭后ERP自动同步不会改写此商品;手工修改总是生效 Off: automatic syncs skip this product; manual changes always apply"),
    boxes, h("div", { class: "row" }, field("关闭至(北京时间)Off until (Beijing time, optional)", until),
      h("button", { type: "submit", class: "primary" }, "保存开关 Save switches")));
  return form;
}
