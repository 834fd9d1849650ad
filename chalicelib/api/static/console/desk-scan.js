// 验货出库 Scan station. A keyboard-wedge scanner types a code and Enter into the one input:
// first the waybill, then each unit of goods. Expected against scanned is shown live; a wrong
// or surplus item is refused at once (red, a beep, the server's missing and extra) and not
// counted; when everything is scanned the parcel is inspected, ships, and the station clears.
// Keys: Enter on an empty input inspects now (shows what is missing), Esc starts over,
// Backspace on an empty input takes back the last unit.
import { h, replace } from "./h.js";
import { call, enc } from "./api.js";
import { beep, table, problemView } from "./ui.js";

export function norm(code) {
  return String(code).normalize("NFKC").replace(/\s+/g, "").toUpperCase();
}

export function mount(root) {
  let parcel = null;      // {waybill_no, order_id, lines: [{code, name, quantity}]}
  let scanned = [];       // codes as scanned, one per unit
  const input = h("input", { name: "scan", id: "scan-input", class: "scan-input", autocomplete: "off", spellcheck: "false",
    "aria-label": "扫描 Scan", placeholder: "扫描运单号 Scan the waybill" });
  const prompt = h("p", { class: "scan-prompt", "aria-live": "polite" });
  const board = h("div", { class: "scan-board" });
  const alert = h("div", { class: "scan-alert", role: "alert" });
  const last = h("div", { class: "scan-last", "aria-live": "polite" });

  function counts() {
    const got = new Map();
    for (const code of scanned) got.set(norm(code), (got.get(norm(code)) || 0) + 1);
    return got;
  }

  function complete() {
    const got = counts();
    return parcel.lines.every(l => (got.get(norm(l.code)) || 0) === l.quantity)
      && [...got.keys()].every(k => parcel.lines.some(l => norm(l.code) === k));
  }

  function render() {
    if (!parcel) {
      prompt.textContent = "请扫描运单号 Scan the waybill";
      input.placeholder = "扫描运单号 Scan the waybill";
      replace(board);
      return;
    }
    const got = counts();
    prompt.textContent = `运单 ${parcel.waybill_no} · 订单 ${parcel.order_id} — 请扫描商品 Scan the goods`;
    input.placeholder = "扫描商品条码 Scan goods";
    replace(board, h("div", { class: "parcel", dataset: { orderId: parcel.order_id, waybill: parcel.waybill_no } },
      parcel.recipient ? h("p", { class: "recipient" }, "收件人 " + parcel.recipient) : null,
      table(["条码 Code", "品名 Name", "应扫 Expected", "已扫 Scanned"], parcel.lines.map(l => {
        const n = got.get(norm(l.code)) || 0;
        return h("tr", { class: n === l.quantity ? "done" : n > l.quantity ? "over" : "open", dataset: { code: l.code } },
          h("td", {}, l.code), h("td", {}, l.name || ""), h("td", { class: "num expected" }, l.quantity), h("td", { class: "num scanned" }, n));
      }), { class: "scan-table" })));
  }

  function refuse(...content) {
    replace(alert, h("div", { class: "mismatch" }, content));
    beep("error");
  }

  function mismatchView(error) {
    const p = error.problem || {};
    const list = (items, label, cls) => items && items.length ? h("div", { class: cls },
      h("strong", {}, label), h("ul", {}, items.map(i => h("li", {}, i.code + " × " + i.quantity)))) : null;
    if (error.code !== "inspection_mismatch") return problemView(error, "验货 Inspection");
    return [h("strong", {}, "货品与订单不符 Goods do not match"),
      list(p.missing, "缺少 Missing", "missing"), list(p.extra, "多出 Extra", "extra")];
  }

  async function openParcel(code) {
    try {
      const found = await call("GET", `/v1/desk/parcels/${enc(code)}`);
      parcel = found;
      scanned = [];
      replace(alert);
      if (found.holds && found.holds.length) refuse("此单有退款拦截,不能发货 Refund hold: do not ship");
      render();
    } catch (error) {
      refuse(error.status === 404 ? "找不到此运单号 Unknown waybill: " + code : problemView(error, "运单 Waybill"));
    }
  }

  async function inspect(extraScan) {
    const body = { waybill_no: parcel.waybill_no, scanned: extraScan ? [...scanned, extraScan] : scanned };
    try {
      const order = await call("POST", "/v1/desk/inspections", { body });
      beep("ok");
      replace(last, h("div", { class: "shipped" }, `已验货出库 Shipped: ${order.order_id} · ${parcel.waybill_no}`));
      replace(alert);
      parcel = null;
      scanned = [];
      render();
      return true;
    } catch (error) {
      refuse(mismatchView(error));
      return false;
    }
  }

  async function onScan(code) {
    if (!parcel) return openParcel(code);
    if (norm(code) === norm(parcel.waybill_no)) return;   // the same label scanned twice
    const line = parcel.lines.find(l => norm(l.code) === norm(code));
    const got = counts().get(norm(code)) || 0;
    if (!line || got >= line.quantity) {
      await inspect(code);   // the server says what is missing and extra; the unit is not counted
      const wrong = h("p", {}, line ? `${code} 已扫够,请取出多余的一件 Already complete: take this unit out`
        : `${code} 不属于此订单,请取出 Not in this order: take it out`);
      alert.firstChild && alert.firstChild.prepend(wrong);
      return;
    }
    scanned.push(code);
    replace(alert);
    render();
    if (complete()) await inspect();
  }

  input.addEventListener("keydown", async event => {
    if (event.key === "Escape") {
      parcel = null; scanned = []; replace(alert); input.value = ""; render();
      return;
    }
    if (event.key === "Backspace" && !input.value && parcel && scanned.length) {
      scanned.pop(); render();
      return;
    }
    if (event.key !== "Enter") return;
    event.preventDefault();
    const code = input.value.trim();
    input.value = "";
    if (!code) {
      if (parcel) await inspect();
      return;
    }
    input.disabled = true;
    try {
      await onScan(code);
    } finally {
      input.disabled = false;
      input.focus();
    }
  });

  const keepFocus = () => { if (!document.querySelector("dialog[open], .drawer")) input.focus(); };
  window.addEventListener("focus", keepFocus);
  root.addEventListener("click", keepFocus);

  replace(root, h("h1", {}, "验货出库 Scan out"),
    h("p", { class: "hint" }, "Enter(空)= 立即验货 inspect now · Esc = 重新开始 start over · Backspace(空)= 撤销一件 undo last unit"),
    prompt, input, alert, board, last);
  render();
  input.focus();
  return () => { window.removeEventListener("focus", keepFocus); };
}
