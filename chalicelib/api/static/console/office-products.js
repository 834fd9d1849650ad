// 商品 Products: filters (listing, match), the 待匹配 pending_review queue with candidate base
// products and resolve, list/delist with per-item reasons (duplicate_listing links to the
// duplicate), and a link to each product's page.
import { h, replace } from "./h.js";
import { call, enc } from "./api.js";
import { codeText } from "./i18n.js";
import { button, busy, field, select, say, problem, problemView, table, dialog, resultsView } from "./ui.js";

export function mount(root, { go }) {
  const state = { cursors: [null], page: 0, next: null, items: [], selected: new Set(), alive: true };
  const listBox = h("div", {});
  const results = h("div", { class: "batch-results" });
  const pager = h("div", { class: "pager" });
  const filters = h("form", { class: "filters", on: { submit: e => { e.preventDefault(); restart(); }, change: () => restart() } },
    field("上架 Listing", select("listing", [["", "全部 All"], ["listed", "已上架 Listed"], ["unlisted", "未上架 Unlisted"]], "")),
    field("匹配 Match", select("match", [["", "全部 All"], ["matched", "已匹配 Matched"], ["pending_review", "待匹配 Pending review"]], "")),
    field("每页 Page size", select("limit", [["20", "20"], ["50", "50"], ["100", "100"]], "50")));

  function restart() { state.cursors = [null]; state.page = 0; load(); }

  async function load() {
    const q = { limit: filters.limit.value, listing: filters.listing.value, match: filters.match.value, cursor: state.cursors[state.page] };
    try {
      const answer = await call("GET", "/v1/products", { query: q });
      if (!state.alive) return;
      state.items = answer.items;
      state.next = answer.next_cursor;
      state.selected.clear();
      render();
    } catch (error) {
      problem(error, "商品 Products");
    }
  }

  function render() {
    const all = h("input", { type: "checkbox", "aria-label": "全选 Select all", on: { change: () => {
      state.selected = all.checked ? new Set(state.items.map(p => p.erp_product_id)) : new Set();
      for (const c of listBox.querySelectorAll("tbody input[type=checkbox]")) c.checked = all.checked;
    } } });
    replace(listBox, state.items.length ? table([all, "编码 Code", "品名 Name", "条码 Barcode", "规格 Spec", "厂家 Maker", "匹配 Match", "基础商品 Base", "上架 Listing", "价格 Price", ""],
      state.items.map(p => {
        const check = h("input", { type: "checkbox", "aria-label": "选择 Select " + p.erp_product_id, on: { change: () => {
          if (check.checked) state.selected.add(p.erp_product_id); else state.selected.delete(p.erp_product_id);
        } } });
        return h("tr", { dataset: { productId: p.erp_product_id } }, h("td", {}, check),
          h("td", {}, h("a", { href: "#/product/" + enc(p.erp_product_id), class: "product-link" }, p.erp_product_id)),
          h("td", { class: "product-name" }, p.name || ""), h("td", {}, p.barcode || ""), h("td", {}, p.spec || ""), h("td", {}, p.manufacturer || ""),
          h("td", { class: p.match === "pending_review" ? "warn" : null }, p.match === "matched" ? "已匹配 matched" : "待匹配 pending"),
          h("td", {}, p.base_product_id || "—"), h("td", {}, p.listing === "listed" ? "已上架 listed" : "未上架 unlisted"),
          h("td", { class: "num" }, p.default_price || ""),
          h("td", {}, p.match === "pending_review" ? button("匹配 Resolve", () => resolveDialog(p, load), { class: "resolve" }) : null));
      }), { class: "products" }) : h("p", { class: "empty" }, "没有商品 No products"));
    replace(pager,
      button("上一页 Previous", () => { state.page -= 1; load(); }, { disabled: state.page === 0 }),
      h("span", {}, `第 ${state.page + 1} 页 Page ${state.page + 1}`),
      button("下一页 Next", () => { state.cursors[state.page + 1] = state.next; state.page += 1; load(); }, { disabled: !state.next }));
  }

  const listing = action => async event => {
    const ids = [...state.selected];
    if (!ids.length) return say("请先选择商品 Select products first", "warn");
    await busy(event.target, async () => {
      const answer = await call("POST", "/v1/listings", { body: { action, erp_product_ids: ids } });
      replace(results, listingResults(answer, action === "list" ? "上架 List" : "下架 Delist", go));
      await load();
    }, action);
  };

  replace(root, h("h1", {}, "商品 Products"), filters,
    h("div", { class: "actions" }, button("上架 List selected", listing("list"), { id: "act-list" }),
      button("下架 Delist selected", listing("delist"), { id: "act-delist" }),
      button("待匹配队列 Pending review queue", () => { filters.match.value = "pending_review"; restart(); })),
    results, listBox, pager);
  load();
  return () => { state.alive = false; };
}

