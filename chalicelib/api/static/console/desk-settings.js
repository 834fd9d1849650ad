// 设置 Supervisor settings: waybill ranges (with how many numbers remain), carrier rules by
// province, print lanes, the sender printed on labels, and the desk's users.
import { h, replace } from "./h.js";
import { call, enc } from "./api.js";
import { ROLES } from "./i18n.js";
import { button, busy, field, select, say, problem, table, time, formValues, dialog } from "./ui.js";
import { carrierOptions } from "./carriers.js";

function splitList(text) {
  return String(text || "").split(/[,,、;;\s]+/).map(s => s.trim()).filter(Boolean);
}

function section(title, ...content) {
  return h("section", { class: "panel", "aria-label": title }, h("h2", {}, title), content);
}

export function mount(root, { session }) {
  const ranges = h("div", {});
  const rules = h("div", {});
  const lanes = h("div", {});
  const sender = h("div", {});
  const users = h("div", {});
  replace(root, h("h1", {}, "发货台设置 Desk settings"),
    section("运单号段 Waybill ranges", ranges), section("快递规则 Carrier rules", rules),
    section("打印分组 Print lanes", lanes), section("寄件人 Sender", sender), section("用户 Users", users));
  carrierOptions(false).then(options => {
    loadRanges(ranges, options);
    loadRules(rules, options);
    loadLanes(lanes, options);
  });
  loadSender(sender);
  loadUsers(users, session);
}

async function loadRanges(box, carriers) {
  let items = [];
  try {
    items = (await call("GET", "/v1/desk/waybill-ranges")).items;
  } catch (error) {
    problem(error, "号段 Ranges");
  }
  const form = h("form", { class: "row", on: { submit: event => {
    event.preventDefault();
    const v = formValues(form);
    return busy(form.querySelector("button"), async () => {
      await call("POST", "/v1/desk/waybill-ranges", { body: { carrier_code: v.carrier_code, prefix: v.prefix, first: Number(v.first), last: Number(v.last) } });
      say("号段已添加 Range added");
      loadRanges(box, carriers);
    }, "号段 Range");
  } } },
    field("快递 Carrier", select("carrier_code", carriers, "SF")),
    field("前缀 Prefix", h("input", { name: "prefix", maxlength: "20", pattern: "[A-Za-z0-9-]*" })),
    field("起 First", h("input", { name: "first", type: "number", min: "0", required: true })),
    field("止 Last", h("input", { name: "last", type: "number", min: "0", required: true })),
    h("button", { type: "submit" }, "添加号段 Add range"));
  replace(box, items.length ? table(["快递 Carrier", "起始单号 First", "结束单号 Last", "下一个 Next", "剩余 Remaining", "添加时间 Added"],
    items.map(r => h("tr", { class: r.remaining < 100 ? "warn" : null, dataset: { rangeId: r.range_id } }, h("td", {}, r.carrier_code), h("td", {}, r.first_number),
      h("td", {}, r.last_number), h("td", { class: "num" }, r.next), h("td", { class: "num remaining" }, r.remaining), h("td", {}, time(r.created_at)))))
    : h("p", {}, "还没有号段 No ranges yet"), form);
}

async function loadRules(box, carriers) {
  let items = [];
  try {
    items = (await call("GET", "/v1/desk/carrier-rules")).rules;
  } catch (error) {
    problem(error, "快递规则 Rules");
  }
  const rows = h("div", { class: "rules" });
  const ruleRow = (rule = { provinces: [], carrier_code: "SF" }) => {
    const row = h("div", { class: "row rule" },
      field("省份 Provinces", h("input", { name: "provinces", value: rule.provinces.join("、"), size: "50", placeholder: "广东省、广西壮族自治区" })),
      field("快递 Carrier", select("carrier_code", carriers, rule.carrier_code)),
      button("删除 Remove", () => row.remove()));
    return row;
  };
  for (const rule of items) rows.append(ruleRow(rule));
  const save = button("保存规则 Save rules", () => busy(save, async () => {
    const body = { rules: [...rows.querySelectorAll(".rule")].map(r => ({
      provinces: splitList(r.querySelector("[name=provinces]").value), carrier_code: r.querySelector("[name=carrier_code]").value }))
      .filter(r => r.provinces.length) };
    await call("PUT", "/v1/desk/carrier-rules", { body });
    say("快递规则已保存 Carrier rules saved");
  }, "快递规则 Rules"), { class: "primary" });
  replace(box, h("p", { class: "hint" }, "新付款订单按省份自动指定快递 New paid orders take their province's carrier"),
    rows, h("div", { class: "row" }, button("添加规则 Add rule", () => rows.append(ruleRow())), save));
}

