// 同步与ERP Module sync switches, automatic listing, and the ERP connection with its poll status.
import { h, replace } from "./h.js";
import { call } from "./api.js";
import { MODULES } from "./i18n.js";
import { button, busy, field, say, problem, time } from "./ui.js";

export function mount(root) {
  const switches = h("div", {});
  const listing = h("div", {});
  const erp = h("div", {});
  const status = h("div", {});
  replace(root, h("h1", {}, "同步与ERP Sync & ERP"),
    h("section", { class: "panel" }, h("h2", {}, "模块同步开关 Module sync switches"), switches),
    h("section", { class: "panel" }, h("h2", {}, "自动上架 Automatic listing"), listing),
    h("section", { class: "panel" }, h("h2", {}, "ERP 连接 ERP connection"), erp, h("h3", {}, "拉取状态 Poll status"), status));
  loadSwitches(switches);
  loadListing(listing);
  loadErp(erp, status);
  const timer = setInterval(() => loadStatus(status), 10000);
  return () => clearInterval(timer);
}

async function loadSwitches(box) {
  let current = {};
  try {
    current = await call("GET", "/v1/sync-switches");
  } catch (error) {
    return problem(error, "同步开关 Switches");
  }
  const form = h("form", { on: { submit: event => {
    event.preventDefault();
    const body = {};
    for (const [module] of MODULES) body[module] = form.elements[module].checked;
    return busy(form.querySelector("button"), async () => {
      await call("PUT", "/v1/sync-switches", { body });
      say("模块同步开关已保存 Module switches saved");
    }, "同步开关 Switches");
  } } },
    h("p", { class: "hint" }, "关闭的模块不接受ERP自动推送和定时拉取;控制台和表格的手工修改总是生效 Off: automatic pushes and polls skip the module; manual changes apply"),
    MODULES.map(([module, label]) => h("label", { class: "switch", dataset: { module } },
      h("input", { type: "checkbox", name: module, role: "switch", checked: current[module] !== false }), label)),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "保存 Save")));
  replace(box, form);
}

async function loadListing(box) {
  let current = {};
  try {
    current = await call("GET", "/v1/settings/listing");
  } catch (error) {
    return problem(error, "自动上架 Listing");
  }
  const check = h("input", { type: "checkbox", name: "auto_list_when_stocked", role: "switch", checked: !!current.auto_list_when_stocked });
  const save = button("保存 Save", () => busy(save, async () => {
    await call("PUT", "/v1/settings/listing", { body: { auto_list_when_stocked: check.checked } });
    say("自动上架设置已保存 Automatic listing saved");
  }, "自动上架 Listing"));
  replace(box, h("label", { class: "switch" }, check, "有库存自动上架,无库存自动下架 List when stocked, delist at 0"), " ", save);
}

async function loadErp(box, statusBox) {
  let current = null;
  try {
    current = await call("GET", "/v1/erp-connection");
  } catch (error) {
    if (error.status !== 404) problem(error, "ERP 连接 Connection");
  }
  const c = current || {};
  const form = h("form", { class: "row", on: { submit: event => {
    event.preventDefault();
    const body = { inventory_url: form.inventory_url.value.trim(), poll_every_minutes: Number(form.poll_every_minutes.value) };
    if (form.auth_header.value) body.auth_header = form.auth_header.value;
    return busy(form.querySelector("button[type=submit]"), async () => {
      await call("PUT", "/v1/erp-connection", { body });
      form.auth_header.value = "";
      say("ERP 连接已保存 ERP connection saved");
      loadErp(box, statusBox);
    }, "ERP 连接 Connection");
  } } },
    field("库存地址 Inventory URL", h("input", { name: "inventory_url", type: "url", required: true, size: "50", value: c.inventory_url || "" })),
    field("认证头 Auth header", h("input", { name: "auth_header", type: "password", autocomplete: "off", size: "30",
      placeholder: c.auth_header_set ? "已设置,留空保留 Set: leave empty to keep" : "Authorization: Bearer …" })),
    field("间隔(分钟)Every (minutes)", h("input", { name: "poll_every_minutes", type: "number", min: "1", max: "1440", required: true, value: String(c.poll_every_minutes || 15) })),
    h("button", { type: "submit", class: "primary" }, "保存连接 Save connection"),
    current ? button("立即拉取 Poll now", e => busy(e.target, async () => {
      await call("POST", "/v1/erp-connection/polls");
      say("已安排拉取 Poll queued");
      loadStatus(statusBox);
    }, "拉取 Poll")) : null,
    current ? button("断开 Disconnect", e => busy(e.target, async () => {
      await call("DELETE", "/v1/erp-connection");
      say("已断开 Disconnected");
      loadErp(box, statusBox);
    }, "断开 Disconnect")) : null);
  replace(box, current ? h("p", { class: "hint" }, "认证头 auth header: " + (c.auth_header_set ? "已设置 set (不再显示 never shown)" : "未设置 none") +
    " · 更新 updated " + time(c.updated_at)) : h("p", { class: "hint" }, "未连接 Not connected"), form);
  loadStatus(statusBox);
}

async function loadStatus(box) {
  try {
    const s = await call("GET", "/v1/erp-connection/status");
    replace(box, h("dl", { class: "facts erp-status" },
      [["上次拉取 Last poll", time(s.last_poll_at) || "—"], ["结果 Outcome", s.outcome || "—"], ["错误 Error", s.error || ""],
        ["读到 Seen", s.items_seen], ["改动 Changed", s.items_changed], ["开关跳过 Skipped (switches)", s.items_skipped],
        ["无效 Invalid", s.items_invalid], ["连续失败 Failures in a row", s.consecutive_failures],
        ["进行中 Polling", s.polling ? "是 yes" : "否 no"], ["下次 Next poll", time(s.next_poll_at) || "—"]]
        .map(([k, v]) => [h("dt", {}, k), h("dd", { class: k.includes("Error") && v ? "warn" : null }, String(v ?? ""))])));
  } catch (error) {
    if (error.status === 404) replace(box, h("p", { class: "hint" }, "没有拉取记录 No polls yet"));
    else problem(error, "拉取状态 Status");
  }
}