export function listingResults(answer, title) {
  const view = resultsView(answer, title, ["listing"]);
  for (const r of answer.results || []) {
    if (r.code === "duplicate_listing" && r.duplicate_of) {
      const row = view.querySelector(`tr[data-key="${CSS.escape(r.key)}"] td:nth-child(4)`);
      if (row) row.append(" · 重复于 duplicate of ", h("a", { href: "#/product/" + enc(r.duplicate_of), class: "duplicate-of" }, r.duplicate_of));
    }
  }
  return view;
}

export async function resolveDialog(product, done) {
  const outcome = h("div", { class: "dialog-outcome" });
  const choices = h("div", { class: "candidates" }, h("p", {}, "加载候选 Loading candidates…"));
  const typed = h("input", { name: "base_product_id", maxlength: "64", placeholder: "base_product_id" });
  const form = h("form", { on: { submit: async event => {
    event.preventDefault();
    const picked = form.querySelector("input[name=candidate]:checked");
    const base = typed.value.trim() || (picked && picked.value);
    if (!base) return replace(outcome, h("p", { class: "warn" }, "请选择或输入基础商品 Pick or type a base product"));
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const answer = await call("POST", `/v1/products/${enc(product.erp_product_id)}/review`, { body: { base_product_id: base } });
      if (answer.status === "skipped") {
        replace(outcome, h("p", { class: "warn" }, codeText(answer.code)));
      } else {
        say(`已匹配 Matched: ${product.erp_product_id} → ${answer.base_product_id}`);
        dlg.close();
        if (done) done();
      }
    } catch (error) {
      replace(outcome, problemView(error, "匹配 Resolve"));
    } finally {
      submit.disabled = false;
    }
  } } },
    h("p", {}, product.erp_product_id + " · ", h("span", { class: "product-name" }, product.name || "")),
    h("h3", {}, "候选基础商品 Candidates"), choices,
    field("或输入基础商品编号 Or type a base product id", typed),
    h("button", { type: "submit", class: "primary" }, "确认匹配 Resolve"), outcome);
  const dlg = dialog("匹配基础商品 Resolve match", form);
  try {
    const answer = await call("GET", `/v1/products/${enc(product.erp_product_id)}/candidates`);
    replace(choices, answer.items.length ? answer.items.map((c, i) => h("label", { class: "candidate", dataset: { baseProductId: c.base_product_id } },
      h("input", { type: "radio", name: "candidate", value: c.base_product_id, checked: i === 0 }), " ",
      h("strong", {}, c.base_product_id), " · ", c.name || "", " · ", [c.barcode, c.approval_number, c.spec, c.manufacturer].filter(Boolean).join(" / "),
      h("small", {}, " (按 by " + c.matched_by.join(", ") + ")"), h("br")))
      : h("p", { class: "hint" }, "没有候选,请输入编号 No candidates: type the id"));
  } catch (error) {
    replace(choices, problemView(error, "候选 Candidates"));
  }
}