async function loadLanes(box, carriers) {
  let items = [];
  try {
    items = (await call("GET", "/v1/desk/print-lanes")).items;
  } catch (error) {
    problem(error, "打印分组 Lanes");
  }
  const form = h("form", { class: "row", on: { submit: event => {
    event.preventDefault();
    const v = formValues(form);
    const body = {};
    if (v.provinces) body.provinces = splitList(v.provinces);
    if (v.paid_from_hour !== "") body.paid_from_hour = Number(v.paid_from_hour);
    if (v.paid_to_hour !== "") body.paid_to_hour = Number(v.paid_to_hour);
    if (v.carrier_code) body.carrier_code = v.carrier_code;
    return busy(form.querySelector("button"), async () => {
      await call("PUT", `/v1/desk/print-lanes/${enc(v.lane)}`, { body });
      say("打印分组已保存 Lane saved: " + v.lane);
      loadLanes(box, carriers);
    }, "打印分组 Lane");
  } } },
    field("名称 Lane", h("input", { name: "lane", required: true, maxlength: "64" })),
    field("省份 Provinces", h("input", { name: "provinces", size: "30" })),
    field("付款起(时) From hour", h("input", { name: "paid_from_hour", type: "number", min: "0", max: "23" })),
    field("付款止(时) To hour", h("input", { name: "paid_to_hour", type: "number", min: "1", max: "24" })),
    field("快递 Carrier", select("carrier_code", [["", "全部 Any"], ...carriers], "")),
    h("button", { type: "submit" }, "保存分组 Save lane"));
  replace(box, items.length ? table(["名称 Lane", "省份 Provinces", "付款时段 Paid hours", "快递 Carrier"],
    items.map(l => h("tr", {}, h("td", {}, l.lane), h("td", {}, (l.provinces || []).join("、")),
      h("td", {}, l.paid_from_hour !== null && l.paid_from_hour !== undefined ? `${l.paid_from_hour}–${l.paid_to_hour}` : ""), h("td", {}, l.carrier_code || ""))))
    : h("p", {}, "还没有打印分组 No lanes yet"), form);
}

async function loadSender(box) {
  let current = null;
  try {
    current = (await call("GET", "/v1/settings/sender")).sender;
  } catch (error) {
    problem(error, "寄件人 Sender");
  }
  const s = current || {};
  const names = [["name", "姓名 Name"], ["phone", "电话 Phone"], ["province", "省 Province"], ["city", "市 City"], ["district", "区 District"], ["detail", "详细地址 Detail"]];
  const form = h("form", { class: "row", on: { submit: event => {
    event.preventDefault();
    return busy(form.querySelector("button"), async () => {
      await call("PUT", "/v1/settings/sender", { body: formValues(form) });
      say("寄件人已保存 Sender saved");
    }, "寄件人 Sender");
  } } }, names.map(([n, label]) => field(label, h("input", { name: n, value: s[n] || "", required: n !== "district", maxlength: "200" }))),
    h("button", { type: "submit" }, "保存寄件人 Save sender"));
  replace(box, current ? null : h("p", { class: "warn" }, "未设置寄件人,不能打印 No sender: printing is refused"), form);
}

async function loadUsers(box, session) {
  let items = null;
  try {
    items = (await call("GET", "/v1/desk/operators")).items;
  } catch (error) {
    if (error.status !== 404) problem(error, "用户 Users");
  }
  const roles = session.role === "manager" ? ["operator", "supervisor", "manager"] : ["operator", "supervisor"];
  const form = h("form", { class: "row", on: { submit: event => {
    event.preventDefault();
    const v = formValues(form);
    return busy(form.querySelector("button"), async () => {
      await call("POST", "/v1/desk/operators", { body: { username: v.username, password: form.password.value, role: v.role } });
      say("用户已创建 User created: " + v.username);
      loadUsers(box, session);
    }, "用户 User");
  } } },
    field("用户名 Username", h("input", { name: "username", required: true, maxlength: "64", autocomplete: "off" })),
    field("初始密码 Password", h("input", { name: "password", type: "password", required: true, minlength: "8", maxlength: "200", autocomplete: "new-password" })),
    field("角色 Role", select("role", roles.map(r => [r, ROLES[r]]), "operator")),
    h("button", { type: "submit" }, "创建用户 Create user"));
  const change = async (username, body, done) => {
    await call("PUT", `/v1/desk/operators/${enc(username)}`, { body });
    say(done + ": " + username);
    loadUsers(box, session);
  };
  const resetDialog = username => {
    const f = h("form", { on: { submit: event => {
      event.preventDefault();
      busy(f.querySelector("button[type=submit]"), async () => {
        await change(username, { password: f.password.value }, "密码已重置 Password reset");
        dlg.close();
      }, "重置密码 Reset");
    } } },
      field("新密码 New password", h("input", { name: "password", type: "password", required: true, minlength: "8", maxlength: "200", autocomplete: "new-password" })),
      h("button", { type: "submit", class: "primary" }, "重置 Reset"));
    const dlg = dialog("重置密码 Reset password · " + username, f);
  };
  replace(box, items ? table(["用户名 Username", "角色 Role", "状态 State", ""], items.map(u => h("tr", { dataset: { username: u.username } },
    h("td", {}, u.username), h("td", {}, ROLES[u.role] || u.role), h("td", {}, u.disabled ? "已停用 Disabled" : "正常 Active"),
    h("td", {}, u.username === session.username ? "(本人 you)" : [
      button(u.disabled ? "启用 Enable" : "停用 Disable", e => busy(e.target, () => change(u.username, { disabled: !u.disabled }, u.disabled ? "已启用 Enabled" : "已停用 Disabled"), "用户 User")),
      " ", button("重置密码 Reset password", () => resetDialog(u.username))]))))
    : h("p", { class: "hint" }, "用户列表暂不可用 The user list is not available"), form);
}
